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
