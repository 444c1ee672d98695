# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 05 — What the data cannot tell: the posterior
#
# Notebook 03 measured equivalence in χ² and notebook 04 built the classical inversion:
# one model, the smoothest that fits. But a sounding is fitted by a whole family of
# earths, and the honest answer is that family, weighed: the **posterior**, the prior
# times the likelihood of the data. This notebook samples it with `mtlib.sample`, a
# trans-dimensional (reversible-jump) Markov chain Monte Carlo sampler:
#
# - a model is a stack of layers whose **number is itself unknown** (1 to 20), with
#   interfaces uniform in log depth over a range set by the band and each layer's log10 ρ
#   uniform on a range (the **prior**: what we believe before the data);
# - the **likelihood** is mtlib's error model (ln ρa and φ with σ = 2p and arcsin p for a
#   relative error p of |Z|);
# - chains propose births, deaths and moves of interfaces and new values, accept them with
#   the Metropolis–Hastings–Green ratio, and start from the data's own inversion; tempered
#   copies at flattened likelihoods swap states with them to cross between model sizes;
# - they stop when they agree (split-R̂ ≤ 1.05) and each depth has enough effective samples
#   — *bulk* effective samples: the rule checks the centre of each distribution. The 5 %
#   and 95 % quantiles and 90 % intervals read below need the tails sampled as well
#   (tail-ESS, Vehtari et al. 2021), which the stopping rule does not yet check; where the
#   notebook leans on a tail (section 2) it measures the tail-ESS and the quantile's Monte
#   Carlo error itself.
#
# What comes back is, at every depth, the distribution of log10 ρ over all the models the
# data allow: where the data are blind, it is the prior.

# %% tags=["parameters"]
profile = None  # smoke | quick | paper; None → $MTLIB_PROFILE or "quick"

# %%
# On Colab, or wherever mtlib is not installed yet: install it from the repository (the
# address comes from pyproject.toml; tools/links.py writes it here)
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("mtlib") is None:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q",
                           "mtlib[lab] @ git+https://github.com/OWNER/mtlib"])

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np

import mtlib
from mtlib import field, forward, noise, plotting
from mtlib.harness import config
from mtlib.posterior import Likelihood, Prior, reference, sample_likelihood
from mtlib.posterior.diagnostics import split_rhat_ess

P = config.get_profile(profile)
# capped in sweeps, never in seconds: the chains, and so every assert below, do not depend
# on the machine's load
STOP = dict(min_ess=P.posterior_min_ess, max_sweeps=P.posterior_max_sweeps)
FREQ_HZ = np.logspace(4, -1, 41)  # 10 kHz to 0.1 Hz, 8 per decade
NOISE = 0.04  # relative noise of ρa: 2 % of |Z|
Z_REL_ERR = NOISE / 2
print(f"profile: {P.name}; sampling until min ESS {STOP['min_ess']}, at most "
      f"{STOP['max_sweeps']:,} sweeps per ladder and posterior")


def sounding(rho_ohmm, thick_m, seed):
    """A noisy sounding of a layered earth, and the earth's own χ² on it."""
    rhoa, phase = forward.mt1d(rho_ohmm, thick_m, FREQ_HZ)
    rhoa_n, phase_n = noise.add_noise(rhoa, phase, NOISE, seed=seed)
    chi2_true = np.sum((np.log(rhoa_n / rhoa) / NOISE) ** 2)
    chi2_true += np.sum((np.radians(phase_n - phase) / np.arcsin(Z_REL_ERR)) ** 2)
    return rhoa_n, phase_n, chi2_true


def at_depth(post, depth_m, values):
    """``values`` (D,) of a posterior read at ``depth_m`` (its nearest depth bin)."""
    return values[np.argmin(np.abs(np.log(post.depth_m / depth_m)))]


def quantile_mc(post, depth_m, p):
    """The ``p`` quantile of log10 ρ at ``depth_m``, its tail effective sample size (the ESS
    of the indicator of lying beyond it, over the chains' thinned samples: Vehtari et al.
    2021) and the quantiles at p ± 2 Monte Carlo standard errors of that probability."""
    iface = post.samples["interfaces_log10"]  # (M, S, N_max - 1), NaN beyond a model
    layer = np.sum(iface < np.log10(depth_m), axis=-1)  # the layer each sample has there
    value = np.take_along_axis(post.samples["log10_rho"], layer[..., None], axis=-1)[..., 0]
    q = at_depth(post, depth_m, post.quantile(p))
    beyond = value <= q if p < 0.5 else value >= q
    ess = float(split_rhat_ess(beyond.astype(float))[1])
    se = np.sqrt(p * (1 - p) / ess)
    low, high = (at_depth(post, depth_m, post.quantile(x)) for x in (p - 2 * se, p + 2 * se))
    return dict(q=q, ess=ess, low=low, high=high)


