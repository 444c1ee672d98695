"""Survey scale: the laterally constrained inversion (LCI) against independent 1D inversions,
and per-station times of inversion, network and posterior, embedded against a local Dask
cluster, with what 10 000 stations would need on N workers.

1. **LCI scaling**: synthetic profiles (``mtlib.survey.synthetic_profile``: laterally smooth
   three-layer earths, 2 km apart, 31 frequencies, 10 % |Z| errors) of 20, 100 and 500
   stations on one 50-layer grid: the wall time of the LCI and of independent inversions
   (``invert_many`` on the same grid and references), iterations, and the model RMSE
   (log10 ρ against the truth, layers above 20 km) of both at their fits (mean nRMS).
2. **Lateral weight**: κ = 0, 3, 10, 30 on 20-station profiles, three noise seeds.
3. **Per station**: ``mtlib.survey.run`` of ``invert`` (synthetic soundings, chunks of 32),
   ``network`` (chunks of 256) and ``sample`` (converged posteriors of Gabbs Valley
   stations, one per chunk), embedded (this process) and on a ``LocalCluster`` of two
   single-threaded workers (started once, warmed up, then timed).
4. **10 000 stations**: the per-station time of one worker (cluster wall time × workers /
   stations) × 10 000 / N.

Timing: one warm-up, then the median of ``--repeat`` calls (1 for the 500-station LCI and
for the posteriors, whose single run takes minutes).

    python bench/survey.py                  # → bench/results/survey.json
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from _common import machine, make_parser, timed, write

from mtlib import field
from mtlib.grid import layer_centres_log_m
from mtlib.inversion import invert_many
from mtlib.survey import PROFILE_A, common_grid, gabbs_valley, lci, run, synthetic_profile
from mtlib.survey.runner import client_for

MAX_DEPTH_M = 20_000.0
WORKERS = (1, 2, 16, 128, 1024)
N_STATIONS = 10_000


def rmse(log10_rho, truth, thick) -> float:
    keep = layer_centres_log_m(thick) < MAX_DEPTH_M
    return float(np.sqrt(np.mean((log10_rho - truth)[:, keep] ** 2)))


def profile_case(n: int, seed: int, n_layers: int = 50):
    profile = synthetic_profile(n, spacing_km=2.0, z_rel_err=0.1, seed=seed)
    thick = common_grid(profile.responses, n_layers)
    return profile, thick, profile.true_log10_rho_on(thick)


def lci_scaling(repeat: int) -> dict:
    out = {}
    for n in (20, 100, 500):
        profile, thick, truth = profile_case(n, seed=1)
        reps = repeat if n < 500 else 1
        independent, t_ind = timed(lambda: invert_many(profile.responses, thick_m=thick), reps)
        joint, t_lci = timed(lambda: lci(profile.responses, profile.distance_km, thick), reps)
        m_ind = np.log10([r.rho_ohmm for r in independent])
        nrms_ind = np.array([r.nrms for r in independent])
        out[str(n)] = {
            "stations": n,
            "layers": thick.size + 1,
            "repeats": reps,
            "lci_s": t_lci,
            "independent_s": t_ind,
            "lci_iterations": joint.iterations,
            "lci_stop": joint.stop,
            "rmse_independent": rmse(m_ind, truth, thick),
            "rmse_lci": rmse(joint.log10_rho, truth, thick),
            "nrms_mean_independent": float(nrms_ind.mean()),
            "nrms_mean_lci": float(joint.nrms.mean()),
            "at_target_lci": int(sum(r.stop == "target" for r in joint.results)),
        }
        print(out[str(n)], flush=True)
    return out


def lateral_weights() -> dict:
    out = {}
    cases = [profile_case(20, seed) for seed in (1, 2, 3)]
    independent = [invert_many(p.responses, thick_m=t) for p, t, _ in cases]
    for kappa in (0.0, 3.0, 10.0, 30.0):
        ratios, nrms = [], []
        for (profile, thick, truth), ind in zip(cases, independent):
            joint = lci(profile.responses, profile.distance_km, thick, lateral_weight=kappa)
            m_ind = np.log10([r.rho_ohmm for r in ind])
            ratios.append(rmse(joint.log10_rho, truth, thick) / rmse(m_ind, truth, thick))
            nrms.append(float(joint.nrms.mean() - np.mean([r.nrms for r in ind])))
        out[f"{kappa:g}"] = {
            "rmse_ratio_mean": float(np.mean(ratios)),
            "rmse_ratios": ratios,
            "nrms_mean_difference": float(np.mean(nrms)),
        }
        print(kappa, out[f"{kappa:g}"], flush=True)
    return out


def per_station(repeat: int) -> dict:
    inverts = synthetic_profile(200, seed=11).responses
    guesses = synthetic_profile(1000, seed=12).responses
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sampled = [field.read(p).response() for p in gabbs_valley(PROFILE_A[1:3])]
    tasks = {
        "invert": (inverts, {}, repeat),
        "network": (guesses, {}, repeat),
        "sample": (sampled, {"seed": 0}, 1),
    }
    out = {}
    for name, (responses, options, reps) in tasks.items():
        results, seconds = timed(
            lambda: run(name, responses, progress=False, **options),
            reps,
        )
        out[name] = {"stations": len(responses), "embedded_s": seconds, "repeats": reps}
        if name == "sample":
            out[name]["stops"] = [p.stop for p in results]
    start = time.perf_counter()
    with client_for("local", n_workers=2) as client:
        startup = time.perf_counter() - start
        for name, (responses, options, reps) in tasks.items():
            warm = responses[:2] if name != "sample" else []
            if warm:  # workers load the network and the compiled code once
                run(name, warm, scheduler=client, chunk_size=1, progress=False, **options)
            _, seconds = timed(
                lambda: run(name, responses, scheduler=client, progress=False, **options),
                reps,
            )
            entry = out[name]
            entry["cluster_s"] = seconds
            entry["per_station_embedded_s"] = entry["embedded_s"] / entry["stations"]
            entry["per_station_per_worker_s"] = seconds * 2 / entry["stations"]
            entry["speedup_2_workers"] = entry["embedded_s"] / seconds
            print(name, entry, flush=True)
    out["cluster_startup_s"] = startup
    out["cluster_workers"] = 2
    return out


def estimate(per: dict) -> dict:
    """Hours for 10 000 stations on N workers, each as fast as one worker measured here."""
    return {
        name: {
            str(n): N_STATIONS * per[name]["per_station_per_worker_s"] / n / 3600 for n in WORKERS
        }
        for name in ("invert", "network", "sample")
    }


def main() -> None:
    parser = make_parser(__doc__, "survey")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    info = machine(args.threads)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # noisy synthetic phases outside (0°, 90°) are masked
        lci(*[getattr(synthetic_profile(4), k) for k in ("responses", "distance_km")])  # compile
        results = {
            "machine": info,
            "lci_scaling": lci_scaling(args.repeat),
            "lateral_weight": lateral_weights(),
        }
    per = per_station(args.repeat)
    results["per_station"] = per
    results["hours_for_10000_stations"] = estimate(per)
    results["workers"] = list(WORKERS)
    write(results, args.out)


if __name__ == "__main__":
    main()
