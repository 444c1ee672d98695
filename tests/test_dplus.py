"""Parker's D+: the c-response convention, the thin-sheet forward, the spectral ↔ sheet
conversion, the fit of 1D and non-1D data, refinement, bad input, real soundings."""

import warnings

import numpy as np
import pytest
from scipy.linalg import eigh

from mtlib import data_errors, field, forward, generator, grid, noise
from mtlib.dplus import _sheets, dplus, dplus_response, sheet_impedance
from mtlib.inversion import invert_many

MU0 = 4e-7 * np.pi
THICK = grid.paper_thicknesses()
FREQ = np.logspace(4, -2, 40)  # the paper's earths are ~2 km deep: 6 decades see them
P = 0.02  # relative error of |Z|


def c_response(z_ohm, freq_hz):
    """Schmucker's c = Z / (iωμ0) in m."""
    return z_ohm / (1j * 2 * np.pi * freq_hz * MU0)


def earths():
    """Smooth (paper scheme), blocky and field-prior earths on the paper's grid (Ω·m)."""
    log_depth = np.log10(grid.layer_centres_m(THICK))
    return np.concatenate(
        [
            generator.random_models(2, seed=1),
            generator.blocky_models(2, seed=2),
            10.0 ** generator.field_models(2, log_depth, seed=3),
        ]
    )


def chi2_of(rhoa, phase, rhoa_obs, phase_obs, p):
    """χ² in mtlib's norm: ln ρa weighed by 2p, φ (rad) by arcsin(p)."""
    r_rho = np.log(rhoa_obs / rhoa) / data_errors.rhoa_rel_err(p)
    r_phi = np.radians(phase_obs - phase) / data_errors.phase_std_rad(p)
    return float(np.sum(r_rho**2) + np.sum(r_phi**2))


def test_c_response_of_a_half_space_from_mtlibs_forward():
    """With e^{+iωt}: c = 1/sqrt(iωμ0σ), Re c > 0 and Im c < 0 (arg c = −45°)."""
    freq = np.logspace(3, -3, 13)
    c = c_response(forward.impedance(np.array([30.0]), np.empty(0), freq), freq)
    np.testing.assert_allclose(c, 1 / np.sqrt(1j * 2 * np.pi * freq * MU0 / 30.0), rtol=1e-13)
    assert np.all(c.real > 0) and np.all(c.imag < 0)


def test_sheet_impedance_analytic_cases():
    freq = np.logspace(3, -3, 13)
    i_omega_mu = 1j * 2 * np.pi * freq * MU0
    # a perfect conductor at depth D alone: c = D, ρa = ωμ0 D², φ = 90°
    np.testing.assert_allclose(c_response(sheet_impedance([], [], freq, 700.0), freq), 700.0)
    # one sheet over the insulator: c = h + 1/(iωμ0τ)
    z = sheet_impedance([250.0], [40.0], freq)
    np.testing.assert_allclose(c_response(z, freq), 250.0 + 1 / (i_omega_mu * 40.0), rtol=1e-13)
    # one sheet over a perfect conductor: c = h + 1/(iωμ0τ + 1/d)
    z = sheet_impedance([250.0], [40.0], freq, 1250.0)
    expected = 250.0 + 1 / (i_omega_mu * 40.0 + 1 / 1000.0)
    np.testing.assert_allclose(c_response(z, freq), expected, rtol=1e-13)


@pytest.mark.parametrize("conductor_depth_m", [np.inf, 3000.0])
def test_sheet_impedance_matches_thin_layers_in_mtlibs_forward(conductor_depth_m):
    """Sheets as 1 cm layers (ρ = 1 cm / τ) in a 10¹² Ω·m host, a perfect conductor as a
    10⁻¹⁰ Ω·m half-space: mtlib's layered forward agrees to 0.1 % in Z. (The layers are
    far thinner than their skin depth, ≥ 0.2 m at 1 kHz; the host's own conductance and
    induction are ≤ 1e-5 of the sheets'.)"""
    freq = np.logspace(3, -1, 21)
    depth, tau = np.array([100.0, 600.0, 1500.0]), np.array([5.0, 50.0, 20.0])
    t = 0.01
    tops = np.sort(np.concatenate([depth, depth + t]))
    rho = np.empty(tops.size + 1)
    rho[0::2] = 1e12
    rho[1::2] = t / tau
    thick = np.diff(np.concatenate([[0.0], tops]))
    if np.isfinite(conductor_depth_m):
        thick = np.append(thick, conductor_depth_m - tops[-1])
        rho = np.append(rho, 1e-10)
    z_layers = forward.impedance(rho, thick, freq)
    z_sheets = sheet_impedance(depth, tau, freq, conductor_depth_m)
    np.testing.assert_allclose(z_sheets, z_layers, rtol=1e-3)


