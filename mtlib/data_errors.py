"""One error model for MT data: relative error of |Z| ↔ ρa ↔ phase, floors and caps.

Every module that weighs data by their errors asks this one (docs/design.md, "Conventions"). The
quantity an error is relative to is in its name:

* ``z_rel_err = p`` — relative standard error of |Z| (what field files give, and what
  ``mtlib.invert`` takes);
* ``rhoa_rel_err = 2p`` — relative error of ρa (ρa ∝ |Z|²), which is also the standard
  error of ln ρa;
* the phase error is ``arcsin(p)`` radians: a circle of radius p·|Z| around Z subtends that
  angle (``arctan(p)`` is a common slip). For ``p ≥ 1`` the circle holds the origin and the
  phase is unconstrained.

Synthetic noise (:mod:`mtlib.noise`) is stated on ρa, so "2 % noise" is 1 % on |Z|.
Periods whose |Z| error reaches a cap (default 100 %) carry no usable information: they are
masked with a warning that names them, never turned into an exception.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

Z_REL_ERR_CAP = 1.0
"""Periods with a relative |Z| error at or above this are masked (100 %: the phase is then
unconstrained)."""


def rhoa_rel_err(z_rel_err):
    """Relative error of ρa (= standard error of ln ρa) for a relative error of |Z|; numpy
    or torch."""
    return 2.0 * z_rel_err


def z_rel_err_from_rhoa(rhoa_rel_err):
    """Relative error of |Z| for a relative error of ρa; numpy or torch."""
    return 0.5 * rhoa_rel_err


def phase_std_rad(z_rel_err):
    """Phase standard error in radians, ``arcsin(p)`` (π/2 for ``p ≥ 1``); numpy or torch."""
    from ._checks import is_torch

    if is_torch(z_rel_err):
        import torch

        return torch.asin(torch.clamp(z_rel_err, max=1.0))
    return np.arcsin(np.minimum(np.asarray(z_rel_err, dtype=float), 1.0))


def phase_std_deg(z_rel_err):
    """Phase standard error in degrees, ``degrees(arcsin(p))``; numpy or torch."""
    from ._checks import is_torch

    rad = phase_std_rad(z_rel_err)
    if is_torch(rad):
        import torch

        return torch.rad2deg(rad)
    return np.degrees(rad)


def describe_periods(freq_hz, which) -> str:
    """``"3 periods (T = 0.001, 0.01, 1e+03 s)"``: the periods flagged by ``which``, named."""
    periods = 1.0 / np.asarray(freq_hz, dtype=float)[np.asarray(which, dtype=bool)]
    shown = ", ".join(f"{t:.3g}" for t in periods[:8]) + (", …" if periods.size > 8 else "")
    return f"{periods.size} period{'s' if periods.size != 1 else ''} (T = {shown} s)"


def error_flags(z_rel_err, mask, cap: float = Z_REL_ERR_CAP) -> tuple[np.ndarray, np.ndarray]:
    """Where the errors of usable periods are unusable: ``bad`` (no error: NaN or ≤ 0) and
    ``capped`` (at or above ``cap``), each of the shape of ``mask`` (any, e.g. (F,) or
    (n, F)); ``z_rel_err`` broadcasts to it. The rule :func:`usable_errors` applies."""
    if not cap > 0:
        raise ValueError(f"the error cap must be > 0, got {cap}")
    p = np.asarray(z_rel_err, dtype=float)
    with np.errstate(invalid="ignore"):
        return mask & ~(np.isfinite(p) & (p > 0)), mask & (p >= cap)


def usable_errors(
    freq_hz,
    z_rel_err,
    mask,
    cap: float = Z_REL_ERR_CAP,
    name: str = "z_rel_err",
    who: str = "",
) -> np.ndarray:
    """The usable-data mask ``(F,)`` once errors at or above ``cap`` are masked.

    ``z_rel_err`` (F,) relative errors of |Z|; only the periods ``mask`` keeps are checked:
    a missing (NaN) or non-positive error there is a ``ValueError`` that names ``name`` and
    the periods; an error ≥ ``cap`` masks its period with a ``UserWarning`` naming them.
    Both begin with ``who`` (the sounding), when given.
    """
    owner = f"{who}: " if who else ""
    mask = np.asarray(mask, dtype=bool)
    bad, capped = error_flags(z_rel_err, mask, cap)
    if bad.any():
        raise ValueError(
            f"{owner}{name} must be finite and > 0 on every usable period; it is not on "
            f"{describe_periods(freq_hz, bad)}: give an error there, or mask "
            "those periods"
        )
    if capped.any():
        warnings.warn(
            f"{owner}masked {describe_periods(freq_hz, capped)} whose |Z| error is >= "
            f"{100 * cap:g} % (the error cap)",
            UserWarning,
            stacklevel=3,
        )
    return mask & ~capped


@dataclass
class Response1D:
    """A 1D sounding with its errors; arrays (F,), any frequency order (readers give high →
    low). ``mask`` is True where a period is usable."""

    freq_hz: np.ndarray
    rhoa_ohmm: np.ndarray
    phase_deg: np.ndarray
    z_rel_err: np.ndarray  # relative error of |Z|
    mask: np.ndarray
    station: str = ""

    @property
    def rhoa_rel_err(self) -> np.ndarray:
        """Relative error of ρa: twice that of |Z|."""
        return rhoa_rel_err(self.z_rel_err)

    @property
    def phase_err_deg(self) -> np.ndarray:
        """Phase error in degrees: ``arcsin(p)`` for a relative error ``p`` of |Z|."""
        return phase_std_deg(self.z_rel_err)
