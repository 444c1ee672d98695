"""Calibrated uncertainty: a deep ensemble of U-Nets that each predict a mean and a variance.

1D MT inversion is non-unique (thin layers, anything below a good conductor), and noise
makes it worse; one network prints one confident curve. Each member of the ensemble is the
paper's U-Net with a second output, the log-variance of every layer's normalized log10 ρ,
and a third input, the noise level of the data (trained by :func:`mtlib.train.train` with
``uncertainty=True, noise_input=True`` on noisy inputs up to the profile's
``ensemble_noise_max``). Real data come with error bars, so the network is told them
(``rel_noise``: the relative standard deviation of ρa, twice that of |Z|) instead of
guessing from the roughness of the curves whether a wiggle is noise or structure; a
network that has to guess is both less accurate on clean data and over-confident on noisy
data. Members differ by their seed (initial weights, batch order, noise draws). For a
sounding, with member means μ_m and variances σ²_m,

    mean = (1/M) Σ μ_m,    variance = (1/M) Σ σ²_m  +  (1/M) Σ (μ_m − mean)²

— what the members expect to get wrong (noise, non-uniqueness) plus how much they disagree
(what the training data did not pin down).

Calibration (:meth:`Ensemble.calibrate`, on the validation split, noisy like the training
data) works on the normalized errors ``|log10 ρ_true − log10 ρ_pred| / σ``, per layer. For
members told the noise, the soundings are split into groups by their noise level
(``CALIBRATION_NOISE_EDGES``), and in each group and layer σ is rescaled so that ±1 σ covers
68.3 % (the returned standard deviation): a σ that is a little too small for noisy data and
too large for clean data is corrected where it is wrong. Errors have heavier tails than a
Gaussian, so one factor cannot make the 68 % and the 95 % intervals right at once: the
interval of level ``p`` is ±``half_width(p)``·σ, read from the quantiles of the rescaled
errors (split-conformal intervals, normalized by the calibrated σ). Coverage is then
measured on a fresh test set at fixed noise levels (:func:`coverage`,
:func:`mtlib.evaluate.calibration_metrics`). All uncertainties are in decades of log10 ρ:
a value of 0.1 means a factor 10^0.1 ≈ 1.26 either way.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from statistics import NormalDist

import numpy as np

from .inverter import BUNDLE_FORMAT, Bundled, Inverter
from .noise import add_noise
from .train import TrainConfig, train

NOMINAL_LEVELS = (0.68, 0.95)
"""Central-interval probabilities whose coverage is reported."""
ONE_SIGMA = 0.682689492
"""Probability of a Gaussian's ±1 σ interval: the calibrated σ covers this much."""
DOI_THRESHOLD_DECADES = 0.25
"""σ of log10 ρ beyond which a layer counts as unresolved (a factor 10^0.25 ≈ 1.8 at 1 σ)."""
CALIBRATION_NOISE_EDGES = (0.01, 0.03, 0.06, 0.09)
"""Noise levels (relative on ρa) that split soundings into groups with their own σ factor."""
MIN_GROUP = 50
"""A calibration group with fewer soundings takes the factor fitted on all of them."""
CALIBRATION_LEVELS = np.round(np.arange(0.01, 1.0, 0.01), 2)
"""Interval probabilities whose half-widths a calibration stores (and a reliability plot
checks)."""


def gaussian_half_widths() -> np.ndarray:
    """Half-widths (len(CALIBRATION_LEVELS),) of Gaussian central intervals at the stored
    levels, in σ: the intervals of an uncalibrated predictor."""
    return np.array([z_score(p) for p in CALIBRATION_LEVELS])


