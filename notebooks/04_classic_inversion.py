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
# # 04 — The classical inversion: misfit, regularization and the reference model
#
# Notebook 03 showed that many models fit the same data. A classical inversion chooses one
# of them, by a rule stated in advance. This notebook builds that rule — the data misfit
# and its target, a reference model, the roughness and smallness that measure departures
# from it, and the trade-off between them — and then shows what the choices change:
# smooth or blocky models, and errors stated too small or too large. It ends with what the
# rule means for a network's answers.

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
import matplotlib.pyplot as plt
import numpy as np

import mtlib
from mtlib import data_errors, forward, grid, metrics, noise, plotting
from mtlib.constants import PLOT_BOTTOM_M
from mtlib.harness import config
from mtlib.inversion import HALFSPACE_STD_LOG10, InversionSettings, baseline, bostick

P = config.get_profile(profile)
thick_m, freq_hz = grid.paper_thicknesses(), grid.default_frequencies()
tops_m = grid.layer_tops_m(thick_m)
NOISE = 0.02  # relative noise on ρa, as in the paper's tests: 1 % on |Z|
Z_REL_ERR = data_errors.z_rel_err_from_rhoa(NOISE)
N = 2 * freq_hz.size
SCATTER = np.sqrt(2 * N)
print(f"profile: {P.name}; the paper's grid ({len(thick_m) + 1} layers) and band "
      f"({freq_hz.max():g}–{freq_hz.min():g} Hz), N = {N} data")


def roughness(rho_ohmm) -> float:
    """RMS step of log10 ρ between adjacent layers (decades)."""
    return float(np.sqrt(np.mean(np.diff(np.log10(rho_ohmm)) ** 2)))


# %% [markdown]
# ## 1. What a classical inversion minimizes
#
# With $m = \log_{10}\rho$ of the layers, `mtlib.invert` minimizes
#
# $$\Phi(m) = \underbrace{\lVert W\,(d - F(m))\rVert^2}_{\chi^2:\ \text{data misfit}}
#   + \mu\,\Big[\underbrace{\lVert R\,(m - m_{\rm ref})\rVert^2}_{\text{roughness}}
#   + \alpha_s\,\underbrace{\lVert S\,(m - m_{\rm ref})\rVert^2}_{\text{smallness}}\Big].$$
#
# * $W$ holds the inverse data errors: χ² is notebook 03's misfit.
# * The **reference model** $m_{\rm ref}$ is what the model is pulled towards where the data
#   say nothing. The classic choice, and the one used here, is a half-space at the data's
#   mean apparent resistivity; from notebook 10 on it is a network's guess.
# * The **roughness** $\lVert R(m - m_{\rm ref})\rVert^2$ sums the squared steps between
#   adjacent layers of the departure from the reference (for a half-space reference, of the
#   model itself): it charges structure.
# * The **smallness** $\lVert S(m - m_{\rm ref})\rVert^2$, $S = \mathrm{diag}(1/\sigma_{\rm ref})$,
#   charges distance from the reference, layer by layer, in units of the reference's
#   standard deviation σ_ref; α_s weighs it against the roughness. A half-space reference
#   gets σ_ref = 10 decades — a weight of 1/100, so the roughness decides; a network's
#   guess gets its own σ.
# * The **trade-off** μ sets how much structure the data may buy. Occam's inversion
#   (Constable, Parker & Constable 1987) picks, at every iteration, the largest μ whose model
#   reaches the **target** χ² = N (nRMS 1, notebook 03's expected misfit): the
#   *discrepancy principle*, the smoothest model that fits.
#
# Roughness, smallness and reference are a **prior**: among the models that fit, they decide
# what the data do not.

# %%
settings = InversionSettings()
print(f"α_s = {settings.smallness:g}; σ_ref of a half-space reference = {HALFSPACE_STD_LOG10:g} "
      f"decades (smallness weight {1 / HALFSPACE_STD_LOG10 ** 2:g}); target nRMS "
      f"{settings.target_nrms:g}")


