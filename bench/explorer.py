"""Explorer update time: slider move → forward + network + redraw, on this CPU.

Writes ``bench/results/explorer.json`` (or ``--out``): median and 95th percentile of the
full update (computation and rendering of the view to JPEG, as shown in a notebook without
ipympl) and of the computation alone, over ``--moves`` slider moves that each change a
value, with the paper's network and then with the field network chosen in the menu.

    python bench/explorer.py [--moves 60]
"""

from __future__ import annotations

import time

import numpy as np
from _common import machine, make_parser, write

from mtlib.widgets import RHO_STEPS_OHMM, Explorer


def _moves(explorer, n: int):
    """Update and compute times (ms) over ``n`` slider moves that each change a value."""
    rng = np.random.default_rng(0)
    updates, computes = [], []
    for move in range(n):
        k = move % len(explorer.rho_sliders)
        explorer.last_update_ms = None
        if move % 2:
            values = [v for v in RHO_STEPS_OHMM if v != explorer.rho_sliders[k].value]
            explorer.rho_sliders[k].value = float(rng.choice(values))
        else:  # a noise level other than the current one, so that every move updates
            explorer.noise_slider.value = float(
                rng.choice([v for v in (0.0, 0.02, 0.05) if v != explorer.noise_slider.value])
            )
        if explorer.last_update_ms is None:
            raise RuntimeError(f"move {move} did not update the explorer")
        updates.append(explorer.last_update_ms)
        start = time.perf_counter()
        explorer.compute()
        computes.append(1e3 * (time.perf_counter() - start))
    return updates, computes


def main() -> None:
    parser = make_parser(__doc__, "explorer")
    parser.add_argument("--moves", type=int, default=60)
    args = parser.parse_args()

    explorer = Explorer(noise=0.02)
    results = {
        "what": "explorer update after one slider move, ms (compute + blit + JPEG encode)",
        "machine": machine(args.threads),
        "moves": args.moves,
        "target_ms": 100,
    }
    for label, suffix in (("paper network", ""), ("field network", "_field_network")):
        explorer.network_box.value = label
        updates, computes = _moves(explorer, args.moves)
        results.update(
            {
                f"update_ms_median{suffix}": float(np.median(updates)),
                f"update_ms_p95{suffix}": float(np.percentile(updates, 95)),
                f"compute_ms_median{suffix}": float(np.median(computes)),
            }
        )
    write(results, args.out)


if __name__ == "__main__":
    main()
