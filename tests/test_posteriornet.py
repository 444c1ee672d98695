"""The posterior network: training earths of the sampler's prior, the frame it reads, the
quantiles it gives, and the shipped network's calibration on fresh soundings."""

import math
import warnings
from dataclasses import replace

import numpy as np
import pytest
import torch
from scipy.special import ndtri

import mtlib
from mtlib.forward import mt1d, skin_depth_m
from mtlib.networks import fieldnet
from mtlib.networks import posteriornet as pn
from mtlib.networks.unet import UNet1d
from mtlib.posterior import Prior

RNG = np.random.default_rng


@pytest.fixture(scope="module")
def shipped():
    return mtlib.load_pretrained(pn_name())


def pn_name():
    from mtlib.networks.pretrained import DEFAULT_POSTERIOR_NETWORK

    return DEFAULT_POSTERIOR_NETWORK


def tiny_network(seed: int = 0) -> pn.PosteriorNetwork:
    torch.manual_seed(seed)
    net = UNet1d(
        fieldnet.FREQ_AXIS.size, fieldnet.FRAME_N_LAYERS, pn.IN_CHANNELS, 4, 2, 3, pn.QUANTILES.size
    )
    return pn.PosteriorNetwork(net)


def test_the_default_family_is_prior_default_of_a_half_space_over_the_band():
    priors = pn.draw_priors(50, pn.DEFAULT_FAMILY, RNG(1))
    top_unit = math.log10(0.2 * skin_depth_m(1.0, 1.0))
    for row in priors:
        end = int(row[pn.BAND_END])
        level = 2 * (row[pn.X_LO] - top_unit)  # the nominal level ℓ the row was drawn at
        expected = Prior.default(fieldnet.FREQ_AXIS[: end + 1], np.full(end + 1, 10.0**level))
        np.testing.assert_allclose(row[:4], expected.vector()[:4], atol=1e-12)
        prior = pn.as_prior(row)
        assert (prior.n_layers, prior.static_shift_std_log10) == ((1, 20), None)
    assert 15 <= priors[:, pn.BAND_END].min() and priors[:, pn.BAND_END].max() <= 90


def test_earths_follow_their_prior():
    """Under the sampler's prior log10 ρ at any depth is uniform on its range, the number of
    layers uniform on 1..n_max, the interfaces inside their range."""
    priors = pn.draw_priors(20_000, pn.TRAINING_FAMILY, RNG(2))
    interfaces, values = pn.draw_models(priors, RNG(3))
    n_layers = 1 + np.isfinite(interfaces).sum(1)
    assert np.all(n_layers <= priors[:, pn.N_MAX])
    default = priors[:, pn.N_MAX] == 20
    counts = np.bincount(n_layers[default], minlength=21)[1:]
    assert counts.min() > 0.8 * default.sum() / 20 and counts.max() < 1.2 * default.sum() / 20
    inside = np.isfinite(interfaces)
    assert np.all(interfaces[inside] >= np.repeat(priors[:, pn.X_LO], inside.sum(1)))
    assert np.all(interfaces[inside] <= np.repeat(priors[:, pn.X_HI], inside.sum(1)))
    mid = 0.5 * (priors[:, pn.X_LO] + priors[:, pn.X_HI])
    rows = slice(0, 4000)
    at_mid = np.array(
        [
            pn.models_at(i[None], v[None], np.array([m]))[0, 0]
            for i, v, m in zip(interfaces[rows], values[rows], mid[rows])
        ]
    )
    u = (at_mid - priors[:4000, pn.V_LO]) / (priors[:4000, pn.V_HI] - priors[:4000, pn.V_LO])
    assert np.all((u >= 0) & (u <= 1))
    hist = np.histogram(u, bins=4, range=(0, 1))[0] / u.size
    assert np.all(np.abs(hist - 0.25) < 0.03), hist


def test_padding_layers_change_no_response():
    priors = pn.draw_priors(20, pn.TRAINING_FAMILY, RNG(4))
    interfaces, values = pn.draw_models(priors, RNG(5))
    log_rhoa, phase = pn.responses(interfaces, values, priors[:, pn.X_HI])
    for k in range(20):
        n = 1 + int(np.isfinite(interfaces[k]).sum())
        thick = np.diff(np.concatenate([[0.0], 10.0 ** interfaces[k, : n - 1]]))
        rhoa, ph = mt1d(10.0 ** values[k, :n], thick, fieldnet.FREQ_AXIS)
        np.testing.assert_allclose(log_rhoa[k], np.log10(rhoa), atol=1e-9)
        np.testing.assert_allclose(phase[k], ph, atol=1e-7)


