"""Uncertainty ensemble: the coverage arithmetic, the mixture, calibration, bundles, training."""

from statistics import NormalDist

import numpy as np
import pytest
import torch

from mtlib import forward, generator
from mtlib.constants import CALIBRATION_LEVELS, ONE_SIGMA
from mtlib.grid import default_frequencies, paper_thicknesses
from mtlib.harness import dataset
from mtlib.harness.train import TrainConfig, noisy_copies, train_ensemble
from mtlib.networks.ensemble import NOISE_EDGE_FRACTIONS, PaperEnsemble, noise_group_edges
from mtlib.networks.normalize import Normalizer
from mtlib.networks.paper import PaperNetwork
from mtlib.networks.predictor import coverage, resolved_depth_m, z_score
from mtlib.networks.unet import UNet1d


def member(seed: int, out_channels: int = 2, in_channels: int = 2) -> PaperNetwork:
    """An untrained network with a variance head: arbitrary but fixed predictions."""
    torch.manual_seed(seed)
    net = UNet1d(base_channels=4, depth=2, out_channels=out_channels, in_channels=in_channels)
    return PaperNetwork(net, Normalizer(), default_frequencies(), paper_thicknesses())


@pytest.fixture(scope="module")
def soundings():
    rho = generator.random_models(3000, seed=7)
    rhoa, phase = forward.mt1d(rho, paper_thicknesses(), default_frequencies())
    return rho, rhoa, phase


def test_coverage_counts_values_inside_the_closed_interval():
    true = np.array([[1.0, 10.0], [5.0, 50.0]])
    low = np.array([[1.0, 11.0], [4.0, 40.0]])
    high = np.array([[2.0, 20.0], [5.0, 45.0]])
    np.testing.assert_array_equal(coverage(true, low, high), [1.0, 0.0])
    assert coverage(true, low, high, axis=None) == 0.5


@pytest.mark.parametrize("stated_over_true", [1.0, 2.0, 0.5])
def test_coverage_of_gaussian_errors_has_the_analytic_value(stated_over_true):
    rng = np.random.default_rng(0)
    sigma = 0.1  # decades
    pred = 10.0 ** rng.uniform(0.5, 2, (200_000, 1))
    true = pred * 10.0 ** (sigma * rng.standard_normal(pred.shape))
    for level in (0.68, 0.95):
        half = z_score(level) * sigma * stated_over_true
        expected = 2 * NormalDist().cdf(z_score(level) * stated_over_true) - 1
        measured = coverage(true, pred * 10.0**-half, pred * 10.0**half, axis=None)
        assert measured == pytest.approx(expected, abs=0.004)


