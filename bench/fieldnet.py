"""The field network against the paper's ensemble, on real soundings and on its own prior.

Writes ``bench/results/fieldnet.json`` (or ``--out``):

* **real soundings** (``mtlib/soundings``; determinant invariant, 5 % floor on |Z|): per
  sounding and per network (the field network, the paper's uncertainty ensemble), the
  nRMS of the network's guess alone (on the data-covering grid), the refined nRMS, the
  Gauss–Newton iterations from the guess, and from a half-space; the time of one
  ``invert`` call (median of ``--repeat`` after a warm-up);
* **synthetic** soundings of the field prior with 5 % errors on |Z| (random sub-bands of
  1.5–9 decades, gaps): the coverage of the 68 % and 95 % intervals overall and per depth
  bin, and the log10-ρ RMSE of the network alone, inside the depth of investigation
  (Niblett–Bostick depth of the longest period) — on ``--n-test`` soundings in the
  network's frame; network-only and refined on ``--n-refine`` of them, on the engine's
  data-covering grid;
* **throughput** of the single network on the CPU (``--batch`` encoded soundings, chunks
  of 4 096), and of ``guesses`` end to end (resampling onto the axis included).

Thread counts are set after every import and recorded.

    python bench/fieldnet.py [--repeat 3] [--n-test 5000] [--n-refine 300] [--batch 50000]
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np
import torch
from _common import machine, make_parser, timed, write

import mtlib
from mtlib import field
from mtlib.data_errors import Response1D
from mtlib.grid import layer_centres_log_m
from mtlib.inversion import invert, invert_many
from mtlib.networks import fieldnet
from mtlib.networks.fieldnet import FINE_GRID, FREQ_AXIS, FieldData


def real_soundings(nets: dict, repeat: int) -> dict:
    with warnings.catch_warnings():  # capped errors and conjugated files are expected here
        warnings.simplefilter("ignore")
        responses = [field.read(p).response() for p in field.real_soundings()]
        halfspace = invert_many(responses, start="halfspace")
    rows = []
    for resp, hs in zip(responses, halfspace):
        row = {"station": resp.station, "iterations_from_halfspace": hs.iterations}
        args = (resp.freq_hz, resp.rhoa_ohmm, resp.phase_deg, resp.z_rel_err, resp.mask)
        for name, net in nets.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res, seconds = timed(lambda: invert(*args, net=net), repeat)
            row[name] = {
                "nrms_network": res.nrms_network,
                "nrms": res.nrms,
                "iterations": res.iterations,
                "seconds": seconds,
            }
        rows.append(row)
    summary = {}
    for name in nets:
        net_nrms = np.array([r[name]["nrms_network"] for r in rows])
        refined = np.array([r[name]["nrms"] for r in rows])
        fitted = refined <= 2.0
        summary[name] = {
            "nrms_network_median": float(np.median(net_nrms)),
            "nrms_network_max": float(net_nrms.max()),
            "nrms_network_max_where_refined_le_2": float(net_nrms[fitted].max()),
            "n_network_above_3_where_refined_le_2": int(np.sum(net_nrms[fitted] > 3)),
            "nrms_median": float(np.median(refined)),
            "iterations_median": float(np.median([r[name]["iterations"] for r in rows])),
            "seconds_per_sounding_median": float(np.median([r[name]["seconds"] for r in rows])),
        }
    summary["iterations_from_halfspace_median"] = float(
        np.median([r["iterations_from_halfspace"] for r in rows])
    )
    return {"n_soundings": len(rows), "summary": summary, "soundings": rows}


def synthetic(net, n_test: int, n_refine: int, z_rel_err: float = 0.05) -> dict:
    metrics, test, drawn = fieldnet.frame_metrics(
        net, n_test, z_rel_err=z_rel_err, return_draws=True
    )
    return {**metrics, **_refined_rmse(net, test, drawn, n_refine, z_rel_err)}


def _refined_rmse(net, test, drawn, n: int, z_rel_err: float) -> dict:
    """Network-only and refined log10-ρ RMSE inside the DOI on the engine's grid."""
    responses = []
    for k in range(n):
        m = drawn["mask"][k].numpy()
        responses.append(
            Response1D(
                FREQ_AXIS[m],
                10.0 ** drawn["log_rhoa"][k].numpy()[m],
                drawn["phase_deg"][k].numpy()[m],
                z_rel_err,
                None,
            )
        )
    results = invert_many(responses, net)
    sq_net, sq_ref, iters = [], [], []
    for k, res in enumerate(results):
        # the truth read at the depths the engine reads the network's guess at
        centres = np.log10(layer_centres_log_m(res.thick_m) / fieldnet.DELTA_UNIT_M)
        idx = np.clip(
            np.round((centres - FINE_GRID[0]) / fieldnet.FINE_STEP).astype(int),
            0,
            FINE_GRID.size - 1,
        )
        true = test.log_rho[k].numpy()[idx]
        inside = res.depth_m < res.doi_m
        sq_net.append((np.log10(res.rho_network_ohmm) - true)[inside] ** 2)
        sq_ref.append((np.log10(res.rho_ohmm) - true)[inside] ** 2)
        iters.append(res.iterations)
    return {
        "n_refined": n,
        "log_rho_rmse_inside_doi_network_only": float(np.sqrt(np.mean(np.concatenate(sq_net)))),
        "log_rho_rmse_inside_doi_refined": float(np.sqrt(np.mean(np.concatenate(sq_ref)))),
        "nrms_median_refined": float(np.median([r.nrms for r in results])),
        "nrms_median_network": float(np.median([r.nrms_network for r in results])),
        "iterations_mean": float(np.mean(iters)),
    }