# %% [markdown]
# ## 1. A thin conductor: the conductance–thickness ridge
#
# 20 m of 2 Ω·m at 300 m in a 100 Ω·m host: a conductance of 10 S. Notebook 03 showed that
# the data see a thin conductor through its conductance; here is what that means for the
# family of earths that fit. Every posterior sample has a conductive layer (below the host's
# 100 Ω·m) with its top between 150 and 450 m; plotting its thickness against its
# resistivity shows where the samples lie.

# %%
rho_thin, thick_thin = np.array([100.0, 2.0, 100.0]), np.array([300.0, 20.0])
rhoa, phase, chi2_true = sounding(rho_thin, thick_thin, seed=1)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # (a few chains start near the prior's bounds)
    thin = mtlib.sample(FREQ_HZ, rhoa, phase, Z_REL_ERR, seed=1, **STOP)
print(thin.summary())


def conductor_layers(post, top_m, bottom_m):
    """Thickness (m) and resistivity (Ω·m) of the most conductive layer of each sample
    whose top lies between ``top_m`` and ``bottom_m`` (samples without one dropped)."""
    iface = post.samples["interfaces_log10"].reshape(-1, post.samples["interfaces_log10"].shape[-1])
    values = post.samples["log10_rho"].reshape(-1, post.samples["log10_rho"].shape[-1])
    tops = np.concatenate([np.zeros((len(iface), 1)), 10.0 ** iface], axis=1)  # NaN beyond
    thick = np.diff(tops, axis=1)
    inside = (tops[:, :-1] >= top_m) & (tops[:, :-1] <= bottom_m) & np.isfinite(thick)
    masked = np.where(inside, values[:, :-1], np.inf)
    k = np.argmin(masked, axis=1)
    keep = np.isfinite(masked[np.arange(len(k)), k])
    rows = np.flatnonzero(keep)
    return thick[rows, k[keep]], 10.0 ** values[rows, k[keep]]


h_m, r_ohmm = conductor_layers(thin, 150.0, 450.0)
n_samples = thin.samples["chi2"].size
log_h, log_r, log_s = np.log10(h_m), np.log10(r_ohmm), np.log10(h_m / r_ohmm)
ridge = np.corrcoef(log_h, log_r)[0, 1]
print(f"{h_m.size} of {n_samples} samples have a layer between 150 and 450 m; in all of them "
      f"its most conductive one is below {r_ohmm.max():.1f} Ω·m (the host: 100)")
print(f"{h_m.size} samples with a conductor between 150 and 450 m: log h and log ρ "
      f"correlate at {ridge:.2f}; spread (σ, decades) of the thickness {log_h.std():.2f}, "
      f"of the resistivity {log_r.std():.2f}, of the conductance h/ρ {log_s.std():.2f} "
      f"(median {10 ** np.median(log_s):.1f} S; true 10 S)")

fig, (ax_ridge, ax_post) = plt.subplots(1, 2, figsize=(10, 4.6))
ax_ridge.scatter(h_m, r_ohmm, s=3, color="C0", alpha=0.3, label="posterior samples")
h_line = np.geomspace(h_m.min(), h_m.max(), 20)
ax_ridge.plot(h_line, h_line / 10.0, color="k", lw=1, label="h/ρ = 10 S (the true conductance)")
ax_ridge.plot(20.0, 2.0, "*", color="k", ms=12, label="true layer")
ax_ridge.set(xscale="log", yscale="log", xlabel="conductor thickness h (m)",
             ylabel="conductor resistivity ρ (Ω·m)", title="the conductance ridge")
ax_ridge.legend(fontsize=8)
thin.plot(ax=ax_post)
plotting.plot_model(ax_post, rho_thin, thick_thin, thin.depth_m[-1], color="k", lw=1.2,
                    label="true")
