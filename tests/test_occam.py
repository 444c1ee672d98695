"""Occam/Gauss–Newton engine: exact linear algebra, Occam's choice of μ, per-sounding stops,
static shift, and the network's guess as reference."""

import numpy as np
import pytest

from mtlib import data_errors, forward, generator, grid, noise
from mtlib.inversion import occam

THICK, FREQ = grid.paper_thicknesses(), grid.default_frequencies()
P_Z = 0.05  # relative error of |Z|: 10 % on ρa, arcsin(0.05) on φ


def engine_inputs(rhoa, phase, p=P_Z):
    """Data and errors in the engine's units for soundings (n, F)."""
    shape = np.shape(rhoa)
    return (
        np.log(rhoa),
        np.radians(phase),
        np.full(shape, data_errors.rhoa_rel_err(p)),
        np.full(shape, data_errors.phase_std_rad(p)),
        np.ones(shape, bool),
    )


def nrms_of(rho, rhoa, phase, p=P_Z, thick=THICK, freq=FREQ):
    lr, ph = forward.log_response(np.atleast_2d(rho), thick, freq)
    r = np.concatenate(
        [(lr - np.log(rhoa)) / (2 * p), (ph - np.radians(phase)) / np.arcsin(p)], axis=1
    )
    return np.sqrt(np.mean(r**2, axis=1))


def test_tridiagonal_solutions_equal_dense_solves():
    """The engine's normal system gives, for any μ, the dense regularized least-squares
    solution and its misfit, and the largest eigenvalue of GᵀG in the whitened basis."""
    rng = np.random.default_rng(0)
    for n_data, n_par in ((30, 8), (12, 20)):  # over- and under-determined
        g, b = rng.normal(size=(n_data, n_par)), rng.normal(size=n_data)
        rough = occam.roughness_matrix(n_par)
        norm = rough.T @ rough + np.diag(rng.uniform(0.1, 2.0, n_par))
        diag_l, sub_l = occam._bidiagonal_cholesky(norm)
        low = np.diag(diag_l) + np.diag(sub_l, -1)
        np.testing.assert_allclose(low @ low.T, norm, atol=1e-12)
        k = np.linalg.inv(low)
        diag, off, v, h, bb, lam_max = occam._normal_system(g, b, diag_l, sub_l)
        gk = g @ k.T
        assert lam_max == pytest.approx(np.linalg.eigvalsh(gk.T @ gk)[-1], rel=1e-8)
        for mu in (1e-3, 1.0, 50.0):
            z = occam._shifted_solve(diag, off, mu, h)
            occam._reflect(v, z, False)
            y = occam._unwhiten(z, diag_l, sub_l)
            dense = np.linalg.solve(g.T @ g + mu * norm, g.T @ b)
            np.testing.assert_allclose(y, dense, rtol=1e-9, atol=1e-12)
            misfit = occam._linear_misfits(diag, off, h, bb, np.array([mu]))[0]
            assert misfit == pytest.approx(np.sum((b - g @ dense) ** 2), rel=1e-9)


@pytest.fixture(scope="module")
def noisy():
    rho = generator.random_models(12, seed=21)
    rhoa, phase = forward.mt1d(rho, THICK, FREQ)
    rhoa_n, phase_n = noise.add_noise(rhoa, phase, data_errors.rhoa_rel_err(P_Z), seed=3)
    return rho, rhoa_n, phase_n


def halfspace(rhoa):
    level = np.mean(np.log10(rhoa), axis=1, keepdims=True)
    return np.repeat(level, len(THICK) + 1, axis=1)


