"""The predictor interface: PaperNetwork and PaperEnsemble answer the same questions; inference
follows the weights; library calls leave the process as they found it."""

import logging
import subprocess
import sys

import numpy as np
import pytest
import torch

from mtlib import forward, generator
from mtlib.grid import default_frequencies, paper_thicknesses
from mtlib.networks.ensemble import PaperEnsemble
from mtlib.networks.normalize import Normalizer
from mtlib.networks.paper import PaperNetwork
from mtlib.networks.predictor import Network, Prediction, Predictor, told_noise
from mtlib.networks.unet import UNet1d

FREQ, THICK = default_frequencies(), paper_thicknesses()


def network(seed: int, out_channels: int = 1, in_channels: int = 2) -> PaperNetwork:
    torch.manual_seed(seed)
    net = UNet1d(base_channels=4, depth=2, out_channels=out_channels, in_channels=in_channels)
    return PaperNetwork(net, Normalizer(), FREQ, THICK)


@pytest.fixture(scope="module")
def data():
    rho = generator.random_models(6, seed=3)
    return forward.mt1d(rho, THICK, FREQ)


def test_a_single_network_has_no_calibrated_uncertainty(data):
    net = network(0, out_channels=2)
    assert isinstance(net, Predictor) and not net.has_uncertainty and net.has_variance_head
    pred = net.prediction(*data)
    assert isinstance(pred, Prediction) and pred.std_log10 is None and pred.low_ohmm is None
    np.testing.assert_array_equal(pred.rho_ohmm, net.predict(*data))
    rho, std = net.predict(*data, return_std=True)  # its own, uncalibrated σ
    assert std.shape == rho.shape and np.all(std > 0)
    with pytest.raises(ValueError, match="no calibrated uncertainty"):
        net.interval(rho, std)


def test_an_ensemble_answers_with_sigma_and_intervals(data):
    ens = PaperEnsemble([network(1, 2), network(2, 2)])
    assert isinstance(ens, Predictor) and ens.has_uncertainty
    pred = ens.prediction(*data, level=0.68)
    rho, std = ens.predict(*data, return_std=True)
    np.testing.assert_array_equal(pred.rho_ohmm, rho)
    np.testing.assert_array_equal(pred.std_log10, std)
    low, high = ens.interval(rho, std, 0.68)
    np.testing.assert_array_equal(pred.low_ohmm, low)
    np.testing.assert_array_equal(pred.high_ohmm, high)
    assert pred.level == 0.68 and np.all((low < rho) & (rho < high))
    assert ens.depth_m.shape == (ens.n_layers,) and ens.n_layers == 40


def test_noise_is_passed_only_to_networks_told_it(data):
    plain, told = network(3), network(4, in_channels=3)
    assert told_noise(plain, 0.02) == {} and told_noise(told, 0.02) == {"rel_noise": 0.02}
    with pytest.raises(ValueError, match="rel_noise is required"):
        told.prediction(*data)
    assert told.prediction(*data, **told_noise(told, 0.02)).rho_ohmm.shape == (6, 40)


def test_predictions_follow_weights_changed_after_first_use(data):
    net = network(5)
    before = net.predict(*data)
    with torch.no_grad():
        net.net.to_layers.bias += 0.1  # in place: the CPU inference copy must be rebuilt
    after = net.predict(*data)
    assert not np.allclose(before, after)
    with torch.inference_mode():
        x = torch.from_numpy(net.normalizer.inputs(*data).astype(np.float32))
        eager = net.normalizer.rho_from_targets(net.net(x).numpy())
    np.testing.assert_allclose(after, eager, rtol=1e-4)


def test_every_shipped_network_answers_the_one_guess_interface():
    """Every network in mtlib/weights guesses any band through the same interface; the
    paper's band networks are also Predictors. A sounding outside the paper's band (a
    10 kHz – 1 mHz half-space of 1 000 Ω·m) gets each network's answer on its own grid,
    read onto a common grid with the same keys."""
    import mtlib
    from mtlib.networks.pretrained import DEFAULT_POSTERIOR_NETWORK

    freq = np.logspace(4, -3, 36)
    sounding = (freq, np.full(36, 1000.0), np.full(36, 45.0), np.full(36, 0.05), np.ones(36, bool))
    thick = np.diff(np.geomspace(10.0, 1e5, 30), prepend=0.0)[None]
    names = sorted(p.stem for p in mtlib.WEIGHTS_DIR.glob("*.pt"))
    any_band = {mtlib.DEFAULT_FIELD_NETWORK, DEFAULT_POSTERIOR_NETWORK}
    assert {mtlib.DEFAULT_NETWORK, mtlib.DEFAULT_ENSEMBLE, *any_band} <= set(names)
    for name in names:
        net = mtlib.load_pretrained(name)
        assert isinstance(net, Network), name
        assert isinstance(net, Predictor) == (name not in any_band), name
        guesses = net.guess_arrays([sounding])
        assert guesses.rho_ohmm.shape == guesses.tops_m.shape, name
        onto = guesses.onto(thick)
        expected = {"rho", "std", "low", "high"} if net.has_uncertainty else {"rho"}
        assert set(onto) == expected, name
        # a half-space of 1 000 Ω·m: every guess within a decade of it where the data see
        seen = guesses.covered(thick)[0]
        assert np.all(np.abs(np.log10(onto["rho"][0][seen] / 1000.0)) < 1.0), name


def test_the_pygimli_baseline_leaves_logging_and_threads_as_they_were():
    pytest.importorskip("pygimli")
    code = (
        "import logging, torch; torch.set_num_threads(2)\n"
        "from mtlib import forward, generator, grid\n"
        "from mtlib.inversion import baseline\n"
        "baseline._pygimli()  # pyGIMLi's own import sets its logger's level: ours comes after\n"
        "logging.getLogger('pyGIMLi').setLevel(logging.DEBUG)\n"
        "f, t = grid.default_frequencies(), grid.paper_thicknesses()\n"
        "ra, ph = forward.mt1d(generator.random_models(1, seed=1)[0], t, f)\n"
        "baseline.pygimli_invert(f, ra, ph, t, max_iter=2)\n"
        "print(torch.get_num_threads(), logging.getLogger('pyGIMLi').level)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["2", str(logging.DEBUG)]
