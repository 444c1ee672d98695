"""Per-depth histograms of log10 ρ: quantiles by the interpolated cumulative distribution,
and coarser bins.

A histogram is ``(D, B)`` (one row per depth, counts or weights per bin) over equal bins
with edges ``(B + 1,)``. Within a bin the mass is taken as uniform, so the cumulative
distribution is linear between edges and a quantile falls between the edges of the bin that
holds it — no bin-edge bias.
"""

from __future__ import annotations

import numpy as np


def quantiles(hist, edges, probs) -> np.ndarray:
    """Quantiles ``(P, D)`` of log10 ρ for probabilities ``probs`` (P,) in [0, 1], from
    ``hist`` (D, B) and bin ``edges`` (B + 1,)."""
    hist = np.asarray(hist, dtype=float)
    edges = np.asarray(edges, dtype=float)
    probs = np.atleast_1d(np.asarray(probs, dtype=float))
    if hist.ndim != 2 or edges.shape != (hist.shape[1] + 1,):
        raise ValueError(f"need hist (D, B) and edges (B + 1,), got {hist.shape}, {edges.shape}")
    if np.any((probs < 0) | (probs > 1)):
        raise ValueError(f"probabilities must lie in [0, 1], got {probs}")
    total = hist.sum(axis=1, keepdims=True)
    if np.any(total <= 0):
        raise ValueError("every row of hist needs a positive total")
    cdf = np.concatenate([np.zeros((hist.shape[0], 1)), np.cumsum(hist, axis=1)], axis=1) / total
    out = np.empty((probs.size, hist.shape[0]))
    for i, row in enumerate(cdf):
        # the first edge whose cdf reaches p, and the previous one: interpolate between
        j = np.clip(np.searchsorted(row, probs, side="left"), 1, edges.size - 1)
        lo, hi = row[j - 1], row[j]
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(hi > lo, (probs - lo) / (hi - lo), 0.0)
        out[:, i] = edges[j - 1] + t * (edges[j] - edges[j - 1])
    return out


def rebin(hist, edges, new_edges) -> np.ndarray:
    """``hist`` (D, B) on ``edges`` summed onto ``new_edges``, each new bin a whole number of
    old ones (the edges must coincide)."""
    hist, edges, new_edges = (np.asarray(a, dtype=float) for a in (hist, edges, new_edges))
    index = np.abs(edges[None, :] - new_edges[:, None]).argmin(axis=1)
    near = np.abs(edges[index] - new_edges) <= 1e-9 * (np.abs(new_edges) + 1)
    if not near.all():
        raise ValueError("new_edges must coincide with edges (whole bins only)")
    cum = np.concatenate([np.zeros((hist.shape[0], 1)), np.cumsum(hist, axis=1)], axis=1)
    return np.diff(cum[:, index], axis=1)
