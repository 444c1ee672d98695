# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 — What the data can tell: equivalence, resolution, and the classical inversion
#
# Before a network is trained to invert soundings, it is worth asking what *any* inversion
# can get back from them. Two models whose responses differ by less than the noise are the
# same to the data (**equivalence**); a layer whose effect on the data is below the noise is
# not **resolved**, however it is inverted. This notebook shows both on purpose — equal
# conductances, a resistor screened by a conductor, thin layers at depth — and sets the
# network's answers beside those of classical inversions. Then it builds the classical
# inversion itself: data misfit and its target, the regularization trade-off, smooth and
# blocky models, and the Niblett–Bostick transform, which costs nothing.
#
# The network here is the shipped one (`unet_quick`; notebook 04 trains one like it), on the
# paper's 40-layer grid and 10 kHz–0.1 Hz band.

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
from mtlib.inversion import baseline, bostick
from mtlib.networks.predictor import told_noise

P = config.get_profile(profile)
net = mtlib.load_pretrained("unet_quick")
thick_m, freq_hz = net.thick_m, net.freq_hz
tops_m = grid.layer_tops_m(thick_m)
NOISE = 0.02  # relative noise on ρa, as in the paper's tests
Z_REL_ERR = data_errors.z_rel_err_from_rhoa(NOISE)
print(f"profile: {P.name}; network: the shipped unet_quick, {len(thick_m) + 1} layers, "
      f"{freq_hz.max():g}–{freq_hz.min():g} Hz")

# %% [markdown]
# ## 1. Data, noise and misfit
#
# An inversion is judged by its **data misfit** in units of the noise,
#
# $$\mathrm{nRMS} = \sqrt{\frac{1}{N}\sum_{i=1}^{N}\left(\frac{d_i - F_i(m)}{\sigma_i}\right)^2},$$
#
# over the $N$ data ($\ln\rho_a$ and $\varphi$ at every frequency). A model with nRMS ≈ 1
# explains the data as well as the noise allows; nRMS well above 1 means it does not explain
# them; well below 1, that it fits the noise too. Two models whose responses are less than
# nRMS 1 apart cannot be told apart by such data.
#
# Two noise conventions meet in this project. The paper's synthetic tests add a relative
# noise $p$ to $\rho_a$; field data come with a relative error $p$ of $|Z|$, and since
# $\rho_a \propto |Z|^2$ that is $2p$ on $\rho_a$ and $\arcsin p$ on the phase
# (`mtlib.data_errors`). The 2 % on $\rho_a$ used here is 1 % on $|Z|$:

# %%
print(f"2 % on ρa = {100 * Z_REL_ERR:.0f} % on |Z| → σ(ln ρa) = {data_errors.rhoa_rel_err(Z_REL_ERR):.3f},"
      f" σ(φ) = {data_errors.phase_std_deg(Z_REL_ERR):.2f}° "
      f"(the synthetic noise's φ: {noise.phase_std_deg(NOISE):.2f}°)")
assert np.isclose(data_errors.phase_std_deg(Z_REL_ERR), noise.phase_std_deg(NOISE), rtol=1e-3)


def apart(rho_a, rho_b):
    """nRMS between the responses of two models, in units of 2 % noise."""
    rhoa, phase = forward.mt1d(rho_a, thick_m, freq_hz)
    return float(metrics.data_nrms(rho_b, thick_m, freq_hz, rhoa, phase, NOISE))


# %% [markdown]
# ## 2. Equivalence: a thin conductor is seen by its conductance
#
# A conductor in a 100 Ω·m host, its top at 400 m, 1, 2 or 4 cells thick — each with the
# resistivity that gives it the same conductance $S = h/\rho$ = 10 S. Thinner and more
# conductive, or thicker and less: the induced currents in it are nearly the same.

# %%
HOST = 100.0
TOP_M = 400.0
K_TOP = int(np.searchsorted(tops_m, TOP_M))


def conductor(n_cells: int, conductance_s: float = 10.0) -> np.ndarray:
    rho = np.full(len(thick_m) + 1, HOST)
    rho[K_TOP:K_TOP + n_cells] = thick_m[K_TOP:K_TOP + n_cells].sum() / conductance_s
    return rho


equal_s = {n: conductor(n) for n in (1, 2, 4)}
for n, rho in equal_s.items():
    h = thick_m[K_TOP:K_TOP + n].sum()
    print(f"{n} cell(s): {h:3.0f} m of {rho[K_TOP]:4.1f} Ω·m")