def throughput(net, batch: int) -> dict:
    data = FieldData.generate(min(batch, 5000), seed=3)
    x = data.batch(torch.arange(len(data)), torch.Generator().manual_seed(0))[0]
    x = x.repeat(math.ceil(batch / len(data)), 1, 1)[:batch]
    _, seconds = timed(lambda: net.normalized(x), 3)
    soundings = [
        (
            FREQ_AXIS,
            10.0 ** data.log_rhoa[k].numpy(),
            data.phase[k].numpy(),
            np.full(FREQ_AXIS.size, 0.05),
            np.ones(FREQ_AXIS.size, bool),
        )
        for k in range(2000)
    ]
    _, guess_s = timed(lambda: net.guesses(soundings), 3)
    return {
        "network_soundings_per_s": batch / seconds,
        "batch": batch,
        "guesses_end_to_end_soundings_per_s": len(soundings) / guess_s,
    }


def main() -> None:
    parser = make_parser(__doc__, "fieldnet")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--n-test", type=int, default=5000)
    parser.add_argument("--n-refine", type=int, default=300)
    parser.add_argument("--batch", type=int, default=50_000)
    args = parser.parse_args()

    nets = {
        mtlib.DEFAULT_FIELD_NETWORK: mtlib.load_pretrained(mtlib.DEFAULT_FIELD_NETWORK),
        mtlib.DEFAULT_ENSEMBLE: mtlib.load_pretrained(mtlib.DEFAULT_ENSEMBLE),
    }
    field_net = nets[mtlib.DEFAULT_FIELD_NETWORK]
    start = time.perf_counter()
    results = {
        "what": "the field network vs the paper's ensemble: real soundings, calibration and "
        "accuracy on the field prior, throughput",
        "machine": machine(args.threads),
        "field_network": {
            "name": mtlib.DEFAULT_FIELD_NETWORK,
            "n_parameters": field_net.net.n_parameters(),
            "train_time_s": field_net.training.get("train_time_s"),
        },
        "timing": f"one warm-up call, then the median of {args.repeat} calls",
        "real": real_soundings(nets, args.repeat),
        "synthetic": synthetic(field_net, args.n_test, args.n_refine),
        "throughput_cpu": throughput(field_net, args.batch),
    }
    results["bench_seconds"] = time.perf_counter() - start
    write(results, args.out)


if __name__ == "__main__":
    main()
