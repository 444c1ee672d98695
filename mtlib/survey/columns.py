"""One station's column of a section, from whatever gave its model.

A :class:`Column` is what a section draws per station: log10 ρ on layers, how wide its
90 % interval is there, the depth of investigation and the data misfit. :func:`column`
reads it from an inversion (:class:`mtlib.inversion.InversionResult`, independent or
laterally constrained: the model, and the width from the network's σ) or from a posterior
(:class:`mtlib.posterior.Posterior`: the median, the width of its 90 % credible interval and
the nRMS of its median χ²).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

LEVEL = 0.9
"""The central interval whose width a column carries."""
Z_LEVEL = NormalDist().inv_cdf(0.5 + LEVEL / 2)
"""Half-width of the central :data:`LEVEL` interval of a Gaussian, in σ (1.645)."""


@dataclass
class Column:
    """A station's column: layer tops ``tops_m`` (L,) m (0 first), ``log10_rho`` (L,),
    ``width_log10`` (L,) the width (decades) of its central 90 % interval (None: not
    known; NaN where nothing bounds it), ``doi_m`` its depth of investigation, ``nrms``
    its data misfit over ``n_data`` data."""

    tops_m: np.ndarray
    log10_rho: np.ndarray
    width_log10: np.ndarray | None
    doi_m: float
    nrms: float
    n_data: int


def column(result) -> Column:
    """The :class:`Column` of an inversion result or a posterior (module docstring)."""
    if hasattr(result, "hist"):  # a posterior: depth bins at log-spaced centres
        centres = np.asarray(result.depth_m, dtype=float)
        tops = np.concatenate([[0.0], np.sqrt(centres[1:] * centres[:-1])])
        low, high = result.interval(LEVEL)
        chi2 = np.median(result.samples["chi2"])
        return Column(
            tops,
            np.asarray(result.median, dtype=float),
            high - low,
            float(result.doi_m),
            float(np.sqrt(chi2 / result.n_data)),
            int(result.n_data),
        )
    std = getattr(result, "std_log10", None)
    return Column(
        np.asarray(result.depth_m, dtype=float),
        np.log10(result.rho_ohmm),
        None if std is None else 2 * Z_LEVEL * np.asarray(std, dtype=float),
        float(result.doi_m),
        float(result.nrms),
        2 * int(np.sum(result.mask)),
    )
