"""Field engine against pyGIMLi's smooth inversion, like for like, on real and synthetic data.

Writes ``bench/results/field.json`` (or ``--out``). Every timing comparison has one name, in
``comparisons`` of each data set, and is measured the same way on both sides:

* ``per sounding, engine vs engine``: one ``mtlib.invert(start="halfspace",
  posterior_network=None)`` call (Occam from a half-space, no network) against one pyGIMLi
  run (``MT1dSmoothModelling``, λ = 20, from a half-space), on the same periods, errors,
  layer grid and threads;
* ``per sounding, with the network``: one ``mtlib.invert`` call as users make it, the
  network's guess and the posterior network's band included, against the same pyGIMLi run;
* ``per sounding, with the network, without the band``: the same without the posterior
  network's band (``posterior_network=None``), on the real set;
* ``batched, engine vs engine`` and ``batched, with the network``: one ``invert_many``
  call for the whole set, per sounding, against pyGIMLi's per-sounding time (pyGIMLi has
  no batch).

A speed-up is pyGIMLi's median time per sounding over mtlib's (on the real set also the
range of the per-sounding ratios). The real set times each sounding as one warm-up call and
the median of ``--repeat`` more on both sides; the synthetic set one call per sounding on
both sides after one warm-up, the median over soundings
(:func:`mtlib.harness.timing.per_call`). Much of the end-to-end gain
comes from iterations the guess saves: both iteration counts are kept per sounding.

* **real soundings** (the project's real-data set, ``mtlib/soundings``; determinant
  invariant, 5 % floor on |Z|, periods with |Z| errors ≥ 100 % masked): nRMS side by side,
  with the D+ nRMS (:mod:`mtlib.dplus`, the best any 1D earth reaches on the same periods)
  as the floor; Gauss–Newton iterations from the network's guess and from a half-space;
* **synthetic** paper-scheme soundings with noise equal to their 5 % |Z| errors, on the
  paper's grid and band: log10-ρ RMSE of the network alone, network + Occam, the posterior
  mode (``trade_off="posterior"``, μ = 1), Occam from a half-space and pyGIMLi on
  ``--n-compare`` soundings; batched timings over ``--n-batch`` soundings.

Both sets are also inverted in the posterior mode (one batched call): its nRMS next to
Occam's on the real set says why it is not the default. Thread counts are set after every
import (importing pyGIMLi changes torch's) to the same number on both sides and recorded.

    python bench/field.py [--repeat 3] [--n-batch 1000] [--n-compare 200] [--threads N]
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from _common import machine, make_parser, timed, write

import mtlib
from mtlib import constants, data_errors, field, forward, generator, grid, noise
from mtlib.dplus import dplus
from mtlib.harness.timing import per_call
from mtlib.inversion import baseline, invert, invert_many
from mtlib.metrics import log_rho_rmse

ENGINE_ONLY = dict(start="halfspace", posterior_network=None)
"""Engine against engine: mtlib's Occam from a half-space, without the network's guess or
the posterior network's band (pyGIMLi gives neither)."""


def comparison(what: str, mtlib_s, pygimli_s) -> dict:
    """One named comparison: the median time per sounding of each side (``mtlib_s``,
    ``pygimli_s``: per-sounding times or one batch's share) and their ratio; with
    per-sounding times on both sides, also the range of the per-sounding ratios."""
    out = {
        "what": what,
        "mtlib_s": float(np.median(mtlib_s)),
        "pygimli_s": float(np.median(pygimli_s)),
    }
    out["speedup"] = out["pygimli_s"] / out["mtlib_s"]
    if np.ndim(mtlib_s) and np.ndim(pygimli_s):
        ratios = np.asarray(pygimli_s) / np.asarray(mtlib_s)
        out["speedup_range"] = [float(ratios.min()), float(ratios.max())]
    return out


