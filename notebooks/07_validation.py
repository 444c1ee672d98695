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
# # 07 — Validation: the paper's Fig. 2 and Fig. 3, and what they leave out
#
# The network of this profile (trained by notebook 06; the shipped one when training was
# skipped, and for the `smoke` profile, whose seconds of training only check that it runs)
# is judged on a **fresh test set** drawn with a seed no dataset uses: errors in
# log10 ρ overall and versus depth, how well its predicted models fit the data, and how it
# copes with noise.

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
import numpy as np

from mtlib import forward, generator, grid, plotting
from mtlib.constants import CALIBRATION_LEVELS, PLOT_BOTTOM_M
from mtlib.harness import config, dataset, evaluate, trained
from mtlib.metrics import log_rho_rmse
from mtlib.networks import predictor

P = config.get_profile(profile)
net = trained.profile_network(P)
span = net.normalizer.log_span
origin = net.training.get("profile") or f"run of profile {P.name}"
print(f"profile: {P.name}; network trained on {net.training['n_train']:,} samples, "
      f"{net.training['epochs_run']} epochs, on {net.training['device']} ({origin})")

# %% [markdown]
# ## The paper and this run
#
# What the paper fixes, what it leaves open, and what this run used (from the network's
# own training record and the profile; the design notes give the reasons for each choice).

# %%
from IPython.display import Markdown, display

