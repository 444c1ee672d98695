"""Constants shared across modules: one place for each, so plots, widgets, notebooks and
the inversion agree. Plain values only (no imports beyond numpy)."""

from __future__ import annotations

import numpy as np

PLOT_BOTTOM_M = 2300.0
"""Depth (m) to which models of the paper's 40-layer grid are drawn: its deepest layer top
(1 964 m) plus room to see the half-space below it."""

PHASE_RANGE_DEG = (0.5, 89.5)
"""Noisy or resampled phases given to a network are clipped into this range: a layered
earth's phases lie in (0°, 90°), and noise can push one near the axes across them."""

DOI_THRESHOLD_DECADES = 0.25
"""σ of log10 ρ beyond which a layer counts as unresolved (a factor 10^0.25 ≈ 1.8 at 1 σ)."""

NOMINAL_LEVELS = (0.68, 0.95)
"""Central-interval probabilities whose coverage is reported."""

ONE_SIGMA = 0.682689492
"""Probability of a Gaussian's ±1 σ interval: a calibrated σ covers this much."""

CALIBRATION_LEVELS = np.round(np.arange(0.01, 1.0, 0.01), 2)
"""Interval probabilities whose half-widths a calibration stores (and a reliability plot
checks)."""

LN10 = float(np.log(10.0))
"""ln 10: converts decades (log10) to natural-log units."""

TOP_SKIN_FRACTION = 0.2
"""The shallowest depth a sounding resolves, as a fraction of the skin depth at its highest
frequency (at its observed ρa): the data-covering grid's first layer and the default
prior's shallowest interface."""
