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
# - they stop when they agree (split-R̂ ≤ 1.05) and each depth has enough effective samples.
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
from mtlib.posterior import Likelihood, reference, sample_likelihood

P = config.get_profile(profile)
STOP = dict(min_ess=P.posterior_min_ess, max_seconds=P.posterior_max_seconds)
FREQ_HZ = np.logspace(4, -1, 41)  # 10 kHz to 0.1 Hz, 8 per decade
NOISE = 0.04  # relative noise of ρa: 2 % of |Z|
Z_REL_ERR = NOISE / 2
print(f"profile: {P.name}; sampling until min ESS {STOP['min_ess']}, at most "
      f"{STOP['max_seconds']} s per posterior")


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


# %% [markdown]
# ## 1. A thin conductor: the conductance–thickness ridge
#
# 20 m of 2 Ω·m at 300 m in a 100 Ω·m host: a conductance of 10 S. Notebook 03 showed that
# the data see a thin conductor through its conductance; here is what that means for the
# family of earths that fit. Every posterior sample has a conductive layer near 300 m;
# plotting its thickness against its resistivity shows where the samples lie.

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
log_h, log_r, log_s = np.log10(h_m), np.log10(r_ohmm), np.log10(h_m / r_ohmm)
ridge = np.corrcoef(log_h, log_r)[0, 1]
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
# the data fix the conductance, not the thickness: the samples lie along h/ρ = S
assert ridge > 0.8, ridge
assert log_s.std() < 0.5 * min(log_h.std(), log_r.std())
assert abs(np.median(log_s) - 1.0) < 0.15  # 10 S, to 40 %

# %% [markdown]
# The samples lie on a **ridge** along h/ρ = 10 S: a conductor twice as thick and twice as
# resistive fits as well. The thickness and the resistivity each spread over a wide range;
# their ratio, the conductance, much less. That is S-equivalence seen directly, and it is
# why the posterior at 300 m is wide although the conductor itself is certain: at a given
# depth, some samples have already left the conductor and others have not.
#
# ## 2. A resistor below a conductor: the upper tail runs to the prior's bound
#
# 500 m of 1 000 Ω·m below 200 m of 3 Ω·m, in a 100 Ω·m host. Notebook 03 measured how
# weakly the data see such a resistor: currents in 1D MT flow horizontally, and a resistive
# layer shows only by the conductance it removes from above the deeper host — nearly none,
# here, beside the conductor's 67 S. So any resistivity from the host's to very high fits.

# %%
rho_res, thick_res = np.array([100.0, 3.0, 1000.0, 100.0]), np.array([200.0, 200.0, 500.0])
rhoa_r, phase_r, chi2_true_r = sounding(rho_res, thick_res, seed=2)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    resistor = mtlib.sample(FREQ_HZ, rhoa_r, phase_r, Z_REL_ERR, seed=1, **STOP)
    occam = mtlib.invert(FREQ_HZ, rhoa_r, phase_r, Z_REL_ERR)
print(resistor.summary())
depth_r = 600.0  # inside the resistor
low, high = resistor.interval(0.9)
med = resistor.median
q05, q50, q95 = (at_depth(resistor, depth_r, v) for v in (low, med, high))
occam_low, occam_high = occam.linearized_interval(0.9)
k_occam = np.searchsorted(occam.depth_m, depth_r) - 1
print(f"at {depth_r:.0f} m (true 1 000 Ω·m): posterior median {10 ** q50:.0f} Ω·m, 90 % "
      f"interval {10 ** q05:.0f}–{10 ** q95:.0f} Ω·m; the prior's bound "
      f"{10 ** resistor.prior.log10_rho[1]:.0f} Ω·m. Occam's model {occam.rho_ohmm[k_occam]:.0f} "
      f"Ω·m, its linearized 90 % band {occam_low[k_occam]:.0f}–{occam_high[k_occam]:.0f} Ω·m")

fig, ax = plt.subplots(figsize=(5.5, 5))
resistor.plot(ax=ax)
plotting.plot_model(ax, rho_res, thick_res, resistor.depth_m[-1], color="k", lw=1.2,
                    label="true")
plotting.plot_band(ax, occam_low, occam_high, occam.thick_m, resistor.depth_m[-1],
                   color="C4", alpha=0.3, label="Occam's linearized 90 %")
ax.legend(fontsize=7, loc="lower left")
ax.set_title("a resistor below a conductor")
plotting.save(fig, "05_resistor_below_conductor")
plt.show()
# the tail above is long, the one below short: the data bound the resistor from below only
assert q95 - q50 > 3 * (q50 - q05), (q05, q50, q95)
assert q95 > np.log10(rho_res[0]) + 1.0  # a decade and more above the host
assert q05 <= np.log10(1000.0) <= q95  # the truth inside the posterior's interval
# Occam's linearized band, conditional on its μ and its smoothness, excludes it
assert not occam_low[k_occam] <= 1000.0 <= occam_high[k_occam]