@pytest.mark.parametrize("terminal", ["insulator", "perfect conductor"])
def test_sheets_from_the_spectrum_of_a_known_sheet_model(terminal):
    """The spectrum of a sheet model computed independently (the mass-spring eigenproblem
    K φ = λ μ0 M φ normalized to φᵀ μ0 M φ = 1, so that c − a0 = e₁ᵀ(K + iωμ0 M)⁻¹e₁ =
    Σ φₙ(1)² / (λₙ + iω)) converts back to its sheets."""
    rng = np.random.default_rng(0)
    n = 6
    depth = np.cumsum(10.0 ** rng.uniform(1, 3.5, n))
    tau = 10.0 ** rng.uniform(-1, 2.5, n)
    gaps = np.diff(depth)
    stiff = np.zeros((n, n))
    for k, d in enumerate(gaps):
        stiff[k : k + 2, k : k + 2] += np.array([[1, -1], [-1, 1]]) / d
    conductor = depth[-1] + 800.0 if terminal == "perfect conductor" else np.inf
    if np.isfinite(conductor):
        stiff[-1, -1] += 1 / (conductor - depth[-1])
    lam, phi = eigh(stiff, MU0 * np.diag(tau))
    lam = np.where(np.abs(lam) < 1e-9 * lam.max(), 0.0, lam)
    amp = phi[0] ** 2
    got_depth, got_tau, got_terminal, got_conductor = _sheets(depth[0], amp, lam)
    assert got_terminal == terminal
    np.testing.assert_allclose(got_depth, depth, rtol=1e-9)
    np.testing.assert_allclose(got_tau, tau, rtol=1e-9)
    assert got_conductor == pytest.approx(conductor, rel=1e-9)
    # and the spectral form is the sheets' response
    freq = np.logspace(3, -4, 15)
    c_spectral = depth[0] + np.sum(amp / (lam + 1j * 2 * np.pi * freq[:, None]), axis=1)
    c_sheets = c_response(sheet_impedance(depth, tau, freq, conductor), freq)
    np.testing.assert_allclose(c_sheets, c_spectral, rtol=1e-10)


def assert_sheets_reproduce(res, freq):
    """The D+ sheet model's exact forward is the fitted spectral response (1e-8)."""
    z = sheet_impedance(res.sheet_depth_m, res.sheet_conductance_s, freq, res.terminal_depth_m)
    rhoa, phase = forward.apparent_resistivity_phase(z, freq)
    np.testing.assert_allclose(rhoa, res.predicted[0], rtol=1e-8)
    np.testing.assert_allclose(phase, res.predicted[1], atol=1e-6)


def test_noise_free_1d_data_are_fitted_exactly():
    """Smooth, blocky and field-prior earths over 6 decades, and a half-space over 10: D+
    fits them to nRMS < 1e-3 at 1 % errors (seen: ≤ 2e-7), and its sheet model
    reproduces the response."""
    rhoa, phase = forward.mt1d(earths(), THICK, FREQ)
    for k in range(rhoa.shape[0]):
        res = dplus(FREQ, rhoa[k], phase[k], 0.01)
        assert res.nrms < 1e-3, (k, res.nrms)
        assert_sheets_reproduce(res, FREQ)
    freq = np.logspace(5, -5, 50)
    res = dplus(freq, np.full(50, 100.0), np.full(50, 45.0), 0.01)
    assert res.nrms < 1e-3
    assert_sheets_reproduce(res, freq)


