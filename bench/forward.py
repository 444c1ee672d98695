"""Forward-solver throughput, side by side with pyGIMLi, and the paper dataset's build time.

Writes ``bench/results/forward.json`` (or ``--out``). Every number is measured in this run:
40 layers × 40 frequencies, random paper-scheme models, median of ``--repeat`` timings after
a warm-up (so numba's one-off compilation is not counted; it is reported separately).

    python bench/forward.py [--batch 20000] [--skip-dataset]
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numba
import numpy as np
import torch
from _common import machine, make_parser, write

from mtlib import forward, generator, grid
from mtlib.harness import config, dataset, timing


def rate(fn, n_items: int, repeat: int) -> float:
    """Items per second of ``fn()``: one warm-up call, then the median of ``repeat`` calls
    (:func:`mtlib.harness.timing.timed`, the same method for every path)."""
    return n_items / timing.timed(fn, repeat).median_s


def main() -> None:
    parser = make_parser(__doc__, "forward")
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pygimli-soundings", type=int, default=2_000)
    parser.add_argument("--skip-dataset", action="store_true")
    args = parser.parse_args()

    thick_m, freq_hz = grid.paper_thicknesses(), grid.default_frequencies()
    rho = generator.random_models(args.batch, seed=0)
    results: dict = {
        "what": "1D MT forward, 40 layers x 40 frequencies, soundings per second",
        "machine": machine(args.threads),
        "versions": {"numpy": np.__version__, "numba": numba.__version__},
        "batch": args.batch,
    }

    start = time.perf_counter()
    forward.mt1d(rho[:10], thick_m, freq_hz)
    results["numba_first_call_s"] = time.perf_counter() - start  # compile or cache load

    results["mtlib_numpy_float64_cpu"] = rate(
        lambda: forward.mt1d(rho, thick_m, freq_hz), args.batch, args.repeat
    )
    rho_t = torch.tensor(rho)
    for dtype, key in (
        (torch.float64, "mtlib_torch_float64_cpu"),
        (torch.float32, "mtlib_torch_float32_cpu"),
    ):
        chunks = rho_t.to(dtype).split(1000)  # eager torch is best in chunks of ~1 000
        results[key] = rate(
            lambda: [forward.mt1d(c, thick_m, freq_hz) for c in chunks], args.batch, args.repeat
        )

    try:
        import pygimli as pg

        fop = pg.core.MT1dModelling(1.0 / freq_hz, len(thick_m) + 1, False)
        models = [pg.Vector(np.concatenate([thick_m, r])) for r in rho[: args.pygimli_soundings]]
        results["pygimli_loop_cpu"] = rate(
            lambda: [fop.response(m) for m in models], len(models), 2
        )
        results["speedup_vs_pygimli"] = (
            results["mtlib_numpy_float64_cpu"] / results["pygimli_loop_cpu"]
        )
    except ImportError:
        results["pygimli_loop_cpu"] = None

    if torch.cuda.is_available():
        dev = torch.device("cuda")
        big = torch.tensor(generator.random_models(200_000, seed=1), device=dev)
        for dtype, key in (
            (torch.float64, "mtlib_torch_float64_gpu"),
            (torch.float32, "mtlib_torch_float32_gpu"),
        ):
            x = big.to(dtype)

            def run():
                forward.mt1d(x, thick_m, freq_hz)
                torch.cuda.synchronize()

            results[key] = rate(run, x.shape[0], args.repeat)

    if not args.skip_dataset:
        spec = config.get_profile("paper").dataset_spec()
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            dataset.build_dataset(Path(tmp) / "paper", spec, progress=False)
            results["paper_dataset_build_s"] = time.perf_counter() - start
            results["paper_dataset_samples"] = spec.n_samples

    write(results, args.out)


if __name__ == "__main__":
    main()