def test_occam_fits_to_the_target_and_is_a_gauss_newton_fixed_point(noisy):
    rho, rhoa, phase = noisy
    m_ref = halfspace(rhoa)
    res = occam.occam_invert(
        FREQ, *engine_inputs(rhoa, phase), THICK, m_ref, np.ones_like(m_ref), smallness=0.01
    )
    np.testing.assert_allclose(res.nrms, nrms_of(res.rho_ohmm, rhoa, phase), rtol=1e-10)
    assert np.median(res.nrms_start) > 2
    reached = res.stop == "target"
    assert reached.sum() >= 8 and np.all(res.nrms[reached] <= 1.0 + 1e-9)
    assert np.all(res.nrms < 1.3)
    # Occam's model at convergence: one dense Gauss–Newton step at the chosen μ barely moves it
    k = int(np.flatnonzero(reached)[0])
    m = np.log10(res.rho_ohmm[k])
    lr, ph, jac = forward.log_response_jacobian(res.rho_ohmm[k : k + 1], THICK, FREQ)
    w = np.concatenate([np.full(40, 1 / (2 * P_Z)), np.full(40, 1 / np.arcsin(P_Z))])
    g = w[:, None] * jac[0] * np.log(10)
    r = w * (
        np.concatenate([np.log(rhoa[k]), np.radians(phase[k])]) - np.concatenate([lr[0], ph[0]])
    )
    rough = occam.roughness_matrix(40)
    norm = rough.T @ rough + 0.01 * np.eye(40)
    y = np.linalg.solve(g.T @ g + res.mu[k] * norm, g.T @ (r + g @ (m - m_ref[k])))
    assert np.max(np.abs(m_ref[k] + y - m)) < 0.05


def test_each_sounding_stops_on_its_own_and_batching_changes_nothing(noisy):
    rho, rhoa, phase = noisy
    # sounding 0: noise-free data, started at the truth (fits: no iteration); 1 from a
    # half-space (iterates); 2 has phases no 1D earth gives with its ρa (misses the target)
    clean_rhoa, clean_phase = forward.mt1d(rho[0], THICK, FREQ)
    bad_phase = phase[2].copy()
    bad_phase[:20] = 85.0
    rhoa_b = np.stack([clean_rhoa, rhoa[1], rhoa[2]])
    phase_b = np.stack([clean_phase, phase[1], bad_phase])
    m_ref = np.stack([np.log10(rho[0]), halfspace(rhoa[1:2])[0], halfspace(rhoa[2:3])[0]])
    std = np.ones_like(m_ref)
    batch = occam.occam_invert(FREQ, *engine_inputs(rhoa_b, phase_b), THICK, m_ref, std)
    assert batch.iterations[0] == 0 and batch.stop[0] == "target"
    # the same start handed back through 10**m and log10 (blocky_invert's rounds): an ulp
    # away from its reference is still the reference
    nudged = occam.occam_invert(
        FREQ, *engine_inputs(rhoa_b[:1], phase_b[:1]), THICK, m_ref[:1], std[:1],
        np.nextafter(m_ref[:1], np.inf),
    )  # fmt: skip
    assert nudged.iterations[0] == 0 and nudged.stop[0] == "target"
    assert batch.iterations[1] >= 2 and batch.nrms[1] <= 1.0 + 1e-9
    assert batch.stop[2] == "best fit" and batch.nrms[2] > 3
    for k in range(3):
        alone = occam.occam_invert(
            FREQ,
            *engine_inputs(rhoa_b[k : k + 1], phase_b[k : k + 1]),
            THICK,
            m_ref[k : k + 1],
            std[k : k + 1],
        )
        np.testing.assert_allclose(alone.rho_ohmm[0], batch.rho_ohmm[k], rtol=1e-9)
        assert alone.iterations[0] == batch.iterations[k]


