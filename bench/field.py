"""Field engine against pyGIMLi's smooth inversion, like for like, on real and synthetic data.

Writes ``bench/results/field.json`` (or ``--out``):

* **real soundings** (the project's real-data set, ``mtlib/soundings``; determinant
  invariant, 5 % floor on |Z|, periods with |Z| errors ≥ 100 % masked): per sounding, one
  ``mtlib.invert`` call (network guess included) and one pyGIMLi run on the same periods,
  errors and layer grid (``MT1dSmoothModelling``, λ = 20, from a half-space); both warmed
  up, each timed as the median of ``--repeat`` runs; nRMS side by side; Gauss–Newton
  iterations from the network's guess and from a half-space; and the whole set in one
  batched ``invert_many`` call;
* **synthetic** paper-scheme soundings with noise equal to their 5 % |Z| errors, on the
  paper's grid and band: log10-ρ RMSE of the network alone, network + Occam, the posterior
  mode (``trade_off="posterior"``, μ = 1), Occam from a half-space and pyGIMLi on
  ``--n-compare`` soundings; time per sounding of ``invert_many`` over ``--n-batch``
  soundings against pyGIMLi's per-sounding time.

Both sets are also inverted in the posterior mode (one batched call): its nRMS next to
Occam's on the real set says why it is not the default.

Thread counts are set after every import (importing pyGIMLi changes torch's) to the same
number on both sides and recorded.

    python bench/field.py [--repeat 3] [--n-batch 1000] [--n-compare 200] [--threads N]
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from _common import machine, make_parser, timed, write

import mtlib
from mtlib import constants, data_errors, field, forward, generator, grid, noise
from mtlib.metrics import log_rho_rmse
from mtlib.inversion import baseline, invert, invert_many


def real_soundings(net, repeat: int) -> dict:
    with warnings.catch_warnings():  # capped errors and conjugated files are expected here
        warnings.simplefilter("ignore")
        responses = [field.read(p).response() for p in field.real_soundings()]
        batch = invert_many(responses, net)  # warm-up of every code path
        start = time.perf_counter()
        batch = invert_many(responses, net)
        batch_s = time.perf_counter() - start
        posterior = invert_many(responses, net, trade_off="posterior")
    rows = []
    for resp, post in zip(responses, posterior):
        args = (resp.freq_hz, resp.rhoa_ohmm, resp.phase_deg, resp.z_rel_err, resp.mask)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res, t_ours = timed(lambda: invert(*args, net=net), repeat)
            hs = invert(*args, net=net, start="halfspace")
        m = res.mask
        row = {
            "station": resp.station,
            "periods_used": int(m.sum()),
            "periods_masked": res.n_masked,
            "band_hz": [float(resp.freq_hz[m].max()), float(resp.freq_hz[m].min())],
            "nrms_network": res.nrms_network,
            "nrms": res.nrms,
            "stop": res.stop,
            "iterations_from_network": res.iterations,
            "iterations_from_halfspace": hs.iterations,
            "nrms_from_halfspace": hs.nrms,
            "nrms_posterior": post.nrms,
            "seconds": t_ours,
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

    ok = within("nrms")
    speedups = [r["pygimli_seconds"] / r["seconds"] for r in compared]
    return {
        "n_soundings": len(rows),
        "soundings": rows,
        "n_pygimli_failed": len(rows) - len(compared),
        "nrms_median": float(np.median([r["nrms"] for r in rows])),
        "nrms_network_median": float(np.median([r["nrms_network"] for r in rows])),
        "pygimli_nrms_median": float(np.median([r["pygimli_nrms"] for r in compared])),
        "nrms_within_target_every_sounding": bool(all(ok)),
        "nrms_target_missed_by": [r["station"] for r, good in zip(compared, ok) if not good],
        "posterior_nrms_median": float(np.median([r["nrms_posterior"] for r in rows])),
        "posterior_target_missed_by": [
            r["station"] for r, good in zip(compared, within("nrms_posterior")) if not good
        ],
        "seconds_per_sounding_median": float(np.median([r["seconds"] for r in rows])),
        "pygimli_seconds_per_sounding_median": float(
            np.median([r["pygimli_seconds"] for r in compared])
        ),
        "speedup_per_sounding_median": float(np.median(speedups)),
        "speedup_per_sounding_range": [float(min(speedups)), float(max(speedups))],
        "batched_seconds_per_sounding": batch_s / len(responses),
        "iterations_from_network_median": float(
            np.median([r["iterations_from_network"] for r in rows])
        ),
        "iterations_from_halfspace_median": float(
            np.median([r["iterations_from_halfspace"] for r in rows])
        ),
        "batch_nrms_equals_single": bool(
            np.allclose([b.nrms for b in batch], [r["nrms"] for r in rows], rtol=1e-3)
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
    halfspace = invert_many(responses[:n_compare], net, start="halfspace", **options)
    occam, t_pg = [], []
    for k in range(n_compare):
        start = time.perf_counter()
        occam.append(
            baseline.pygimli_invert(
                freq_hz, rhoa_n[k], phase_n[k], thick_m, z_rel_err=z_rel_err
            ).rho_ohmm
        )
        t_pg.append(time.perf_counter() - start)
    truth = rho[:n_compare]
    sub = results[:n_compare]
    t_ours = t_batch / n_batch
    return {
        "what": f"paper-scheme soundings, noise = stated errors ({z_rel_err:.0%} on |Z|), "
        "paper grid and band",
        "n_batch": n_batch,
        "n_compare": n_compare,
        "log_rho_rmse": {
            "network_only": float(log_rho_rmse(np.stack([r.rho_network_ohmm for r in sub]), truth)),
            "network_plus_occam": float(log_rho_rmse(np.stack([r.rho_ohmm for r in sub]), truth)),
            "network_plus_posterior": float(
                log_rho_rmse(np.stack([r.rho_ohmm for r in posterior[:n_compare]]), truth)
            ),
            "occam_from_halfspace": float(
                log_rho_rmse(np.stack([r.rho_ohmm for r in halfspace]), truth)
            ),
            "pygimli_smooth": float(log_rho_rmse(np.array(occam), truth)),
        },
        "nrms_median": float(np.median([r.nrms for r in results])),
        "fraction_nrms_le_1": float(np.mean([r.nrms <= 1 + 1e-9 for r in results])),
        "posterior_nrms_median": float(np.median([r.nrms for r in posterior])),
        "posterior_fraction_nrms_le_1": float(np.mean([r.nrms <= 1 + 1e-9 for r in posterior])),
        "iterations_from_network_mean": float(np.mean([r.iterations for r in sub])),
        "iterations_from_halfspace_mean": float(np.mean([r.iterations for r in halfspace])),
        "batched_seconds_per_sounding": t_ours,
        "pygimli_seconds_per_sounding_median": float(np.median(t_pg)),
        "speedup_batched_vs_pygimli": float(np.median(t_pg) / t_ours),
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
        "what": "mtlib.invert (network guess + Occam/Gauss–Newton) vs pyGIMLi smooth inversion",
        "machine": machine(args.threads),
        "network": args.network,
        "timing": f"one warm-up call, then the median of {args.repeat} calls, both sides",
        "real": real_soundings(net, args.repeat),
        "synthetic": synthetic(net, args.n_batch, args.n_compare, args.repeat),
    }
    write(results, args.out)


if __name__ == "__main__":
    main()