pairs = {(a, b): apart(equal_s[a], equal_s[b]) for a, b in ((1, 2), (2, 4), (1, 4))}
for (a, b), value in pairs.items():
    print(f"responses of {a} and {b} cell(s) apart by nRMS {value:.2f} (2 % noise)")
no_conductor = apart(equal_s[2], np.full(len(thick_m) + 1, HOST))
print(f"…and of the 2-cell conductor and no conductor at all: nRMS {no_conductor:.1f}")
# the claims above: halving thickness and resistivity together is below the noise, the
# conductor itself far above it
assert pairs[(1, 2)] < 1 < no_conductor / 10

# %% [markdown]
# A 1-cell and a 2-cell conductor of the same conductance are *equivalent* at 2 % noise:
# their responses are less than one standard deviation apart. No inversion can choose
# between them — only their conductance is in the data. (At four cells, ≈ 130 m, the
# difference exceeds the noise: equivalence has a range.)
#
# What do the inversions make of them? The three soundings with 2 % noise, inverted by the
# network, by pyGIMLi's smooth inversion (λ = 20) and by `mtlib.invert` (Occam from a
# half-space, each sounding fitted to nRMS 1), on the same grid. For each answer: the
# conductance between 250 and 700 m in excess of the host, and the data misfit.

# %%
WINDOW_M = (250.0, 700.0)


def excess_s(rho):
    return grid.excess_conductance_s(rho, thick_m, *WINDOW_M, host_ohmm=HOST)


def occam(rhoa, phase, **options):
    """mtlib's Occam inversion from a half-space on the paper's grid (the roughness decides;
    the half-space reference weighs 1/100)."""
    return mtlib.invert(freq_hz, rhoa, phase, Z_REL_ERR, start="halfspace", thick_m=thick_m,
                        **options)


answers = {}
for n, rho in equal_s.items():
    rhoa, phase = noise.add_noise(*forward.mt1d(rho, thick_m, freq_hz), NOISE, seed=n)
    models = {
        "U-Net": net.predict(rhoa, phase, **told_noise(net, NOISE)),
        "pyGIMLi smooth": baseline.pygimli_invert(freq_hz, rhoa, phase, thick_m,
                                                z_rel_err=Z_REL_ERR).rho_ohmm,
        "mtlib Occam": occam(rhoa, phase).rho_ohmm,
    }
    answers[n] = {"true": rho, **models}
    print(f"{n} cell(s), true excess conductance {excess_s(rho):4.1f} S:")
    for name, model in models.items():
        misfit = float(metrics.data_nrms(model, thick_m, freq_hz, rhoa, phase, NOISE))
        print(f"   {name:15s} {excess_s(model):4.1f} S, nRMS {misfit:4.2f}")
        answers[n][name + " nRMS"] = misfit
# the claims below: both classical inversions fit and keep the conductance within 20 %;
# the network's models neither fit nor keep it
for n, a in answers.items():
    for name in ("pyGIMLi smooth", "mtlib Occam"):
        assert a[name + " nRMS"] < 1.2 and abs(excess_s(a[name]) / excess_s(a["true"]) - 1) < 0.2
    assert a["U-Net nRMS"] > 2 and excess_s(a["U-Net"]) < 0.85 * excess_s(a["true"])

# %%
fig, axes = plt.subplots(1, 4, figsize=(15, 4.2), gridspec_kw={"width_ratios": [1, 1, 1, 1.4]})
styles = {"true": dict(color="k", lw=2), "U-Net": dict(color="C3"),
          "pyGIMLi smooth": dict(color="C0"), "mtlib Occam": dict(color=plotting.REFINED_COLOR)}
for ax, (n, a) in zip(axes[:3], answers.items()):
    plotting.model_axes(ax, bottom_m=1200, rho_lim=(1, 300))
    for name, style in styles.items():
        plotting.plot_model(ax, a[name], thick_m, 1200, label=name, **style)
    ax.set_title(f"{n} cell(s), 10 S", fontsize=10)
    if n != 1:
        ax.set_ylabel("")
axes[0].legend(fontsize=8, loc="lower left")
ax_r = axes[3]
ax_p = ax_r.twinx()
for n, rho in equal_s.items():
    rhoa, phase = forward.mt1d(rho, thick_m, freq_hz)
    ax_r.plot(freq_hz, rhoa, color=f"C{n + 4}", label=f"ρa, {n} cell(s)")
    ax_p.plot(freq_hz, phase, color=f"C{n + 4}", ls="--")
ax_r.set(xscale="log", yscale="log", xlim=(freq_hz.max(), freq_hz.min()), xlabel="frequency (Hz)",
         ylabel="ρa (Ω·m), solid")
