"""The explorer, driven headlessly: sliders change the model, prediction and plotted data."""

import numpy as np
import pytest

from mtlib import forward
from mtlib.constants import PLOT_BOTTOM_M
from mtlib.widgets import PRESETS, RHO_STEPS_OHMM, Explorer, control_model, nearest_step


@pytest.fixture(scope="module")
def networks():
    import mtlib

    field = mtlib.load_pretrained(mtlib.DEFAULT_FIELD_NETWORK)
    return mtlib.load_pretrained(mtlib.DEFAULT_ENSEMBLE), {"field network": field}


@pytest.fixture
def explorer(networks):
    """A fresh explorer for every test (the networks, which it never changes, are shared)."""
    net, others = networks
    return Explorer(net=net, others=others, preset="graded", noise=0.0, seed=1)


def test_starts_from_the_preset(explorer):
    idx, rho = PRESETS["graded"]
    model, note = explorer.model()
    np.testing.assert_allclose(model[idx], rho)
    assert note == "" and explorer.preset_box.value == "graded"
    assert np.isfinite(explorer.last_update_ms) and explorer.frame.startswith(b"\xff\xd8")  # JPEG


def test_moving_a_resistivity_slider_updates_model_prediction_and_lines(explorer):
    before = {
        name: np.array(line.get_xdata() if name in ("true", "pred") else line.get_ydata())
        for name, line in explorer.lines.items()
        if name in ("true", "pred", "true_resp_rhoa", "pred_resp_rhoa")
    }
    old_pred = explorer.state["rho_pred"].copy()
    explorer.rho_sliders[2].value = 5.0
    assert explorer.preset_box.value == "custom"
    model, _ = explorer.model()
    assert model[PRESETS["graded"][0][2]] == pytest.approx(5.0)
    assert not np.allclose(explorer.state["rho_pred"], old_pred)
    np.testing.assert_allclose(
        np.repeat(explorer.state["rho_true"], 2), explorer.lines["true"].get_xdata()
    )
    np.testing.assert_allclose(
        np.repeat(explorer.state["rho_pred"], 2), explorer.lines["pred"].get_xdata()
    )
    rhoa, _ = forward.mt1d(model, explorer.thick_m, explorer.freq_hz)
    np.testing.assert_allclose(explorer.lines["true_resp_rhoa"].get_ydata(), rhoa)
    for name, old in before.items():
        new = (
            explorer.lines[name].get_xdata()
            if name in ("true", "pred")
            else explorer.lines[name].get_ydata()
        )
        assert not np.allclose(new, old), name


def test_the_prediction_follows_the_true_model(explorer):
    explorer.preset_box.value = "graded"
    assert explorer.state["model_rmse"] < 0.15


def test_noise_changes_the_data_and_the_prediction(explorer):
    explorer.noise_slider.value = 0.0
    clean = explorer.state["rhoa_obs"].copy()
    explorer.noise_slider.value = 0.08
    assert not np.allclose(explorer.state["rhoa_obs"], clean)
    np.testing.assert_allclose(explorer.lines["data_rhoa"].get_ydata(), explorer.state["rhoa_obs"])
    explorer.noise_slider.value = 0.0


def test_depth_sliders_cannot_cross(explorer):
    explorer.preset_box.value = "graded"
    below = explorer.depth_sliders[2].value
    explorer.depth_sliders[1].value = below + 3  # dragged past the layer below it
    assert explorer.depth_sliders[1].value == below - 1
    explorer.depth_sliders[3].value = 0  # dragged above the layer above it
    assert explorer.depth_sliders[3].value == below + 1
    idx = [s.value for s in explorer.depth_sliders]
    assert idx == sorted(set(idx)) and explorer.state["note"] == ""
    np.testing.assert_allclose(explorer.model()[0][idx], [s.value for s in explorer.rho_sliders])


def test_control_layers_at_the_same_depth_are_merged_without_error():
    model, note = control_model([0, 10, 10, 30, 39], [5.0, 15.0, 45.0, 120.0, 220.0], 40)
    assert "same depth" in note and model[10] == 15.0  # the first one's resistivity is kept
    assert np.all(np.isfinite(model)) and np.all(model > 0)


