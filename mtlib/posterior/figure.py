"""What :meth:`mtlib.posterior.Posterior.plot` draws: the posterior density of log10 ρ
against depth, its median and credible bounds, the depth of investigation, and the models
the chains started from."""

from __future__ import annotations

import numpy as np

from ..plotting import REFINED_COLOR, mark_doi, model_axes, plot_model


def posterior_figure(post, ax=None, level: float = 0.9):
    """Draw ``post`` (:class:`mtlib.posterior.Posterior`) on ``ax`` (new figure when
    None): the per-depth density (each depth's histogram scaled to its peak), the median
    and the equal-tailed ``level`` interval, the Niblett–Bostick depth of the longest
    period, and — when the chains started from an inversion — Occam's model and the
    network's guess. Log depth downwards, log ρ across; returns the figure."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 6))
    log_depth = np.log10(post.depth_m)
    step = log_depth[1] - log_depth[0] if log_depth.size > 1 else 1.0
    depth_edges = 10.0 ** np.concatenate([log_depth - step / 2, log_depth[-1:] + step / 2])
    rho_edges = 10.0**post.rho_edges_log10
    density = post.hist / np.maximum(post.hist.max(axis=1, keepdims=True), 1e-300)
    model_axes(ax, rho_lim=(rho_edges[0], rho_edges[-1]))
    ax.set_yscale("log")
    ax.set_ylim(depth_edges[-1], depth_edges[0])
    mesh = ax.pcolormesh(rho_edges, depth_edges, density, cmap="Greys", shading="flat")
    low, high = post.interval(level)
    ax.plot(10.0**post.median, post.depth_m, color="C0", lw=1.5, label="posterior median")
    ax.plot(10.0**low, post.depth_m, color="C0", lw=1, ls="--", label=f"{level:.0%} interval")
    ax.plot(10.0**high, post.depth_m, color="C0", lw=1, ls="--")
    if post.start_models is not None:
        tops = post.start_models["depth_m"]
        thick = np.diff(tops)
        bottom = depth_edges[-1]
        plot_model(
            ax, post.start_models["rho_network_ohmm"], thick, bottom, color="C3", ls=":",
            label="U-Net guess",
        )  # fmt: skip
        plot_model(
            ax, post.start_models["rho_occam_ohmm"], thick, bottom, color=REFINED_COLOR,
            label="Occam",
        )  # fmt: skip
    mark_doi(ax, post.doi_m, label="depth of investigation")
    ax.figure.colorbar(mesh, ax=ax, label="density (per depth, peak = 1)", shrink=0.8)
    ax.set_title(post.likelihood.station or "posterior")
    ax.legend(loc="lower left", fontsize=8)
    return ax.figure
