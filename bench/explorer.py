"""Explorer update time: slider move → forward + network + redraw, on this CPU.

Writes ``bench/results/explorer.json`` (or ``--out``): median and 95th percentile of the
full update (computation and rendering of the view to PNG, as shown in a notebook without
ipympl) and of the computation alone, over ``--moves`` slider moves.

    python bench/explorer.py [--moves 60]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtlib import __version__  # noqa: E402
from mtlib.widgets import Explorer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--moves", type=int, default=60)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "explorer.json")
    args = parser.parse_args()

    explorer = Explorer(noise=0.02)
    rng = np.random.default_rng(0)
    updates, computes = [], []
    for move in range(args.moves):
        k = move % 5
        if move % 2:
            explorer.rho_sliders[k].value = float(10 ** rng.uniform(np.log10(2), np.log10(220)))
        else:
            explorer.noise_slider.value = float(rng.choice([0.0, 0.02, 0.05]))
        updates.append(explorer.last_update_ms)
        start = time.perf_counter()
        explorer.compute()
        computes.append(1e3 * (time.perf_counter() - start))
    results = {
        "what": "explorer update after one slider move, ms (compute + blit + PNG encode)",
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count()},
        "mtlib": __version__,
        "moves": args.moves,
        "update_ms_median": float(np.median(updates)),
        "update_ms_p95": float(np.percentile(updates, 95)),
        "compute_ms_median": float(np.median(computes)),
        "target_ms": 100,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
