"""The posterior sampler (mtlib.posterior) against rjmcmcmt on WIT2 and gv161.

Writes ``bench/results/posterior.json`` (or ``--out``). For each station, with rjmcmcmt's
prior and likelihood (:meth:`Prior.rjmcmcmt`, :meth:`Likelihood.rjmcmcmt` of the shipped EDI
file and band), chains started from the sounding's inversion and stopped by the stopping rule
(R̂ ≤ 1.05 and each ``--min-ess``: 100, about the reference's accuracy, and the default):

- wall and CPU time of the whole call (the inversion that starts the chains included; imports
  and numba's compilation excluded by a warm-up run), sweeps, samples per second (kept β = 1
  samples, and all chains' steps), effective samples per second (the smallest ESS of the
  stopping rule, of χ² and of the number of layers), max split-R̂;
- per depth, |Δ| of the 5/50/95 % quantiles of log10 ρ against rjmcmcmt's pooled runs (both
  interpolated from histograms on rjmcmcmt's bins): median, 90th percentile and maximum over
  the 200 depth bins, next to the same of rjmcmcmt's own run1-vs-run2 spread; how many depths
  exceed that spread (at the depth itself, and beyond its 90th percentile) and where.

One warm-up run, then ``--repeat`` runs with seeds 1, 2, …; times are medians over them. The
thread count is set after every import and recorded. rjmcmcmt's times are those of its runs
(``mtlib/reference/rjmcmcmt/*/*/time.txt``: 6 chains × 2 M iterations on a 2-core machine).

``--tempering`` also runs the tempering study: WIT2 at a fixed number of chain steps (the same
CPU time), without tempering (1 temperature per ladder) and with the default ladder, several
seeds each: R̂ and ESS of the number of layers, of χ², and the smallest over depths.

    python bench/posterior.py [--repeat 3] [--min-ess 100 400] [--tempering]
"""

from __future__ import annotations

import time

import numpy as np
from _common import machine, make_parser, write

from mtlib import field
from mtlib.posterior import Likelihood, SamplerSettings, reference, sample_likelihood

BANDS_HZ = {"WIT2": (1.0, 1e4), "gv161": (0.0009, 400.0)}
"""rjmcmcmt's ``Frequency Minimum``/``Maximum`` of each station's control file."""
REFERENCE_ESS = {
    "WIT2": {"chi2": (1600, 1670), "n_layers": (77, 249)},
    "gv161": {"chi2": (235, 208), "n_layers": (407, 445)},
}
"""rjmcmcmt's ESS per run (run1, run2) from its full traces thinned to every 100th
iteration (mtlib/reference/rjmcmcmt/README.md)."""


def problem(station: str):
    """rjmcmcmt's likelihood (from the shipped EDI file) and prior (from its control file)."""
    like = Likelihood.rjmcmcmt(
        field.read(field.SOUNDINGS_DIR / f"{station}.edi"), *BANDS_HZ[station]
    )
    return like, reference.load(station).prior()


def least(values: dict) -> float:
    return float(min(np.min(v) for v in values.values()))


def run_once(station: str, seed: int, **options) -> dict:
    like, prior = problem(station)
    wall, cpu = time.perf_counter(), time.process_time()
    post = sample_likelihood(like, prior, seed=seed, **options)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    chains, temps = post.n_chains, post.beta.size
    steps = (post.sweeps + post.burn_in) * chains * temps
    comparison = reference.compare(post.hist, post.rho_edges_log10, station)
    for key in ("q05", "q50", "q95"):
        comparison[key].pop("delta_per_depth")
    comparison.pop("depth_m")
    return {
        "seed": seed,
        "wall_s": wall,
        "cpu_s": cpu,
        "sampler_s": post.seconds,
        "stop": post.stop,
        "sweeps": post.sweeps,
        "burn_in": post.burn_in,
        "chains": chains,
        "temperatures": temps,
        "kept_samples_per_s": post.sweeps * chains / wall,
        "chain_steps_per_s": steps / wall,
        "cpu_us_per_chain_step": 1e6 * cpu / steps,
        "ess": {
            "min": least(post.ess),
            "chi2": post.ess["chi2"],
            "n_layers": post.ess["n_layers"],
            "log10_rho_median": float(np.median(post.ess["log10_rho"])),
        },
        "ess_per_s": {
            "min": least(post.ess) / wall,
            "chi2": post.ess["chi2"] / wall,
            "n_layers": post.ess["n_layers"] / wall,
        },
        "max_rhat": max(float(np.max(r)) for r in post.rhat.values()),
        "chi2_mean": float(post.samples["chi2"].mean()),
        "n_data": post.n_data,
        "mean_layers": float(
            np.sum(np.arange(post.n_layers_probability.size) * post.n_layers_probability)
        ),
        "rounds": post.rounds,
        "versus_rjmcmcmt": comparison,
    }


