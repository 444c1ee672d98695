"""The predictor interface: what a caller may ask of a network on the paper's band and grid.

:class:`~mtlib.networks.paper.PaperNetwork` (one U-Net) and
:class:`~mtlib.networks.ensemble.PaperEnsemble` (several, with calibrated uncertainty) both are a
:class:`Predictor`; callers ask it
(``has_uncertainty``, ``takes_noise``, :meth:`Predictor.prediction`) instead of probing for
attributes. The field network (:mod:`mtlib.networks.fieldnet`) reads soundings at any
frequencies and answers :meth:`~mtlib.networks.fieldnet.FieldNetwork.guesses` instead.

Interval conventions, shared with the field network: a calibration stores, for every level
of :data:`mtlib.constants.CALIBRATION_LEVELS`, the half-width of the central interval in
calibrated σ (decades of log10 ρ); :func:`half_width_at` reads such a table at any level.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from .._checks import check_finite, check_positive_finite
from ..constants import CALIBRATION_LEVELS, DOI_THRESHOLD_DECADES
from ..grid import layer_tops_m


@dataclass(frozen=True)
class Prediction:
    """A predictor's answer for n soundings (or one: arrays (L,) instead of (n, L)).

    ``rho_ohmm`` the models (Ω·m); for a predictor with calibrated uncertainty also
    ``std_log10`` (decades of log10 ρ) and the central ``level`` interval ``low_ohmm``,
    ``high_ohmm`` (Ω·m); None otherwise."""

    rho_ohmm: np.ndarray
    std_log10: np.ndarray | None = None
    low_ohmm: np.ndarray | None = None
    high_ohmm: np.ndarray | None = None
    level: float | None = None


class Predictor(abc.ABC):
    """A network for soundings at ``freq_hz`` (F,) Hz, high → low, giving models on layers of
    ``thick_m`` (L-1,) m. Subclasses set ``freq_hz``, ``thick_m``, ``normalizer`` and
    ``training`` and implement :meth:`predict`, ``takes_noise`` and ``trained_noise_max``."""

    has_uncertainty: bool = False
    """Whether :meth:`predict` gives a calibrated σ and :meth:`interval` works."""

    @property
    @abc.abstractmethod
    def takes_noise(self) -> bool:
        """Whether the network is told the noise level of its data (``rel_noise``)."""

    @property
    @abc.abstractmethod
    def trained_noise_max(self) -> float:
        """Largest relative noise of ρa seen in training (0 when not recorded)."""

    @abc.abstractmethod
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
        """Models (n, L) Ω·m (or (L,) for one sounding) from ρa, φ (n, F); with
        ``return_std=True`` also σ of log10 ρ (decades, same shape)."""

    @property
    def depth_m(self) -> np.ndarray:
        """Depth of the top of each of the L layers (m)."""
        return layer_tops_m(self.thick_m)

    @property
    def n_layers(self) -> int:
        return self.thick_m.size + 1

    def interval(self, rho_ohmm, std_log10, level: float = 0.95):
        """Central ``level`` interval (low, high) in Ω·m around predictions ``rho_ohmm`` with
        calibrated ``std_log10`` (both (n, L) or (L,), from :meth:`predict`)."""
        if not self.has_uncertainty:
            raise ValueError(
                "this network has no calibrated uncertainty, so it has no "
                "intervals; use the uncertainty ensemble, "
                "mtlib.load_pretrained('ensemble_quick')"
            )
        half = self.half_width_for(level) * np.asarray(std_log10)
        return np.asarray(rho_ohmm) * 10.0**-half, np.asarray(rho_ohmm) * 10.0**half

    def half_width_for(self, level: float) -> np.ndarray:
        """Half-width (L,) of the central ``level`` interval, in calibrated σ (Gaussian for a
        predictor that stores no calibration)."""
        return np.full(self.n_layers, z_score(level))

    def prediction(
        self, rhoa_ohmm, phase_deg, rel_noise=None, level: float = 0.95, **kwargs
    ) -> Prediction:
        """:meth:`predict`, with σ and the ``level`` interval when the predictor has a
        calibrated uncertainty. ``kwargs`` as :meth:`predict`."""
        noise = {"rel_noise": rel_noise} if rel_noise is not None else {}
        if not self.has_uncertainty:
            return Prediction(self.predict(rhoa_ohmm, phase_deg, **noise, **kwargs))
        rho, std = self.predict(rhoa_ohmm, phase_deg, return_std=True, **noise, **kwargs)
        return Prediction(rho, std, *self.interval(rho, std, level), level)

    def check_inputs(self, rhoa_ohmm, phase_deg, freq_hz=None):
        """ρa, φ as float64 arrays (F,) or (n, F), checked against the network's band;
        ``ValueError`` naming the argument otherwise."""
        if freq_hz is not None:
            freq_hz = np.asarray(freq_hz, dtype=np.float64)
            if freq_hz.shape != self.freq_hz.shape or not np.allclose(
                freq_hz, self.freq_hz, rtol=1e-6
            ):
                raise ValueError(
                    f"freq_hz differs from the network's {self.freq_hz.size} frequencies "
                    f"({self.freq_hz[0]:g} → {self.freq_hz[-1]:g} Hz): the network only works "
                    "inside the band it was trained on; resample or rescale the data first"
                )
        rhoa = np.asarray(rhoa_ohmm, dtype=np.float64)
        phase = np.asarray(phase_deg, dtype=np.float64)
        n_freq = self.freq_hz.size
        if rhoa.shape[-1:] != (n_freq,) or rhoa.ndim > 2:
            raise ValueError(
                f"rhoa_ohmm must have shape ({n_freq},) or (n, {n_freq}) — one value "
                f"per network frequency — got {rhoa.shape}"
            )
        if phase.shape != rhoa.shape:
            raise ValueError(
                f"phase_deg must have the shape of rhoa_ohmm {rhoa.shape}, got {phase.shape}"
            )
        check_positive_finite("rhoa_ohmm", rhoa)
        check_finite("phase_deg", phase)
        if np.any(phase <= 0) or np.any(phase >= 90):
            raise ValueError(
                "phase_deg must lie in (0, 90) degrees (first quadrant) for a 1D "
                "earth; fold the phases of Zyx/Zxy into the first quadrant first"
            )
        return rhoa, phase

    def check_noise(self, rel_noise, shape):
        """``rel_noise`` checked and broadcast to the data's ``shape`` (n, F); None for a
        network that does not take it."""
        if not self.takes_noise:
            if rel_noise is not None:
                raise ValueError("this network is not told the noise level; do not pass rel_noise")
            return None
        if rel_noise is None:
            raise ValueError(
                "rel_noise is required: this network's prediction and uncertainty depend on "
                "how noisy the data are (relative standard deviation of ρa, e.g. 0.02; "
                "twice the relative error of |Z|)"
            )
        noise = np.asarray(rel_noise, dtype=np.float64)
        if not np.all(np.isfinite(noise)) or np.any(noise < 0) or np.any(noise >= 1):
            raise ValueError("rel_noise must be finite and in [0, 1)")
        try:
            return np.broadcast_to(noise, shape)
        except ValueError:
            raise ValueError(
                f"rel_noise must broadcast to the data's shape {shape} (a scalar, "
                f"one value per sounding (n, 1), or per datum), got "
                f"{noise.shape}"
            ) from None


def told_noise(net: Predictor, rel_noise) -> dict:
    """``{"rel_noise": rel_noise}`` for a predictor told the noise level of its data, ``{}``
    for one that is not: how a caller that knows the noise passes it on."""
    return {"rel_noise": rel_noise} if net.takes_noise else {}


def z_score(level: float) -> float:
    """Half-width, in standard deviations, of the central Gaussian interval of ``level``."""
    if not 0 < level < 1:
        raise ValueError(f"interval level must be in (0, 1), got {level}")
    return NormalDist().inv_cdf(0.5 + level / 2)


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


def coverage(rho_true_ohmm, low_ohmm, high_ohmm, axis=0):
    """Fraction of true values inside [low, high] over ``axis`` (default: per layer over
    soundings; ``None``: all). All arrays (n, L) in Ω·m."""
    rho = np.asarray(rho_true_ohmm)
    return np.mean((rho >= low_ohmm) & (rho <= high_ohmm), axis=axis)


def resolved_depth_m(std_log10, depth_m, threshold: float = DOI_THRESHOLD_DECADES):
    """Network-uncertainty cue: the top of the shallowest layer whose σ exceeds ``threshold``
    decades (np.inf when none does). ``std_log10`` (L,) → a float, or (n, L) with
    ``depth_m`` (L,) or (n, L) → (n,). Not a depth of investigation of the data (that is
    the inversion's ``doi_m``)."""
    above = np.asarray(std_log10) > threshold
    depth = np.broadcast_to(np.asarray(depth_m, dtype=float), above.shape)
    first = np.take_along_axis(depth, np.argmax(above, axis=-1)[..., None], axis=-1)[..., 0]
    found = np.where(above.any(axis=-1), first, np.inf)
    return float(found) if found.ndim == 0 else found
