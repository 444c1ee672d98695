"""Calibrated uncertainty: a deep ensemble of U-Nets that each predict a mean and a variance.

1D MT inversion is non-unique (thin layers, anything below a good conductor), and noise
makes it worse; one network prints one confident curve. Each member of the ensemble is the
paper's U-Net with a second output, the log-variance of every layer's normalized log10 ρ,
and a third input, the noise level of the data (trained by
:func:`mtlib.harness.train.train_ensemble` with
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

Calibration (:meth:`PaperEnsemble.calibrate`, on the validation split, noisy like the training
data) works on the normalized errors ``|log10 ρ_true − log10 ρ_pred| / σ``, per layer. For
members told the noise, the soundings are split into groups by their noise level (edges at
``NOISE_EDGE_FRACTIONS`` of the training noise range), and in each group and layer σ is
rescaled so that ±1 σ covers 68.3 % (the returned standard deviation): a σ that is a
little too small for noisy data and too large for clean data is corrected where it is
wrong. Errors have heavier tails than a
Gaussian, so one factor cannot make the 68 % and the 95 % intervals right at once: the
interval of level ``p`` is ±``half_width(p)``·σ, read from the quantiles of the rescaled
errors (split-conformal intervals, normalized by the calibrated σ). Coverage is then
measured on a fresh test set at fixed noise levels (:func:`mtlib.networks.predictor.coverage`,
:func:`mtlib.harness.evaluate.calibration_metrics`). All uncertainties are in decades of log10 ρ:
a value of 0.1 means a factor 10^0.1 ≈ 1.26 either way.
"""

from __future__ import annotations

import numpy as np

from .._deprecated import renamed
from ..constants import CALIBRATION_LEVELS, ONE_SIGMA
from .paper import BUNDLE_FORMAT, Bundled, PaperNetwork
from .predictor import Predictor, gaussian_half_widths, half_width_at

NOISE_EDGE_FRACTIONS = (1 / 12, 1 / 4, 1 / 2, 3 / 4)
"""Edges of the calibration's noise groups, as fractions of the largest noise the members
were trained with (the profile's ``ensemble_noise_max``: 1, 3, 6 and 9 % for 12 %). Finer at
low noise, where the error changes fastest with the noise level: with five equal-count
groups instead, the 68 % interval covered 74.6 % of noise-free test data (target 63–73 %)."""
MIN_NOISE_GROUP = 50
"""A calibration group with fewer soundings takes the factor fitted on all of them."""


