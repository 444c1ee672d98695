"""Interactive explorer: move the layers of a model, watch the U-Net's prediction follow.

Controls follow the paper's scheme: five control layers (depth and resistivity), the rest
interpolated; a noise level; a seed with a "random model" button; preset teaching models; and
an on-demand comparison with pyGIMLi's smooth inversion. Views: the true model, the
network's prediction with a 95 % band and depth-of-investigation cue, pyGIMLi's model, the
noisy data and the responses of the models, and the misfits as numbers. The band is the
network's own calibrated interval (an uncertainty ensemble's, the default, or the field
network's) or the posterior network's (:mod:`mtlib.networks.posteriornet`: the sampler's
posterior under its default prior for these data); the "band" dropdown chooses, and the
status line says which is shown and how wide the network's own is against the posterior's
(below 1: the network is overconfident).

Every change re-runs the forward solver and the network on the CPU and updates the existing
matplotlib artists (``set_data``); with the ``ipympl`` backend (``%matplotlib widget``) the
canvas itself is the view, otherwise the same figure is re-rendered into an image widget.
Callbacks never raise: a problem is shown in the status line instead.

The resistivity sliders step through round values (1–5 % apart: 2.0, 2.1, …, 100, 105, …) and
the depth sliders through the layer tops: a browser sends back exactly the value it was
given, so a preset stays selected. Depth sliders cannot cross.

    from mtlib.widgets import Explorer
    Explorer()          # in a notebook cell
"""

from __future__ import annotations

import contextlib
import io
import time

import numpy as np

from . import plotting
from .constants import DOI_THRESHOLD_DECADES, PHASE_RANGE_DEG, PLOT_BOTTOM_M
from .data_errors import z_rel_err_from_rhoa
from .forward import mt1d
from .generator import (
    N_CONTROL,
    RHO_MAX_OHMM,
    RHO_MIN_OHMM,
    interpolate_controls,
    random_models,
)
from .grid import layer_centres_m, layer_tops_m, step_profile
from .metrics import log_rho_rmse, response_misfit
from .networks.predictor import Network, Predictor, resolved_depth_m
from .networks.pretrained import (
    DEFAULT_ENSEMBLE,
    DEFAULT_FIELD_NETWORK,
    DEFAULT_POSTERIOR_NETWORK,
    load_pretrained,
)
from .noise import add_noise

PRESETS = {
    # name: (control layer indices, control resistivities in Ω·m)
    "graded": ([0, 10, 20, 30, 39], [5.0, 15.0, 45.0, 120.0, 220.0]),
    "conductor at depth": ([0, 10, 16, 26, 39], [60.0, 2.0, 2.0, 220.0, 220.0]),
    "resistive basement": ([0, 8, 20, 30, 39], [20.0, 30.0, 40.0, 200.0, 220.0]),
    "thin conductive layer": ([0, 13, 14, 15, 39], [100.0, 100.0, 3.0, 100.0, 100.0]),
}

BANDS = (("network's own", "network"), ("posterior network", "posterior"))
"""The band dropdown's choices: (label, value)."""

MIN_TOLD_Z_REL_ERR = 0.005
"""Least relative |Z| error the explorer states for its data (noise-free data included):
the networks and pyGIMLi weigh data by their errors, and none of them knows errors of 0."""


def told_z_rel_err(rel_noise: float) -> float:
    """The |Z| error the explorer states for data of relative ρa noise ``rel_noise``."""
    return max(z_rel_err_from_rhoa(rel_noise), MIN_TOLD_Z_REL_ERR)


# the view: 900 × 340 px, which fits a notebook column beside JupyterLab's file browser
FIGSIZE_IN = (9.0, 3.4)
DPI = 100


