"""The uncertainty ensemble next to the single network: speed, accuracy and calibration.

Writes ``bench/results/ensemble.json`` (or ``--out``). In one run, on the same fresh test
soundings (seed ``--seed``, never used by a dataset) and the same noise draws: CPU
predictions per second of the single shipped network and of the ensemble (with its σ),
the log10-ρ RMSE of both at 0, 2, 5 and 10 % noise, and the coverage of the ensemble's
68 % and 95 % intervals overall and at the worst and best layer, against the target of
±5 points of nominal.

    python bench/ensemble.py [--n 10000] [--batch 20000]
"""

from __future__ import annotations

import numpy as np
from _common import machine, make_parser, write

from mtlib import (
    DEFAULT_ENSEMBLE,
    DEFAULT_NETWORK,
    evaluate,
    forward,
    generator,
    load_pretrained,
    timing,
)

TARGET_POINTS = 5.0


def main() -> None:
    parser = make_parser(__doc__, "ensemble")
    parser.add_argument("--n", type=int, default=10_000, help="test soundings")
    parser.add_argument("--batch", type=int, default=20_000, help="soundings for the timing")
    parser.add_argument("--seed", type=int, default=20_240_602)
    args = parser.parse_args()

    single, ens = load_pretrained(DEFAULT_NETWORK), load_pretrained(DEFAULT_ENSEMBLE)
    results: dict = {
        "what": "uncertainty ensemble vs single network: speed, accuracy, "
        "calibration on fresh test soundings",
        "machine": machine(args.threads),
        "single": DEFAULT_NETWORK,
        "ensemble": DEFAULT_ENSEMBLE,
        "n_members": len(ens),
        "n_layers": ens.n_layers,
        "n_test": args.n,
        "seed": args.seed,
    }

    rho = generator.random_models(args.batch, seed=args.seed + 1)
    rhoa, phase = forward.mt1d(rho, single.thick_m, single.freq_hz)
    t_single = timing.timed(lambda: single.predict(rhoa, phase)).median_s
    t_ens = timing.timed(lambda: ens.predict(rhoa, phase, return_std=True, rel_noise=0.02)).median_s
    results["cpu_soundings_per_s"] = {
        "single": args.batch / t_single,
        "ensemble_with_std": args.batch / t_ens,
    }

    rho = generator.random_models(args.n, seed=args.seed)
    rhoa, phase = forward.mt1d(rho, single.thick_m, single.freq_hz)
    m_single = evaluate.evaluate(single, rho, rhoa, phase, seed=args.seed)
    m_ens = evaluate.evaluate(ens, rho, rhoa, phase, seed=args.seed)
    table = {}
    for level, m in m_ens.items():
        row = {
            "rmse_single": m_single[level]["log_rho_rmse"],
            "rmse_ensemble": m["log_rho_rmse"],
            "mean_std_log10": m["mean_std_log10"],
        }
        for p, by_layer in m["coverage_by_layer"].items():
            nominal = float(p.rstrip("%")) / 100
            off_points = 100 * np.abs(np.array(by_layer) - nominal)
            row[f"coverage_{p}"] = {
                "overall": m["coverage"][p],
                "layer_range": [min(by_layer), max(by_layer)],
                "overall_within_target": bool(
                    abs(m["coverage"][p] - nominal) * 100 <= TARGET_POINTS
                ),
                "layers_within_target": int(np.sum(off_points <= TARGET_POINTS)),
                "worst_layer_off_points": float(off_points.max()),
            }
        table[f"{100 * level:g}%"] = row
    results["by_noise"] = table
    results["target"] = f"coverage within ±{TARGET_POINTS:g} points of nominal"
    results["ensemble_at_least_as_accurate"] = bool(
        np.all([r["rmse_ensemble"] <= r["rmse_single"] for r in table.values()])
    )
    write(results, args.out)


if __name__ == "__main__":
    main()
