"""How good is a network: model errors, data misfit of its predictions, calibration.

Model error is measured in log10 ρ (decades): overall RMSE, RMSE per layer (versus depth),
and the paper's normalized RMSE (the same on the 0–1 scale of :mod:`mtlib.normalize`).
Data misfit re-runs the exact forward on the predicted models and compares with the
noise-free responses of the true models: RMS of ``ρa_pred / ρa_true - 1`` in percent and RMS
phase difference in degrees.

Speed (and the comparison with pyGIMLi) is :mod:`mtlib.timing`; model cards are
:mod:`mtlib.cards`.
"""

from __future__ import annotations

import numpy as np

from .constants import CALIBRATION_LEVELS, NOMINAL_LEVELS
from .forward import mt1d
from .noise import add_noise, phase_std_deg
from .predictor import Predictor, coverage, told_noise

NOISE_LEVELS = (0.0, 0.02, 0.05, 0.10)
"""Relative ρa noise levels of the noise table (with matching phase noise, mtlib.noise)."""


def log_rho_rmse(rho_pred_ohmm, rho_true_ohmm, axis=None):
    """RMSE of log10 ρ (decades) between models in Ω·m, over ``axis`` (default: all)."""
    err = np.log10(rho_pred_ohmm) - np.log10(rho_true_ohmm)
    return np.sqrt(np.mean(err**2, axis=axis))


def model_errors(rho_pred_ohmm, rho_true_ohmm, log_span: float) -> dict:
    """RMSE of log10 ρ overall and per layer, and normalized RMSE; inputs (n, L) Ω·m."""
    rmse = float(log_rho_rmse(rho_pred_ohmm, rho_true_ohmm))
    return {
        "log_rho_rmse": rmse,
        "normalized_rmse": rmse / log_span,
        "log_rho_rmse_by_layer": log_rho_rmse(rho_pred_ohmm, rho_true_ohmm, 0).tolist(),
    }


def data_misfit(rho_pred_ohmm, thick_m, freq_hz, rhoa_true_ohmm, phase_true_deg) -> dict:
    """RMS misfit of the predicted models' responses to the true responses."""
    rhoa_pred, phase_pred = mt1d(rho_pred_ohmm, thick_m, freq_hz)
    return {
        "rhoa_rms_pct": float(100 * np.sqrt(np.mean((rhoa_pred / rhoa_true_ohmm - 1) ** 2))),
        "phase_rms_deg": float(np.sqrt(np.mean((phase_pred - phase_true_deg) ** 2))),
    }


def data_nrms(
    rho_pred_ohmm, thick_m, freq_hz, rhoa_obs_ohmm, phase_obs_deg, rel_noise: float
) -> np.ndarray:
    """Data misfit of predicted models ``(n, L)`` to noisy data ``(n, F)`` in units of the
    noise (:mod:`mtlib.noise`: ``rel_noise`` on ln ρa, :func:`mtlib.noise.phase_std_deg` on
    φ): the normalized RMS over ρa and φ, per sounding ``(n,)``. About 1 for a model that
    fits the data to their noise; well above 1 for one that does not explain them."""
    if not rel_noise > 0:
        raise ValueError(f"rel_noise must be > 0 to normalize the misfit, got {rel_noise}")
    rhoa, phase = mt1d(rho_pred_ohmm, thick_m, freq_hz)
    residuals = np.concatenate(
        [
            np.log(rhoa / rhoa_obs_ohmm) / rel_noise,
            (phase - phase_obs_deg) / phase_std_deg(rel_noise),
        ],
        axis=-1,
    )
    return np.sqrt(np.mean(residuals**2, axis=-1))


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
    predictor with calibrated uncertainty (an :class:`mtlib.ensemble.Ensemble`) the
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
