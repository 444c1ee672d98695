"""The one interface of mtlib's networks: a guess of the layered earth for any sounding.

Every shipped network is a :class:`Network`: :meth:`Network.guess_arrays` takes soundings of
any band (checked arrays ``(freq_hz, rhoa_ohmm, phase_deg, z_rel_err, mask)``, as
:func:`mtlib.inversion.invert_many` holds them) and returns :class:`Guesses` — the models on
the network's own layers in metres, with σ and interval bounds when the network has a
calibrated uncertainty — which :meth:`Guesses.onto` reads onto any other layer grid. The
inversion and the explorer ask this and nothing else.

:class:`Predictor` is a network on the paper's fixed band and grid
(:class:`~mtlib.networks.paper.PaperNetwork`, one U-Net, and
:class:`~mtlib.networks.ensemble.PaperEnsemble`, several with calibrated uncertainty): it
also predicts directly at its own frequencies (:meth:`Predictor.prediction`), and guesses
for other bands by the similarity laws (:mod:`mtlib.networks.similarity`). The field network
(:class:`~mtlib.networks.fieldnet.FieldNetwork`) reads any band natively.

Interval conventions, shared by all: a calibration stores, for every level of
:data:`mtlib.constants.CALIBRATION_LEVELS`, the half-width of the central interval in
calibrated σ (decades of log10 ρ); :func:`half_width_at` reads such a table at any level.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from .. import data_errors
from .._checks import check_finite, check_positive_finite
from ..constants import CALIBRATION_LEVELS, DOI_THRESHOLD_DECADES, PHASE_RANGE_DEG
from ..grid import layer_centres_log_m, layer_tops_m, onto_grid
from .similarity import BandScaling, choose_scaling, resample_to


@dataclass(frozen=True)
class Guesses:
    """A network's guesses for n soundings, on its own layers.

    ``rho_ohmm`` (n, L) Ω·m on layers whose tops are ``tops_scale[k] × tops_unit_m`` m for
    sounding k (every network's grid is a scaling of one: the field network's by the
    sounding's reference skin depth, the paper network's by its band scaling); with a
    calibrated uncertainty also ``std_log10`` (decades) and the central ``level`` interval
    ``low_ohmm``, ``high_ohmm`` (Ω·m), else None. ``scalings``: the similarity scaling of
    each sounding into a paper network's band (None for the field network)."""

    rho_ohmm: np.ndarray
    tops_unit_m: np.ndarray
    tops_scale: np.ndarray
    std_log10: np.ndarray | None = None
    low_ohmm: np.ndarray | None = None
    high_ohmm: np.ndarray | None = None
    level: float | None = None
    scalings: list[BandScaling] | None = None

    @property
    def tops_m(self) -> np.ndarray:
        """Layer tops (n, L) in m."""
        return self.tops_scale[:, None] * self.tops_unit_m

    def sounding(self, k: int) -> dict:
        """Sounding ``k``'s guess: ``rho``, ``std``, ``low``, ``high`` (L,) (None without an
        uncertainty) and its layer ``tops_m`` (L,)."""
        pick = lambda a: None if a is None else a[k]  # noqa: E731
        return dict(
            rho=self.rho_ohmm[k],
            tops_m=self.tops_m[k],
            std=pick(self.std_log10),
            low=pick(self.low_ohmm),
            high=pick(self.high_ohmm),
        )

    def covered(self, thick_m) -> np.ndarray:
        """(n, M): whether the network's grid reaches each layer of the grids ``thick_m``
        (n, M-1) in m (by the layer's log-centre)."""
        thick = np.asarray(thick_m) / self.tops_scale[:, None]
        return layer_centres_log_m(thick) <= self.tops_unit_m[-1]

    def onto(self, thick_m) -> dict:
        """The guesses read onto layer grids of thicknesses ``thick_m`` (n, M-1) in m:
        ``rho`` and, with an uncertainty, ``low``, ``high`` (Ω·m) and ``std`` (decades),
        each (n, M) (:func:`mtlib.grid.onto_grid`: a layer spanning several of the
        network's takes their mean conductivity — it keeps the conductance of thin layers,
        what a sounding sees of them — and their mean σ). Below the network's grid the
        values are its half-space's."""
        thick = np.asarray(thick_m) / self.tops_scale[:, None]  # in the grid's own unit
        bounds = {"rho": self.rho_ohmm, "low": self.low_ohmm, "high": self.high_ohmm}
        bounds = {k: v for k, v in bounds.items() if v is not None}
        stacked = onto_grid(np.stack(list(bounds.values())), self.tops_unit_m, thick, True)
        mapped = dict(zip(bounds, stacked))
        if self.std_log10 is not None:
            mapped["std"] = onto_grid(self.std_log10, self.tops_unit_m, thick)
        return mapped


