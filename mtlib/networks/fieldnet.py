"""The field network: a U-Net for real soundings of any band, errors and gaps.

The paper's network reads 40 fixed frequencies of one 5-decade band and knows ρ in
2–220 Ω·m. Real soundings span 1.5–9 decades anywhere in 10⁵–10⁻⁴ Hz, miss periods, carry
errors from 1 % to 100 % and sit on earths with contrasts of several decades. This network
reads them in a frame where all of that is the same problem:

* **Frame** (the similarity laws of 1D MT). A sounding's highest usable frequency ``f_top``
  and the mean log10 ρa of its usable periods ``lg`` define the frame: frequencies
  ``f / f_top`` (1 at the top), resistivities ``ρ / 10^lg``, depths in units of
  ``δ_ref = δ(10^lg Ω·m, f_top)`` (the skin depth of a half-space at the level of the data
  at the top frequency). The responses of two earths related by these scalings are the same
  curves in the frame, so one network serves every band and level.
* **Input** ``(n, 4, 91)`` on a fixed axis of normalized frequency, 1 → 10⁻⁹ (9 decades,
  10 per decade): log10 ρa − lg (halved), (φ − 45°)/45°, a mask (1 where the sounding has
  data), and the relative error of ρa (2p for a |Z| error p). Usable periods are
  interpolated onto the axis (linear in log f); gaps wider than :data:`MAX_GAP_DECADES` and
  everything beyond the band are masked (zeros).
* **Output** ``(n, 2, 62)``: the mean and log-variance of (log10 ρ − lg)/2 on a fixed grid
  in the frame: the top layer reaches 0.1 δ_ref, then 61 interfaces log-spaced (10 per
  decade) down to 10⁵ δ_ref. Mapped back to metres per sounding, and calibrated on fresh
  soundings of the prior per group of error level, depth, and depth relative to the depth
  of investigation (:func:`calibration_groups`; ±1σ covers 68.3 %, interval half-widths
  from the quantiles of the normalized errors, as :mod:`mtlib.networks.ensemble` does).

Training data (:class:`FieldData`): earths of the field prior
(:func:`mtlib.generator.field_models`) on a fine grid, their exact responses on the whole
axis, and, drawn afresh for every batch, a sub-band of 1.5–9 decades, gaps, per-datum
errors, noise drawn from them, and now and then a static shift (:data:`AUGMENT`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from .._deprecated import renamed
from .._numba import jit
from ..constants import CALIBRATION_LEVELS, ONE_SIGMA, PHASE_RANGE_DEG
from ..forward import mt1d, skin_depth_m
from ..generator import field_models
from .paper import Bundled, unet_bundle, unet_of_bundle
from .predictor import Guesses, Network, gaussian_half_widths, half_width_at
from .unet import LOG_VAR_MAX, LOG_VAR_MIN, InferenceUNet, UNet1d, infer_chunked

PER_DECADE = 10
AXIS_DECADES = 9
FREQ_AXIS = 10.0 ** (-np.arange(AXIS_DECADES * PER_DECADE + 1) / PER_DECADE)
"""Normalized frequencies f / f_top of the network's input, 1 → 10⁻⁹ (91 points)."""
MIN_BAND_DECADES = 1.5
MAX_GAP_DECADES = 0.35
"""Between usable periods further apart than this the axis is masked, not interpolated."""
GRID_INTERFACES = np.arange(-1.0, 5.0 + 1e-9, 1.0 / PER_DECADE)
"""log10 (depth / δ_ref) of the interfaces of the network's 62 layers."""
FRAME_N_LAYERS = GRID_INTERFACES.size + 1
FRAME_TOPS = np.concatenate([[0.0], 10.0**GRID_INTERFACES])
"""Tops of the network's layers in units of δ_ref."""
GRID_CENTRES = np.concatenate(
    [[GRID_INTERFACES[0] - 0.5 / PER_DECADE], GRID_INTERFACES + 0.5 / PER_DECADE]
)
"""log10 (depth / δ_ref) at which each layer's value is read from an earth (log-centres; the
top layer at half a step above the first interface)."""
FINE_STEP = 0.05
FINE_GRID = np.arange(-3.0, 7.5 + 1e-9, FINE_STEP)
"""log10 (depth / δ(1 Ω·m, 1 Hz)) of the cell centres of training earths (fine enough that a
layer of the network's grid holds two cells)."""
DELTA_UNIT_M = float(skin_depth_m(1.0, 1.0))
FRAME_THICK_M = np.diff(DELTA_UNIT_M * 10.0 ** np.concatenate([[-np.inf], GRID_INTERFACES]))
"""Thicknesses of the network's layers in the frame of a sounding at 1 Hz and 1 Ω·m."""
LOG_SCALE = 2.0
"""Inputs and targets in decades are divided by this to sit near ±1."""