def test_z_score_and_bad_levels():
    assert z_score(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_score(ONE_SIGMA) == pytest.approx(1.0, abs=1e-8)
    for bad in (0.0, 1.0, 95):
        with pytest.raises(ValueError, match="interval level"):
            z_score(bad)


def test_resolved_depth_is_the_top_of_the_first_uncertain_layer():
    depth = np.array([0.0, 10.0, 30.0, 60.0])
    assert resolved_depth_m([0.1, 0.2, 0.3, 0.1], depth, threshold=0.25) == 30.0
    assert resolved_depth_m([0.1, 0.1, 0.1, 0.1], depth, threshold=0.25) == np.inf


def test_mixture_is_mean_of_variances_plus_spread_of_means(soundings):
    _, rhoa, phase = soundings
    a, b = member(1), member(2)
    ens = PaperEnsemble([a, b])
    rho, std = ens.predict(rhoa[:50], phase[:50], return_std=True)
    (rho_a, std_a), (rho_b, std_b) = (
        m.predict(rhoa[:50], phase[:50], return_std=True) for m in (a, b)
    )
    log_a, log_b = np.log10(rho_a), np.log10(rho_b)
    np.testing.assert_allclose(np.log10(rho), (log_a + log_b) / 2, atol=1e-9)
    expected = np.sqrt((std_a**2 + std_b**2) / 2 + ((log_a - log_b) / 2) ** 2)
    np.testing.assert_allclose(std, expected, rtol=1e-9)
    # one member with itself: no spread, its own σ
    np.testing.assert_allclose(
        PaperEnsemble([a, a]).predict(rhoa[:50], phase[:50], return_std=True)[1], std_a, rtol=1e-9
    )


def test_shapes_units_and_single_sounding(soundings):
    _, rhoa, phase = soundings
    ens = PaperEnsemble([member(1), member(2)], std_scale=2.0)
    rho, std = ens.predict(rhoa[:5], phase[:5], return_std=True)
    assert rho.shape == std.shape == (5, 40) and np.all(std > 0) and np.all(rho > 0)
    one_rho, one_std = ens.predict(rhoa[3], phase[3], return_std=True)
    assert one_rho.shape == one_std.shape == (40,)
    np.testing.assert_allclose(one_std, std[3], rtol=1e-6)
    np.testing.assert_allclose(ens.predict(rhoa[:5], phase[:5]), rho)
    # std_scale multiplies σ; Gaussian intervals until calibrated
    raw = PaperEnsemble([member(1), member(2)]).predict(rhoa[:5], phase[:5], return_std=True)[1]
    np.testing.assert_allclose(std, 2 * raw, rtol=1e-9)
    low, high = ens.interval(rho, std, 0.95)
    np.testing.assert_allclose(np.log10(high / rho), 1.959964 * std, rtol=1e-5)
    np.testing.assert_allclose(np.log10(rho / low), np.log10(high / rho), rtol=1e-9)


def test_calibration_makes_intervals_cover_their_level(soundings):
    rho, rhoa, phase = soundings
    rhoa, phase, level = noisy_copies(rhoa, phase, 0.12, seed=1)
    ens = PaperEnsemble([member(1, in_channels=3), member(2, in_channels=3)])
    ens.calibrate(rho[:2000], rhoa[:2000], phase[:2000], level[:2000])
    groups = len(NOISE_EDGE_FRACTIONS) + 1
    # untrained members record no training noise: the edges follow the calibration's range
    np.testing.assert_allclose(ens.noise_edges, level[:2000].max() * np.array(NOISE_EDGE_FRACTIONS))
    assert ens.std_scale.shape == (groups, 40)
    # on the calibration data ±1 σ covers 68.3 % per layer within each noise group
    pred, std = ens.predict(rhoa[:2000], phase[:2000], rel_noise=level[:2000], return_std=True)
    inside = (rho[:2000] >= pred * 10.0**-std) & (rho[:2000] <= pred * 10.0**std)
    group = np.searchsorted(ens.noise_edges, level[:2000, 0])
    assert np.all(np.bincount(group) >= 100)
    for g in range(groups):
        np.testing.assert_allclose(
            inside[group == g].mean(axis=0), ONE_SIGMA, atol=1.5 / np.sum(group == g)
        )
    # on held-out soundings of the same kind: within sampling error (n = 1000)
    pred, std = ens.predict(rhoa[2000:], phase[2000:], rel_noise=level[2000:], return_std=True)
    for p in (0.5, 0.68, 0.95):
        measured = coverage(rho[2000:], *ens.interval(pred, std, p), axis=None)
        assert measured == pytest.approx(p, abs=0.03), p
    assert ens.half_width.shape == (CALIBRATION_LEVELS.size, 40)
    assert np.all(np.diff(ens.half_width, axis=0) >= 0)  # wider intervals for higher levels


def test_calibration_groups_that_are_too_small_take_the_pooled_factor(soundings):
    rho, rhoa, phase = soundings
    ens = PaperEnsemble([member(1, in_channels=3)])
    level = np.full((500, 1), 0.05)  # all soundings in one noise group
    ens.calibrate(rho[:500], rhoa[:500], phase[:500], level)
    used = np.searchsorted(ens.noise_edges, 0.05)
    for g in range(ens.noise_edges.size + 1):
        np.testing.assert_array_equal(ens.std_scale[g], ens.std_scale[used])
    assert noise_group_edges(0.0).size == 0  # noise-free training: one group
    np.testing.assert_allclose(noise_group_edges(0.12), [0.01, 0.03, 0.06, 0.09])
    # members not told the noise: one group
    plain = PaperEnsemble([member(1)]).calibrate(rho[:500], rhoa[:500], phase[:500])
    assert plain.noise_edges.size == 0 and plain.std_scale.shape == (1, 40)
    with pytest.raises(ValueError, match="noise_edges"):
        PaperEnsemble([member(1)], noise_edges=[0.05])


def test_bundle_round_trip_and_clear_errors(soundings, tmp_path):
    _, rhoa, phase = soundings
    ens = PaperEnsemble(
        [member(1), member(2)], std_scale=np.linspace(1, 2, 40), training={"note": "test"}
    )
    path = ens.save(tmp_path / "ens.pt")
    back = PaperEnsemble.load(path)
    for a, b in zip(
        ens.predict(rhoa[:4], phase[:4], return_std=True),
        back.predict(rhoa[:4], phase[:4], return_std=True),
    ):
        np.testing.assert_array_equal(a, b)
    assert back.training == {"note": "test"} and len(back) == 2
    member(3).save(tmp_path / "single.pt")
    with pytest.raises(ValueError, match="not an mtlib ensemble"):
        PaperEnsemble.load(tmp_path / "single.pt")
    with pytest.raises(ValueError, match="no network bundle"):
        PaperEnsemble.load(tmp_path / "missing.pt")


def test_members_must_have_variance_heads_and_agree():
    with pytest.raises(ValueError, match="no variance head"):
        PaperEnsemble([member(1), member(2, out_channels=1)])
    other = member(3)
    other.freq_hz = other.freq_hz[::-1].copy()
    with pytest.raises(ValueError, match="other frequencies"):
        PaperEnsemble([member(1), other])
    with pytest.raises(ValueError, match="at least one member"):
        PaperEnsemble([])
    with pytest.raises(ValueError, match="std_scale"):
        PaperEnsemble([member(1)], std_scale=-1.0)


def test_plain_network_refuses_return_std(soundings):
    _, rhoa, phase = soundings
    with pytest.raises(ValueError, match="no variance head"):
        member(1, out_channels=1).predict(rhoa[:2], phase[:2], return_std=True)


def test_noisy_copies_draw_one_level_per_sounding(soundings):
    _, rhoa, phase = soundings
    noisy, _, level = noisy_copies(rhoa[:500], phase[:500], 0.1, seed=0)
    assert level.shape == (500, 1) and 0 <= level.min() and level.max() <= 0.1
    spread = np.std(np.log(noisy / rhoa[:500]), axis=1)
    assert 0.0 < spread.min() < 0.03 and 0.07 < spread.max() < 0.13
    # the stated level is the one applied: the spread follows it
    assert np.corrcoef(spread, level[:, 0])[0, 1] > 0.95
    again, _, _ = noisy_copies(rhoa[:500], phase[:500], 0.1, seed=0)
    np.testing.assert_array_equal(noisy, again)


def test_a_network_told_the_noise_requires_it_and_uses_it(soundings):
    _, rhoa, phase = soundings
    told = PaperEnsemble([member(1, in_channels=3), member(2, in_channels=3)])
    assert told.takes_noise
    with pytest.raises(ValueError, match="rel_noise is required"):
        told.predict(rhoa[:3], phase[:3])
    with pytest.raises(ValueError, match=r"rel_noise must be finite and in \[0, 1\)"):
        told.predict(rhoa[:3], phase[:3], rel_noise=-0.1)
    with pytest.raises(ValueError, match="broadcast"):
        told.predict(rhoa[:3], phase[:3], rel_noise=np.zeros(5))
    a = told.predict(rhoa[:3], phase[:3], rel_noise=0.0, return_std=True)
    b = told.predict(rhoa[:3], phase[:3], rel_noise=[[0.0], [0.1], [0.0]], return_std=True)
    np.testing.assert_array_equal(a[0][[0, 2]], b[0][[0, 2]])
    assert not np.allclose(a[0][1], b[0][1]) and not np.allclose(a[1][1], b[1][1])
    with pytest.raises(ValueError, match="not told the noise"):
        member(3).predict(rhoa[:3], phase[:3], rel_noise=0.02)
    with pytest.raises(ValueError, match="inputs than member 0"):
        PaperEnsemble([member(1), member(2, in_channels=3)])


def test_train_ensemble_trains_calibrates_saves_and_resumes(tmp_path):
    spec = dataset.DatasetSpec(n_samples=600, chunk_size=300, seed=3)
    ds = dataset.build_dataset(tmp_path / "data", spec, progress=False)
    configs = [
        TrainConfig(
            max_epochs=2,
            batch_size=128,
            noise_max=0.1,
            seed=s,
            base_channels=4,
            depth=2,
            uncertainty=True,
            noise_input=True,
        )
        for s in (1, 2)
    ]
    ens = train_ensemble(ds, configs, tmp_path / "run", calibration_noise_max=0.1, progress=False)
    assert len(ens) == 2 and (tmp_path / "run" / "ensemble.pt").exists()
    assert [m["config"]["seed"] for m in ens.training["members"]] == [1, 2]
    assert ens.training["calibration"]["n"] == 60
    # the members differ (different seeds) and the saved ensemble is what was returned
    val = ds.load("val")
    assert ens.takes_noise
    outs = [
        m.predict(val["rhoa_ohmm"][:3], val["phase_deg"][:3], rel_noise=0.05) for m in ens.members
    ]
    assert not np.allclose(outs[0], outs[1])
    again = train_ensemble(ds, configs, tmp_path / "run", calibration_noise_max=0.1, progress=False)
    np.testing.assert_array_equal(again.std_scale, ens.std_scale)
    assert again.training["train_time_s"] == ens.training["train_time_s"]  # nothing retrained


def test_a_widened_member_starts_as_the_paper_network_and_resumes(tmp_path):
    from mtlib.harness.train import train, widened

    spec = dataset.DatasetSpec(n_samples=600, chunk_size=300, seed=3)
    ds = dataset.build_dataset(tmp_path / "ds", spec, progress=False)
    tiny = dict(batch_size=128, base_channels=4, depth=2, lr_schedule="cosine")
    base = train(ds, TrainConfig(max_epochs=2, **tiny), tmp_path / "base", progress=False)
    cfg = TrainConfig(
        max_epochs=2, uncertainty=True, noise_input=True, noise_max=0.1, seed=4, **tiny
    )
    net = widened(base.inverter.net, cfg, 3, 0.05, torch.device("cpu")).eval()
    x = torch.randn(5, 3, 40)
    with torch.no_grad():
        mean, log_var = net(x)[:, 0], net(x)[:, 1]
        torch.testing.assert_close(mean, base.inverter.net(x[:, :2]))  # noise reads nothing
        x[:, 2] += 1.0
        torch.testing.assert_close(net(x)[:, 0], mean)
    assert abs(float(log_var.mean()) - 2 * np.log(0.05)) < 1.0  # starts near its error
    ens = train_ensemble(ds, [cfg], tmp_path / "ens", 0.1, progress=False, init=base.inverter)
    assert ens.training["warm_start"] and ens.takes_noise and ens.has_uncertainty
    # the start is part of a run's identity: another start is refused, not resumed
    other = train(ds, TrainConfig(max_epochs=2, seed=9, **tiny), tmp_path / "b2", progress=False)
    with pytest.raises(ValueError, match="another training run"):
        train(ds, cfg, tmp_path / "ens" / "member_0", progress=False, init=other.inverter)


def test_the_cpu_profiles_warm_start_their_members():
    from mtlib.harness import config

    quick = config.get_profile("quick")
    assert quick.ensemble_warm_start and not config.get_profile("paper").ensemble_warm_start
    assert {(c.max_epochs, c.lr) for c in quick.ensemble_configs()} == {(4, 0.003)}
    assert config.get_profile("paper").ensemble_configs()[0].max_epochs == 150
