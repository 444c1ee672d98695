"""The network side: normalization, noise, U-Net, training loop, inverter, evaluation."""

import numpy as np
import pytest
import torch

from mtlib import forward, generator, grid, metrics
from mtlib.harness import evaluate, train
from mtlib.harness.dataset import DatasetSpec, build_dataset
from mtlib.networks.normalize import Normalizer
from mtlib.networks.paper import PaperNetwork
from mtlib.networks.unet import InferenceUNet, UNet1d
from mtlib.noise import add_noise, phase_noise_std_deg

THICK = grid.paper_thicknesses()
FREQ = grid.default_frequencies()


# --- normalization -------------------------------------------------------------------------


def test_normalizer_round_trip_and_bounds():
    norm = Normalizer()
    rho = generator.random_models(100, seed=0)
    y = norm.targets(rho)
    assert y.min() >= 0 and y.max() <= 1
    np.testing.assert_allclose(norm.targets(np.array([2.0, 220.0])), [0.0, 1.0], atol=1e-15)
    np.testing.assert_allclose(norm.rho_from_targets(y), rho, rtol=1e-12)
    rhoa, phase = forward.mt1d(rho, THICK, FREQ)
    x = norm.inputs(rhoa, phase)
    assert x.shape == (100, 2, 40)
    np.testing.assert_allclose(x[:, 1], phase / 90)
    x_t = norm.inputs(torch.tensor(rhoa), torch.tensor(phase))
    np.testing.assert_allclose(x_t.numpy(), x, rtol=1e-12)
    assert norm.log_rho_rmse(1.0) == pytest.approx(np.log10(110))


# --- noise ---------------------------------------------------------------------------------


def test_noise_has_the_stated_statistics():
    rhoa = np.full((2000, 40), 50.0)
    phase = np.full((2000, 40), 45.0)
    for level in (0.02, 0.1):
        noisy_rhoa, noisy_phase = add_noise(rhoa, phase, level, seed=1)
        assert np.std(np.log(noisy_rhoa / rhoa)) == pytest.approx(level, rel=0.02)
        assert np.std(noisy_phase - phase) == pytest.approx(
            np.degrees(np.arcsin(level / 2)), rel=0.02
        )
    assert phase_noise_std_deg(0.02) == pytest.approx(0.573, abs=1e-3)
    same = add_noise(rhoa, phase, 0.0, seed=1)
    np.testing.assert_array_equal(same[0], rhoa)
    np.testing.assert_array_equal(same[1], phase)


def test_noise_per_sounding_levels_and_torch_generator():
    levels = np.array([[0.0], [0.1]])
    noisy, _ = add_noise(np.ones((2, 5000)), np.full((2, 5000), 45.0), levels, seed=2)
    assert np.all(noisy[0] == 1.0) and np.std(np.log(noisy[1])) == pytest.approx(0.1, rel=0.05)
    gen_a, gen_b = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    a = add_noise(torch.ones(4, 40), torch.full((4, 40), 45.0), 0.05, gen_a)
    b = add_noise(torch.ones(4, 40), torch.full((4, 40), 45.0), 0.05, gen_b)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    with pytest.raises(ValueError, match="rel_noise"):
        add_noise(np.ones(3), np.ones(3), -0.1)


# --- U-Net ---------------------------------------------------------------------------------


