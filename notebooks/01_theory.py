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
# # 01 — The forward problem: 1D magnetotellurics, exactly
#
# Before a network can learn to *invert* MT soundings, we need the exact *forward* map from a
# layered earth to what a station measures. This notebook derives it, checks it against
# analytic cases and against an independent code (pyGIMLi), and shows why the paper's layers
# get thicker with depth.
#
# Everything here calls `mtlib`; the notebook only tells the story.

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
import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from mtlib import forward, generator, grid, plotting
from mtlib.constants import PLOT_BOTTOM_M
from mtlib.harness import config

P = config.get_profile(profile)
print(f"profile: {P.name}")

# %% [markdown]
# ## 1. From Maxwell's equations to a recursion
#
# With time dependence $e^{+i\omega t}$ and negligible displacement currents, a plane wave
# in a layer of resistivity $\rho_j$ decays with depth as $e^{-k_j z}$, where
#
# $$k_j = \sqrt{i\omega\mu_0/\rho_j} = (1+i)\,a_j,\qquad a_j = \sqrt{\omega\mu_0 / 2\rho_j}.$$
#
# The station measures the impedance $Z = E_x/H_y$ (Ω). In a uniform half-space it equals the
# *intrinsic impedance* $z_j = i\omega\mu_0/k_j = (1+i)\sqrt{\omega\mu_0\rho_j/2}$. In a layered
# earth it is obtained from the bottom up: starting with $Z_N = z_N$ in the basement,
#
# $$Z_j = z_j\,\frac{(z_j + Z_{j+1}) - (z_j - Z_{j+1})\,e^{-2k_jh_j}}
#                   {(z_j + Z_{j+1}) + (z_j - Z_{j+1})\,e^{-2k_jh_j}} .$$
#
# Only the *decaying* exponential appears, so a thick conductive layer at high frequency
# simply makes $e^{-2k_jh_j}\to 0$ (the layer then looks like a half-space) — no overflow.
# Since $k_j=(1+i)a_j$, that exponential is $e^{-x}(\cos x - i\sin x)$ with $x = 2a_jh_j$:
# real functions only, which is what makes `mtlib`'s fused kernel fast.
#
# What is plotted is the **apparent resistivity** and **phase**
#
# $$\rho_a = \frac{|Z|^2}{\omega\mu_0},\qquad \varphi = \arg Z .$$
#
# ## 2. Check 1: a uniform half-space
#
# For $Z = z$ we get $|z|^2 = \omega\mu_0\rho$, so $\rho_a = \rho$ and $\varphi = 45°$ at every
# frequency.

# %%
# NBVAL_CHECK_OUTPUT
freq_hz = grid.default_frequencies()
rho_half = np.array([[2.0], [37.0], [220.0]])  # three half-spaces, L = 1 layer each
rhoa, phase = forward.mt1d(rho_half, np.empty(0), freq_hz)
print("max |ρa/ρ - 1| < 1e-14:", bool(np.max(np.abs(rhoa / rho_half - 1)) < 1e-14))
print("max |φ - 45°|  < 1e-12:", bool(np.max(np.abs(phase - 45.0)) < 1e-12))
assert np.max(np.abs(rhoa / rho_half - 1)) < 1e-14 and np.max(np.abs(phase - 45.0)) < 1e-12

# %% [markdown]
# ## 3. Check 2: two layers and their asymptotes
#
# Over a 500 m layer of 100 Ω·m, very high frequencies only see the top layer
# ($\rho_a\to\rho_1$), very low frequencies see through it to the basement
# ($\rho_a\to\rho_2$); the phase returns to 45° at both ends and rises above 45° where
# resistivity decreases with depth (conductive basement), below 45° where it increases.

# %%
wide_freq_hz = np.logspace(6, -4, 200)
two_layer = np.array([[100.0, 10.0], [100.0, 1000.0]])
thick_two = np.array([500.0])
rhoa2, phase2 = forward.mt1d(two_layer, thick_two, wide_freq_hz)

fig, (ax_r, ax_p) = plt.subplots(1, 2, figsize=(11, 4))
plotting.sounding_axes(ax_r, ax_p, wide_freq_hz)
for k, label in enumerate(["100 over 10 Ω·m", "100 over 1000 Ω·m"]):
    plotting.plot_sounding(ax_r, ax_p, wide_freq_hz, rhoa2[k], phase2[k], label=label)