def half_width_at(table, level: float) -> np.ndarray:
    """A calibrated half-width table ``(len(CALIBRATION_LEVELS), ...)`` read at ``level``:
    ``np.interp`` along the levels for every column at once (the same piecewise-linear rule,
    clamped to the first and last stored levels)."""
    z_score(level)  # validates the level
    k = np.clip(np.searchsorted(CALIBRATION_LEVELS, level) - 1, 0, CALIBRATION_LEVELS.size - 2)
    lo, hi = CALIBRATION_LEVELS[k], CALIBRATION_LEVELS[k + 1]
    t = np.clip((level - lo) / (hi - lo), 0.0, 1.0)
    return (1 - t) * table[k] + t * table[k + 1]


def z_score(level: float) -> float:
    """Half-width, in standard deviations, of the central Gaussian interval of ``level``."""
    if not 0 < level < 1:
        raise ValueError(f"interval level must be in (0, 1), got {level}")
    return NormalDist().inv_cdf(0.5 + level / 2)


class Ensemble(Bundled):
    """Members (:class:`mtlib.inverter.Inverter` with variance heads) on one frequency and
    layer grid, and their calibration: ``noise_edges`` (B-1,), the noise levels that split
    soundings into B groups (none for members not told the noise); ``std_scale`` (B, L), the
    factor on σ in each group and layer; ``half_width`` (len(CALIBRATION_LEVELS), L), the
    interval half-widths in calibrated σ. Uncalibrated (the defaults): one group, factor 1,
    Gaussian intervals."""

    def __init__(self, members: list[Inverter], std_scale=1.0, half_width=None,
                 noise_edges=(), training: dict | None = None):
        if not members:
            raise ValueError("an ensemble needs at least one member")
        first = members[0]
        for k, member in enumerate(members):
            if not member.has_uncertainty:
                raise ValueError(f"member {k} has no variance head (train it with "
                                 "TrainConfig(uncertainty=True))")
            if not (np.array_equal(member.freq_hz, first.freq_hz)
                    and np.array_equal(member.thick_m, first.thick_m)
                    and member.normalizer == first.normalizer
                    and member.takes_noise == first.takes_noise):
                raise ValueError(f"member {k} was trained on other frequencies, layers, "
                                 "normalization or inputs than member 0")
        n_layers = first.n_layers
        edges = np.asarray(noise_edges, dtype=np.float64).ravel()
        if edges.size and (not first.takes_noise or np.any(np.diff(edges) <= 0)):
            raise ValueError("noise_edges must be increasing, and only for members told the "
                             "noise")
        self.noise_edges = _positive("noise_edges", edges, edges.shape)
        if half_width is None:
            half_width = gaussian_half_widths()[:, None]
        self.members = list(members)
        self.std_scale = _positive("std_scale", std_scale, (edges.size + 1, n_layers))
        self.half_width = _positive("half_width", half_width,
                                    (CALIBRATION_LEVELS.size, n_layers))
        self.training = dict(training or {})

    freq_hz = property(lambda self: self.members[0].freq_hz)
    thick_m = property(lambda self: self.members[0].thick_m)
    normalizer = property(lambda self: self.members[0].normalizer)
    depth_m = property(lambda self: self.members[0].depth_m)
    n_layers = property(lambda self: self.members[0].n_layers)
    takes_noise = property(lambda self: self.members[0].takes_noise)
    trained_noise_max = property(lambda self: self.members[0].trained_noise_max)
    has_uncertainty = True

    def __len__(self) -> int:
        return len(self.members)

    def _mean_and_std(self, rhoa_ohmm, phase_deg, rel_noise, freq_hz=None, batch_size=None,
                      device=None):
        """Checked inputs → ensemble mean of normalized log10 ρ and uncalibrated σ
        (decades), both (n, L), whether a single sounding was given, and the checked noise
        (n, F) (None for members not told it)."""
        rhoa, phase = self.members[0]._check(rhoa_ohmm, phase_deg, freq_hz)
        single = rhoa.ndim == 1
        rhoa, phase = np.atleast_2d(rhoa), np.atleast_2d(phase)
        noise = self.members[0].check_noise(rel_noise, rhoa.shape)
        means, variances = [], []
        for member in self.members:
            mean, log_var = member.normalized_outputs(rhoa, phase, noise, batch_size, device)
            means.append(mean)
            variances.append(np.exp(log_var))
        means = np.stack(means)
        variance = np.mean(variances, axis=0) + means.var(axis=0)
        return (means.mean(axis=0), self.normalizer.log_rho_rmse(np.sqrt(variance)), single,
                noise)

    def predict(self, rhoa_ohmm, phase_deg, freq_hz=None, batch_size: int | None = None,
                device: str | None = None, return_std: bool = False, rel_noise=None):
        """Ensemble-mean resistivities (n, L) Ω·m (or (L,) for one sounding) from ρa and φ
        (n, F); with ``return_std=True`` also the calibrated standard deviation of log10 ρ
        (decades, same shape). ``rel_noise``: relative noise of ρa (scalar, (n, 1) or
        (n, F); twice the relative error of |Z|), required when the members take it.
        Other arguments as :meth:`mtlib.inverter.Inverter.predict`."""
        mean, std, single, noise = self._mean_and_std(rhoa_ohmm, phase_deg, rel_noise,
                                                      freq_hz, batch_size, device)
        rho = self.normalizer.rho_from_targets(mean)
        if not return_std:
            return rho[0] if single else rho
        std = std * self.std_scale[self._group(noise, std.shape[0])]
        return (rho[0], std[0]) if single else (rho, std)

    def _group(self, noise, n: int) -> np.ndarray:
        """Calibration group (n,) of each sounding, by its mean noise level (checked
        ``noise`` (n, F), or None for members not told the noise)."""
        if self.noise_edges.size == 0 or noise is None:
            return np.zeros(n, dtype=int)
        return np.searchsorted(self.noise_edges, noise.mean(axis=1))

    def half_width_for(self, level: float) -> np.ndarray:
        """Half-width (L,) of the central ``level`` interval, in calibrated σ."""
        return half_width_at(self.half_width, level)

    def interval(self, rho_ohmm, std_log10, level: float = 0.95):
        """Central ``level`` interval (low, high) in Ω·m around predictions ``rho_ohmm`` with
        calibrated ``std_log10`` (both (n, L) or (L,), from :meth:`predict`)."""
        half = self.half_width_for(level) * np.asarray(std_log10)
        return np.asarray(rho_ohmm) * 10.0**-half, np.asarray(rho_ohmm) * 10.0**half

    def calibrate(self, rho_true_ohmm, rhoa_ohmm, phase_deg, rel_noise=None) -> "Ensemble":
        """Fit the calibration (``noise_edges``, ``std_scale``, ``half_width``) on soundings
        (n, F) of known models (n, L) with noise ``rel_noise`` (for members told it): the
        validation split, noisy as in training. Returns self."""
        mean, std, _, noise = self._mean_and_std(rhoa_ohmm, phase_deg, rel_noise)
        err = np.abs(np.log10(rho_true_ohmm) - self.normalizer.log_lo
                     - mean * self.normalizer.log_span)
        z = err / std
        n = z.shape[0]
        edges = np.array(CALIBRATION_NOISE_EDGES) if self.takes_noise else np.zeros(0)
        self.noise_edges = edges
        group = self._group(noise, n)
        pooled = np.quantile(z, ONE_SIGMA, axis=0)
        self.std_scale = _positive("std_scale", [
            np.quantile(z[group == g], ONE_SIGMA, axis=0) if np.sum(group == g) >= MIN_GROUP
            else pooled for g in range(edges.size + 1)], (edges.size + 1, self.n_layers))
        z_calibrated = z / self.std_scale[group]
        self.half_width = _positive("half_width",
                                    np.quantile(z_calibrated, CALIBRATION_LEVELS, axis=0),
                                    self.half_width.shape)
        return self

    def to_bundle(self) -> dict:
        """All members, the calibration and the description, as plain tensors and lists."""
        return {"format": BUNDLE_FORMAT, "kind": "ensemble",
                "members": [m.to_bundle() for m in self.members],
                "std_scale": self.std_scale.tolist(), "half_width": self.half_width.tolist(),
                "noise_edges": self.noise_edges.tolist(), "training": self.training}

    @classmethod
    def from_bundle(cls, bundle: dict, source: str = "bundle") -> "Ensemble":
        if bundle.get("kind") != "ensemble" or bundle.get("format") != BUNDLE_FORMAT:
            raise ValueError(f"{source} is not an mtlib ensemble bundle of format "
                             f"{BUNDLE_FORMAT}")
        members = [Inverter.from_bundle(b, f"{source} member {k}")
                   for k, b in enumerate(bundle["members"])]
        return cls(members, bundle["std_scale"], bundle["half_width"], bundle["noise_edges"],
                   bundle["training"])


