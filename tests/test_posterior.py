"""The trans-dimensional sampler (mtlib.posterior): its prior without data, a half-space and
a two-layer earth against quadrature, rjmcmcmt's posterior of WIT2, the reference loader,
determinism and input checks.

Every tolerance is a Monte Carlo error: a standard error from the chains' effective sample
size (ESS), times a factor fixed in advance (4, two-sided: a false alarm about once in
15 000 comparisons), with fixed seeds.
"""

import numba
import numpy as np
import pytest

from mtlib import field
from mtlib.forward import impedance, mt1d
from mtlib.posterior import (
    Likelihood,
    Prior,
    SamplerSettings,
    reference,
    sample,
    sample_likelihood,
)
from mtlib.posterior.diagnostics import split_rhat_ess
from mtlib.posterior.histograms import quantiles, rebin

Z = 4.0  # standard errors allowed

QUICK = dict(n_ladders=4, n_temperatures=1, burn_in=2_000, min_ess=1e9)
"""Fixed-length runs (the stopping rule never holds): a test decides its own length."""


def fixed_run(likelihood, prior, sweeps, seed=0, **options):
    options = {**QUICK, "first_round": sweeps, "max_sweeps": sweeps, **options}
    return sample_likelihood(likelihood, prior, seed=seed, start="prior", **options)


def quantile_se(post, probs, ess):
    """Standard error of per-depth quantiles (P, D) from the density at them:
    sqrt(p (1 − p) / ESS) / pdf(q)."""
    edges = post.rho_edges_log10
    width = edges[1] - edges[0]
    q = post.quantile(probs)
    pdf = np.empty_like(q)
    for d in range(q.shape[1]):
        # density averaged over ±0.05 decades (a single 0.01-decade bin is noisy)
        row = post.hist[d] / post.hist[d].sum() / width
        for k in range(q.shape[0]):
            near = np.abs(0.5 * (edges[1:] + edges[:-1]) - q[k, d]) <= 0.05
            pdf[k, d] = row[near].mean()
    p = np.asarray(probs)[:, None]
    return np.sqrt(p * (1 - p) / ess) / pdf


# --- (a) without data the sampler returns its prior -----------------------------------

PRIOR = Prior(n_layers=(1, 8), log10_rho=(-1.0, 3.0), log10_depth_m=(0.0, 3.0))


@pytest.fixture(scope="module")
def prior_run():
    return fixed_run(Likelihood.empty(), PRIOR, 100_000, seed=3)


def test_without_data_the_number_of_layers_is_the_prior(prior_run):
    p = prior_run.n_layers_probability[1:]  # n = 1..8, uniform
    assert prior_run.n_layers_probability[0] == 0 and p.size == 8
    # the indicator of each n mixes as n does: its standard error from n's ESS
    se = np.sqrt(p * (1 - p) / prior_run.ess["n_layers"])
    assert np.all(np.abs(p - 1 / 8) < Z * se), (p, se)
    assert prior_run.ess["n_layers"] > 500


def test_without_data_every_depth_is_uniform_in_log_rho(prior_run):
    lo, hi = PRIOR.log10_rho
    ess = prior_run.ess["log10_rho"]
    sd = (hi - lo) / np.sqrt(12)
    assert np.all(np.abs(prior_run.mean_log10_rho - (lo + hi) / 2) < Z * sd / np.sqrt(ess))
    probs = np.array([0.05, 0.25, 0.5, 0.75, 0.95])
    q = prior_run.quantile(probs)
    se = np.sqrt(probs * (1 - probs) / ess[:, None]).T * (hi - lo)  # pdf = 1 / (hi − lo)
    assert np.all(np.abs(q - (lo + probs[:, None] * (hi - lo))) < Z * se)


