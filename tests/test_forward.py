"""Physics of the forward solver: analytic cases, an independent code, symmetries, autograd."""

import numpy as np
import pytest
import torch

from mtlib import forward, generator, grid

FREQ = grid.default_frequencies()
THICK = grid.paper_thicknesses()


def test_half_space_is_exact():
    rho = np.array([[2.0], [13.3], [220.0], [1e4]])
    rhoa, phase = forward.mt1d(rho, np.empty(0), np.logspace(5, -5, 31))
    np.testing.assert_allclose(rhoa, np.broadcast_to(rho, rhoa.shape), rtol=1e-14)
    np.testing.assert_allclose(phase, 45.0, atol=1e-12)


def test_uniform_layered_model_equals_half_space():
    rhoa, phase = forward.mt1d(np.full(40, 57.0), THICK, FREQ)
    np.testing.assert_allclose(rhoa, 57.0, rtol=1e-13)
    np.testing.assert_allclose(phase, 45.0, atol=1e-11)


def two_layer_closed_form(rho1, rho2, h, freq):
    """Textbook two-layer impedance with tanh, written independently of mtlib."""
    omega = 2 * np.pi * freq
    mu0 = 4e-7 * np.pi
    k1 = np.sqrt(1j * omega * mu0 / rho1)
    z1 = 1j * omega * mu0 / k1
    z2 = 1j * omega * mu0 / np.sqrt(1j * omega * mu0 / rho2)
    t = np.tanh(k1 * h)
    z = z1 * (z2 + z1 * t) / (z1 + z2 * t)
    return np.abs(z) ** 2 / (omega * mu0), np.degrees(np.angle(z))


@pytest.mark.parametrize(
    "rho1, rho2, h", [(100.0, 10.0, 500.0), (10.0, 1000.0, 50.0), (3.0, 200.0, 1500.0)]
)
def test_two_layer_matches_closed_form_and_asymptotes(rho1, rho2, h):
    freq = np.logspace(4, -4, 81)
    rhoa, phase = forward.mt1d(np.array([rho1, rho2]), np.array([h]), freq)
    ref_rhoa, ref_phase = two_layer_closed_form(rho1, rho2, h, freq)
    np.testing.assert_allclose(rhoa, ref_rhoa, rtol=1e-12)
    np.testing.assert_allclose(phase, ref_phase, atol=1e-10)
    # far above: the top layer only; far below: the basement only
    hi, _ = forward.mt1d(np.array([rho1, rho2]), np.array([h]), np.array([1e9]))
    lo, lo_phase = forward.mt1d(np.array([rho1, rho2]), np.array([h]), np.array([1e-9]))
    assert abs(hi[0] / rho1 - 1) < 1e-12
    assert abs(lo[0] / rho2 - 1) < 1e-3
    assert abs(lo_phase[0] - 45.0) < 0.1


def test_phase_above_45_over_conductive_basement():
    _, phase = forward.mt1d(np.array([100.0, 1.0]), np.array([300.0]), FREQ)
    assert phase.max() > 60.0
    _, phase = forward.mt1d(np.array([1.0, 100.0]), np.array([300.0]), FREQ)
    assert phase.min() < 30.0


def test_agrees_with_pygimli_on_1000_paper_models():
    pg = pytest.importorskip("pygimli", reason="pyGIMLi is installed by the dev extra")
    rho = generator.random_models(1000, seed=123)
    fop = pg.core.MT1dModelling(1.0 / FREQ, 40, False)
    ref = np.array([fop.response(pg.Vector(np.concatenate([THICK, r]))) for r in rho])
    rhoa, phase = forward.mt1d(rho, THICK, FREQ)
    assert np.max(np.abs(rhoa / ref[:, :40] - 1)) <= 1e-10
    assert np.max(np.abs(phase - np.degrees(ref[:, 40:]))) <= 1e-8


def test_resistivity_frequency_similarity():
    rho = generator.random_models(50, seed=1, sampling="loguniform")
    rhoa, phase = forward.mt1d(rho, THICK, FREQ)
    for a in (0.01, 3.7, 250.0):
        rhoa_a, phase_a = forward.mt1d(rho * a, THICK, FREQ * a)
        np.testing.assert_allclose(rhoa_a, rhoa * a, rtol=1e-12)
        np.testing.assert_allclose(phase_a, phase, atol=1e-10)


def test_depth_frequency_similarity():
    rho = generator.random_models(50, seed=2)
    rhoa, phase = forward.mt1d(rho, THICK, FREQ)
    for s in (0.1, 2.5, 40.0):
        rhoa_s, phase_s = forward.mt1d(rho, THICK * s, FREQ / s**2)
        np.testing.assert_allclose(rhoa_s, rhoa, rtol=1e-12)
        np.testing.assert_allclose(phase_s, phase, atol=1e-10)


