"""How good is a paper network on a test set: model errors, data misfit of its predictions
(:mod:`mtlib.metrics`) at each noise level, and the calibration of an ensemble's intervals.

Speed (and the comparison with pyGIMLi) is :mod:`mtlib.harness.timing`; model cards are
:mod:`mtlib.harness.cards`.
"""

from __future__ import annotations

import numpy as np

from .._deprecated import renamed
from ..constants import CALIBRATION_LEVELS, NOMINAL_LEVELS
from ..metrics import data_misfit, data_nrms, model_errors
from ..networks.predictor import Predictor, coverage, told_noise
from ..noise import add_noise

NOISE_LEVELS = (0.0, 0.02, 0.05, 0.10)
"""Relative ρa noise levels of the noise table (with matching phase noise, mtlib.noise)."""


def evaluate(
    inverter: Predictor, rho_ohmm, rhoa_ohmm, phase_deg, noise_levels=NOISE_LEVELS, seed: int = 0
) -> dict:
    """Metrics of ``inverter`` on soundings of known models, for each noise level.

    ``rho_ohmm`` (n, L) true models; ``rhoa_ohmm``, ``phase_deg`` (n, F) their noise-free
    responses at ``inverter.freq_hz``. Returns ``{level: {metric: value}}``: model errors,
    the misfit to the noise-free data, and at each noise level the misfit to the noisy data
    in units of the noise (:func:`data_nrms`): its median (``data_nrms_median``) and the
    share of soundings above 2 (``data_nrms_over_2``); noise of level
    ``k`` uses seed ``[seed, k]``; a network that takes the noise level is told it. For a
    predictor with calibrated uncertainty (an :class:`mtlib.networks.ensemble.PaperEnsemble`) the
    calibration is measured too (see :func:`calibration_metrics`).
    """
    results = {}
    for k, level in enumerate(noise_levels):
        rhoa_in, phase_in = (
            (rhoa_ohmm, phase_deg)
            if level == 0
            else add_noise(rhoa_ohmm, phase_deg, level, seed=[seed, k])
        )
        pred = inverter.prediction(rhoa_in, phase_in, **told_noise(inverter, level))
        metrics = model_errors(pred.rho_ohmm, rho_ohmm, inverter.normalizer.log_span)
        metrics.update(
            data_misfit(pred.rho_ohmm, inverter.thick_m, inverter.freq_hz, rhoa_ohmm, phase_deg)
        )
        if level > 0:  # do the predicted models explain the noisy data they came from?
            nrms = data_nrms(
                pred.rho_ohmm, inverter.thick_m, inverter.freq_hz, rhoa_in, phase_in, level
            )
            metrics["data_nrms_median"] = float(np.median(nrms))
            metrics["data_nrms_over_2"] = float(np.mean(nrms > 2))
        if inverter.has_uncertainty:
            metrics.update(calibration_metrics(inverter, rho_ohmm, pred.rho_ohmm, pred.std_log10))
        results[float(level)] = metrics
    return results


def calibration_metrics(ensemble: Predictor, rho_true_ohmm, rho_pred_ohmm, std_log10) -> dict:
    """How honest an ensemble's uncertainty is on soundings of known models (n, L):
    coverage of its 68 % and 95 % intervals overall and per layer, the coverage at every
    level of ``CALIBRATION_LEVELS`` (reliability curve) and the mean σ (decades)."""

    def by_layer(level):
        return coverage(rho_true_ohmm, *ensemble.interval(rho_pred_ohmm, std_log10, level))

    # every layer holds the same number of soundings: overall coverage = mean over layers
    nominal = {f"{100 * p:g}%": by_layer(p) for p in NOMINAL_LEVELS}
    return {
        "mean_std_log10": float(np.mean(std_log10)),
        "rms_std_by_layer": np.sqrt(np.mean(np.square(std_log10), axis=0)).tolist(),
        "coverage": {p: float(np.mean(c)) for p, c in nominal.items()},
        "coverage_by_layer": {p: c.tolist() for p, c in nominal.items()},
        "reliability": [float(np.mean(by_layer(p))) for p in CALIBRATION_LEVELS],
    }


def __getattr__(name: str):
    """The names of mtlib 0.1 (:mod:`mtlib._deprecated`), for one release."""
    return renamed(__name__, name)
