"""Fixed-bound 0–1 scaling of the network's inputs and outputs (docs/design.md).

Inputs: ``log10 ρa`` mapped from ``[log10 rho_min, log10 rho_max]`` to [0, 1] (channel 0) and
``φ / 90°`` (channel 1); for networks that are told how noisy their data are (the
uncertainty ensemble), the relative noise level of ρa divided by ``noise_ref`` (channel 2).
Output: ``log10 ρ`` mapped the same way. The bounds are the
generator's (2, 220) Ω·m, fixed rather than taken from the data, so a saved network stays
valid for any new data; apparent resistivities slightly outside the bounds simply map
slightly outside [0, 1].
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .._checks import is_torch
from ..generator import RHO_MAX_OHMM, RHO_MIN_OHMM


def _log10(x):
    if is_torch(x):
        import torch

        return torch.log10(x)
    return np.log10(x)


def _stack(*channels):
    if is_torch(channels[0]):
        import torch

        return torch.stack(torch.broadcast_tensors(*channels), dim=-2)
    return np.stack(np.broadcast_arrays(*channels), axis=-2)


@dataclass(frozen=True)
class Normalizer:
    rho_min_ohmm: float = RHO_MIN_OHMM
    rho_max_ohmm: float = RHO_MAX_OHMM
    phase_max_deg: float = 90.0
    noise_ref: float = 0.1

    @property
    def log_lo(self) -> float:
        return float(np.log10(self.rho_min_ohmm))

    @property
    def log_span(self) -> float:
        return float(np.log10(self.rho_max_ohmm) - np.log10(self.rho_min_ohmm))

    def inputs(self, rhoa_ohmm, phase_deg, rel_noise=None):
        """``(..., F)`` ρa and φ → network input ``(..., 2, F)`` (numpy or torch); with
        ``rel_noise`` (relative noise of ρa, broadcasting against ``(..., F)``, e.g.
        ``(n, 1)``) a third channel ``(..., 3, F)``."""
        channels = [
            (_log10(rhoa_ohmm) - self.log_lo) / self.log_span,
            phase_deg / self.phase_max_deg,
        ]
        if rel_noise is not None:
            channels.append(rel_noise / self.noise_ref)
        return _stack(*channels)

    def targets(self, rho_ohmm):
        """``(..., L)`` ρ in Ω·m → normalized ``log10 ρ`` in [0, 1]."""
        return (_log10(rho_ohmm) - self.log_lo) / self.log_span

    def rho_from_targets(self, y):
        """Inverse of :meth:`targets`: normalized values → ρ in Ω·m."""
        return 10.0 ** (y * self.log_span + self.log_lo)

    def log_rho_rmse(self, normalized_rmse):
        """A normalized RMSE expressed in decades of ρ (RMSE of log10 ρ)."""
        return normalized_rmse * self.log_span

    def to_dict(self) -> dict:
        return asdict(self)