def test_resistivity_sliders_step_through_round_values():
    assert RHO_STEPS_OHMM[0] == 2.0 and RHO_STEPS_OHMM[-1] == 220.0
    ratios = RHO_STEPS_OHMM[1:] / RHO_STEPS_OHMM[:-1]
    assert np.all(ratios > 1.005) and np.all(ratios < 1.051)  # 1–5 % apart
    for _, rho in PRESETS.values():  # every preset value is a slider value
        assert set(rho) <= set(RHO_STEPS_OHMM)
    assert nearest_step(61.0) == 61.0 and nearest_step(60.4) == 60.0
    assert nearest_step(1.0) == 2.0 and nearest_step(1e4) == 220.0


def test_sliders_carry_distinct_labels(explorer):
    labels = [s.description for s in explorer.depth_sliders + explorer.rho_sliders]
    assert len(set(labels)) == len(labels) and labels[5] == "layer 1 ρ"


def test_controls_in_any_order_give_the_sorted_model():
    a, _ = control_model([30, 5, 20], [10.0, 100.0, 50.0], 40)
    b, _ = control_model([5, 20, 30], [100.0, 50.0, 10.0], 40)
    np.testing.assert_array_equal(a, b)


def test_random_model_and_presets(explorer):
    explorer.randomize(seed=42)
    assert explorer.seed_box.value == 42 and explorer.preset_box.value == "custom"
    first = explorer.state["rho_true"].copy()
    explorer.randomize()
    assert explorer.seed_box.value == 43 and not np.allclose(explorer.state["rho_true"], first)
    for name in PRESETS:
        explorer.preset_box.value = name
        np.testing.assert_allclose(explorer.model()[0][PRESETS[name][0]], PRESETS[name][1])


def test_a_failing_computation_is_reported_not_raised(explorer, monkeypatch):
    def broken():
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(explorer, "compute", broken)
    explorer.rho_sliders[0].value = 10.0  # must not raise inside the callback
    assert "solver exploded" in explorer.status.value


def test_pygimli_comparison_on_demand(explorer):
    pytest.importorskip("pygimli")
    explorer.preset_box.value = "conductor at depth"
    assert not explorer.lines["pygimli"].get_visible()
    legend = [t.get_text() for t in explorer.ax_model.get_legend().get_texts()]
    assert "pyGIMLi smooth" not in legend  # not listed before it has run
    explorer.compare_with_pygimli()
    assert explorer.lines["pygimli"].get_visible() and "pyGIMLi" in explorer.status.value
    legend = [t.get_text() for t in explorer.ax_model.get_legend().get_texts()]
    assert "pyGIMLi smooth" in legend
    explorer.rho_sliders[0].value = 50.0  # new data: the old pyGIMLi model is hidden
    assert not explorer.lines["pygimli"].get_visible()
    legend = [t.get_text() for t in explorer.ax_phase.get_legend().get_texts()]
    assert legend == ["data", "true", "U-Net model"]