def test_noisy_1d_data_dplus_is_below_the_true_earth_and_near_the_noise():
    """Noise drawn with the stated errors (:mod:`mtlib.noise`: 2p on ln ρa, arcsin p on φ):
    the true earth's χ² is a χ²(N) draw; D+ is the minimum over all 1D earths, so it is below
    it every time, by about the number of parameters it resolves, and above zero by far."""
    rhoa, phase = forward.mt1d(earths(), THICK, FREQ)
    n_data = 2 * FREQ.size
    for k in range(rhoa.shape[0]):
        for seed in range(3):
            rhoa_obs, phase_obs = noise.add_noise(
                rhoa[k], phase[k], data_errors.rhoa_rel_err(P), seed=10 * k + seed
            )
            res = dplus(FREQ, rhoa_obs, phase_obs, P)
            chi2_true = chi2_of(rhoa[k], phase[k], rhoa_obs, phase_obs, P)
            assert res.chi2 <= chi2_true, (k, seed, res.chi2, chi2_true)
            assert res.n_data == n_data
            assert 0.5 < res.nrms < 1.0, (k, seed, res.nrms)
            assert res.consistent_with_1d(0.95)
            # the misfit is that of its predicted curves, and its residuals add up to it
            assert chi2_of(*res.predicted, rhoa_obs, phase_obs, P) == pytest.approx(res.chi2)
            total = np.sum(res.residual_rhoa**2) + np.sum(res.residual_phase**2)
            assert total == pytest.approx(res.chi2)
            assert_sheets_reproduce(res, FREQ)


def non_1d_cases():
    """(name, ρa, φ): data that no 1D earth explains within 2 % errors."""
    rho = generator.random_models(2, seed=4)
    rhoa, phase = forward.mt1d(rho, THICK, FREQ)
    steep = 100.0 * FREQ**-1.5  # ρa falling 1.5 decades per decade of f: in 1D at most 1
    return [
        ("steep ρa, 45°", steep, np.full(FREQ.size, 45.0)),
        ("steep ρa, 85°", steep, np.full(FREQ.size, 85.0)),
        ("phase of another earth", rhoa[0], phase[1]),
        ("phase +15°", rhoa[0], phase[0] + 15.0),
        ("phase −15°", rhoa[0], phase[0] - 15.0),
    ]


@pytest.mark.parametrize("name, rhoa, phase", non_1d_cases())
def test_non_1d_data_are_not_fitted(name, rhoa, phase):
    """Seen: nRMS 45–63 (steep), 5.8 (another earth's phase), 7.6 (±15°)."""
    res = dplus(FREQ, rhoa, phase, P)
    assert res.nrms > 4.0, (name, res.nrms)
    assert not res.consistent_with_1d(0.999)
    assert res.excess_sigma > 10


def test_refinement_never_raises_the_misfit():
    """On 1D, noisy and non-1D data: the refined χ² is at most the grid's optimum (up to
    the round-off of dropping negligible terms), and the grid's optimum is what
    ``refine=False`` returns."""
    rhoa, phase = forward.mt1d(earths(), THICK, FREQ)
    cases = [c[1:] for c in non_1d_cases()]
    for k in range(rhoa.shape[0]):
        cases.append(noise.add_noise(rhoa[k], phase[k], 2 * P, seed=100 + k))
    n_refined = 0
    for rhoa_obs, phase_obs in cases:
        res = dplus(FREQ, rhoa_obs, phase_obs, P)
        grid_only = dplus(FREQ, rhoa_obs, phase_obs, P, refine=False)
        assert res.chi2 <= grid_only.chi2 * (1 + 1e-9)
        assert res.chi2 <= res.chi2_grid * (1 + 1e-9)
        assert grid_only.chi2 == pytest.approx(res.chi2_grid, rel=1e-9)
        assert not grid_only.refined
        n_refined += res.refined
    assert n_refined >= len(cases) // 2  # it does something


