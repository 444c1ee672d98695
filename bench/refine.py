"""Network only, network + refinement, and pyGIMLi alone on the same noisy soundings.

Writes ``bench/results/refine.json`` (or ``--out``): on ``--n`` paper-scheme soundings with
noise equal to their stated errors (``--rel-err`` on |Z|: twice that on ρa, arcsin of it on
the phase), each method's nRMS distribution, log10-ρ RMSE and time per sounding. The
refinement runs batched over all soundings on the CPU.

    python bench/refine.py [--n 200] [--rel-err 0.05]
"""

from __future__ import annotations

import time

import numpy as np
from _common import machine, make_parser, write

from mtlib import baseline, forward, generator, load_pretrained, noise, refine
from mtlib.evaluate import log_rho_rmse


def summary(nrms, rho, rho_true, seconds_per_sounding) -> dict:
    return {"nrms_median": float(np.median(nrms)),
            "fraction_nrms_le_1.2": float(np.mean(nrms <= 1.2)),
            "log_rho_rmse": float(log_rho_rmse(rho, rho_true)),
            "seconds_per_sounding": seconds_per_sounding}


def main() -> None:
    parser = make_parser(__doc__, "refine")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--rel-err", type=float, default=0.05)
    args = parser.parse_args()

    info = machine()  # before pyGIMLi runs: importing it changes the thread settings
    net = load_pretrained()
    rho = generator.random_models(args.n, seed=5)
    rhoa, phase = forward.mt1d(rho, net.thick_m, net.freq_hz)
    rhoa_n, phase_n = noise.add_noise(rhoa, phase, 2 * args.rel_err, seed=1)
    phase_n = np.clip(phase_n, 0.5, 89.5)

    net.predict(rhoa_n[:2], phase_n[:2])  # warm-up (network freezing)
    start = time.perf_counter()
    guess = net.predict(rhoa_n, phase_n)
    t_net = (time.perf_counter() - start) / args.n
    refine.refine(guess[:2], net.thick_m, net.freq_hz, rhoa_n[:2], phase_n[:2],
                  rel_err=args.rel_err, max_iter=2, device="cpu")  # warm-up (autograd)
    refined = refine.refine(guess, net.thick_m, net.freq_hz, rhoa_n, phase_n,
                            rel_err=args.rel_err, device="cpu")
    occam = [baseline.occam_invert(net.freq_hz, rhoa_n[i], phase_n[i], net.thick_m,
                                   rel_err=2 * args.rel_err) for i in range(args.n)]
    t_occam = float(np.mean([o.seconds for o in occam]))
    results = {
        "what": f"{args.n} soundings, noise = stated errors ({args.rel_err:.0%} on |Z|)",
        "machine": info,
        "network_only": summary(refined.nrms_start, guess, rho, t_net),
        "network_plus_refinement": summary(refined.nrms, refined.rho_ohmm, rho,
                                           t_net + refined.seconds / args.n),
        "pygimli_smooth": summary(np.sqrt([o.chi2 for o in occam]),
                                  np.array([o.rho_ohmm for o in occam]), rho, t_occam),
    }
    results["speedup_refined_vs_pygimli"] = (
        t_occam / results["network_plus_refinement"]["seconds_per_sounding"])
    write(results, args.out)


if __name__ == "__main__":
    main()
