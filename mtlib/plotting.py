"""Figures: layered models as staircases, sounding curves, distributions.

Every function draws on axes it is given (or creates a figure) and returns the artists, so
the explorer can update them in place later. Depth increases downwards; resistivities and
apparent resistivities use log axes; frequencies run high → low from left to right.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .constants import DOI_THRESHOLD_DECADES, PLOT_BOTTOM_M
from .folders import figures_dir
from .grid import step_profile

REFINED_COLOR = "C4"
"""The physics refinement (network guess → Occam) in every field figure: black stays the
true model of the synthetic figures, red the network, blue pyGIMLi."""
DPLUS_COLOR = "k"
"""Parker's D+ (the best fit any 1D earth reaches) in the field figures."""


def noise_colors(n: int) -> list:
    """``n`` colours for noise levels, from low to high along a sequential map (no red: red
    is the network's colour)."""
    import matplotlib

    return [matplotlib.colormaps["viridis"](x) for x in np.linspace(0.0, 0.85, n)]


def save(fig, name: str, folder: str | Path | None = None) -> Path:
    """Save ``fig`` as ``<folder>/<name>.png`` (default: the project's figures/)."""
    folder = Path(folder) if folder is not None else figures_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    fig.savefig(path, dpi=120, bbox_inches="tight")
    return path


def model_axes(ax, bottom_m: float | None = None, rho_lim=(1.0, 300.0)):
    """Prepare ``ax`` for resistivity-versus-depth plots."""
    ax.set_xscale("log")
    ax.set_xlim(*rho_lim)
    if bottom_m is not None:
        ax.set_ylim(bottom_m, 0)
    elif not ax.yaxis_inverted():
        ax.invert_yaxis()
    ax.set_xlabel("resistivity ρ (Ω·m)")
    ax.set_ylabel("depth (m)")
    ax.grid(True, which="both", alpha=0.3)
    return ax


def plot_model(ax, rho_ohmm, thick_m, bottom_m: float | None = None, **kwargs):
    """Draw one model ``rho_ohmm (L,)`` over thicknesses ``thick_m (L-1,)`` as a staircase."""
    depth_m, values = step_profile(rho_ohmm, thick_m, bottom_m)
    (line,) = ax.plot(values, depth_m, **kwargs)
    return line


def band_xy(low_ohmm, high_ohmm, thick_m, bottom_m: float | None = None) -> np.ndarray:
    """Vertices (k, 2) of the staircase band between two models ``(L,)``: down the low
    side, up the high side."""
    depth_m, low = step_profile(low_ohmm, thick_m, bottom_m)
    high = step_profile(high_ohmm, thick_m, bottom_m)[1]
    return np.column_stack(
        [np.concatenate([low, high[::-1]]), np.concatenate([depth_m, depth_m[::-1]])]
    )


def plot_band(ax, low_ohmm, high_ohmm, thick_m, bottom_m: float | None = None, **kwargs):
    """Shade the interval between ``low_ohmm`` and ``high_ohmm`` (L,) as a staircase band;
    returns the patch (update it with ``patch.set_xy(band_xy(...))``)."""
    from matplotlib.patches import Polygon

    kwargs = {"alpha": 0.2, "lw": 0, **kwargs}
    return ax.add_patch(Polygon(band_xy(low_ohmm, high_ohmm, thick_m, bottom_m), **kwargs))


def mark_doi(ax, doi_m: float, **kwargs):
    """A dotted line at the depth-of-investigation cue (nothing when it is infinite)."""
    if not np.isfinite(doi_m):
        return None
    kwargs = {"color": "0.3", "ls": ":", "lw": 1, **kwargs}
    return ax.axhline(doi_m, **kwargs)


def sounding_axes(ax_rhoa, ax_phase, freq_hz):
    """Prepare a pair of axes for apparent resistivity and phase versus frequency."""
    for ax in (ax_rhoa, ax_phase):
        ax.set_xscale("log")
        ax.set_xlim(np.max(freq_hz), np.min(freq_hz))
        ax.grid(True, which="both", alpha=0.3)
        ax.set_xlabel("frequency (Hz)")
    ax_rhoa.set_yscale("log")
    ax_rhoa.set_ylabel("apparent resistivity ρa (Ω·m)")
    ax_phase.set_ylabel("phase φ (°)")
    ax_phase.set_ylim(0, 90)
    return ax_rhoa, ax_phase


def plot_sounding(ax_rhoa, ax_phase, freq_hz, rhoa_ohmm, phase_deg, **kwargs):
    """Draw ρa and φ of one sounding; returns the two lines."""
    (l_rhoa,) = ax_rhoa.plot(freq_hz, rhoa_ohmm, **kwargs)
    (l_phase,) = ax_phase.plot(freq_hz, phase_deg, **kwargs)
    return l_rhoa, l_phase


