"""Layer grid and frequencies of the paper's 40-layer model.

Conventions: layers are ordered top first; the last layer is a half-space, so a
model of ``L`` layers has ``L - 1`` finite thicknesses. Frequencies are ordered from
high to low (shallow to deep sensitivity).
"""

from __future__ import annotations

import numpy as np

from ._deprecated import renamed
from ._numba import jit

PAPER_N_LAYERS = 40
"""Layers of the paper's model, the bottom one being the half-space (basement)."""

N_FREQ = 40
FREQ_MAX_HZ = 1.0e4
FREQ_MIN_HZ = 0.1


def paper_thicknesses(n_layers: int = PAPER_N_LAYERS) -> np.ndarray:
    """Finite layer thicknesses ``T_i = 20 + 10**(0.057 (i - 1))`` m, ``i = 1..n_layers-1``.

    Returns shape ``(n_layers - 1,)`` in metres, top first; for the paper's 40 layers the
    39 finite layers add up to about 1 964 m above the half-space.
    """
    if n_layers < 1:
        raise ValueError(f"n_layers must be >= 1, got {n_layers}")
    i = np.arange(1, n_layers, dtype=np.float64)
    return 20.0 + 10.0 ** (0.057 * (i - 1.0))


def layer_tops_m(thick_m: np.ndarray) -> np.ndarray:
    """Depth of the top of every layer, shape ``(..., L)`` for ``thick_m`` of shape
    ``(..., L-1)``.

    The first entry is 0 (the surface); the last one is the top of the half-space.
    """
    thick_m = np.asarray(thick_m, dtype=np.float64)
    surface = np.zeros(thick_m.shape[:-1] + (1,))
    return np.concatenate([surface, np.cumsum(thick_m, axis=-1)], axis=-1)


def layer_centres_m(thick_m: np.ndarray) -> np.ndarray:
    """Depth of the middle of every finite layer and, for the half-space, its top plus
    half the last thickness (a plotting position). Shape ``(L,)``."""
    thick_m = np.asarray(thick_m, dtype=np.float64)
    tops = layer_tops_m(thick_m)
    last = thick_m[-1] if thick_m.size else 1.0
    return np.concatenate([tops[:-1] + 0.5 * thick_m, [tops[-1] + 0.5 * last]])


def layer_centres_log_m(thick_m) -> np.ndarray:
    """A representative depth per layer of a log-spaced grid, ``(..., L)`` for thicknesses
    ``(..., L-1)``: the geometric mean of top and bottom (half the thickness for the top
    layer; 1.5 × its top for the half-space)."""
    thick_m = np.asarray(thick_m, dtype=np.float64)
    bottoms = np.cumsum(thick_m, axis=-1)
    tops = bottoms[..., :-1]
    return np.concatenate(
        [0.5 * bottoms[..., :1], np.sqrt(tops * bottoms[..., 1:]), 1.5 * bottoms[..., -1:]], axis=-1
    )


@jit
def _mean_between(values, area, tops, top, bottom):  # pragma: no cover
    """Mean of one layered profile (``values`` (L,), its integral ``area`` at the layer
    ``tops``) over ``[top, bottom)``; its value at ``top`` when the interval is empty."""
    upper = max(np.searchsorted(tops, top, side="right") - 1, 0)
    if not bottom > top:
        return values[upper]
    lower = max(np.searchsorted(tops, bottom, side="right") - 1, 0)
    integral_top = area[upper] + values[upper] * (top - tops[upper])
    integral_bottom = area[lower] + values[lower] * (bottom - tops[lower])
    return (integral_bottom - integral_top) / (bottom - top)


@jit
def _profile_integral(values, tops, area):  # pragma: no cover
    """The integral of a layered profile from the surface to each layer top, into ``area``."""
    area[0] = 0.0
    for k in range(1, tops.shape[0]):
        area[k] = area[k - 1] + values[k - 1] * (tops[k] - tops[k - 1])


@jit
def _interval_means_rows(values, tops, top, bottom, out):  # pragma: no cover
    """:func:`interval_means` on ``values`` (B, n, L), intervals (n, M), into (B, n, M)."""
    area = np.empty(tops.shape[0])
    for b in range(values.shape[0]):
        for i in range(values.shape[1]):
            _profile_integral(values[b, i], tops, area)
            for j in range(top.shape[1]):
                out[b, i, j] = _mean_between(values[b, i], area, tops, top[i, j], bottom[i, j])


@jit
def _onto_grid_rows(values, tops, thick, out):  # pragma: no cover
    """:func:`onto_grid` on ``values`` (B, n, L), target thicknesses (n, M-1), into
    (B, n, M)."""
    area = np.empty(tops.shape[0])
    n_target = thick.shape[1]
    for b in range(values.shape[0]):
        for i in range(values.shape[1]):
            _profile_integral(values[b, i], tops, area)
            upper = 0.0
            for j in range(n_target):
                lower = upper + thick[i, j]
                out[b, i, j] = _mean_between(values[b, i], area, tops, upper, lower)
                upper = lower
            # the half-space: the value at 1.5 × its top
            deepest = max(np.searchsorted(tops, 1.5 * upper, side="right") - 1, 0)
            out[b, i, n_target] = values[b, i, deepest]


def _as_rows(values, n: int) -> np.ndarray:
    """``values`` (..., n, L) as a contiguous float64 array (B, n, L)."""
    values = np.asarray(values, dtype=np.float64)
    return np.ascontiguousarray(
        np.broadcast_to(values, values.shape[:-2] + (n,) + values.shape[-1:]).reshape(
            -1, n, values.shape[-1]
        )
    )