def occam(rhoa, phase, z_rel_err=Z_REL_ERR, **options):
    """`mtlib.invert` from a half-space on the paper's grid: Occam's discrepancy principle."""
    return mtlib.invert(freq_hz, rhoa, phase, z_rel_err, start="halfspace", thick_m=thick_m,
                        **options)


# %% [markdown]
# ## 2. The trade-off curve
#
# Each μ has its own minimizer of Φ, with its misfit and its roughness; together they form
# the trade-off curve. Occam's search gives its points directly: asked for a target misfit,
# it returns a model at or below it (here up to 14 % below in nRMS, at the largest target),
# and the μ at which its iterations settled — the minimizer of Φ at that μ. One sounding
# (a 20 S conductor at 400 m over a 300 Ω·m basement, 2 % noise), at targets from nRMS 0.9
# to 5:

# %%
K_TOP = int(np.searchsorted(tops_m, 400.0))
rho_one = np.full(len(thick_m) + 1, 100.0)
rho_one[K_TOP:K_TOP + 2] = thick_m[K_TOP:K_TOP + 2].sum() / 20.0
rho_one[tops_m >= 1000] = 300.0
rhoa_one, phase_one = noise.add_noise(*forward.mt1d(rho_one, thick_m, freq_hz), NOISE, seed=5)
targets = [0.9, 0.95, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0, 5.0]
curve = [occam(rhoa_one, phase_one, target_nrms=t) for t in targets]
chi2_n = np.array([r.nrms**2 for r in curve])
rough = np.array([roughness(r.rho_ohmm) for r in curve])
mus = np.array([r.mu for r in curve])
for t, r, ro in zip(targets, curve, rough):
    print(f"target nRMS {t:4.2f}: reached {r.nrms:.3f} (stop: {r.stop}), μ = {r.mu:8.3g}, "
          f"roughness {ro:.3f} decades")
pg = baseline.pygimli_invert(freq_hz, rhoa_one, phase_one, thick_m, z_rel_err=Z_REL_ERR)
print(f"pyGIMLi, λ = 20: χ²/N {pg.chi2:.2f}, roughness {roughness(pg.rho_ohmm):.3f} decades")
# the claims above and below: a trade-off curve — more misfit buys less structure at larger
# μ, every point at or below its target, by at most 15 % in nRMS
assert all(r.stop == "target" for r in curve)
assert all(0.85 * t <= r.nrms <= t + 1e-6 for t, r in zip(targets, curve))
assert np.all(np.diff(mus) > 0) and np.all(np.diff(chi2_n) > 0) and np.all(np.diff(rough) < 0)

fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(10.5, 4.2))
ax_t.axhspan(1 - SCATTER / N, 1 + SCATTER / N, color="0.88", lw=0,
             label="χ² = N ± √(2N): the true model's scatter")
ax_t.plot(rough, chi2_n, "o-", color=plotting.REFINED_COLOR, label="mtlib Occam, one target each")
for mu, x, y in zip(mus, rough, chi2_n):
    ax_t.annotate(f"μ={mu:.2g}", (x, y), xytext=(4, 3), textcoords="offset points", fontsize=7)
ax_t.plot(roughness(pg.rho_ohmm), pg.chi2, "*", ms=11, color="C0",
          label="pyGIMLi, λ = 20 (stops once χ²/N ≤ 1)")
ax_t.set(yscale="log", xlabel="roughness (RMS step of log10 ρ, decades)", ylabel="χ² / N",
         title="trade-off curve")