def test_drawn_soundings_carry_their_prior_band_and_shift():
    data = pn.PosteriorData.generate(3000, seed=6)
    d = data.draw(torch.arange(3000), torch.Generator().manual_seed(7))
    assert d["x"].shape == (3000, pn.IN_CHANNELS, fieldnet.FREQ_AXIS.size)
    assert d["y"].shape == (3000, fieldnet.FRAME_N_LAYERS)
    priors = d["priors"].double().numpy()
    mask = d["mask"].numpy()
    last = mask.shape[1] - 1 - np.argmax(mask[:, ::-1], axis=1)
    nominal = priors[:, pn.BAND_END] >= 0
    assert 0.6 < nominal.mean() < 0.8
    np.testing.assert_array_equal(last[nominal], priors[nominal, pn.BAND_END])
    # the prior, told in the frame, reads back
    summary = pn.sounding_summary({k: d[k].numpy() for k in ("x", "mask")})
    lg = d["lg"].double().numpy()
    np.testing.assert_allclose(summary["log10 rho low - lg"] + lg, priors[:, pn.V_LO], atol=1e-4)
    ref = 0.5 * lg + math.log10(fieldnet.DELTA_UNIT_M)
    np.testing.assert_allclose(
        summary["log10 bottom interface / delta_ref"] + ref, priors[:, pn.X_HI], atol=1e-4
    )
    shift, sigma = d["shift"].double().numpy(), priors[:, pn.SHIFT_STD]
    assert np.all(shift[sigma == 0] == 0)
    z = shift[sigma > 0] / sigma[sigma > 0]
    assert abs(z.std() - 1) < 0.1 and abs(z.mean()) < 0.1


def test_quantiles_never_cross_and_torch_agrees_with_numpy():
    raw = RNG(8).normal(0, 3, (50, pn.QUANTILES.size, 62))
    q = pn.quantiles_from_raw(raw)
    assert np.all(np.diff(q, axis=1) > 0)
    np.testing.assert_allclose(pn.quantiles_from_raw(torch.as_tensor(raw)).numpy(), q)
    np.testing.assert_array_equal(q[:, pn.MEDIAN], raw[:, pn.MEDIAN])


def test_the_pinball_loss_learns_the_quantiles():
    """Minimizing the pinball loss over a constant output gives the sample's quantiles."""
    y = torch.as_tensor(RNG(9).normal(0.3, 0.5, (4000, 1)), dtype=torch.float32)
    raw = torch.zeros(1, pn.QUANTILES.size, 1, requires_grad=True)
    opt = torch.optim.Adam([raw], lr=0.05)
    for _ in range(600):
        opt.zero_grad()
        pn.pinball_loss(raw.expand(4000, -1, -1), y)[0].backward()
        opt.step()
    learned = pn.quantiles_from_raw(raw.detach())[0, :, 0].numpy()
    np.testing.assert_allclose(learned, np.quantile(y.numpy(), pn.QUANTILES), atol=0.02)


def test_quantile_at_is_exact_for_a_gaussian_and_refuses_extrapolation():
    z = ndtri(pn.QUANTILES)
    stored = (1.0 + 0.4 * z)[:, None]  # N(1, 0.4²)
    for prob in (0.1, 0.3, 0.5, 0.9, 0.975):
        assert pn.quantile_at(stored, prob)[0] == pytest.approx(1 + 0.4 * ndtri(prob))
    with pytest.raises(ValueError, match="outside"):
        pn.quantile_at(stored, 0.99)


def test_information_errors_weigh_data_by_their_spacing():
    """On the axis' 10 per decade the errors stay; at 5 per decade they grow by √2, and a
    datum beside a gap takes the spacing on its other side."""
    dense = np.logspace(0, -3, 31)[None]
    sparse = np.logspace(0, -3, 16)[None]
    for freq, factor in ((dense, 1.0), (sparse, math.sqrt(2))):
        p = pn.information_errors(freq, np.full(freq.shape, 0.05), np.ones(freq.shape, bool))
        np.testing.assert_allclose(p, 0.05 * factor)
    gap = np.concatenate([np.logspace(0, -1, 11), np.logspace(-2, -3, 11)])[None]
    mask = np.ones(gap.shape, bool)
    mask[0, 3] = False  # masked periods neither count nor change
    p = pn.information_errors(gap, 0.05, mask)
    np.testing.assert_allclose(p[0, [2, 4]], 0.05 * math.sqrt(1.5))
    np.testing.assert_allclose(p[0, [10, 11, 0, 21]], 0.05)