def test_ragged_batch_with_masks_and_other_frequencies(noisy):
    rho, rhoa, phase = noisy
    freq2 = np.stack([FREQ, FREQ * 10])
    rhoa2, phase2 = forward.mt1d(rho[:2], THICK, FREQ * 10)
    data = engine_inputs(np.stack([rhoa[0], rhoa2[1]]), np.stack([phase[0], phase2[1]]))
    mask = data[-1].copy()
    mask[1, 25:] = False  # the second sounding lacks its 15 longest periods
    log_rhoa = data[0].copy()
    log_rhoa[1, 25:] = 1e9  # garbage where masked must not matter
    m_ref = halfspace(rhoa[:2])
    res = occam.occam_invert(freq2, log_rhoa, *data[1:4], mask, THICK, m_ref, np.ones_like(m_ref))
    assert np.all(np.isfinite(res.rho_ohmm)) and np.all(res.nrms <= 1.0 + 1e-9)


def test_static_shift_is_estimated_with_its_uncertainty(noisy):
    rho, rhoa, phase = noisy
    shifted = rhoa[:6] * 2.5  # a galvanic distortion: ρa × 2.5 at every frequency, φ unchanged
    m_ref = np.log10(generator.random_models(6, seed=99))  # a wrong but reasonable reference
    args = (FREQ, *engine_inputs(shifted, phase[:6]), THICK, m_ref, np.full_like(m_ref, 0.3))
    with_shift = occam.occam_invert(*args, static_shift_std_log10=0.5)
    without = occam.occam_invert(*args)
    assert np.median(with_shift.static_shift) == pytest.approx(2.5, rel=0.25)
    assert np.all(with_shift.static_shift_std_log10 > 0.005)
    assert np.all(with_shift.static_shift_std_log10 < 0.5)  # the data narrowed the prior
    np.testing.assert_array_equal(without.static_shift, 1.0)
    np.testing.assert_array_equal(without.static_shift_std_log10, 0.0)
    rmse = lambda m: np.sqrt(np.mean((np.log10(m) - np.log10(rho[:6])) ** 2))  # noqa: E731
    assert rmse(with_shift.rho_ohmm) < rmse(without.rho_ohmm)


def test_a_good_reference_needs_fewer_iterations_and_gives_a_better_model(noisy):
    rho, rhoa, phase = noisy
    truth = np.log10(rho)
    # a network-like guess: right in shape, off in level, and smoothed over five layers
    kernel = np.ones(5) / 5
    guess = np.array([np.convolve(np.pad(t, 2, mode="edge"), kernel, "valid") for t in truth])
    guess += 0.1
    from_guess = occam.occam_invert(
        FREQ, *engine_inputs(rhoa, phase), THICK, guess, np.full_like(guess, 0.2)
    )
    m_hs = halfspace(rhoa)
    from_hs = occam.occam_invert(FREQ, *engine_inputs(rhoa, phase), THICK, m_hs, np.ones_like(m_hs))
    assert np.mean(from_guess.iterations) < np.mean(from_hs.iterations)
    rmse = lambda m: np.sqrt(np.mean((np.log10(m) - truth) ** 2))  # noqa: E731
    assert rmse(from_guess.rho_ohmm) < rmse(from_hs.rho_ohmm)


