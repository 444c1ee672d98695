"""Network inference throughput, side by side with pyGIMLi's smooth inversion.

Writes ``bench/results/inference.json`` (or ``--out``). In one run, with the same thread
count for torch and pyGIMLi (set after every import) and the same timing method on both
sides (:mod:`mtlib.harness.timing`: warm-up, then median and best):

- batched: predictions per second of the shipped network on CPU (and GPU when there is one)
  over ``--batch`` soundings in one call;
- the CPU inference path (BatchNorm folded, eager functional forward) against the
  TorchScript-frozen path it replaced, at 1, 64 and 2 048 soundings per call, their calls
  interleaved (:func:`mtlib.harness.timing.interleaved`);
- per sounding: the network and pyGIMLi's smooth inversion, one call per sounding, on
  ``--occam`` soundings with 2 % noise, with both methods' log10-ρ RMSE on them.

    python bench/inference.py [--batch 50000] [--occam 200] [--threads 2]
"""

from __future__ import annotations

import warnings
from pathlib import Path

import torch
from _common import machine, make_parser, write

from mtlib import forward, generator, load_pretrained
from mtlib.harness import timing
from mtlib.networks.paper import PaperNetwork
from mtlib.networks.unet import InferenceUNet


def inference_paths(net: PaperNetwork) -> dict:
    """Median ms per call of the shipped CPU path and of the TorchScript-frozen reference."""
    with warnings.catch_warnings():  # jit.freeze is deprecated in torch 2.13: reference only
        warnings.simplefilter("ignore")
        example = torch.zeros(2, net.net.config["in_channels"], net.freq_hz.size)
        frozen = torch.jit.freeze(torch.jit.trace(net.net.eval(), example))
    fused = InferenceUNet(net.net)
    out = {}
    for batch in (1, 64, 2048):
        x = torch.randn(batch, net.net.config["in_channels"], net.freq_hz.size)
        with torch.inference_mode():
            if not torch.allclose(frozen(x), fused(x), atol=1e-5):
                raise RuntimeError("the two inference paths disagree")
            t = timing.interleaved(
                {"fused": lambda: fused(x), "frozen": lambda: frozen(x)},
                repeat=500 if batch == 1 else 60,
            )
        out[str(batch)] = {
            "fused_eager_ms": 1e3 * t["fused"].median_s,
            "jit_frozen_ms": 1e3 * t["frozen"].median_s,
        }
    return out


def main() -> None:
    parser = make_parser(__doc__, "inference")
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--occam", type=int, default=200)
    parser.add_argument("--noise", type=float, default=0.02)
    parser.add_argument("--weights", type=Path, default=None)
    args = parser.parse_args()

    net = PaperNetwork.load(args.weights) if args.weights else load_pretrained()
    rho = generator.random_models(args.batch, seed=7)
    rhoa, phase = forward.mt1d(rho, net.thick_m, net.freq_hz)
    results: dict = {
        "what": "U-Net predictions per second vs pyGIMLi smooth inversion per sounding",
        "machine": machine(args.threads),
        "timing": "mtlib.harness.timing: warm-up, then median (and best) of repeated calls",
        "network": {
            "weights": str(args.weights or "pretrained"),
            "n_parameters": net.net.n_parameters(),
        },
        "batch": args.batch,
    }
    cpu = timing.time_prediction(net, rhoa, phase, device="cpu")
    results["network_cpu_soundings_per_s"] = args.batch / cpu.median_s
    if torch.cuda.is_available():
        gpu = timing.time_prediction(net, rhoa, phase, device="cuda")
        results["network_gpu_soundings_per_s"] = args.batch / gpu.median_s
    results["cpu_inference_paths_ms"] = inference_paths(net)

    cmp = timing.compare_with_occam(net, args.occam, rel_noise=args.noise, seed=11)
    cmp.pop("models")
    results["same_noisy_soundings"] = cmp
    write(results, args.out)


if __name__ == "__main__":
    main()
