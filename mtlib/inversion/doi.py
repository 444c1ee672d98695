"""Depths of investigation: how deep the data, not the reference, decide the model.

``doi_m`` of every inversion is the Niblett–Bostick penetration depth ``sqrt(ρa/(ωμ0))``
(δ/√2) of the longest usable period on the final model's response: a rule of thumb from the
data alone. :func:`oldenburg_li_index` measures one from the inversion itself (Oldenburg &
Li 1999): the soundings are inverted twice more towards two half-space references a decade
above and below the data's level, each fitting the data about as well as the final model
does, and where the two models differ by more than :data:`OL_THRESHOLD` of the references'
difference the model follows the reference, not the data.
"""

from __future__ import annotations

import numpy as np

from ..forward import MU0
from ..grid import layer_tops_m
from .reference import FALLBACK_STD_LOG10
from .solve import solve

OL_REFERENCE_DECADES = 1.0
"""The Oldenburg–Li references: half-spaces this many decades above and below the data's
mean log ρa."""
OL_THRESHOLD = 0.1
"""Oldenburg–Li index above which a layer's resistivity is set by the reference."""
OL_FITTED_FACTOR = 1.1
"""A sounding whose final nRMS exceeds this times the target gets no Oldenburg–Li depth."""
OL_FIT_SLACK = 1.02
"""The two Oldenburg–Li inversions may fit this much worse (nRMS) than the final model:
starting exactly on their target, round-off would decide whether an over-fitted sounding
can take a step at all."""


def bostick_depth_m(freq_hz, mask, rhoa_pred_ohmm) -> np.ndarray:
    """Niblett–Bostick depth (n,) in m of the longest usable period of padded soundings
    (frequencies, usable mask and predicted ρa, each (n, F))."""
    lowest = np.argmin(np.where(mask, freq_hz, np.inf), axis=1)
    rows = np.arange(freq_hz.shape[0])
    return np.sqrt(rhoa_pred_ohmm[rows, lowest] / (2 * np.pi * freq_hz[rows, lowest] * MU0))


def oldenburg_li_index(data, thick_m, m_start_log10, **occam_options) -> np.ndarray:
    """The Oldenburg–Li index ``(n, L)`` of padded soundings ``data``
    (:func:`mtlib.inversion.solve.padded`) on grids ``thick_m`` (n, L-1):
    ``|m₁ − m₂| / |r₁ − r₂|`` of two inversions whose only difference is their half-space
    reference, :data:`OL_REFERENCE_DECADES` above and below the data's mean log ρa — about
    0 where the data fix the model, about 1 where the reference does. Both start from
    ``m_start_log10`` (n, L), the model that fits: each then moves towards its reference
    only as far as the data let it."""
    _, log_rhoa, _, _, mask = data
    n_lay = thick_m.shape[1] + 1
    level = np.sum(np.where(mask, log_rhoa, 0.0), axis=1) / mask.sum(axis=1) / np.log(10)
    models = []
    for sign in (1.0, -1.0):
        ref = np.repeat((level + sign * OL_REFERENCE_DECADES)[:, None], n_lay, axis=1)
        std = np.full_like(ref, FALLBACK_STD_LOG10)
        models.append(
            np.log10(solve(data, thick_m, ref, std, m_start_log10, **occam_options).rho_ohmm)
        )
    return np.abs(models[0] - models[1]) / (2 * OL_REFERENCE_DECADES)


def oldenburg_li_fit_target(nrms, target_nrms):
    """The nRMS the two Oldenburg–Li inversions must keep: about the final model's, never
    looser than the target. A sounding over-fitted at the start (its errors too large)
    would otherwise let them roam down to the target and every layer look free."""
    return np.minimum(OL_FIT_SLACK * np.asarray(nrms), target_nrms)


def depth_from_index(index, depth_m, threshold: float = OL_THRESHOLD) -> float:
    """Top of the deepest run of layers, down to the half-space, whose index exceeds
    ``threshold`` (np.inf when the half-space's does not): the depth of investigation."""
    above = np.asarray(index) > threshold
    if not above[-1]:
        return float("inf")
    k = above.size - 1
    while k > 0 and above[k - 1]:
        k -= 1
    return float(np.asarray(depth_m)[k])


def index_depth_m(index, thick_m, nrms: float, target_nrms: float) -> float | None:
    """The Oldenburg–Li depth, NaN for a sounding not fitted to the target (the engine then
    gives the reference no weight, and the index no meaning); None when not asked."""
    if index is None:
        return None
    if nrms > OL_FITTED_FACTOR * target_nrms:
        return float("nan")
    return depth_from_index(index, layer_tops_m(thick_m))