def test_the_layout_holds_every_control_once_and_the_view(explorer):
    import ipywidgets as w

    def descendants(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from descendants(child)

    shown = [id(x) for x in descendants(explorer.widget)]
    controls = explorer.depth_sliders + explorer.rho_sliders
    controls += [explorer.noise_slider, explorer.seed_box, explorer.random_button]
    controls += [explorer.preset_box, explorer.network_box, explorer.band_box]
    controls += [explorer.pygimli_button]
    controls += [explorer.image, explorer.status]
    assert all(shown.count(id(c)) == 1 for c in controls)
    assert isinstance(explorer.image, w.Image) and explorer.image.value == explorer.frame
    seed, model = explorer.seed_box.value, explorer.state["rho_true"].copy()
    explorer.random_button.click()  # the button in the layout is wired to the explorer
    assert explorer.seed_box.value == seed + 1
    assert not np.allclose(explorer.state["rho_true"], model)


def test_the_default_network_shows_its_95_percent_band_and_depth_cue(explorer):
    from mtlib.plotting import band_xy

    explorer.preset_box.value = "conductor at depth"
    s = explorer.state
    assert explorer.uncertain and explorer.band.get_visible()
    assert np.all(s["low"] < s["rho_pred"]) and np.all(s["rho_pred"] < s["high"])
    np.testing.assert_allclose(
        explorer.band.get_xy()[:-1],  # the patch closes its outline
        band_xy(s["low"], s["high"], explorer.thick_m, PLOT_BOTTOM_M),
    )
    inside = (s["rho_true"] >= s["low"]) & (s["rho_true"] <= s["high"])
    assert s["inside_95"] == int(np.sum(inside)) and "95 % interval" in explorer.status.value
    assert s["inside_95"] >= 0.6 * explorer.n_layers  # one sounding: not 95 %, but most
    if np.isfinite(s["doi_m"]):
        assert explorer.lines["doi"].get_visible()
        assert explorer.lines["doi"].get_ydata()[0] == s["doi_m"]


def test_a_plain_network_hides_the_band():
    import mtlib

    plain = Explorer(net=mtlib.load_pretrained(), preset="graded")
    assert not plain.uncertain and not plain.band.get_visible()
    assert "low" not in plain.state and "95 %" not in plain.status.value


def test_switching_to_the_field_network(explorer):
    """The field network reads the same data and answers on the explorer's grid, with its
    own calibrated band; switching back restores the paper network's prediction."""
    explorer.preset_box.value = "graded"
    paper = explorer.state["rho_pred"].copy()
    explorer.network_box.value = "field network"
    field = explorer.state["rho_pred"]
    assert field.shape == paper.shape and not np.allclose(field, paper)
    assert np.all(explorer.state["low"] <= field) and np.all(field <= explorer.state["high"])
    # a general-purpose network, still a sensible guess of this 5–220 Ω·m gradient
    assert explorer.state["model_rmse"] < 0.5
    np.testing.assert_allclose(np.repeat(field, 2), explorer.lines["pred"].get_xdata())
    explorer.network_box.value = "paper network"
    np.testing.assert_allclose(explorer.state["rho_pred"], paper)


def test_the_live_canvas_gets_no_picture_before_a_browser_shows_it():
    """ipympl keeps a picture sent before the browser connects as a bare base64 string (a
    broken image in the browser): the explorer only renders until then."""
    pytest.importorskip("ipympl")
    import matplotlib

    before = matplotlib.get_backend()
    matplotlib.use("module://ipympl.backend_nbagg")
    try:
        live = Explorer(preset="graded")
        assert live._ipympl and live.fig.canvas._data_url is None
        old = live.state["rho_pred"].copy()
        live.rho_sliders[1].value = 3.0
        assert not np.allclose(live.state["rho_pred"], old)
        assert live.fig.canvas._data_url is None
        rgba = np.asarray(live.fig.canvas.buffer_rgba())
        assert (rgba[..., :3] < 250).any(axis=-1).mean() > 0.05  # rendered all the same
    finally:
        matplotlib.use(before)


def test_the_band_can_be_the_posterior_networks_and_says_so(explorer):
    """The band dropdown shows the posterior network's 95 % band instead of the network's
    own; the status line says which band it shows and how wide the network's own is
    against the posterior's; the prediction stays the network's."""
    from mtlib.networks.pretrained import DEFAULT_POSTERIOR_NETWORK, load_pretrained

    explorer.preset_box.value = "graded"
    own = {k: explorer.state[k].copy() for k in ("rho_pred", "low", "high")}
    assert "band: the paper network's own" in explorer.status.value
    ratio = explorer.state["width_ratio"]
    assert f"{ratio:.2f}× the posterior network's width" in explorer.status.value
    explorer.band_box.value = "posterior"
    s = explorer.state
    np.testing.assert_allclose(s["rho_pred"], own["rho_pred"])
    assert not np.allclose(s["low"], own["low"]) and np.all(s["low"] < s["high"])
    assert "band: the posterior network's" in explorer.status.value
    assert explorer.band.get_label() == "posterior 95 %"
    sounding = explorer._sounding(s["rhoa_obs"], s["phase_obs"], explorer.noise_slider.value)
    guess = load_pretrained(DEFAULT_POSTERIOR_NETWORK).guess_arrays([sounding])
    np.testing.assert_allclose(s["low"], guess.onto(explorer.thick_m[None])["low"][0])
    widths = np.log10(own["high"] / own["low"]) / np.log10(s["high"] / s["low"])
    assert s["width_ratio"] == pytest.approx(np.median(widths))
    explorer.band_box.value = "network"
    np.testing.assert_allclose(explorer.state["low"], own["low"])


def test_a_plain_network_can_show_the_posterior_band():
    import mtlib

    plain = Explorer(net=mtlib.load_pretrained(), preset="graded")
    plain.band_box.value = "posterior"
    assert plain.uncertain and plain.band.get_visible()
    assert "band: the posterior network's" in plain.status.value
    assert "as wide" not in plain.status.value  # the plain network has no band of its own
