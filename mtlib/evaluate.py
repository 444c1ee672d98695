"""How good is a network: model errors, data misfit of its predictions, noise, timing.

Model error is measured in log10 ρ (decades): overall RMSE, RMSE per layer (versus depth),
and the paper's normalized RMSE (the same on the 0–1 scale of :mod:`mtlib.normalize`).
Data misfit re-runs the exact forward on the predicted models and compares with the
noise-free responses of the true models: RMS of ``ρa_pred / ρa_true - 1`` in percent and RMS
phase difference in degrees.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from . import errors
from .forward import mt1d
from .inverter import Inverter, told_noise
from .noise import add_noise

NOISE_LEVELS = (0.0, 0.02, 0.05, 0.10)
"""Relative ρa noise levels of the noise table (with matching phase noise, mtlib.noise)."""


def log_rho_rmse(rho_pred_ohmm, rho_true_ohmm, axis=None):
    """RMSE of log10 ρ (decades) between models in Ω·m, over ``axis`` (default: all)."""
    err = np.log10(rho_pred_ohmm) - np.log10(rho_true_ohmm)
    return np.sqrt(np.mean(err**2, axis=axis))


def model_errors(rho_pred_ohmm, rho_true_ohmm, log_span: float) -> dict:
    """RMSE of log10 ρ overall and per layer, and normalized RMSE; inputs (n, L) Ω·m."""
    rmse = float(log_rho_rmse(rho_pred_ohmm, rho_true_ohmm))
    return {"log_rho_rmse": rmse, "normalized_rmse": rmse / log_span,
            "log_rho_rmse_by_layer": log_rho_rmse(rho_pred_ohmm, rho_true_ohmm, 0).tolist()}


def data_misfit(rho_pred_ohmm, thick_m, freq_hz, rhoa_true_ohmm, phase_true_deg) -> dict:
    """RMS misfit of the predicted models' responses to the true responses."""
    rhoa_pred, phase_pred = mt1d(rho_pred_ohmm, thick_m, freq_hz)
    return {"rhoa_rms_pct": float(100 * np.sqrt(np.mean((rhoa_pred / rhoa_true_ohmm - 1) ** 2))),
            "phase_rms_deg": float(np.sqrt(np.mean((phase_pred - phase_true_deg) ** 2)))}


def evaluate(inverter: Inverter, rho_ohmm, rhoa_ohmm, phase_deg,
             noise_levels=NOISE_LEVELS, seed: int = 0) -> dict:
    """Metrics of ``inverter`` on soundings of known models, for each noise level.

    ``rho_ohmm`` (n, L) true models; ``rhoa_ohmm``, ``phase_deg`` (n, F) their noise-free
    responses at ``inverter.freq_hz``. Returns ``{level: {metric: value}}``; noise of level
    ``k`` uses seed ``[seed, k]``; a network that takes the noise level is told it. For an
    :class:`mtlib.ensemble.Ensemble` the calibration of its uncertainty is measured too
    (see :func:`calibration_metrics`).
    """
    results = {}
    uncertain = hasattr(inverter, "interval")  # an ensemble with calibrated intervals
    for k, level in enumerate(noise_levels):
        rhoa_in, phase_in = (rhoa_ohmm, phase_deg) if level == 0 else \
            add_noise(rhoa_ohmm, phase_deg, level, seed=[seed, k])
        told = told_noise(inverter, level)
        if uncertain:
            pred, std = inverter.predict(rhoa_in, phase_in, return_std=True, **told)
        else:
            pred = inverter.predict(rhoa_in, phase_in, **told)
        metrics = model_errors(pred, rho_ohmm, inverter.normalizer.log_span)
        metrics.update(data_misfit(pred, inverter.thick_m, inverter.freq_hz, rhoa_ohmm, phase_deg))
        if uncertain:
            metrics.update(calibration_metrics(inverter, rho_ohmm, pred, std))
        results[float(level)] = metrics
    return results


def calibration_metrics(ensemble, rho_true_ohmm, rho_pred_ohmm, std_log10) -> dict:
    """How honest an ensemble's uncertainty is on soundings of known models (n, L):
    coverage of its 68 % and 95 % intervals overall and per layer, the coverage at every
    level of ``CALIBRATION_LEVELS`` (reliability curve) and the mean σ (decades)."""
    from .ensemble import CALIBRATION_LEVELS, NOMINAL_LEVELS, coverage

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


def best_time(fn, repeat: int = 3, warmup: bool = True) -> float:
    """Best wall time (s) of ``fn()`` over ``repeat`` calls, after one warm-up call."""
    if warmup:
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def time_prediction(inverter: Inverter, rhoa_ohmm, phase_deg, device: str = "cpu",
                    repeat: int = 3) -> float:
    """Best wall time (s) of ``inverter.predict`` on all soundings on ``device``."""
    def run():
        inverter.predict(rhoa_ohmm, phase_deg, device=device)
        if device.startswith("cuda"):
            torch.cuda.synchronize()

    return best_time(run, repeat)