def test_without_data_interfaces_are_uniform_in_log_depth(prior_run):
    density = prior_run.interface_density  # expected interfaces per depth bin
    expected_total = np.mean(np.arange(8))  # E[n − 1] for n uniform on 1..8
    assert density.sum() == pytest.approx(
        expected_total, rel=Z / np.sqrt(prior_run.ess["n_layers"])
    )
    # flat: the upper and lower halves of the range hold alike
    half = density.size // 2
    assert density[:half].sum() == pytest.approx(density[half:].sum(), rel=0.05)


def test_without_data_the_static_shift_keeps_its_prior():
    """The shift's two steps (alone, and with the earth scaled alike) leave the prior as it
    is: log10 s ~ N(0, σ), n and log10 ρ uniform."""
    prior = Prior((1, 5), (-1.0, 3.0), (0.0, 3.0), static_shift_std_log10=0.3)
    post = fixed_run(Likelihood.empty(), prior, 60_000, seed=4)
    shift = post.samples["static_shift_log10"].ravel()
    ess = post.ess["static_shift_log10"]
    assert abs(shift.mean()) < Z * 0.3 / np.sqrt(ess)
    assert shift.std() == pytest.approx(0.3, rel=Z / np.sqrt(2 * ess))
    p = post.n_layers_probability[1:]
    assert np.all(np.abs(p - 0.2) < Z * np.sqrt(0.16 / post.ess["n_layers"]))
    ess_rho = post.ess["log10_rho"]
    assert np.all(np.abs(post.mean_log10_rho - 1.0) < Z * (4 / np.sqrt(12)) / np.sqrt(ess_rho))


# --- (b) a half-space: the posterior of its log10 ρ by 1-D quadrature -----------------

FREQ_HZ = np.logspace(3, -1, 9)


def chi2_grid(likelihood, rho_ohmm, thick_m):
    """χ² of models (G, L) on thicknesses (L − 1,) under an impedance likelihood."""
    z = impedance(rho_ohmm, thick_m, likelihood.freq_hz)
    return np.sum(
        ((z.real - likelihood.d1) / likelihood.sigma1) ** 2
        + ((z.imag - likelihood.d2) / likelihood.sigma2) ** 2,
        axis=-1,
    )


def test_half_space_posterior_equals_quadrature():
    z_true = impedance(np.array([30.0]), np.zeros(0), FREQ_HZ)
    # 30 % errors on each part: a posterior a few tenths of a decade wide, and skewed
    like = Likelihood.impedance_errors(FREQ_HZ, z_true * 1.2, relative=0.3, floor_ohm=0.0)
    prior = Prior(n_layers=(1, 1), log10_rho=(0.0, 3.0), log10_depth_m=(0.0, 3.0))
    post = fixed_run(like, prior, 40_000, seed=5, depth_bins=4)
    grid = np.linspace(0.0, 3.0, 30_001)
    weight = np.exp(-0.5 * chi2_grid(like, 10.0 ** grid[:, None], np.zeros(0)))
    cdf = np.cumsum(weight) / weight.sum()
    probs = np.array([0.05, 0.25, 0.5, 0.75, 0.95])
    exact = np.interp(probs, cdf, grid)
    mean = np.sum(grid * weight) / weight.sum()
    sd = np.sqrt(np.sum((grid - mean) ** 2 * weight) / weight.sum())
    ess = post.ess["log10_rho"][0]
    assert ess > 2000
    assert abs(post.mean_log10_rho[0] - mean) < Z * sd / np.sqrt(ess)
    se = quantile_se(post, probs, ess)[:, 0]
    assert np.all(np.abs(post.quantile(probs)[:, 0] - exact) < Z * se), (exact, se)


# --- (c) two layers, a fixed interface: 2-D quadrature --------------------------------


