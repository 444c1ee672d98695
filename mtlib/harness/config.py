"""Run profiles, dataset specifications and training hyper-parameters: the one place where
sizes are set (docs/design.md, "Profiles"). Plain data: importing this module imports no
torch and no network.

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
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .._deprecated import renamed
from ..folders import data_root, runs_root
from ..generator import ModelScheme
from ..grid import default_frequencies, paper_thicknesses

DEFAULT_PROFILE = "quick"


@dataclass(frozen=True)
class DatasetSpec:
    """Everything that determines a dataset's content."""

    n_samples: int
    seed: int = 0
    chunk_size: int = 50_000
    scheme: ModelScheme = field(default_factory=ModelScheme)
    thick_m: tuple = field(default_factory=lambda: tuple(paper_thicknesses()))
    freq_hz: tuple = field(default_factory=lambda: tuple(default_frequencies()))
    storage_dtype: str = "float32"

    def __post_init__(self):
        if int(self.n_samples) != self.n_samples or self.n_samples < 1:
            raise ValueError(f"n_samples must be a positive integer, got {self.n_samples!r}")
        if int(self.chunk_size) != self.chunk_size or self.chunk_size < 1:
            raise ValueError(f"chunk_size must be a positive integer, got {self.chunk_size!r}")
        if len(self.thick_m) != self.scheme.n_layers - 1:
            raise ValueError(
                f"thick_m has {len(self.thick_m)} layers, the scheme needs "
                f"{self.scheme.n_layers - 1} (n_layers - 1)"
            )
        if len(self.freq_hz) == 0:
            raise ValueError("freq_hz is empty")
        if self.storage_dtype not in ("float32", "float64"):
            raise ValueError(f"storage_dtype must be float32 or float64, got {self.storage_dtype}")
        # plain floats so the manifest round-trips exactly through JSON
        object.__setattr__(self, "thick_m", tuple(float(t) for t in self.thick_m))
        object.__setattr__(self, "freq_hz", tuple(float(f) for f in self.freq_hz))

    @property
    def n_chunks(self) -> int:
        return -(-self.n_samples // self.chunk_size)

    @property
    def n_layers(self) -> int:
        return self.scheme.n_layers

    @property
    def n_freq(self) -> int:
        return len(self.freq_hz)

    def chunk_rows(self, index: int) -> int:
        return min(self.chunk_size, self.n_samples - index * self.chunk_size)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["thick_m"] = list(self.thick_m)
        d["freq_hz"] = list(self.freq_hz)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "DatasetSpec":
        d = dict(d)
        d["scheme"] = ModelScheme(**d["scheme"])
        return cls(**d)


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
    data_weight: float = 0.0
    """Weight of a data-misfit term in the loss (the field network: its guess should explain
    its data; :meth:`mtlib.networks.fieldnet.FieldData.data_misfit`)."""
    noise_exponent: float = 1.0
    """Noise levels are ``noise_max · u**noise_exponent``, u uniform in [0, 1): 1 spreads them
    evenly, larger values put most soundings near noise-free and fewer near the maximum."""
    amp: bool = False
    """bf16 autocast of the forward pass (mixed precision, for GPUs with bf16): weights,
    optimizer, loss and validation stay float32. Off by default: no GPU run has yet shown
    that it keeps the paper profile's accuracy."""

    def __post_init__(self):
        for name in (
            "max_epochs",
            "batch_size",
            "patience",
            "lr_patience",
            "base_channels",
            "depth",
        ):
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
        if not self.data_weight >= 0:
            raise ValueError(f"data_weight must be >= 0, got {self.data_weight}")


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
    posterior_min_ess: int = 400
    """Effective samples per depth at which notebook 05's posteriors stop (the sampler's
    default)."""
    posterior_max_sweeps: int = 2_000_000
    """Cap on each of notebook 05's posteriors, in recorded sweeps per ladder (the sampler's
    default): a cap in sweeps, not seconds, so that what the notebook asserts does not
    depend on the machine's load."""
    ensemble_size: int = 5
    ensemble_noise_max: float = 0.12
    """Noise of the ensemble's training and calibration: up to 12 %, beyond the 10 % at
    which its calibration is tested."""
    ensemble_warm_start: bool = False
    """Members start from the profile's trained paper network (:func:`mtlib.harness.train.widened`)
    and fine-tune it for ``ensemble_epochs`` at ``ensemble_lr``, instead of learning from
    scratch for ``max_epochs``: what keeps the quick profile's ``make reproduce`` within
    20 minutes on two cores."""
    ensemble_epochs: int | None = None
    """Epochs of each member (None: ``max_epochs``)."""
    ensemble_lr: float | None = None
    """Initial learning rate of each member (None: the paper's 0.01)."""
    notebooks_use_trained: bool = True
    """Whether the notebooks after training judge the networks this profile trained (else
    the shipped ones: :func:`mtlib.networks.pretrained.profile_network`)."""
    ensemble_noise_exponent: float = 3.0
    """Training noise ``ensemble_noise_max · u³``: a third of the soundings below 0.5 %, one
    in eight above 8 %. In a trial, a member trained with evenly spread levels had a
    noise-free test RMSE of 0.070 decades, against 0.062 with these."""
    survey_posterior_stations: int = 7
    """Stations of the Gabbs Valley profile whose posterior notebook 12 samples (the first
    ones along the line; all seven by default)."""
    survey_posterior_max_seconds: float | None = None
    """Cap on each of those posteriors' sampling (None: until the stopping rule holds)."""
    survey_scheduler: str | None = "local"
    """Where notebook 12 runs its stations (:func:`mtlib.survey.run`): a local Dask cluster,
    or None: in the notebook's own process."""

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
        fields = dict(
            max_epochs=self.max_epochs,
            patience=self.patience,
            noise_max=self.noise_max,
            lr_schedule=self.lr_schedule,
            seed=self.seed,
        )
        fields.update(overrides)
        return TrainConfig(**fields)

    def ensemble_configs(self) -> list[TrainConfig]:
        """Training of the ensemble's members: this profile's, with a variance head, noise up
        to ``ensemble_noise_max`` that each member is told, and seeds
        ``seed + 1 … seed + ensemble_size``."""
        schedule = {"max_epochs": self.ensemble_epochs or self.max_epochs}
        if self.ensemble_lr is not None:
            schedule["lr"] = self.ensemble_lr
        return [
            self.train_config(
                **schedule,
                uncertainty=True,
                noise_input=True,
                noise_max=self.ensemble_noise_max,
                noise_exponent=self.ensemble_noise_exponent,
                seed=self.seed + 1 + k,
            )
            for k in range(self.ensemble_size)
        ]

    def ensemble_dir(self) -> Path:
        """Folder of this profile's ensemble: one run folder per member, ``ensemble.pt``."""
        return self.run_dir() / "ensemble"

    def run_dir(self) -> Path:
        """Folder of this profile's training run: ``$MTLIB_RUNS/<profile>`` (default
        ``runs/`` in :func:`work_dir`)."""
        return runs_root() / self.name


PROFILES = {
    "smoke": Profile(
        "smoke",
        n_samples=2_000,
        chunk_size=500,
        # ~90 optimizer steps (≈ 10 s a network): enough to check that training runs, resumes
        # and improves; far too little to show what a network does (0.22 decades of model
        # error in the explorer's first case, 0.05 for quick), so the notebooks after
        # training judge the shipped networks, and their claims hold as they do in quick
        max_epochs=30,
        n_test=500,
        n_occam=3,
        ensemble_size=2,
        ensemble_warm_start=True,
        ensemble_epochs=10,
        ensemble_lr=0.003,
        # the posteriors of notebook 05 in seconds: the machinery runs, and its claims are
        # the ones that hold for short chains too
        posterior_min_ess=50,
        posterior_max_sweeps=60_000,
        notebooks_use_trained=False,
        # two posteriors of two seconds each, in the notebook's process: the machinery runs,
        # converges it does not (the notebook says so)
        survey_posterior_stations=2,
        survey_posterior_max_seconds=2.0,
        survey_scheduler=None,
    ),
    # members fine-tune the paper network for 4 epochs (≈ 1 min each on 2 cores): trained
    # from scratch for 40 they took 56 min, for an ensemble no more accurate at 0-2 % noise
    "quick": Profile(
        "quick",
        n_samples=100_000,
        chunk_size=25_000,
        max_epochs=40,
        n_test=10_000,
        n_occam=100,
        ensemble_warm_start=True,
        ensemble_epochs=4,
        ensemble_lr=0.003,
    ),
    "paper": Profile(
        "paper",
        n_samples=500_000,
        chunk_size=50_000,
        max_epochs=150,
        n_test=10_000,
        n_occam=200,
        lr_schedule="plateau",
    ),
}


@dataclass(frozen=True)
class NetworkProfile:
    """Sizes of a training run on earths drawn in memory: a posterior network
    (:func:`mtlib.harness.train.train_posterior`), and the base of :class:`FieldProfile`."""

    name: str
    n_train: int
    n_val: int
    max_epochs: int
    lr_schedule: str = "cosine"
    patience: int = 25
    batch_size: int = 512
    base_channels: int = 16
    seed: int = 0

    def train_config(self, **fields) -> TrainConfig:
        """The run's :class:`TrainConfig`; ``fields``: more of its fields."""
        return TrainConfig(
            max_epochs=self.max_epochs,
            patience=self.patience,
            lr_schedule=self.lr_schedule,
            batch_size=self.batch_size,
            base_channels=self.base_channels,
            seed=self.seed,
            **fields,
        )

    def run_dir(self) -> Path:
        """``$MTLIB_RUNS/<name>`` (default ``runs/`` in :func:`work_dir`)."""
        return runs_root() / self.name


@dataclass(frozen=True)
class FieldProfile(NetworkProfile):
    """Sizes of a field-network training run (:func:`mtlib.harness.train.train_field`)."""

    data_weight: float = 0.15
    """Weight of the data-misfit term: the guess should explain its own data."""

    def train_config(self) -> TrainConfig:
        return super().train_config(uncertainty=True, data_weight=self.data_weight)


FIELD_PROFILES = {
    "field_smoke": FieldProfile("field_smoke", n_train=2_000, n_val=500, max_epochs=2),
    # ≈ 32 min on the 2-core CPU (its model card); shipped as mtlib/weights/field_quick.pt
    "field_quick": FieldProfile("field_quick", n_train=150_000, n_val=10_000, max_epochs=30),
    "field": FieldProfile(
        "field", n_train=2_000_000, n_val=50_000, max_epochs=100, lr_schedule="plateau"
    ),
}
"""Field-network profiles: CI, the shipped CPU network, and a larger one for a GPU."""


POSTERIOR_PROFILES = {
    "posterior_smoke": NetworkProfile("posterior_smoke", n_train=2_000, n_val=500, max_epochs=2),
    # more distinct earths for fewer epochs than the field network (300 000 × 15 against
    # 150 000 × 30, the same work): each earth's target is one draw from its posterior
    "posterior_quick": NetworkProfile(
        "posterior_quick", n_train=300_000, n_val=10_000, max_epochs=15
    ),
    "posterior": NetworkProfile(
        "posterior",
        n_train=4_000_000,
        n_val=50_000,
        max_epochs=100,
        lr_schedule="plateau",
        batch_size=2048,
        base_channels=32,
    ),
}
"""Posterior-network profiles: CI, the shipped CPU network, and a larger one for a GPU."""


def get_profile(name: str | None = None) -> Profile:
    """Profile ``name``; ``None`` means ``$MTLIB_PROFILE`` or the default (quick)."""
    name = name or os.environ.get("MTLIB_PROFILE") or DEFAULT_PROFILE
    if name not in PROFILES:
        raise ValueError(f"profile must be one of {sorted(PROFILES)}, got {name!r}")
    return PROFILES[name]


def __getattr__(name: str):
    """The names of mtlib 0.1 (:mod:`mtlib._deprecated`), for one release."""
    return renamed(__name__, name)