def test_a_fixed_mu_gives_the_minimum_of_phi_the_posterior_mode(noisy):
    """mu_fixed = 1: Φ at its minimum (a dense Gauss–Newton step from it stays put, no
    model nearby is lower), below Φ of the reference, and no target chosen."""
    rho, rhoa, phase = noisy
    truth = np.log10(rho)
    kernel = np.ones(5) / 5
    guess = np.array([np.convolve(np.pad(t, 2, mode="edge"), kernel, "valid") for t in truth])
    std = np.full_like(guess, 0.2)
    args = (FREQ, *engine_inputs(rhoa, phase), THICK, guess, std)
    res = occam.occam_invert(*args, mu_fixed=1.0)
    assert set(res.stop) == {"converged"} and np.all(res.mu == 1.0)
    assert np.all(res.iterations >= 1)
    w = np.concatenate([np.full(40, 1 / (2 * P_Z)), np.full(40, 1 / np.arcsin(P_Z))])
    rough = occam.roughness_matrix(40)
    norm = rough.T @ rough + np.diag(1 / std[0] ** 2)

    def misfit_and_norm(k, m):
        lr, ph = forward.log_response(10.0 ** m[None], THICK, FREQ)
        pred = np.concatenate([lr[0], ph[0]])
        r = w * (np.concatenate([np.log(rhoa[k]), np.radians(phase[k])]) - pred)
        return r @ r, (m - guess[k]) @ norm @ (m - guess[k])

    for k in range(len(rho)):
        m = np.log10(res.rho_ohmm[k])
        chi2, departure = misfit_and_norm(k, m)
        assert chi2 == pytest.approx(80 * res.nrms[k] ** 2, rel=1e-9)
        assert chi2 + departure < sum(misfit_and_norm(k, guess[k]))
        # at the minimum: one dense Gauss–Newton step at μ = 1 from it stays put
        lr, ph, jac = forward.log_response_jacobian(10.0 ** m[None], THICK, FREQ)
        g = w[:, None] * jac[0] * np.log(10)
        r = w * (
            np.concatenate([np.log(rhoa[k]), np.radians(phase[k])]) - np.concatenate([lr[0], ph[0]])
        )
        y = np.linalg.solve(g.T @ g + norm, g.T @ (r + g @ (m - guess[k])))
        assert np.max(np.abs(guess[k] + y - m)) < 0.01  # the engine's model_tol_log10
    with pytest.raises(ValueError, match="mu_fixed"):
        occam.occam_invert(*args, mu_fixed=0.0)


def blocky_earth():
    """100 Ω·m over a 5 Ω·m layer (300–700 m) over 300 Ω·m, on the paper's grid."""
    tops = grid.layer_tops_m(THICK)
    return np.where(tops < 300, 100.0, np.where(tops < 700, 5.0, 300.0))


def test_a_start_that_fits_but_is_rougher_than_needed_is_smoothed():
    rho = blocky_earth()
    rhoa, phase = forward.mt1d(rho, THICK, FREQ)
    m_ref = halfspace(rhoa[None])
    inputs = (FREQ, *engine_inputs(rhoa[None], phase[None]), THICK, m_ref, np.ones_like(m_ref))
    # the truth fits its noise-free data exactly, but is far rougher than needed to fit
    # them to their errors: Occam's second phase walks on to the smoothest model that fits
    m_true = np.log10(rho)[None]
    res = occam.occam_invert(*inputs, m_true, smallness=1e-3)
    rough = occam.roughness_matrix(40)
    assert res.nrms_start[0] < 1e-9 and res.iterations[0] > 2
    assert 0.8 < res.nrms[0] <= 1.0 + 1e-9
    assert np.sum((rough @ np.log10(res.rho_ohmm[0])) ** 2) < 0.5 * np.sum((rough @ m_true[0]) ** 2)


def test_blocky_inversion_fits_with_fewer_larger_steps_than_the_smooth_one():
    rho = blocky_earth()
    rhoa, phase = forward.mt1d(rho, THICK, FREQ)
    rhoa, phase = noise.add_noise(rhoa, phase, 0.02, seed=1)
    p = data_errors.z_rel_err_from_rhoa(0.02)
    m_ref = halfspace(rhoa[None])
    inputs = (FREQ, *engine_inputs(rhoa[None], phase[None], p), THICK, m_ref, np.ones_like(m_ref))
    smooth = occam.occam_invert(*inputs, smallness=1e-3)
    blocky = occam.blocky_invert(*inputs, smallness=1e-3)
    assert smooth.nrms[0] <= 1.0 + 1e-9 and blocky.nrms[0] <= 1.0 + 1e-9
    assert blocky.iterations[0] > smooth.iterations[0]
    assert blocky.nrms_start[0] == pytest.approx(smooth.nrms_start[0])
    # the last rounds take no step (no μ): μ and the posterior are those of the last round
    # that did
    assert np.isfinite(blocky.mu[0]) and np.all(np.isfinite(blocky.posterior_std_log10[0]))
    steps = {k: np.abs(np.diff(np.log10(r.rho_ohmm[0]))) for k, r in (("s", smooth), ("b", blocky))}
    # blocky: a smaller L1 roughness, concentrated in fewer steps (the largest one larger)
    assert steps["b"].sum() < steps["s"].sum()
    assert np.sum(steps["b"] > 0.05) < np.sum(steps["s"] > 0.05)
    assert steps["b"].max() > 1.3 * steps["s"].max()
    # and a top layer and a conductor closer to their true, flat values
    m_b, m_s, m_t = (np.log10(r) for r in (blocky.rho_ohmm[0], smooth.rho_ohmm[0], rho))
    cond = grid.layer_centres_m(THICK)
    inside = (cond > 350) & (cond < 650)
    assert np.abs(m_b[inside] - m_t[inside]).mean() < np.abs(m_s[inside] - m_t[inside]).mean()


