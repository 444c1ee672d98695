"""Training of the U-Net: Adam, RMSE loss, learning-rate halving, early stopping, checkpoints.

The paper trains with Adam at an initial learning rate of 0.01 on an RMSE loss and stops
when the validation loss has not improved for 25 epochs (≈150 epochs run). "Initial"
implies a decay. ``lr_schedule="plateau"`` (default) halves the rate when the validation
loss plateaus (``lr_patience`` epochs without improvement); ``"cosine"`` anneals it from
0.01 to ``min_lr`` over ``max_epochs``, which does better when a CPU profile caps the
epochs far below the paper's ~150. The best weights are kept.

``uncertainty=True`` trains a member of an uncertainty ensemble
(:mod:`mtlib.networks.ensemble`): the network also outputs the log-variance ``s`` of each layer's
normalized log10 ρ, learned by
adding ``nll_weight`` times the Gaussian negative log-likelihood
``½ (s + (y − μ)² e^{−s})`` to the RMSE loss, with μ held fixed in that term, so the mean is
trained exactly like the paper's network and the variance learns how large its errors are.
``noise_input=True`` also tells the network the noise level of each sounding (a third input
channel, see :mod:`mtlib.networks.normalize`): real data come with error bars, and a network that
knows them need not guess whether a wiggle is noise or structure.

Everything random is derived from ``seed`` and the epoch number (weights initialization,
shuffling, noise augmentation), and a checkpoint is written atomically after every epoch: a
run that is interrupted resumes where it stopped and ends with the same network as an
uninterrupted run on the same device.

Run folder::

    checkpoint.pt     full state after the last finished epoch
    history.json/.csv loss curves (train RMSE, validation RMSE, learning rate, seconds)
    model.pt          the best network as an PaperNetwork bundle (see mtlib.networks.paper)
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch

from .._io import atomic_write
from ..networks.ensemble import PaperEnsemble
from ..networks.normalize import Normalizer
from ..networks.paper import PaperNetwork
from ..networks.unet import UNet1d, split_output
from ..noise import add_noise
from .config import TrainConfig
from .dataset import Dataset


@dataclass
class TrainResult:
    inverter: PaperNetwork
    history: list
    best_epoch: int
    best_val_rmse: float
    stopped_early: bool
    elapsed_s: float
    device: str
    run_dir: Path

    @property
    def epochs_run(self) -> int:
        return len(self.history)


def choose_device(device: str | None = None) -> torch.device:
    """``device`` if given, else CUDA when available (under ``torchrun``, the GPU of this
    process's ``LOCAL_RANK``), else CPU."""
    if device is not None:
        return torch.device(device)
    if torch.cuda.is_available():
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
    return torch.device("cpu")


def _epoch_generator(seed: int, epoch: int, device: torch.device) -> torch.Generator:
    """The epoch's random numbers (order, noise), different on every data-parallel rank."""
    gen = torch.Generator(device=device)
    gen.manual_seed(int(seed) * 1_000_003 + int(epoch) + 7_919 * _rank_and_world()[0])
    return gen


def _rank_and_world() -> tuple[int, int]:
    """This process's rank and the number of processes (0, 1 outside ``torchrun``)."""
    dist = torch.distributed
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def _barrier() -> None:
    if _rank_and_world()[1] > 1:
        torch.distributed.barrier()


class _Split:
    """One split of a paper-scheme dataset on the device: raw ρa, φ (for noise) and
    normalized targets; :meth:`batch` adds this run's noise."""

    def __init__(self, arrays: dict, norm: Normalizer, device: torch.device, config: TrainConfig):
        self.rhoa = torch.as_tensor(arrays["rhoa_ohmm"], dtype=torch.float32, device=device)
        self.phase = torch.as_tensor(arrays["phase_deg"], dtype=torch.float32, device=device)
        self.y = norm.targets(
            torch.as_tensor(arrays["rho_ohmm"], dtype=torch.float32, device=device)
        )
        self.norm = norm
        self.config = config

    def __len__(self):
        return self.y.shape[0]

    def batch(self, idx, gen: torch.Generator | None):
        """Inputs and targets of soundings ``idx``, noisy as the config says."""
        cfg = self.config
        rhoa, phase = self.rhoa[idx], self.phase[idx]
        level = torch.zeros((rhoa.shape[0], 1), device=rhoa.device)
        if cfg.noise_max > 0:
            level = (
                cfg.noise_max
                * torch.rand((rhoa.shape[0], 1), generator=gen, device=rhoa.device)
                ** cfg.noise_exponent
            )
            rhoa, phase = add_noise(rhoa, phase, level, gen)
        return self.norm.inputs(rhoa, phase, level if cfg.noise_input else None), self.y[idx]


@dataclass(frozen=True)
class Objective:
    """What a training loop minimizes: ``loss(out, y) → (loss, reported)``, ``reported`` the
    quantity recorded per epoch under ``name`` (history columns ``train_<name>``,
    ``val_<name>``; the validation value is its mean over the split, weighted by batch
    size). Without one, :func:`fit` minimizes :func:`_loss` and reports the RMSE."""

    name: str
    loss: Callable


def _loss(out: torch.Tensor, y: torch.Tensor, nll_weight: float):
    """RMSE of the mean (the paper's loss) plus, for two-channel output, the weighted
    Gaussian NLL of the log-variance around the detached mean. Returns (loss, rmse)."""
    mean, log_var = split_output(out)
    rmse = torch.sqrt(torch.mean((mean - y) ** 2))
    if log_var is None:
        return rmse, rmse
    nll = 0.5 * torch.mean(log_var + (y - mean.detach()) ** 2 * torch.exp(-log_var))
    return rmse + nll_weight * nll, rmse


def _val_mean(net, split, seed: int, loss: Callable, batch: int = 4096) -> float:
    """The mean over the whole validation split of an objective's reported value (its
    batch values weighted by their sizes); the same random draws at every epoch."""
    net.eval()
    device = next(net.parameters()).device
    gen = _epoch_generator(seed, -1, device)
    total = 0.0
    with torch.no_grad():
        for start in range(0, len(split), batch):
            idx = torch.arange(start, min(start + batch, len(split)), device=device)
            x, y = split.batch(idx, gen)
            total += float(loss(net(x), y)[1]) * idx.numel()
    return total / len(split)


def _val_rmse(net, split, seed: int, batch: int = 4096) -> float:
    """RMSE over the whole validation split; its random draws are the same at every epoch."""
    net.eval()
    device = next(net.parameters()).device
    gen = _epoch_generator(seed, -1, device)
    total, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(split), batch):
            idx = torch.arange(start, min(start + batch, len(split)), device=device)
            x, y = split.batch(idx, gen)
            err = split_output(net(x))[0] - y
            total += float((err**2).sum())
            count += err.numel()
    return math.sqrt(total / count)


