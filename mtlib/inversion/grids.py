"""A model grid that covers what a sounding's data see.

The first layer is a fraction of the skin depth at the highest frequency (at its observed
ρa) thick; the half-space starts a few skin depths down at the lowest frequency; the layer
tops in between are log-spaced. A grid borrowed from a network (fixed layers over a fixed
band) cannot fit the ends of a 7–9 decade sounding; a network's guess is read onto this
grid instead.
"""

from __future__ import annotations

import numpy as np

from ..constants import TOP_SKIN_FRACTION
from ..forward import skin_depth_m

COVERING_N_LAYERS = 50
"""Layers of the data-covering grid (the last one a half-space)."""
BOTTOM_SKIN_DEPTHS = 2.0
"""Top of the half-space in skin depths at the longest period."""


def covering_grid(
    freq_hz,
    rhoa_ohmm,
    n_layers: int = COVERING_N_LAYERS,
    top_skin_fraction: float = TOP_SKIN_FRACTION,
    bottom_skin_depths: float = BOTTOM_SKIN_DEPTHS,
) -> np.ndarray:
    """Thicknesses ``(n_layers - 1,)`` in m of a grid that covers what the data see.

    Usable data ``(F,)``: the first layer is ``top_skin_fraction`` skin depths thick at the
    highest frequency (its observed ρa), the half-space starts ``bottom_skin_depths`` skin
    depths down at the lowest frequency (and at least ten first layers down), and the layer
    tops in between are log-spaced.
    """
    if n_layers < 3:
        raise ValueError(f"n_layers must be >= 3, got {n_layers}")
    freq, rhoa = np.asarray(freq_hz, dtype=float), np.asarray(rhoa_ohmm, dtype=float)
    hi, lo = np.argmax(freq), np.argmin(freq)
    first = top_skin_fraction * skin_depth_m(rhoa[hi], freq[hi])
    bottom = max(bottom_skin_depths * skin_depth_m(rhoa[lo], freq[lo]), 10 * first)
    # log-spaced tops (np.geomspace's checks cost more than the arithmetic)
    tops = np.exp(np.linspace(np.log(first), np.log(bottom), n_layers - 1))
    return np.diff(tops, prepend=0.0)