ax_post.legend(fontsize=7, loc="lower left")
ax_post.set_title("the posterior against depth")
plotting.save(fig, "05_thin_conductor")
plt.show()
# every sample has a conductor there, conductive against the host
assert h_m.size == n_samples and np.all(r_ohmm < rho_thin[0])
# the data fix the conductance, not the thickness: the samples lie along h/ρ = S
assert ridge > 0.8, ridge
assert log_s.std() < 0.5 * min(log_h.std(), log_r.std())
# the true 10 S within 3 σ of the posterior's conductance (a test that fails by chance
# about once in 400 noise draws, not once in 20)
assert abs(np.median(log_s) - 1.0) < 3 * log_s.std(), (np.median(log_s), log_s.std())

# %% [markdown]
# The samples lie on a **ridge** along h/ρ = 10 S: a conductor twice as thick and twice as
# resistive fits nearly as well, its depth adjusting (with the top held, notebook 03's 1-
# and 2-cell conductors differ by Δχ² ≈ 48 at its noise, ≈ 12 at this one's, twice as
# large). The thickness and the resistivity each spread over a wide range; their ratio, the
# conductance, much less. That is S-equivalence seen directly, and it is
# why the posterior at 300 m is wide although the conductor itself is certain: at a given
# depth, some samples have already left the conductor and others have not.
#
# ## 2. A resistor below a conductor: the upper tail is long
#
# 500 m of 1 000 Ω·m below 200 m of 3 Ω·m, in a 100 Ω·m host. Notebook 03 measured how
# weakly the data see such a resistor: currents in 1D MT flow horizontally, and a resistive
# layer shows only by the conductance it removes from above the deeper host — nearly none,
# here, beside the conductor's 67 S. So any resistivity from the host's to very high fits.
# Beside the posterior: notebook 04's inversion (Occam from a half-space) and its
# linearized band; and the same posterior under a prior whose upper bound is a decade lower,
# to see how much of the tail is the prior's.

# %%
rho_res, thick_res = np.array([100.0, 3.0, 1000.0, 100.0]), np.array([200.0, 200.0, 500.0])
rhoa_r, phase_r, chi2_true_r = sounding(rho_res, thick_res, seed=2)
# this section reads the posterior's upper tail, which needs more samples than its bulk:
# these two posteriors run to 2.5 times the profile's bulk ESS
TAIL_STOP = dict(STOP, min_ess=2.5 * P.posterior_min_ess)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    resistor = mtlib.sample(FREQ_HZ, rhoa_r, phase_r, Z_REL_ERR, seed=1, **TAIL_STOP)
    default_prior = Prior.default(FREQ_HZ, rhoa_r)
    lower_bound = Prior(default_prior.n_layers,
                        (default_prior.log10_rho[0], default_prior.log10_rho[1] - 1.0),
                        default_prior.log10_depth_m)
    resistor_lower = mtlib.sample(FREQ_HZ, rhoa_r, phase_r, Z_REL_ERR, prior=lower_bound,
                                  seed=1, **TAIL_STOP)
    occam = mtlib.invert(FREQ_HZ, rhoa_r, phase_r, Z_REL_ERR, start="halfspace")
print(resistor.summary())
print(resistor_lower.summary())
depth_r = 600.0  # inside the resistor
low, high = resistor.interval(0.9)
med = resistor.median
q05, q50, q95 = (at_depth(resistor, depth_r, v) for v in (low, med, high))
q005, q995 = (at_depth(resistor, depth_r, v) for v in resistor.interval(0.99))
lower_q = {q: at_depth(resistor_lower, depth_r, resistor_lower.quantile(q))
           for q in (0.05, 0.5, 0.95)}
hist_r = at_depth(resistor, depth_r, resistor.hist)
p_above = hist_r[resistor.rho_edges_log10[:-1] >= 3.0].sum() / hist_r.sum()
layers_r = resistor.n_layers_probability
tails = {name: {p: quantile_mc(post, depth_r, p) for p in (0.05, 0.95)}
         for name, post in (("default", resistor), ("lower bound", resistor_lower))}
for name, t in tails.items():
    print(f"{name} prior, at {depth_r:.0f} m: " + "; ".join(
        f"{100 * p:.0f} % quantile {10 ** v['q']:,.0f} Ω·m, tail-ESS {v['ess']:.0f}, "
        f"±2 Monte Carlo errors {10 ** v['low']:,.0f}–{10 ** v['high']:,.0f} Ω·m"
        for p, v in t.items()))