def test_two_layer_fixed_interface_posterior_equals_quadrature():
    top_m = 200.0
    z_true = impedance(np.array([100.0, 10.0]), np.array([top_m]), FREQ_HZ)
    like = Likelihood.impedance_errors(FREQ_HZ, z_true, relative=0.25, floor_ohm=0.0)
    x0 = np.log10(top_m)
    prior = Prior(n_layers=(2, 2), log10_rho=(-1.0, 4.0), log10_depth_m=(x0, x0))
    post = fixed_run(like, prior, 60_000, seed=7, depth_bins=2)  # centres x0 ∓ 0.5
    v = np.linspace(-1.0, 4.0, 801)
    v0, v1 = np.meshgrid(v, v, indexing="ij")
    rho = 10.0 ** np.stack([v0.ravel(), v1.ravel()], axis=1)
    weight = np.exp(-0.5 * chi2_grid(like, rho, np.array([top_m]))).reshape(v0.shape)
    probs = np.array([0.05, 0.25, 0.5, 0.75, 0.95])
    for d, marginal in enumerate((weight.sum(axis=1), weight.sum(axis=0))):
        cdf = np.cumsum(marginal) / marginal.sum()
        exact = np.interp(probs, cdf, v)
        mean = np.sum(v * marginal) / marginal.sum()
        sd = np.sqrt(np.sum((v - mean) ** 2 * marginal) / marginal.sum())
        ess = post.ess["log10_rho"][d]
        assert ess > 1000
        assert abs(post.mean_log10_rho[d] - mean) < Z * sd / np.sqrt(ess), d
        se = quantile_se(post, probs, ess)[:, d]
        assert np.all(np.abs(post.quantile(probs)[:, d] - exact) < Z * se + 0.005), (d, exact)
    # the two values are anti-correlated in the quadrature and in the samples alike
    w = weight / weight.sum()
    m0, m1 = np.sum(v0 * w), np.sum(v1 * w)
    corr = np.sum((v0 - m0) * (v1 - m1) * w) / np.sqrt(
        np.sum((v0 - m0) ** 2 * w) * np.sum((v1 - m1) ** 2 * w)
    )
    values = post.samples["log10_rho"][..., :2].reshape(-1, 2)
    sample_corr = np.corrcoef(values.T)[0, 1]
    assert abs(sample_corr - corr) < Z * (1 - corr**2) / np.sqrt(post.ess["log10_rho"].min())


def test_static_shift_with_a_half_space_equals_quadrature():
    """ρa fixes log10 ρ + log10 s only: the priors split it, which a 2-D quadrature gives."""
    rhoa = np.full(FREQ_HZ.size, 50.0)
    phase = np.full(FREQ_HZ.size, 45.0)
    prior = Prior((1, 1), (0.0, 3.0), (0.0, 3.0), static_shift_std_log10=0.3)
    like = Likelihood.rhoa_phase(FREQ_HZ, rhoa, phase, 0.1)
    post = fixed_run(like, prior, 40_000, seed=11, depth_bins=2)
    v = np.linspace(0.0, 3.0, 1201)
    s = np.linspace(-2.0, 2.0, 1601)
    vv, ss = np.meshgrid(v, s, indexing="ij")
    # ln ρa = ln 10 (v + s) at every frequency, σ = 2p = 0.2
    chi2 = FREQ_HZ.size * ((np.log(10) * (vv + ss) - np.log(50.0)) / 0.2) ** 2
    weight = np.exp(-0.5 * chi2 - 0.5 * (ss / 0.3) ** 2)
    marginal = weight.sum(axis=1)
    mean = np.sum(v * marginal) / marginal.sum()
    sd = np.sqrt(np.sum((v - mean) ** 2 * marginal) / marginal.sum())
    ess = post.ess["log10_rho"][0]
    assert abs(post.mean_log10_rho[0] - mean) < Z * sd / np.sqrt(ess)
    shift = post.samples["static_shift_log10"].ravel()
    s_marginal = weight.sum(axis=0)
    s_mean = np.sum(s * s_marginal) / s_marginal.sum()
    s_sd = np.sqrt(np.sum((s - s_mean) ** 2 * s_marginal) / s_marginal.sum())
    assert abs(shift.mean() - s_mean) < Z * s_sd / np.sqrt(post.ess["static_shift_log10"])
    assert shift.std() == pytest.approx(s_sd, rel=0.1)