def test_frequency_order_mask_and_capped_errors():
    rhoa, phase = forward.mt1d(earths()[0], THICK, FREQ)
    rhoa, phase = noise.add_noise(rhoa, phase, 2 * P, seed=7)
    res = dplus(FREQ, rhoa, phase, P)
    flipped = dplus(FREQ[::-1], rhoa[::-1], phase[::-1], P)
    assert flipped.chi2 == pytest.approx(res.chi2, rel=1e-6, abs=1e-6)
    # a masked period may hold anything; it is left out of N and given NaN residuals
    mask = np.ones(FREQ.size, dtype=bool)
    mask[5] = False
    bad_rhoa, bad_phase = rhoa.copy(), phase.copy()
    bad_rhoa[5], bad_phase[5] = np.nan, np.nan
    res = dplus(FREQ, bad_rhoa, bad_phase, P, mask)
    assert res.n_data == 2 * (FREQ.size - 1)
    assert np.isnan(res.residual_rhoa[5]) and np.isfinite(res.predicted[0][5])
    # by default NaN data are masked; an error at the cap is masked with a warning
    assert dplus(FREQ, bad_rhoa, bad_phase, P).n_data == res.n_data
    p = np.full(FREQ.size, P)
    p[-1] = 2.0
    with pytest.warns(UserWarning, match="error cap"):
        res = dplus(FREQ, rhoa, phase, p)
    assert not res.mask[-1] and res.n_data == 2 * (FREQ.size - 1)


def test_chi2_threshold_is_the_chi2_quantile():
    rhoa, phase = forward.mt1d(earths()[0], THICK, FREQ)
    res = dplus(FREQ, rhoa, phase, P)
    # χ²(80): mean 80, sd √160; its 95 % quantile is 101.88
    assert res.chi2_threshold(0.95) == pytest.approx(101.879, abs=1e-3)
    assert res.chi2_threshold(0.5) == pytest.approx(79.33, abs=0.01)
    with pytest.raises(ValueError, match="confidence"):
        res.chi2_threshold(1.0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(freq_hz=np.ones((2, 20))), "freq_hz"),
        (dict(freq_hz=-FREQ), "freq_hz"),
        (dict(rhoa_ohmm=np.ones(3)), "rhoa_ohmm"),
        (dict(phase_deg=np.full(FREQ.size, 45 + 0j)), "phase_deg"),
        (dict(z_rel_err=np.full(3, 0.1)), "z_rel_err"),
        (dict(z_rel_err=-0.1), "z_rel_err"),
        (dict(z_rel_err=np.nan), "z_rel_err"),
        (dict(mask=np.ones(FREQ.size)), "mask"),
        (dict(rhoa_ohmm=np.full(FREQ.size, -1.0), mask=np.ones(FREQ.size, bool)), "rhoa_ohmm"),
        (dict(rhoa_ohmm=np.full(FREQ.size, np.nan)), "no usable period"),
    ],
)
def test_bad_input_names_the_argument(kwargs, match):
    args = dict(freq_hz=FREQ, rhoa_ohmm=np.full(FREQ.size, 10.0), z_rel_err=P)
    args["phase_deg"] = np.full(FREQ.size, 45.0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        dplus(**args)


@pytest.mark.parametrize(
    "depth_m, conductance_s, conductor_depth_m, match",
    [
        ([100.0, 50.0], [1.0, 1.0], np.inf, "depth_m"),
        ([100.0], [0.0], np.inf, "conductance_s"),
        ([100.0], [1.0, 2.0], np.inf, "depth_m and conductance_s"),
        ([100.0], [1.0], 50.0, "conductor_depth_m"),
        ([100.0], [1.0], 100.0, "conductor_depth_m"),
        ([], [], np.inf, "conductor_depth_m"),
        ([], [], 0.0, "conductor_depth_m"),
    ],
)
def test_sheet_impedance_bad_input(depth_m, conductance_s, conductor_depth_m, match):
    with pytest.raises(ValueError, match=match):
        sheet_impedance(depth_m, conductance_s, FREQ, conductor_depth_m)


def test_real_soundings_no_inversion_fits_better_than_dplus():
    """The 26 shipped soundings: D+ runs on each, and mtlib's own inversion (default field
    network and Occam) never reaches a lower nRMS on the same periods."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (periods masked by the readers, with warnings)
        responses = [field.read(path).response() for path in field.real_soundings()]
        results = invert_many(responses)
    assert len(responses) == 26
    for resp, inv in zip(responses, results):
        res = dplus_response(resp)
        assert np.array_equal(res.mask, inv.mask), resp.station
        assert np.isfinite(res.nrms) and res.sheet_depth_m.size >= 1
        assert res.nrms <= inv.nrms + 1e-9, (resp.station, res.nrms, inv.nrms)