cfg, spec = net.training["config"], P.dataset_spec()
scheme = spec.scheme
rows = [
    ("samples", "500 000", f"{P.n_samples:,} ({net.training['n_train']:,} for training)"),
    ("layers, ρ range", "40, (2, 220) Ω·m",
     f"{net.n_layers} (a half-space below {net.depth_m[-1]:.0f} m), "
     f"({scheme.rho_min_ohmm:g}, {scheme.rho_max_ohmm:g}) Ω·m"),
    ("control layers, draw of their ρ", "5, *not stated*",
     f"{scheme.n_control}, " + {"uniform": "uniform in ρ", "loguniform": "uniform in log ρ"}[
         scheme.sampling]),
    ("interpolation", "linear, *in ρ or log ρ not stated*",
     {"linear": "linear in ρ", "log": "linear in log ρ"}[scheme.interp]),
    ("frequencies", "*not stated*",
     f"{net.freq_hz.size}, {net.freq_hz[0]:g} Hz → {net.freq_hz[-1]:g} Hz"),
    ("noise in training", "*not stated*", f"up to {100 * cfg['noise_max']:g} % on ρa"),
    ("normalization", "0–1, *formula lost*", "min–max of log10 on the generator's bounds, φ/90°"),
    ("network", "1D U-Net, *depth and widths not stated*",
     f"depth {cfg['depth']}, {cfg['base_channels']} base channels, "
     f"{net.net.n_parameters():,} parameters"),
    ("loss, optimizer", "RMSE, Adam from lr 0.01",
     f"RMSE of normalized log10 ρ, Adam from lr {cfg['lr']:g}"),
    ("learning-rate schedule", "*not stated* (\"initial\" implies one)", cfg["lr_schedule"]),
    ("batch size", "*not stated*", f"{cfg['batch_size']}"),
    ("epochs, early stopping", "≈ 150, patience 25",
     f"{net.training['epochs_run']} of at most {cfg['max_epochs']} (best {net.training['best_epoch']}), "
     f"patience {cfg['patience']}"),
    ("hardware, training time", "RTX 3090, *not stated*",
     f"{net.training['device']}, {net.training['train_time_s'] / 60:.1f} min"),
]
display(Markdown("| | paper | this run |\n| --- | --- | --- |\n"
                 + "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)))

# %% [markdown]
# ## Fig. 2 — loss curves
#
# Training and validation RMSE (normalized log10 ρ, the paper's loss) at every epoch.
# Training loss is measured on noisy inputs while the weights change during the epoch, so
# early on it sits above the validation loss.

# %%
fig = plotting.loss_curves_figure(net.training["history"], log_span=span)
plotting.save(fig, "fig2_loss_curves")
val_curve = np.array([row["val_rmse"] for row in net.training["history"]]) * span
tail = val_curve[-6:]
print(f"{net.training['epochs_run']} epochs of at most {cfg['max_epochs']}; stopped early: "
      f"{net.training['stopped_early']}; validation RMSE over the last five epochs "
      f"{tail[0]:.4f} → {tail[-1]:.4f} decades ({100 * (tail[-1] / tail[0] - 1):+.1f} %)")
if not net.training["stopped_early"]:
    # the claim below: a run cut by its epoch cap, not by early stopping
    assert net.training["epochs_run"] == cfg["max_epochs"] and tail[-1] < tail[0]

# %% [markdown]
# A run that ends at its epoch cap (as the CPU profiles do: `stopped early: False`) has not
# converged in the paper's sense: early stopping (patience 25) never fired, and the
# validation error was still falling at the end — slowly, since the cosine schedule has
# brought the learning rate down to 1e-5. A longer run would be somewhat better; the
# `paper` profile (≈ 150 epochs, early stopping) is that run.

# %% [markdown]
# ## Fig. 3 — predicted versus true models
#
# Eight models of the validation split, the network's prediction in red.

# %%
ds = dataset.build_dataset(P.dataset_dir(), P.dataset_spec())
val = ds.load("val")
pick = np.arange(8)
rho_pred = net.predict(val["rhoa_ohmm"][pick], val["phase_deg"][pick])
err = log_rho_rmse(rho_pred, val["rho_ohmm"][pick], axis=1)
fig = plotting.predictions_figure(val["rho_ohmm"][pick], rho_pred, net.thick_m,
                                  titles=[f"RMSE {e:.3f} decades" for e in err])
plotting.save(fig, "fig3_predictions")

# %% [markdown]
# ## Fig. 3 with uncertainty
#
# The same eight noise-free models through the uncertainty ensemble (notebook 06, or the
# shipped one), told that the data are noise-free (`rel_noise=0`): its mean in red, its
# calibrated 95 % interval shaded, and its standard deviation σ per layer, dotted, on the
# top axis, against the threshold of 0.25 decades (a factor ≈ 1.8) beyond which a layer
# counts as unresolved — below such a depth the data no longer pin the model down and the
# prior shows through (a horizontal dotted line marks it where there is one).

# %%
ens = trained.profile_ensemble(P)
rho_ens, std_ens = ens.predict(val["rhoa_ohmm"][pick], val["phase_deg"][pick], rel_noise=0.0,
                               return_std=True)
low, high = ens.interval(rho_ens, std_ens, 0.95)
inside = np.mean((val["rho_ohmm"][pick] >= low) & (val["rho_ohmm"][pick] <= high), axis=1)
doi = [predictor.resolved_depth_m(s, ens.depth_m) for s in std_ens]
fig = plotting.predictions_figure(
    val["rho_ohmm"][pick], rho_ens, ens.thick_m, band=(low, high), band_label="95 % interval",
    doi_m=doi, titles=[f"{100 * c:.0f} % of layers inside" for c in inside],
    pred_label="ensemble mean", std_log10=std_ens)
plotting.save(fig, "fig3_uncertainty")
print(f"σ of the eight models: {std_ens.min():.3f}–{std_ens.max():.3f} decades, largest at "
      f"depths of {ens.depth_m[np.argmax(std_ens, axis=1)].min():.0f}–"
      f"{ens.depth_m[np.argmax(std_ens, axis=1)].max():.0f} m; panels where it passes 0.25: "
      f"{sum(np.isfinite(d) for d in doi)}")
# the claim below: noise-free, the ensemble is sure of these models to the basement
assert np.all(std_ens < 0.25) and not any(np.isfinite(d) for d in doi)

# %% [markdown]
# Noise-free, the ensemble's σ stays well below that threshold in all eight panels: on data
# from its own prior, without noise, the ensemble is sure of the whole section, and its
# intervals hold most of the layers. Noise widens them (below, and notebook 09).
#
# ## Metrics on a fresh test set
#
# `n_test` new paper-scheme models (seed `test_seed` of the profile), their exact responses,
# and the same with 2 %, 5 % and 10 % noise (relative on ρa, matching phase noise). The
# data misfit compares the responses of the *predicted* models with the noise-free data;
# nRMS compares them with the noisy data the network was given, in units of the noise
# (median over the soundings, and the share of soundings above 2): a model that explains
# its data to their noise has nRMS ≈ 1.

# %%
rho_test = generator.random_models(P.n_test, seed=P.test_seed)
rhoa_test, phase_test = forward.mt1d(rho_test, net.thick_m, net.freq_hz)
metrics = evaluate.evaluate(net, rho_test, rhoa_test, phase_test, seed=P.test_seed)
print(f"{P.n_test:,} test soundings")
print(f"{'noise':>6} | {'RMSE log10 ρ':>12} | {'normalized':>10} | {'ρa misfit %':>11} | "
      f"{'φ misfit °':>10} | {'nRMS':>5} | {'nRMS > 2':>8}")
for level, m in metrics.items():
    nrms = (f"{m['data_nrms_median']:5.2f} | {100 * m['data_nrms_over_2']:7.1f}%" if level
            else f"{'–':>5} | {'–':>8}")
    print(f"{100 * level:5.0f}% | {m['log_rho_rmse']:12.4f} | {m['normalized_rmse']:10.4f} | "
          f"{m['rhoa_rms_pct']:11.2f} | {m['phase_rms_deg']:10.2f} | {nrms}")
# a baseline that ignores the data: every layer at the training models' geometric mean
prior_mean = 10 ** np.mean(np.log10(val["rho_ohmm"]), axis=0)
prior_rmse = log_rho_rmse(np.broadcast_to(prior_mean, rho_test.shape), rho_test)
print(f"baseline without data (the prior's mean model): {prior_rmse:.4f} decades")
# the claims of this section, checked in every profile
assert metrics[0.0]["log_rho_rmse"] < 0.8 * prior_rmse, "the network should learn from the data"
assert metrics[0.1]["log_rho_rmse"] > metrics[0.0]["log_rho_rmse"], "noise should cost accuracy"
share = metrics[0.02]["data_nrms_over_2"]
share_sd = np.sqrt(share * (1 - share) / P.n_test)  # binomial scatter of a share of n_test
print(f"at 2 % noise, 1 sounding in {1 / share:.0f} has nRMS > 2 (share {100 * share:.1f} ± "
      f"{100 * share_sd:.1f} %)")
assert abs(share - 1 / 12) < 3 * share_sd + 0.005, "about one sounding in twelve"

# %% [markdown]
# Most predicted models explain their data nearly to the noise (median nRMS ≈ 1.1 in the
# table), but not all: at 2 % noise about one sounding in twelve has a misfit above twice
# the noise — χ² four times N, far outside its scatter — because the network returns the
# model of its prior that comes closest, not one that must fit. The RMS misfit to the
# noise-free data is dominated by that tail. Stronger noise hides more of it. Fitting every
# sounding is the job of the physics refinement (`mtlib.invert`, notebook 10), which starts
# from the guess.

# %% [markdown]
# ## Error versus depth
#
# The shallow layers are resolved best. The error peaks at mid-depths (≈ 400–800 m) and
# then *falls* towards the basement: not because MT resolves the deep layers well, but
# because the paper's scheme holds the resistivity constant below the deepest of its five
# control layers, so the bottom of most training models is a plain extrapolation that the
# network learns as a prior. Noise hurts the middle of the section most.

# %%
by_depth = {level: np.array(m["log_rho_rmse_by_layer"]) for level, m in metrics.items()}
fig = plotting.error_vs_depth_figure(net.thick_m, by_depth)
plotting.save(fig, "07_error_vs_depth")
centres_m = grid.layer_centres_m(net.thick_m)[:-1]  # the layers (the half-space apart)
peak = {level: centres_m[np.argmax(e[:-1])] for level, e in by_depth.items()}
cost = by_depth[0.1][:-1] - by_depth[0.0][:-1]
print("depth of the largest error: " + ", ".join(f"{100 * lv:g} % noise {d:.0f} m"
                                                   for lv, d in peak.items()))
print(f"noise costs most at {centres_m[np.argmax(cost)]:.0f} m (10 % against none); error at "
      f"the top {by_depth[0.02][0]:.3f}, at the peak {by_depth[0.02].max():.3f}, in the "
      f"half-space {by_depth[0.02][-1]:.3f} decades (2 % noise)")
# the claims above: smallest at the top, a peak at mid-depths, lower again towards the
# basement; noise costs most in the middle of the section
for level, e in by_depth.items():
    assert 400 <= peak[level] <= 800 and e[0] < e.max() / 2 and e[-1] < 0.8 * e.max()
assert 300 <= centres_m[np.argmax(cost)] <= 1000

# %% [markdown]
# ## The worst case in the test set
#
# Looking at the failures is as instructive as the averages: the worst-predicted test
# model, next to its prediction and both responses.

# %%
rho_all = net.predict(rhoa_test, phase_test)
worst = int(np.argmax(log_rho_rmse(rho_all, rho_test, axis=1)))
rhoa_pred, phase_pred = forward.mt1d(rho_all[worst], net.thick_m, net.freq_hz)
fig = plotting.model_and_sounding_figure(
    np.stack([rho_test[worst], rho_all[worst]]), net.thick_m, net.freq_hz,
    np.stack([rhoa_test[worst], rhoa_pred]), np.stack([phase_test[worst], phase_pred]),
    labels=["true", "U-Net"], bottom_m=PLOT_BOTTOM_M, colors=["k", "C3"])
plotting.save(fig, "07_worst_case")

# %% [markdown]
# ## Is the uncertainty honest? Calibration on the fresh test set
#
# A stated 68 % interval should hold the true value 68 % of the time, at every depth and at
# every noise level; the target is within ±5 points of nominal. The ensemble is measured on
# the same test soundings and noise draws as the single network above.

# %%
ens_metrics = evaluate.evaluate(ens, rho_test, rhoa_test, phase_test, seed=P.test_seed)
print(f"{'noise':>6} | {'RMSE single':>11} | {'RMSE ensemble':>13} | {'mean σ':>6} | "
      f"{'68 % coverage (layers)':>24} | {'95 % coverage (layers)':>24}")
for level, m in ens_metrics.items():
    cover = [f"{100 * m['coverage'][p]:5.1f} % ({100 * min(c):.0f}–{100 * max(c):.0f})"
             for p, c in m["coverage_by_layer"].items()]
    print(f"{100 * level:5.0f}% | {metrics[level]['log_rho_rmse']:11.4f} | "
          f"{m['log_rho_rmse']:13.4f} | {m['mean_std_log10']:6.3f} | {cover[0]:>24} | "
          f"{cover[1]:>24}")
# the claims of this section, checked in every profile: coverage within ±5 points of
# nominal at every noise level, overall and at every depth (at every depth within three
# binomial standard deviations where n_test is too small to resolve 5 points)
for level, m in ens_metrics.items():
    for p, nominal in (("68%", 0.68), ("95%", 0.95)):
        assert abs(m["coverage"][p] - nominal) < 0.05, (level, p, m["coverage"][p])
        per_layer = max(0.05, 3.5 * np.sqrt(nominal * (1 - nominal) / P.n_test))
        assert np.all(np.abs(np.array(m["coverage_by_layer"][p]) - nominal) < per_layer), (
            level, p)

# %%
fig = plotting.calibration_figure(ens.thick_m, ens_metrics, CALIBRATION_LEVELS)
plotting.save(fig, "07_calibration")

# %% [markdown]
# Reading the figure: on the left, the observed coverage minus the nominal one for intervals of
# every width, in points — a curve inside the grey band (±5 points) means intervals of every width
# hold what they claim; in the middle, the coverage of the 68 % and 95 % intervals at every depth
# with the ±5-point target shaded; on the right, the predicted σ (dashed) follows the actual error
# (solid) with depth and grows with the noise — the ensemble does know where it is unsure. The RMS
# of σ sits below the RMS error because the errors are heavy-tailed: a few large misses (thin
# layers, resistors under conductors) dominate the RMS, while σ is calibrated so that ±1 σ holds 68
# % of the true values; the 95 % interval is then wider than ±2 σ (its width comes from the
# calibration's quantiles, not from a Gaussian). Calibration is per noise group (the ensemble is
# told the noise level), so the coverage holds at each noise level, not only on average; the
# noise-free case is the loosest, with a few mid-depth layers a little over-covered.