def test_the_network_answers_the_guess_interface_with_quantiles():
    net = tiny_network()
    freq = np.logspace(3, -2, 40)
    rhoa, phase = mt1d(np.array([100.0, 10.0, 300.0]), np.array([300.0, 2000.0]), freq)
    snd = (freq, rhoa, phase, np.full(40, 0.05), np.ones(40, bool))
    g = net.guess_arrays([snd, snd], level=0.9)
    assert g.quantiles_log10.shape == (2, pn.QUANTILES.size, fieldnet.FRAME_N_LAYERS)
    assert np.all(g.low_ohmm < g.rho_ohmm) and np.all(g.rho_ohmm < g.high_ohmm)
    np.testing.assert_allclose(np.log10(g.low_ohmm), g.quantiles_log10[:, 1])
    thick = np.diff(np.geomspace(10.0, 1e5, 30), prepend=0.0)[None].repeat(2, 0)
    onto = g.onto(thick)
    assert set(onto) == {"rho", "std", "low", "high"}
    q = g.onto_quantiles(thick)
    np.testing.assert_allclose(np.log10(onto["rho"]), q[:, pn.MEDIAN])
    # read at each layer's log-centre: a layer whose centre is one of the network's depths
    # takes that depth's quantiles
    centres = g.tops_scale[0] * 10.0 ** fieldnet.GRID_CENTRES[[20, 21, 22, 23]]
    one = np.diff(np.concatenate([[0.0], np.sqrt(centres[:-1] * centres[1:])]))[None]
    between = g.onto_quantiles(np.concatenate([one, one], 0))[0]
    np.testing.assert_allclose(between[:, 1:3], g.quantiles_log10[0][:, 21:23], atol=1e-9)
    # the default prior is the data's, as the sampler's
    assert g.quantiles_log10.shape[0] == 2
    told = net.guess_arrays([snd], priors=Prior.default(freq, rhoa)).quantiles_log10
    np.testing.assert_allclose(told[0], g.quantiles_log10[0], atol=1e-5)  # float32, batch of 1


def test_outside_training_names_what_the_network_never_saw(shipped):
    freq = np.logspace(3, -2, 51)
    rhoa, phase = mt1d(np.array([100.0, 10.0, 300.0]), np.array([300.0, 2000.0]), freq)
    ok = (freq, rhoa, phase, np.full(51, 0.05), np.ones(51, bool))
    wide = np.logspace(4, -8, 121)
    ra, ph = mt1d(np.array([100.0, 10.0]), np.array([500.0]), wide)
    notes = shipped.outside_training(
        [
            ok,
            (wide, ra, ph, np.full(121, 0.05), np.ones(121, bool)),
            (*ok[:3], np.full(51, 0.5), ok[4]),
        ]
    )
    assert notes[0] == ""
    assert "band decades" in notes[1] and "median |Z| error" in notes[2]
    narrow = Prior(n_layers=(2, 20), log10_rho=(-1.0, 5.0), log10_depth_m=(0.0, 4.0))
    assert "n_min" in shipped.outside_training([ok], narrow)[0]
    # priors whose ends each lie in range, but narrower than any in training
    default = Prior.default(freq, rhoa)
    lo, hi = default.log10_depth_m
    thin = [
        replace(default, log10_rho=(1.0, 2.6)),
        replace(default, log10_depth_m=(lo, lo + 0.1)),
        replace(default, static_shift_std_log10=0.02),
    ]
    notes = shipped.outside_training([ok] * 3, thin)
    assert "log10 rho width" in notes[0]
    assert "interface range decades" in notes[1]
    assert "static shift σ" in notes[2]
    # two periods per decade: farther apart than the axis interpolates across
    sparse = np.logspace(3, -2, 11)
    ra, ph = mt1d(np.array([100.0, 10.0, 300.0]), np.array([300.0, 2000.0]), sparse)
    assert (
        "share of the band used"
        in shipped.outside_training([(sparse, ra, ph, np.full(11, 0.05), np.ones(11, bool))])[0]
    )


