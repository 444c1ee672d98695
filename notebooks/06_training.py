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
# # 06 — Training the U-Net
#
# The paper trains a 1D U-Net to map a sounding — apparent resistivity and phase at 40
# frequencies — to the 40 layer resistivities, with Adam (initial learning rate 0.01), an
# RMSE loss and early stopping after 25 epochs without improvement of the validation loss.
# This notebook trains it for the chosen profile, on the GPU when there is one.
#
# Training is **resumable**: a checkpoint is written after every epoch, so re-running this
# notebook after an interruption continues where it stopped, and re-running it after a
# finished run just loads the result. The same seed gives the same network on the same
# device.

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

from mtlib import plotting
from mtlib.harness import config, dataset, train
from mtlib.networks.unet import UNet1d

P = config.get_profile(profile)
device = train.choose_device()
print(f"profile: {P.name}; training device: {device}")

# %% [markdown]
# ## 1. Data
#
# The dataset written by notebook 02 (built here if it is missing): 80 % for training, 10 %
# for validation (early stopping), 10 % held out.

# %%
ds = dataset.build_dataset(P.dataset_dir(), P.dataset_spec())
cfg = P.train_config()
print(ds)
print(f"training samples: {ds.split_range('train')[1]:,}; "
      f"validation: {ds.split_range('val')[1] - ds.split_range('val')[0]:,}")

# %% [markdown]
# ## 2. The network
#
# Input `(batch, 2, 40)`: normalized log10 ρa and φ/90° over the 40 frequencies. Three
# encoder levels (16 → 32 → 64 channels, each two conv–BatchNorm–ReLU layers and a
# max-pooling), a 128-channel bottleneck, three decoder levels with transposed convolutions
# and skip connections, then a 1×1 convolution and a dense map from the 40 frequency
# positions to the 40 layers.

# %%
# NBVAL_CHECK_OUTPUT
net = UNet1d(base_channels=cfg.base_channels, depth=cfg.depth)
print(f"U-Net: depth {cfg.depth}, base channels {cfg.base_channels}, "
      f"{net.n_parameters():,} trainable parameters")

# %% [markdown]
# The paper's Fig. 1, drawn from this very module (one forward pass records each stage's
# channels and length), so it cannot drift from the code:

# %%
fig = plotting.unet_figure(net)
plotting.save(fig, "fig1_unet")

# %% [markdown]
# ## 3. Training
#
# Adam at 0.01, then the profile's schedule: for `paper`, the rate is halved after 5 epochs
# without validation improvement; the CPU profiles (`smoke`, `quick`), whose epochs are
# capped far below the paper's ~150, use a cosine decay to 1e-5 over `max_epochs`. Early
# stopping with patience 25 (the paper's). Each training
# sounding gets random noise of a level drawn uniformly in [0, `noise_max`] (relative on ρa,
# with the matching phase noise; see `mtlib.noise`), fresh at every epoch, so the network
# does not rely on noise-free curves that real data never have.

# %%
print(cfg)
result = train.train(ds, cfg, P.run_dir())
span = result.inverter.normalizer.log_span
print(f"epochs run: {result.epochs_run} (best: {result.best_epoch}); "
      f"stopped early: {result.stopped_early}")
print(f"best validation RMSE: {result.best_val_rmse:.4f} normalized = "
      f"{result.best_val_rmse * span:.4f} decades of ρ")
print(f"training time: {result.elapsed_s / 60:.1f} min on {result.device}")
# what training must achieve in every profile: the validation error falls well below the
# first epoch's, and the best epoch is the one kept
val_curve = [row["val_rmse"] for row in result.history]
assert result.best_val_rmse == min(val_curve) < 0.8 * val_curve[0]

# %%
fig = plotting.loss_curves_figure(result.history, log_span=span)
plt.show()

# %% [markdown]
# The best network is saved in the run folder (`model.pt`, with its training history);
# notebooks 07 and 08 use it. When training is skipped, they use the shipped network in
# `mtlib/weights/`, which is exactly what this notebook produces with the `quick` profile on a CPU.
#
# ## 4. An ensemble that knows what it does not know
#
# 1D MT inversion is non-unique: a thin layer, or anything below a good conductor, can
# change a lot without changing the data much. One network prints one confident curve. A
# **deep ensemble** gives every predicted layer an uncertainty:
#
# * each member is the same U-Net with a second output, the log-variance of every layer's
#   log10 ρ, learned with a Gaussian likelihood term added to the RMSE loss (the mean is
#   trained exactly as above);
# * it also receives the noise level of the data as a third input channel: real data come
#   with error bars, and a network told them need not guess whether a wiggle is noise or
#   structure;
# * in the CPU profiles (`smoke`, `quick`) every member starts from the network trained
#   above — its noise input reading nothing and its variance head fresh — and fine-tunes it
#   for a few epochs (`ensemble_epochs`); the `paper` profile trains each from scratch. The
#   members differ by their seed (the variance head's initial weights, batch order, noise
#   draws) and are trained with noise up to `ensemble_noise_max` (12 %), most of it small (levels
#   12 % · u³ with u uniform: a third of the soundings below 0.5 %, one in eight above 8 %),
#   so they learn how noise blurs the section without losing accuracy on clean data (in a
#   trial, a member trained with evenly spread levels had an RMSE of 0.070 decades on
#   noise-free test data, against 0.062 with these);
# * their prediction is the mean of the members; its variance is what the members expect to
#   get wrong plus how much they disagree;
# * the spread is then **calibrated** on the validation split: the intervals are stretched
#   per layer until they hold as many true values as they claim (notebook 07 checks this on
#   a fresh test set).
#
# Each member is a resumable run of its own (`runs/<profile>/ensemble/member_<k>`). Warm
# started, on two CPU cores, each takes about a minute (the times below, measured in this
# run); trained from scratch, each would run the network's whole schedule, and
# `bench/train.py` estimates about 34 min for all five on the same two cores
# (`bench/results/train.json`).

# %%
ens = train.train_ensemble(ds, P.ensemble_configs(), P.ensemble_dir(),
                           calibration_noise_max=P.ensemble_noise_max,
                           init=result.inverter if P.ensemble_warm_start else None)
for k, m in enumerate(ens.training["members"]):
    print(f"member {k} (seed {m['config']['seed']}): best validation RMSE "
          f"{m['best_val_rmse'] * span:.4f} decades (noise up to "
          f"{100 * m['config']['noise_max']:g} %), {m['epochs_run']} epochs, "
          f"{m['train_time_s'] / 60:.1f} min")
print(f"ensemble of {len(ens)}: {ens.training['train_time_s'] / 60:.1f} min of training; "
      f"calibrated on {ens.training['calibration']['n']:,} validation soundings")
assert len(ens) == len(P.ensemble_configs()) and ens.training["calibration"]["n"] > 0
