"""Shared plumbing of the benchmark scripts: arguments, machine description, JSON output."""

from __future__ import annotations

import argparse
import json
import os
import platform
from pathlib import Path

import torch

import mtlib
from mtlib.harness import timing

RESULTS = Path(__file__).resolve().parent / "results"


def make_parser(doc: str, name: str) -> argparse.ArgumentParser:
    """An argument parser with ``--out`` (default ``bench/results/<name>.json``) and
    ``--threads`` (default 2, the CI machine's cores)."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=RESULTS / f"{name}.json")
    parser.add_argument(
        "--threads", type=int, default=2, help="threads for torch, numba and pyGIMLi alike"
    )
    return parser


def machine(threads: int) -> dict:
    """Where the numbers were measured: the thread counts are set here, after every import
    (pyGIMLi's included), for all three libraries alike, and recorded."""
    counts = set_threads(threads)
    return {
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "threads": counts,
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "mtlib": mtlib.__version__,
        "torch": torch.__version__,
    }


def write(results: dict, out: Path) -> None:
    """Write ``results`` as JSON to ``out`` and echo them."""
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2) + "\n"
    out.write_text(text)
    print(text, end="")


def timed(fn, repeat: int):
    """Result of one warm-up call and the median wall time of ``repeat`` more
    (:func:`mtlib.harness.timing.timed`, the method every benchmark and notebook uses)."""
    results = []  # the warm-up call's result is the one returned
    median_s = timing.timed(lambda: results.append(fn()), repeat).median_s
    return results[0], median_s


def set_threads(n: int) -> dict:
    """The same thread count for torch, numba and pyGIMLi, set after all imports."""
    import numba
    import pygimli as pg
    import torch

    # in this order: numba's first use of its OpenMP pool and pyGIMLi's setter both reset
    # the OpenMP thread count torch reads
    numba.set_num_threads(n)
    pg.core.setThreadCount(n)
    torch.set_num_threads(n)
    return {
        "torch": torch.get_num_threads(),
        "numba": numba.get_num_threads(),
        "pygimli": pg.core.threadCount(),
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "unset"),
    }
