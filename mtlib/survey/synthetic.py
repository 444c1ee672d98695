"""A synthetic profile: laterally smooth layered earths and their noisy soundings.

Three layers along the profile — a resistive cover, a conductor and a resistive basement —
whose depths and resistivities vary smoothly (sines over the profile's length), so that
neighbouring stations see nearly the same earth: the case a laterally constrained inversion
is made for, with a known truth to measure it against.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data_errors import Response1D
from ..forward import mt1d
from ..grid import layer_centres_log_m
from ..noise import add_noise

AMPLITUDE_DECADES = 0.15
"""How far (decades) the depths and resistivities swing along the profile."""


@dataclass
class SyntheticProfile:
    """n stations along a line: ``distance_km`` (n,), true layered earths ``rho_ohmm``
    (n, 3) on ``thick_m`` (n, 2), and their noisy ``responses`` (:class:`Response1D`,
    relative |Z| error ``z_rel_err``, frequencies high → low)."""

    distance_km: np.ndarray
    rho_ohmm: np.ndarray
    thick_m: np.ndarray
    responses: list[Response1D]
    z_rel_err: float

    def true_log10_rho_on(self, thick_m) -> np.ndarray:
        """The true earths (n, L) in log10 Ω·m at the log-centres of a grid of layer
        thicknesses ``thick_m`` (L-1,) m."""
        centres = layer_centres_log_m(np.asarray(thick_m, dtype=float))
        bottoms = np.cumsum(self.thick_m, axis=1)  # (n, 2) interface depths
        layer = (centres[None, :, None] > bottoms[:, None, :]).sum(axis=2)  # (n, L)
        return np.log10(np.take_along_axis(self.rho_ohmm, layer, axis=1))


def synthetic_profile(
    n_stations: int,
    spacing_km: float = 5.0,
    freq_hz=None,
    z_rel_err: float = 0.05,
    seed: int = 0,
) -> SyntheticProfile:
    """``n_stations`` soundings ``spacing_km`` apart over laterally smooth three-layer
    earths (module docstring), at ``freq_hz`` (default 31 frequencies, 1 kHz–1 mHz), with
    Gaussian noise of a relative |Z| error ``z_rel_err`` (2p on ln ρa, arcsin p on φ:
    :mod:`mtlib.data_errors`) drawn from ``seed``."""
    if int(n_stations) != n_stations or n_stations < 2:
        raise ValueError(f"n_stations must be an integer >= 2, got {n_stations!r}")
    if not spacing_km > 0:
        raise ValueError(f"spacing_km must be > 0, got {spacing_km}")
    if not 0 < z_rel_err < 1:
        raise ValueError(f"z_rel_err must be in (0, 1), got {z_rel_err}")
    freq = np.logspace(3, -3, 31) if freq_hz is None else np.asarray(freq_hz, dtype=float)
    x = spacing_km * np.arange(n_stations)
    phase = np.pi * x / x[-1]  # half a period of a sine over the line
    cover_m = 800.0 * 10 ** (AMPLITUDE_DECADES * np.sin(phase))
    conductor_m = 1500.0 * 10 ** (AMPLITUDE_DECADES * np.cos(phase))
    rho = np.column_stack(
        [
            200.0 * 10 ** (AMPLITUDE_DECADES * np.cos(phase)),
            10.0 * 10 ** (AMPLITUDE_DECADES * np.sin(phase)),
            np.full(n_stations, 500.0),
        ]
    )
    thick = np.column_stack([cover_m, conductor_m])
    rhoa, phase_deg = mt1d(rho, thick, freq)
    # a relative error p of |Z| is 2p of ρa, the level add_noise takes
    rhoa, phase_deg = add_noise(rhoa, phase_deg, 2 * z_rel_err, seed=seed)
    responses = [
        Response1D(freq, rhoa[k], phase_deg[k], z_rel_err, None, f"S{k:03d}")
        for k in range(n_stations)
    ]
    return SyntheticProfile(x, rho, thick, responses, z_rel_err)