class Network(abc.ABC):
    """A network that guesses layered earths for soundings of any band."""

    has_uncertainty: bool = False
    """Whether its guesses carry a calibrated σ and intervals."""

    @abc.abstractmethod
    def guess_arrays(self, soundings, level: float = 0.95) -> Guesses:
        """:class:`Guesses` for soundings ``(freq_hz, rhoa_ohmm, phase_deg, z_rel_err,
        mask)`` of (F,) arrays each (any lengths; ``z_rel_err`` the relative error of
        |Z|, ``mask`` True on usable periods), with the central ``level`` interval."""

    def guesses(self, soundings, level: float = 0.95) -> list[dict]:
        """:meth:`guess_arrays`, one dict per sounding (:meth:`Guesses.sounding`)."""
        g = self.guess_arrays(soundings, level)
        return [g.sounding(k) for k in range(len(soundings))]


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


class Predictor(Network):
    """A network for soundings at ``freq_hz`` (F,) Hz, high → low, giving models on layers of
    ``thick_m`` (L-1,) m. Subclasses set ``freq_hz``, ``thick_m``, ``normalizer`` and
    ``training`` and implement :meth:`predict`, ``takes_noise`` and ``trained_noise_max``;
    ``has_uncertainty`` says whether :meth:`predict` gives a calibrated σ and
    :meth:`interval` works."""

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

    def guess_arrays(self, soundings, level: float = 0.95) -> Guesses:
        """:meth:`Network.guess_arrays` by the similarity laws: each sounding's usable
        periods moved into the trained band (:func:`~mtlib.networks.similarity.choose_scaling`,
        none when it already lies there), resampled onto the network's frequencies, the
        network told their errors (clipped to the largest noise it was trained on), and the
        guess mapped back (ρ / a on the network's layer tops / s)."""
        rhoa_in, phase_in, told, scalings = [], [], [], []
        for freq, rhoa, phase, p, mask in soundings:
            scaling = choose_scaling(freq[mask], rhoa[mask], self.freq_hz)
            f_s, rhoa_s = scaling.to_network(freq[mask], rhoa[mask])
            rhoa_in.append(np.exp(resample_to(self.freq_hz, f_s, np.log(rhoa_s))))
            phase_in.append(np.clip(resample_to(self.freq_hz, f_s, phase[mask]), *PHASE_RANGE_DEG))
            rhoa_err = data_errors.rhoa_rel_err(resample_to(self.freq_hz, f_s, p[mask]))
            told.append(np.clip(rhoa_err, 0, self.trained_noise_max))
            scalings.append(scaling)
        pred = self.prediction(
            np.stack(rhoa_in), np.stack(phase_in), **told_noise(self, np.stack(told)), level=level
        )
        a = np.array([sc.a for sc in scalings])[:, None]
        bounds = {}
        if self.has_uncertainty:
            bounds = dict(std_log10=pred.std_log10, low_ohmm=pred.low_ohmm / a)
            bounds.update(high_ohmm=pred.high_ohmm / a, level=level)
        return Guesses(
            rho_ohmm=pred.rho_ohmm / a,
            tops_unit_m=layer_tops_m(self.thick_m),
            tops_scale=np.array([1.0 / sc.s for sc in scalings]),
            scalings=scalings,
            **bounds,
        )

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