def _write_history(run_dir: Path, history: list) -> None:
    text = json.dumps(history, indent=1).encode()
    atomic_write(run_dir / "history.json", lambda fh: fh.write(text))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(history[0]))
    writer.writeheader()
    writer.writerows(history)
    atomic_write(run_dir / "history.csv", lambda fh: fh.write(buf.getvalue().encode()))


def _new_network(config: TrainConfig, dev: torch.device, **arch) -> UNet1d:
    """A fresh U-Net from the config's seed; ``arch``: its sizes (``out_channels`` by
    default 2 with a variance head, else 1)."""
    torch.manual_seed(config.seed)
    arch.setdefault("out_channels", 2 if config.uncertainty else 1)
    return UNet1d(base_channels=config.base_channels, depth=config.depth, **arch).to(dev)


def widened(
    base: UNet1d, config: TrainConfig, in_channels: int, start_rmse: float, dev: torch.device
) -> UNet1d:
    """A network for ``config`` (variance head, noise input) that starts as ``base`` (a
    trained paper network, one output, two inputs): every weight of ``base`` copied, the
    noise input's first-layer weights at zero and the mean output not reading the variance
    channel, so its first predictions are ``base``'s; the variance head starts from this
    config's seed, its output near ``start_rmse`` (``base``'s validation RMSE, normalized
    units). On ``dev``; ``base`` stays where it is."""
    net = _new_network(
        config,
        dev,
        n_freq=base.config["n_freq"],
        n_layers=base.config["n_layers"],
        in_channels=in_channels,
        kernel_size=base.config["kernel_size"],
    )
    if (base.config["base_channels"], base.config["depth"]) != (config.base_channels, config.depth):
        raise ValueError("a warm start needs the base network's base_channels and depth")
    n_lay, n_freq = base.config["n_layers"], base.config["n_freq"]
    own = net.state_dict()
    with torch.no_grad():
        for name, value in base.state_dict().items():
            target = own[name]
            if target.shape == value.shape:
                target.copy_(value)
            elif name == "encoders.0.0.weight":  # (C, in, k): the noise channel reads 0
                target.zero_()
                target[:, : value.shape[1]] = value
            elif name in ("head.weight", "head.bias"):  # the mean channel is base's
                target[: value.shape[0]] = value
            elif name == "to_layers.weight":  # (2L, 2F): mean rows read the mean channel
                target[:n_lay] = 0.0
                target[:n_lay, :n_freq] = value
                target[n_lay:] *= 0.1
            elif name == "to_layers.bias":
                target[:n_lay] = value
                target[n_lay:] = 2 * math.log(start_rmse)
            else:
                raise ValueError(
                    f"cannot widen {name}: {tuple(value.shape)} → {tuple(target.shape)}"
                )
    return net