def model_and_sounding_figure(
    rho_ohmm,
    thick_m,
    freq_hz,
    rhoa_ohmm,
    phase_deg,
    labels=None,
    bottom_m: float | None = None,
    colors=None,
):
    """Three panels: model(s), ρa and φ. ``rho_ohmm`` (L,) or (k, L), responses (k, F);
    ``colors`` (k,) default matplotlib's cycle (the project's convention: true ``"k"``,
    the U-Net ``"C3"``)."""
    import matplotlib.pyplot as plt

    rho_ohmm = np.atleast_2d(rho_ohmm)
    rhoa_ohmm, phase_deg = np.atleast_2d(rhoa_ohmm), np.atleast_2d(phase_deg)
    labels = labels or [None] * rho_ohmm.shape[0]
    colors = colors or [None] * rho_ohmm.shape[0]
    fig, (ax_m, ax_r, ax_p) = plt.subplots(
        1, 3, figsize=(13, 4.2), gridspec_kw={"width_ratios": [1, 1.3, 1.3]}
    )
    model_axes(ax_m, bottom_m)
    sounding_axes(ax_r, ax_p, freq_hz)
    for rho, rhoa, phase, label, color in zip(rho_ohmm, rhoa_ohmm, phase_deg, labels, colors):
        line = plot_model(ax_m, rho, thick_m, bottom_m, label=label, color=color)
        plot_sounding(ax_r, ax_p, freq_hz, rhoa, phase, color=line.get_color(), label=label)
    if labels[0] is not None:
        ax_r.legend(fontsize=8)
    fig.tight_layout()
    return fig


def percentile_band(
    ax,
    x,
    samples,
    color="C0",
    label=None,
    percentiles=(5, 25, 50, 75, 95),
    horizontal: bool = False,
):
    """Median line with 5–95 % and 25–75 % bands of ``samples (n, len(x))`` along ``x``."""
    p5, p25, p50, p75, p95 = np.percentile(samples, percentiles, axis=0)
    fill = ax.fill_betweenx if horizontal else ax.fill_between
    fill(x, p5, p95, color=color, alpha=0.15, lw=0)
    fill(x, p25, p75, color=color, alpha=0.3, lw=0)
    args = (p50, x) if horizontal else (x, p50)
    (line,) = ax.plot(*args, color=color, label=label)
    return line