def interval_means(values, tops, top, bottom) -> np.ndarray:
    """Depth averages of layered profiles over depth intervals.

    ``values`` (..., n, L) on layers whose tops are ``tops`` (L,) (increasing, the first 0,
    the last one a half-space's); intervals ``[top, bottom)`` (n, M), in the units of
    ``tops``. Returns (..., n, M): the mean of each profile over each of its intervals, and
    its value at ``top`` where the interval is empty (``bottom <= top``).
    """
    values = np.asarray(values, dtype=np.float64)
    top, bottom = (np.ascontiguousarray(a, dtype=np.float64) for a in (top, bottom))
    rows = _as_rows(values, top.shape[0])
    out = np.empty(rows.shape[:2] + top.shape[-1:])
    _interval_means_rows(rows, np.ascontiguousarray(tops, dtype=np.float64), top, bottom, out)
    return out.reshape(values.shape[:-1] + top.shape[-1:])


def onto_grid(values, tops, thick, resistivity: bool = False) -> np.ndarray:
    """Layered profiles read onto other layer grids.

    ``values`` (..., n, L) on layers whose tops are ``tops`` (L,); target grids of
    thicknesses ``thick`` (n, M-1) in the same units. A finite target layer takes the
    profile's mean over its depth range — of the conductivity ``1/values`` when
    ``resistivity``: a layer that spans several thin ones keeps their conductance, what a
    sounding sees of them (its centre's value alone may miss a thin conductor or double
    it); the target half-space takes the value at 1.5 × its top
    (:func:`layer_centres_log_m`). Returns (..., n, M). Compiled (numba): one sounding's
    guess is read in microseconds, not the ~0.2 ms of a dozen small numpy calls.
    """
    values = np.asarray(values, dtype=np.float64)
    values = 1.0 / values if resistivity else values
    thick = np.ascontiguousarray(thick, dtype=np.float64)
    rows = _as_rows(values, thick.shape[0])
    out = np.empty(rows.shape[:2] + (thick.shape[1] + 1,))
    _onto_grid_rows(rows, np.ascontiguousarray(tops, dtype=np.float64), thick, out)
    mapped = out.reshape(values.shape[:-1] + (thick.shape[1] + 1,))
    return 1.0 / mapped if resistivity else mapped


def excess_conductance_s(rho_ohmm, thick_m, top_m: float, bottom_m: float, host_ohmm: float):
    """Conductance (S) between depths ``top_m`` and ``bottom_m`` in excess of a host of
    ``host_ohmm``: ``Σ h (1/ρ − 1/ρ_host)`` over the parts of the layers inside the window
    (the half-space counts down to ``bottom_m``). ``rho_ohmm`` (..., L), ``thick_m`` (L-1,).
    What a sounding sees of a thin conductor; a model that smears it keeps this number when
    it fits the data (S-equivalence)."""
    if not bottom_m > top_m:
        raise ValueError(f"bottom_m must be below top_m, got {top_m} and {bottom_m}")
    tops = layer_tops_m(thick_m)
    ends = np.concatenate([tops[1:], [np.inf]])
    inside = np.clip(np.minimum(ends, bottom_m) - np.maximum(tops, top_m), 0.0, None)
    return np.sum(inside * (1.0 / np.asarray(rho_ohmm, dtype=float) - 1.0 / host_ohmm), axis=-1)


def step_profile(values: np.ndarray, thick_m: np.ndarray, bottom_m: float | None = None):
    """Depth and value arrays that draw a layered model as a staircase.

    ``values`` has shape ``(..., L)``; the half-space is drawn down to ``bottom_m``
    (default: its top plus the last finite thickness). Returns ``(depth_m (2L,),
    values (..., 2L))``, ready for ``plot(values, depth_m)``.
    """
    tops = layer_tops_m(thick_m)
    if bottom_m is None:
        bottom_m = tops[-1] + (thick_m[-1] if np.size(thick_m) else 1.0)
    bottoms = np.concatenate([tops[1:], [bottom_m]])
    depth_m = np.stack([tops, bottoms], axis=-1).reshape(-1)
    values = np.asarray(values)
    return depth_m, np.repeat(values, 2, axis=-1)


def default_frequencies(
    n_freq: int = N_FREQ, fmax_hz: float = FREQ_MAX_HZ, fmin_hz: float = FREQ_MIN_HZ
) -> np.ndarray:
    """``n_freq`` frequencies log-spaced from ``fmax_hz`` down to ``fmin_hz``, shape ``(n_freq,)``.

    The default band, 10 kHz to 0.1 Hz, sees the whole ~2 km model: for ρ in (2, 220) Ω·m the
    skin depth runs from ~7 m (2 Ω·m at 10 kHz) to ~24 km (220 Ω·m at 0.1 Hz).
    """
    if n_freq < 1:
        raise ValueError(f"n_freq must be >= 1, got {n_freq}")
    if not (fmax_hz > 0 and fmin_hz > 0):
        raise ValueError(f"fmax_hz and fmin_hz must be > 0, got {fmax_hz}, {fmin_hz}")
    return np.logspace(np.log10(fmax_hz), np.log10(fmin_hz), n_freq)


def __getattr__(name: str):
    """The names of mtlib 0.1 (:mod:`mtlib._deprecated`), for one release."""
    return renamed(__name__, name)