def fit(
    net: UNet1d,
    train_split,
    val_split,
    config: TrainConfig,
    run_dir: Path,
    identity: dict,
    progress: bool = True,
    stop_after_epochs: int | None = None,
    desc: str = "training",
    objective: Objective | None = None,
) -> dict:
    """The training loop shared by every network: Adam on ``train_split.batch(idx, gen)``,
    validation RMSE on ``val_split``, the config's learning-rate schedule and early stopping,
    a checkpoint after every epoch. Resumes from ``run_dir/checkpoint.pt`` when it belongs to
    the same ``identity`` (else ``ValueError``). Leaves the best weights in ``net`` and
    returns the run's state (history, best epoch and RMSE, elapsed time, finished).
    ``objective``: another loss and reported quantity (:class:`Objective`) instead."""
    from tqdm.auto import tqdm

    rank, world = _rank_and_world()
    run_dir.mkdir(parents=True, exist_ok=True)
    dev = next(net.parameters()).device
    # data-parallel: each rank steps on its shard, DDP averages the gradients; the state
    # (weights, checkpoints) stays the plain network's, identical on every rank
    model = net if world == 1 else torch.nn.parallel.DistributedDataParallel(net)
    opt, sched = _optimizer(net, config)
    state = _fresh_state()
    ckpt = _checkpoint(run_dir, identity, dev)
    if ckpt is not None:
        net.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        sched.load_state_dict(ckpt["scheduler"])
        state = ckpt["state"]

    bar = tqdm(
        total=config.max_epochs,
        initial=state["epoch"],
        unit="epoch",
        desc=f"{desc} on {dev.type}",
        disable=not progress or rank != 0,
    )
    new_epochs = 0
    while not state["finished"]:
        if stop_after_epochs is not None and new_epochs >= stop_after_epochs:
            break
        epoch = state["epoch"] + 1
        start = time.perf_counter()
        loss = _objective_loss(objective, config)
        train_rmse = _train_epoch(model, opt, train_split, config, epoch, world, loss)
        if objective is None:
            val = _val_rmse(net, val_split, config.seed)
        else:
            val = _val_mean(net, val_split, config.seed, objective.loss)
        lr_used = opt.param_groups[0]["lr"]
        if config.lr_schedule == "plateau":
            sched.step(val)
        else:
            sched.step()
        name = "rmse" if objective is None else objective.name
        row = {
            "epoch": epoch,
            f"train_{name}": train_rmse,
            f"val_{name}": val,
            "lr": lr_used,
            "seconds": time.perf_counter() - start,
        }
        _end_epoch(state, row, net, config, val)
        if rank == 0:
            _save_checkpoint(run_dir, identity, net, opt, sched, state)
        _barrier()
        new_epochs += 1
        bar.update(1)
        bar.set_postfix(train=f"{train_rmse:.4f}", val=f"{val:.4f}", lr=f"{lr_used:.1e}")
    bar.close()
    if state["best_state"] is not None:
        net.load_state_dict(state["best_state"])
    return state


