"""Pure measures of how good a model is: its error against a known model, and how well
its response explains data.

Model error is in log10 ρ (decades). Data misfit re-runs the exact forward on the models:
against noise-free responses as RMS of ``ρa_pred / ρa_true − 1`` (%) and of the phase
difference (°); against noisy data in units of the noise (nRMS, about 1 for a model that
fits its data to their noise).
"""

from __future__ import annotations

import numpy as np

from .forward import mt1d
from .noise import phase_noise_std_deg


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


def response_misfit(rhoa_ohmm, phase_deg, rhoa_ref_ohmm, phase_ref_deg) -> dict:
    """RMS misfit of responses to reference responses (all (..., F)): of
    ``ρa / ρa_ref − 1`` in percent (``rhoa_rms_pct``) and of the phase difference in
    degrees (``phase_rms_deg``)."""
    return {
        "rhoa_rms_pct": float(100 * np.sqrt(np.mean((rhoa_ohmm / rhoa_ref_ohmm - 1) ** 2))),
        "phase_rms_deg": float(np.sqrt(np.mean((phase_deg - phase_ref_deg) ** 2))),
    }


def data_misfit(rho_pred_ohmm, thick_m, freq_hz, rhoa_true_ohmm, phase_true_deg) -> dict:
    """:func:`response_misfit` of the predicted models' responses to the true responses."""
    return response_misfit(*mt1d(rho_pred_ohmm, thick_m, freq_hz), rhoa_true_ohmm, phase_true_deg)


def data_nrms(
    rho_pred_ohmm, thick_m, freq_hz, rhoa_obs_ohmm, phase_obs_deg, rel_noise: float
) -> np.ndarray:
    """Data misfit of predicted models ``(n, L)`` to noisy data ``(n, F)`` in units of the
    noise (:mod:`mtlib.noise`: ``rel_noise`` on ln ρa, :func:`mtlib.noise.phase_noise_std_deg` on
    φ): the normalized RMS over ρa and φ, per sounding ``(n,)``. About 1 for a model that
    fits the data to their noise; well above 1 for one that does not explain them."""
    if not rel_noise > 0:
        raise ValueError(f"rel_noise must be > 0 to normalize the misfit, got {rel_noise}")
    rhoa, phase = mt1d(rho_pred_ohmm, thick_m, freq_hz)
    residuals = np.concatenate(
        [
            np.log(rhoa / rhoa_obs_ohmm) / rel_noise,
            (phase - phase_obs_deg) / phase_noise_std_deg(rel_noise),
        ],
        axis=-1,
    )
    return np.sqrt(np.mean(residuals**2, axis=-1))
