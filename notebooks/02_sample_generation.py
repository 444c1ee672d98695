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
# # 02 — Sample generation: the paper's random layered models
#
# A network is only as honest as the data it learns from. This notebook shows how the
# paper's training models are drawn, what their responses look like, writes the dataset of
# the chosen profile to disk, and shows what the choices the paper leaves open change.

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

from mtlib import forward, generator, grid, plotting
from mtlib.constants import PLOT_BOTTOM_M
from mtlib.harness import config, dataset

P = config.get_profile(profile)
thick_m = grid.paper_thicknesses()
freq_hz = grid.default_frequencies()
tops_m = grid.layer_tops_m(thick_m)
print(f"profile: {P.name} — {P.n_samples:,} samples in chunks of {P.chunk_size:,}")

# %% [markdown]
# ## 1. The layer grid
#
# 39 layers of thickness $T_i = 20 + 10^{0.057(i-1)}$ m (21 m at the top, 167 m at the
# bottom) over a half-space, 40 resistivities per model.

# %%
# NBVAL_CHECK_OUTPUT
print(f"layers: {len(thick_m)} + half-space; thickness {thick_m[0]:.1f} m → {thick_m[-1]:.1f} m; "
      f"basement at {tops_m[-1]:.1f} m")
print(f"frequencies: {len(freq_hz)}, {freq_hz[0]:g} Hz → {freq_hz[-1]:g} Hz")
assert len(thick_m) == 39 and round(thick_m[0]) == 21 and round(thick_m[-1]) == 167

# %% [markdown]
# ## 2. How one model is drawn
#
# Five of the 40 layers are chosen at random and given resistivities drawn in (2, 220) Ω·m;
# the other layers are interpolated linearly over the layer index, and held constant above
# the first and below the last control layer.

# %%
rho_one, (ctrl_idx, ctrl_rho) = generator.random_models(1, seed=11, return_controls=True)
centers_m = grid.layer_centres_m(thick_m)
fig, ax = plt.subplots(figsize=(4.5, 5))
plotting.model_axes(ax, bottom_m=PLOT_BOTTOM_M)
plotting.plot_model(ax, rho_one[0], thick_m, bottom_m=PLOT_BOTTOM_M, label="interpolated model")
ax.plot(ctrl_rho[0], centers_m[ctrl_idx[0]], "o", color="C3", label="5 control layers")
ax.legend(fontsize=8, loc="lower left")
ax.set_title("One paper-scheme model")
fig.tight_layout()
plotting.save(fig, "02_one_model")

# %% [markdown]
# ## 3. A gallery of random models

# %%
gallery = generator.random_models(12, seed=3)
fig, axes = plt.subplots(2, 6, figsize=(14, 6.5), sharey=True)
for ax, rho in zip(axes.ravel(), gallery):
    plotting.model_axes(ax, bottom_m=PLOT_BOTTOM_M)
    plotting.plot_model(ax, rho, thick_m, bottom_m=PLOT_BOTTOM_M)
    ax.set_xlabel("ρ (Ω·m)")
for ax in axes[:, 1:].ravel():
    ax.set_ylabel("")
fig.suptitle("Twelve random models of the paper's scheme (uniform ρ, linear interpolation)")
fig.tight_layout()
plotting.save(fig, "02_model_gallery")

# %% [markdown]
# ## 4. What the responses look like
#
# Median and 5–95 % / 25–75 % bands of apparent resistivity and phase over 10 000 models.
# Apparent resistivities stay within (2, 220) Ω·m up to overshoots of at most ≈ 20 % near
# sharp contrasts; phases stay between about 13° and 77°.