@dataclass(frozen=True)
class Augment:
    """How a clean training response is turned into a field-like sounding."""

    min_band: int = int(MIN_BAND_DECADES * PER_DECADE) + 1
    max_gaps: int = 2
    gap_len: tuple = (4, 15)
    err_log10: tuple = (-2.0, math.log10(0.2))
    """Per-sounding base error p of |Z|, log-uniform (1 %–20 %)."""
    err_scatter: float = 0.4
    """Per-datum error: base × exp(N(0, err_scatter)), clipped to [0.3 %, 60 %]."""
    shift_prob: float = 0.25
    shift_std_log10: float = 0.2


AUGMENT = Augment()


def _frame_shift_index(lg: torch.Tensor) -> torch.Tensor:
    """Fine-grid indices (n, L) of the network's layer centres for soundings of level lg (n,):
    depth/δ_ref = 10^ζ ⇔ depth/δ(1 Ω·m, 1 Hz) = 10^(ζ + lg/2) when f_top is 1 Hz."""
    centres = torch.as_tensor(GRID_CENTRES, dtype=lg.dtype, device=lg.device)
    pos = (centres[None, :] + 0.5 * lg[:, None] - FINE_GRID[0]) / FINE_STEP
    return pos.round().long().clamp(0, FINE_GRID.size - 1)


