"""Explorer update time: slider move → forward + network + redraw, on this CPU.

Writes ``bench/results/explorer.json`` (or ``--out``): median and 95th percentile of the
full update (computation and rendering of the view to PNG, as shown in a notebook without
ipympl) and of the computation alone, over ``--moves`` slider moves.

    python bench/explorer.py [--moves 60]
"""

from __future__ import annotations

import time

import numpy as np
from _common import machine, make_parser, write

from mtlib.widgets import Explorer


def main() -> None:
    parser = make_parser(__doc__, "explorer")
    parser.add_argument("--moves", type=int, default=60)
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
        "machine": machine(),
        "moves": args.moves,
        "update_ms_median": float(np.median(updates)),
        "update_ms_p95": float(np.percentile(updates, 95)),
        "compute_ms_median": float(np.median(computes)),
        "target_ms": 100,
    }
    write(results, args.out)


if __name__ == "__main__":
    main()
