"""The shipped network: loads, reproduces its model card, meets the accuracy target."""

import json

import numpy as np
import pytest

import mtlib
from mtlib import forward, generator
from mtlib.harness import evaluate

CARD_PATH = mtlib.WEIGHTS_DIR / f"{mtlib.DEFAULT_NETWORK}.card.json"
CARD = json.loads(CARD_PATH.read_text())
TARGET_CLEAN_RMSE = 0.07  # decades of ρ, on a fresh test set without noise


@pytest.fixture(scope="module")
def net():
    return mtlib.load_pretrained()


def card_metrics(level: float) -> dict:
    return CARD["test"]["metrics"][f"{100 * level:g}%"]


def test_card_describes_the_shipped_bundle(net):
    assert net.net.n_parameters() == CARD["architecture"]["n_parameters"]
    assert net.training["epochs_run"] == CARD["training"]["epochs_run"]
    assert net.training["dataset_hash"] == CARD["data"]["dataset_hash"]
    path = mtlib.WEIGHTS_DIR / f"{mtlib.DEFAULT_NETWORK}.pt"
    assert path.stat().st_size <= 10 * 2**20


def test_card_metrics_are_reproduced_on_its_test_set(net):
    test = CARD["test"]
    rho = generator.random_models(test["n"], seed=test["seed"])
    rhoa, phase = forward.mt1d(rho, net.thick_m, net.freq_hz)
    metrics = evaluate.evaluate(net, rho, rhoa, phase, seed=test["seed"])
    for level, measured in metrics.items():
        stated = card_metrics(level)
        for key in ("log_rho_rmse", "normalized_rmse", "rhoa_rms_pct", "phase_rms_deg"):
            # same data and weights: only float32 rounding differences between CPUs remain
            assert measured[key] == pytest.approx(stated[key], rel=1e-3), (level, key)


def test_generalizes_to_another_fresh_test_set_and_meets_the_target(net):
    rho = generator.random_models(10_000, seed=CARD["test"]["seed"] + 1)
    rhoa, phase = forward.mt1d(rho, net.thick_m, net.freq_hz)
    clean = evaluate.evaluate(net, rho, rhoa, phase, noise_levels=(0.0,))[0.0]
    assert clean["log_rho_rmse"] == pytest.approx(card_metrics(0.0)["log_rho_rmse"], rel=0.05)
    assert clean["log_rho_rmse"] <= TARGET_CLEAN_RMSE


def test_noise_degrades_gracefully():
    rmse = [card_metrics(level)["log_rho_rmse"] for level in (0.0, 0.02, 0.05, 0.10)]
    assert rmse == sorted(rmse)  # more noise, larger error
    assert rmse[1] < 1.3 * rmse[0]  # 2 % noise lies inside the augmentation range


def test_unknown_network_name_is_a_clear_error():
    with pytest.raises(ValueError, match="no shipped network"):
        mtlib.load_pretrained("does_not_exist")


def test_predict_on_paper_models_is_close(net):
    rho = generator.random_models(1000, seed=123)
    rhoa, phase = forward.mt1d(rho, net.thick_m, net.freq_hz)
    err = np.log10(net.predict(rhoa, phase)) - np.log10(rho)
    # the card states 0.061 decades on noise-free data: a regression shows here
    assert np.sqrt(np.mean(err**2)) < 0.07
    assert np.percentile(np.sqrt(np.mean(err**2, axis=1)), 95) < 0.13


def test_profile_networks_are_the_trained_ones_only_where_the_profile_says_so(
    tmp_path, monkeypatch
):
    from dataclasses import replace

    from mtlib.harness import config, trained
    from mtlib.networks import pretrained

    monkeypatch.setenv("MTLIB_RUNS", str(tmp_path))
    quick = replace(config.get_profile("quick"), name="trial")
    kind = lambda profile: type(trained.profile_network(profile)).__name__  # noqa: E731
    assert kind(quick) == "PaperNetwork"  # no finished run: the shipped network
    # a finished run (here a copy of the shipped ensemble, to tell the two apart)
    quick.run_dir().mkdir(parents=True)
    shipped_ensemble = pretrained.WEIGHTS_DIR / "ensemble_quick.pt"
    (quick.run_dir() / "model.pt").write_bytes(shipped_ensemble.read_bytes())
    assert kind(quick) == "PaperEnsemble"
    assert kind(replace(quick, notebooks_use_trained=False)) == "PaperNetwork"
    assert config.get_profile("smoke").notebooks_use_trained is False