class FieldData:
    """Clean training earths and responses on the device; :meth:`batch` draws field-like
    soundings from them. ``log_rho`` (n, Z) log10 Ω·m on :data:`FINE_GRID`; ``log_rhoa``,
    ``phase_deg`` (n, 91) on :data:`FREQ_AXIS` (f_top = 1 Hz)."""

    def __init__(self, log_rho, log_rhoa, phase_deg, device="cpu", augment: Augment = AUGMENT):
        dev = torch.device(device)
        self.log_rho = torch.as_tensor(log_rho, dtype=torch.float32, device=dev)
        self.log_rhoa = torch.as_tensor(log_rhoa, dtype=torch.float32, device=dev)
        self.phase = torch.as_tensor(phase_deg, dtype=torch.float32, device=dev)
        self.augment = augment

    def __len__(self) -> int:
        return self.log_rho.shape[0]

    @classmethod
    def generate(cls, n: int, seed, device="cpu", augment: Augment = AUGMENT) -> "FieldData":
        """``n`` earths of the field prior (``seed``) and their clean responses."""
        log_rho = field_models(n, FINE_GRID, seed=seed)
        edges = DELTA_UNIT_M * 10.0 ** (0.5 * (FINE_GRID[1:] + FINE_GRID[:-1]))
        thick = np.diff(np.concatenate([[0.0], edges]))
        rhoa, phase = mt1d(10.0**log_rho, thick, FREQ_AXIS)
        return cls(log_rho, np.log10(rhoa), phase, device, augment)

    def data_misfit(self, out: torch.Tensor, x: torch.Tensor, n: int = 128) -> torch.Tensor:
        """RMS of the error-weighted misfit between the data of the first ``n`` soundings of
        a batch (inputs ``x``) and the response of the network's models for them (outputs
        ``out``), in the frame: a loss that asks the guess to explain its data."""
        mean = out[:n, 0] * LOG_SCALE
        thick = torch.as_tensor(FRAME_THICK_M, dtype=mean.dtype, device=mean.device)
        freq = torch.as_tensor(FREQ_AXIS, dtype=mean.dtype, device=mean.device)
        rhoa, phase = mt1d(10.0 ** mean.clamp(-6.0, 6.0), thick, freq)
        log_rhoa = torch.log10(rhoa)
        x = x[:n]
        p = (x[:, 3] / 2).clamp(min=1e-3)
        r_rho = (log_rhoa - x[:, 0] * LOG_SCALE) * math.log(10.0) / (2 * p)
        r_phase = torch.deg2rad(phase - (x[:, 1] * 45.0 + 45.0)) / torch.asin(p.clamp(max=0.99))
        chi2 = (x[:, 2] * (r_rho**2 + r_phase**2)).sum() / (2 * x[:, 2].sum())
        return torch.sqrt(chi2)

    def batch(self, idx: torch.Tensor, gen: torch.Generator | None):
        """Inputs (b, 4, 91) and targets (b, L) of soundings drawn from earths ``idx``."""
        drawn = self.draw(idx, gen)
        return drawn["x"], drawn["y"]

    def draw(self, idx: torch.Tensor, gen: torch.Generator | None) -> dict:
        """Field-like soundings of earths ``idx`` (b,): their noisy ``log_rhoa``,
        ``phase_deg``, |Z| errors ``p`` and ``mask`` on the axis (b, 91), level ``lg`` (b,),
        network input ``x`` and target ``y`` (b, L)."""
        aug = self.augment
        dev = self.log_rho.device
        b, nf = idx.numel(), FREQ_AXIS.size

        def rand(*shape):
            return torch.rand(shape, generator=gen, device=dev)

        def randn(*shape):
            return torch.randn(shape, generator=gen, device=dev)

        k = torch.arange(nf, device=dev)
        span = nf - aug.min_band + 1
        n_band = aug.min_band + (rand(b) * span).long().clamp(max=span - 1)
        mask = k[None, :] < n_band[:, None]
        for _ in range(aug.max_gaps):
            length = aug.gap_len[0] + (rand(b) * (aug.gap_len[1] - aug.gap_len[0])).long()
            start = 1 + (rand(b) * (n_band - length - 1).clamp(min=1)).long()
            use = (rand(b) < 0.5) & (n_band - length >= aug.min_band)
            gap = (k[None, :] >= start[:, None]) & (k[None, :] < (start + length)[:, None])
            mask &= ~(gap & use[:, None])
        p0 = 10.0 ** (aug.err_log10[0] + (aug.err_log10[1] - aug.err_log10[0]) * rand(b, 1))
        p = (p0 * torch.exp(aug.err_scatter * randn(b, nf))).clamp(0.003, 0.6)
        log_rhoa = self.log_rhoa[idx] + 2 * p * randn(b, nf) / math.log(10.0)
        shift = torch.where(
            rand(b, 1) < aug.shift_prob,
            aug.shift_std_log10 * randn(b, 1),
            torch.zeros(b, 1, device=dev),
        )
        log_rhoa = log_rhoa + shift
        phase = (self.phase[idx] + torch.rad2deg(torch.asin(p)) * randn(b, nf)).clamp(
            *PHASE_RANGE_DEG
        )
        x, lg = encode(log_rhoa, phase, p, mask)
        y = (torch.gather(self.log_rho[idx], 1, _frame_shift_index(lg)) - lg[:, None]) / LOG_SCALE
        return dict(log_rhoa=log_rhoa, phase_deg=phase, p=p, mask=mask, lg=lg, x=x, y=y)


def encode(log_rhoa, phase_deg, z_rel_err, mask):
    """Network input (n, 4, 91) and level lg (n,) from data on the axis: log10 ρa, φ (°),
    |Z| errors p and the mask, all (n, 91): torch tensors (training, on their device) or
    numpy arrays (one sounding's guess: a dozen torch calls on tiny tensors cost more
    than the arithmetic)."""
    xp = torch if isinstance(log_rhoa, torch.Tensor) else np
    m = mask.to(log_rhoa.dtype) if xp is torch else mask.astype(log_rhoa.dtype)
    lg = (log_rhoa * m).sum(1) / m.sum(1)
    x = xp.stack(
        [
            (log_rhoa - lg[:, None]) * m / LOG_SCALE,
            (phase_deg - 45.0) / 45.0 * m,
            m,
            xp.clip(2 * z_rel_err, None, 1.0) * m,
        ],
        1,
    )
    return x, lg