def _objective_loss(objective: Objective | None, config: TrainConfig) -> Callable:
    """The loss a training epoch minimizes: the objective's, or :func:`_loss`."""
    if objective is None:
        return functools.partial(_loss, nll_weight=config.nll_weight)
    return objective.loss


def _optimizer(net: UNet1d, config: TrainConfig):
    """Adam at ``config.lr`` and the config's learning-rate schedule."""
    opt = torch.optim.Adam(net.parameters(), lr=config.lr)
    if config.lr_schedule == "plateau":
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
            opt,
            mode="min",
            factor=config.lr_factor,
            patience=config.lr_patience - 1,
            min_lr=config.min_lr,
        )
    else:
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(
            opt, T_max=config.max_epochs, eta_min=config.min_lr
        )
    return opt, sched


def _fresh_state() -> dict:
    """The state of a run before its first epoch (what a checkpoint stores)."""
    return {
        "epoch": 0,
        "history": [],
        "best_val": math.inf,
        "best_epoch": 0,
        "best_state": None,
        "bad_epochs": 0,
        "elapsed_s": 0.0,
        "finished": False,
    }


def _train_epoch(
    net,
    opt,
    split,
    config: TrainConfig,
    epoch: int,
    world: int = 1,
    loss_of: Callable | None = None,
) -> float:
    """One pass over ``split`` in the epoch's seeded order, in batches of
    ``config.batch_size / world`` (with ``world`` data-parallel ranks, the global batch is
    the config's); the mean of the batches' reported values (RMSE unless ``loss_of``, a
    loss of :func:`_objective_loss`, reports another)."""
    loss_of = loss_of or _objective_loss(None, config)
    dev = next(net.parameters()).device
    gen = _epoch_generator(config.seed, epoch, dev)
    net.train()
    order = torch.randperm(len(split), generator=gen, device=dev)
    losses = []
    batch_size = max(config.batch_size // world, 2)
    for first in range(0, len(split), batch_size):
        idx = order[first : first + batch_size]
        if idx.numel() < 2:  # BatchNorm needs two samples
            continue
        x, y = split.batch(idx, gen)
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=config.amp):
            out = net(x)
        out = out.float()  # the loss (and its square roots) in float32
        loss, rmse = loss_of(out, y)
        if config.data_weight > 0:
            loss = loss + config.data_weight * split.data_misfit(out, x)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(float(rmse.detach()))
    return float(np.mean(losses))


def _end_epoch(state: dict, row: dict, net: UNet1d, config: TrainConfig, val: float) -> None:
    """Record the epoch's ``row`` (validation value ``val``) in ``state``: history, best
    weights, early stopping."""
    state["elapsed_s"] += row["seconds"]
    state["history"].append(row)
    if val < state["best_val"]:
        state.update(
            best_val=val,
            best_epoch=row["epoch"],
            bad_epochs=0,
            best_state={k: v.detach().clone() for k, v in net.state_dict().items()},
        )
    else:
        state["bad_epochs"] += 1
    state["epoch"] = row["epoch"]
    state["finished"] = state["bad_epochs"] >= config.patience or row["epoch"] >= config.max_epochs


def _save_checkpoint(run_dir: Path, identity: dict, net, opt, sched, state: dict) -> None:
    """The full state after an epoch, written atomically, and the loss curves."""
    checkpoint = {
        "identity": identity,
        "model": net.state_dict(),
        "optimizer": opt.state_dict(),
        "scheduler": sched.state_dict(),
        "state": state,
    }
    atomic_write(run_dir / "checkpoint.pt", lambda fh: torch.save(checkpoint, fh))
    _write_history(run_dir, state["history"])