class PaperEnsemble(Bundled, Predictor):
    """Members (:class:`mtlib.networks.paper.PaperNetwork` with variance heads) on one frequency and
    layer grid, and their calibration: ``noise_edges`` (B-1,), the noise levels that split
    soundings into B groups (none for members not told the noise); ``std_scale`` (B, L), the
    factor on σ in each group and layer; ``half_width`` (len(CALIBRATION_LEVELS), L), the
    interval half-widths in calibrated σ. Uncalibrated (the defaults): one group, factor 1,
    Gaussian intervals."""

    def __init__(
        self,
        members: list[PaperNetwork],
        std_scale=1.0,
        half_width=None,
        noise_edges=(),
        training: dict | None = None,
    ):
        if not members:
            raise ValueError("an ensemble needs at least one member")
        first = members[0]
        for k, member in enumerate(members):
            if not member.has_variance_head:
                raise ValueError(
                    f"member {k} has no variance head (train it with TrainConfig(uncertainty=True))"
                )
            if not (
                np.array_equal(member.freq_hz, first.freq_hz)
                and np.array_equal(member.thick_m, first.thick_m)
                and member.normalizer == first.normalizer
                and member.takes_noise == first.takes_noise
            ):
                raise ValueError(
                    f"member {k} was trained on other frequencies, layers, "
                    "normalization or inputs than member 0"
                )
        n_layers = first.n_layers
        edges = np.asarray(noise_edges, dtype=np.float64).ravel()
        if edges.size and (not first.takes_noise or np.any(np.diff(edges) <= 0)):
            raise ValueError("noise_edges must be increasing, and only for members told the noise")
        self.noise_edges = _positive("noise_edges", edges, edges.shape)
        if half_width is None:
            half_width = gaussian_half_widths()[:, None]
        self.members = list(members)
        self.std_scale = _positive("std_scale", std_scale, (edges.size + 1, n_layers))
        self.half_width = _positive("half_width", half_width, (CALIBRATION_LEVELS.size, n_layers))
        self.training = dict(training or {})

    freq_hz = property(lambda self: self.members[0].freq_hz)
    thick_m = property(lambda self: self.members[0].thick_m)
    normalizer = property(lambda self: self.members[0].normalizer)
    takes_noise = property(lambda self: self.members[0].takes_noise)
    trained_noise_max = property(lambda self: self.members[0].trained_noise_max)
    has_uncertainty = True

    def __len__(self) -> int:
        return len(self.members)

    def _mean_and_std(
        self, rhoa_ohmm, phase_deg, rel_noise, freq_hz=None, batch_size=None, device=None
    ):
        """Checked inputs → ensemble mean of normalized log10 ρ and uncalibrated σ
        (decades), both (n, L), whether a single sounding was given, and the checked noise
        (n, F) (None for members not told it)."""
        rhoa, phase = self.check_inputs(rhoa_ohmm, phase_deg, freq_hz)
        single = rhoa.ndim == 1
        rhoa, phase = np.atleast_2d(rhoa), np.atleast_2d(phase)
        noise = self.check_noise(rel_noise, rhoa.shape)
        means, variances = [], []
        for member in self.members:
            mean, log_var = member.normalized_outputs(rhoa, phase, noise, batch_size, device)
            means.append(mean)
            variances.append(np.exp(log_var))
        means = np.stack(means)
        variance = np.mean(variances, axis=0) + means.var(axis=0)
        return (means.mean(axis=0), self.normalizer.log_rho_rmse(np.sqrt(variance)), single, noise)

    def predict(
        self,
        rhoa_ohmm,
        phase_deg,
        freq_hz=None,
        batch_size: int | None = None,
        device: str | None = None,
        return_std: bool = False,
        rel_noise=None,
    ):
        """ensemble-mean resistivities (n, L) Ω·m (or (L,) for one sounding) from ρa and φ
        (n, F); with ``return_std=True`` also the calibrated standard deviation of log10 ρ
        (decades, same shape). ``rel_noise``: relative noise of ρa (scalar, (n, 1) or
        (n, F); twice the relative error of |Z|), required when the members take it.
        Other arguments as :meth:`mtlib.networks.paper.PaperNetwork.predict`."""
        mean, std, single, noise = self._mean_and_std(
            rhoa_ohmm, phase_deg, rel_noise, freq_hz, batch_size, device
        )
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

    def calibrate(self, rho_true_ohmm, rhoa_ohmm, phase_deg, rel_noise=None) -> "PaperEnsemble":
        """Fit the calibration (``noise_edges``, ``std_scale``, ``half_width``) on soundings
        (n, F) of known models (n, L) with noise ``rel_noise`` (for members told it): the
        validation split, noisy as in training. Returns self."""
        mean, std, _, noise = self._mean_and_std(rhoa_ohmm, phase_deg, rel_noise)
        err = np.abs(
            np.log10(rho_true_ohmm) - self.normalizer.log_lo - mean * self.normalizer.log_span
        )
        z = err / std
        n = z.shape[0]
        edges = (
            noise_group_edges(self.trained_noise_max or float(np.max(noise)))
            if self.takes_noise
            else np.zeros(0)
        )
        self.noise_edges = edges
        group = self._group(noise, n)
        pooled = np.quantile(z, ONE_SIGMA, axis=0)
        self.std_scale = _positive(
            "std_scale",
            [
                np.quantile(z[group == g], ONE_SIGMA, axis=0)
                if np.sum(group == g) >= MIN_NOISE_GROUP
                else pooled
                for g in range(edges.size + 1)
            ],
            (edges.size + 1, self.n_layers),
        )
        z_calibrated = z / self.std_scale[group]
        self.half_width = _positive(
            "half_width",
            np.quantile(z_calibrated, CALIBRATION_LEVELS, axis=0),
            self.half_width.shape,
        )
        return self

    def to_bundle(self) -> dict:
        """All members, the calibration and the description, as plain tensors and lists."""
        return {
            "format": BUNDLE_FORMAT,
            "kind": "ensemble",
            "members": [m.to_bundle() for m in self.members],
            "std_scale": self.std_scale.tolist(),
            "half_width": self.half_width.tolist(),
            "noise_edges": self.noise_edges.tolist(),
            "training": self.training,
        }

    @classmethod
    def from_bundle(cls, bundle: dict, source: str = "bundle") -> "PaperEnsemble":
        if bundle.get("kind") != "ensemble" or bundle.get("format") != BUNDLE_FORMAT:
            raise ValueError(f"{source} is not an mtlib ensemble bundle of format {BUNDLE_FORMAT}")
        members = [
            PaperNetwork.from_bundle(b, f"{source} member {k}")
            for k, b in enumerate(bundle["members"])
        ]
        return cls(
            members,
            bundle["std_scale"],
            bundle["half_width"],
            bundle["noise_edges"],
            bundle["training"],
        )


def noise_group_edges(noise_max: float) -> np.ndarray:
    """Edges (len(NOISE_EDGE_FRACTIONS),) of the calibration's noise groups for members
    trained with noise up to ``noise_max`` (none for noise-free training)."""
    return noise_max * np.array(NOISE_EDGE_FRACTIONS) if noise_max > 0 else np.zeros(0)


def _positive(name: str, values, shape) -> np.ndarray:
    out = np.broadcast_to(np.asarray(values, dtype=np.float64), shape).copy()
    if not np.all(np.isfinite(out) & (out > 0)):
        raise ValueError(f"{name} must be positive and finite")
    return out


def __getattr__(name: str):
    """The names of mtlib 0.1 (:mod:`mtlib._deprecated`), for one release."""
    return renamed(__name__, name)