def resistivity_steps(lo_ohmm: float = RHO_MIN_OHMM, hi_ohmm: float = RHO_MAX_OHMM) -> np.ndarray:
    """The values a resistivity slider takes, from ``lo_ohmm`` to ``hi_ohmm`` (Ω·m): round
    numbers 1–5 % apart — 1.00, 1.05, …, 1.95, then 2.0, 2.1, …, 9.9 in each decade."""
    mantissas = [m / 20 for m in range(20, 40)] + [m / 10 for m in range(20, 100)]
    decades = range(int(np.floor(np.log10(lo_ohmm))), int(np.ceil(np.log10(hi_ohmm))) + 1)
    values = [round(m * 10.0**e, 9) for e in decades for m in mantissas]
    return np.array([v for v in values if lo_ohmm <= v <= hi_ohmm])


RHO_STEPS_OHMM = resistivity_steps()


def nearest_step(rho_ohmm: float) -> float:
    """The slider value (one of :data:`RHO_STEPS_OHMM`) nearest to ``rho_ohmm`` in log ρ."""
    log_steps = np.log10(RHO_STEPS_OHMM)
    return float(RHO_STEPS_OHMM[np.argmin(np.abs(log_steps - np.log10(rho_ohmm)))])


def control_model(layer_idx, rho_ohmm, n_layers: int):
    """One model ``(n_layers,)`` from control layers that may repeat or come unsorted.

    Repeated layers are merged (the first one's resistivity is kept). Returns the model and
    a message describing what was merged ('' when nothing was)."""
    layer_idx = np.asarray(layer_idx, dtype=int)
    rho_ohmm = np.asarray(rho_ohmm, dtype=float)
    unique_idx, first = np.unique(layer_idx, return_index=True)
    note = ""
    if unique_idx.size < layer_idx.size:
        note = (
            f"{layer_idx.size - unique_idx.size} control layer(s) at the same depth as "
            "another were merged"
        )
    model = interpolate_controls(unique_idx[None], rho_ohmm[first][None], n_layers)[0]
    return model, note