def _checkpoint(run_dir: Path, identity: dict, dev: torch.device) -> dict | None:
    """The checkpoint in ``run_dir`` (None when there is none); ``ValueError`` when it
    belongs to another run."""
    path = run_dir / "checkpoint.pt"
    if not path.exists():
        return None
    ckpt = torch.load(path, map_location=dev, weights_only=False)
    saved = dict(ckpt["identity"])
    # a checkpoint written before TrainConfig grew a field holds that field's default
    saved["config"] = asdict(TrainConfig(**saved["config"]))
    if saved != identity:
        raise ValueError(
            f"run_dir {run_dir} holds a checkpoint of another training run "
            "(different config or data); choose another run_dir or delete it"
        )
    return ckpt


def _training_record(
    state: dict, config: TrainConfig, net: UNet1d, dev: torch.device, metric="rmse", **data
) -> dict:
    """What a model card says about a finished (or interrupted) run (``metric``: the name
    of the reported validation value)."""
    return {
        **data,
        "config": asdict(config),
        "epochs_run": state["epoch"],
        "best_epoch": state["best_epoch"],
        f"best_val_{metric}": state["best_val"],
        "finished": state["finished"],
        "stopped_early": state["finished"] and state["epoch"] < config.max_epochs,
        "train_time_s": state["elapsed_s"],
        "device": _device_name(dev),
        "n_parameters": net.n_parameters(),
        "history": state["history"],
    }


def train(
    dataset: Dataset,
    config: TrainConfig,
    run_dir: str | os.PathLike,
    device: str | None = None,
    progress: bool = True,
    stop_after_epochs: int | None = None,
    init: PaperNetwork | None = None,
) -> TrainResult:
    """Train a U-Net on ``dataset``'s train split, early-stopping on its val split.

    Resumes from ``run_dir/checkpoint.pt`` when it exists for the same config, dataset and
    start (and raises ``ValueError`` when it belongs to another). ``stop_after_epochs`` ends
    this call after that many new epochs, as an interruption would (for splitting long
    runs). ``init``: a trained paper network to start from (:func:`widened`), for ensemble
    members that fine-tune it instead of learning from scratch.
    """
    if config.data_weight > 0:
        raise ValueError(
            "data_weight is for the field network (train_field): a paper-scheme "
            "dataset has no frame to compute the data misfit in"
        )
    run_dir = Path(run_dir)
    dev = choose_device(device)
    norm = Normalizer()
    in_channels = 3 if config.noise_input else 2
    identity = {"config": asdict(config), "dataset_hash": dataset.content_hash}
    if init is None:
        net = _new_network(
            config,
            dev,
            n_freq=dataset.spec.n_freq,
            n_layers=dataset.spec.n_layers,
            in_channels=in_channels,
        )
    else:
        if not np.allclose(init.freq_hz, dataset.freq_hz, rtol=1e-9) or init.normalizer != norm:
            raise ValueError(
                "init was trained on other frequencies or normalization than this dataset"
            )
        net = widened(init.net, config, in_channels, init.training["best_val_rmse"], dev)
        identity["init"] = _weights_hash(init.net)
    rank, world = _rank_and_world()
    shard = (rank, world) if world > 1 else None
    if world > 1:  # another sharding is another run
        identity["world_size"] = world
    train_split = _Split(dataset.load("train", shard=shard), norm, dev, config)
    val_split = _Split(dataset.load("val"), norm, dev, config)  # whole: the same on all ranks
    state = fit(net, train_split, val_split, config, run_dir, identity, progress, stop_after_epochs)
    training = _training_record(
        state,
        config,
        net,
        dev,
        dataset_hash=dataset.content_hash,
        n_train=len(train_split) * world,
        n_val=len(val_split),
        world_size=world,
    )
    inverter = PaperNetwork(
        net.cpu().eval(), norm, dataset.freq_hz, dataset.thick_m, training=training
    )
    if state["finished"] and rank == 0:
        inverter.save(run_dir / "model.pt")
    _barrier()
    return TrainResult(
        inverter=inverter,
        history=state["history"],
        best_epoch=state["best_epoch"],
        best_val_rmse=state["best_val"],
        stopped_early=training["stopped_early"],
        elapsed_s=state["elapsed_s"],
        device=training["device"],
        run_dir=run_dir,
    )