for rho in (10, 100, 1000):
    ax_r.axhline(rho, color="0.6", ls=":", lw=1)
ax_p.axhline(45, color="0.6", ls=":", lw=1)
ax_r.legend()
fig.suptitle("Two-layer earth: ρa tends to ρ1 at high and to ρ2 at low frequency")
fig.tight_layout()
plotting.save(fig, "01_two_layer")

# %%
# NBVAL_CHECK_OUTPUT
for k, label in enumerate(["100 over 10", "100 over 1000"]):
    print(f"{label:>14} Ω·m: ρa(1 MHz) = {rhoa2[k, 0]:7.2f}, ρa(0.1 mHz) = {rhoa2[k, -1]:7.2f}, "
          f"φ at the ends = {phase2[k, 0]:.2f}°, {phase2[k, -1]:.2f}°")
# the claims above: the asymptotes, 45° at both ends, above 45° over the conductive basement
# and below it over the resistive one
np.testing.assert_allclose(rhoa2[:, 0], two_layer[:, 0], rtol=0.01)
np.testing.assert_allclose(rhoa2[:, -1], two_layer[:, 1], rtol=0.05)
np.testing.assert_allclose(phase2[:, [0, -1]], 45.0, atol=1.0)
assert phase2[0].max() > 60 and phase2[1].min() < 30

# %% [markdown]
# ## 4. The paper's 40-layer model
#
# The paper discretizes the ground into 39 layers of thickness
# $T_i = 20 + 10^{0.057(i-1)}$ m plus a basement half-space (≈ 1 964 m of layers), and
# draws random models by interpolating between 5 random control layers (notebook 02).
# Here is one such model and its sounding over the default band, 10 kHz → 0.1 Hz,
# 40 frequencies.

# %%
thick_m = grid.paper_thicknesses()
rho_example = generator.random_models(3, seed=7)
rhoa_ex, phase_ex = forward.mt1d(rho_example, thick_m, freq_hz)
fig = plotting.model_and_sounding_figure(
    rho_example, thick_m, freq_hz, rhoa_ex, phase_ex,
    labels=[f"model {k}" for k in range(3)], bottom_m=PLOT_BOTTOM_M,
)
fig.suptitle("Random paper-scheme models and their MT responses", y=1.02)
plotting.save(fig, "01_paper_models")

# %% [markdown]
# ## 5. Skin depth, and why the layers thicken with depth
#
# A field of frequency $f$ is attenuated by $1/e$ over the skin depth
# $\delta = \sqrt{2\rho/\omega\mu_0}\approx 503\sqrt{\rho/f}$ m. Lower frequencies see deeper
# but with a blur proportional to the depth they see: resolution degrades with depth. A grid
# whose cells grow with depth puts its parameters where the data can resolve them.
# The band 10 kHz–0.1 Hz spans skin depths from ≈ 7 m (2 Ω·m at 10 kHz) to ≈ 24 km
# (220 Ω·m at 0.1 Hz) — but not for every earth of the paper's 2–220 Ω·m range at both
# ends. At the corners of that range the model reaches past the band: a uniformly resistive
# earth (220 Ω·m) has a skin depth of ≈ 75 m at 10 kHz, so the top three layers lie within
# the shallowest skin depth and are seen only as an average; a uniformly conductive one
# (2 Ω·m) is sounded at 0.1 Hz only to its Niblett–Bostick depth δ/√2 ≈ 1.6 km, above the
# top of the basement.

# %%
tops_m = grid.layer_tops_m(thick_m)
fig, (ax_d, ax_t) = plt.subplots(1, 2, figsize=(11, 4))
for rho in (2.0, 20.0, 220.0):
    ax_d.loglog(freq_hz, forward.skin_depth_m(rho, freq_hz), label=f"ρ = {rho:g} Ω·m")