ax_p.set_ylabel("φ (°), dashed")
ax_r.legend(fontsize=8, loc="upper left")
ax_r.set_title("the three responses", fontsize=10)
fig.suptitle("Equal conductance, 2 % noise: classical inversions keep S, the network does not")
fig.tight_layout()
plotting.save(fig, "03_equivalence")

# %% [markdown]
# The classical inversions smear the conductor over a few hundred metres — the smoothest
# model that fits — but they keep its conductance and fit the data: that is
# S-equivalence, and it is all the data allow. The network's models are smeared *and*
# carry too little conductance, and they do not fit their data (nRMS well above 1): the
# network falls back on its training prior, in which a conductor this thin and this strong
# is rare (the generator would need adjacent control layers; notebook 02). A network's
# answer is only as good as its prior; the physics refinement of `mtlib.invert`
# (notebook 08) is what brings such an answer back to the data.

# %% [markdown]
# ## 3. Screening: a resistor below a conductor
#
# The same resistor — 220 Ω·m from 800 to 1000 m in a 30 Ω·m host — with and without a
# 2 Ω·m conductor at 200–400 m above it. The conductor takes up the induced currents, and
# the fields that reach below it are weak.

# %%
def with_layer(rho, top_m, bottom_m, value):
    out = rho.copy()
    out[(tops_m >= top_m) & (tops_m < bottom_m)] = value
    return out


host30 = np.full(len(thick_m) + 1, 30.0)
screens = {"no conductor above": host30, "2 Ω·m conductor above": with_layer(host30, 200, 400, 2.0)}
screened = {name: apart(rho, with_layer(rho, 800, 1000, 220.0)) for name, rho in screens.items()}
for name, value in screened.items():
    print(f"{name:22s}: the resistor changes the data by nRMS {value:.2f}")
assert screened["no conductor above"] > 1 > screened["2 Ω·m conductor above"]

# %% [markdown]
# Without the conductor the resistor is (just) in the data; under it, it is not: below a
# good conductor the data say little, and a model there is set by the inversion's
# regularization or a network's prior, not by the data. Notebook 07's explorer shows a
# resistor closer below a conductor, which the data *do* see and the network under-resolves.
#
# ## 4. Thin layers at depth: conductors are seen, resistors hardly
#
# A single cell of the grid, 5 Ω·m (a conductor) or 1000 Ω·m (a resistor), in a 100 Ω·m
# half-space at increasing depth; the cells thicken with depth (notebook 02).

# %%
half_space = np.full(len(thick_m) + 1, HOST)
depths_m = [100, 300, 600, 1000, 1500]
thin = []
for depth in depths_m:
    k = int(np.searchsorted(tops_m, depth))
    row = {"depth": tops_m[k], "h": thick_m[k]}
    for name, value in (("conductor", 5.0), ("resistor", 1000.0)):
        layered = half_space.copy()
        layered[k] = value
        row[name] = apart(half_space, layered)
    thin.append(row)
print("top (m) | thickness (m) | 5 Ω·m: S, nRMS | 1000 Ω·m: ρh (Ω·m²), nRMS")
for r in thin:
    print(f"{r['depth']:7.0f} | {r['h']:13.0f} | {r['h'] / 5:4.1f} S, {r['conductor']:5.1f} | "
          f"{r['h'] * 1000:8.0f}, {r['resistor']:4.2f}")
assert all(r["conductor"] > 5 for r in thin)
assert all(r["resistor"] < 1 for r in thin[1:]) and thin[0]["resistor"] > 1

# %%
fig, (ax_s, ax_t) = plt.subplots(1, 2, figsize=(11, 3.6), gridspec_kw={"width_ratios": [1, 1.3]})
labels = list(screened)
ax_s.scatter(list(screened.values()), labels, color="0.3", s=60, zorder=3)
ax_s.axvline(1, color="0.5", ls=":", lw=1)
ax_s.set(xscale="log", xlim=(0.1, 10), xlabel="change of the data by the resistor (nRMS, 2 % noise)",
         title="a resistor at 800–1000 m")
ax_s.set_ylim(-0.7, 1.7)
ax_s.annotate("← below the noise", (1, 0.5), xytext=(-4, 0), textcoords="offset points",
              ha="right", fontsize=8, color="0.4")
for name, color in (("conductor", "C5"), ("resistor", "C8")):
    ax_t.plot([r[name] for r in thin], [r["depth"] for r in thin], "o-", color=color,
              label={"conductor": "one cell of 5 Ω·m", "resistor": "one cell of 1000 Ω·m"}[name])