def test_irls_weights_are_one_where_flat_and_small_across_a_jump():
    m = np.array([[1.0, 1.0, 2.0, 2.0]])
    w = occam.irls_weights(m, np.zeros_like(m), eps_log10=0.01)
    np.testing.assert_allclose(w, [[1.0, 0.01 / np.sqrt(1 + 1e-4), 1.0]])
    with pytest.raises(ValueError, match="rounds"):
        occam.blocky_invert(rounds=0)


# --- the linearized posterior at the final model ----------------------------------------


def dense_posterior(res, k, freq, thick, data, m_ref_std, smallness, rough_w=None, shift_std=None):
    """C = (GᵀG + μN)⁻¹ and C G_dᵀG_d over all parameters, in numpy, for sounding ``k`` of
    ``res``: G from :func:`mtlib.forward.log_response_jacobian` at the final model."""
    log_rhoa, phase, lr_std, ph_std, mask = (a[k] for a in data)
    n_lay = thick.size + 1
    _, _, jac = forward.log_response_jacobian(res.rho_ohmm[k : k + 1], thick, freq)
    w = np.concatenate([1 / lr_std, 1 / ph_std]) * np.concatenate([mask, mask])
    g_data = w[:, None] * jac[0] * np.log(10)  # (masked rows: 0)
    rough = occam.roughness_matrix(n_lay)
    weights = np.ones(n_lay - 1) if rough_w is None else rough_w[k]
    norm = rough.T @ np.diag(weights) @ rough + np.diag(smallness / m_ref_std[k] ** 2)
    prior = np.zeros((0, n_lay))
    if shift_std is not None:
        column = np.concatenate([np.full(freq.size, np.log(10)), np.zeros(freq.size)])
        g_data = np.column_stack([g_data, w * column])
        norm = np.pad(norm, ((0, 1), (0, 1)))
        norm[-1, -1] = 1.0
        prior = np.zeros((1, n_lay + 1))
        prior[0, -1] = 1 / shift_std
    g = np.vstack([g_data, prior])
    cov = np.linalg.inv(g.T @ g + res.mu[k] * norm)
    return cov, cov @ g_data.T @ g_data


