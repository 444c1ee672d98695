"""The files commands write, each atomically (:func:`mtlib._io.atomic_write`): text, and CSV
through the :mod:`csv` module (a value holding a comma or a quote is quoted, not altered)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from .._io import atomic_write


def write_text(path: str | os.PathLike, text: str) -> Path:
    """``text`` as UTF-8 at ``path``."""
    data = text.encode("utf-8")
    return atomic_write(path, lambda fh: fh.write(data))


def write_csv(path: str | os.PathLike, header: Sequence[str], rows: Iterable[Sequence]) -> Path:
    """A header line, then one line per row (lines end in ``\\n``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return write_text(path, buffer.getvalue())


def write_columns(path: str | os.PathLike, columns: Mapping[str, np.ndarray]) -> Path:
    """Equal-length numeric columns (name → (N,) array) as CSV, 6 significant digits."""
    table = np.column_stack([np.asarray(c, dtype=float) for c in columns.values()])
    return write_csv(path, list(columns), ([f"{v:.6g}" for v in row] for row in table))