ax_t.axvline(1, color="0.5", ls=":", lw=1, label="nRMS 1: the noise")
ax_t.set(xscale="log", xlabel="change of the data (nRMS, 2 % noise)", ylabel="depth of the cell (m)",
         title="a thin layer in 100 Ω·m")
ax_t.invert_yaxis()
ax_t.legend(fontsize=8)
for ax in (ax_s, ax_t):
    ax.grid(True, which="both", alpha=0.3)
fig.tight_layout()
plotting.save(fig, "03_resolution")

# %% [markdown]
# A thin conductor changes the data far above the noise at every depth here: MT measures
# conductance, and these cells carry 4–27 S. A thin *resistor* is invisible below the first
# few hundred metres, even at ten times the host's resistivity: the currents flow around
# it, in the host, and only its transverse resistance ρh would show, once it is very large.
# MT resolves conductors, and the top of a conductor better than its base.

# %% [markdown]
# ## 5. The classical inversion
#
# A classical inversion chooses, among all the models that explain the data, one with the
# least structure. With $m = \log_{10}\rho$ of the layers, it minimizes
#
# $$\Phi(m) = \underbrace{\lVert W\,(d - F(m))\rVert^2}_{\chi^2:\ \text{data misfit}}
#   + \lambda\,\underbrace{\lVert R\,m\rVert^2}_{\text{roughness}},$$
#
# with $W$ the inverse data errors and $R$ the first differences between adjacent layers.
# The **trade-off** parameter λ sets how much structure the data may buy. One sounding
# (2 % noise) inverted by pyGIMLi at λ from 0.3 to 1000: the misfit χ² per datum (1 =
# fitted to the noise; nRMS²) against the roughness, and three of the models.

# %%
rho_one = conductor(2, 20.0)
rho_one[tops_m >= 1000] = 300.0
rhoa_one, phase_one = noise.add_noise(*forward.mt1d(rho_one, thick_m, freq_hz), NOISE, seed=5)
lams = [0.3, 1, 3, 10, 30, 100, 300, 1000]
sweep = [baseline.pygimli_invert(freq_hz, rhoa_one, phase_one, thick_m, z_rel_err=Z_REL_ERR, lam=lam)
         for lam in lams]
chi2 = np.array([r.chi2 for r in sweep])
rough = np.array([np.sqrt(np.mean(np.diff(np.log10(r.rho_ohmm)) ** 2)) for r in sweep])
for lam, c2, ro in zip(lams, chi2, rough):
    print(f"λ = {lam:6g}: χ² {c2:5.2f}, roughness {ro:.3f} decades")
# the claims below: smoother with every step of λ; λ 1–30 fit, λ ≥ 100 do not, and at
# λ = 0.3 the iterations stop short of a fit
fits = dict(zip(lams, chi2 <= 1.0))
assert np.all(np.diff(rough) < 0)
assert all(fits[lam] for lam in (1, 3, 10, 30)) and not any(fits[lam] for lam in (0.3, 100, 300))

fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(10, 4))
ax_t.plot(rough, chi2, "o-", color="C0")
for lam, x, y in zip(lams, rough, chi2):
    ax_t.annotate(f"λ={lam:g}", (x, y), xytext=(4, 4), textcoords="offset points", fontsize=7)
ax_t.axhline(1, color="0.6", ls=":", lw=1, label="χ² = 1: fitted to the noise")
ax_t.set(xlabel="roughness (RMS step of log10 ρ, decades)", ylabel="χ² per datum",
         title="trade-off curve")
ax_t.legend(fontsize=8)
plotting.model_axes(ax_m, bottom_m=PLOT_BOTTOM_M, rho_lim=(1, 1000))
plotting.plot_model(ax_m, rho_one, thick_m, PLOT_BOTTOM_M, color="k", lw=2, label="true")
for lam, shade in ((1, "C9"), (30, "C0"), (1000, "navy")):
    plotting.plot_model(ax_m, sweep[lams.index(lam)].rho_ohmm, thick_m, PLOT_BOTTOM_M,
                        color=shade, label=f"pyGIMLi, λ = {lam:g}")
ax_m.legend(fontsize=8, loc="lower left")
fig.tight_layout()
plotting.save(fig, "03_tradeoff")