@pytest.mark.parametrize("n_freq, n_layers, depth", [(40, 40, 3), (37, 40, 3), (25, 60, 2)])
def test_unet_shapes(n_freq, n_layers, depth):
    torch.manual_seed(0)
    net = UNet1d(n_freq=n_freq, n_layers=n_layers, depth=depth, base_channels=8).eval()
    x = torch.rand(5, 2, n_freq, requires_grad=True)
    out = net(x)
    assert out.shape == (5, n_layers) and torch.isfinite(out).all()
    # every layer of the model answers to the data: each output has a gradient with respect
    # to the input, and soundings do not mix in evaluation mode
    for j in (0, n_layers // 2, n_layers - 1):
        (grad,) = torch.autograd.grad(out[2, j], x, retain_graph=True)
        assert grad[2].abs().sum() > 0 and torch.all(grad[[0, 1, 3, 4]] == 0)


def test_the_shipped_networks_count_what_their_cards_say():
    import json

    import mtlib

    for name in (mtlib.DEFAULT_NETWORK, mtlib.DEFAULT_ENSEMBLE):
        card = json.loads((mtlib.WEIGHTS_DIR / f"{name}.card.json").read_text())
        net = mtlib.load_pretrained(name)
        members = getattr(net, "members", [net])
        assert sum(m.net.n_parameters() for m in members) == card["architecture"]["n_parameters"]


def test_unet_rejects_wrong_input_and_options():
    net = UNet1d()
    with pytest.raises(ValueError, match="shape"):
        net(torch.rand(5, 2, 39))
    with pytest.raises(ValueError, match="kernel_size"):
        UNet1d(kernel_size=4)
    with pytest.raises(ValueError, match="depth"):
        UNet1d(depth=0)


# --- training ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_dataset(tmp_path_factory):
    spec = DatasetSpec(n_samples=800, chunk_size=400, seed=3)
    return build_dataset(tmp_path_factory.mktemp("tiny") / "ds", spec, progress=False)


TINY = dict(batch_size=64, base_channels=4, depth=2, noise_max=0.03)


def test_training_reduces_the_loss_and_saves_a_usable_model(tiny_dataset, tmp_path):
    cfg = train.TrainConfig(max_epochs=4, **TINY)
    result = train.train(tiny_dataset, cfg, tmp_path / "run", progress=False)
    hist = result.history
    assert [h["epoch"] for h in hist] == [1, 2, 3, 4]
    assert hist[-1]["train_rmse"] < hist[0]["train_rmse"]
    assert (tmp_path / "run" / "model.pt").exists() and (tmp_path / "run" / "history.csv").exists()
    loaded = PaperNetwork.load(tmp_path / "run" / "model.pt")
    val = tiny_dataset.load("val")
    pred = loaded.predict(val["rhoa_ohmm"], val["phase_deg"])
    np.testing.assert_allclose(pred, result.inverter.predict(val["rhoa_ohmm"], val["phase_deg"]))
    assert loaded.training["epochs_run"] == 4 and len(loaded.training["history"]) == 4


def test_interrupted_training_resumes_to_the_same_network(tiny_dataset, tmp_path):
    cfg = train.TrainConfig(max_epochs=4, **TINY)
    straight = train.train(tiny_dataset, cfg, tmp_path / "a", progress=False)
    first = train.train(tiny_dataset, cfg, tmp_path / "b", progress=False, stop_after_epochs=2)
    assert first.epochs_run == 2 and not (tmp_path / "b" / "model.pt").exists()
    resumed = train.train(tiny_dataset, cfg, tmp_path / "b", progress=False)
    assert resumed.epochs_run == 4
    for key, value in straight.inverter.net.state_dict().items():
        assert torch.equal(value, resumed.inverter.net.state_dict()[key]), key
    strip = lambda h: [{k: v for k, v in e.items() if k != "seconds"} for e in h]  # noqa: E731
    assert strip(straight.history) == strip(resumed.history)


def test_checkpoint_of_another_run_is_refused(tiny_dataset, tmp_path):
    train.train(
        tiny_dataset, train.TrainConfig(max_epochs=1, **TINY), tmp_path / "r", progress=False
    )
    with pytest.raises(ValueError, match="another training run"):
        train.train(
            tiny_dataset,
            train.TrainConfig(max_epochs=1, seed=9, **TINY),
            tmp_path / "r",
            progress=False,
        )


def test_early_stopping_keeps_the_best_weights_and_halves_the_rate(
    tiny_dataset, tmp_path, monkeypatch
):
    scripted = iter([1.0, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9])
    snapshots = []

    def fake_val(net, split, config, batch=4096):
        snapshots.append({k: v.clone() for k, v in net.state_dict().items()})
        return next(scripted)

    monkeypatch.setattr(train, "_val_rmse", fake_val)
    cfg = train.TrainConfig(max_epochs=50, patience=4, lr_patience=2, **TINY)
    result = train.train(tiny_dataset, cfg, tmp_path / "es", progress=False)
    assert result.epochs_run == 6 and result.best_epoch == 2 and result.stopped_early
    assert [h["lr"] for h in result.history] == [0.01, 0.01, 0.01, 0.01, 0.005, 0.005]
    for key, value in result.inverter.net.state_dict().items():
        assert torch.equal(value, snapshots[1][key]), key


def test_bad_train_config_raises():
    with pytest.raises(ValueError, match="max_epochs"):
        train.TrainConfig(max_epochs=0)
    with pytest.raises(ValueError, match="noise_max"):
        train.TrainConfig(noise_max=-0.1)
    with pytest.raises(ValueError, match="noise_exponent"):
        train.TrainConfig(noise_exponent=0.0)
    with pytest.raises(ValueError, match="nll_weight"):
        train.TrainConfig(nll_weight=0.0)
    with pytest.raises(ValueError, match="data_weight"):
        train.TrainConfig(data_weight=-0.1)


def test_the_data_misfit_term_is_only_for_the_field_network(tiny_dataset, tmp_path):
    with pytest.raises(ValueError, match="data_weight is for the field network"):
        train.train(
            tiny_dataset, train.TrainConfig(max_epochs=1, data_weight=0.1), tmp_path, progress=False
        )


def test_training_noise_levels_follow_the_exponent_and_reach_the_network(tiny_dataset):
    arrays = tiny_dataset.load("train")

    def split(**config):
        return train._Split(arrays, Normalizer(), torch.device("cpu"), train.TrainConfig(**config))

    idx = torch.arange(len(split()))
    clean = split().batch(idx, None)[0]
    for exponent, median in ((1.0, 0.05), (3.0, 0.1 * 0.5**3)):
        gen = torch.Generator().manual_seed(0)
        x, y = split(noise_max=0.1, noise_input=True, noise_exponent=exponent).batch(idx, gen)
        level = x[:, 2, 0] * Normalizer().noise_ref
        assert torch.all(x[:, 2] == x[:, 2, :1])  # one level per sounding, at every frequency
        assert float(level.median()) == pytest.approx(median, rel=0.25)
        # the level told is the level applied: noisier inputs deviate more from the clean ones
        spread = (x[:, 0] - clean[:, 0]).std(dim=1)
        assert float(torch.corrcoef(torch.stack([spread, level]))[0, 1]) > 0.9
        assert torch.equal(y, split().y)  # noise touches the inputs, never the targets
    # not told: the paper's two channels
    assert split(noise_max=0.1).batch(idx, None)[0].shape[1] == 2


def test_device_choice(monkeypatch):
    """A device asked for is used; else a GPU when there is one — under torchrun the one of
    this process's local rank — else the CPU."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert train.choose_device() == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.delenv("LOCAL_RANK", raising=False)
    assert train.choose_device() == torch.device("cuda", 0)
    monkeypatch.setenv("LOCAL_RANK", "3")
    assert train.choose_device() == torch.device("cuda", 3)
    assert train.choose_device("cpu") == torch.device("cpu")


# --- inverter and evaluation ---------------------------------------------------------------


@pytest.fixture(scope="module")
def untrained_inverter():
    torch.manual_seed(0)
    return PaperNetwork(UNet1d(base_channels=4, depth=2), Normalizer(), FREQ, THICK)


@pytest.mark.parametrize(
    "rhoa, phase, kwargs, name",
    [
        (np.ones(39), np.full(39, 45.0), {}, "rhoa_ohmm"),
        (np.ones((2, 40)), np.full((3, 40), 45.0), {}, "phase_deg"),
        (-np.ones(40), np.full(40, 45.0), {}, "rhoa_ohmm"),
        (np.full(40, np.nan), np.full(40, 45.0), {}, "rhoa_ohmm"),
        (np.ones(40), np.full(40, np.inf), {}, "phase_deg"),
        (np.ones(40), np.full(40, 95.0), {}, "phase_deg"),
        (np.ones(40), np.full(40, -30.0), {}, "phase_deg"),
        (np.ones(40), np.full(40, 45.0), {"freq_hz": FREQ * 10}, "freq_hz"),
        (np.ones(40), np.full(40, 45.0), {"freq_hz": FREQ[:30]}, "freq_hz"),
    ],
)
def test_inverter_checks_its_input(untrained_inverter, rhoa, phase, kwargs, name):
    with pytest.raises(ValueError, match=name):
        untrained_inverter.predict(rhoa, phase, **kwargs)


def test_inverter_shapes_and_round_trip(untrained_inverter, tmp_path):
    rhoa, phase = forward.mt1d(generator.random_models(5, seed=1), THICK, FREQ)
    many = untrained_inverter.predict(rhoa, phase, freq_hz=FREQ)
    one = untrained_inverter.predict(rhoa[0], phase[0])
    assert many.shape == (5, 40) and one.shape == (40,)
    np.testing.assert_allclose(one, many[0], rtol=1e-6)
    assert np.all(many > 0)
    np.testing.assert_array_equal(untrained_inverter.depth_m, grid.layer_tops_m(THICK))
    with torch.inference_mode():  # the frozen CPU network equals the eager one
        x = torch.from_numpy(untrained_inverter.normalizer.inputs(rhoa, phase).astype(np.float32))
        eager = untrained_inverter.normalizer.rho_from_targets(untrained_inverter.net(x).numpy())
    np.testing.assert_allclose(many, eager, rtol=1e-4)
    loaded = PaperNetwork.load(untrained_inverter.save(tmp_path / "net.pt"))
    np.testing.assert_array_equal(loaded.predict(rhoa, phase), many)
    with pytest.raises(ValueError, match="no network bundle"):
        PaperNetwork.load(tmp_path / "missing.pt")


def test_model_errors_and_data_misfit_known_answers():
    rho = generator.random_models(20, seed=4)
    errors = metrics.model_errors(rho * 10, rho, log_span=2.0)
    assert errors["log_rho_rmse"] == pytest.approx(1.0)
    assert errors["normalized_rmse"] == pytest.approx(0.5)
    np.testing.assert_allclose(errors["log_rho_rmse_by_layer"], 1.0)
    rhoa, phase = forward.mt1d(rho, THICK, FREQ)
    exact = metrics.data_misfit(rho, THICK, FREQ, rhoa, phase)
    assert exact["rhoa_rms_pct"] < 1e-10 and exact["phase_rms_deg"] < 1e-10
    uniform = np.full((3, 40), 50.0)  # a doubled half-space doubles ρa, keeps 45°
    rhoa, phase = forward.mt1d(uniform, THICK, FREQ)
    doubled = metrics.data_misfit(uniform * 2, THICK, FREQ, rhoa, phase)
    assert doubled["rhoa_rms_pct"] == pytest.approx(100.0) and doubled["phase_rms_deg"] < 1e-10


def test_data_nrms_is_one_for_the_true_model_under_noise_and_grows_for_a_wrong_one():
    rho = generator.random_models(400, seed=6)
    rhoa, phase = forward.mt1d(rho, THICK, FREQ)
    rhoa_n, phase_n = add_noise(rhoa, phase, 0.05, seed=1)
    nrms = metrics.data_nrms(rho, THICK, FREQ, rhoa_n, phase_n, 0.05)
    assert nrms.shape == (400,) and np.mean(nrms**2) == pytest.approx(1.0, abs=0.03)
    # a half-space 10 % too resistive: ln ρa off by ln 1.1 ≈ 1.9 σ, the phase still 45°
    half = np.full((3, 40), 50.0)
    rhoa, phase = forward.mt1d(half, THICK, FREQ)
    off = metrics.data_nrms(half * 1.1, THICK, FREQ, rhoa, phase, 0.05)
    np.testing.assert_allclose(off, np.log(1.1) / 0.05 / np.sqrt(2), rtol=1e-9)
    with pytest.raises(ValueError, match="rel_noise"):
        metrics.data_nrms(half, THICK, FREQ, rhoa, phase, 0.0)


def test_evaluate_reports_every_noise_level(untrained_inverter):
    rho = generator.random_models(50, seed=5)
    rhoa, phase = forward.mt1d(rho, THICK, FREQ)
    report = evaluate.evaluate(untrained_inverter, rho, rhoa, phase, seed=3)
    assert list(report) == [0.0, 0.02, 0.05, 0.10]
    # each level is the network on data with that noise (seed [seed, k]): recompute two
    for k, level in ((0, 0.0), (3, 0.10)):
        data = (rhoa, phase) if level == 0 else add_noise(rhoa, phase, level, seed=[3, k])
        pred = untrained_inverter.predict(*data)
        by_layer = metrics.log_rho_rmse(pred, rho, axis=0)
        np.testing.assert_allclose(report[level]["log_rho_rmse_by_layer"], by_layer)
        assert report[level]["log_rho_rmse"] == pytest.approx(metrics.log_rho_rmse(pred, rho))
    assert "data_nrms_median" not in report[0.0]  # no noise: no misfit in units of it
    nrms = metrics.data_nrms(pred, THICK, FREQ, *data, 0.10)
    assert report[0.10]["data_nrms_median"] == pytest.approx(np.median(nrms))


def test_pygimli_smooth_inversion_fits_a_noise_free_sounding():
    pytest.importorskip("pygimli")
    from mtlib.inversion.baseline import pygimli_invert

    rho = generator.random_models(1, seed=8)[0]
    rhoa, phase = forward.mt1d(rho, THICK, FREQ)
    result = pygimli_invert(FREQ, rhoa, phase, THICK, z_rel_err=0.01)  # 2 % on ρa
    assert result.rho_ohmm.shape == (40,) and result.chi2 < 1.5
    start_error = np.sqrt(np.mean((np.log10(np.median(rhoa)) - np.log10(rho)) ** 2))
    assert np.sqrt(np.mean((np.log10(result.rho_ohmm) - np.log10(rho)) ** 2)) < start_error


@pytest.mark.parametrize("out_channels, n_freq", [(1, 40), (2, 91)])
def test_inference_copy_answers_as_the_network(out_channels, n_freq):
    torch.manual_seed(0)
    net = UNet1d(n_freq=n_freq, n_layers=62, in_channels=3, out_channels=out_channels)
    net.train()
    net(torch.randn(64, 3, n_freq))  # BatchNorm statistics that are not the identity
    net.eval()
    x = torch.randn(8, 3, n_freq)
    with torch.no_grad():
        torch.testing.assert_close(InferenceUNet(net)(x), net(x), rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="input must have shape"):
        InferenceUNet(net)(torch.randn(2, 2, n_freq))


def test_mixed_precision_training_learns_like_float32(tiny_dataset, tmp_path):
    results = {
        amp: train.train(
            tiny_dataset,
            train.TrainConfig(max_epochs=12, amp=amp, **TINY),
            tmp_path / f"amp{amp}",
            progress=False,
        )
        for amp in (False, True)
    }
    for result in results.values():
        assert result.history[-1]["val_rmse"] < result.history[0]["val_rmse"]
    fp32, bf16 = (results[a].best_val_rmse for a in (False, True))
    assert abs(bf16 - fp32) / fp32 < 0.2, (fp32, bf16)
    assert results[True].inverter.training["config"]["amp"] is True


def test_unet_stages_are_read_off_the_module():
    from mtlib.plotting import unet_stages

    stages = unet_stages(UNet1d(n_freq=37, base_channels=8, depth=2))
    assert stages == [
        ("input", 2, 37),
        ("encoder 1", 8, 37),
        ("encoder 2", 16, 19),  # ceil-mode pooling
        ("bottleneck", 32, 10),
        ("decoder 1", 16, 19),
        ("decoder 2", 8, 37),
        ("1×1 conv", 1, 37),
        ("dense → layers", 1, 40),
    ]