# --- the compiled forward with its caches ----------------------------------------------


def test_cached_forward_equals_the_full_recursion():
    """After many accepted steps of every kind, each chain's cached surface impedance is
    the forward of its model."""
    like = Likelihood.impedance_errors(FREQ_HZ, impedance(np.array([30.0]), [], FREQ_HZ), 0.3)
    post = fixed_run(like, Prior((1, 10), (0.0, 3.0), (0.0, 4.0)), 3_000, n_temperatures=3)
    n = post.samples["n_layers"][:, -1]
    x = post.samples["interfaces_log10"][:, -1]
    v = post.samples["log10_rho"][:, -1]
    for k in range(n.size):
        tops = 10.0 ** x[k, : n[k] - 1]
        thick = np.diff(np.concatenate([[0.0], tops]))
        chi2 = chi2_grid(like, 10.0 ** v[k, : n[k]], thick)
        assert post.samples["chi2"][k, -1] == pytest.approx(chi2, rel=1e-10)


# --- (d) rjmcmcmt's posterior of WIT2 ----------------------------------------------------


@pytest.fixture(scope="module")
def wit2():
    ref = reference.load("WIT2")
    post = sample_likelihood(
        ref.likelihood(), ref.prior(), seed=1, start="prior", burn_in=20_000,
        first_round=60_000, max_sweeps=60_000, min_ess=1e9,
    )  # fmt: skip
    return ref, post


def test_wit2_quantiles_agree_with_rjmcmcmt(wit2):
    """A short run (60 000 sweeps, a few seconds): the median over depths of |Δ| of the
    5/50/95 % quantiles against the pooled reference stays within twice the reference's
    own run-to-run median spread plus 0.02 decades, and the 90th percentile within twice
    its 90th percentile plus 0.02 (the short run's Monte Carlo error is about twice a
    reference run's). Measured: this run gives 0.019 / 0.008 / 0.056 (medians) against
    bounds 0.044 / 0.036 / 0.128; with the likelihood's σ doubled or halved the 5 %
    quantile's median |Δ| is 0.069 or 0.054 and its 90th percentile 0.21 or 0.24 (bound
    0.17), and the test fails."""
    ref, post = wit2
    result = reference.compare(post.hist, post.rho_edges_log10, "WIT2")
    for key in ("q05", "q50", "q95"):
        delta, spread = result[key]["delta"], result[key]["spread"]
        assert delta["median"] <= 2 * spread["median"] + 0.02, (key, delta, spread)
        assert delta["p90"] <= 2 * spread["p90"] + 0.02, (key, delta, spread)


def test_wit2_misfit_and_layers_agree_with_rjmcmcmt(wit2):
    ref, post = wit2
    chi2 = post.samples["chi2"]
    reference_chi2 = np.mean([c["chi2_post_mean_all"] for c in ref.convergence])
    assert abs(chi2.mean() - reference_chi2) < Z * chi2.std() / np.sqrt(post.ess["chi2"])
    n = np.arange(post.n_layers_probability.size)
    mean_n = np.sum(n * post.n_layers_probability)
    sd_n = np.sqrt(np.sum((n - mean_n) ** 2 * post.n_layers_probability))
    # the reference's own mean number of layers is uncertain by its run-to-run difference
    runs = [c["nlayers_post_mean_all"] for c in ref.convergence]
    tolerance = Z * sd_n / np.sqrt(post.ess["n_layers"]) + abs(runs[0] - runs[1])
    assert abs(mean_n - np.mean(runs)) < tolerance


# --- the reference files and their loader ----------------------------------------------