def _positive(name: str, values, shape) -> np.ndarray:
    out = np.broadcast_to(np.asarray(values, dtype=np.float64), shape).copy()
    if not np.all(np.isfinite(out) & (out > 0)):
        raise ValueError(f"{name} must be positive and finite")
    return out


def coverage(rho_true_ohmm, low_ohmm, high_ohmm, axis=0):
    """Fraction of true values inside [low, high] over ``axis`` (default: per layer over
    soundings; ``None``: all). All arrays (n, L) in Ω·m."""
    rho = np.asarray(rho_true_ohmm)
    return np.mean((rho >= low_ohmm) & (rho <= high_ohmm), axis=axis)


def resolved_depth_m(std_log10, depth_m, threshold: float = DOI_THRESHOLD_DECADES) -> float:
    """Depth-of-investigation cue: the top of the shallowest layer whose uncertainty
    exceeds ``threshold`` decades (np.inf when none does). ``std_log10`` (L,)."""
    above = np.flatnonzero(np.asarray(std_log10) > threshold)
    return float(np.asarray(depth_m)[above[0]]) if above.size else float("inf")


def noisy_copies(rhoa_ohmm, phase_deg, noise_max: float, seed):
    """Each sounding with its own noise level drawn uniformly in [0, noise_max] (the
    training distribution), for calibration: noisy ρa, φ (n, F) and the levels (n, 1)."""
    rng = np.random.default_rng(seed)
    level = noise_max * rng.random((np.shape(rhoa_ohmm)[0], 1))
    return (*add_noise(rhoa_ohmm, phase_deg, level, seed=rng), level)


