"""Shared plumbing of the benchmark scripts: arguments, machine description, JSON output."""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import torch

import mtlib

RESULTS = Path(__file__).resolve().parent / "results"


def make_parser(doc: str, name: str) -> argparse.ArgumentParser:
    """An argument parser with ``--out`` defaulting to ``bench/results/<name>.json``."""
    parser = argparse.ArgumentParser(description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=RESULTS / f"{name}.json")
    return parser


def machine() -> dict:
    """Where the numbers were measured."""
    return {"platform": platform.platform(), "cpu_count": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
            "mtlib": mtlib.__version__, "torch": torch.__version__}


def write(results: dict, out: Path) -> None:
    """Write ``results`` as JSON to ``out`` and echo them."""
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2) + "\n"
    out.write_text(text)
    print(text, end="")


def timed(fn, repeat: int):
    """Result of one warm-up call and the median wall time of ``repeat`` more."""
    result = fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return result, float(np.median(times))


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
    return {"torch": torch.get_num_threads(), "numba": numba.get_num_threads(),
            "pygimli": pg.core.threadCount(),
            "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "unset")}