ax_d.axhline(tops_m[-1], color="k", ls="--", lw=1, label=f"top of the basement ({tops_m[-1]:.0f} m)")
ax_d.set_xlim(freq_hz.max(), freq_hz.min())
ax_d.set_xlabel("frequency (Hz)")
ax_d.set_ylabel("skin depth δ (m)")
ax_d.grid(True, which="both", alpha=0.3)
ax_d.legend(fontsize=8)
ax_t.plot(thick_m, 0.5 * (tops_m[:-1] + tops_m[1:]), "o-", ms=3)
ax_t.invert_yaxis()
ax_t.set_xlabel("layer thickness (m)")
ax_t.set_ylabel("depth of layer centre (m)")
ax_t.set_title(r"$T_i = 20 + 10^{0.057(i-1)}$ m")
ax_t.grid(True, alpha=0.3)
fig.tight_layout()
plotting.save(fig, "01_skin_depth")
# the claims above: the band's skin depths run from ≈ 7 m to ≈ 24 km; at the corners of the
# prior, the top three layers of a 220 Ω·m earth lie within its shallowest skin depth, and a
# 2 Ω·m earth is sounded only to ≈ 1.6 km, above the basement
shallow, deep = forward.skin_depth_m(2.0, freq_hz.max()), forward.skin_depth_m(220.0, freq_hz.min())
resistive_top = forward.skin_depth_m(220.0, freq_hz.max())
conductive_bottom = forward.skin_depth_m(2.0, freq_hz.min()) / np.sqrt(2)
print(f"skin depths from {shallow:.1f} m to {deep / 1e3:.1f} km; 220 Ω·m at 10 kHz: "
      f"{resistive_top:.0f} m (top of layer 3: {tops_m[3]:.0f} m); 2 Ω·m at 0.1 Hz: sounded "
      f"to {conductive_bottom:.0f} m (basement at {tops_m[-1]:.0f} m)")
assert 6 < shallow < 8 and 23e3 < deep < 25e3
assert tops_m[3] < resistive_top < tops_m[4] and 1500 < conductive_bottom < tops_m[-1]

# %% [markdown]
# The same idea, measured: the **sensitivity** $\partial\log\rho_a(f)/\partial\log\rho_j$ of
# each frequency to each layer, from the differentiable torch forward (one backward pass per
# frequency via `torch.autograd.functional.jacobian`). High frequencies feel only the top
# layers, and lower frequencies reach deeper. In this model the top seven layers are
# 5 Ω·m, and they take about four fifths of the sensitivity; each of the 32 more resistive
# layers 7–38 under them gets about a twentieth of what a top layer gets. Why so little?
# Not mainly because the conductor screens them: MT measures conductance, and a resistive
# layer weighs little in the response wherever it lies (notebook 03, section 4). The same
# model with those layers made 5 Ω·m gives them far more of the sensitivity than the model
# with the conductor removed does. (The x-axis is layer index, not depth: the layers
# thicken downwards.)

# %%
def log_rhoa(log_rho):
    return torch.log(forward.mt1d(torch.exp(log_rho), thick_m, freq_hz)[0])


def sensitivity(rho) -> np.ndarray:
    """∂ log ρa / ∂ log ρ (F, L) of the model ``rho`` (L,)."""
    return torch.autograd.functional.jacobian(log_rhoa, torch.log(torch.tensor(rho))).numpy()


jac = sensitivity(rho_example[0])
fig, ax = plt.subplots(figsize=(7, 4.5))
log_f = np.log10(freq_hz)
half_step = 0.5 * abs(log_f[1] - log_f[0])
vmax = np.abs(jac).max()
# rows run from the highest frequency (top) to the lowest (bottom): deeper is lower
mesh = ax.imshow(jac, aspect="auto", cmap="RdBu_r", vmin=-vmax, vmax=vmax,
                 extent=(-0.5, 39.5, log_f[-1] - half_step, log_f[0] + half_step))
ax.set_xlabel("layer index (0 = top, 39 = basement)")
ax.set_ylabel("log10 frequency (Hz)")
fig.colorbar(mesh, label="∂ log ρa / ∂ log ρ_layer")
ax.set_title("Which layers each frequency sees (model 0)")
fig.tight_layout()
plotting.save(fig, "01_sensitivity")
# the claims above: the 5 Ω·m top layers take most of the sensitivity, each of layers 7–38
# little; making those layers conductive raises their share more than removing the
# conductor above them does


def sensitivity_share(rho) -> np.ndarray:
    """Each layer's share (L,) of the summed |sensitivity| over all frequencies."""
    jac_rho = np.abs(sensitivity(rho))
    return jac_rho.sum(axis=0) / jac_rho.sum()