def noisy_copies(rhoa_ohmm, phase_deg, noise_max: float, seed):
    """Each sounding with its own noise level drawn uniformly in [0, noise_max] (the
    training distribution), for calibration: noisy ρa, φ (n, F) and the levels (n, 1)."""
    rng = np.random.default_rng(seed)
    level = noise_max * rng.random((np.shape(rhoa_ohmm)[0], 1))
    return (*add_noise(rhoa_ohmm, phase_deg, level, seed=rng), level)


def train_ensemble(
    dataset,
    configs: list[TrainConfig],
    run_dir: str | os.PathLike,
    calibration_noise_max: float,
    progress: bool = True,
    device: str | None = None,
    init: PaperNetwork | None = None,
) -> PaperEnsemble:
    """Train one member per config (``run_dir/member_<k>``, each resumable), calibrate the
    ensemble on ``dataset``'s validation split with noise up to ``calibration_noise_max``
    and save it as ``run_dir/ensemble.pt``. Finished members are loaded, not retrained;
    an interrupted one resumes from its checkpoint. With ``init`` (the paper network trained
    on ``dataset``) every member starts from it (:func:`widened`) and fine-tunes."""
    run_dir = Path(run_dir)
    results = [
        train(
            dataset,
            replace(cfg, uncertainty=True),
            run_dir / f"member_{k}",
            device=device,
            progress=progress,
            init=init,
        )
        for k, cfg in enumerate(configs)
    ]
    val = dataset.load("val")
    rhoa, phase, level = noisy_copies(
        val["rhoa_ohmm"],
        val["phase_deg"],
        calibration_noise_max,
        seed=[configs[0].seed, len(configs)],
    )
    ensemble = PaperEnsemble([r.inverter for r in results])
    ensemble.calibrate(val["rho_ohmm"], rhoa, phase, level if ensemble.takes_noise else None)
    ensemble.training = {
        "n_members": len(configs),
        "warm_start": init is not None,
        "dataset_hash": dataset.content_hash,
        "calibration": {
            "split": "val",
            "n": int(rhoa.shape[0]),
            "noise": f"uniform in [0, {calibration_noise_max:g}] per sounding",
        },
        "train_time_s": float(sum(r.elapsed_s for r in results)),
        "members": [r.inverter.training for r in results],
    }
    ensemble.save(run_dir / "ensemble.pt")
    return ensemble


def _fit_drawn(
    net: UNet1d,
    data,
    sizes: tuple[int, int],
    config: TrainConfig,
    run_dir: Path,
    identity: dict,
    how: tuple[bool, int | None],
    desc: str,
    objective: Objective | None = None,
) -> dict:
    """:func:`fit` on earths drawn in memory: ``data`` (a class with ``generate(n, seed,
    device)``) draws ``sizes`` = (training, validation) earths from the config's seed;
    ``how`` = (progress, stop_after_epochs). A run ``run_dir`` holds finished is loaded
    (its best weights into ``net``) without drawing the data again. Returns the state."""
    dev = next(net.parameters()).device
    ckpt = _checkpoint(run_dir, identity, dev)
    if ckpt is not None and ckpt["state"]["finished"]:
        net.load_state_dict(ckpt["state"]["best_state"])
        return ckpt["state"]
    n_train, n_val = sizes
    return fit(
        net,
        data.generate(n_train, seed=[config.seed, 0], device=dev),
        data.generate(n_val, seed=[config.seed, 1], device=dev),
        config,
        run_dir,
        identity,
        *how,
        desc=desc,
        objective=objective,
    )