def test_posterior_covariance_and_resolution_equal_a_dense_computation():
    """With a static shift (integrated out of the layers' block), a masked period and
    weighted roughness: the engine's C, σ and Rm are the dense numpy ones; a sounding that
    took no step (its reference fits: μ undefined) has none."""
    freq = np.logspace(3, -1, 14)
    thick = np.diff(np.geomspace(10, 3000, 10), prepend=0.0)[:-1]
    rho = np.array([[100, 100, 30, 10, 10, 30, 100, 300, 300, 300.0], [50.0] * 10])
    rhoa, phase = forward.mt1d(rho, thick, freq)
    rhoa_n, phase_n = noise.add_noise(rhoa, phase, data_errors.rhoa_rel_err(P_Z), seed=5)
    data = list(engine_inputs(np.stack([rhoa_n[0], rhoa[1]]), np.stack([phase_n[0], phase[1]])))
    data[4][0, 6] = False
    m_ref = np.stack([np.full(10, np.mean(np.log10(rhoa_n[0]))), np.log10(rho[1])])
    std = np.full_like(m_ref, 0.5)
    rough_w = np.random.default_rng(2).uniform(0.2, 1.0, (2, 9))
    options = dict(smallness=0.3, roughness_weights=rough_w, static_shift_std_log10=0.2)
    res = occam.occam_invert(freq, *data, thick, m_ref, std, **options)
    assert res.iterations[0] >= 2 and np.isfinite(res.mu[0])
    cov, resolution = dense_posterior(
        res, 0, freq, thick, data, std, 0.3, rough_w=rough_w, shift_std=0.2
    )
    np.testing.assert_allclose(res.posterior_cov_log10[0], cov[:10, :10], rtol=1e-7)
    np.testing.assert_allclose(res.posterior_std_log10[0], np.sqrt(np.diag(cov))[:10], rtol=1e-7)
    np.testing.assert_allclose(res.resolution[0], resolution[:10, :10], atol=1e-8)
    # the second sounding starts at its own reference, which fits: no step, no μ, no band
    assert res.iterations[1] == 0 and np.isnan(res.mu[1])
    assert np.all(np.isnan(res.posterior_std_log10[1])) and np.all(np.isnan(res.resolution[1]))


def test_posterior_of_a_linear_problem_is_the_exact_gaussian_posterior():
    """Where the forward is linear the band is the exact Bayesian posterior. (1) A
    half-space: ln ρa = ln 10 · log10 ρ at every period (φ = 45° whatever ρ); at μ = 1 the
    engine's model and σ are the Gaussian posterior's mean and σ. (2) A linear toy
    d = G m + e: the engine's C equals the posterior covariance in its data-space form
    P − P Gᵀ(G P Gᵀ + I)⁻¹ G P (prior covariance P = (μN)⁻¹), and Rm is what the averaging
    kernels mean: the posterior mean of noise-free data is m_ref + Rm (m − m_ref)."""
    freq = np.logspace(2, -2, 12)
    sd = 0.1  # σ of ln ρa
    log_rhoa = np.log(30.0) + sd * np.random.default_rng(4).standard_normal((1, 12))
    inputs = (np.full((1, 12), np.pi / 4), np.full((1, 12), sd), np.full((1, 12), 0.05))
    ref, ref_std = np.array([[1.0]]), np.array([[0.5]])
    res = occam.occam_invert(
        freq, log_rhoa, *inputs, np.ones((1, 12), bool), np.zeros((1, 0)), ref, ref_std,
        mu_fixed=1.0, smallness=1.0,
    )  # fmt: skip
    data_precision, prior_precision = 12 * (np.log(10) / sd) ** 2, 1 / 0.5**2
    mean = (np.sum(np.log(10) * log_rhoa / sd**2) + prior_precision * 1.0) / (
        data_precision + prior_precision
    )
    assert np.log10(res.rho_ohmm[0, 0]) == pytest.approx(mean, rel=1e-9)
    assert res.posterior_cov_log10[0, 0, 0] == pytest.approx(
        1 / (data_precision + prior_precision), rel=1e-9
    )
    assert res.resolution[0, 0, 0] == pytest.approx(
        data_precision / (data_precision + prior_precision), rel=1e-9
    )

    rng = np.random.default_rng(6)
    n_data, n_par, mu = 15, 12, 0.7
    g = rng.normal(size=(n_data, n_par))  # (whitened: unit data errors)
    rough = occam.roughness_matrix(n_par)
    norm = rough.T @ rough + np.diag(rng.uniform(0.05, 0.5, n_par))
    cov, resolution = np.empty((n_par, n_par)), np.empty((n_par, n_par))
    occam._layer_posterior(g, norm, mu, cov, resolution)
    prior_cov = np.linalg.inv(mu * norm)
    gain = prior_cov @ g.T @ np.linalg.inv(g @ prior_cov @ g.T + np.eye(n_data))
    np.testing.assert_allclose(cov, prior_cov - gain @ g @ prior_cov, rtol=1e-9, atol=1e-12)
    m_ref, m_true = rng.normal(size=n_par), rng.normal(size=n_par)
    posterior_mean = m_ref + gain @ (g @ m_true - g @ m_ref)
    np.testing.assert_allclose(posterior_mean - m_ref, resolution @ (m_true - m_ref), atol=1e-10)


