"""Network inference throughput, side by side with pyGIMLi's smooth inversion.

Writes ``bench/results/inference.json`` (or ``--out``). In one run: predictions per second
of the shipped network on CPU (and GPU when there is one) over ``--batch`` soundings, and
pyGIMLi's smooth inversion (MT1dSmoothModelling + pg.Inversion) timed on ``--occam``
soundings with 2 % noise, with both methods' log10-ρ RMSE on those same noisy soundings.

    python bench/inference.py [--batch 50000] [--occam 200] [--weights weights/unet_quick.pt]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtlib import __version__, evaluate, forward, generator, load_pretrained  # noqa: E402
from mtlib.inverter import Inverter  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--occam", type=int, default=200)
    parser.add_argument("--noise", type=float, default=0.02)
    parser.add_argument("--weights", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "inference.json")
    args = parser.parse_args()

    net = Inverter.load(args.weights) if args.weights else load_pretrained()
    rho = generator.random_models(args.batch, seed=7)
    rhoa, phase = forward.mt1d(rho, net.thick_m, net.freq_hz)
    results: dict = {
        "what": "U-Net predictions per second vs pyGIMLi smooth inversion per sounding",
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(),
                    "torch_threads": torch.get_num_threads()},
        "versions": {"mtlib": __version__, "torch": torch.__version__},
        "network": {"weights": str(args.weights or "pretrained"),
                    "n_parameters": net.net.n_parameters()},
        "batch": args.batch,
    }
    cpu_s = evaluate.time_prediction(net, rhoa, phase, device="cpu")
    results["network_cpu_soundings_per_s"] = args.batch / cpu_s
    if torch.cuda.is_available():
        results["gpu"] = torch.cuda.get_device_name(0)
        gpu_s = evaluate.time_prediction(net, rhoa, phase, device="cuda")
        results["network_gpu_soundings_per_s"] = args.batch / gpu_s

    cmp = evaluate.compare_with_occam(net, args.occam, rel_noise=args.noise, seed=11)
    cmp.pop("models")
    results["same_noisy_soundings"] = cmp
    results["speedup_per_sounding_cpu"] = (cmp["pygimli_occam"]["seconds_per_sounding"]
                                           * results["network_cpu_soundings_per_s"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
