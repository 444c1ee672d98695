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
# # 05 — Timing: the paper's 0.2 s, and the network against a classic inversion
#
# The paper reports that predicting its whole validation set took 0.2 s on an RTX 3090.
# Here the same is measured on this machine's CPU (and GPU when there is one), and the
# network is compared with pyGIMLi's smooth inversion (a fixed regularization, λ = 20 — not
# Occam's search for the smoothest model that fits) on the same noisy soundings: time per
# sounding and accuracy.

# %% tags=["parameters"]
profile = None  # smoke | quick | paper; None → $MTLIB_PROFILE or "quick"

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import torch

from mtlib import config, dataset, evaluate, forward, generator, plotting

P = config.get_profile(profile)
net = P.network()
print(f"profile: {P.name}; CPU: {os.cpu_count()} cores, torch threads {torch.get_num_threads()}; "
      f"GPU: {torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'none'}")

# %% [markdown]
# ## 1. The validation set in one go
#
# The paper's validation set size is not stated; ours is 10 % of the profile's samples, and
# 50 000 soundings stands for 10 % of the paper's 500 000.

# %%
ds = dataset.build_dataset(P.dataset_dir(), P.dataset_spec())
val = ds.load("val")
rho_50k = generator.random_models(50_000, seed=P.test_seed)
rhoa_50k, phase_50k = forward.mt1d(rho_50k, net.thick_m, net.freq_hz)
devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
timings = {}
for device in devices:
    t_val = evaluate.time_prediction(net, val["rhoa_ohmm"], val["phase_deg"], device=device)
    t_50k = evaluate.time_prediction(net, rhoa_50k, phase_50k, device=device)
    timings[device] = t_50k
    print(f"{device}: validation split ({len(val['rhoa_ohmm']):,}) in {t_val:.3f} s; "
          f"50 000 soundings in {t_50k:.3f} s = {50_000 / t_50k:,.0f} soundings/s "
          f"(paper: 0.2 s on an RTX 3090)")

# %% [markdown]
# ## 2. Network versus pyGIMLi's smooth inversion
#
# `n_occam` random soundings with 2 % noise, inverted by both on the same 40-layer grid.
# pyGIMLi runs a regularized Gauss–Newton inversion per sounding (λ = 20, errors as the
# noise); the network runs one forward pass for the whole batch.

# %%
cmp = evaluate.compare_with_occam(net, P.n_occam, rel_noise=0.02, seed=P.test_seed)
t_net = timings["cpu"] / 50_000
t_occ = cmp["pygimli_occam"]["seconds_per_sounding"]
print(f"{cmp['n_soundings']} soundings, 2 % noise")
print(f"  U-Net (CPU)          : RMSE {cmp['network']['log_rho_rmse']:.3f} decades, "
      f"{t_net * 1e6:8.1f} µs per sounding (throughput on 50 000)")
print(f"  pyGIMLi smooth inv.  : RMSE {cmp['pygimli_occam']['log_rho_rmse']:.3f} decades, "
      f"{t_occ * 1e6:8.1f} µs per sounding (mean χ² {cmp['pygimli_occam']['mean_chi2']:.2f})")
print(f"  speed-up             : {t_occ / t_net:,.0f}×")

# %%
n_show = min(4, cmp["n_soundings"])
fig, axes = plt.subplots(1, n_show, figsize=(3.3 * n_show, 4.2), sharey=True, squeeze=False)
axes = axes[0]
models = cmp["models"]
for k, ax in enumerate(axes):
    plotting.model_axes(ax, bottom_m=2300)
    plotting.plot_model(ax, models["true"][k], net.thick_m, 2300, color="k", label="true")
    plotting.plot_model(ax, models["network"][k], net.thick_m, 2300, color="C3", label="U-Net")
    plotting.plot_model(ax, models["pygimli_occam"][k], net.thick_m, 2300, color="C0",
                        label="pyGIMLi smooth")
    if k:
        ax.set_ylabel("")
axes[0].legend(fontsize=8, loc="lower left")
fig.suptitle("Same noisy soundings (2 %): U-Net and pyGIMLi's smooth inversion")
fig.tight_layout()
plotting.save(fig, "05_network_vs_pygimli")

# %% [markdown]
# ## 3. Forward throughput
#
# Every training sample costs one forward solve: the fused numba kernel makes the 500 000
# samples of the paper a matter of seconds.

# %%
rho_fwd = generator.random_models(20_000, seed=1)
t_fwd = evaluate.best_time(lambda: forward.mt1d(rho_fwd, net.thick_m, net.freq_hz))
print(f"forward: {20_000 / t_fwd:,.0f} soundings/s (float64, CPU)")

# %%
fig, ax = plt.subplots(figsize=(7, 3))
labels = ["U-Net, CPU", "forward solve, CPU", "pyGIMLi smooth inversion"]
values = [t_net, t_fwd / 20_000, t_occ]
if "cuda" in timings:
    labels.insert(1, "U-Net, GPU")
    values.insert(1, timings["cuda"] / 50_000)
ax.barh(labels, values, color=["C3"] * (len(values) - 2) + ["C2", "C0"])
ax.set_xscale("log")
ax.set_xlabel("seconds per sounding")
ax.grid(True, axis="x", which="both", alpha=0.3)
fig.tight_layout()
plotting.save(fig, "05_timing")