occam_low, occam_high = occam.linearized_interval(0.9)
k_occam = np.searchsorted(occam.depth_m, depth_r) - 1
print(f"at {depth_r:.0f} m (true 1 000 Ω·m): posterior median {10 ** q50:.0f} Ω·m, 90 % "
      f"interval {10 ** q05:.0f}–{10 ** q95:.0f} Ω·m, 99 % {10 ** q005:.0f}–{10 ** q995:.0f} "
      f"Ω·m; P(ρ > 1 000 Ω·m) = {p_above:.2f}; the prior's bound "
      f"{10 ** resistor.prior.log10_rho[1]:,.0f} Ω·m")
print(f"with the bound a decade lower ({10 ** lower_bound.log10_rho[1]:,.0f} Ω·m): median "
      f"{10 ** lower_q[0.5]:.0f} Ω·m, 90 % interval {10 ** lower_q[0.05]:.0f}–"
      f"{10 ** lower_q[0.95]:.0f} Ω·m")
print(f"layers: most probable {np.argmax(layers_r)} (P = {layers_r.max():.2f}; the truth has "
      f"{rho_res.size}), P(4 or more) = {layers_r[4:].sum():.2f}")
print(f"Occam from a half-space ({occam.iterations} iterations, nRMS {occam.nrms:.2f}): "
      f"{occam.rho_ohmm[k_occam]:.0f} Ω·m at {depth_r:.0f} m, its linearized 90 % band "
      f"{occam_low[k_occam]:.0f}–{occam_high[k_occam]:.0f} Ω·m")

fig, ax = plt.subplots(figsize=(5.5, 5))
resistor.plot(ax=ax)
plotting.plot_model(ax, rho_res, thick_res, resistor.depth_m[-1], color="k", lw=1.2,
                    label="true")
plotting.plot_band(ax, occam_low, occam_high, occam.thick_m, resistor.depth_m[-1],
                   color="C4", alpha=0.3, label="Occam's linearized 90 %")
low_l, high_l = resistor_lower.interval(0.9)
ax.plot(10 ** high_l, resistor_lower.depth_m, color="C3", lw=0.9, ls="--",
        label="95 % quantile, prior's bound a decade lower")
ax.legend(fontsize=7, loc="lower left")
ax.set_title("a resistor below a conductor")
plotting.save(fig, "05_resistor_below_conductor")
plt.show()
host = np.log10(rho_res[0])
# most samples put the host's resistivity here
assert abs(q50 - host) < 0.15, q50
# the claims on the tail need the tail sampled: 1 000 effective samples beyond each 5 %
# and 95 % quantile, which the quick and paper profiles' chains reach; the smoke profile's
# short chains do not, and there the tail claims are not checked
tails_sampled = min(v["ess"] for t in tails.values() for v in t.values()) >= 1000
assert tails_sampled or P.name == "smoke", tails
if tails_sampled:
    upper, upper_lower = tails["default"][0.95], tails["lower bound"][0.95]
    # the tail above is long, the one below short: the data bound the resistor from below;
    # the 95 % quantile lies a decade and more above the host, beyond its Monte Carlo error
    assert q95 - q50 > 3 * (q50 - q05), (q05, q50, q95)
    assert upper["low"] > host + 1.0, upper
    # the truth inside the 99 % interval (a 99 % event, not a 90 % one), and the tail above
    # 1 000 Ω·m not negligible
    assert q005 <= np.log10(1000.0) <= q995 and p_above > 0.05
    # the tail is the prior's: a decade off the upper bound takes over half a decade off the
    # 95 % quantile, beyond both runs' Monte Carlo errors, and leaves the median and the 5 %
    # quantile where they were
    assert upper_lower["high"] < upper["low"] and upper["q"] - upper_lower["q"] > 0.5
    assert abs(lower_q[0.5] - q50) < 0.1 and abs(lower_q[0.05] - q05) < 0.1
# the most probable number of layers is below the truth's 4: the data do not require it
assert np.argmax(layers_r) < rho_res.size
# Occam's model and its whole linearized band lie below the posterior's 5 % quantile
assert occam_high[k_occam] < 10 ** q05

