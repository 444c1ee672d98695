"""The field network: its prior, its frame (the similarity laws), its training and its use."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from mtlib import field, generator
from mtlib.data_errors import Response1D
from mtlib.harness.train import TrainConfig, train_field
from mtlib.inversion import invert_many
from mtlib.networks import fieldnet
from mtlib.networks.fieldnet import FINE_GRID, FREQ_AXIS, Augment, FieldData, FieldNetwork
from mtlib.networks.unet import UNet1d


def test_field_models_are_seeded_and_wide():
    a = generator.field_models(3000, FINE_GRID, seed=3)
    assert np.array_equal(a, generator.field_models(3000, FINE_GRID, seed=3))
    assert not np.array_equal(a, generator.field_models(3000, FINE_GRID, seed=4))
    contrast = a.max(axis=1) - a.min(axis=1)
    # wide contrasts are common, half-spaces of one value are not the rule
    assert np.mean(contrast >= 4) > 0.05
    assert np.median(contrast) > 1.5
    # blocky models hold flat runs; smooth ones do not: both families are present
    flat = np.mean(np.diff(a, axis=1) == 0, axis=1)
    assert np.mean(flat > 0.9) > 0.2 and np.mean(flat < 0.1) > 0.2


@pytest.mark.parametrize("bad", [np.array([1.0, 0.5]), np.ones((2, 2)), np.array([1.0])])
def test_field_models_refuse_bad_depths(bad):
    with pytest.raises(ValueError, match="log_depth"):
        generator.field_models(2, bad)


def _random_network(seed=0) -> FieldNetwork:
    torch.manual_seed(seed)
    net = UNet1d(
        n_freq=FREQ_AXIS.size, n_layers=fieldnet.FRAME_N_LAYERS, in_channels=4, out_channels=2
    )
    return FieldNetwork(net)


def test_the_frame_follows_the_similarity_laws():
    """(aρ, √(a/b)·h) at b·f has a-times the ρa and the same φ: the network must see the
    same input, and its guess must map back to a-times the resistivities at √(a/b)-times
    the depths — for any weights, so a random network will do."""
    freq = np.logspace(3, -2, 31)
    rhoa = 100 * (1 + 0.5 * np.sin(np.arange(31) / 4))
    phase = 45 + 10 * np.cos(np.arange(31) / 5)
    p = np.full(31, 0.05)
    mask = np.ones(31, bool)
    mask[[7, 8, 20]] = False
    a, b = 37.0, 0.01
    net = _random_network()
    g1, g2 = net.guesses([(freq, rhoa, phase, p, mask), (freq * b, rhoa * a, phase, p, mask)])
    np.testing.assert_allclose(g2["rho"], a * g1["rho"], rtol=1e-5)
    np.testing.assert_allclose(g2["tops_m"], np.sqrt(a / b) * g1["tops_m"], rtol=1e-9)
    np.testing.assert_allclose(g2["std"], g1["std"], rtol=1e-5)


def test_on_axis_interpolates_small_gaps_and_masks_wide_ones():
    freq = np.concatenate([np.logspace(2, 0, 9), np.logspace(-1, -2, 5)])  # 1-decade gap
    values = np.log10(freq) + 3
    lr, ph, p, mask, f_top = fieldnet.on_axis(
        freq, 10**values, np.full(14, 45.0), 0.05, np.ones(14, bool)
    )
    assert f_top == 100.0
    u = np.arange(FREQ_AXIS.size) / fieldnet.PER_DECADE  # decades below f_top
    assert np.all(mask[u <= 2 + 1e-9]) and not np.any(mask[(u > 2 + 1e-9) & (u < 3 - 1e-9)])
    assert np.all(mask[(u >= 3 - 1e-9) & (u <= 4 + 1e-9)]) and not np.any(mask[u > 4 + 1e-9])
    np.testing.assert_allclose(lr[mask], (5 - u)[mask], atol=1e-12)  # linear in log f


def test_training_targets_are_the_earth_in_the_frame():
    """A two-layer earth: the target puts the interface where the frame says, at depth
    z/δ_ref with δ_ref the skin depth of the data's mean level at the top frequency."""
    level, step = 2.0, 1.5
    iface = 1.0  # log10 depth / δ(1 Ω·m, 1 Hz)
    log_rho = np.where(FINE_GRID < iface, level, level + step)[None, :]
    clean = FieldData(
        log_rho,
        *(x.numpy() for x in _responses(log_rho)),
        augment=Augment(err_log10=(-5.0, -5.0), err_scatter=0.0, shift_prob=0.0, max_gaps=0),
    )
    x, y = clean.batch(torch.tensor([0]), torch.Generator().manual_seed(0))
    m = x[0, 2].bool()
    log_rhoa = _responses(log_rho)[0][0][m]
    lg = float(log_rhoa.mean())
    values = fieldnet.LOG_SCALE * y[0].numpy() + lg
    below = fieldnet.GRID_CENTRES + 0.5 * lg >= iface
    np.testing.assert_allclose(values[below], level + step, atol=2e-3)  # 0.3 % noise
    np.testing.assert_allclose(values[~below], level, atol=2e-3)