def real_soundings(net, repeat: int) -> dict:
    with warnings.catch_warnings():  # capped errors and conjugated files are expected here
        warnings.simplefilter("ignore")
        responses = [field.read(p).response() for p in field.real_soundings()]
        invert_many(responses, net)  # warm-up of every code path
        invert_many(responses, **ENGINE_ONLY)
        start = time.perf_counter()
        batch = invert_many(responses, net)
        batch_s = time.perf_counter() - start
        start = time.perf_counter()
        invert_many(responses, **ENGINE_ONLY)
        batch_hs_s = time.perf_counter() - start
        posterior = invert_many(responses, net, trade_off="posterior")
    rows = []
    for resp, post in zip(responses, posterior):
        args = (resp.freq_hz, resp.rhoa_ohmm, resp.phase_deg, resp.z_rel_err, resp.mask)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res, t_ours = timed(lambda: invert(*args, net=net), repeat)
            _, t_no_band = timed(lambda: invert(*args, net=net, posterior_network=None), repeat)
            hs, t_hs = timed(lambda: invert(*args, **ENGINE_ONLY, thick_m=res.thick_m), repeat)
        m = res.mask
        best = dplus(resp.freq_hz, resp.rhoa_ohmm, resp.phase_deg, resp.z_rel_err, m)
        row = {
            "station": resp.station,
            "periods_used": int(m.sum()),
            "periods_masked": res.n_masked,
            "band_hz": [float(resp.freq_hz[m].max()), float(resp.freq_hz[m].min())],
            "nrms_network": res.nrms_network,
            "nrms": res.nrms,
            "nrms_dplus": best.nrms,
            "dplus_consistent_with_1d": best.consistent_with_1d(),
            "stop": res.stop,
            "iterations_from_network": res.iterations,
            "iterations_from_halfspace": hs.iterations,
            "nrms_from_halfspace": hs.nrms,
            "nrms_posterior": post.nrms,
            "seconds": t_ours,
            "seconds_halfspace": t_hs,
            "seconds_without_band": t_no_band,
            "doi_m": res.doi_m,
        }
        try:
            occam, t_pg = timed(
                lambda: baseline.pygimli_invert(
                    resp.freq_hz[m],
                    resp.rhoa_ohmm[m],
                    resp.phase_deg[m],
                    res.thick_m,
                    z_rel_err=resp.z_rel_err[m],
                ),
                repeat,
            )
            row.update(pygimli_nrms=float(np.sqrt(occam.chi2)), pygimli_seconds=t_pg)
        except RuntimeError as err:  # pyGIMLi's inversion can fail on real data
            row.update(pygimli_nrms=None, pygimli_seconds=None, pygimli_error=str(err)[:200])
        rows.append(row)
    compared = [r for r in rows if r["pygimli_nrms"] is not None]

    def within(key):
        return [r[key] <= max(1.0, 1.05 * r["pygimli_nrms"]) + 1e-9 for r in compared]

    def column(key, among=rows):
        return np.array([r[key] for r in among], dtype=float)

    ok = within("nrms")
    t_pg = column("pygimli_seconds", compared)
    named = {
        "per sounding, engine vs engine": comparison(
            "one invert(start='halfspace', posterior_network=None) call vs one pyGIMLi run per "
            "sounding, both from a half-space, same periods, errors, grid and threads",
            column("seconds_halfspace", compared),
            t_pg,
        ),
        "per sounding, with the network": comparison(
            "one invert call (the network's guess and the posterior network's band included) "
            "vs one pyGIMLi run per sounding",
            column("seconds", compared),
            t_pg,
        ),
        "per sounding, with the network, without the band": comparison(
            "one invert(posterior_network=None) call (the network's guess, no posterior band) "
            "vs one pyGIMLi run per sounding",
            column("seconds_without_band", compared),
            t_pg,
        ),
        "batched, engine vs engine": comparison(
            "one invert_many(start='halfspace') call for the set, per sounding, vs pyGIMLi's "
            "per-sounding time",
            batch_hs_s / len(responses),
            t_pg,
        ),
        "batched, with the network": comparison(
            "one invert_many call for the set (guesses included), per sounding, vs pyGIMLi's "
            "per-sounding time",
            batch_s / len(responses),
            t_pg,
        ),
    }
    with_network = named["per sounding, with the network"]
    return {
        "n_soundings": len(rows),
        "soundings": rows,
        "comparisons": named,
        "n_pygimli_failed": len(rows) - len(compared),
        "nrms_median": float(np.median(column("nrms"))),
        "nrms_network_median": float(np.median(column("nrms_network"))),
        "nrms_dplus_median": float(np.median(column("nrms_dplus"))),
        "not_1d_by_dplus": [r["station"] for r in rows if not r["dplus_consistent_with_1d"]],
        "pygimli_nrms_median": float(np.median(column("pygimli_nrms", compared))),
        "nrms_within_target_every_sounding": bool(all(ok)),
        "nrms_target_missed_by": [r["station"] for r, good in zip(compared, ok) if not good],
        "posterior_nrms_median": float(np.median(column("nrms_posterior"))),
        "posterior_target_missed_by": [
            r["station"] for r, good in zip(compared, within("nrms_posterior")) if not good
        ],
        # the names the README's first table reads: "per sounding, with the network", its
        # speed-up as the median of the per-sounding ratios
        "seconds_per_sounding_median": with_network["mtlib_s"],
        "pygimli_seconds_per_sounding_median": with_network["pygimli_s"],
        "speedup_per_sounding_median": float(np.median(t_pg / column("seconds", compared))),
        "speedup_per_sounding_range": with_network["speedup_range"],
        "batched_seconds_per_sounding": batch_s / len(responses),
        "iterations_from_network_median": float(np.median(column("iterations_from_network"))),
        "iterations_from_halfspace_median": float(np.median(column("iterations_from_halfspace"))),
        "batch_nrms_equals_single": bool(
            np.allclose([b.nrms for b in batch], column("nrms"), rtol=1e-3)
        ),
    }