def train_field(
    n_train: int,
    n_val: int,
    config: TrainConfig,
    run_dir: str | os.PathLike,
    device: str | None = None,
    progress: bool = True,
    stop_after_epochs: int | None = None,
    n_calibration: int | None = None,
):
    """Train the field network (:mod:`mtlib.networks.fieldnet`) on ``n_train`` earths of the field
    prior (seed ``config.seed``), early-stopping on ``n_val`` others, calibrate it on
    ``n_calibration`` more (default ``2 n_val``) and save it as ``run_dir/field.pt`` when
    finished. Resumable like :func:`train`; a finished run is only calibrated again.
    Returns the :class:`~mtlib.networks.fieldnet.FieldNetwork`."""
    from ..networks.fieldnet import AUGMENT, FRAME_N_LAYERS, FREQ_AXIS, FieldData, FieldNetwork

    run_dir = Path(run_dir)
    dev = choose_device(device)
    config = replace(config, uncertainty=True)
    identity = {"config": asdict(config), "dataset_hash": f"field prior {n_train}/{n_val}"}
    net = _new_network(config, dev, n_freq=FREQ_AXIS.size, n_layers=FRAME_N_LAYERS, in_channels=4)
    state = _fit_drawn(
        net,
        FieldData,
        (n_train, n_val),
        config,
        run_dir,
        identity,
        (progress, stop_after_epochs),
        desc="training the field network",
    )
    training = _training_record(
        state, config, net, dev, n_train=n_train, n_val=n_val, prior="mtlib.generator.field_models"
    )
    network = FieldNetwork(net.cpu().eval(), training=training)
    # calibrated on soundings without a static shift: a shift moves the whole model by the
    # similarity laws, which no σ from one sounding can know (the engine estimates it)
    calibration = FieldData.generate(
        n_calibration or 2 * n_val, seed=[config.seed, 2], augment=replace(AUGMENT, shift_prob=0.0)
    )
    network.calibrate(calibration)
    if state["finished"]:
        network.save(run_dir / "field.pt")
    return network


def train_posterior(
    n_train: int,
    n_val: int,
    config: TrainConfig,
    run_dir: str | os.PathLike,
    device: str | None = None,
    progress: bool = True,
    stop_after_epochs: int | None = None,
):
    """Train the posterior network (:mod:`mtlib.networks.posteriornet`) on ``n_train`` earths
    drawn from sampler priors (seed ``config.seed``) with the pinball loss of its quantiles,
    early-stopping on ``n_val`` others; record the range of inputs its training soundings
    cover (on ``n_val`` more) and save it as ``run_dir/posterior.pt`` when finished.
    Resumable like :func:`train`. Returns the
    :class:`~mtlib.networks.posteriornet.PosteriorNetwork`."""
    from ..networks.fieldnet import FRAME_N_LAYERS, FREQ_AXIS
    from ..networks.posteriornet import (
        IN_CHANNELS,
        QUANTILES,
        TRAINING_FAMILY,
        PosteriorData,
        PosteriorNetwork,
        input_ranges,
        pinball_loss,
    )

    run_dir = Path(run_dir)
    dev = choose_device(device)
    identity = {
        "config": asdict(config),
        "dataset_hash": f"sampler priors {n_train}/{n_val}",
        "prior_family": asdict(TRAINING_FAMILY),
    }
    net = _new_network(
        config,
        dev,
        n_freq=FREQ_AXIS.size,
        n_layers=FRAME_N_LAYERS,
        in_channels=IN_CHANNELS,
        out_channels=QUANTILES.size,
    )
    state = _fit_drawn(
        net,
        PosteriorData,
        (n_train, n_val),
        config,
        run_dir,
        identity,
        (progress, stop_after_epochs),
        desc="training the posterior network",
        objective=Objective("pinball", pinball_loss),
    )
    fresh = PosteriorData.generate(n_val, seed=[config.seed, 2])
    drawn = fresh.draw(torch.arange(n_val), torch.Generator().manual_seed(config.seed))
    training = _training_record(
        state,
        config,
        net,
        dev,
        metric="pinball",
        n_train=n_train,
        n_val=n_val,
        prior_family=asdict(TRAINING_FAMILY),
        quantiles=QUANTILES.tolist(),
        input_ranges=input_ranges(drawn),
    )
    network = PosteriorNetwork(net.cpu().eval(), training)
    if state["finished"]:
        network.save(run_dir / "posterior.pt")
    return network


def _weights_hash(net: UNet1d) -> str:
    """A short fingerprint of a network's weights (what a warm-started run starts from)."""
    digest = hashlib.sha256()
    for name, value in sorted(net.state_dict().items()):
        digest.update(name.encode())
        digest.update(value.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]


def _device_name(dev: torch.device) -> str:
    if dev.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(dev)})"
    return f"cpu ({os.cpu_count()} cores, {torch.get_num_threads()} threads)"