def compare_with_occam(inverter: Inverter, n_soundings: int, rel_noise: float = 0.02,
                       seed: int = 0, lam: float = 20.0) -> dict:
    """Network versus pyGIMLi's smooth inversion on the same noisy paper-scheme soundings.

    Returns per-method log10-ρ RMSE and time per sounding (the network's measured on the
    whole batch, pyGIMLi's as the mean over soundings), plus the models themselves.
    """
    from .baseline import occam_invert
    from .generator import random_models

    rho = random_models(n_soundings, seed=seed)
    rhoa, phase = mt1d(rho, inverter.thick_m, inverter.freq_hz)
    rhoa_n, phase_n = add_noise(rhoa, phase, rel_noise, seed=[seed, 1])
    net_seconds = time_prediction(inverter, rhoa_n, phase_n)
    rho_net = inverter.predict(rhoa_n, phase_n)
    z_rel_err = errors.z_rel_err_from_rhoa(rel_noise)
    occam = [occam_invert(inverter.freq_hz, rhoa_n[i], phase_n[i], inverter.thick_m,
                          z_rel_err=z_rel_err, lam=lam) for i in range(n_soundings)]
    rho_occam = np.array([r.rho_ohmm for r in occam])
    return {
        "n_soundings": n_soundings, "rel_noise": rel_noise,
        "network": {"log_rho_rmse": float(log_rho_rmse(rho_net, rho)),
                    "seconds_per_sounding": net_seconds / n_soundings},
        "pygimli_occam": {"log_rho_rmse": float(log_rho_rmse(rho_occam, rho)),
                          "seconds_per_sounding": float(np.mean([r.seconds for r in occam])),
                          "mean_chi2": float(np.mean([r.chi2 for r in occam])), "lambda": lam},
        "models": {"true": rho, "network": rho_net, "pygimli_occam": rho_occam},
    }


def _card_metrics(m: dict) -> dict:
    """The scalar metrics of one noise level, and the worst and best layer's coverage."""
    out = {k: v for k, v in m.items()
           if not k.endswith("by_layer") and k != "reliability"}
    if "coverage_by_layer" in m:
        out["coverage_layer_range"] = {p: [min(c), max(c)]
                                       for p, c in m["coverage_by_layer"].items()}
    return out


def _card_common(inverter, name: str, profile, training: dict, n_test: int | None) -> dict:
    """Name, version, data and fresh-test-set metrics: what every model card holds."""
    from . import __version__
    from .generator import random_models

    n_test = n_test or profile.n_test
    rho = random_models(n_test, seed=profile.test_seed)
    rhoa, phase = mt1d(rho, inverter.thick_m, inverter.freq_hz)
    metrics = evaluate(inverter, rho, rhoa, phase, seed=profile.test_seed)
    return {
        "name": name,
        "mtlib_version": __version__,
        "profile": profile.name,
        "data": {"scheme": "paper (5 control layers, uniform rho in (2, 220) ohm-m, linear)",
                 "n_samples": profile.n_samples, "n_train": training["n_train"],
                 "n_val": training["n_val"], "dataset_seed": profile.seed,
                 "dataset_hash": training["dataset_hash"],
                 "freq_hz": [inverter.freq_hz[0], inverter.freq_hz[-1], inverter.freq_hz.size],
                 "n_layers": inverter.n_layers},
        "test": {"n": n_test, "seed": profile.test_seed,
                 "noise_convention": "relative std on rho_a, phase std arcsin(p/2)",
                 "metrics": {f"{100 * level:g}%": _card_metrics(m)
                             for level, m in metrics.items()}},
    }


def _training_card(t: dict) -> dict:
    return {k: t[k] for k in ("config", "epochs_run", "best_epoch", "best_val_rmse",
                              "stopped_early", "train_time_s", "device")}


def model_card(inverter: Inverter, name: str, profile, n_test: int | None = None) -> dict:
    """Everything a user needs to trust a shipped network, with test metrics measured now.

    ``profile`` is the :class:`mtlib.config.Profile` it was trained with; the test set is
    ``n_test`` (default ``profile.n_test``) fresh models from ``profile.test_seed``."""
    card = _card_common(inverter, name, profile, inverter.training, n_test)
    card["architecture"] = dict(inverter.net.config, n_parameters=inverter.net.n_parameters())
    card["training"] = _training_card(inverter.training)
    return card


def ensemble_card(ensemble, name: str, profile, n_test: int | None = None) -> dict:
    """:func:`model_card` of an :class:`mtlib.ensemble.Ensemble`: every member's training,
    the calibration, and the coverage of its intervals on the fresh test set."""
    t = ensemble.training
    card = _card_common(ensemble, name, profile, t["members"][0], n_test)
    net = ensemble.members[0].net
    card["architecture"] = dict(net.config, n_members=len(ensemble),
                                n_parameters=sum(m.net.n_parameters() for m in ensemble.members))
    card["training"] = {"members": [_training_card(m) for m in t["members"]],
                        "train_time_s": t["train_time_s"], "calibration": t["calibration"]}
    return card