ax_t.legend(fontsize=8)
plotting.model_axes(ax_m, bottom_m=PLOT_BOTTOM_M, rho_lim=(1, 1000))
plotting.plot_model(ax_m, rho_one, thick_m, PLOT_BOTTOM_M, color="k", lw=2, label="true")
for t, shade in ((0.9, "C9"), (1.0, plotting.REFINED_COLOR), (5.0, "navy")):
    r = curve[targets.index(t)]
    plotting.plot_model(ax_m, r.rho_ohmm, thick_m, PLOT_BOTTOM_M, color=shade,
                        label=f"nRMS {r.nrms:.2f} (μ = {r.mu:.2g})")
ax_m.legend(fontsize=8, loc="lower left")
fig.tight_layout()
plotting.save(fig, "04_tradeoff")

# %% [markdown]
# Down the curve, every step of misfit given up buys a smoother model at a larger μ. The
# grey band is one standard deviation of the true model's χ² (the truth itself lands
# outside it on about a third of noise draws): points inside it fit the data about as well
# as the truth would; well below it the model fits noise (its extra structure is not
# required by the data — a lower χ² is not a better model), well above it the model fails
# to explain them. The discrepancy principle takes the smoothest point that reaches χ² = N:
# no more structure than the data demand.
#
# pyGIMLi's runs in this project use one fixed λ = 20 for every sounding and, as pyGIMLi's
# default does, stop at the first iterate whose χ²/N falls below 1: a model that fits, but
# not the minimizer of its Φ. Such runs at different λ do not trace a trade-off curve —
# they all stop near χ²/N ≈ 1, in whatever order their iterations happen to cross it.
#
# ## 3. Smooth or blocky, and a transform that costs nothing
#
# The squared roughness spreads every change of resistivity over many layers. Measured
# nearly as an L1 norm instead — iteratively reweighted, each step between layers weighted
# by $\varepsilon/\sqrt{r_j^2+\varepsilon^2}$ from the previous model (Farquharson &
# Oldenburg 1998) — a few large jumps cost less than many small steps, and the model that
# fits comes out in **blocks**. Both by `mtlib.invert` (`roughness="smooth"` or
# `"blocky"`), on a three-layer earth with 2 % noise.
#
# The **Niblett–Bostick** transform maps each period's $\rho_a$ and φ to a resistivity
# $\rho_{NB} = \rho_a(\pi/2\varphi - 1)$ at the depth $\sqrt{\rho_a/\omega\mu_0}$ (the skin
# depth over √2): exact for a half-space, a smooth approximation otherwise. Drawn as points
# on the same figure.

# %%
rho3 = np.where(tops_m < 300, 100.0, np.where(tops_m < 700, 5.0, 300.0))
rhoa3, phase3 = noise.add_noise(*forward.mt1d(rho3, thick_m, freq_hz), NOISE, seed=1)
norms = {name: occam(rhoa3, phase3, roughness=name) for name in ("smooth", "blocky")}
nb_depth_m, nb_rho = bostick(freq_hz, rhoa3, phase3)


def conductor_ends(rho_ohmm) -> tuple[float, float]:
    """Depths (m) where log10 ρ first falls below the midpoint between 100 and 5 Ω·m (the
    top of the conductor) and then first rises above that between 5 and 300 Ω·m (its base)."""
    log_rho = np.log10(rho_ohmm)
    k_top = int(np.argmax(log_rho < np.log10(np.sqrt(100.0 * 5.0))))
    below = np.flatnonzero((log_rho > np.log10(np.sqrt(5.0 * 300.0))) & (tops_m > tops_m[k_top]))
    return float(tops_m[k_top]), float(tops_m[below[0]])


true_ends = conductor_ends(rho3)
true_s = float(grid.excess_conductance_s(rho3, thick_m, 250.0, 1000.0, 100.0))
for name, res in norms.items():
    steps = np.abs(np.diff(np.log10(res.rho_ohmm)))
    top, base = conductor_ends(res.rho_ohmm)
    s = float(grid.excess_conductance_s(res.rho_ohmm, thick_m, 250.0, 1000.0, 100.0))
    print(f"{name:6s}: nRMS {res.nrms:.2f} in {res.iterations} iterations; steps > 0.05 decades: "
          f"{np.sum(steps > 0.05)}, largest {steps.max():.2f}; top {top:.0f} m, base {base:.0f} m "
          f"(true {true_ends[0]:.0f}, {true_ends[1]:.0f}); conductance {s:.0f} S "
          f"(true {true_s:.0f})")
