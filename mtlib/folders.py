"""Where data, training runs and figures go: working folders, never the package's own.

``$MTLIB_HOME`` (default: the current directory) holds ``data/``, ``runs/`` and ``figures/``;
``MTLIB_DATA``, ``MTLIB_RUNS`` and ``MTLIB_FIGURES`` move each on its own. An installed
mtlib thus never writes into site-packages, and a notebook opened from another folder
writes beside itself.
"""

from __future__ import annotations

import os
from pathlib import Path


def work_dir() -> Path:
    """The folder under which data, training runs and figures go: ``$MTLIB_HOME``, else the
    current directory — never the package's folder (site-packages for an installed mtlib).
    ``MTLIB_DATA``, ``MTLIB_RUNS`` and ``MTLIB_FIGURES`` move each on its own."""
    return Path(os.environ.get("MTLIB_HOME") or Path.cwd())


def data_root() -> Path:
    return Path(os.environ.get("MTLIB_DATA") or work_dir() / "data")


def runs_root() -> Path:
    return Path(os.environ.get("MTLIB_RUNS") or work_dir() / "runs")


def figures_dir() -> Path:
    """Where notebooks save figures: ``$MTLIB_FIGURES`` or ``figures/`` in :func:`work_dir`."""
    path = Path(os.environ.get("MTLIB_FIGURES") or work_dir() / "figures")
    path.mkdir(parents=True, exist_ok=True)
    return path
