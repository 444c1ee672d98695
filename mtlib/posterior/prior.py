"""The prior of the trans-dimensional sampler: layered models in log depth.

A model has ``n`` layers, ``n`` uniform on ``n_layers = (n_min, n_max)``; its ``n − 1``
interfaces lie in ``log10_depth_m = (x_lo, x_hi)`` (log10 of depth in m), distributed as
the order statistics of ``n − 1`` independent uniform draws there (density
``(n−1)! / (x_hi − x_lo)^(n−1)``), so every depth is equally likely to hold an interface;
each layer's log10 ρ (Ω·m) is uniform on ``log10_rho = (v_lo, v_hi)``, independently. The
top layer reaches the surface, the last one is the half-space. Optionally the static shift
``log10 s`` (a factor ``s`` on ρa, none on the phase) is a nuisance parameter with prior
N(0, σ²) with σ = ``static_shift_std_log10``.

Under this prior the marginal of log10 ρ at every depth is uniform on ``log10_rho``, and the
expected number of interfaces per unit of log depth is ``E[n − 1] / (x_hi − x_lo)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..constants import TOP_SKIN_FRACTION
from ..forward import MU0, skin_depth_m

BOTTOM_BOSTICK_FACTOR = 2.0
"""Deepest interface of the default prior, in Niblett–Bostick depths of the longest period."""
LOG10_RHO_RANGE = (-1.0, 5.0)
"""Default log10 ρ range (Ω·m), widened to a decade beyond the data's ρa if they leave it."""
MAX_LAYERS = 20
"""Default largest number of layers (rjmcmcmt's ``MaxLayers``)."""


@dataclass(frozen=True)
class Prior:
    """Number of layers ``(n_min, n_max)``, log10 ρ range (Ω·m), interface range in
    log10(depth / m), and the static shift's σ in decades (None: no shift sampled)."""

    n_layers: tuple[int, int]
    log10_rho: tuple[float, float]
    log10_depth_m: tuple[float, float]
    static_shift_std_log10: float | None = None

    def __post_init__(self):
        n_min, n_max = self.n_layers
        if int(n_min) != n_min or int(n_max) != n_max or not 1 <= n_min <= n_max:
            raise ValueError(f"n_layers must be integers 1 <= n_min <= n_max, got {self.n_layers}")
        v_lo, v_hi = self.log10_rho
        if not (math.isfinite(v_lo) and math.isfinite(v_hi) and v_lo < v_hi):
            raise ValueError(f"log10_rho must be finite with low < high, got {self.log10_rho}")
        x_lo, x_hi = self.log10_depth_m
        if not (math.isfinite(x_lo) and math.isfinite(x_hi) and x_lo <= x_hi):
            raise ValueError(
                f"log10_depth_m must be finite with low <= high, got {self.log10_depth_m}"
            )
        if x_lo == x_hi and n_min != n_max:
            raise ValueError(
                "log10_depth_m of zero width fixes the interfaces: n_layers must then be "
                f"fixed too (n_min == n_max), got {self.n_layers}"
            )
        if x_lo == x_hi and n_max > 2:
            raise ValueError("log10_depth_m of zero width holds one interface at most (n_max <= 2)")
        std = self.static_shift_std_log10
        if std is not None and not (math.isfinite(std) and std > 0):
            raise ValueError(f"static_shift_std_log10 must be > 0 or None, got {std}")

    @property
    def n_max(self) -> int:
        return int(self.n_layers[1])

    @property
    def n_min(self) -> int:
        return int(self.n_layers[0])

    def vector(self) -> np.ndarray:
        """What the kernel reads (:data:`mtlib.posterior.kernel.V_LO` …): log10 ρ bounds,
        interface bounds, the shift's σ (0: none)."""
        return np.array([*self.log10_rho, *self.log10_depth_m, self.static_shift_std_log10 or 0.0])

    @classmethod
    def default(cls, freq_hz, rhoa_ohmm, static_shift_std_log10: float | None = None) -> Prior:
        """A prior for a sounding's usable data (F,): 1–:data:`MAX_LAYERS` layers;
        interfaces from :data:`TOP_SKIN_FRACTION` skin depths at the highest frequency
        (its observed ρa) to :data:`BOTTOM_BOSTICK_FACTOR` Niblett–Bostick depths
        ``sqrt(ρa / (ωμ0))`` of the longest period; log10 ρ on :data:`LOG10_RHO_RANGE`,
        widened to a decade beyond the data's ρa."""
        freq, rhoa = np.asarray(freq_hz, dtype=float), np.asarray(rhoa_ohmm, dtype=float)
        hi, lo = np.argmax(freq), np.argmin(freq)
        top = TOP_SKIN_FRACTION * skin_depth_m(rhoa[hi], freq[hi])
        bostick = np.sqrt(rhoa[lo] / (2 * np.pi * freq[lo] * MU0))
        bottom = max(BOTTOM_BOSTICK_FACTOR * bostick, 10 * top)
        log_rhoa = np.log10(rhoa)
        return cls(
            n_layers=(1, MAX_LAYERS),
            log10_rho=(
                min(LOG10_RHO_RANGE[0], math.floor(log_rhoa.min()) - 1.0),
                max(LOG10_RHO_RANGE[1], math.ceil(log_rhoa.max()) + 1.0),
            ),
            log10_depth_m=(float(np.log10(top)), float(np.log10(bottom))),
            static_shift_std_log10=static_shift_std_log10,
        )

    @classmethod
    def rjmcmcmt(
        cls,
        max_interface_depth_m: float,
        max_layers: int = MAX_LAYERS,
        min_resistivity_ohmm: float = 0.1,
        max_resistivity_ohmm: float = 1e5,
    ) -> Prior:
        """rjmcmcmt's prior (its control-file names): 1..``max_layers`` layers, interfaces
        uniform in log10 depth between 1 m and ``max_interface_depth_m``, log10 ρ uniform
        between the resistivity bounds."""
        if not max_interface_depth_m > 1.0:
            raise ValueError(f"max_interface_depth_m must be > 1 m, got {max_interface_depth_m}")
        if not 0 < min_resistivity_ohmm < max_resistivity_ohmm:
            raise ValueError(
                "need 0 < min_resistivity_ohmm < max_resistivity_ohmm, got "
                f"{min_resistivity_ohmm}, {max_resistivity_ohmm}"
            )
        return cls(
            n_layers=(1, int(max_layers)),
            log10_rho=(math.log10(min_resistivity_ohmm), math.log10(max_resistivity_ohmm)),
            log10_depth_m=(0.0, math.log10(max_interface_depth_m)),
        )