def train_ensemble(dataset, configs: list[TrainConfig], run_dir: str | os.PathLike,
                   calibration_noise_max: float, progress: bool = True,
                   device: str | None = None) -> Ensemble:
    """Train one member per config (``run_dir/member_<k>``, each resumable), calibrate the
    ensemble on ``dataset``'s validation split with noise up to ``calibration_noise_max``
    and save it as ``run_dir/ensemble.pt``. Finished members are loaded, not retrained;
    an interrupted one resumes from its checkpoint."""
    run_dir = Path(run_dir)
    results = [train(dataset, replace(cfg, uncertainty=True), run_dir / f"member_{k}",
                     device=device, progress=progress) for k, cfg in enumerate(configs)]
    val = dataset.load("val")
    rhoa, phase, level = noisy_copies(val["rhoa_ohmm"], val["phase_deg"],
                                      calibration_noise_max,
                                      seed=[configs[0].seed, len(configs)])
    ensemble = Ensemble([r.inverter for r in results])
    ensemble.calibrate(val["rho_ohmm"], rhoa, phase, level if ensemble.takes_noise else None)
    ensemble.training = {
        "n_members": len(configs), "dataset_hash": dataset.content_hash,
        "calibration": {"split": "val", "n": int(rhoa.shape[0]),
                        "noise": f"uniform in [0, {calibration_noise_max:g}] per sounding"},
        "train_time_s": float(sum(r.elapsed_s for r in results)),
        "members": [r.inverter.training for r in results]}
    ensemble.save(run_dir / "ensemble.pt")
    return ensemble