@contextlib.contextmanager
def _one_torch_thread():
    """torch on one thread for the duration (then as before). One sounding is too small a
    batch for a second thread to help, and in a browser session the browser and the server
    share the cores: with both threads the network took 16–24 ms instead of 5–10 ms on two
    busy cores (same speed on idle ones)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class Explorer:
    """The widget explorer around a network: a
    :class:`~mtlib.networks.ensemble.PaperEnsemble` (default: the shipped one, with uncertainty) or
    an :class:`~mtlib.networks.paper.PaperNetwork`, whose grid
    and band it uses; ``others`` ({label: network}, default the shipped field network) can
    be chosen instead in the "network" dropdown and read the same data; ``posterior``: the
    posterior network whose band the "band" dropdown can show (default the shipped one,
    loaded when first needed)."""

    def __init__(
        self,
        net: Predictor | None = None,
        preset: str = "conductor at depth",
        noise: float = 0.02,
        seed: int = 0,
        others: dict | None = None,
        posterior: Network | None = None,
    ):
        import ipywidgets as w
        import matplotlib

        if net is None:
            net = load_pretrained(DEFAULT_ENSEMBLE)
        if others is None:
            others = {"field network": load_pretrained(DEFAULT_FIELD_NETWORK)}
        # the model grid and band are the paper network's; the others read the same data
        self.networks = {"paper network": net, **others}
        self.network_box = w.Dropdown(options=list(self.networks), description="network")
        self.band_box = w.Dropdown(options=BANDS, value="network", description="band")
        self._posterior = posterior
        self.net = net
        self.thick_m, self.freq_hz = net.thick_m, net.freq_hz
        self.n_layers = net.n_layers
        tops = layer_tops_m(self.thick_m)
        self._centers_m = layer_centres_m(self.thick_m)
        depth_options = [(f"{top:.0f} m", i) for i, top in enumerate(tops)]
        rho_options = [(f"{v:g} Ω·m", v) for v in RHO_STEPS_OHMM]
        label = {"description_width": "80px"}
        self.depth_sliders = [
            w.SelectionSlider(options=depth_options, description=f"layer {k + 1} top", style=label)
            for k in range(N_CONTROL)
        ]
        self.rho_sliders = [
            w.SelectionSlider(
                options=rho_options, value=100.0, description=f"layer {k + 1} ρ", style=label
            )
            for k in range(N_CONTROL)
        ]
        self.noise_slider = w.FloatSlider(
            value=noise, min=0.0, max=0.1, step=0.005, description="noise", readout_format=".1%"
        )
        self.seed_box = w.IntText(value=seed, description="seed", layout=w.Layout(width="160px"))
        self.random_button = w.Button(description="random model")
        self.preset_box = w.Dropdown(
            options=list(PRESETS) + ["custom"], value=preset, description="preset"
        )
        self.pygimli_button = w.Button(
            description="compare with pyGIMLi",
            tooltip="run pyGIMLi's smooth inversion on these data",
            layout=w.Layout(width="auto"),
        )
        self.status = w.HTML(layout=w.Layout(min_height="4.5em"))  # steady as lines come
        self.last_update_ms = float("nan")
        self._busy = False
        self._pygimli = None

        self._ipympl = "ipympl" in matplotlib.get_backend() or "widget" in matplotlib.get_backend()
        self._build_figure()
        self._set_controls(*PRESETS[preset])

        for slider in self.depth_sliders + self.rho_sliders + [self.noise_slider, self.seed_box]:
            slider.observe(self._on_change, names="value")
        self.preset_box.observe(self._on_preset, names="value")
        self.network_box.observe(self._on_network, names="value")
        self.band_box.observe(self._on_band, names="value")
        self.random_button.on_click(lambda _: self.randomize())
        self.pygimli_button.on_click(lambda _: self.compare_with_pygimli())
        self.update(raise_errors=True)

    # --- figure ---------------------------------------------------------------------------

    def _build_figure(self):
        if self._ipympl:
            import matplotlib.pyplot as plt

            with plt.ioff():
                self.fig = plt.figure(figsize=FIGSIZE_IN, dpi=DPI)
            # the figure fits a notebook column; the toolbar shows on hover only
            self.fig.canvas.header_visible = False
            self.fig.canvas.footer_visible = False
        else:
            import ipywidgets as w
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure

            self.fig = Figure(figsize=FIGSIZE_IN, dpi=DPI)
            FigureCanvasAgg(self.fig)
            # a fixed box, so that a new picture changes no layout; on a narrow page it
            # shrinks and keeps its aspect (never stretched or cut off)
            width_px, height_px = (round(DPI * size) for size in FIGSIZE_IN)
            self.image = w.Image(
                format="jpeg",
                layout=w.Layout(
                    width=f"{width_px}px",
                    height=f"{height_px}px",
                    max_width="100%",
                    object_fit="contain",
                ),
            )
        ax_m, ax_r, ax_p = self.fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1.3, 1.3]})
        self.ax_model, self.ax_phase = ax_m, ax_p
        plotting.model_axes(ax_m, PLOT_BOTTOM_M)
        plotting.sounding_axes(ax_r, ax_p, self.freq_hz)
        ax_r.set_ylim(1, 400)
        empty_m = np.full(self.n_layers, np.nan)
        empty_f = np.full(self.freq_hz.size, np.nan)
        self.lines = {
            "true": plotting.plot_model(
                ax_m, empty_m, self.thick_m, PLOT_BOTTOM_M, color="k", label="true model"
            ),
            "pred": plotting.plot_model(
                ax_m, empty_m, self.thick_m, PLOT_BOTTOM_M, color="C3", label="U-Net"
            ),
            "pygimli": plotting.plot_model(
                ax_m, empty_m, self.thick_m, PLOT_BOTTOM_M, color="C0", label="pyGIMLi smooth"
            ),
        }
        (self.lines["ctrl"],) = ax_m.plot([], [], "o", color="k", ms=4)
        self.lines["doi"] = ax_m.axhline(
            np.nan, color="0.3", ls=":", lw=1, label=f"σ > {DOI_THRESHOLD_DECADES:g} dec. below"
        )
        # the band is drawn (blitted) with the lines; without uncertainty it stays hidden
        self.band = plotting.plot_band(
            ax_m,
            empty_m,
            empty_m,
            self.thick_m,
            PLOT_BOTTOM_M,
            color="C3",
            label="U-Net 95 %",
            visible=self.uncertain,
        )
        data_style = dict(ls="none", marker="o", ms=3, color="0.5", label="data")
        for name, style in (
            ("data", data_style),
            ("true_resp", dict(color="k", lw=1, label="true")),
            ("pred_resp", dict(color="C3", label="U-Net model")),
            ("pygimli_resp", dict(color="C0", label="pyGIMLi model")),
        ):
            self.lines[name + "_rhoa"], self.lines[name + "_phase"] = plotting.plot_sounding(
                ax_r, ax_p, self.freq_hz, empty_f, empty_f, **style
            )
        for name, line in self.lines.items():
            line.set_animated(True)  # drawn by blitting only, over a cached background
            line.set_visible(not name.startswith("pygimli") and name != "doi")  # shown once known
        self.band.set_animated(True)
        self._legend_key = None
        self._legends()
        self.fig.tight_layout()
        self.fig.canvas.mpl_connect("draw_event", self._on_draw)
        self._full_draw()

    def _legends(self) -> bool:
        """Legends listing what this view can show now: the band and the depth cue for a
        calibrated network, pyGIMLi's lines once it has run. True when they changed (the
        legends are part of the static background: the caller must draw in full)."""
        key = (self.uncertain, self._pygimli is not None, self.band_box.value)
        if key == self._legend_key:
            return False
        self._legend_key = key
        self.band.set_label("posterior 95 %" if key[2] == "posterior" else "U-Net 95 %")
        model = ["true", "pred"] + ["pygimli"] * key[1] + ["doi"] * key[0]
        sounding = ["data", "true_resp", "pred_resp"] + ["pygimli_resp"] * key[1]
        for ax, handles, loc in (
            (self.ax_model, [self.lines[k] for k in model] + [self.band] * key[0], "lower left"),
            (self.ax_phase, [self.lines[k + "_phase"] for k in sounding], "lower right"),
        ):
            legend = ax.legend(handles=handles, fontsize=7, loc=loc)
            for entry in legend.legend_handles:  # a line hidden for now is still listed
                entry.set_visible(True)
        return True

    def _full_draw(self):
        """Draw everything (the draw event then keeps the new background)."""
        if self._canvas_waits():
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            FigureCanvasAgg.draw(self.fig.canvas)  # render only; the browser asks once there
        else:
            self.fig.canvas.draw()

    def _canvas_waits(self) -> bool:
        """ipympl's canvas before a browser has shown it. Sending it a picture then is what
        leaves it blank: ipympl (0.10) keeps that picture as a bare base64 string, which the
        browser loads as a broken image. Once connected, the browser asks for a full draw."""
        return self._ipympl and getattr(self.fig.canvas, "syncing_data_url", False)

    def _on_draw(self, _event=None):
        """After a full draw (first show, resize): keep the static background for blitting."""
        self._background = self.fig.canvas.copy_from_bbox(self.fig.bbox)
        self._draw_dynamic()

    def _draw_dynamic(self):
        for line in [self.band, *self.lines.values()]:
            if line.get_visible():
                line.axes.draw_artist(line)

    def _redraw(self):
        """Blit the moving lines over the static background (axes, ticks, grids, legends),
        which is what keeps an update well under 100 ms. ipympl: blit the live canvas.
        Otherwise encode the canvas (``self.frame``) into the image widget of the view (a
        plain widget-state update, no output capture)."""
        canvas = self.fig.canvas
        if self._legends():
            self._full_draw()
        else:
            canvas.restore_region(self._background)
            self._draw_dynamic()
        if self._ipympl:
            if not self._canvas_waits():
                canvas.blit(self.fig.bbox)
            return
        self.frame = self._encode("jpeg")
        self.image.value = self.frame

    def _encode(self, fmt: str) -> bytes:
        """The canvas as it is now (background and blitted lines) as ``"png"`` or ``"jpeg"``.
        The live view is a JPEG (quality 90, no colour subsampling: no visible artefacts on
        lines and text): 1–2 ms to encode where a PNG takes 7–15 ms, most of an update."""
        from PIL import Image

        canvas = self.fig.canvas
        rgb = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
        buf = io.BytesIO()
        if fmt == "jpeg":
            rgb.convert("RGB").save(buf, format="jpeg", quality=90, subsampling=0)
        else:
            rgb.save(buf, format="png")
        return buf.getvalue()

    def snapshot(self, path=None):
        """The current view as a PNG image (for static notebook output); also written to
        ``path`` when given."""
        from IPython.display import Image

        png = self._encode("png")
        if path is not None:
            with open(path, "wb") as fh:
                fh.write(png)
        return Image(png)

    # --- state ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _quiet(self):
        """Change controls without their callbacks triggering updates."""
        self._busy = True
        try:
            yield
        finally:
            self._busy = False

    def _set_controls(self, layer_idx, rho_ohmm):
        """Move the sliders without triggering one update per slider."""
        with self._quiet():
            order = np.argsort(layer_idx, kind="stable")
            for k, j in enumerate(order):
                self.depth_sliders[k].value = int(layer_idx[j])
                self.rho_sliders[k].value = nearest_step(rho_ohmm[j])

    def model(self):
        """The true model from the sliders: ``(rho_ohmm (L,), note)``."""
        return control_model(
            [s.value for s in self.depth_sliders],
            [s.value for s in self.rho_sliders],
            self.n_layers,
        )

    def _on_change(self, change):
        if self._busy:
            return
        owner = change["owner"]
        if owner in self.depth_sliders:
            self._keep_depth_order(owner)
        if owner in self.depth_sliders + self.rho_sliders:
            with self._quiet():
                self.preset_box.value = "custom"
        self.update()

    def _keep_depth_order(self, slider):
        """A depth slider stops one layer short of its neighbours: layers cannot cross."""
        k = self.depth_sliders.index(slider)
        lo = self.depth_sliders[k - 1].value + 1 if k > 0 else 0
        hi = self.depth_sliders[k + 1].value - 1 if k + 1 < N_CONTROL else self.n_layers - 1
        if not lo <= slider.value <= hi:
            with self._quiet():
                slider.value = int(np.clip(slider.value, lo, hi))

    @property
    def uncertain(self) -> bool:
        """Whether a band is shown: the network's calibrated one (the field network's too),
        or the posterior network's, for any network."""
        return self.net.has_uncertainty or self.band_box.value == "posterior"

    def _switch(self, net):
        """Show ``net``'s guess, with the band the band dropdown chooses (if any)."""
        self.net = net
        self.band.set_visible(self.uncertain)
        self.lines["doi"].set_visible(self.uncertain)
        self.update()  # redraws the legends too when the new network lists other lines

    def _on_network(self, change):
        self._switch(self.networks[change["new"]])

    def _on_band(self, change):
        self._switch(self.net)

    @property
    def posterior(self) -> Network:
        """The posterior network of the band dropdown (the shipped one unless given)."""
        if self._posterior is None:
            self._posterior = load_pretrained(DEFAULT_POSTERIOR_NETWORK)
        return self._posterior

    def _on_preset(self, change):
        if self._busy or change["new"] == "custom":
            return
        self._set_controls(*PRESETS[change["new"]])
        self.update()

    def randomize(self, seed: int | None = None):
        """A random model of the paper's scheme from ``seed`` (default: the seed box + 1)."""
        seed = self.seed_box.value + 1 if seed is None else seed
        _, (idx, rho) = random_models(1, seed=seed, n_layers=self.n_layers, return_controls=True)
        with self._quiet():
            self.seed_box.value = seed
            self.preset_box.value = "custom"
        self._set_controls(idx[0], rho[0])
        self.update()

    # --- computation ----------------------------------------------------------------------

    def compute(self) -> dict:
        """Everything the views show, for the current controls (no drawing)."""
        rho_true, note = self.model()
        rhoa, phase = mt1d(rho_true, self.thick_m, self.freq_hz)
        level = self.noise_slider.value
        rhoa_obs, phase_obs = add_noise(rhoa, phase, level, seed=self.seed_box.value)
        # noise can push a phase near the axes across them; keep the network's input valid
        phase_obs = np.clip(phase_obs, *PHASE_RANGE_DEG)
        uncertainty = {}
        sounding = self._sounding(rhoa_obs, phase_obs, level)
        guess = self._guess(self.net, sounding)
        rho_pred = guess["rho"]
        if self.uncertain:
            posterior = self._guess(self.posterior, sounding)
            shown = posterior if self.band_box.value == "posterior" else guess
            low, high, std = shown["low"], shown["high"], shown["std"]
            uncertainty = {
                "low": low,
                "high": high,
                "std_log10": std,
                "doi_m": resolved_depth_m(std, layer_tops_m(self.thick_m)),
                "inside_95": int(np.sum((rho_true >= low) & (rho_true <= high))),
            }
            if self.net.has_uncertainty:  # the network's own band against the posterior's
                widths = [np.log10(g["high"] / g["low"]) for g in (guess, posterior)]
                uncertainty["width_ratio"] = float(np.median(widths[0] / widths[1]))
        rhoa_pred, phase_pred = mt1d(rho_pred, self.thick_m, self.freq_hz)
        return uncertainty | {
            "rho_true": rho_true,
            "note": note,
            "rhoa": rhoa,
            "phase": phase,
            "rhoa_obs": rhoa_obs,
            "phase_obs": phase_obs,
            "rho_pred": rho_pred,
            "rhoa_pred": rhoa_pred,
            "phase_pred": phase_pred,
            "model_rmse": float(log_rho_rmse(rho_pred, rho_true)),
            **response_misfit(rhoa_pred, phase_pred, rhoa_obs, phase_obs),
        }

    def _sounding(self, rhoa_obs, phase_obs, rel_noise: float) -> tuple:
        """The data as a network reads them, told the noise as an error of |Z|
        (:func:`told_z_rel_err`)."""
        return (
            self.freq_hz,
            rhoa_obs,
            phase_obs,
            np.full(self.freq_hz.size, told_z_rel_err(rel_noise)),
            np.ones(self.freq_hz.size, dtype=bool),
        )

    def _guess(self, net: Network, sounding: tuple) -> dict:
        """``net``'s guess ``rho`` and, with an uncertainty, ``std``, ``low``, ``high``
        (95 %) on the explorer's grid, read as :func:`mtlib.invert` reads them
        (:meth:`~mtlib.networks.predictor.Guesses.onto`)."""
        mapped = net.guess_arrays([sounding]).onto(self.thick_m[None])
        return {k: v[0] for k, v in mapped.items()}

    def update(self, raise_errors: bool = False):
        """Recompute and update the artists in place. From a callback it never raises: an
        error goes to the status line (``raise_errors=True`` at construction)."""
        start = time.perf_counter()
        try:
            with _one_torch_thread():
                state = self.compute()
        except Exception as err:  # a callback must not die: say what went wrong instead
            if raise_errors:
                raise
            self.status.value = f"<b style='color:#b00'>cannot update: {err}</b>"
            return
        self.state = state
        depth_true, values = step_profile(state["rho_true"], self.thick_m, PLOT_BOTTOM_M)
        self.lines["true"].set_data(values, depth_true)
        self.lines["pred"].set_data(
            step_profile(state["rho_pred"], self.thick_m, PLOT_BOTTOM_M)[1], depth_true
        )
        if self.uncertain:
            self.band.set_xy(
                plotting.band_xy(state["low"], state["high"], self.thick_m, PLOT_BOTTOM_M)
            )
            self.lines["doi"].set_ydata([state["doi_m"]] * 2)
            self.lines["doi"].set_visible(bool(np.isfinite(state["doi_m"])))
        idx = [s.value for s in self.depth_sliders]
        self.lines["ctrl"].set_data([s.value for s in self.rho_sliders], self._centers_m[idx])
        for name, (rhoa, phase) in (
            ("data", ("rhoa_obs", "phase_obs")),
            ("true_resp", ("rhoa", "phase")),
            ("pred_resp", ("rhoa_pred", "phase_pred")),
        ):
            self.lines[name + "_rhoa"].set_ydata(state[rhoa])
            self.lines[name + "_phase"].set_ydata(state[phase])
        for name in ("pygimli", "pygimli_resp_rhoa", "pygimli_resp_phase"):
            self.lines[name].set_visible(False)  # stale once the data change
        self._pygimli = None
        self._redraw()
        self.last_update_ms = 1e3 * (time.perf_counter() - start)
        self._set_status()

    def _set_status(self):
        s = self.state
        text = (
            f"U-Net: model RMSE {s['model_rmse']:.3f} decades; data misfit "
            f"{s['rhoa_rms_pct']:.1f} % in ρa, {s['phase_rms_deg']:.2f}° in φ"
        )
        if self.uncertain:
            doi = f"below {s['doi_m']:.0f} m" if np.isfinite(s["doi_m"]) else "nowhere"
            text += (
                f"<br>band: {self._band_source()}; true model inside the 95 % interval in "
                f"{s['inside_95']} of {self.n_layers} layers; σ > {DOI_THRESHOLD_DECADES:g} "
                f"decades {doi}"
            )
        if self._pygimli is not None:
            text += (
                f"<br>pyGIMLi smooth inversion: model RMSE {self._pygimli['rmse']:.3f} "
                f"decades, χ² {self._pygimli['chi2']:.2f}, {self._pygimli['seconds']:.2f} s"
            )
        text += f"<br><small>update: {self.last_update_ms:.0f} ms</small>"
        if s["note"]:
            text += f"<br><i>{s['note']}</i>"
        self.status.value = text

    def _band_source(self) -> str:
        """What the band is, for the status line."""
        label = self.network_box.value
        ratio = self.state.get("width_ratio")
        if self.band_box.value == "posterior":
            own = f"; the {label}'s own is {ratio:.2f}× as wide" if ratio is not None else ""
            return (
                "the posterior network's (the sampler's posterior under its default prior "
                f"for these data){own}"
            )
        verdict = "overconfident" if ratio < 1 else "not narrower than the posterior"
        return (
            f"the {label}'s own (calibrated on its training earths, not a posterior): "
            f"{ratio:.2f}× the posterior network's width here, {verdict}"
        )

    def compare_with_pygimli(self):
        """Run pyGIMLi's smooth inversion on the current data (on demand: it takes ~0.1 s)."""
        try:
            from .inversion.baseline import pygimli_invert

            s = self.state
            result = pygimli_invert(
                self.freq_hz,
                s["rhoa_obs"],
                s["phase_obs"],
                self.thick_m,
                z_rel_err=told_z_rel_err(self.noise_slider.value),
            )
        except Exception as err:  # pyGIMLi missing or failing: report, do not raise
            self.status.value += f"<br><b style='color:#b00'>pyGIMLi: {err}</b>"
            return
        rhoa, phase = mt1d(result.rho_ohmm, self.thick_m, self.freq_hz)
        depth, values = step_profile(result.rho_ohmm, self.thick_m, PLOT_BOTTOM_M)
        self.lines["pygimli"].set_data(values, depth)
        self.lines["pygimli_resp_rhoa"].set_ydata(rhoa)
        self.lines["pygimli_resp_phase"].set_ydata(phase)
        for name in ("pygimli", "pygimli_resp_rhoa", "pygimli_resp_phase"):
            self.lines[name].set_visible(True)
        self._pygimli = {
            "rmse": float(log_rho_rmse(result.rho_ohmm, s["rho_true"])),
            "chi2": result.chi2,
            "seconds": result.seconds,
        }
        self._redraw()
        self._set_status()

    # --- layout ---------------------------------------------------------------------------

    @property
    def widget(self):
        import ipywidgets as w

        layers = w.VBox([w.HBox([d, r]) for d, r in zip(self.depth_sliders, self.rho_sliders)])
        others = w.VBox(
            [
                self.network_box,
                self.band_box,
                self.preset_box,
                self.noise_slider,
                w.HBox([self.seed_box, self.random_button]),
                self.pygimli_button,
            ]
        )
        view = self.fig.canvas if self._ipympl else self.image
        return w.VBox([w.HBox([layers, others]), view, self.status])

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