inside = (grid.layer_centres_m(thick_m) > 350) & (grid.layer_centres_m(thick_m) < 650)
spread = {name: np.ptp(np.log10(res.rho_ohmm[inside])) for name, res in norms.items()}
print(f"spread of log10 ρ inside the conductor: smooth {spread['smooth']:.2f}, "
      f"blocky {spread['blocky']:.2f} decades (true 0)")
# Niblett–Bostick: where it falls below the midpoint between 100 and 5 Ω·m (the conductor's
# top), its least value, and where it climbs back above the midpoint between 5 and 300 Ω·m
nb_top = float(nb_depth_m[np.argmax(nb_rho < np.sqrt(100.0 * 5.0))])
k_min = int(np.argmin(nb_rho))
nb_base = float(nb_depth_m[k_min + np.argmax(nb_rho[k_min:] > np.sqrt(5.0 * 300.0))])
print(f"Niblett–Bostick: top {nb_top:.0f} m (true {true_ends[0]:.0f}), least value "
      f"{nb_rho[k_min]:.1f} Ω·m (true 5), rise past {np.sqrt(5.0 * 300.0):.0f} Ω·m at "
      f"{nb_base:.0f} m (true base {true_ends[1]:.0f} m); at its deepest "
      f"({nb_depth_m.max():,.0f} m) {nb_rho[-1]:.0f} Ω·m (true 300)")
# the claims below: both fit; the blocky model has fewer, larger steps (its conductor is
# hardly flatter than the smooth one's); both keep the conductance, and both find the top
# better than the base. Niblett–Bostick finds the top within 15 % and the conductor's value
# within 0.1 decade, but its rise to the basement lies 1.5 times too deep or more, and never
# reaches 300 Ω·m in the band
assert all(res.nrms <= 1.0 + 1e-6 for res in norms.values())
smooth_steps, blocky_steps = (np.abs(np.diff(np.log10(norms[k].rho_ohmm))) for k in norms)
assert np.sum(blocky_steps > 0.05) < np.sum(smooth_steps > 0.05)
assert blocky_steps.max() > smooth_steps.max()
for res in norms.values():
    top, base = conductor_ends(res.rho_ohmm)
    s = float(grid.excess_conductance_s(res.rho_ohmm, thick_m, 250.0, 1000.0, 100.0))
    assert abs(s / true_s - 1) < 0.1 and abs(top - true_ends[0]) < abs(base - true_ends[1])
assert abs(nb_top - true_ends[0]) < 0.15 * true_ends[0]
assert abs(np.log10(nb_rho[k_min] / 5.0)) < 0.1
assert nb_base > 1.5 * true_ends[1] and nb_rho.max() < 300.0

fig, ax = plt.subplots(figsize=(5, 5))
plotting.model_axes(ax, bottom_m=PLOT_BOTTOM_M, rho_lim=(1, 1000))
plotting.plot_model(ax, rho3, thick_m, PLOT_BOTTOM_M, color="k", lw=2, label="true")
plotting.plot_model(ax, norms["smooth"].rho_ohmm, thick_m, PLOT_BOTTOM_M,
                    color=plotting.REFINED_COLOR, label="mtlib Occam, smooth (L2 roughness)")
plotting.plot_model(ax, norms["blocky"].rho_ohmm, thick_m, PLOT_BOTTOM_M, color="C1",
                    label="mtlib Occam, blocky (L1, reweighted)")
