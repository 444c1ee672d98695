"""``train``: train (or resume) the paper network of a profile, data-parallel under
``torchrun``; ``train-field``: train (or resume) a field network — or, given a posterior
profile (``posterior_quick``…), the posterior network — and with ``--ship`` ship it into
``mtlib/weights/`` (:func:`mtlib.cli.ship.ship_field`, :func:`mtlib.cli.ship.ship_posterior`)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..harness.config import FIELD_PROFILES, POSTERIOR_PROFILES, PROFILES, get_profile
from ..networks.pretrained import WEIGHTS_DIR
from .ship import ship_field, ship_posterior


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", default="quick", choices=sorted(PROFILES))
    parser.add_argument("--out", type=Path, required=True, help="run folder (checkpoint, model.pt)")
    parser.add_argument("--device", default=None)


def run_train(args: argparse.Namespace) -> int:
    return train_network(args.profile, args.out, args.device)


def add_train_field_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile",
        default="field_quick",
        choices=sorted(FIELD_PROFILES) + sorted(POSTERIOR_PROFILES),
        help="a field-network profile, or a posterior-network one (posterior_*)",
    )
    parser.add_argument("--device", default=None)
    parser.add_argument(
        "--ship",
        action="store_true",
        help="copy the finished network into --weights as <profile>.pt",
    )
    parser.add_argument("--weights", type=Path, default=WEIGHTS_DIR)


def run_train_field(args: argparse.Namespace) -> int:
    return train_and_ship(args.profile, args.device, args.weights if args.ship else None)


def train_network(profile_name: str, out: Path, device: str | None) -> int:
    """Train (or resume) the paper network of a profile into ``out``. Under ``torchrun``
    (``WORLD_SIZE`` > 1) every process trains on its shard of the training split
    (data-parallel: gloo on CPUs, NCCL on GPUs, the profile's batch size global); rank 0
    builds the dataset, writes the checkpoints and ``model.pt``."""
    import torch.distributed as dist

    from ..harness import dataset
    from ..harness.train import train

    profile = get_profile(profile_name)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1:
        import torch

        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
        if torch.cuda.is_available():
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
    rank = dist.get_rank() if world > 1 else 0
    try:
        # one writer (rank 0); the others open the dataset once it is complete
        if rank == 0:
            ds = dataset.build_dataset(profile.dataset_dir(), profile.dataset_spec())
        if world > 1:
            dist.barrier()
        if rank > 0:
            ds = dataset.build_dataset(
                profile.dataset_dir(), profile.dataset_spec(), progress=False
            )
        result = train(ds, profile.train_config(), out, device=device, progress=rank == 0)
    finally:
        if world > 1:
            dist.destroy_process_group()
    if rank == 0:
        print(
            f"{profile.name}: {result.epochs_run} epochs on {world} process(es), best "
            f"validation RMSE {result.best_val_rmse:.5f} (normalized), "
            f"{result.elapsed_s:.1f} s; {out / 'model.pt'}",
            flush=True,
        )
    return 0


def train_and_ship(profile_name: str, device: str | None, weights_dir: Path | None) -> int:
    """Train (or resume) a field-network profile, or a posterior-network one
    (:data:`~mtlib.harness.config.POSTERIOR_PROFILES`); with ``weights_dir``, ship the
    finished network there. 1 when the run stopped before it finished."""
    from ..harness import train

    if profile_name in POSTERIOR_PROFILES:
        profile, trainer, shipper = (
            POSTERIOR_PROFILES[profile_name],
            train.train_posterior,
            ship_posterior,
        )
    else:
        profile, trainer, shipper = FIELD_PROFILES[profile_name], train.train_field, ship_field
    network = trainer(
        profile.n_train, profile.n_val, profile.train_config(), profile.run_dir(), device=device
    )
    if not network.training["finished"]:
        return 1
    if weights_dir is not None:
        shipper(network, profile.name, weights_dir)
    return 0
