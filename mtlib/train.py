"""Training of the U-Net: Adam, RMSE loss, learning-rate halving, early stopping, checkpoints.

The paper trains with Adam at an initial learning rate of 0.01 on an RMSE loss and stops
when the validation loss has not improved for 25 epochs (≈150 epochs run). "Initial"
implies a decay. ``lr_schedule="plateau"`` (default) halves the rate when the validation
loss plateaus (``lr_patience`` epochs without improvement); ``"cosine"`` anneals it from
0.01 to ``min_lr`` over ``max_epochs``, which does better when a CPU profile caps the
epochs far below the paper's ~150. The best weights are kept.

``uncertainty=True`` trains a member of an uncertainty ensemble (:mod:`mtlib.ensemble`): the
network also outputs the log-variance ``s`` of each layer's normalized log10 ρ, learned by
adding ``nll_weight`` times the Gaussian negative log-likelihood
``½ (s + (y − μ)² e^{−s})`` to the RMSE loss, with μ held fixed in that term, so the mean is
trained exactly like the paper's network and the variance learns how large its errors are.
``noise_input=True`` also tells the network the noise level of each sounding (a third input
channel, see :mod:`mtlib.normalize`): real data come with error bars, and a network that
knows them need not guess whether a wiggle is noise or structure.

Everything random is derived from ``seed`` and the epoch number (weights initialization,
shuffling, noise augmentation), and a checkpoint is written atomically after every epoch: a
run that is interrupted resumes where it stopped and ends with the same network as an
uninterrupted run on the same device.

Run folder::

    checkpoint.pt     full state after the last finished epoch
    history.json/.csv loss curves (train RMSE, validation RMSE, learning rate, seconds)
    model.pt          the best network as an Inverter bundle (see mtlib.inverter)
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from ._io import atomic_write
from .dataset import Dataset
from .inverter import Inverter
from .noise import add_noise
from .normalize import Normalizer
from .unet import UNet1d, split_output


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of one training run (the paper's values by default)."""

    max_epochs: int = 150
    batch_size: int = 512
    lr: float = 0.01
    patience: int = 25
    lr_factor: float = 0.5
    lr_patience: int = 5
    min_lr: float = 1e-5
    lr_schedule: str = "plateau"
    noise_max: float = 0.0
    seed: int = 0
    base_channels: int = 16
    depth: int = 3
    uncertainty: bool = False
    nll_weight: float = 0.2
    noise_input: bool = False
    noise_exponent: float = 1.0
    """Noise levels are ``noise_max · u**noise_exponent``, u uniform in [0, 1): 1 spreads them
    evenly, larger values put most soundings near noise-free and fewer near the maximum."""

    def __post_init__(self):
        for name in ("max_epochs", "batch_size", "patience", "lr_patience", "base_channels",
                     "depth"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if not self.lr > 0 or not 0 < self.lr_factor < 1:
            raise ValueError(f"need lr > 0 and 0 < lr_factor < 1, got {self.lr}, {self.lr_factor}")
        if self.lr_schedule not in ("plateau", "cosine"):
            raise ValueError(f"lr_schedule must be 'plateau' or 'cosine', got {self.lr_schedule!r}")
        if not 0 <= self.noise_max < 1:
            raise ValueError(f"noise_max must be in [0, 1), got {self.noise_max}")
        if not self.noise_exponent > 0:
            raise ValueError(f"noise_exponent must be > 0, got {self.noise_exponent}")
        if not self.nll_weight > 0:
            raise ValueError(f"nll_weight must be > 0, got {self.nll_weight}")


@dataclass
class TrainResult:
    inverter: Inverter
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
    """``device`` if given, else CUDA when available, else CPU."""
    if device is not None:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _epoch_generator(seed: int, epoch: int, device: torch.device) -> torch.Generator:
    gen = torch.Generator(device=device)
    gen.manual_seed(int(seed) * 1_000_003 + int(epoch))
    return gen


class _Split:
    """One split on the device: raw ρa, φ (for noise) and normalized targets."""

    def __init__(self, arrays: dict, norm: Normalizer, device: torch.device):
        self.rhoa = torch.as_tensor(arrays["rhoa_ohmm"], dtype=torch.float32, device=device)
        self.phase = torch.as_tensor(arrays["phase_deg"], dtype=torch.float32, device=device)
        self.y = norm.targets(torch.as_tensor(arrays["rho_ohmm"], dtype=torch.float32,
                                              device=device))
        self.norm = norm

    def __len__(self):
        return self.y.shape[0]

    def inputs(self, idx, noise_max: float, gen: torch.Generator | None,
               noise_input: bool = False, noise_exponent: float = 1.0):
        rhoa, phase = self.rhoa[idx], self.phase[idx]
        level = torch.zeros((rhoa.shape[0], 1), device=rhoa.device)
        if noise_max > 0:
            level = noise_max * torch.rand((rhoa.shape[0], 1), generator=gen,
                                           device=rhoa.device) ** noise_exponent
            rhoa, phase = add_noise(rhoa, phase, level, gen)
        return self.norm.inputs(rhoa, phase, level if noise_input else None)


def _loss(out: torch.Tensor, y: torch.Tensor, nll_weight: float):
    """RMSE of the mean (the paper's loss) plus, for two-channel output, the weighted
    Gaussian NLL of the log-variance around the detached mean. Returns (loss, rmse)."""
    mean, log_var = split_output(out)
    rmse = torch.sqrt(torch.mean((mean - y) ** 2))
    if log_var is None:
        return rmse, rmse
    nll = 0.5 * torch.mean(log_var + (y - mean.detach()) ** 2 * torch.exp(-log_var))
    return rmse + nll_weight * nll, rmse


def _val_rmse(net, split: _Split, config: TrainConfig, batch: int = 4096) -> float:
    """RMSE over the whole validation split; its noise is the same at every epoch."""
    net.eval()
    gen = _epoch_generator(config.seed, -1, split.y.device)
    total, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(split), batch):
            idx = torch.arange(start, min(start + batch, len(split)), device=split.y.device)
            out = net(split.inputs(idx, config.noise_max, gen, config.noise_input,
                                   config.noise_exponent))
            err = split_output(out)[0] - split.y[idx]
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