share = sensitivity_share(rho_example[0])
no_conductor, conductive_below = rho_example[0].copy(), rho_example[0].copy()
no_conductor[:7] = rho_example[0, 7]
conductive_below[7:39] = rho_example[0, 0]
deep = {"as drawn": share[7:39].sum(),
        "conductor removed": sensitivity_share(no_conductor)[7:39].sum(),
        "layers 7–38 at 5 Ω·m": sensitivity_share(conductive_below)[7:39].sum()}
print(f"share of the sensitivity: layers 0–6 {share[:7].sum():.1%}, 7–38 {share[7:39].sum():.1%}, "
      f"basement {share[39]:.1%}")
print("share of layers 7–38: " + ", ".join(f"{k} {v:.0%}" for k, v in deep.items()))
assert np.all(rho_example[0, :7] < 6) and share[:7].sum() > 0.7
assert share[7:39].mean() < share[:7].mean() / 15
assert deep["layers 7–38 at 5 Ω·m"] > deep["conductor removed"] > deep["as drawn"]

# %% [markdown]
# ## 6. Similarity laws
#
# The equations only contain $\omega\mu_0/\rho$ and $k h$, so two exact symmetries hold
# (they will let us move field data into the network's band later):
#
# * multiply every resistivity by $a$ and every frequency by $a$ → $\rho_a$ is multiplied by
#   $a$, the phase is unchanged;
# * multiply every thickness by $s$ and divide every frequency by $s^2$ → the same response.

# %%
# NBVAL_CHECK_OUTPUT
a, s = 3.7, 2.5
rhoa_a, phase_a = forward.mt1d(a * rho_example, thick_m, a * freq_hz)
rhoa_s, phase_s = forward.mt1d(rho_example, s * thick_m, freq_hz / s**2)
print("ρ·a, f·a  → ρa·a, same φ:", np.allclose(rhoa_a, a * rhoa_ex, rtol=1e-12),
      np.allclose(phase_a, phase_ex, atol=1e-10))
print("h·s, f/s² → same ρa, φ  :", np.allclose(rhoa_s, rhoa_ex, rtol=1e-12),
      np.allclose(phase_s, phase_ex, atol=1e-10))
np.testing.assert_allclose(rhoa_a, a * rhoa_ex, rtol=1e-12)
np.testing.assert_allclose(rhoa_s, rhoa_ex, rtol=1e-12)
np.testing.assert_allclose(np.stack([phase_a, phase_s]), np.stack([phase_ex, phase_ex]), atol=1e-10)

# %% [markdown]
# ## 7. Check 3: agreement with an independent code (pyGIMLi)
#
# pyGIMLi's `MT1dModelling` is a classic, independent C++ implementation. On 1 000 random
# paper models the two agree to rounding error (pyGIMLi returns the phase in radians).

# %%
import pygimli as pg  # noqa: E402  (optional dependency, installed by the dev extra)

rho_check = generator.random_models(1000, seed=2024)
fop = pg.core.MT1dModelling(1.0 / freq_hz, len(thick_m) + 1, False)
start = time.perf_counter()
reference = np.array([fop.response(pg.Vector(np.concatenate([thick_m, r]))) for r in rho_check])
t_pg = time.perf_counter() - start
start = time.perf_counter()
rhoa_ours, phase_ours = forward.mt1d(rho_check, thick_m, freq_hz)
t_ours = time.perf_counter() - start
rel_rhoa = np.max(np.abs(rhoa_ours / reference[:, : freq_hz.size] - 1))
abs_phase = np.max(np.abs(phase_ours - np.degrees(reference[:, 40:])))
print(f"max relative difference in ρa : {rel_rhoa:.1e}")
print(f"max difference in phase       : {abs_phase:.1e}°")
print(f"time for 1 000 soundings: pyGIMLi loop {t_pg * 1e3:.0f} ms, mtlib {t_ours * 1e3:.1f} ms")

# %%
# NBVAL_CHECK_OUTPUT
print("agrees with pyGIMLi to 1e-10 in ρa and 1e-8° in phase:", rel_rhoa < 1e-10 and abs_phase < 1e-8)
assert rel_rhoa < 1e-10 and abs_phase < 1e-8