@pytest.fixture(scope="module")
def deep_sounding():
    """A 10 Ω·m layer (300–700 m) in 100 Ω·m, 25 periods 10⁻³–10 s, noise-free with 5 %
    errors, on 40 layers log-spaced down to 60 km (far below the depth of investigation),
    and the engine's arguments from a half-space reference."""
    freq = np.logspace(3, -1, 25)
    tops = np.concatenate([[0.0], np.geomspace(20, 60e3, 39)])
    thick = np.diff(tops)
    rho = np.where((tops > 300) & (tops < 700), 10.0, 100.0)
    rhoa, phase = forward.mt1d(rho[None], thick, freq)
    m_ref = np.full((1, 40), np.mean(np.log10(rhoa)))
    args = (freq, *engine_inputs(rhoa, phase), thick, m_ref, np.ones_like(m_ref))
    return tops, rhoa, args


def test_resolution_peaks_at_resolved_layers_and_sigma_grows_below_the_doi(deep_sounding):
    tops, rhoa, args = deep_sounding
    res = occam.occam_invert(*args, smallness=0.01)
    assert res.stop[0] == "target"
    freq = args[0]
    doi = np.sqrt(np.exp(res.log_rhoa[0, -1]) / (2 * np.pi * freq[-1] * forward.MU0))
    shallowest = forward.skin_depth_m(rhoa[0, 0], freq[0])
    resolution, std = res.resolution[0], res.posterior_std_log10[0]
    layers = np.arange(40)
    # well resolved: below the shallowest skin depth, well above the depth of investigation
    resolved = np.flatnonzero((tops > 1.5 * shallowest) & (tops < 0.1 * doi))
    assert resolved.size >= 4
    for j in resolved:
        row = resolution[j]
        assert abs(np.argmax(row) - j) <= 1
        spread = np.sqrt(np.sum((layers - j) ** 2 * row**2) / np.sum(row**2))
        assert spread < 2.0  # layers
    deep = tops > 2 * doi
    assert np.mean(std[deep]) > 2 * np.max(std[resolved])
    assert np.all(np.abs(np.diag(resolution)[deep]) < 0.05)  # there the data say ~nothing


def test_resolution_vanishes_and_the_band_shrinks_to_the_prior_as_mu_grows(deep_sounding):
    """μ → ∞: the prior alone speaks; Rm → 0 and C → (μN)⁻¹ (a small σ there is the
    prior's, not the data's)."""
    _, _, args = deep_sounding
    largest, traces = [], []
    for mu in (1e2, 1e5, 1e8, 1e11):
        res = occam.occam_invert(*args, smallness=0.01, mu_fixed=mu)
        largest.append(np.abs(res.resolution[0]).max())
        traces.append(np.trace(res.resolution[0]))
    assert np.all(np.diff(largest) < 0) and np.all(np.diff(traces) < 0)
    assert largest[-1] < 1e-5
    rough = occam.roughness_matrix(40)
    norm = rough.T @ rough + 0.01 * np.eye(40)
    np.testing.assert_allclose(res.posterior_cov_log10[0] * 1e11, np.linalg.inv(norm), rtol=1e-3)
