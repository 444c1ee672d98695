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
# # 04 — Validation: the paper's Fig. 2 and Fig. 3, and what they leave out
#
# The network of this profile (trained by notebook 03, or the shipped one when training was
# skipped) is judged on a **fresh test set** drawn with a seed no dataset uses: errors in
# log10 ρ overall and versus depth, how well its predicted models fit the data, and how it
# copes with noise.

# %% tags=["parameters"]
profile = None  # smoke | quick | paper; None → $MTLIB_PROFILE or "quick"

# %%
import numpy as np

from mtlib import config, dataset, evaluate, forward, generator, plotting

P = config.get_profile(profile)
net = P.network()
span = net.normalizer.log_span
origin = net.training.get("profile") or f"run of profile {P.name}"
print(f"profile: {P.name}; network trained on {net.training['n_train']:,} samples, "
      f"{net.training['epochs_run']} epochs, on {net.training['device']} ({origin})")

# %% [markdown]
# ## Fig. 2 — loss curves
#
# Training and validation RMSE (normalized log10 ρ, the paper's loss) at every epoch.
# Training loss is measured on noisy inputs while the weights change during the epoch, so
# early on it sits above the validation loss.

# %%
fig = plotting.loss_curves_figure(net.training["history"], log_span=span)
plotting.save(fig, "fig2_loss_curves")

# %% [markdown]
# ## Fig. 3 — predicted versus true models
#
# Eight models of the validation split, the network's prediction in red.

# %%
ds = dataset.build_dataset(P.dataset_dir(), P.dataset_spec())
val = ds.load("val")
pick = np.arange(8)
rho_pred = net.predict(val["rhoa_ohmm"][pick], val["phase_deg"][pick])
err = evaluate.log_rho_rmse(rho_pred, val["rho_ohmm"][pick], axis=1)
fig = plotting.predictions_figure(val["rho_ohmm"][pick], rho_pred, net.thick_m,
                                  titles=[f"RMSE {e:.3f} decades" for e in err])
plotting.save(fig, "fig3_predictions")

# %% [markdown]
# ## Metrics on a fresh test set
#
# `n_test` new paper-scheme models (seed `test_seed` of the profile), their exact responses,
# and the same with 2 %, 5 % and 10 % noise (relative on ρa, matching phase noise). The
# data misfit compares the responses of the *predicted* models with the noise-free data.

# %%
rho_test = generator.random_models(P.n_test, seed=P.test_seed)
rhoa_test, phase_test = forward.mt1d(rho_test, net.thick_m, net.freq_hz)
metrics = evaluate.evaluate(net, rho_test, rhoa_test, phase_test, seed=P.test_seed)
print(f"{P.n_test:,} test soundings")
print(f"{'noise':>6} | {'RMSE log10 ρ':>12} | {'normalized':>10} | {'ρa misfit %':>11} | "
      f"{'φ misfit °':>10}")
for level, m in metrics.items():
    print(f"{100 * level:5.0f}% | {m['log_rho_rmse']:12.4f} | {m['normalized_rmse']:10.4f} | "
          f"{m['rhoa_rms_pct']:11.2f} | {m['phase_rms_deg']:10.2f}")

# %% [markdown]
# ## Error versus depth
#
# The shallow layers are resolved best. The error peaks at mid-depths (≈ 400–800 m) and
# then *falls* towards the basement: not because MT resolves the deep layers well, but
# because the paper's scheme holds the resistivity constant below the deepest of its five
# control layers, so the bottom of most training models is a plain extrapolation that the
# network learns as a prior. Noise hurts the middle of the section most.

# %%
fig = plotting.error_vs_depth_figure(
    net.thick_m, {level: m["log_rho_rmse_by_layer"] for level, m in metrics.items()})
plotting.save(fig, "04_error_vs_depth")

# %% [markdown]
# ## The worst case in the test set
#
# Looking at the failures is as instructive as the averages: the worst-predicted test
# model, next to its prediction and both responses.

# %%
rho_all = net.predict(rhoa_test, phase_test)
worst = int(np.argmax(evaluate.log_rho_rmse(rho_all, rho_test, axis=1)))
rhoa_pred, phase_pred = forward.mt1d(rho_all[worst], net.thick_m, net.freq_hz)
fig = plotting.model_and_sounding_figure(
    np.stack([rho_test[worst], rho_all[worst]]), net.thick_m, net.freq_hz,
    np.stack([rhoa_test[worst], rhoa_pred]), np.stack([phase_test[worst], phase_pred]),
    labels=["true", "U-Net"], bottom_m=2300)
plotting.save(fig, "04_worst_case")