shown = nb_depth_m < PLOT_BOTTOM_M
ax.plot(nb_rho[shown], nb_depth_m[shown], "o", ms=4, color="C2", label="Niblett–Bostick")
ax.legend(fontsize=8, loc="lower left")
ax.set_title("three layers, 2 % noise: both models fit (nRMS ≤ 1)", fontsize=10)
fig.tight_layout()
plotting.save(fig, "04_smooth_blocky")

# %% [markdown]
# Both models explain the data equally well; they are different answers to "which of the
# fitting models?". Every model is drawn as a staircase because it *is* one: one
# resistivity per cell, and the cells thicken with depth (notebook 02), so even the smooth
# model's gradual change shows as steps that grow downwards. The blocky model finds the top
# of the conductor sharply, in one large step (inside the conductor it is hardly flatter than
# the smooth model: 0.28 against 0.32 decades); below the conductor it climbs in a staircase
# of many small steps, because an L1 norm charges a rise that never turns back only for its
# total size, however it is split: where the data do not decide, a staircase costs as much
# as one jump.
#
# What neither finds is the conductor's **base**. Both keep its conductance to within a
# tenth and place its top within a cell, but put its base too deep: a thicker, slightly
# less conductive layer of about the same conductance fits the data as well (notebook 03's
# S-equivalence, and its top-versus-base asymmetry). The Niblett–Bostick points find the
# conductor's top (348 m against 318) and
# its value (6 Ω·m against 5) at no cost, but draw the rise to the basement far too deep
# (past 39 Ω·m only at 1.7 km, against a base at 730 m) and too gradual (never reaching
# 300 Ω·m in the band): a transform, not an inversion — nothing makes its model fit.
#
# ## 4. When the errors are wrong
#
# Everything above trusts the stated errors: the target χ² = N only means "fitted to the
# noise" if σ is the noise. The same three-layer earth, with 5 % noise on |Z|
# (10 % on ρa), inverted three times: with errors — the floor a user sets — of 2 % (too
# small), 5 % (right) and 10 % (too large). For each: the misfit against the stated errors,
# the misfit against the true noise, the roughness, the conductor's conductance.

# %%
TRUE_Z_REL_ERR = 0.05
rhoa_w, phase_w = noise.add_noise(*forward.mt1d(rho3, thick_m, freq_hz),
                                  data_errors.rhoa_rel_err(TRUE_Z_REL_ERR), seed=4)
stated = {floor: occam(rhoa_w, phase_w, floor) for floor in (0.02, 0.05, 0.10)}
wrong = {}
for floor, res in stated.items():
    chi2_true = N * float(metrics.data_nrms(res.rho_ohmm, thick_m, freq_hz, rhoa_w, phase_w,
                                            data_errors.rhoa_rel_err(TRUE_Z_REL_ERR))) ** 2
    wrong[floor] = dict(chi2_true=chi2_true, rough=roughness(res.rho_ohmm),
                        s=float(grid.excess_conductance_s(res.rho_ohmm, thick_m, 250.0, 1000.0,
                                                          100.0)))
    print(f"errors {100 * floor:3.0f} %: nRMS {res.nrms:.2f} (stop: {res.stop}); χ² against the "
          f"true noise {chi2_true:4.0f} (N ± √(2N) = {N} ± {SCATTER:.0f}); roughness "
          f"{wrong[floor]['rough']:.3f}; conductance {wrong[floor]['s']:.0f} S (true {true_s:.0f})")
apart = {floor: float(np.sqrt(np.mean(np.log10(stated[floor].rho_ohmm
                                                 / stated[0.05].rho_ohmm) ** 2)))
         for floor in (0.02, 0.10)}
print(f"log10-ρ RMS difference from the right errors' model: errors 2 % {apart[0.02]:.3f}, "
      f"10 % {apart[0.10]:.3f} decades")
truth_nrms = {floor: float(metrics.data_nrms(rho3, thick_m, freq_hz, rhoa_w, phase_w,
                                             data_errors.rhoa_rel_err(floor)))
              for floor in stated}
