"""The Occam engine (:mod:`mtlib.inversion.occam`) run on checked soundings of any lengths:
padded into arrays in the engine's units, their relative |Z| errors weighed as
:mod:`mtlib.data_errors` says (2p on ln ρa, arcsin p on φ)."""

from __future__ import annotations

import numpy as np

from .. import data_errors
from ..networks.fieldnet import stack_soundings
from .occam import OccamResult, blocky_invert, occam_invert

ROUGHNESS = ("smooth", "blocky")


def padded(data) -> tuple:
    """Checked soundings of several lengths as arrays (n, F_max) in the engine's units:
    frequencies, ln ρa, φ (rad), relative |Z| errors and the mask; padding is masked."""
    freq, rhoa, phase, p, mask = stack_soundings(data)
    return freq, np.log(np.where(mask, rhoa, 1.0)), np.radians(np.where(mask, phase, 45.0)), p, mask


def solve(
    data, thick_m, m_ref_log10, ref_std_log10, m_start_log10=None, roughness="smooth", **options
) -> OccamResult:
    """:func:`~mtlib.inversion.occam.occam_invert` (``roughness="blocky"``:
    :func:`~mtlib.inversion.occam.blocky_invert`) on :func:`padded` soundings ``data``;
    grids ``thick_m`` (n, L-1) m, references and starts (n, L) log10 Ω·m, σ (n, L)
    decades; ``options`` those of the engine."""
    freq, log_rhoa, phase, p, mask = data
    engine = blocky_invert if roughness == "blocky" else occam_invert
    return engine(
        freq,
        log_rhoa,
        phase,
        data_errors.rhoa_rel_err(p),
        data_errors.phase_std_rad(p),
        mask,
        thick_m,
        m_ref_log10,
        ref_std_log10,
        m_start_log10,
        **options,
    )
