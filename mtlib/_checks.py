"""Input checks shared by the public entry points (numerical kernels stay free of them).

Every check raises ``ValueError`` naming the offending argument, so bad input never turns
into a silent NaN further down.
"""

from __future__ import annotations

import numpy as np


def is_torch(x) -> bool:
    """True for a ``torch.Tensor`` (without importing torch when it is not loaded)."""
    import sys

    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


def _all(x_bool) -> bool:
    return bool(x_bool.all()) if is_torch(x_bool) else bool(np.all(x_bool))


def check_positive_finite(name: str, x, allow_empty: bool = False) -> None:
    """Raise ``ValueError`` unless every value of ``x`` is finite and strictly positive."""
    size = x.numel() if is_torch(x) else np.size(x)
    if size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty")
    if is_torch(x):
        import torch

        finite, positive = torch.isfinite(x), x > 0
    else:
        arr = np.asarray(x)
        if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
            raise ValueError(f"{name} must be real numbers, got dtype {arr.dtype}")
        finite, positive = np.isfinite(arr), arr > 0
    if not _all(finite):
        raise ValueError(f"{name} contains non-finite values (NaN or inf)")
    if not _all(positive):
        raise ValueError(f"{name} must be > 0 everywhere (found values <= 0)")


def check_finite(name: str, x) -> None:
    """Raise ``ValueError`` unless every value of ``x`` is finite."""
    if is_torch(x):
        import torch

        finite = torch.isfinite(x)
    else:
        finite = np.isfinite(np.asarray(x))
    if not _all(finite):
        raise ValueError(f"{name} contains non-finite values (NaN or inf)")


def as_vector(name: str, values, n: int) -> np.ndarray:
    """``values`` as a float array (n,): ``ValueError`` naming ``name`` unless it is 1-D of
    length ``n`` (one per frequency) and real."""
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(
            f"{name} must be 1-D of length {n} (one per frequency), got shape {arr.shape}"
        )
    if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise ValueError(f"{name} must be real numbers, got dtype {arr.dtype}")
    return arr.astype(float)


def sounding_arrays(
    freq_hz, rhoa_ohmm, phase_deg, z_rel_err, mask, who: str = "", err_name: str = "z_rel_err"
) -> tuple:
    """One sounding's ``(freq, rhoa, phase, p, mask)`` as float arrays (F,) (``p`` the
    relative |Z| error, broadcast from a scalar); ``mask`` the given boolean one, or None.
    Malformed input is a ``ValueError`` that begins with ``who`` and names the argument."""
    owner = f"{who}: " if who else ""
    freq = np.asarray(freq_hz, dtype=float)
    if freq.ndim != 1 or freq.size == 0:
        raise ValueError(f"{owner}freq_hz must be a non-empty 1-D array, got shape {freq.shape}")
    if not np.all(np.isfinite(freq) & (freq > 0)):
        raise ValueError(f"{owner}freq_hz must be finite and > 0 everywhere")
    n = freq.size
    rhoa = as_vector("rhoa_ohmm", rhoa_ohmm, n)
    phase = as_vector("phase_deg", phase_deg, n)
    if np.ndim(z_rel_err) == 0:
        p = np.full(n, float(z_rel_err))
    else:
        p = as_vector(err_name, z_rel_err, n)
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype != bool or mask.shape != (n,):
            raise ValueError(
                f"{owner}mask must be a boolean array of shape ({n},) (True where "
                f"a period is usable), got dtype {mask.dtype}, shape {mask.shape}"
            )
    return freq, rhoa, phase, p, mask


def has_data(rhoa_ohmm, phase_deg) -> np.ndarray:
    """Where a period holds data: ρa finite and > 0, φ finite (any shape)."""
    with np.errstate(invalid="ignore"):
        return np.isfinite(rhoa_ohmm) & (rhoa_ohmm > 0) & np.isfinite(phase_deg)