def loss_curves_figure(history: list, log_span: float | None = None):
    """The paper's Fig. 2: training and validation RMSE per epoch (normalized log10 ρ).

    ``history`` is the list of per-epoch dicts written by :func:`mtlib.harness.train.train`; with
    ``log_span`` a right-hand axis reads the same curves in decades of ρ."""
    import matplotlib.pyplot as plt

    epochs = [h["epoch"] for h in history]
    train = [h["train_rmse"] for h in history]
    val = [h["val_rmse"] for h in history]
    best = int(np.argmin(val))
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.plot(epochs, train, label="training")
    ax.plot(epochs, val, label="validation")
    ax.plot(
        epochs[best],
        val[best],
        "o",
        color="C3",
        label=f"best: epoch {epochs[best]}, {val[best]:.4f}",
    )
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("RMSE (normalized log10 ρ)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    if log_span is not None:
        right = ax.secondary_yaxis(
            "right", functions=(lambda y: y * log_span, lambda y: y / log_span)
        )
        right.set_ylabel("RMSE (decades of ρ)")
    fig.tight_layout()
    return fig


def predictions_figure(
    rho_true_ohmm,
    rho_pred_ohmm,
    thick_m,
    ncols: int = 4,
    bottom_m: float = PLOT_BOTTOM_M,
    titles=None,
    band=None,
    band_label=None,
    doi_m=None,
    pred_label: str = "U-Net",
    std_log10=None,
):
    """The paper's Fig. 3: true (black) and predicted (red, ``pred_label``) models, one
    panel each.

    ``band`` = (low, high), each (n, L) Ω·m, shades an uncertainty interval around each
    prediction; ``std_log10`` (n, L) draws the prediction's σ (decades, dotted, on a top
    axis) with the threshold :data:`~mtlib.constants.DOI_THRESHOLD_DECADES`; ``doi_m`` (n,)
    marks the depth where σ first exceeds it (nothing where it never does)."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    n = len(rho_true_ohmm)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(3.2 * ncols, 4.2 * nrows), sharey=True, squeeze=False
    )
    for k, ax in enumerate(axes.ravel()):
        if k >= n:
            ax.set_visible(False)
            continue
        model_axes(ax, bottom_m)
        if band is not None:
            plot_band(ax, band[0][k], band[1][k], thick_m, bottom_m, color="C3", label=band_label)
        plot_model(ax, rho_true_ohmm[k], thick_m, bottom_m, color="k", label="true")
        plot_model(ax, rho_pred_ohmm[k], thick_m, bottom_m, color="C3", label=pred_label)
        if doi_m is not None:
            mark_doi(ax, doi_m[k], label=f"σ > {DOI_THRESHOLD_DECADES:g} decades below")
        if std_log10 is not None:
            ax_std = ax.twiny()
            depth_m, values = step_profile(std_log10[k], thick_m, bottom_m)
            ax_std.plot(values, depth_m, color="0.3", ls=":", lw=1.2)
            ax_std.axvline(DOI_THRESHOLD_DECADES, color="0.5", ls="--", lw=0.8)
            # σ in the left quarter, where resistivities below the paper's range leave room
            ax_std.set_xlim(0, 4 * DOI_THRESHOLD_DECADES)
            ax_std.set_xlabel("σ (decades)", fontsize=8)
            ax_std.tick_params(labelsize=7)
        if titles is not None:
            ax.set_title(titles[k], fontsize=9)
        if k % ncols:
            ax.set_ylabel("")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    if std_log10 is not None:
        handles.append(Line2D([], [], color="0.3", ls=":", lw=1.2))
        labels.append(f"σ (top axis; dashed: {DOI_THRESHOLD_DECADES:g} decades)")
    axes[0, 0].legend(handles, labels, fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


def error_vs_depth_figure(thick_m, rmse_by_layer: dict):
    """RMSE of log10 ρ per layer versus depth, one line per noise level ``{level: (L,)}``."""
    import matplotlib.pyplot as plt

    from .grid import layer_centres_m

    centers = layer_centres_m(thick_m)
    fig, ax = plt.subplots(figsize=(5, 5))
    colors = noise_colors(len(rmse_by_layer))
    for (level, rmse), color in zip(rmse_by_layer.items(), colors):
        ax.plot(rmse, centers, "o-", ms=3, color=color, label=f"{100 * float(level):g} % noise")
    ax.invert_yaxis()
    ax.set_xlabel("RMSE of log10 ρ (decades)")
    ax.set_ylabel("depth (m); last point: half-space")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def field_result_figure(response, result, title: str = "", extra_models: dict | None = None):
    """A real sounding and its inversion, on a log depth axis down to three times the depth
    of investigation: the network's guess (with its 95 % interval where its grid reaches),
    the final model, ``extra_models`` ({label: ρ (L,)} on the same grid), the depth of
    investigation, and the data with error bars against the final model's response.
    ``response``: :class:`mtlib.data_errors.Response1D`; ``result``:
    :class:`mtlib.inversion.InversionResult`."""
    import matplotlib.pyplot as plt

    freq, mask = response.freq_hz, result.mask
    rhoa, phase = response.rhoa_ohmm, response.phase_deg
    top = 0.5 * result.thick_m[0]
    # a data-covering grid ends far below what the data see: show down to three times the
    # depth of investigation (shaded below it)
    bottom = min(result.depth_m[-1] * 2, 3 * result.doi_m)
    fig, (ax_m, ax_r, ax_p) = plt.subplots(
        1, 3, figsize=(13, 4.4), gridspec_kw={"width_ratios": [1, 1.3, 1.3]}
    )
    models = [result.rho_ohmm, result.rho_network_ohmm, *(extra_models or {}).values()]
    shown = result.depth_m < bottom
    lo = min(np.nanmin(rhoa[mask]), *(m[shown].min() for m in models)) / 2
    hi = max(np.nanmax(rhoa[mask]), *(m[shown].max() for m in models)) * 2
    model_axes(ax_m, rho_lim=(lo, hi))
    ax_m.set_yscale("log")
    ax_m.set_ylim(bottom, top)
    if result.std_log10 is not None:
        covered = result.network_covered
        low = np.where(covered, result.network_low_ohmm, np.nan)
        high = np.where(covered, result.network_high_ohmm, np.nan)
        plot_band(
            ax_m,
            np.nan_to_num(low, nan=lo),
            np.nan_to_num(high, nan=lo),
            result.thick_m,
            bottom,
            color="C3",
            label="U-Net 95 % interval",
        )
    if result.network_covered.any():  # a network's guess (not a half-space start)
        plot_model(
            ax_m,
            result.rho_network_ohmm,
            result.thick_m,
            bottom,
            color="C3",
            ls="--",
            label=f"U-Net guess (nRMS {result.nrms_network:.2f})",
        )
    plot_model(
        ax_m,
        result.rho_ohmm,
        result.thick_m,
        bottom,
        color=REFINED_COLOR,
        label=f"Occam from the guess (nRMS {result.nrms:.2f}, {result.iterations} it.)",
    )
    for k, (label, rho) in enumerate((extra_models or {}).items()):
        plot_model(ax_m, rho, result.thick_m, bottom, color=f"C{k}", label=label)
    ax_m.axhspan(result.doi_m, bottom, color="0.85", alpha=0.5, lw=0)
    mark_doi(ax_m, result.doi_m, label="Niblett–Bostick depth")
    ax_m.legend(fontsize=7, loc="lower left")
    sounding_axes(ax_r, ax_p, freq)
    ax_r.set_ylim(lo, hi)
    ax_r.errorbar(
        freq[mask],
        rhoa[mask],
        yerr=rhoa[mask] * response.rhoa_rel_err[mask],
        fmt="o",
        ms=3,
        color="0.4",
        label="data (used)",
    )
    ax_p.errorbar(
        freq[mask], phase[mask], yerr=response.phase_err_deg[mask], fmt="o", ms=3, color="0.4"
    )
    if (~mask).any():
        ax_r.plot(freq[~mask], rhoa[~mask], "x", color="0.6", label="masked")
        ax_p.plot(freq[~mask], phase[~mask], "x", color="0.6")
    order = np.argsort(freq)
    plot_sounding(
        ax_r,
        ax_p,
        freq[order],
        result.predicted[0][order],
        result.predicted[1][order],
        color=REFINED_COLOR,
        label="final model",
    )
    ax_r.legend(fontsize=8)
    shift = (
        f", static shift ×{result.static_shift:.2f} (±{result.static_shift_std_log10:.2f} decades)"
        if result.static_shift_std_log10
        else ""
    )
    fig.suptitle(
        f"{title}{': ' if title else ''}{int(mask.sum())}/{mask.size} periods, "
        f"μ = {result.mu:.3g}, stop: {result.stop}{shift}"
    )
    fig.tight_layout()
    return fig


def field_summary_figure(
    stations,
    nrms_network,
    nrms,
    nrms_reference,
    nrms_dplus,
    n_data,
    iterations,
    iterations_halfspace,
    reference_label: str = "pyGIMLi smooth",
):
    """The real-data set at a glance, one row per sounding (S soundings, each argument (S,)):
    the nRMS of the network's guess, of the final model, of a reference inversion and of
    Parker's D+ (the best any 1D earth reaches), against the band ``sqrt(1 ± 2 sqrt(2/N))``
    where the true earth's nRMS falls with right errors (``n_data`` N per sounding); and
    Gauss–Newton iterations from the network's guess and from a half-space. Rows sorted by
    D+'s nRMS."""
    import matplotlib.pyplot as plt

    n_data = np.asarray(n_data, dtype=float)
    order = np.argsort(np.asarray(nrms_dplus, dtype=float))
    pos = np.arange(len(stations))
    names = [stations[k] for k in order]
    fig, (ax_n, ax_i) = plt.subplots(
        1, 2, figsize=(11, 0.24 * len(stations) + 1.8), gridspec_kw={"width_ratios": [1.6, 1]}
    )
    spread = 2 * np.sqrt(2 / n_data[order])
    ax_n.barh(
        pos,
        np.sqrt(1 + spread) - np.sqrt(np.clip(1 - spread, 0, None)),
        left=np.sqrt(np.clip(1 - spread, 0, None)),
        height=0.8,
        color="0.88",
        label="nRMS of the true earth, right errors (±2σ of χ²)",
    )
    series = (
        (nrms_dplus, "|", DPLUS_COLOR, "D+: the best any 1D earth fits", 12),
        (nrms_network, "x", "C3", "network's guess alone", 5),
        (nrms_reference, "s", "C0", reference_label, 4),
        (nrms, "o", REFINED_COLOR, "network + Occam (final)", 4),
    )
    for values, marker, color, label, size in series:
        ax_n.plot(
            np.asarray(values, dtype=float)[order],
            pos,
            marker,
            ms=size,
            color=color,
            ls="none",
            label=label,
        )
    ax_n.set_yticks(pos, names, fontsize=7)
    ax_n.set(xscale="log", xlabel="nRMS", ylim=(-0.7, len(stations) - 0.3))
    ax_n.grid(True, axis="x", which="both", alpha=0.3)
    ax_n.legend(fontsize=7, loc="lower right")
    ax_i.barh(
        pos - 0.2,
        np.asarray(iterations_halfspace)[order],
        height=0.4,
        color="0.6",
        label="from a half-space",
    )
    ax_i.barh(
        pos + 0.2,
        np.asarray(iterations)[order],
        height=0.4,
        color="C3",
        label="from the network's guess",
    )
    ax_i.set_yticks(pos, names, fontsize=7)
    ax_i.set(xlabel="Gauss–Newton iterations", ylim=(-0.7, len(stations) - 0.3))
    ax_i.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def field_prior_figure(log_depth, models: dict):
    """Example earths of the field prior, one panel per family ``{name: log10 ρ (k, Z)}``
    over ``log_depth`` (Z,) in decades of depth / δ(1 Ω·m, 1 Hz)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(models), figsize=(3.6 * len(models), 4.2), sharey=True)
    for ax, (name, values) in zip(np.atleast_1d(axes), models.items()):
        for k, v in enumerate(values):
            ax.step(v, log_depth, where="mid", color=f"C{k}", lw=1.2)
        ax.set(title=name, xlabel="log10 ρ (Ω·m)")
        ax.grid(alpha=0.3)
    np.atleast_1d(axes)[0].set_ylabel("log10 depth / δ(1 Ω·m, 1 Hz)")
    np.atleast_1d(axes)[0].invert_yaxis()
    fig.tight_layout()
    return fig


def networks_figure(stations, guesses: dict, refined: dict):
    """Several networks on the real-data set, one row per sounding: the nRMS of each
    network's guess alone (open markers) and after the refinement from it (filled),
    ``{label: (S,)}`` each; rows sorted by the first network's guess."""
    import matplotlib.pyplot as plt

    first = np.asarray(next(iter(guesses.values())), dtype=float)
    order = np.argsort(first)
    pos = np.arange(len(stations))
    fig, ax = plt.subplots(figsize=(7, 0.22 * len(stations) + 1.6))
    for k, label in enumerate(guesses):
        offset = 0.15 * (k - 0.5 * (len(guesses) - 1))
        ax.scatter(
            np.asarray(guesses[label])[order],
            pos + offset,
            facecolors="none",
            edgecolors=f"C{k}",
            label=f"{label}: guess alone",
        )
        ax.scatter(
            np.asarray(refined[label])[order],
            pos + offset,
            color=f"C{k}",
            s=14,
            label=f"{label}: refined",
        )
    ax.axvline(1, color="0.6", ls=":", lw=1)
    ax.set_yticks(pos, [stations[k] for k in order], fontsize=7)
    ax.set(xscale="log", xlabel="nRMS")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


def calibration_figure(thick_m, metrics: dict, levels, tolerance: float = 0.05):
    """How honest an ensemble's uncertainty is, per noise level ``{level: metrics}`` (from
    :func:`mtlib.harness.evaluate.evaluate`): the deviation of the observed coverage from the
    nominal one for intervals of every width, the coverage of the 68 % and 95 % intervals
    versus depth (target ± ``tolerance`` shaded), and the predicted σ next to the actual
    error versus depth."""
    import matplotlib.pyplot as plt

    from .grid import layer_centres_m

    centers = layer_centres_m(thick_m)
    levels = np.asarray(levels, dtype=float)
    fig, (ax_r, ax_c, ax_s) = plt.subplots(1, 3, figsize=(14, 4.8))
    ax_r.axhspan(-100 * tolerance, 100 * tolerance, color="0.88", lw=0, label="target")
    ax_r.axhline(0, color="0.5", lw=1)
    for (level, m), color in zip(metrics.items(), noise_colors(len(metrics))):
        name = f"{100 * float(level):g} % noise"
        deviation = 100 * (np.asarray(m["reliability"]) - levels)
        ax_r.plot(100 * levels, deviation, color=color, label=name)
        for p, ls in (("68%", "-"), ("95%", "--")):
            ax_c.plot(
                m["coverage_by_layer"][p],
                centers,
                ls,
                color=color,
                label=name if p == "68%" else None,
            )
        ax_s.plot(m["log_rho_rmse_by_layer"], centers, "-", color=color, label=f"{name}: error")
        ax_s.plot(m["rms_std_by_layer"], centers, "--", color=color, label="predicted σ")
    for nominal in (0.68, 0.95):
        ax_c.axvspan(nominal - tolerance, nominal + tolerance, color="0.88", lw=0)
        ax_c.axvline(nominal, color="0.5", lw=1)
    ax_r.set(
        xlabel="nominal coverage of the interval (%)",
        ylabel="observed − nominal (points)",
        title="reliability: deviation from nominal",
        xlim=(0, 100),
        ylim=(-4 * 100 * tolerance, 4 * 100 * tolerance),
    )
    ax_c.set(
        xlabel="coverage of the 68 % (—) and 95 % (--) intervals",
        ylabel="depth (m); last: half-space",
        title="coverage versus depth",
    )
    ax_s.set(
        xlabel="decades of log10 ρ",
        ylabel="depth (m)",
        title="RMS error (—) and RMS predicted σ (--)",
    )
    for ax in (ax_c, ax_s):
        ax.invert_yaxis()
    for ax in (ax_r, ax_c, ax_s):
        ax.grid(True, alpha=0.3)
    ax_r.legend(fontsize=8)
    ax_c.legend(fontsize=8)
    ax_s.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return fig


def unet_stages(net) -> list[tuple[str, int, int]]:
    """``(stage, channels, length)`` of every stage of a
    :class:`~mtlib.networks.unet.UNet1d`, read off one forward pass of the module itself (so the
    figure shows the code, not a sketch)."""
    import torch

    cfg = net.config
    stages = [("input", cfg["in_channels"], cfg["n_freq"])]

    def record(name):
        return lambda _module, _inputs, out: stages.append((name, *out.shape[1:]))

    named = [(f"encoder {k + 1}", m) for k, m in enumerate(net.encoders)]
    named += [("bottleneck", net.bottleneck)]
    named += [(f"decoder {k + 1}", m) for k, m in enumerate(net.decoders)]
    named += [("1×1 conv", net.head)]
    hooks = [m.register_forward_hook(record(name)) for name, m in named]
    try:
        was_training = net.training
        net.eval()
        with torch.no_grad():
            net(torch.zeros(1, cfg["in_channels"], cfg["n_freq"]))
        net.train(was_training)
    finally:
        for hook in hooks:
            hook.remove()
    stages.append(("dense → layers", cfg["out_channels"], cfg["n_layers"]))
    return stages


def unet_figure(net):
    """Fig. 1: the U-Net as the code builds it — each stage a box (height ∝ length along the
    frequency axis, width ∝ log2 channels) on its level of the U, with max-pooling down,
    transposed convolutions up and the skip connections across."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, Rectangle

    stages = unet_stages(net)
    depth = net.config["depth"]
    level = [0] + list(range(depth)) + [depth] + list(range(depth - 1, -1, -1)) + [0, 0]
    fig, ax = plt.subplots(figsize=(10, 4.2))
    boxes = []
    x = 0.0
    for (name, channels, length), lev in zip(stages, level):
        width, height = 0.25 * np.log2(channels) + 0.2, 0.02 * length
        y = -1.2 * lev - height / 2
        ax.add_patch(Rectangle((x, y), width, height, fc="C0" if lev else "C1", alpha=0.35))
        ax.text(x + width / 2, y + height + 0.05, f"{channels}×{length}", ha="center", fontsize=7)
        ax.text(x + width / 2, y - 0.08, name, ha="center", va="top", fontsize=7)
        boxes.append((x, y, width, height))
        x += max(width + 0.45, 1.1)  # room for the names under narrow boxes

    def arrow(a, b, **style):
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=8, **style))

    for (x0, y0, w0, h0), (x1, y1, _, h1), lev0, lev1 in zip(boxes, boxes[1:], level, level[1:]):
        colour = {1: "C3", -1: "C2"}.get(lev1 - lev0, "0.3")  # down: pooling, up: transposed
        arrow((x0 + w0, y0 + h0 / 2), (x1, y1 + h1 / 2), color=colour)
    for k in range(depth):  # skip connections: encoder k+1 → decoder depth-k
        (xe, ye, we, he), (xd, yd, _, hd) = boxes[1 + k], boxes[2 + 2 * depth - 1 - k]
        arrow((xe + we, ye + he * 0.8), (xd, yd + hd * 0.8), color="0.5", ls="--")
    ax.plot([], [], color="C3", label="max-pooling ÷2")
    ax.plot([], [], color="C2", label="transposed conv ×2")
    ax.plot([], [], color="0.5", ls="--", label="skip connection (concatenated)")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.set_xlim(-0.3, x)
    ax.set_ylim(-1.2 * depth - 1.0, 1.2)
    ax.axis("off")
    ax.set_title(
        f"1D U-Net as built: channels × length per stage "
        f"({net.n_parameters():,} parameters; conv blocks: (conv–BatchNorm–ReLU)×2, "
        f"kernel {net.config['kernel_size']})",
        fontsize=9,
    )
    fig.tight_layout()
    return fig


def residuals_figure(items):
    """Normalized residuals (observed − final model) / error of ln ρa and φ against frequency
    for several soundings, ``items`` = [(title, response, result)]: within ±1 where a model
    explains the data to their errors; a trend across periods is structure the model lacks.
    The residual axis is linear within ±2 and logarithmic beyond, so that misfits of tens of
    errors stay on the figure."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FormatStrFormatter, NullLocator

    fig, axes = plt.subplots(
        2, len(items), figsize=(3.2 * len(items), 4.8), sharey="row", squeeze=False
    )
    largest = 8.0
    for k, (title, response, result) in enumerate(items):
        m = result.mask
        freq = response.freq_hz[m]
        rhoa_pred, phase_pred = (np.asarray(p)[m] for p in result.predicted)
        residuals = (
            np.log(response.rhoa_ohmm[m] / rhoa_pred) / response.rhoa_rel_err[m],
            (response.phase_deg[m] - phase_pred) / response.phase_err_deg[m],
        )
        largest = max(largest, *(np.nanmax(np.abs(r)) for r in residuals))
        for ax, r, name in zip(axes[:, k], residuals, ("ln ρa", "φ")):
            ax.axhspan(-1, 1, color="0.9", lw=0, label="±1: explained to its error")
            ax.axhline(2, color="0.6", ls=":", lw=1, label="±2")
            ax.axhline(-2, color="0.6", ls=":", lw=1)
            ax.plot(freq, r, "o", ms=3, color=REFINED_COLOR)
            ax.set_xscale("log")
            ax.set_xlim(freq.max() * 1.5, freq.min() / 1.5)
            if k == 0:
                ax.set_ylabel(f"{name} residual / error")
        axes[0, k].set_title(f"{title} (nRMS {result.nrms:.2f})", fontsize=9)
        axes[1, k].set_xlabel("frequency (Hz)")
    ticks = [t for t in (1, 2, 5, 10, 20, 50, 100, 200, 500) if t <= 1.3 * largest]
    for ax in axes[:, 0]:
        ax.set_yscale("symlog", linthresh=2)
        ax.set_ylim(-1.3 * largest, 1.3 * largest)
        ax.set_yticks([-t for t in ticks[::-1]] + [0] + ticks)
        ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.yaxis.set_minor_locator(NullLocator())
    axes[0, 0].legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return fig


def tensor_figure(sounding, title: str = ""):
    """The impedance tensor of a field sounding as a 1D inversion does not see it: apparent
    resistivity and phase of Zxy and Zyx (their split is what no single 1D model can fit),
    the phase-tensor skew β (|β| beyond 3–6° means 3D) and ellipticity (0 only in 1D; a 2D
    earth has β = 0 but not this), :mod:`mtlib.field`."""
    import matplotlib.pyplot as plt

    from .field import e_minus_iwt
    from .forward import apparent_resistivity_phase

    freq = sounding.freq_hz
    zxy, zyx = sounding.z_ohm[:, 0, 1], -sounding.z_ohm[:, 1, 0]  # -Zyx: same quadrant as Zxy
    if e_minus_iwt(zxy):  # as Sounding.response() does for the invariant
        zxy, zyx = np.conj(zxy), np.conj(zyx)
    fig, (ax_r, ax_p, ax_s, ax_e) = plt.subplots(1, 4, figsize=(15, 3.6))
    for z, label, color in ((zxy, "xy", "C1"), (zyx, "yx", "C9")):
        rhoa, phase = apparent_resistivity_phase(z, freq)
        ax_r.loglog(freq, rhoa, "o", ms=3, color=color, label=label)
        ax_p.semilogx(freq, phase, "o", ms=3, color=color, label=label)
    ax_s.semilogx(freq, sounding.skew_deg, "o", ms=3, color="0.3")
    ax_s.axhspan(-3, 3, color="0.9", lw=0, label="|β| < 3°")
    for level in (-6, 6):
        ax_s.axhline(level, color="0.6", ls=":", lw=1)
    ax_e.semilogx(freq, sounding.ellipticity, "o", ms=3, color="0.3")
    ax_e.axhspan(0, 0.1, color="0.9", lw=0, label="< 0.1")
    for ax, ylabel in (
        (ax_r, "apparent resistivity (Ω·m)"),
        (ax_p, "phase (°)"),
        (ax_s, "phase-tensor skew β (°)"),
        (ax_e, "phase-tensor ellipticity"),
    ):
        ax.set_xlim(freq.max() * 1.5, freq.min() / 1.5)
        ax.set_xlabel("frequency (Hz)")
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
    ax_p.set_ylim(-180, 180)
    ax_p.axhspan(0, 90, color="0.9", lw=0, label="first quadrant")
    ax_e.set_ylim(0, 1)
    for ax in (ax_r, ax_p, ax_s, ax_e):
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


SECTION_WIDTH_DECADES = 1.0
"""A section fades a station's layers where its 90 % interval is wider than this (decades of
log10 ρ), as it does below the depth of investigation."""
SECTION_FADE = 0.7
"""How far a faded cell's colour moves towards white."""


def _column_edges(distance_km) -> tuple[np.ndarray, np.ndarray]:
    """Left and right edges (n,) km of the stations' columns: halfway to each neighbour, but
    no more than 3/4 of the median spacing from the station (a gap in the line stays a
    gap)."""
    x = np.asarray(distance_km, dtype=float)
    order = np.argsort(x)
    xs = x[order]
    gaps = np.diff(xs)
    half = 0.75 * (np.median(gaps) if gaps.size else 1.0)
    mids = 0.5 * (xs[1:] + xs[:-1])
    left = np.maximum(np.concatenate([[-np.inf], mids]), xs - half)
    right = np.minimum(np.concatenate([mids, [np.inf]]), xs + half)
    out_left, out_right = np.empty_like(x), np.empty_like(x)
    out_left[order], out_right[order] = left, right
    return out_left, out_right


def section(
    results,
    distance_km,
    stations=None,
    *,
    max_depth_m: float | None = None,
    log10_rho_lim: tuple[float, float] | None = None,
    width_threshold: float = SECTION_WIDTH_DECADES,
    fade: float = SECTION_FADE,
    target_nrms: float = 1.0,
    depth_scale: str = "linear",
    cmap: str = "turbo_r",
):
    """A resistivity section along a profile; returns the figure.

    ``results``: one per station (inversion results, LCI results or posteriors, read by
    :func:`mtlib.survey.column`; None leaves a station empty), or a dict title → such a
    list for several sections stacked on one colour scale. ``distance_km`` (n,): the
    stations' places along the profile (:meth:`mtlib.survey.Line.distance_km`);
    ``stations`` (n,) their labels. Each station is a column of log10 ρ (conductors red,
    resistors blue, colour scale shared by all panels: ``log10_rho_lim`` or the 2–98th
    percentiles above the depths of investigation), as wide as halfway to its neighbours;
    its cells fade (``fade`` of the way to white) below its depth of investigation (a black
    tick) and where its 90 % interval is wider than ``width_threshold`` decades or unknown
    below the network's grid. A strip above each section gives every station's nRMS, with
    the target and the 1σ scatter of χ² around it (N ± √(2N), N the median number of
    data). Depth down to ``max_depth_m`` (default the deepest depth of investigation),
    ``depth_scale`` "linear" or "log".
    """
    import matplotlib.pyplot as plt
    from matplotlib.cm import ScalarMappable
    from matplotlib.collections import PolyCollection
    from matplotlib.colors import Normalize

    from .survey.columns import column

    if depth_scale not in ("linear", "log"):
        raise ValueError(f"depth_scale must be 'linear' or 'log', got {depth_scale!r}")
    if not 0 <= fade <= 1:
        raise ValueError(f"fade must be in [0, 1], got {fade}")
    panels = results if isinstance(results, dict) else {"": results}
    x = np.asarray(distance_km, dtype=float)
    columns = {}
    for title, items in panels.items():
        items = list(items)
        if len(items) != x.size:
            raise ValueError(
                f"results{f' {title!r}' if title else ''} has {len(items)} stations, "
                f"distance_km {x.size}"
            )
        columns[title] = [None if r is None else column(r) for r in items]
    every = [c for cols in columns.values() for c in cols if c is not None]
    if not every:
        raise ValueError("results holds no station to draw")
    bottom_m = max_depth_m or max(c.doi_m for c in every)
    if log10_rho_lim is None:
        seen = np.concatenate([c.log10_rho[c.tops_m < min(c.doi_m, bottom_m)] for c in every])
        seen = seen if seen.size else np.concatenate([c.log10_rho for c in every])
        log10_rho_lim = tuple(np.percentile(seen, [2, 98]))
    norm, colours = Normalize(*log10_rho_lim), plt.get_cmap(cmap)
    top_m = 0.0
    if depth_scale == "log":
        top_m = 0.5 * min(c.tops_m[1] for c in every if c.tops_m.size > 1)
    left, right = _column_edges(x)
    labels = list(stations) if stations is not None else [""] * x.size

    n = len(columns)
    fig = plt.figure(figsize=(10.5, 4.2 * n), layout="constrained")
    for sub, (title, cols) in zip(np.atleast_1d(fig.subfigures(n, 1)), columns.items()):
        ax_fit, ax = sub.subplots(2, 1, sharex=True, height_ratios=[1, 4])
        polygons, faces = [], []
        for i, c in enumerate(cols):
            if c is None:
                continue
            tops = np.maximum(c.tops_m, top_m)
            bottoms = np.append(c.tops_m[1:], np.inf).clip(max=bottom_m)
            inside = tops < bottom_m
            rgba = colours(norm(c.log10_rho))
            faded = c.tops_m >= c.doi_m
            if c.width_log10 is not None:
                faded |= ~(c.width_log10 <= width_threshold)  # NaN: nothing bounds it
            rgba[faded, :3] += fade * (1 - rgba[faded, :3])
            for top, bottom, face in zip(tops[inside], bottoms[inside], rgba[inside]):
                polygons.append(
                    [(left[i], top), (right[i], top), (right[i], bottom), (left[i], bottom)]
                )
                faces.append(face)
            if c.doi_m < bottom_m:
                ax.plot([left[i], right[i]], [c.doi_m, c.doi_m], color="k", lw=1.5)
        ax.add_collection(PolyCollection(polygons, facecolors=faces, edgecolors="none"))
        ax.set_yscale(depth_scale)
        ax.set_ylim(bottom_m, max(top_m, 1e-9) if depth_scale == "log" else 0.0)
        ax.set_xlim(np.nanmin(left) - 0.02 * np.ptp(x), np.nanmax(right) + 0.02 * np.ptp(x))
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v / 1e3:g}"))
        ax.set_ylabel("depth (km)")
        ax.set_xlabel("distance along the profile (km)")
        # the misfit strip: nRMS per station, the target and χ²'s scatter about it
        shown = [i for i, c in enumerate(cols) if c is not None]
        nrms = np.array([cols[i].nrms for i in shown])
        n_data = np.median([cols[i].n_data for i in shown])
        scatter = np.sqrt(2 / n_data)
        ax_fit.axhspan(
            target_nrms * np.sqrt(max(1 - scatter, 0)),
            target_nrms * np.sqrt(1 + scatter),
            color="0.88",
            lw=0,
            label=f"χ² = N ± √(2N), N ≈ {n_data:.0f}",
        )
        ax_fit.axhline(target_nrms, color="0.4", lw=1)
        ax_fit.bar(x[shown], nrms, width=0.5 * (right - left)[shown], color="0.3")
        ax_fit.set_ylim(0, max(1.5 * target_nrms, 1.1 * nrms.max()))
        ax_fit.set_ylabel("nRMS")
        ax_fit.tick_params(labelbottom=False)
        ax_fit.legend(loc="upper right", fontsize=7, frameon=False)
        top_axis = ax_fit.secondary_xaxis("top")
        top_axis.set_xticks(x, labels, fontsize=7, rotation=90 if x.size > 12 else 0)
        ax_fit.set_title(title, fontsize=10, loc="left")
        bar = sub.colorbar(ScalarMappable(norm, colours), ax=[ax_fit, ax], aspect=30)
        bar.set_label("log10 ρ (Ω·m); faded: below the DOI\nor a 90 % interval wider")
    return fig