@pytest.mark.parametrize(
    ("station", "band_hz", "max_depth_m"),
    [("WIT2", (1.0, 1e4), 4000.0), ("gv161", (0.0009, 400.0), 50000.0)],
)
def test_reference_data_are_the_shipped_soundings(station, band_hz, max_depth_m):
    """rjmcmcmt's data and σ are the determinant impedance of the shipped EDI file with 5 %
    of each part and a 0.025 mV/km/nT floor (to the files' 7 digits)."""
    ref = reference.load(station, "run1")
    assert ref.settings["Frequency.Minimum"] == band_hz[0]
    assert ref.settings["MaxInterfaceDepth"] == max_depth_m
    ours = Likelihood.rjmcmcmt(field.read(field.SOUNDINGS_DIR / f"{station}.edi"), *band_hz)
    theirs = ref.likelihood()
    np.testing.assert_allclose(ours.freq_hz, theirs.freq_hz, rtol=1e-6)
    np.testing.assert_allclose(ours.d1, theirs.d1, rtol=2e-6)
    np.testing.assert_allclose(ours.d2, theirs.d2, rtol=2e-6)
    np.testing.assert_allclose(ours.sigma1, theirs.sigma1, rtol=2e-6)
    np.testing.assert_allclose(ours.sigma2, theirs.sigma2, rtol=2e-6)
    assert ref.prior() == Prior((1, 20), (-1.0, 5.0), (0.0, np.log10(max_depth_m)))


@pytest.mark.parametrize("station", reference.STATIONS)
def test_reference_loader(station):
    one, two, pooled = (reference.load(station, r) for r in ("run1", "run2", "pooled"))
    assert one.hist.shape == (200, 100)
    # every depth holds 6 chains × 1 950 000 post-burn-in samples
    np.testing.assert_array_equal(one.hist.sum(axis=1), 6 * 1_950_000)
    np.testing.assert_array_equal(pooled.hist, one.hist + two.hist)
    assert pooled.n_layers_probability.sum() == pytest.approx(1.0)
    # the depth bins: centres of 200 equal bins on [0, log10 MaxInterfaceDepth]
    x_hi = np.log10(one.settings["MaxInterfaceDepth"])
    np.testing.assert_allclose(one.depth_log10, x_hi * (np.arange(200) + 0.5) / 200, atol=1e-6)
    # interpolated quantiles sit above rjmcmcmt's bin-edge medians, within one bin
    median = pooled.median
    assert np.all((median > -1) & (median < 5))
    spread = reference.run_spread(station)
    assert spread.shape == (3, 200) and np.all(spread >= 0)


def test_reference_spread_matches_its_readme():
    """The run-to-run spread of WIT2 (median over depths, decades) as its README states."""
    spread = reference.run_spread("WIT2")
    np.testing.assert_allclose(np.median(spread, axis=1), [0.012, 0.008, 0.054], atol=5e-4)


# --- diagnostics, histograms ----------------------------------------------------------


def test_rhat_and_ess_of_independent_and_stuck_chains():
    rng = np.random.default_rng(0)
    iid = rng.standard_normal((4, 1000))
    rhat, ess = split_rhat_ess(iid)
    assert rhat < 1.01 and 3000 < ess < 5000
    ar = np.zeros((4, 4000))  # AR(1), ρ = 0.9: τ = (1 + ρ) / (1 − ρ) = 19
    for t in range(1, 4000):
        ar[:, t] = 0.9 * ar[:, t - 1] + rng.standard_normal(4)
    assert split_rhat_ess(ar)[1] == pytest.approx(16000 / 19, rel=0.25)
    shifted = iid + np.arange(4)[:, None]  # chains in different places
    assert split_rhat_ess(shifted)[0] > 1.5
    assert split_rhat_ess(np.ones((4, 100)))[0] == 1.0