def synthetic(net, n_batch: int, n_compare: int, repeat: int, z_rel_err: float = 0.05) -> dict:
    thick_m, freq_hz = grid.paper_thicknesses(), grid.default_frequencies()
    rho = generator.random_models(n_batch, seed=5)
    rhoa, phase = forward.mt1d(rho, thick_m, freq_hz)
    rhoa_n, phase_n = noise.add_noise(rhoa, phase, data_errors.rhoa_rel_err(z_rel_err), seed=1)
    phase_n = np.clip(phase_n, *constants.PHASE_RANGE_DEG)
    responses = [
        data_errors.Response1D(freq_hz, rhoa_n[k], phase_n[k], z_rel_err, None)
        for k in range(n_batch)
    ]
    options = dict(thick_m=thick_m)  # the paper's grid: compared with the truth there
    results, t_batch = timed(lambda: invert_many(responses, net, **options), repeat)
    posterior, t_posterior = timed(
        lambda: invert_many(responses, net, trade_off="posterior", **options), repeat
    )
    _, t_batch_hs = timed(lambda: invert_many(responses, **ENGINE_ONLY, **options), repeat)
    halfspace = invert_many(responses[:n_compare], **ENGINE_ONLY, **options)

    def one(k, **settings):
        r = responses[k]
        return invert(r.freq_hz, r.rhoa_ohmm, r.phase_deg, r.z_rel_err, **options, **settings)

    with_network, t_with_network = per_call((lambda k=k: one(k, net=net)) for k in range(n_compare))
    _, t_engine = per_call((lambda k=k: one(k, **ENGINE_ONLY)) for k in range(n_compare))
    occam, t_pg = per_call(
        (
            lambda k=k: baseline.pygimli_invert(
                freq_hz, rhoa_n[k], phase_n[k], thick_m, z_rel_err=z_rel_err
            )
        )
        for k in range(n_compare)
    )
    truth = rho[:n_compare]
    sub = results[:n_compare]
    pg_s = t_pg.median_s
    named = {
        "per sounding, engine vs engine": comparison(
            f"one invert(start='halfspace') call vs one pyGIMLi run, each of {n_compare} "
            "soundings, paper grid, same errors and threads",
            t_engine.median_s,
            pg_s,
        ),
        "per sounding, with the network": comparison(
            f"one invert call (the network's guess included) vs one pyGIMLi run, each of "
            f"{n_compare} soundings",
            t_with_network.median_s,
            pg_s,
        ),
        "batched, engine vs engine": comparison(
            f"one invert_many(start='halfspace') call for {n_batch} soundings, per sounding, "
            "vs pyGIMLi's per-sounding time",
            t_batch_hs / n_batch,
            pg_s,
        ),
        "batched, with the network": comparison(
            f"one invert_many call for {n_batch} soundings (guesses included), per sounding, "
            "vs pyGIMLi's per-sounding time",
            t_batch / n_batch,
            pg_s,
        ),
    }
    batched = named["batched, with the network"]
    return {
        "what": f"paper-scheme soundings, noise = stated errors ({z_rel_err:.0%} on |Z|), "
        "paper grid and band",
        "n_batch": n_batch,
        "n_compare": n_compare,
        "comparisons": named,
        "log_rho_rmse": {
            "network_only": float(log_rho_rmse(np.stack([r.rho_network_ohmm for r in sub]), truth)),
            "network_plus_occam": float(log_rho_rmse(np.stack([r.rho_ohmm for r in sub]), truth)),
            "network_plus_posterior": float(
                log_rho_rmse(np.stack([r.rho_ohmm for r in posterior[:n_compare]]), truth)
            ),
            "occam_from_halfspace": float(
                log_rho_rmse(np.stack([r.rho_ohmm for r in halfspace]), truth)
            ),
            "pygimli_smooth": float(log_rho_rmse(np.array([r.rho_ohmm for r in occam]), truth)),
        },
        "nrms_median": float(np.median([r.nrms for r in results])),
        "fraction_nrms_le_1": float(np.mean([r.nrms <= 1 + 1e-9 for r in results])),
        "posterior_nrms_median": float(np.median([r.nrms for r in posterior])),
        "posterior_fraction_nrms_le_1": float(np.mean([r.nrms <= 1 + 1e-9 for r in posterior])),
        "iterations_from_network_mean": float(np.mean([r.iterations for r in sub])),
        "iterations_from_halfspace_mean": float(np.mean([r.iterations for r in halfspace])),
        "single_equals_batched": bool(
            np.allclose([r.nrms for r in with_network], [r.nrms for r in sub], rtol=1e-3)
        ),
        # the names of the README's second table, kept: "batched, with the network"
        "batched_seconds_per_sounding": batched["mtlib_s"],
        "pygimli_seconds_per_sounding_median": batched["pygimli_s"],
        "speedup_batched_vs_pygimli": batched["speedup"],
        "posterior_batched_seconds_per_sounding": t_posterior / n_batch,
        "posterior_iterations_mean": float(np.mean([r.iterations for r in posterior])),
    }


def main() -> None:
    parser = make_parser(__doc__, "field")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--n-batch", type=int, default=1000)
    parser.add_argument("--n-compare", type=int, default=200)
    parser.add_argument(
        "--network",
        default=mtlib.DEFAULT_FIELD_NETWORK,
        help="shipped network for the guess (default: the field network)",
    )
    args = parser.parse_args()

    net = mtlib.load_pretrained(args.network)
    results = {
        "what": "mtlib.invert (network guess + Occam/Gauss–Newton, and Occam alone from a "
        "half-space) vs pyGIMLi smooth inversion",
        "machine": machine(args.threads),
        "network": args.network,
        "timing": f"real: one warm-up call, then the median of {args.repeat} calls per "
        "sounding, both sides; synthetic: one call per sounding after one warm-up, both "
        "sides; batches: one warm-up call, then the median of "
        f"{args.repeat}",
        "real": real_soundings(net, args.repeat),
        "synthetic": synthetic(net, args.n_batch, args.n_compare, args.repeat),
    }
    write(results, args.out)


if __name__ == "__main__":
    main()
