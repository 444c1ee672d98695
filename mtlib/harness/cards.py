"""Model cards: what a user needs to trust a shipped network, with test metrics measured now
on a fresh test set (:func:`mtlib.harness.evaluate.evaluate`)."""

from __future__ import annotations

from .._version import VERSION as __version__
from ..forward import mt1d
from ..generator import random_models
from ..networks.predictor import Predictor
from .evaluate import evaluate


def _card_metrics(m: dict) -> dict:
    """The scalar metrics of one noise level, and the worst and best layer's coverage."""
    out = {k: v for k, v in m.items() if not k.endswith("by_layer") and k != "reliability"}
    if "coverage_by_layer" in m:
        out["coverage_layer_range"] = {
            p: [min(c), max(c)] for p, c in m["coverage_by_layer"].items()
        }
    return out


def _card_common(inverter, name: str, profile, training: dict, n_test: int | None) -> dict:
    """Name, version, data and fresh-test-set metrics: what every model card holds."""
    n_test = n_test or profile.n_test
    rho = random_models(n_test, seed=profile.test_seed)
    rhoa, phase = mt1d(rho, inverter.thick_m, inverter.freq_hz)
    metrics = evaluate(inverter, rho, rhoa, phase, seed=profile.test_seed)
    return {
        "name": name,
        "mtlib_version": __version__,
        "profile": profile.name,
        "data": {
            "scheme": "paper (5 control layers, uniform rho in (2, 220) ohm-m, linear)",
            "n_samples": profile.n_samples,
            "n_train": training["n_train"],
            "n_val": training["n_val"],
            "dataset_seed": profile.seed,
            "dataset_hash": training["dataset_hash"],
            "freq_hz": [inverter.freq_hz[0], inverter.freq_hz[-1], inverter.freq_hz.size],
            "n_layers": inverter.n_layers,
        },
        "test": {
            "n": n_test,
            "seed": profile.test_seed,
            "noise_convention": "relative std on rho_a, phase std arcsin(p/2)",
            "metrics": {f"{100 * level:g}%": _card_metrics(m) for level, m in metrics.items()},
        },
    }


def _training_card(t: dict) -> dict:
    return {
        k: t[k]
        for k in (
            "config",
            "epochs_run",
            "best_epoch",
            "best_val_rmse",
            "stopped_early",
            "train_time_s",
            "device",
        )
    }


def model_card(inverter: Predictor, name: str, profile, n_test: int | None = None) -> dict:
    """Everything a user needs to trust a shipped network, with test metrics measured now.

    ``profile`` is the :class:`mtlib.harness.config.Profile` it was trained with; the test set is
    ``n_test`` (default ``profile.n_test``) fresh models from ``profile.test_seed``."""
    card = _card_common(inverter, name, profile, inverter.training, n_test)
    card["architecture"] = dict(inverter.net.config, n_parameters=inverter.net.n_parameters())
    card["training"] = _training_card(inverter.training)
    return card


def ensemble_card(ensemble, name: str, profile, n_test: int | None = None) -> dict:
    """:func:`model_card` of a :class:`~mtlib.networks.ensemble.PaperEnsemble`: every
    member's training, the calibration, and the coverage of its intervals on the fresh test set."""
    t = ensemble.training
    card = _card_common(ensemble, name, profile, t["members"][0], n_test)
    net = ensemble.members[0].net
    card["architecture"] = dict(
        net.config,
        n_members=len(ensemble),
        n_parameters=sum(m.net.n_parameters() for m in ensemble.members),
    )
    card["training"] = {
        "members": [_training_card(m) for m in t["members"]],
        "train_time_s": t["train_time_s"],
        "calibration": t["calibration"],
        "warm_start": bool(t.get("warm_start", False)),
    }
    return card