# %% [markdown]
# The posterior's 90 % interval at 600 m reaches from about the host's resistivity to
# within a decade or two of the prior's upper bound: the data say "at least this
# resistive", and the prior alone says how much more. Occam's model, the smoothest that
# fits, sits near the bottom of that range, and its **linearized band** (notebook 04's
# inversion, read as a Gaussian at its final model) is narrow and misses the truth: it is
# conditional on the μ the inversion chose and on the smoothness prior, and linear where
# the problem is not. The posterior is the honest band.
#
# ## 3. WIT2 beside rjmcmcmt
#
# WIT2 is a real audio-magnetotelluric sounding (Southern Thomson, Geoscience Australia)
# that the community's trans-dimensional sampler, rjmcmcmt (C++/MPI), was run on twice
# with its repository's own settings; the two runs ship with mtlib. Given the same data
# (the determinant impedance, 1 Hz–8.8 kHz), the same noise model (5 % of Re Z and of
# Im Z plus a floor) and the same prior, both samplers target the same posterior: they
# must agree within rjmcmcmt's own run-to-run difference (its Monte Carlo error).

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
# typical difference is within twice rjmcmcmt's own (for the short chains of the smoke
# profile, within four times)
tolerance = 2.0 if P.name != "smoke" else 4.0
for q in ("q05", "q50", "q95"):
    a = agreement[q]
    assert a["delta"]["median"] <= tolerance * max(a["spread"]["median"], 0.01), (q, a)

# %% [markdown]
# rjmcmcmt took 275–295 CPU seconds for its 6 chains × 2 M steps; the benchmark
# (`bench/posterior.py`, in the book's speed page) times both on the same machine.
#
# ## 4. How well do the samples fit? χ² against N ± √(2N)
#
# With correct errors, the true earth's χ² over N data scatters as N ± √(2N). A posterior
# sample's χ² does too: each parameter the data fix takes about one unit from the best
# fit's χ² and gives it back as its spread, so samples sit near N. A posterior whose
# samples fit much *better* than N does not mean a better model: it means errors stated
# larger than the noise.

# %%
rows = [
    ("thin conductor (synthetic, errors right)", thin, chi2_true),
    ("resistor below a conductor (synthetic)", resistor, chi2_true_r),
    ("WIT2 (real, rjmcmcmt's 5 % errors)", ours, np.nan),
]
for name, post, truth in rows:
    chi2 = post.chi2_trace.ravel()
    n = post.n_data
    print(f"{name}: samples' χ² {chi2.mean():.1f} ± {chi2.std():.1f} for N = {n} "
          f"(N ± √(2N) = {n} ± {np.sqrt(2 * n):.1f}; {(chi2.mean() - n) / np.sqrt(2 * n):+.1f} σ)"
          + (f"; the true earth's χ² {truth:.1f}" if np.isfinite(truth) else ""))

fig, ax = plt.subplots(figsize=(7, 3.2))
for k, (name, post, _) in enumerate(rows):
    n = post.n_data
    ax.hist(post.chi2_trace.ravel() / n, bins=40, histtype="step", color=f"C{k}", label=name,
            density=True)
    ax.axvspan(1 - np.sqrt(2 / n), 1 + np.sqrt(2 / n), color=f"C{k}", alpha=0.08)
ax.axvline(1.0, color="k", lw=0.8)
ax.set(xlabel="χ² / N of the posterior's samples (shaded: 1 ± √(2/N))", ylabel="density")
ax.legend(fontsize=7)
plotting.save(fig, "05_chi2")
plt.show()
for name, post, _ in rows[:2]:  # synthetic, errors right: within the scatter
    n = post.n_data
    assert abs(post.chi2_trace.mean() - n) < 2 * np.sqrt(2 * n), name
# WIT2's samples fit well inside the scatter's lower side: its 5 % errors are larger than
# its noise (rjmcmcmt's own runs: χ²/N of 0.76), not its models better
assert ours.chi2_trace.mean() < ours.n_data

# %% [markdown]
# The synthetic soundings' samples sit within N ± 2√(2N), as they must when the errors are
# right. WIT2's sit below N: under the 5 % errors of rjmcmcmt's examples its data are
# fitted *too* well — those errors are larger than the noise, and a posterior computed with
# them is wider than the data warrant. The posterior is honest about what the data cannot
# tell only when the errors are honest too.
#
# ## 5. How many layers?
#
# The number of layers is an unknown like the others: the prior gives each count from 1 to
# 20 the same probability, and the data pick the few they need.

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
for name, post, _ in rows[:2]:
    probable = np.argmax(post.n_layers_probability)
    print(f"{name}: most probable {probable} layers")
    assert probable <= 6, name  # the data need few of the 20 the prior allows
