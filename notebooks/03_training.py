# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 — Training the U-Net
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
import matplotlib.pyplot as plt

from mtlib import config, dataset, plotting, train
from mtlib.unet import UNet1d

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
# ## 3. Training
#
# Adam at 0.01, halved after 5 epochs without validation improvement; early stopping with
# patience 25 (the paper's); at most `max_epochs` epochs for the profile. Each training
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

# %%
fig = plotting.loss_curves_figure(result.history, log_span=span)
plt.show()

# %% [markdown]
# The best network is saved in the run folder (`model.pt`, with its training history);
# notebooks 04 and 05 use it. When training is skipped, they use the shipped network in
# `weights/`, which is exactly what this notebook produces with the `quick` profile on a CPU.