def reference_side(station: str) -> dict:
    runs = [reference.load(station, r) for r in reference.RUNS]
    samples = 6 * (2_000_000 - 50_000)
    return {
        "chains": 6,
        "iterations_per_chain": 2_000_000,
        "burn_in": 50_000,
        "wall_s": [r.wall_s for r in runs],
        "cpu_s": [r.cpu_s for r in runs],
        "kept_samples_per_s": [samples / r.wall_s for r in runs],
        "ess": REFERENCE_ESS[station],
        "ess_per_cpu_s": {
            k: [e / r.cpu_s for e, r in zip(v, runs)] for k, v in REFERENCE_ESS[station].items()
        },
        "chi2_mean": [c["chi2_post_mean_all"] for r in runs for c in r.convergence],
        "mean_layers": [c["nlayers_post_mean_all"] for r in runs for c in r.convergence],
    }


def tempering_study(seeds, steps: int) -> dict:
    """WIT2 at ``steps`` chain steps after burn-in (4 ladders), 1 temperature and the
    default ladder, no stopping rule."""
    like, prior = problem("WIT2")
    out = {}
    default = SamplerSettings()
    for temps in (1, default.n_temperatures):
        sweeps = steps // (default.n_ladders * temps)
        rows = []
        for seed in seeds:
            post = sample_likelihood(
                like, prior, seed=seed, n_temperatures=temps, first_round=sweeps,
                max_sweeps=sweeps, min_ess=1e12,
            )  # fmt: skip
            rows.append(
                {
                    "seed": seed,
                    "sweeps": sweeps,
                    "wall_s": post.seconds,
                    "max_rhat": max(float(np.max(r)) for r in post.rhat.values()),
                    "rhat_n_layers": post.rhat["n_layers"],
                    "ess_min": least(post.ess),
                    "ess_n_layers": post.ess["n_layers"],
                    "ess_chi2": post.ess["chi2"],
                    "ess_log10_rho_p10": float(np.percentile(post.ess["log10_rho"], 10)),
                    "swap_rate": np.nanmean(post.swap_rate, axis=0).tolist(),
                }
            )
        out[f"{temps}_temperatures"] = rows
    return {"chain_steps": steps, "beta_min": default.beta_min, "runs": out}


def main() -> None:
    parser = make_parser(__doc__, "posterior")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--min-ess", type=float, nargs="+", default=[100.0, SamplerSettings().min_ess],
        help="stopping rules to run: each its own set of runs",
    )  # fmt: skip
    parser.add_argument("--tempering", action="store_true")
    parser.add_argument("--tempering-steps", type=int, default=3_200_000)
    args = parser.parse_args()
    results: dict = {
        "what": "trans-dimensional MCMC posterior of log10 rho vs depth, rjmcmcmt's prior "
        "and likelihood, against rjmcmcmt's posteriors",
        "machine": machine(args.threads),
        "settings": {
            "min_ess": args.min_ess,
            "max_rhat": SamplerSettings().max_rhat,
            "defaults": SamplerSettings().__dict__,
        },  # fmt: skip
    }
    run_once("WIT2", 0, min_ess=50, max_sweeps=20_000)  # warm-up: compilation, network
    for station in BANDS_HZ:
        results[station] = {"rjmcmcmt": reference_side(station)}
        for min_ess in args.min_ess:
            seeds = range(1, args.repeat + 1)
            runs = [run_once(station, seed, min_ess=min_ess) for seed in seeds]
            results[station][f"min_ess_{min_ess:g}"] = {
                "median_wall_s": float(np.median([r["wall_s"] for r in runs])),
                "median_cpu_s": float(np.median([r["cpu_s"] for r in runs])),
                "runs": runs,
            }
    if args.tempering:
        results["tempering"] = tempering_study(range(1, args.repeat + 1), args.tempering_steps)
    write(results, args.out)


if __name__ == "__main__":
    main()