def train(dataset: Dataset, config: TrainConfig, run_dir: str | os.PathLike,
          device: str | None = None, progress: bool = True,
          stop_after_epochs: int | None = None) -> TrainResult:
    """Train a U-Net on ``dataset``'s train split, early-stopping on its val split.

    Resumes from ``run_dir/checkpoint.pt`` when it exists for the same config and dataset
    (and raises ``ValueError`` when it belongs to another). ``stop_after_epochs`` ends this
    call after that many new epochs, as an interruption would (for splitting long runs).
    """
    from tqdm.auto import tqdm

    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    dev = choose_device(device)
    norm = Normalizer()
    identity = {"config": asdict(config), "dataset_hash": dataset.content_hash}

    torch.manual_seed(config.seed)
    net = UNet1d(n_freq=dataset.spec.n_freq, n_layers=dataset.spec.n_layers,
                 base_channels=config.base_channels, depth=config.depth,
                 in_channels=3 if config.noise_input else 2,
                 out_channels=2 if config.uncertainty else 1).to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=config.lr)
    if config.lr_schedule == "plateau":
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
            opt, mode="min", factor=config.lr_factor, patience=config.lr_patience - 1,
            min_lr=config.min_lr)
    else:
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=config.max_epochs,
                                                           eta_min=config.min_lr)
    state = {"epoch": 0, "history": [], "best_val": math.inf, "best_epoch": 0,
             "best_state": None, "bad_epochs": 0, "elapsed_s": 0.0, "finished": False}

    ckpt_path = run_dir / "checkpoint.pt"
    if ckpt_path.exists():
        ckpt = torch.load(ckpt_path, map_location=dev, weights_only=False)
        saved = dict(ckpt["identity"])
        # a checkpoint written before TrainConfig grew a field holds that field's default
        saved["config"] = asdict(TrainConfig(**saved["config"]))
        if saved != identity:
            raise ValueError(
                f"run_dir {run_dir} holds a checkpoint of another training run (different "
                "config or dataset); choose another run_dir or delete it")
        net.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        sched.load_state_dict(ckpt["scheduler"])
        state = ckpt["state"]

    train_split = _Split(dataset.load("train"), norm, dev)
    val_split = _Split(dataset.load("val"), norm, dev)
    n_train = len(train_split)
    bar = tqdm(total=config.max_epochs, initial=state["epoch"], unit="epoch",
               desc=f"training on {dev.type}", disable=not progress)
    new_epochs = 0
    while not state["finished"]:
        if stop_after_epochs is not None and new_epochs >= stop_after_epochs:
            break
        epoch = state["epoch"] + 1
        start = time.perf_counter()
        gen = _epoch_generator(config.seed, epoch, dev)
        net.train()
        order = torch.randperm(n_train, generator=gen, device=dev)
        losses = []
        for first in range(0, n_train, config.batch_size):
            idx = order[first: first + config.batch_size]
            if idx.numel() < 2:  # BatchNorm needs two samples
                continue
            x = train_split.inputs(idx, config.noise_max, gen, config.noise_input,
                                   config.noise_exponent)
            loss, rmse = _loss(net(x), train_split.y[idx], config.nll_weight)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses.append(float(rmse.detach()))
        val = _val_rmse(net, val_split, config)
        lr_used = opt.param_groups[0]["lr"]
        if config.lr_schedule == "plateau":
            sched.step(val)
        else:
            sched.step()
        seconds = time.perf_counter() - start
        state["elapsed_s"] += seconds
        state["history"].append({"epoch": epoch, "train_rmse": float(np.mean(losses)),
                                 "val_rmse": val, "lr": lr_used, "seconds": seconds})
        if val < state["best_val"]:
            state.update(best_val=val, best_epoch=epoch, bad_epochs=0,
                         best_state={k: v.detach().clone() for k, v in net.state_dict().items()})
        else:
            state["bad_epochs"] += 1
        state["epoch"] = epoch
        state["finished"] = state["bad_epochs"] >= config.patience or epoch >= config.max_epochs
        checkpoint = {"identity": identity, "model": net.state_dict(),
                      "optimizer": opt.state_dict(), "scheduler": sched.state_dict(),
                      "state": state}
        atomic_write(ckpt_path, lambda fh: torch.save(checkpoint, fh))
        _write_history(run_dir, state["history"])
        new_epochs += 1
        bar.update(1)
        bar.set_postfix(train=f"{state['history'][-1]['train_rmse']:.4f}", val=f"{val:.4f}",
                        lr=f"{lr_used:.1e}")
    bar.close()

    net.load_state_dict(state["best_state"] if state["best_state"] is not None
                        else net.state_dict())
    training = {
        "dataset_hash": dataset.content_hash, "n_train": n_train, "n_val": len(val_split),
        "config": asdict(config), "epochs_run": state["epoch"], "best_epoch": state["best_epoch"],
        "best_val_rmse": state["best_val"], "finished": state["finished"],
        "stopped_early": state["finished"] and state["epoch"] < config.max_epochs,
        "train_time_s": state["elapsed_s"], "device": _device_name(dev),
        "n_parameters": net.n_parameters(), "history": state["history"],
    }
    inverter = Inverter(net.cpu().eval(), norm, dataset.freq_hz, dataset.thick_m,
                        training=training)
    if state["finished"]:
        inverter.save(run_dir / "model.pt")
    return TrainResult(inverter=inverter, history=state["history"],
                       best_epoch=state["best_epoch"], best_val_rmse=state["best_val"],
                       stopped_early=training["stopped_early"], elapsed_s=state["elapsed_s"],
                       device=training["device"], run_dir=run_dir)


def _device_name(dev: torch.device) -> str:
    if dev.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(dev)})"
    return f"cpu ({os.cpu_count()} cores, {torch.get_num_threads()} threads)"