# %% [markdown]
# Most samples put the host's 100 Ω·m at 600 m — the data do not require the resistor, and
# the most probable number of layers is 3, not the truth's 4 — but a long tail reaches
# 10⁴ Ω·m: the data say "at least about the host's", and how far the tail reaches is the
# prior's to say. Lower the prior's upper bound by a decade and the 95 % quantile follows it
# down by more than half a decade, while the median and the 5 % quantile stay put. The truth
# (1 000 Ω·m) lies in the tail, well inside the 99 % interval.
#
# Occam from a half-space (notebook 04's inversion) reads about 40 Ω·m at 600 m, below the
# host and below even the posterior's 5 % quantile: the smoothness smears the 3 Ω·m
# conductor downward. Its **linearized band** (the inversion read as a Gaussian at its final
# model) is narrow and misses both the truth and the posterior's 90 % interval entirely: it
# is conditional on the μ the inversion chose and on the smoothness prior, and linear where
# the problem is not. The posterior is the honest band — as honest as its prior, and, for
# its tails, as its tail sampling (see the note on tail-ESS above).
#
# ## 3. WIT2 beside rjmcmcmt
#
# WIT2 is a real audio-magnetotelluric sounding (Southern Thomson, Geoscience Australia)
# that the community's trans-dimensional sampler, rjmcmcmt (C++/MPI), was run on twice
# with its repository's own settings; the two runs ship with mtlib. Given the same data
# (the determinant impedance, 1 Hz–8.8 kHz), the same noise model (5 % of Re Z and of
# Im Z plus a floor) and the same prior, both samplers target the same posterior: they
# must agree within twice rjmcmcmt's own run-to-run difference (its Monte Carlo error),
# in the typical depth (median over depths) and in the worst tenth (the 90th percentile).
# For equal Monte Carlo errors, |ours − pooled| is expected at about 0.87 × |run1 − run2|;
# a tolerance of twice admits a Monte Carlo error of ours up to about 2.7 times one
# rjmcmcmt run's. Sharper still is the posterior's mean χ², a single number both samplers
# estimate with a standard error.

# %%
wit2 = field.read(field.SOUNDINGS_DIR / "WIT2.edi")
ref = reference.load("WIT2")  # both runs pooled
likelihood = Likelihood.rjmcmcmt(wit2, 1.0, 1e4)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    ours = sample_likelihood(likelihood, ref.prior(), seed=1, **STOP)
print(ours.summary())
agreement = reference.compare(ours.hist, ours.rho_edges_log10, "WIT2")
for name, q in (("5 %", "q05"), ("median", "q50"), ("95 %", "q95")):
    a = agreement[q]
    print(f"{name:>6}: |Δ| against rjmcmcmt, over depths: median {a['delta']['median']:.3f}, "
          f"90th percentile {a['delta']['p90']:.3f} decades; rjmcmcmt's own run1 − run2: "
          f"{a['spread']['median']:.3f}, {a['spread']['p90']:.3f}")

fig, ax = plt.subplots(figsize=(5.5, 6))
ours.plot(ax=ax)
ref_low, ref_high = ref.interval(0.9)
ax.plot(10 ** ref.median, ref.depth_m, color="C1", lw=1.2, label="rjmcmcmt median")
ax.plot(10 ** ref_low, ref.depth_m, color="C1", lw=0.8, ls=":", label="rjmcmcmt 90 %")
ax.plot(10 ** ref_high, ref.depth_m, color="C1", lw=0.8, ls=":")
ax.legend(fontsize=7, loc="lower left")
ax.set_title("WIT2: mtlib.sample and rjmcmcmt")
plotting.save(fig, "05_wit2_rjmcmcmt")
plt.show()
# the two samplers agree where the reference agrees with itself: over the depths, the
# typical and the 90th-percentile difference are within twice rjmcmcmt's own (for the
# short chains of the smoke profile, within four times)
tolerance = 2.0 if P.name != "smoke" else 4.0
for q in ("q05", "q50", "q95"):
    a = agreement[q]
    for stat in ("median", "p90"):
        assert a["delta"][stat] <= tolerance * max(a["spread"][stat], 0.01), (q, stat, a)