# %%
rho_many = generator.random_models(10_000, seed=5)
rhoa_many, phase_many = forward.mt1d(rho_many, thick_m, freq_hz)
fig, (ax_r, ax_p) = plt.subplots(1, 2, figsize=(11, 4))
plotting.sounding_axes(ax_r, ax_p, freq_hz)
plotting.percentile_band(ax_r, freq_hz, rhoa_many)
plotting.percentile_band(ax_p, freq_hz, phase_many)
fig.suptitle("Responses of 10 000 paper-scheme models (median, 25–75 %, 5–95 %)")
fig.tight_layout()
plotting.save(fig, "02_response_distribution")
print(f"ρa range: {rhoa_many.min():.2f} – {rhoa_many.max():.2f} Ω·m; "
      f"φ range: {phase_many.min():.1f}° – {phase_many.max():.1f}°")
# the claims above: within the control range up to small overshoots, phases within ≈ 13–77°
assert 2 / 1.25 < rhoa_many.min() and rhoa_many.max() < 220 * 1.25
assert 10 < phase_many.min() < 16 and 74 < phase_many.max() < 80

# %% [markdown]
# ## 5. The dataset of this profile, on disk
#
# `mtlib.harness.dataset.build_dataset` writes the samples in chunks, each generated from its own
# seed and written atomically, with a manifest that records every parameter, the package
# versions and a SHA-256 per chunk. Running this cell again reuses the finished dataset; an
# interrupted run resumes; a folder holding a dataset with other parameters is refused.
# Splits are contiguous and deterministic: 80 % train, 10 % validation, 10 % test.

# %%
spec = P.dataset_spec()
start = time.perf_counter()
ds = dataset.build_dataset(P.dataset_dir(), spec)
print(f"{ds!r} ready in {time.perf_counter() - start:.1f} s")
print(f"content hash: {ds.content_hash}")
for split in ("train", "val", "test"):
    lo, hi = ds.split_range(split)
    print(f"{split:>5}: samples {lo:>7,} – {hi:>7,}")

# %%
val = ds.load("val")
print({name: array.shape for name, array in val.items()})
sizes = {split: np.subtract(*ds.split_range(split)[::-1]) for split in ("train", "val", "test")}
assert sizes["train"] == 8 * sizes["val"] == 8 * sizes["test"] == 0.8 * P.n_samples

# %% [markdown]
# ## 6. What the open choices change
#
# The paper does not say whether control resistivities are uniform in ρ or in log ρ, nor
# whether interpolation is linear in ρ or in log ρ. `mtlib` defaults to the literal reading
# (uniform, linear) and offers `sampling="loguniform"` and `interp="log"`. The literal reading
# puts few layers in the conductive decade: a network trained on it sees few conductors,
# and conductors shape MT responses most (their conductance, and the screening of what lies
# below them; sensitivity follows contrasts and conductance, not one decade of ρ).

# %%
options = [("uniform", "linear"), ("uniform", "log"), ("loguniform", "linear"),
           ("loguniform", "log")]
bins = np.linspace(np.log10(2), np.log10(220), 41)
fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
shares = {}
for k, (sampling, interp) in enumerate(options):
    rho_opt = generator.random_models(20_000, seed=1, sampling=sampling, interp=interp)
    share = shares[sampling, interp] = np.mean(rho_opt < 20.0)
    axes[0].hist(np.log10(rho_opt).ravel(), bins=bins, histtype="step", density=True, lw=1.5,
                 label=f"{sampling}, {interp} ({share:.0%} of layers < 20 Ω·m)")
    plotting.plot_model(axes[1], rho_opt[0], thick_m, bottom_m=PLOT_BOTTOM_M, color=f"C{k}",
                        label=f"{sampling}, {interp}")
axes[0].set_xlabel("log10 ρ (Ω·m)")
axes[0].set_ylabel("density over all layers")
axes[0].legend(fontsize=8)
plotting.model_axes(axes[1], bottom_m=PLOT_BOTTOM_M)
axes[1].set_title("first model of each option (seed 1)")
# the claim above: the literal reading puts the fewest layers below 20 Ω·m
assert shares[("uniform", "linear")] == min(shares.values())
fig.tight_layout()
plotting.save(fig, "02_scheme_options")