# %% [markdown]
# From λ = 1 to 30 every model fits the data (χ² ≤ 1): the data cannot choose among them,
# and smaller λ only adds structure they do not ask for. From λ = 100 up the models are too
# smooth to explain them. At λ = 0.3 the problem is so ill-posed that pyGIMLi's
# Gauss–Newton iterations stop short of a fit — regularization also makes the problem
# solvable. The **discrepancy principle** picks the largest λ at which χ² per datum still
# reaches 1: the smoothest model that fits, no more and no less. Occam's inversion
# (Constable, Parker & Constable 1987) searches that λ at every iteration, per sounding — it
# is what `mtlib.invert` does. pyGIMLi's runs in this project keep one fixed λ = 20 for all
# soundings, which for this one lands on the flat part of the curve.
#
# ### Smooth or blocky
#
# The squared roughness spreads every change of resistivity over many layers. Measured
# nearly as an L1 norm instead — iteratively reweighted, each step between layers weighted
# by $\varepsilon/\sqrt{r_j^2+\varepsilon^2}$ from the previous model (Farquharson &
# Oldenburg 1998) — a few large jumps cost less than many small steps, and the model that
# fits comes out in **blocks**. Both by `mtlib.invert` (from a half-space, the discrepancy
# principle per sounding; `roughness="smooth"` or `"blocky"`), on a three-layer earth with
# 2 % noise.
#
# ### Niblett–Bostick: an inversion that costs nothing
#
# Each period's $\rho_a$ and φ map to a resistivity $\rho_{NB} = \rho_a(\pi/2\varphi - 1)$
# at the depth $\sqrt{\rho_a/\omega\mu_0}$ (the skin depth over √2): exact for a half-space,
# a smooth approximation otherwise. Drawn as points on the same figure.

# %%
rho3 = np.where(tops_m < 300, 100.0, np.where(tops_m < 700, 5.0, 300.0))
rhoa3, phase3 = noise.add_noise(*forward.mt1d(rho3, thick_m, freq_hz), NOISE, seed=1)
norms = {name: occam(rhoa3, phase3, roughness=name) for name in ("smooth", "blocky")}
nb_depth_m, nb_rho = bostick(freq_hz, rhoa3, phase3)
for name, res in norms.items():
    steps = np.abs(np.diff(np.log10(res.rho_ohmm)))
    print(f"{name:6s}: nRMS {res.nrms:.2f} in {res.iterations} iterations ({1e3 * res.seconds:.0f} ms); "
          f"model error {metrics.log_rho_rmse(res.rho_ohmm, rho3):.3f} decades; "
          f"steps > 0.05 decades: {np.sum(steps > 0.05)}, largest {steps.max():.2f}")
inside = (grid.layer_centres_m(thick_m) > 350) & (grid.layer_centres_m(thick_m) < 650)
spread = {name: np.ptp(np.log10(res.rho_ohmm[inside])) for name, res in norms.items()}
print(f"spread of log10 ρ inside the conductor: smooth {spread['smooth']:.2f}, "
      f"blocky {spread['blocky']:.2f} decades (true 0)")
# the claims above: both fit; the blocky model has fewer, larger steps and a flatter conductor
assert all(res.nrms <= 1.0 + 1e-6 for res in norms.values())
smooth_steps, blocky_steps = (np.abs(np.diff(np.log10(norms[k].rho_ohmm))) for k in norms)
assert np.sum(blocky_steps > 0.05) < np.sum(smooth_steps > 0.05)
assert blocky_steps.max() > smooth_steps.max() and spread["blocky"] < spread["smooth"]

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
ax.set_title("three layers, 2 % noise: both models fit (nRMS 1)", fontsize=10)
fig.tight_layout()
plotting.save(fig, "03_smooth_blocky")

# %% [markdown]
# Both models explain the data equally well; they are different answers to "which of the
# fitting models?". The blocky one finds the top of the conductor sharply, keeps it flat and
# jumps back up near its base (650 m; true 700 m); the smooth one blurs both boundaries. Neither finds the resistive basement's value: below a
# 5 Ω·m conductor 400 m thick it is screened (section 3). The Niblett–Bostick points find
# the conductor's top and its value at no cost, but draw the rise to the basement far too
# deep and too gradual: a transform, not an inversion — nothing makes its model fit.
#
# ## 6. What this means for a network
#
# * The data fix the **conductance** of thin conductors, the **top** of conductors, and
#   little below a good conductor or inside thin resistors. Everything else is chosen by a
#   prior: the roughness norm of a classical inversion, or, for a network, the models it was
#   trained on.
# * A network trained on a prior returns (about) the mean of the models of that prior that
#   match the data. On soundings from its own prior that beats any smooth inversion — it
#   knows more than the data (notebook 05) — but where an earth leaves its prior, its answer
#   no longer fits the data (section 2 here, notebook 06 section 4).
# * So a network's answer should be checked against the data, and the classical machinery
#   of this notebook — misfit against the noise, the discrepancy principle, a choice of
#   norm — is how: `mtlib.invert` starts Occam from the network's guess and keeps what the
#   data do not contradict (notebook 08).