def test_stable_for_thick_conductive_layers_at_high_frequency():
    rho = np.array([[0.01, 1e5, 0.01], [1e-3, 1e-3, 1e6]])
    thick = np.array([1e5, 1e6])
    freq = np.array([1e8, 1e4, 1.0, 1e-6])
    rhoa, phase = forward.mt1d(rho, thick, freq)
    assert np.all(np.isfinite(rhoa)) and np.all(np.isfinite(phase))
    # a layer thousands of skin depths thick hides everything below it
    np.testing.assert_allclose(rhoa[:, 0], rho[:, 0], rtol=1e-12)
    z = forward.impedance(torch.tensor(rho, requires_grad=True), thick, freq)
    assert torch.all(torch.isfinite(z.real)) and torch.all(torch.isfinite(z.imag))


def test_batched_shapes_and_per_model_thicknesses():
    rho = generator.random_models(12, seed=3).reshape(3, 4, 40)
    thick = THICK * np.linspace(0.5, 2.0, 12).reshape(3, 4, 1)
    rhoa, phase = forward.mt1d(rho, thick, FREQ)
    assert rhoa.shape == phase.shape == (3, 4, 40)
    for i in range(3):
        for j in range(4):
            single = forward.mt1d(rho[i, j], thick[i, j], FREQ)
            np.testing.assert_array_equal(rhoa[i, j], single[0])
            np.testing.assert_array_equal(phase[i, j], single[1])


def test_torch_backend_matches_numpy_backend():
    rho = generator.random_models(200, seed=4)
    rhoa_np, phase_np = forward.mt1d(rho, THICK, FREQ)
    rhoa_t, phase_t = forward.mt1d(torch.tensor(rho), THICK, FREQ)
    assert isinstance(rhoa_t, torch.Tensor) and rhoa_t.dtype == torch.float64
    np.testing.assert_allclose(rhoa_t.numpy(), rhoa_np, rtol=1e-12)
    np.testing.assert_allclose(phase_t.numpy(), phase_np, atol=1e-10)


def test_float32_agrees_with_float64():
    rho = generator.random_models(500, seed=5)
    rhoa64, phase64 = forward.mt1d(torch.tensor(rho), THICK, FREQ)
    rhoa32, phase32 = forward.mt1d(torch.tensor(rho, dtype=torch.float32), THICK, FREQ)
    assert rhoa32.dtype == torch.float32
    np.testing.assert_allclose(rhoa32.double().numpy(), rhoa64.numpy(), rtol=2e-5)
    np.testing.assert_allclose(phase32.double().numpy(), phase64.numpy(), atol=2e-4)
    rhoa_np32, _ = forward.mt1d(rho, THICK, FREQ, dtype=np.float32)
    assert rhoa_np32.dtype == np.float32
    np.testing.assert_allclose(rhoa_np32, rhoa64.numpy(), rtol=1e-6)


def test_torch_gradcheck_resistivities_and_thicknesses():
    rho = torch.tensor([30.0, 5.0, 120.0, 60.0, 15.0], dtype=torch.float64, requires_grad=True)
    thick = torch.tensor([40.0, 80.0, 200.0, 120.0], dtype=torch.float64, requires_grad=True)
    freq = np.logspace(3, -1, 7)

    def response(r, t):
        rhoa, phase = forward.mt1d(r, t, freq)
        return torch.cat([torch.log(rhoa), phase])

    assert torch.autograd.gradcheck(response, (rho, thick), eps=1e-6, atol=1e-7, rtol=1e-5)


def test_autograd_sensitivities_obey_the_similarity_laws():
    # Euler's identities of the two similarity laws, differentiated: for ln ρa and for φ,
    #   Σ_j ∂/∂ln ρ_j + ∂/∂ln f = (1, 0)   and   Σ_j ∂/∂ln h_j - 2 ∂/∂ln f = (0, 0)
    log_rho = torch.log(torch.tensor(generator.random_models(1, seed=6)[0]))
    log_h, log_f = torch.log(torch.tensor(THICK)), torch.log(torch.tensor(FREQ))

    def response(lr, lh, lf):
        rhoa, phase = forward.mt1d(torch.exp(lr), torch.exp(lh), torch.exp(lf))
        return torch.stack([torch.log(rhoa), phase])

    d_rho, d_h, d_f = torch.autograd.functional.jacobian(response, (log_rho, log_h, log_f))
    sum_rho, sum_h, sum_f = d_rho.sum(-1), d_h.sum(-1), d_f.sum(-1)  # (2, F) each
    np.testing.assert_allclose((sum_rho + sum_f)[0].numpy(), 1.0, atol=1e-9)
    np.testing.assert_allclose((sum_rho + sum_f)[1].numpy(), 0.0, atol=1e-7)
    np.testing.assert_allclose((sum_h - 2 * sum_f).numpy(), 0.0, atol=1e-7)
    assert d_rho.abs().max() > 0.1  # the identities are not satisfied trivially