def stack_soundings(soundings):
    """Soundings ``(freq_hz, rhoa_ohmm, phase_deg, z_rel_err, mask)`` of (F,) arrays, any
    lengths, as five arrays (n, F_max); the padding is masked (frequency 1, ρa 1, phase 45°,
    error 1)."""
    if len(soundings) == 1:
        return tuple(np.asarray(a)[None] for a in soundings[0])
    sizes = {len(s[0]) for s in soundings}
    if len(sizes) == 1:  # (one length: no padding to do)
        return tuple(np.stack(a) for a in zip(*soundings))
    width = max(sizes)

    def pad(arrays, fill):
        return np.stack([np.concatenate([a, np.full(width - len(a), fill)]) for a in arrays])

    columns = list(zip(*soundings))
    return (
        *(pad(c, fill) for c, fill in zip(columns[:4], (1.0, 1.0, 45.0, 1.0))),
        pad(columns[4], False).astype(bool),
    )


@jit
def _on_axis_rows(freq, values, mask, out, inside, f_top):  # pragma: no cover
    """:func:`on_axis_rows` compiled: ``values`` (n, 3, F) → ``out`` (n, 3, 91)."""
    axis = np.arange(FREQ_AXIS.size).astype(np.float64)
    max_gap = MAX_GAP_DECADES * PER_DECADE + 1e-9
    for i in range(freq.shape[0]):
        used = np.flatnonzero(mask[i])
        if used.size < 2:
            raise ValueError("a sounding needs two usable periods or more on the network's axis")
        order = used[np.argsort(freq[i, used])[::-1]]  # high → low
        f = freq[i, order]
        u = np.log10(f[0] / f) * PER_DECADE  # axis units, increasing
        last = u.size - 1
        for q in range(3):
            out[i, q] = np.interp(axis, u, values[i, q, order])
        for a in range(axis.size):
            right = min(max(np.searchsorted(u, axis[a]), 1), max(last, 1))
            # on a datum itself (np.isclose's tolerances)
            on_datum = abs(axis[a] - u[right]) <= 1e-8 + 1e-5 * abs(u[right]) or abs(
                axis[a] - u[right - 1]
            ) <= 1e-8 + 1e-5 * abs(u[right - 1])
            gap = u[right] - u[right - 1]
            inside[i, a] = axis[a] <= u[last] + 1e-9 and (gap <= max_gap or on_datum)
        f_top[i] = f[0]


def on_axis_rows(freq_hz, rhoa_ohmm, phase_deg, z_rel_err, mask):
    """Soundings' usable periods on the network's axis; arrays (n, F) as
    :func:`stack_soundings` gives them. Returns log10 ρa, φ, p and the axis mask (n, 91)
    and ``f_top`` (n,) Hz. Linear interpolation in log f between usable periods (held
    beyond the band's ends); the axis is masked beyond the band, across gaps wider than
    :data:`MAX_GAP_DECADES`, and below 9 decades under ``f_top`` (those periods still count
    in the refinement). Compiled (numba)."""
    freq = np.ascontiguousarray(freq_hz, dtype=np.float64)
    mask = np.ascontiguousarray(mask, dtype=bool)
    values = np.ascontiguousarray(
        np.stack([np.log10(rhoa_ohmm), phase_deg, np.broadcast_to(z_rel_err, freq.shape)], axis=1),
        dtype=np.float64,
    )
    n = freq.shape[0]
    out = np.empty((n, 3, FREQ_AXIS.size))
    inside = np.empty((n, FREQ_AXIS.size), dtype=bool)
    f_top = np.empty(n)
    _on_axis_rows(freq, values, mask, out, inside, f_top)
    return out[:, 0], out[:, 1], out[:, 2], inside, f_top


