"""Atomic file writes shared by datasets, checkpoints and network bundles."""

from __future__ import annotations

import os
from pathlib import Path


def atomic_write(path: str | os.PathLike, write) -> Path:
    """Call ``write(binary_file)`` on a temporary sibling of ``path``, fsync it and rename it
    into place, so ``path`` only ever holds a complete file (a killed writer leaves a hidden
    ``.*.tmp`` that the next writer overwrites or removes)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