def test_impedance_convention():
    z = forward.impedance(np.array([100.0]), np.empty(0), np.array([1.0]))
    # e^{+iωt}: Z = (1 + i) sqrt(ωμ0ρ/2) over a half-space
    expected = (1 + 1j) * np.sqrt(2 * np.pi * forward.MU0 * 100.0 / 2)
    np.testing.assert_allclose(z, [expected], rtol=1e-15)


def test_skin_depth():
    np.testing.assert_allclose(forward.skin_depth_m(100.0, 1.0), 5032.92, rtol=1e-6)


BAD_INPUTS = [
    (dict(rho_ohmm=np.array([10.0, -1.0])), "rho_ohmm"),
    (dict(rho_ohmm=np.array([10.0, 0.0])), "rho_ohmm"),
    (dict(rho_ohmm=np.array([10.0, np.nan])), "rho_ohmm"),
    (dict(rho_ohmm=np.array([np.inf, 10.0])), "rho_ohmm"),
    (dict(rho_ohmm=np.array([10.0 + 1j, 5.0])), "rho_ohmm"),
    (dict(thick_m=np.array([0.0])), "thick_m"),
    (dict(thick_m=np.array([-5.0])), "thick_m"),
    (dict(thick_m=np.array([np.nan])), "thick_m"),
    (dict(thick_m=np.array([10.0, 20.0])), "thick_m"),
    (dict(rho_ohmm=np.ones((3, 2)), thick_m=np.ones((2, 1))), "thick_m"),
    (dict(freq_hz=np.array([])), "freq_hz"),
    (dict(freq_hz=np.array([1.0, 0.0])), "freq_hz"),
    (dict(freq_hz=np.array([1.0, -3.0])), "freq_hz"),
    (dict(freq_hz=np.array([[1.0]])), "freq_hz"),
    (dict(freq_hz=np.array([np.nan])), "freq_hz"),
    (dict(rho_ohmm=torch.tensor([10.0, -1.0])), "rho_ohmm"),
    (dict(rho_ohmm=torch.tensor([10.0, float("nan")])), "rho_ohmm"),
]


@pytest.mark.parametrize("override, name", BAD_INPUTS)
def test_bad_input_raises_value_error_naming_the_argument(override, name):
    args = dict(
        rho_ohmm=np.array([10.0, 100.0]), thick_m=np.array([50.0]), freq_hz=np.array([10.0, 1.0])
    )
    args.update(override)
    with pytest.raises(ValueError, match=name):
        forward.mt1d(**args)
    with pytest.raises(ValueError, match=name):
        forward.impedance(**args)


def test_log_response_jacobian_matches_autograd_and_the_forward():
    rho = generator.random_models(4, seed=9) * np.array([[1.0], [30.0], [0.05], [1.0]])
    freq = np.stack([FREQ, FREQ * 7, FREQ / 300, FREQ])  # one frequency set per sounding
    log_rhoa, phase_rad, jac = forward.log_response_jacobian(rho, THICK, freq)
    for k in range(4):
        rhoa, phase = forward.mt1d(rho[k], THICK, freq[k])
        np.testing.assert_allclose(log_rhoa[k], np.log(rhoa), atol=1e-12)
        np.testing.assert_allclose(np.degrees(phase_rad[k]), phase, atol=1e-10)
        log_rho = torch.tensor(np.log(rho[k]), requires_grad=True)

        def data(lr):
            ra, ph = forward.mt1d(torch.exp(lr), torch.tensor(THICK), torch.tensor(freq[k]))
            return torch.cat([torch.log(ra), torch.deg2rad(ph)])

        expected = torch.autograd.functional.jacobian(data, log_rho).numpy()
        np.testing.assert_allclose(jac[k], expected, atol=1e-12 * np.abs(expected).max())
    # the half-space column carries the whole response of a uniform earth: ∂ln ρa/∂ln ρ = 1
    _, _, jac_hs = forward.log_response_jacobian(np.full((1, 40), 30.0), THICK, FREQ)
    np.testing.assert_allclose(jac_hs[0, :40].sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(jac_hs[0, 40:].sum(axis=1), 0.0, atol=1e-12)


def test_log_response_with_per_sounding_frequencies_equals_the_forward():
    rho = generator.random_models(3, seed=2)
    freq = np.stack([FREQ, FREQ * 0.01, FREQ * 3])
    log_rhoa, phase_rad = forward.log_response(rho, THICK, freq)
    for k in range(3):
        rhoa, phase = forward.mt1d(rho[k], THICK, freq[k])
        np.testing.assert_allclose(np.exp(log_rhoa[k]), rhoa, rtol=1e-12)
        np.testing.assert_allclose(np.degrees(phase_rad[k]), phase, atol=1e-10)
    # the parallel kernel (large batches) and the serial one (small) agree exactly
    many = generator.random_models(forward.PARALLEL_MIN_MODELS + 3, seed=4)
    big = forward.log_response(many, THICK, FREQ)[0]
    small = forward.log_response(many[:3], THICK, FREQ)[0]
    np.testing.assert_array_equal(big[:3], small)