def on_axis(freq_hz, rhoa_ohmm, phase_deg, z_rel_err, mask):
    """One sounding's usable periods on the network's axis: log10 ρa, φ, p, mask (91,) and
    its ``f_top`` (Hz); see :func:`on_axis_rows`."""
    rows = on_axis_rows(
        *(np.asarray(a)[None] for a in (freq_hz, rhoa_ohmm, phase_deg)),
        np.broadcast_to(z_rel_err, np.shape(freq_hz))[None],
        np.asarray(mask)[None],
    )
    return (*(a[0] for a in rows[:4]), float(rows[4][0]))


CALIBRATION_EDGES = np.arange(-2.5, 2.51, 0.5)
"""Calibration bins of a layer's depth relative to the sounding's depth of investigation,
log10(z / z_doi): how wrong the network is, for the σ it states, depends on whether the
data reach the layer."""
ERROR_EDGES = np.array([0.015, 0.03, 0.07, 0.14])
"""Calibration groups of the median |Z| error of a sounding's used periods."""
DEPTH_BINS = (-1.0, 0.0, 1.0, 2.0, 3.0, 5.0)
"""Bins of log10(depth / δ_ref) (the network's frame) in which calibration is fitted and
coverage reported."""
N_GROUPS = (ERROR_EDGES.size + 1) * (len(DEPTH_BINS) + 1) * (CALIBRATION_EDGES.size + 1)
CALIBRATION_SEED = 12345
"""Seed of the errors and noise drawn for the calibration soundings
(:meth:`FieldNetwork.calibrate`)."""
MIN_CALIBRATION_GROUP = 200
"""A calibration group with fewer values takes the factor fitted on all of them."""


def doi_log_depth(log_rhoa, mask, lg) -> np.ndarray:
    """log10(Niblett–Bostick depth of the longest used period / δ_ref) (n,) in the frame,
    from data on the axis (log10 ρa and mask (n, 91), level lg (n,)): sqrt(ρa/(ωμ0)) = δ/√2,
    and depths scale as sqrt(ρ/f)."""
    log_rhoa, mask = np.asarray(log_rhoa), np.asarray(mask, dtype=bool)
    last = mask.shape[1] - 1 - np.argmax(mask[:, ::-1], axis=1)
    rows = np.arange(mask.shape[0])
    relative = log_rhoa[rows, last] - np.asarray(lg)
    return 0.5 * (relative - np.log10(FREQ_AXIS[last])) - 0.5 * math.log10(2.0)