def station_map(latitude, longitude, stations, line=None, on_line=None, ax=None):
    """The stations (n,) on a local flat map, km east and north of the line's origin (or
    of the stations' mean), labelled; ``line`` (:class:`mtlib.survey.Line`) drawn over
    the stretch its stations ``on_line`` (names, default all) span, those stations black,
    the others grey. Returns the figure."""
    import matplotlib.pyplot as plt

    from .survey.geometry import project_km

    lat = np.asarray(latitude, dtype=float)
    lon = np.asarray(longitude, dtype=float)
    names = list(stations)
    origin = line.origin if line is not None else (float(lat.mean()), float(lon.mean()))
    xy = project_km(lat, lon, origin)
    chosen = np.isin(names, list(on_line) if on_line is not None else names)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 6))
    if not chosen.all():
        ax.plot(*xy[~chosen].T, "^", color="0.65", ms=5, label="stations")
    ax.plot(*xy[chosen].T, "^", color="k", ms=6, label="on the profile")
    for (e, n_), name, on in zip(xy, names, chosen):
        ax.annotate(name, (e, n_), xytext=(3, 3), textcoords="offset points",
                    fontsize=7 if on else 5, color="k" if on else "0.5")  # fmt: skip
    if line is not None:
        d = line.distance_km(lat[chosen], lon[chosen])
        ends = line.points_km([d.min() - 2.0, d.max() + 2.0])
        ax.plot(*ends.T, "-", color=REFINED_COLOR, lw=1.5,
                label=f"profile, bearing {line.bearing_deg:.0f}°")  # fmt: skip
    ax.set_aspect("equal", adjustable="datalim")  # (a lone row keeps a square map)
    ax.set_xlabel("east (km)")
    ax.set_ylabel("north (km)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return ax.figure