print("the true model's nRMS against each stated error: " + ", ".join(
    f"{100 * floor:g} % {value:.2f}" for floor, value in truth_nrms.items()))
# the claims below: too small, no model reaches the target, yet the best fit is almost the
# right errors' model — a few hundredths of a decade apart, and against the true noise their
# χ² differ by less than √(2N); too large, nRMS 1 is reached by a model too smooth, which
# misses structure the data hold
assert stated[0.02].stop == "best fit" and stated[0.02].nrms > 2
assert apart[0.02] < 0.1 and apart[0.02] < 0.25 * apart[0.10]
assert abs(wrong[0.02]["chi2_true"] - wrong[0.05]["chi2_true"]) < SCATTER
assert stated[0.10].nrms <= 1 + 1e-6 and wrong[0.10]["rough"] < 0.7 * wrong[0.05]["rough"]
assert truth_nrms[0.10] < 0.65 and truth_nrms[0.02] > 2
assert wrong[0.10]["chi2_true"] > N + 5 * SCATTER and wrong[0.10]["s"] < 0.85 * true_s

fig, ax = plt.subplots(figsize=(5, 5))
plotting.model_axes(ax, bottom_m=PLOT_BOTTOM_M, rho_lim=(1, 1000))
plotting.plot_model(ax, rho3, thick_m, PLOT_BOTTOM_M, color="k", lw=2, label="true")
for (floor, res), color in zip(stated.items(), ("C1", plotting.REFINED_COLOR, "C9")):
    plotting.plot_model(ax, res.rho_ohmm, thick_m, PLOT_BOTTOM_M, color=color,
                        label=f"errors {100 * floor:g} %: nRMS {res.nrms:.2f}")
ax.legend(fontsize=8, loc="lower left")
ax.set_title("noise 5 % on |Z|, inverted with three error levels", fontsize=10)
fig.tight_layout()
plotting.save(fig, "04_wrong_errors")

# %% [markdown]
# With errors 2.5 times too small no model reaches nRMS 1: Occam returns its best fit, at
# nRMS ≈ 2.5 — the ratio of the true noise to the stated errors, as the truth's own nRMS
# shows — and that model is almost the one the right errors give (0.035 decades RMS apart;
# the too-large errors' model is 0.29 away), and against the true noise it fits as well as
# that one does (χ² of 79 against 80). A user who trusts the errors would blame the model,
# or the earth's dimensionality; the misfit is the errors'. With errors twice too large,
# the truth itself fits at nRMS ≈ 0.5, so nRMS 1 is reached by a model far too smooth:
# against the true noise its χ² is some 240 above N (about 19 √(2N)), and it loses a fifth
# of the conductor's conductance. An nRMS below 1 is not a better fit; with errors stated
# too large it is what the right model would show. The rule is only as good as the errors:
# nRMS measures the error model as much as the earth model (notebook 10 meets both on real
# files).
#
# ## 5. What this means for a network
#
# * The data fix the **conductance** of thin conductors and the **top** of conductors well,
#   and the base of conductors, what lies below them and thin resistors more weakly
#   (notebook 03). Everything else is chosen by a prior: the roughness norm and reference
#   model of a classical inversion, or, for a network, the models it was trained on.
# * A network trained on a prior returns (about) the mean of the models of that prior that
#   match the data. On soundings from its own prior it is, on average, closer to the truth
#   than a smooth inversion — its prior carries what the data lack (notebook 07) — but
#   where an earth leaves its prior, its answer
#   no longer fits the data (notebook 03 section 2, notebook 08 section 4).
# * So a network's answer should be checked against the data, and the classical machinery
#   of this notebook — misfit against the noise and its scatter, the discrepancy principle,
#   a choice of norm — is how: `mtlib.invert` takes the network's guess as its reference
#   model, with the network's σ in the smallness, and keeps what the data do not contradict
#   (notebook 10).
