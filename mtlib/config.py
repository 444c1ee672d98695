"""Run profiles: the one place where sizes are set (DESIGN.md §4).

A notebook takes ``profile`` as its papermill parameter; ``make reproduce PROFILE=...`` or
the environment variable ``MTLIB_PROFILE`` choose it for a whole run.

| profile | purpose                                         | samples  |
| ------- | ----------------------------------------------- | -------- |
| smoke   | CI / nbval: every notebook end to end in seconds | 2 000    |
| quick   | default on a laptop CPU                         | 100 000  |
| paper   | the paper's 500 000 samples (GPU for training)  | 500 000  |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .dataset import DatasetSpec
from .train import TrainConfig

DEFAULT_PROFILE = "quick"


def work_dir() -> Path:
    """The folder under which data, training runs and figures go: ``$MTLIB_HOME``, else the
    current directory — never the package's folder (site-packages for an installed mtlib).
    ``MTLIB_DATA``, ``MTLIB_RUNS`` and ``MTLIB_FIGURES`` move each on its own."""
    return Path(os.environ.get("MTLIB_HOME") or Path.cwd())


@dataclass(frozen=True)
class Profile:
    name: str
    n_samples: int
    chunk_size: int
    max_epochs: int
    n_test: int
    n_occam: int
    patience: int = 25
    noise_max: float = 0.03
    lr_schedule: str = "cosine"
    """Cosine decay for the epoch-capped CPU profiles, halving on plateaus for ``paper``."""
    seed: int = 0
    test_seed: int = 20_240_601
    """Seed of the fresh test set (never used by a dataset, whose chunks use [seed, i])."""
    ensemble_size: int = 5
    ensemble_noise_max: float = 0.12
    """Noise of the ensemble's training and calibration: up to 12 %, beyond the 10 % at
    which its calibration is tested."""
    ensemble_noise_exponent: float = 3.0
    """Training noise ``ensemble_noise_max · u³``: a third of the soundings below 0.5 %, one
    in eight above 8 %. In a trial, a member trained with evenly spread levels had a
    noise-free test RMSE of 0.070 decades, against 0.062 with these."""

    def dataset_spec(self, **overrides) -> DatasetSpec:
        """The paper-scheme dataset of this profile; ``overrides`` change DatasetSpec fields."""
        fields = dict(n_samples=self.n_samples, seed=self.seed, chunk_size=self.chunk_size)
        fields.update(overrides)
        return DatasetSpec(**fields)

    def dataset_dir(self) -> Path:
        """Folder of this profile's dataset: ``$MTLIB_DATA/<profile>`` (default
        ``data/`` in :func:`work_dir`)."""
        return data_root() / self.name

    def train_config(self, **overrides) -> TrainConfig:
        """Training hyper-parameters of this profile (the paper's, with its epoch cap)."""
        fields = dict(max_epochs=self.max_epochs, patience=self.patience,
                      noise_max=self.noise_max, lr_schedule=self.lr_schedule, seed=self.seed)
        fields.update(overrides)
        return TrainConfig(**fields)

    def ensemble_configs(self) -> list[TrainConfig]:
        """Training of the ensemble's members: this profile's, with a variance head, noise up
        to ``ensemble_noise_max`` that each member is told, and seeds
        ``seed + 1 … seed + ensemble_size``."""
        return [self.train_config(uncertainty=True, noise_input=True,
                                  noise_max=self.ensemble_noise_max,
                                  noise_exponent=self.ensemble_noise_exponent,
                                  seed=self.seed + 1 + k)
                for k in range(self.ensemble_size)]

    def ensemble_dir(self) -> Path:
        """Folder of this profile's ensemble: one run folder per member, ``ensemble.pt``."""
        return self.run_dir() / "ensemble"

    def ensemble(self):
        """The uncertainty ensemble for this profile's notebooks: the one trained by notebook
        03 if it finished, otherwise the shipped one."""
        from . import DEFAULT_ENSEMBLE, load_pretrained
        from .ensemble import Ensemble

        trained = self.ensemble_dir() / "ensemble.pt"
        return Ensemble.load(trained) if trained.exists() else load_pretrained(DEFAULT_ENSEMBLE)

    def run_dir(self) -> Path:
        """Folder of this profile's training run: ``$MTLIB_RUNS/<profile>`` (default
        ``runs/`` in :func:`work_dir`)."""
        return runs_root() / self.name

    def network(self):
        """The network for this profile's notebooks: the one trained by notebook 03 if its run
        finished, otherwise the shipped pretrained network."""
        from . import load_pretrained
        from .inverter import Inverter

        trained = self.run_dir() / "model.pt"
        return Inverter.load(trained) if trained.exists() else load_pretrained()


PROFILES = {
    "smoke": Profile("smoke", n_samples=2_000, chunk_size=500, max_epochs=2, n_test=500,
                     n_occam=3, ensemble_size=2),
    "quick": Profile("quick", n_samples=100_000, chunk_size=25_000, max_epochs=40,
                     n_test=10_000, n_occam=100),
    "paper": Profile("paper", n_samples=500_000, chunk_size=50_000, max_epochs=150,
                     n_test=10_000, n_occam=200, lr_schedule="plateau"),
}


@dataclass(frozen=True)
class FieldProfile:
    """Sizes of a field-network training run (:func:`mtlib.train.train_field`)."""

    name: str
    n_train: int
    n_val: int
    max_epochs: int
    lr_schedule: str = "cosine"
    patience: int = 25
    data_weight: float = 0.15
    """Weight of the data-misfit term: the guess should explain its own data."""
    seed: int = 0

    def train_config(self) -> TrainConfig:
        return TrainConfig(max_epochs=self.max_epochs, patience=self.patience,
                           lr_schedule=self.lr_schedule, uncertainty=True,
                           data_weight=self.data_weight, seed=self.seed)

    def run_dir(self) -> Path:
        """``$MTLIB_RUNS/<name>`` (default ``runs/`` in :func:`work_dir`)."""
        return runs_root() / self.name


FIELD_PROFILES = {
    "field_smoke": FieldProfile("field_smoke", n_train=2_000, n_val=500, max_epochs=2),
    # ≈ 32 min on the 2-core CPU (its model card); shipped as mtlib/weights/field_quick.pt
    "field_quick": FieldProfile("field_quick", n_train=150_000, n_val=10_000, max_epochs=30),
    "field": FieldProfile("field", n_train=2_000_000, n_val=50_000, max_epochs=100,
                          lr_schedule="plateau"),
}
"""Field-network profiles: CI, the shipped CPU network, and a larger one for a GPU."""


def data_root() -> Path:
    return Path(os.environ.get("MTLIB_DATA") or work_dir() / "data")


def runs_root() -> Path:
    return Path(os.environ.get("MTLIB_RUNS") or work_dir() / "runs")


def figures_dir() -> Path:
    """Where notebooks save figures: ``$MTLIB_FIGURES`` or ``figures/`` in :func:`work_dir`."""
    path = Path(os.environ.get("MTLIB_FIGURES") or work_dir() / "figures")
    path.mkdir(parents=True, exist_ok=True)
    return path


def get_profile(name: str | None = None) -> Profile:
    """Profile ``name``; ``None`` means ``$MTLIB_PROFILE`` or the default (quick)."""
    name = name or os.environ.get("MTLIB_PROFILE") or DEFAULT_PROFILE
    if name not in PROFILES:
        raise ValueError(f"profile must be one of {sorted(PROFILES)}, got {name!r}")
    return PROFILES[name]