def calibration_groups(x, log_rhoa, mask, lg) -> np.ndarray:
    """Calibration group (n, L) of every layer of soundings (inputs ``x`` and the data on
    the axis): by the sounding's median error, the layer's depth in the frame and its depth
    relative to the sounding's depth of investigation."""
    x = np.asarray(x)
    used = np.asarray(mask, dtype=bool)
    # the median of the used errors (np.nanmedian, without its cost on small batches)
    ordered = np.sort(np.where(used, x[:, 3] / 2, np.inf), axis=1)
    count = used.sum(axis=1)
    rows = np.arange(len(count))
    p = 0.5 * (ordered[rows, (count - 1) // 2] + ordered[rows, count // 2])
    error = np.searchsorted(ERROR_EDGES, p)[:, None]
    depth = np.searchsorted(DEPTH_BINS, GRID_CENTRES)[None, :]
    relative = np.searchsorted(
        CALIBRATION_EDGES, GRID_CENTRES[None, :] - doi_log_depth(log_rhoa, mask, lg)[:, None]
    )
    return (error * (len(DEPTH_BINS) + 1) + depth) * (CALIBRATION_EDGES.size + 1) + relative


class FieldNetwork(Bundled, Network):
    """The trained field U-Net and its calibration; :meth:`guesses` for soundings of any
    band. ``std_scale`` (G,): factors on σ in each calibration group
    (:func:`calibration_groups`); ``half_width`` (len(CALIBRATION_LEVELS), G): interval
    half-widths in calibrated σ."""

    kind = "field"

    def __init__(self, net: UNet1d, std_scale=1.0, half_width=None, training=None):

        self.net = net.eval()
        self._inference = None  # the network with BatchNorm folded, built on first use
        self.std_scale = np.broadcast_to(np.asarray(std_scale, float), (N_GROUPS,)).copy()
        if half_width is None:
            half_width = gaussian_half_widths()[:, None]
        self.half_width = np.broadcast_to(
            np.asarray(half_width, float), (CALIBRATION_LEVELS.size, N_GROUPS)
        ).copy()
        self.training = dict(training or {})

    has_uncertainty = True

    @property
    def half_width(self) -> np.ndarray:
        """Interval half-widths in calibrated σ (len(CALIBRATION_LEVELS), G)."""
        return self._half_width

    @half_width.setter
    def half_width(self, table) -> None:
        self._half_width = table
        self._half_width_at = {}  # level → its row, read once (interval_half_width)

    def normalized(self, x, batch_size: int = 512):
        """Mean and σ (uncalibrated) of (log10 ρ − lg)/2 (n, L), float64 numpy, for inputs
        ``x`` (n, 4, 91) (tensor or array); on the CPU in chunks of ``batch_size`` (measured
        fastest on 2 cores: 256–512)."""
        if self._inference is None:
            self._inference = InferenceUNet(self.net)
        out = infer_chunked(self._inference, x, batch_size)
        return out[:, 0], np.exp(0.5 * np.clip(out[:, 1], LOG_VAR_MIN, LOG_VAR_MAX))

    def calibrated(self, x, lg, log_rhoa, mask):
        """log10 ρ (n, L), calibrated σ (decades) and calibration group (n, L) of every
        layer, from inputs ``x`` and the data they came from (:func:`encode`)."""
        mean, std = self.normalized(x)
        groups = calibration_groups(x, log_rhoa, mask, lg)
        return (
            LOG_SCALE * mean + np.asarray(lg)[:, None],
            LOG_SCALE * std * self.std_scale[groups],
            groups,
        )

    def interval_half_width(self, groups, std, level: float = 0.95) -> np.ndarray:
        """Half-width (decades) of the central ``level`` interval for calibrated ``std`` in
        calibration ``groups`` (both (n, L), from :meth:`calibrated`)."""
        if level not in self._half_width_at:  # (read once per level)
            self._half_width_at[level] = half_width_at(self.half_width, level)
        return self._half_width_at[level][groups] * std

    def guess_arrays(self, soundings, level: float = 0.95) -> Guesses:
        """:meth:`~mtlib.networks.predictor.Network.guess_arrays`: the network's model,
        calibrated σ and central ``level`` interval on its frame's layers, whose tops are
        ``δ_ref × FRAME_TOPS`` m (δ_ref: each sounding's reference skin depth)."""
        log_rhoa, phase, p, mask, f_top = on_axis_rows(*stack_soundings(soundings))
        x, lg = encode(log_rhoa, phase, p, mask)
        log_rho, std, groups = self.calibrated(x, lg, log_rhoa, mask)
        half = self.interval_half_width(groups, std, level)
        return Guesses(
            rho_ohmm=10.0**log_rho,
            tops_unit_m=FRAME_TOPS,
            tops_scale=skin_depth_m(10.0**lg, f_top),
            std_log10=std,
            low_ohmm=10.0 ** (log_rho - half),
            high_ohmm=10.0 ** (log_rho + half),
            level=level,
        )

    def calibrate(self, data: FieldData, seed: int = CALIBRATION_SEED) -> "FieldNetwork":
        """σ factors and interval half-widths per calibration group, from soundings drawn
        from ``data``."""

        drawn = data.draw(torch.arange(len(data)), torch.Generator().manual_seed(seed))
        mean, std = self.normalized(drawn["x"])
        z = np.abs(drawn["y"].double().numpy() - mean) / std
        groups = calibration_groups(
            drawn["x"], *(drawn[k].numpy() for k in ("log_rhoa", "mask", "lg"))
        )
        order = np.argsort(groups, axis=None)
        counts = np.bincount(groups.ravel(), minlength=N_GROUPS)
        members = np.split(z.ravel()[order], np.cumsum(counts)[:-1])
        pooled = np.quantile(z, ONE_SIGMA)
        scale = np.array(
            [
                np.quantile(m, ONE_SIGMA) if m.size >= MIN_CALIBRATION_GROUP else pooled
                for m in members
            ]
        )
        z = z / scale[groups]
        members = np.split(z.ravel()[order], np.cumsum(counts)[:-1])
        pooled_width = np.quantile(z, CALIBRATION_LEVELS)
        self.std_scale = scale
        self.half_width = np.stack(
            [
                np.quantile(m, CALIBRATION_LEVELS)
                if m.size >= MIN_CALIBRATION_GROUP
                else pooled_width
                for m in members
            ],
            axis=1,
        )
        return self

    def to_bundle(self) -> dict:
        return unet_bundle(
            self.kind,
            self.net,
            self.training,
            std_scale=self.std_scale.tolist(),
            half_width=self.half_width.tolist(),
        )

    @classmethod
    def from_bundle(cls, bundle: dict, source: str = "bundle") -> "FieldNetwork":
        net = unet_of_bundle(bundle, cls.kind, source)
        return cls(net, bundle["std_scale"], bundle["half_width"], bundle["training"])


TEST_SEED = 20_261_129
"""Seed of the test earths of :func:`frame_metrics` (no training run uses it)."""


def frame_metrics(
    net: "FieldNetwork",
    n: int = 5000,
    z_rel_err: float = 0.05,
    seed: int = TEST_SEED,
    return_draws: bool = False,
):
    """Accuracy and calibration of ``net`` on ``n`` fresh earths of the field prior with
    ``z_rel_err`` errors on |Z| (random 1.5–9 decade bands with gaps, no static shift), in
    the network's frame, on the layers above the depth of investigation: log10-ρ RMSE
    (decades) and the coverage of the 68 % and 95 % intervals, overall and per depth bin
    (:data:`DEPTH_BINS`). With ``return_draws`` also the test data and the drawn soundings."""
    test = FieldData.generate(n, seed=seed)
    test.augment = Augment(err_log10=(math.log10(z_rel_err),) * 2, err_scatter=0.0, shift_prob=0.0)
    drawn = test.draw(torch.arange(n), torch.Generator().manual_seed(1))
    log_rhoa, mask, lg = (drawn[k].numpy() for k in ("log_rhoa", "mask", "lg"))
    doi = doi_log_depth(log_rhoa, mask, lg)
    inside = GRID_CENTRES[None, :] <= doi[:, None]
    truth = LOG_SCALE * drawn["y"].double().numpy() + lg[:, None]
    log_rho, std, groups = net.calibrated(drawn["x"], lg, log_rhoa, mask)
    err = np.abs(log_rho - truth)
    coverage = {}
    for level in (0.68, 0.95):
        hit = err <= net.interval_half_width(groups, std, level)
        per_bin = {}
        for lo, hi in zip(DEPTH_BINS[:-1], DEPTH_BINS[1:]):
            sel = inside & (GRID_CENTRES[None, :] >= lo) & (GRID_CENTRES[None, :] < hi)
            if sel.sum() >= 100:
                per_bin[f"{lo:g}..{hi:g}"] = float(hit[sel].mean())
        coverage[f"{level:.2f}"] = {
            "inside_doi": float(hit[inside].mean()),
            "all_layers": float(hit.mean()),
            "per_depth_bin": per_bin,
        }
    metrics = {
        "what": f"{n} field-prior earths, {z_rel_err:.0%} errors on |Z|, random 1.5–9 decade "
        "bands with gaps; depth bins in log10(depth / δ_ref)",
        "coverage": coverage,
        "log_rho_rmse_inside_doi": float(np.sqrt(np.mean(err[inside] ** 2))),
    }
    return (metrics, test, drawn) if return_draws else metrics


def __getattr__(name: str):
    """The names of mtlib 0.1 (:mod:`mtlib._deprecated`), for one release."""
    return renamed(__name__, name)