# the posterior mean of χ², against rjmcmcmt's 12 chains (run1 and run2, 6 chains each)
ref_means = np.array([c["chi2_post_mean"] for run in ref.convergence for c in run["chains"]])
ref_mean, ref_se = ref_means.mean(), ref_means.std(ddof=1) / np.sqrt(ref_means.size)
ours_mean = ours.chi2_trace.mean()
ours_se = ours.chi2_trace.std() / np.sqrt(float(ours.ess["chi2"]))
both_se = np.hypot(ours_se, ref_se)
print(f"mean χ² of the samples: ours {ours_mean:.2f} ± {ours_se:.2f} (ESS {float(ours.ess['chi2']):.0f}), "
      f"rjmcmcmt {ref_mean:.2f} ± {ref_se:.2f} (its chains: {ref_means.min():.1f}–"
      f"{ref_means.max():.1f}); difference {(ours_mean - ref_mean) / both_se:+.1f} standard errors")
assert abs(ours_mean - ref_mean) < 3 * both_se

# %% [markdown]
# rjmcmcmt took 275–295 CPU seconds for its 6 chains × 2 M steps; the benchmark
# (`bench/posterior.py`, in the book's speed page) times both on the same machine.
#
# ## 4. How well do the samples fit? χ² against N ± √(2N)
#
# With correct errors, the true earth's χ² over N data scatters as N ± √(2N) from one noise
# draw to the next. The posterior's samples behave differently: each of the k parameters
# the data fix takes about one unit from the true earth's χ² to reach the best fit's
# (χ²_min ≈ χ²_true − k) and gives it back as a spread, so, averaged over the posterior,
# the samples' χ² is about χ²_min + k ≈ χ²_true, near N. That *average* scatters as
# N ± √(2N) between noise draws; within one posterior the samples spread only by about
# √(2k). For a layered model, k ≈ 2 × (mean number of layers) − 1. A posterior whose
# samples fit much *better* than N does not mean a better model: it suggests errors stated
# larger than the noise.

# %%
rows = [
    ("thin conductor (synthetic, errors right)", thin, chi2_true),
    ("resistor below a conductor (synthetic)", resistor, chi2_true_r),
    ("WIT2 (real, rjmcmcmt's 5 % errors)", ours, np.nan),
]
fit = {}
for name, post, truth in rows:
    chi2 = post.chi2_trace.ravel()
    n = post.n_data
    k = 2 * post.samples["n_layers"].mean() - 1
    fit[name] = dict(mean=chi2.mean(), std=chi2.std(), n=n, k=k, truth=truth,
                     z=(chi2.mean() - n) / np.sqrt(2 * n))
    print(f"{name}: samples' χ² {chi2.mean():.1f} ± {chi2.std():.1f} for N = {n} "
          f"(N ± √(2N) = {n} ± {np.sqrt(2 * n):.1f}; the mean at {fit[name]['z']:+.1f} σ); "
          f"k ≈ {k:.1f}, √(2k) = {np.sqrt(2 * k):.1f}"
          + (f"; the true earth's χ² {truth:.1f} (mean − truth {chi2.mean() - truth:+.1f})"
             if np.isfinite(truth) else ""))

fig, ax = plt.subplots(figsize=(7, 3.4))
top = 0.0
for c, (name, post, truth) in enumerate(rows):
    n = post.n_data
    heights, _, _ = ax.hist(post.chi2_trace.ravel() / n, bins=40, histtype="step",
                            color=f"C{c}", label=name, density=True)
    top = max(top, heights.max())
    if np.isfinite(truth):
        ax.axvline(truth / n, color=f"C{c}", ls="--", lw=1)
ax.axvline(ref_mean / ours.n_data, color="C2", ls=":", lw=1.2, label="WIT2: rjmcmcmt's mean")
ax.axvline(1.0, color="k", lw=0.8)
n_syn = thin.n_data
ax.errorbar(1.0, 1.08 * top, xerr=np.sqrt(2 / n_syn), color="k", capsize=3, lw=1)
ax.annotate(f"1 ± √(2/N), N = {n_syn}: how the *mean* scatters between noise draws",
            (1.0, 1.08 * top), xytext=(0, 6), textcoords="offset points", ha="center",
            fontsize=7)
ax.set_ylim(0, 1.25 * top)
ax.set(xlabel="χ² / N of the posterior's samples (dashed: the true earth's)", ylabel="density")
ax.legend(fontsize=7, loc="upper right")
plotting.save(fig, "05_chi2")
plt.show()
for name, post, truth in rows[:2]:  # synthetic, errors right
    f = fit[name]
    # the posterior's mean χ² is the true earth's, within 3 √(2k) whatever the noise draw
    assert abs(f["mean"] - truth) < 3 * np.sqrt(2 * f["k"]), (name, f)
    # within one posterior the samples spread by about √(2k)
    assert 0.5 < f["std"] / np.sqrt(2 * f["k"]) < 2, (name, f)
