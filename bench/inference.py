"""Network inference throughput, side by side with pyGIMLi's smooth inversion.

Writes ``bench/results/inference.json`` (or ``--out``). In one run: predictions per second
of the shipped network on CPU (and GPU when there is one) over ``--batch`` soundings, and
pyGIMLi's smooth inversion (MT1dSmoothModelling + pg.Inversion) timed on ``--occam``
soundings with 2 % noise, with both methods' log10-ρ RMSE on those same noisy soundings.

    python bench/inference.py [--batch 50000] [--occam 200] [--weights mtlib/weights/unet_quick.pt]
"""

from __future__ import annotations

from pathlib import Path

import torch
from _common import machine, make_parser, write

from mtlib import evaluate, forward, generator, load_pretrained
from mtlib.inverter import Inverter


def main() -> None:
    parser = make_parser(__doc__, "inference")
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--occam", type=int, default=200)
    parser.add_argument("--noise", type=float, default=0.02)
    parser.add_argument("--weights", type=Path, default=None)
    args = parser.parse_args()

    net = Inverter.load(args.weights) if args.weights else load_pretrained()
    rho = generator.random_models(args.batch, seed=7)
    rhoa, phase = forward.mt1d(rho, net.thick_m, net.freq_hz)
    results: dict = {
        "what": "U-Net predictions per second vs pyGIMLi smooth inversion per sounding",
        "machine": machine(),
        "network": {"weights": str(args.weights or "pretrained"),
                    "n_parameters": net.net.n_parameters()},
        "batch": args.batch,
    }
    cpu_s = evaluate.time_prediction(net, rhoa, phase, device="cpu")
    results["network_cpu_soundings_per_s"] = args.batch / cpu_s
    if torch.cuda.is_available():
        gpu_s = evaluate.time_prediction(net, rhoa, phase, device="cuda")
        results["network_gpu_soundings_per_s"] = args.batch / gpu_s

    cmp = evaluate.compare_with_occam(net, args.occam, rel_noise=args.noise, seed=11)
    cmp.pop("models")
    results["same_noisy_soundings"] = cmp
    results["speedup_per_sounding_cpu"] = (cmp["pygimli_occam"]["seconds_per_sounding"]
                                           * results["network_cpu_soundings_per_s"])
    write(results, args.out)


if __name__ == "__main__":
    main()
