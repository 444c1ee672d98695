"""Training throughput: samples per second of one epoch's work, paper network and ensemble
member, on the CPU (and the GPU when there is one).

Writes ``bench/results/train.json`` (or ``--out``). For each kind of network, the training
loop of :mod:`mtlib.harness.train` (noise augmentation, forward, loss, backward, Adam step) runs
over ``--samples`` paper-scheme soundings in batches of the profile's size; one warm-up
pass, then the median of ``--repeat`` passes (:func:`mtlib.harness.timing.timed`). An ensemble
member costs what a paper network costs plus its variance head and noise channel; a
warm-started member trains for ``ensemble_epochs`` instead of ``max_epochs``, which is what
the per-profile estimate below uses.

    python bench/train.py [--samples 20000] [--repeat 3]
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import torch
from _common import machine, make_parser, write

from mtlib.harness import config, dataset, timing, train
from mtlib.networks.normalize import Normalizer


def throughput(ds, cfg, dev: torch.device, repeat: int) -> float:
    """Samples per second of the training loop (:func:`mtlib.harness.train._train_epoch`)."""
    net = train._new_network(
        cfg,
        dev,
        n_freq=ds.spec.n_freq,
        n_layers=ds.spec.n_layers,
        in_channels=3 if cfg.noise_input else 2,
    )
    split = train._Split(ds.load("train"), Normalizer(), dev, cfg)
    opt, _ = train._optimizer(net, cfg)

    def epoch():
        train._train_epoch(net, opt, split, cfg, epoch=1)
        if dev.type == "cuda":
            torch.cuda.synchronize()

    return len(split) / timing.timed(epoch, repeat).median_s


def main() -> None:
    parser = make_parser(__doc__, "train")
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    quick = config.get_profile("quick")
    results: dict = {
        "what": "training loop throughput, samples/s (one epoch's work)",
        "machine": machine(args.threads),
        "samples": args.samples,
        "timing": f"one warm-up pass, then the median of {args.repeat}",
    }
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    with tempfile.TemporaryDirectory() as tmp:
        spec = quick.dataset_spec(n_samples=int(args.samples / 0.8), chunk_size=args.samples)
        ds = dataset.build_dataset(Path(tmp) / "ds", spec, progress=False)
        for dev in devices:
            single = throughput(ds, quick.train_config(), dev, args.repeat)
            member = throughput(ds, quick.ensemble_configs()[0], dev, args.repeat)
            results[dev.type] = {
                "paper_network_samples_per_s": single,
                "ensemble_member_samples_per_s": member,
            }
    n_train = int(0.8 * quick.n_samples)
    cpu = results["cpu"]
    member_epochs = quick.ensemble_configs()[0].max_epochs
    results["quick_profile_estimate_cpu_min"] = {
        "paper_network": quick.max_epochs * n_train / cpu["paper_network_samples_per_s"] / 60,
        "ensemble": quick.ensemble_size
        * member_epochs
        * n_train
        / cpu["ensemble_member_samples_per_s"]
        / 60,
        "ensemble_from_scratch": quick.ensemble_size
        * quick.max_epochs
        * n_train
        / cpu["ensemble_member_samples_per_s"]
        / 60,
    }
    write(results, args.out)


if __name__ == "__main__":
    main()