# ... far less than the √(2N) by which their mean scatters between noise draws
assert all(f["std"] < 0.5 * np.sqrt(2 * f["n"]) for f in fit.values())
# WIT2's samples sit below N, but by less than 2 σ: a hint, not a proof
wit2_z = fit[rows[2][0]]["z"]
assert -2 < wit2_z < -1, wit2_z

# %% [markdown]
# For the synthetic soundings, the posterior's mean χ² lies within a few √(2k) of the true
# earth's χ² on the same data (57.6 and 81.2, dashed), whatever that noise draw gave; within
# each posterior the samples spread by about √(2k) ≈ 3.5, a quarter of the √(2N) ≈ 13 by
# which the mean moves between noise draws — so a histogram of one posterior's χ² never
# fills N ± √(2N), and should not.
#
# WIT2's samples sit 1.8σ below N (rjmcmcmt's own runs agree: χ²/N 0.76). That hints that
# the 5 % errors of rjmcmcmt's examples exceed the noise — a posterior computed with them
# would then be wider than the data warrant — but one sounding at under 2σ does not
# establish it. (Notebook 10 tests it more sharply, with D+ against its own distribution
# under mtlib's 5 % floor.) The posterior is honest about what the data cannot tell only
# when the errors are honest too.
#
# ## 5. How many layers?
#
# The number of layers is an unknown like the others: the prior gives each count from 1 to
# 20 the same probability. Do the data pick the few they need?

# %%
fig, ax = plt.subplots(figsize=(7, 3))
width = 0.27
for k, (name, post, _) in enumerate(rows):
    counts = np.arange(post.n_layers_probability.size)
    ax.bar(counts + (k - 1) * width, post.n_layers_probability, width=width, color=f"C{k}",
           label=name)
n_max = thin.prior.n_max
ax.axhline(1 / n_max, color="k", lw=0.8, ls="--", label=f"the prior: 1/{n_max} each")
ax.set(xlabel="number of layers", ylabel="probability", xlim=(0.5, n_max + 0.5))
ax.legend(fontsize=7)
plotting.save(fig, "05_layers")
plt.show()
below_doi = {}
for name, post, _ in rows:
    probable = np.argmax(post.n_layers_probability)
    density = post.interface_density
    below_doi[name] = density[post.depth_m > post.doi_m].sum() / density.sum()
    print(f"{name}: most probable {probable} layers, mean {post.samples['n_layers'].mean():.1f} "
          f"± {post.samples['n_layers'].std():.1f}, P(5 or fewer) "
          f"{post.n_layers_probability[:6].sum():.2f}; {below_doi[name]:.0%} of its interfaces "
          f"below the depth of investigation ({post.doi_m:,.0f} m; the prior's interfaces "
          f"reach {10 ** post.prior.log10_depth_m[1]:,.0f} m)")
# the claims below: the synthetic soundings need few of the 20 layers the prior allows;
# WIT2 takes far more, and nearly all of their interfaces lie above the depth of
# investigation, where the data do speak
for name, post, _ in rows[:2]:
    assert np.argmax(post.n_layers_probability) <= 6, name
wit2_layers = ours.samples["n_layers"].mean()
assert wit2_layers > 2 * max(p.samples["n_layers"].mean() for p in (thin, resistor))
assert ours.n_layers_probability[:6].sum() < 0.1 and below_doi[rows[2][0]] < 0.2

# %% [markdown]
# For the synthetic soundings, yes: three layers are the most probable (the resistor's
# truth has four; section 2). WIT2 takes 11.0 ± 3.8, its most probable count 8: hardly any
# sample has five or fewer, and above 8 the count thins out slowly towards the prior's 20.
# These are not blind layers below the data: about 90 % of their interfaces lie above the
# depth of investigation (and the synthetic soundings' priors reach twice as deep as their
# depths of investigation, to no effect). Layers the data neither need nor exclude cost
# little in a trans-dimensional posterior, and a real earth is not a few layers (by its
# phase-tensor ellipticity WIT2 is not even 1D; notebook 10); which of the two drives the
# count, this notebook does not establish. Read WIT2's count as "more than five", not as a
# number of layers.
