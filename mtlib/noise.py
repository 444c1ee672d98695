"""Synthetic measurement noise on apparent resistivity and phase.

A noise level ``rel_noise = p`` means a relative standard deviation ``p`` on ρa (applied in
log space, ``ρa · exp(p·n)``, so ρa stays positive) and the matching phase error: ρa ∝ |Z|²,
so ``p`` on ρa is ``p/2`` on |Z|, which is ``arcsin(p/2)`` rad on the phase (the error
model of :mod:`mtlib.data_errors`).
So "2 % noise" is 2 % on ρa and 0.57° on the phase.
"""

from __future__ import annotations

import numpy as np

from . import data_errors
from ._checks import is_torch
from ._deprecated import renamed


def phase_noise_std_deg(rel_noise):
    """Phase standard deviation (degrees) matching a relative ρa noise level ``rel_noise``."""
    if not is_torch(rel_noise):
        rel_noise = np.asarray(rel_noise, dtype=float)
    return data_errors.phase_std_deg(data_errors.z_rel_err_from_rhoa(rel_noise))


def add_noise(rhoa_ohmm, phase_deg, rel_noise, seed=None):
    """Noisy copies of ``rhoa_ohmm`` and ``phase_deg`` (same shape ``(..., F)``).

    ``rel_noise`` is a scalar or broadcasts against the leading dimensions with a trailing
    axis of 1 (one level per sounding). numpy inputs take ``seed`` (anything
    ``numpy.random.default_rng`` accepts); torch inputs take a ``torch.Generator`` or None.
    """
    lowest = float(rel_noise.min()) if is_torch(rel_noise) else float(np.min(rel_noise))
    if not lowest >= 0:
        raise ValueError(f"rel_noise must be >= 0 and finite, got a minimum of {lowest}")
    if is_torch(rhoa_ohmm):
        import torch

        n_rhoa = torch.randn(
            rhoa_ohmm.shape, generator=seed, dtype=rhoa_ohmm.dtype, device=rhoa_ohmm.device
        )
        n_phase = torch.randn(
            phase_deg.shape, generator=seed, dtype=phase_deg.dtype, device=phase_deg.device
        )
        level = torch.as_tensor(rel_noise, dtype=rhoa_ohmm.dtype, device=rhoa_ohmm.device)
        return rhoa_ohmm * torch.exp(level * n_rhoa), phase_deg + phase_noise_std_deg(
            level
        ) * n_phase
    rng = np.random.default_rng(seed)
    level = np.asarray(rel_noise, dtype=np.float64)
    n_rhoa = rng.standard_normal(np.shape(rhoa_ohmm))
    n_phase = rng.standard_normal(np.shape(phase_deg))
    return (
        np.asarray(rhoa_ohmm) * np.exp(level * n_rhoa),
        np.asarray(phase_deg) + phase_noise_std_deg(level) * n_phase,
    )


def __getattr__(name: str):
    """The names of mtlib 0.1 (:mod:`mtlib._deprecated`), for one release."""
    return renamed(__name__, name)