def test_histogram_quantiles_and_rebinning():
    edges = np.linspace(0.0, 1.0, 11)
    flat = np.ones((2, 10))
    np.testing.assert_allclose(
        quantiles(flat, edges, [0.05, 0.5, 0.95]), [[0.05] * 2, [0.5] * 2, [0.95] * 2]
    )
    coarse = rebin(flat, edges, np.linspace(0.0, 1.0, 3))
    np.testing.assert_array_equal(coarse, [[5, 5], [5, 5]])
    with pytest.raises(ValueError, match="coincide"):
        rebin(flat, edges, np.linspace(0.0, 1.0, 4))


# --- determinism, entry point, inputs ---------------------------------------------------


def test_same_seed_same_posterior_whatever_the_threads():
    like = Likelihood.impedance_errors(
        FREQ_HZ, impedance(np.array([30.0, 3.0]), [50.0], FREQ_HZ), 0.1
    )
    prior = Prior((1, 6), (-1.0, 3.0), (0.0, 3.5))
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = fixed_run(like, prior, 2_000, seed=42, n_temperatures=2)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = fixed_run(like, prior, 2_000, seed=42, n_temperatures=2)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(one.hist, two.hist)
    np.testing.assert_array_equal(one.samples["chi2"], two.samples["chi2"])
    other = fixed_run(like, prior, 2_000, seed=43, n_temperatures=2)
    assert not np.array_equal(one.samples["chi2"], other.samples["chi2"])


def test_sample_stops_on_convergence_and_reports_it():
    rhoa, phase = mt1d(np.array([100.0, 10.0]), np.array([300.0]), FREQ_HZ)
    post = sample(
        FREQ_HZ, rhoa, phase, 0.05, start="prior", min_ess=100, first_round=5_000, burn_in=5_000
    )
    assert post.stop == "converged"
    assert max(np.max(r) for r in post.rhat.values()) <= 1.05
    assert min(np.min(e) for e in post.ess.values()) >= 100
    assert post.rounds[-1]["sweeps"] == post.sweeps
    low, high = post.interval(0.9)
    assert np.all(low <= post.median) and np.all(post.median <= high)
    assert "converged" in post.summary()


def test_bad_input_is_refused_by_name():
    freq, rhoa, phase = FREQ_HZ, np.full(9, 100.0), np.full(9, 45.0)
    with pytest.raises(ValueError, match="rhoa_ohmm"):
        sample(freq, rhoa[:-1], phase, start="prior")
    with pytest.raises(ValueError, match="z_rel_err"):
        sample(freq, rhoa, phase, np.full(9, np.nan), start="prior")
    with pytest.raises(ValueError, match="start"):
        sample(freq, rhoa, phase, start="anywhere")
    with pytest.raises(ValueError, match="n_layers"):
        Prior((3, 2), (0.0, 1.0), (0.0, 1.0))
    with pytest.raises(ValueError, match="log10_rho"):
        Prior((1, 2), (1.0, 1.0), (0.0, 1.0))
    with pytest.raises(ValueError, match="min_ess"):
        SamplerSettings(min_ess=0)
    with pytest.raises(ValueError, match="n_ladders"):
        SamplerSettings(n_ladders=1)
    with pytest.raises(TypeError):
        sample(freq, rhoa, phase, start="prior", min_esss=10)


def test_capped_errors_are_masked_with_a_warning():
    p = np.full(FREQ_HZ.size, 0.05)
    p[0] = 1.5
    with pytest.warns(UserWarning, match="error cap"):
        like = Likelihood.rhoa_phase(FREQ_HZ, np.full(9, 100.0), np.full(9, 45.0), p)
    assert like.freq_hz.size == FREQ_HZ.size - 1


def test_plot_draws_density_median_bounds_and_depth_of_investigation(prior_run):
    import matplotlib

    matplotlib.use("Agg")
    fig = prior_run.plot()
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert "posterior median" in labels and "90% interval" in labels