def _responses(log_rho):
    from mtlib.forward import mt1d

    edges = fieldnet.DELTA_UNIT_M * 10.0 ** (0.5 * (FINE_GRID[1:] + FINE_GRID[:-1]))
    thick = np.diff(np.concatenate([[0.0], edges]))
    rhoa, phase = mt1d(10.0**log_rho, thick, FREQ_AXIS)
    return torch.as_tensor(np.log10(rhoa)), torch.as_tensor(phase)


def test_data_misfit_of_a_half_space():
    """Data of a half-space at the frame's level: its own model explains them exactly; a
    model ten times too resistive misfits ln ρa by ln 10 with errors of 2p, φ not at all."""
    mask = torch.ones(1, FREQ_AXIS.size)
    x = torch.stack([torch.zeros_like(mask), torch.zeros_like(mask), mask, 0.1 * mask], dim=1)
    data = FieldData.generate(1, seed=0)
    right = torch.zeros(1, 2, fieldnet.FRAME_N_LAYERS)
    wrong = right + torch.tensor([0.5, 0.0])[None, :, None]  # +1 decade (halved units)
    assert float(data.data_misfit(right, x)) < 1e-3
    expected = np.log(10) / 0.1 / np.sqrt(2)
    assert float(data.data_misfit(wrong, x)) == pytest.approx(expected, rel=1e-4)


def test_batches_are_field_like():
    data = FieldData.generate(400, seed=1)
    x, y = data.batch(torch.arange(400), torch.Generator().manual_seed(2))
    mask = x[:, 2]
    assert x.shape == (400, 4, FREQ_AXIS.size) and y.shape == (400, fieldnet.FRAME_N_LAYERS)
    assert torch.isfinite(x).all() and torch.isfinite(y).all()
    assert torch.all(mask[:, 0] == 1)  # the top of the band is data
    last = FREQ_AXIS.size - 1 - torch.argmax(mask.flip(1), dim=1)
    assert last.min() >= 15 and last.max() == FREQ_AXIS.size - 1  # 1.5 to 9 decades
    assert torch.any(mask.sum(1) < last + 1)  # and gaps inside the band
    assert torch.all(x[:, :, :][mask[:, None, :].expand_as(x) == 0] == 0)  # masked are zeros
    z_errors = x[:, 3][mask == 1] / 2
    assert z_errors.min() < 0.01 and z_errors.max() > 0.3


def test_train_field_resumes_and_the_network_inverts(tmp_path):
    cfg = TrainConfig(max_epochs=2, batch_size=64, uncertainty=True, lr_schedule="cosine")
    first = train_field(300, 100, cfg, tmp_path, progress=False, stop_after_epochs=1)
    assert not first.training["finished"] and first.training["epochs_run"] == 1
    net = train_field(300, 100, cfg, tmp_path, progress=False)
    assert net.training["finished"] and net.training["epochs_run"] == 2
    loaded = FieldNetwork.load(tmp_path / "field.pt")
    assert np.all(loaded.std_scale > 0) and loaded.half_width.shape[1] == fieldnet.N_GROUPS
    # calibrated on 200 earths: on fresh ones drawn alike, the 68 % interval covers ~68 %
    fresh = FieldData.generate(400, seed=99, augment=replace(fieldnet.AUGMENT, shift_prob=0))
    d = fresh.draw(torch.arange(400), torch.Generator().manual_seed(5))
    lg = d["lg"].numpy()
    log_rho, std, groups = loaded.calibrated(d["x"], lg, d["log_rhoa"].numpy(), d["mask"].numpy())
    half = loaded.interval_half_width(groups, std, 0.68)
    truth = fieldnet.LOG_SCALE * d["y"].numpy() + lg[:, None]
    assert abs(np.mean(np.abs(log_rho - truth) <= half) - 0.68) < 0.05
    with pytest.raises(ValueError, match="another training run"):
        train_field(300, 100, TrainConfig(max_epochs=3, batch_size=64), tmp_path, progress=False)
    resp = field.read(field.real_soundings()[0]).response()
    res = invert_many([resp], loaded)[0]
    assert np.all(np.isfinite(res.rho_ohmm)) and np.all(np.isfinite(res.std_log10))
    assert res.nrms <= res.nrms_network + 1e-9


def test_a_short_band_is_read_like_a_long_one():
    net = _random_network(1)
    freq = np.logspace(2, -1, 16)
    resp = Response1D(freq, np.full(16, 30.0), np.full(16, 45.0), 0.05, None)
    (res,) = invert_many([resp], net)
    # a half-space's data are fit at once by a model of its level
    assert res.nrms < 1.0
    assert abs(np.log10(res.rho_ohmm[:5]).mean() - np.log10(30)) < 0.1