def test_the_shipped_network_is_calibrated_on_fresh_soundings(shipped):
    """The truth's coverage of the 68 %, 90 % and 95 % intervals above the depth of
    investigation, on fresh soundings of the default prior (errors 2–10 %): within ±5
    points of nominal, overall and per depth group (the 95 % one not above 98 %, where
    intervals as wide as the prior would sit). Coverage alone would pass a network that
    returned the prior's own quantiles: its pinball loss must also be far below theirs."""
    metrics = pn.frame_metrics(shipped, n=1500, seed=4242)
    for level, c in metrics["coverage"].items():
        upper = min(float(level) + 0.05, 0.98)
        assert float(level) - 0.05 <= c["inside_doi"] <= upper, (level, c)
        for group, value in c["per_group"].items():
            assert float(level) - 0.05 <= value <= upper, (level, group, value)
    assert metrics["pinball_inside_doi"] < 0.5 * metrics["pinball_of_the_prior_inside_doi"]


def test_invert_carries_the_posterior_band_and_warns_by_name(shipped):
    from mtlib.data_errors import Response1D
    from mtlib.inversion import invert_many

    freq = np.logspace(3, -2, 51)
    rhoa, phase = mt1d(np.array([100.0, 10.0, 300.0]), np.array([300.0, 2000.0]), freq)
    ok = Response1D(freq, rhoa, phase, 0.05, None, "good")
    noisy = Response1D(freq, rhoa, phase, 0.45, None, "rough")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = invert_many([ok, noisy])
    messages = [str(w.message) for w in caught if "posterior network" in str(w.message)]
    assert len(messages) == 1 and messages[0].startswith("rough:")
    r = res[0]
    assert r.posterior_quantiles_log10.shape == (pn.QUANTILES.size, r.rho_ohmm.size)
    low, high = r.posterior_interval(0.9)
    assert np.all(low < high) and r.posterior_outside_training == ""
    guess = shipped.quantile_guesses([(freq, rhoa, phase, np.full(51, 0.05), np.ones(51, bool))])
    np.testing.assert_allclose(
        np.log10(low), guess.onto_quantiles(r.thick_m[None])[0, 1], atol=1e-6
    )
    # the data's level is resolved: the median near the top is near the top layer's 100 Ω·m
    assert abs(r.posterior_quantiles_log10[pn.MEDIAN, 0] - 2.0) < 0.3
    (plain,) = invert_many([ok], posterior_network=None)
    assert plain.posterior_quantiles_log10 is None
    with pytest.raises(ValueError, match="no posterior band"):
        plain.posterior_interval()


def test_train_posterior_resumes_and_records_its_inputs(tmp_path):
    from mtlib.harness.train import TrainConfig, train_posterior

    cfg = TrainConfig(max_epochs=2, batch_size=64, base_channels=4, depth=2)
    first = train_posterior(300, 100, cfg, tmp_path, progress=False, stop_after_epochs=1)
    assert not first.training["finished"] and first.training["epochs_run"] == 1
    net = train_posterior(300, 100, cfg, tmp_path, progress=False)
    assert net.training["finished"] and net.training["epochs_run"] == 2
    assert set(net.training["history"][0]) >= {"train_pinball", "val_pinball"}
    loaded = pn.PosteriorNetwork.load(tmp_path / "posterior.pt")
    ranges = loaded.training["input_ranges"]
    assert ranges["band decades"] == [1.5, 9.0]
    lo, hi = ranges["median |Z| error"]
    assert 0.005 < lo < 0.02 and 0.15 < hi < 0.3
    with pytest.raises(ValueError, match="another training run"):
        train_posterior(300, 100, TrainConfig(max_epochs=3, batch_size=64), tmp_path)


def test_the_command_line_writes_the_quantiles_per_sounding(tmp_path):
    from mtlib import field
    from mtlib.cli import main

    edi = next(p for p in field.real_soundings() if p.name == "WIT2.edi")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["invert", str(edi), "--out", str(tmp_path)]) == 0
    path = next(tmp_path.glob("*_model.csv"))
    header = path.read_text().splitlines()[0].split(",")
    columns = [f"posterior_q{100 * p:g}_ohmm" for p in pn.QUANTILES]
    assert header[-len(columns) :] == columns
    table = np.loadtxt(path, delimiter=",", skiprows=1)
    q = table[:, -len(columns) :]
    assert np.all(q > 0) and np.all(np.diff(q, axis=1) >= 0)  # ordered, in Ω·m
