"""The posterior network: per-depth posterior quantiles of log10 ρ in one pass, for the
sampler's prior and the data's own errors.

The field network (:mod:`mtlib.networks.fieldnet`) states how wrong it tends to be on its
own training earths; the sampler (:mod:`mtlib.posterior`) states what a sounding leaves
open under a prior of layered earths, at seconds per sounding. This network learns the
sampler's answer: trained on earths drawn from the sampler's prior (:class:`Prior`: 1 to
``n_max`` layers, interfaces uniform in log depth, log10 ρ uniform) with noise drawn from
the errors in mtlib's error model, the pinball loss of quantile τ at every depth converges
to the τ-quantile of log10 ρ *at that depth* given the data and the prior — the marginal
the sampler's per-depth histograms hold.

* **Frame and data**: the field network's (:func:`~mtlib.networks.fieldnet.encode` on its
  91-point axis; any band of 1.5–9 decades, gaps, per-datum errors), with the bands, gaps,
  errors and noise of :meth:`FieldData.draw <mtlib.networks.fieldnet.FieldData.draw>`.
  Data sampled more or less densely than the axis' 10 per decade carry their information
  onto it: each datum's error is scaled by the square root of its spacing in axis steps
  (:func:`information_errors`), so 5 periods per decade weigh as 5, not 10.
* **The prior is an input**: its log10 ρ bounds relative to the sounding's level, its
  interface range in units of the reference skin depth δ_ref, ``n_max`` and the static
  shift's σ (0: none) as six constant channels (:func:`prior_channels`). Training priors
  are drawn over the family of :meth:`Prior.default` and :meth:`Prior.rjmcmcmt`
  (:data:`TRAINING_FAMILY`): the interface range set for a nominal band and level as the
  default prior would set it, widened towards the surface by up to 1.6 decades (rjmcmcmt's
  1 m), its bottom ±0.5 decades; the band then, in most draws, ends at the nominal band's
  last frequency. The band and the prior never depend on the earth drawn, so what the
  network learns is the posterior for the prior it is told.
* **Output** ``(n, Q, 62)``: the quantiles :data:`QUANTILES` of (log10 ρ − lg)/2 at the
  field network's 62 depths (:data:`~mtlib.networks.fieldnet.GRID_CENTRES`, in δ_ref),
  non-crossing by construction (the median, and softplus steps either side:
  :func:`quantiles_from_raw`).

:meth:`PosteriorNetwork.quantile_guesses` gives them for soundings of any band, with each
sounding's :meth:`Prior.default` unless told another prior; :meth:`PosteriorNetwork.
outside_training` says where a sounding or prior lies beyond what the network was trained
on.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

import numpy as np
import torch
from scipy.special import ndtri

from ..forward import mt1d, skin_depth_m
from ..grid import layer_centres_log_m
from ..posterior.prior import (
    BOTTOM_BOSTICK_FACTOR,
    LOG10_RHO_RANGE,
    MAX_LAYERS,
    TOP_SKIN_FRACTION,
    Prior,
)
from .fieldnet import (
    AUGMENT,
    AXIS_DECADES,
    DELTA_UNIT_M,
    FINE_GRID,
    FRAME_TOPS,
    FREQ_AXIS,
    GRID_CENTRES,
    LOG_SCALE,
    MAX_GAP_DECADES,
    MIN_BAND_DECADES,
    PER_DECADE,
    FieldData,
    _frame_shift_index,
    doi_log_depth,
    encode,
    on_axis_rows,
    stack_soundings,
)
from .paper import Bundled, unet_bundle, unet_of_bundle
from .predictor import Guesses, Network
from .unet import InferenceUNet, UNet1d, infer_chunked

QUANTILES = np.array([0.025, 0.05, 0.16, 0.5, 0.84, 0.95, 0.975])
"""Probabilities of the quantiles the network outputs (the 95 %, 90 % and 68 % intervals
and the median)."""
MEDIAN = 3
"""Index of the median in :data:`QUANTILES`."""
N_PRIOR_CHANNELS = 6
IN_CHANNELS = 4 + N_PRIOR_CHANNELS
SHIFT_UNIT_LOG10 = 0.3
"""The static shift's σ is told the network in units of this (decades)."""
LOG10_FINE_M = FINE_GRID + math.log10(DELTA_UNIT_M)
"""log10 depth (m) of the training earths' fine cells (the frame of f_top = 1 Hz)."""
# columns of a drawn prior (:func:`draw_priors`)
V_LO, V_HI, X_LO, X_HI, N_MAX, SHIFT_STD, BAND_END = range(7)


@dataclass(frozen=True)
class PriorFamily:
    """How training priors are drawn, in the frame of f_top = 1 Hz (depths in m).

    A nominal band of ``decades`` below f_top and a nominal level ℓ (``level``, log10 Ω·m)
    set the interface range as :meth:`Prior.default` sets it for a half-space of 10^ℓ Ω·m
    over that band; ``top_offset`` and ``bottom_offset`` (decades, uniform) then move its
    ends. log10 ρ bounds: :data:`~mtlib.posterior.prior.LOG10_RHO_RANGE` with probability
    ``p_default_rho``, else each end widened by ``rho_widen`` decades (uniform). ``n_max``
    is :data:`~mtlib.posterior.prior.MAX_LAYERS` but with probability ``p_other_n_max``
    uniform on ``other_n_max``; a static shift with probability ``p_shift``, its σ uniform
    on ``shift_std``. With probability ``p_nominal_band`` the sounding's band ends at the
    nominal band's last frequency (else it is :meth:`FieldData.draw
    <mtlib.networks.fieldnet.FieldData.draw>`'s)."""

    decades: tuple[float, float] = (MIN_BAND_DECADES, AXIS_DECADES)
    level: tuple[float, float] = (0.0, 4.0)
    top_offset: tuple[float, float] = (-1.6, 0.3)
    bottom_offset: tuple[float, float] = (-0.5, 0.5)
    p_default_rho: float = 0.7
    rho_widen: tuple[float, float] = (0.0, 2.0)
    p_other_n_max: float = 0.2
    other_n_max: tuple[int, int] = (5, 30)
    p_shift: float = 0.3
    shift_std: tuple[float, float] = (0.05, 0.4)
    p_nominal_band: float = 0.7


TRAINING_FAMILY = PriorFamily()
DEFAULT_FAMILY = PriorFamily(
    top_offset=(0.0, 0.0),
    bottom_offset=(0.0, 0.0),
    p_default_rho=1.0,
    p_other_n_max=0.0,
    p_shift=0.0,
    p_nominal_band=1.0,
)
"""The sampler's default prior for a sounding's band: :meth:`Prior.default` of a half-space
of 10^ℓ Ω·m over the band, ℓ uniform on [0, 4] (the synthetic soundings the network is
held against the sampler on)."""


def draw_priors(n: int, family: PriorFamily, rng) -> np.ndarray:
    """``n`` priors of ``family`` (n, 7): log10 ρ bounds, interface range (log10 m, f_top =
    1 Hz), n_max, the shift's σ (0: none) and the index on :data:`FREQ_AXIS` of the band's
    last frequency (−1: the drawn band's); columns :data:`V_LO` … :data:`BAND_END`."""
    wide = rng.random(n) >= family.p_default_rho
    widen = rng.uniform(*family.rho_widen, (n, 2)) * wide[:, None]
    level = rng.uniform(*family.level, n)
    end = np.rint(rng.uniform(*family.decades, n) * PER_DECADE).astype(int)
    # Prior.default of a half-space 10^ℓ over the nominal band
    top = TOP_SKIN_FRACTION * skin_depth_m(10.0**level, 1.0)
    bostick = skin_depth_m(10.0**level, FREQ_AXIS[end]) / math.sqrt(2.0)
    bottom = np.maximum(BOTTOM_BOSTICK_FACTOR * bostick, 10 * top)
    x_lo = np.log10(top) + rng.uniform(*family.top_offset, n)
    x_hi = np.maximum(np.log10(bottom) + rng.uniform(*family.bottom_offset, n), x_lo + 0.5)
    other = rng.random(n) < family.p_other_n_max
    n_max = np.where(
        other, rng.integers(family.other_n_max[0], family.other_n_max[1] + 1, n), MAX_LAYERS
    )
    shifted = rng.random(n) < family.p_shift
    shift = np.where(shifted, rng.uniform(*family.shift_std, n), 0.0)
    nominal = rng.random(n) < family.p_nominal_band
    return np.stack(
        [
            LOG10_RHO_RANGE[0] - widen[:, 0],
            LOG10_RHO_RANGE[1] + widen[:, 1],
            x_lo,
            x_hi,
            n_max.astype(float),
            shift,
            np.where(nominal, end, -1).astype(float),
        ],
        axis=1,
    )


def as_prior(row) -> Prior:
    """A drawn prior (a row of :func:`draw_priors`) as the sampler's :class:`Prior` (for
    soundings at :data:`FREQ_AXIS`, f_top = 1 Hz)."""
    return Prior(
        n_layers=(1, int(row[N_MAX])),
        log10_rho=(float(row[V_LO]), float(row[V_HI])),
        log10_depth_m=(float(row[X_LO]), float(row[X_HI])),
        static_shift_std_log10=float(row[SHIFT_STD]) or None,
    )


def draw_models(priors: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
    """One earth from each prior (rows of :func:`draw_priors`): interfaces (n, N − 1) in
    log10 m, sorted, +inf beyond a model's layers, and log10 ρ (n, N), each model's
    half-space value repeated beyond its layers (N: the largest n_max)."""
    n = priors.shape[0]
    n_max = priors[:, N_MAX].astype(int)
    width = int(n_max.max())
    n_layers = 1 + np.floor(rng.random(n) * n_max).astype(int)
    cols = np.arange(width)
    drawn = rng.uniform(priors[:, X_LO, None], priors[:, X_HI, None], (n, width - 1))
    interfaces = np.sort(np.where(cols[:-1] < n_layers[:, None] - 1, drawn, np.inf), axis=1)
    values = rng.uniform(priors[:, V_LO, None], priors[:, V_HI, None], (n, width))
    half_space = values[np.arange(n), n_layers - 1]
    values = np.where(cols < n_layers[:, None], values, half_space[:, None])
    return interfaces, values


def draw_earths(n: int, seed, family: PriorFamily = TRAINING_FAMILY):
    """``n`` priors of ``family`` (:func:`draw_priors`) and one earth of each
    (:func:`draw_models`), from ``seed``: (priors, interfaces, values)."""
    rng = np.random.default_rng(seed)
    priors = draw_priors(n, family, rng)
    return (priors, *draw_models(priors, rng))


def models_at(interfaces, values, log10_depth_m, chunk: int = 20_000) -> np.ndarray:
    """log10 ρ (n, Z) of layered earths (:func:`draw_models`) at depths ``log10_depth_m``
    (Z,): the value of the layer each depth lies in."""
    out = np.empty((values.shape[0], np.size(log10_depth_m)))
    for s in range(0, values.shape[0], chunk):
        below = (interfaces[s : s + chunk, None, :] < log10_depth_m[None, :, None]).sum(-1)
        out[s : s + chunk] = np.take_along_axis(values[s : s + chunk], below, axis=1)
    return out


def responses(interfaces, values, x_hi) -> tuple[np.ndarray, np.ndarray]:
    """Exact log10 ρa and φ (°) (n, 91) at :data:`FREQ_AXIS` of layered earths
    (:func:`draw_models`; ``x_hi`` (n,) the priors' deepest interface, log10 m): the
    padding layers, with the half-space's value, change nothing."""
    depth = 10.0 ** np.where(np.isfinite(interfaces), interfaces, x_hi[:, None])
    thick = np.maximum(np.diff(np.concatenate([np.zeros((depth.shape[0], 1)), depth], 1)), 1e-6)
    rhoa, phase = mt1d(10.0**values, thick, FREQ_AXIS)
    return np.log10(rhoa), phase


def prior_channels(priors, lg, log10_f_top=0.0):
    """The prior told the network: (n, 6, 91) constant channels from priors (n, ≥ 6)
    (columns :data:`V_LO` … :data:`SHIFT_STD`; interfaces in log10 m for a band whose top
    is ``10^log10_f_top`` Hz) and the soundings' levels ``lg`` (n,): log10 ρ bounds − lg
    and log10(interface bounds / δ_ref), both over :data:`LOG_SCALE`, n_max over 20 and the
    shift's σ over :data:`SHIFT_UNIT_LOG10`. torch tensors or numpy arrays."""
    xp = torch if isinstance(priors, torch.Tensor) else np
    log10_ref = 0.5 * (lg - log10_f_top) + math.log10(DELTA_UNIT_M)  # log10 δ_ref (m)
    features = xp.stack(
        [
            (priors[:, V_LO] - lg) / LOG_SCALE,
            (priors[:, V_HI] - lg) / LOG_SCALE,
            (priors[:, X_LO] - log10_ref) / LOG_SCALE,
            (priors[:, X_HI] - log10_ref) / LOG_SCALE,
            priors[:, N_MAX] / MAX_LAYERS,
            priors[:, SHIFT_STD] / SHIFT_UNIT_LOG10,
        ],
        1,
    )
    shape = (features.shape[0], N_PRIOR_CHANNELS, FREQ_AXIS.size)
    if xp is torch:
        return features[:, :, None].expand(shape)
    return np.broadcast_to(features[:, :, None], shape)


class PosteriorData(FieldData):
    """Earths drawn from sampler priors, their clean responses and their priors, on the
    device; :meth:`draw` makes field-like soundings of them. ``log_rho`` (n, Z) log10 Ω·m at
    the fine cells' centres (point values of the layered earths), ``log_rhoa``,
    ``phase_deg`` (n, 91) exact, ``priors`` (n, 7) (:func:`draw_priors`)."""

    def __init__(self, log_rho, log_rhoa, phase_deg, priors, device="cpu", augment=AUGMENT):
        # the static shift is drawn here, from each prior's own σ
        super().__init__(log_rho, log_rhoa, phase_deg, device, replace(augment, shift_prob=0.0))
        self.priors = torch.as_tensor(priors, dtype=torch.float32, device=self.log_rho.device)

    @classmethod
    def generate(
        cls, n: int, seed, device="cpu", augment=AUGMENT, family: PriorFamily = TRAINING_FAMILY
    ) -> "PosteriorData":
        """``n`` priors of ``family``, an earth from each (:func:`draw_earths`), and their
        clean responses."""
        return cls.of_earths(*draw_earths(n, seed, family), device, augment)

    @classmethod
    def of_earths(cls, priors, interfaces, values, device="cpu", augment=AUGMENT):
        """Layered earths (:func:`draw_models`) of ``priors`` with their clean responses."""
        log_rhoa, phase = responses(interfaces, values, priors[:, X_HI])
        log_rho = models_at(interfaces, values, LOG10_FINE_M)
        return cls(log_rho, log_rhoa, phase, priors, device, augment)

    def draw(self, idx: torch.Tensor, gen: torch.Generator | None) -> dict:
        """:meth:`FieldData.draw <mtlib.networks.fieldnet.FieldData.draw>`'s soundings of
        earths ``idx``, their bands ending at their priors' nominal band where it is set
        (the drawn gaps kept), shifted by a static shift drawn from their priors' σ; the
        network input ``x`` (b, 10, 91) and target ``y`` (b, L); also ``shift`` (b,)
        (decades) and ``priors`` (b, 7)."""
        drawn = super().draw(idx, gen)
        priors = self.priors[idx]
        mask = drawn["mask"]
        k = torch.arange(FREQ_AXIS.size, device=mask.device)[None, :]
        last = FREQ_AXIS.size - 1 - mask.flip(1).int().argmax(1)[:, None]
        end = priors[:, BAND_END, None].long()
        nominal = (mask | (k > last)) & (k <= end) | (k == end)
        mask = torch.where(end >= 0, nominal, mask)
        shift = priors[:, SHIFT_STD] * torch.randn(
            (idx.numel(),), generator=gen, device=mask.device
        )
        log_rhoa = drawn["log_rhoa"] + shift[:, None]
        x, lg = encode(log_rhoa, drawn["phase_deg"], drawn["p"], mask)
        y = (torch.gather(self.log_rho[idx], 1, _frame_shift_index(lg)) - lg[:, None]) / LOG_SCALE
        x = torch.cat([x, prior_channels(priors, lg)], 1)
        return dict(
            drawn, log_rhoa=log_rhoa, mask=mask, lg=lg, x=x, y=y, shift=shift, priors=priors
        )


def quantiles_from_raw(raw):
    """Non-crossing quantiles (n, Q, L) from a network's raw output (n, Q, L): the median
    channel as it is, the others at cumulative softplus steps below and above it. torch
    tensors or numpy arrays."""
    if isinstance(raw, torch.Tensor):
        steps = torch.nn.functional.softplus(raw)
        up = torch.cumsum(steps[:, MEDIAN + 1 :], 1)
        down = torch.cumsum(steps[:, :MEDIAN].flip(1), 1).flip(1)
        mid = raw[:, MEDIAN : MEDIAN + 1]
        return torch.cat([mid - down, mid, mid + up], 1)
    steps = np.logaddexp(0.0, raw)
    up = np.cumsum(steps[:, MEDIAN + 1 :], 1)
    down = np.cumsum(steps[:, :MEDIAN][:, ::-1], 1)[:, ::-1]
    mid = raw[:, MEDIAN : MEDIAN + 1]
    return np.concatenate([mid - down, mid, mid + up], 1)


def pinball_loss(raw: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The mean pinball (quantile) loss of the quantiles of raw output ``raw`` (b, Q, L)
    for targets ``y`` (b, L), normalized units; (loss, loss): what the training loop
    minimizes and reports (:func:`mtlib.harness.train.fit`)."""
    q = quantiles_from_raw(raw.float())
    tau = torch.as_tensor(QUANTILES, dtype=q.dtype, device=q.device)[None, :, None]
    err = y[:, None, :] - q
    loss = torch.mean(torch.maximum(tau * err, (tau - 1) * err))
    return loss, loss


def information_errors(freq_hz, z_rel_err, mask) -> np.ndarray:
    """Per-datum |Z| errors (n, F) that carry each datum's information onto the axis'
    10 points per decade: ``p × sqrt(s)``, ``s`` the datum's mean distance to its usable
    neighbours in axis steps (those within :data:`MAX_GAP_DECADES`; 1 without any), so
    that the interpolated curve weighs as the data do. Arrays (n, F) as
    :func:`~mtlib.networks.fieldnet.stack_soundings` gives them."""
    freq = np.asarray(freq_hz, dtype=float)
    u = np.where(mask, -PER_DECADE * np.log10(freq), np.inf)
    order = np.argsort(u, axis=1)
    with np.errstate(invalid="ignore"):  # (inf − inf between masked periods: not near)
        gaps = np.diff(np.take_along_axis(u, order, 1), axis=1)
    edge = np.full((u.shape[0], 1), np.inf)
    sides = np.stack([np.concatenate([edge, gaps], 1), np.concatenate([gaps, edge], 1)])
    near = sides <= MAX_GAP_DECADES * PER_DECADE + 1e-9
    count = near.sum(0)
    spacing = np.where(count > 0, np.where(near, sides, 0.0).sum(0) / np.maximum(count, 1), 1.0)
    out = np.empty_like(spacing)
    np.put_along_axis(out, order, spacing, 1)
    return np.broadcast_to(z_rel_err, freq.shape) * np.sqrt(out)


def quantile_at(quantiles, prob: float, probabilities=QUANTILES) -> np.ndarray:
    """The ``prob`` quantile from stored ones (..., Q, L) at ``probabilities`` (Q,):
    linear in the standard-normal score between the two nearest (exact for a Gaussian);
    ``ValueError`` outside the stored range."""
    if not probabilities[0] <= prob <= probabilities[-1]:
        raise ValueError(
            f"quantile {prob} lies outside the stored {probabilities[0]}–{probabilities[-1]}"
        )
    k = int(np.clip(np.searchsorted(probabilities, prob) - 1, 0, probabilities.size - 2))
    z0, z1, z = ndtri([probabilities[k], probabilities[k + 1], prob])
    t = (z - z0) / (z1 - z0)
    return (1 - t) * quantiles[..., k, :] + t * quantiles[..., k + 1, :]


@dataclass(frozen=True)
class QuantileGuesses(Guesses):
    """:class:`~mtlib.networks.predictor.Guesses` of the posterior network: the median as
    ``rho_ohmm``, the central ``level`` interval, ``std_log10`` half the 68 % interval, and
    ``quantiles_log10`` (n, Q, L) at :data:`QUANTILES`, all values of log10 ρ *at* the
    depth of each layer's log-centre (``δ_ref × 10^GRID_CENTRES``)."""

    quantiles_log10: np.ndarray | None = None

    def onto_quantiles(self, thick_m) -> np.ndarray:
        """The quantiles (n, Q, M) of log10 ρ on layer grids ``thick_m`` (n, M-1) m, read
        at each layer's log-centre (:func:`mtlib.grid.layer_centres_log_m`; linear in log
        depth between the network's depths, held beyond them). The marginals are of the
        value at a depth, so they are read there, not averaged over a layer."""
        centres = np.log10(layer_centres_log_m(np.asarray(thick_m) / self.tops_scale[:, None]))
        step = GRID_CENTRES[1] - GRID_CENTRES[0]
        at = np.clip((centres - GRID_CENTRES[0]) / step, 0, GRID_CENTRES.size - 1)
        k = np.minimum(at.astype(int), GRID_CENTRES.size - 2)
        t = (at - k)[:, None, :]
        k = np.broadcast_to(k[:, None, :], (k.shape[0], QUANTILES.size, k.shape[1]))
        q = self.quantiles_log10
        return (1 - t) * np.take_along_axis(q, k, 2) + t * np.take_along_axis(q, k + 1, 2)

    def onto(self, thick_m) -> dict:
        """The guesses on layer grids ``thick_m`` (n, M-1) m, read as
        :meth:`onto_quantiles` reads them: the median ``rho``, the ``level`` interval
        ``low``, ``high`` (Ω·m) and ``std`` (decades, half the 68 % interval)."""
        mapped = self.onto_quantiles(thick_m)
        half = 0.5 + self.level / 2
        return dict(
            rho=10.0 ** mapped[:, MEDIAN],
            low=10.0 ** quantile_at(mapped, 1 - half),
            high=10.0 ** quantile_at(mapped, half),
            std=0.5 * (mapped[:, 4] - mapped[:, 2]),
        )


def default_priors(soundings) -> list[Prior]:
    """Each sounding's :meth:`Prior.default` of its usable periods (what :func:`mtlib.sample`
    uses when given no prior)."""
    return [Prior.default(f[m], r[m]) for f, r, _, _, m in soundings]


def prior_rows(priors: list[Prior]) -> np.ndarray:
    """Priors as rows (n, 6) (columns :data:`V_LO` … :data:`SHIFT_STD`)."""
    return np.array(
        [[*p.log10_rho, *p.log10_depth_m, p.n_max, p.static_shift_std_log10 or 0.0] for p in priors]
    )


class PosteriorNetwork(Bundled, Network):
    """The trained posterior U-Net (:class:`~mtlib.networks.unet.UNet1d` of
    :data:`IN_CHANNELS` inputs and ``len(QUANTILES)`` outputs); ``training`` records how it
    was made, with ``input_ranges``: the prior channels, band spans and median errors its
    training soundings covered (:meth:`outside_training`)."""

    kind = "posterior"
    has_uncertainty = True

    def __init__(self, net: UNet1d, training: dict | None = None):
        self.net = net.eval()
        self._inference = None  # the network with BatchNorm folded, built on first use
        self.training = dict(training or {})

    def normalized(self, x, batch_size: int = 512) -> np.ndarray:
        """Quantiles (n, Q, L) of (log10 ρ − lg)/2, float64, for inputs ``x`` (n, 10, 91)
        (tensor or array), on the CPU in chunks of ``batch_size``."""
        if self._inference is None:
            self._inference = InferenceUNet(self.net)
        return quantiles_from_raw(infer_chunked(self._inference, x, batch_size))

    def inputs(self, soundings, priors=None) -> dict:
        """The network input ``x`` (n, 10, 91) of soundings ``(freq_hz, rhoa_ohmm, phase_deg,
        z_rel_err, mask)`` and the data on the axis (``log_rhoa``, ``mask`` (n, 91), ``lg``,
        ``f_top`` (n,)), the priors as rows (``priors``, :func:`prior_rows`) and as given
        (``prior_list``). ``priors``: None (each sounding's :meth:`Prior.default`), one
        :class:`Prior` for all, or one per sounding."""
        freq, rhoa, phase, p, mask = stack_soundings(soundings)
        p_axis = information_errors(freq, p, mask)
        log_rhoa, phase_axis, p_on_axis, on_axis, f_top = on_axis_rows(
            freq, rhoa, phase, p_axis, mask
        )
        x, lg = encode(log_rhoa, phase_axis, p_on_axis, on_axis)
        if priors is None:
            priors = default_priors(soundings)
        elif isinstance(priors, Prior):
            priors = [priors] * len(soundings)
        rows = prior_rows(priors)
        channels = prior_channels(rows, lg, np.log10(f_top))
        return dict(
            x=np.concatenate([x, channels], 1),
            log_rhoa=log_rhoa,
            mask=on_axis,
            lg=lg,
            f_top=f_top,
            priors=rows,
            prior_list=list(priors),
        )

    def quantile_guesses(self, soundings, priors=None, level: float = 0.95) -> QuantileGuesses:
        """Per-depth posterior quantiles of log10 ρ for ``soundings`` under ``priors`` (see
        :meth:`inputs`), with the central ``level`` interval (``level`` ≤ 0.95), on the
        network's depths ``δ_ref × 10^GRID_CENTRES``."""
        return self.guesses_from(self.inputs(soundings, priors), level)

    def log10_quantiles(self, x, lg, priors) -> np.ndarray:
        """Quantiles (n, Q, L) of log10 ρ for inputs ``x`` of soundings of level ``lg`` (n,)
        under ``priors`` (n, ≥ 2): within the prior's log10 ρ bounds, where every posterior
        lies."""
        q = LOG_SCALE * self.normalized(x) + np.asarray(lg)[:, None, None]
        return np.clip(q, priors[:, V_LO, None, None], priors[:, V_HI, None, None])

    def guesses_from(self, inp: dict, level: float = 0.95) -> QuantileGuesses:
        """:meth:`quantile_guesses` from prepared inputs (:meth:`inputs`)."""
        q = self.log10_quantiles(inp["x"], inp["lg"], inp["priors"])
        half = 0.5 + level / 2
        return QuantileGuesses(
            rho_ohmm=10.0 ** q[:, MEDIAN],
            tops_unit_m=FRAME_TOPS,
            tops_scale=skin_depth_m(10.0 ** inp["lg"], inp["f_top"]),
            std_log10=0.5 * (q[:, 4] - q[:, 2]),
            low_ohmm=10.0 ** quantile_at(q, 1 - half),
            high_ohmm=10.0 ** quantile_at(q, half),
            level=level,
            quantiles_log10=q,
        )

    def guess_arrays(self, soundings, level: float = 0.95, priors=None) -> QuantileGuesses:
        """:meth:`~mtlib.networks.predictor.Network.guess_arrays`: :meth:`quantile_guesses`
        (the posterior median as the model)."""
        return self.quantile_guesses(soundings, priors, level)

    def outside_training(self, soundings, priors=None, inp: dict | None = None) -> list[str]:
        """Per sounding, what lies beyond the network's training ('' where nothing does):
        a band of usable data outside 1.5–9 decades, a median |Z| error, a prior channel
        or width, or a share of the band used outside what its training soundings covered
        (``training["input_ranges"]``), a static shift's σ between 0 and the least it was
        trained with, or an ``n_min`` other than 1. ``inp``: the soundings' :meth:`inputs`, if at
        hand."""
        inp = self.inputs(soundings, priors) if inp is None else inp
        ranges = self.training.get("input_ranges", {})
        checks = sounding_summary(inp, soundings)
        family = self.training.get("prior_family", asdict(TRAINING_FAMILY))
        shift_lo = (1 - 1e-6) * family["shift_std"][0]
        out = []
        for k in range(len(soundings)):
            notes = []
            for name, values in checks.items():
                lo, hi = ranges.get(name, (-np.inf, np.inf))
                if not lo <= values[k] <= hi:
                    notes.append(f"{name} {values[k]:.3g} outside [{lo:.3g}, {hi:.3g}]")
            shift = checks[PRIOR_CHANNEL_NAMES[5]][k]
            if 0 < shift < shift_lo:
                notes.append(f"static shift σ {shift:.3g} (trained with 0 or ≥ {shift_lo:.3g})")
            if inp["prior_list"][k].n_min != 1:
                notes.append(f"n_min {inp['prior_list'][k].n_min} (trained with 1)")
            out.append("; ".join(notes))
        return out

    def to_bundle(self) -> dict:
        return unet_bundle(self.kind, self.net, self.training)

    @classmethod
    def from_bundle(cls, bundle: dict, source: str = "bundle") -> "PosteriorNetwork":
        return cls(unet_of_bundle(bundle, cls.kind, source), bundle["training"])


PRIOR_CHANNEL_NAMES = (
    "log10 rho low - lg",
    "log10 rho high - lg",
    "log10 top interface / delta_ref",
    "log10 bottom interface / delta_ref",
    "n_max",
    "static shift sigma",
)


def sounding_summary(inp: dict, soundings=None) -> dict:
    """What :meth:`PosteriorNetwork.outside_training` checks, per sounding (n,): the prior
    channels in decades (:data:`PRIOR_CHANNEL_NAMES`) and the widths of its log10 ρ and
    interface ranges, the share of the axis points within the band that carry data, the
    band of usable data (decades) and the median |Z| error of the used periods — of
    ``soundings`` when given, else on the axis."""
    x, mask = np.asarray(inp["x"]), np.asarray(inp["mask"], dtype=bool)
    scale = (LOG_SCALE,) * 4 + (MAX_LAYERS, SHIFT_UNIT_LOG10)
    out = {name: x[:, 4 + j, 0] * s for j, (name, s) in enumerate(zip(PRIOR_CHANNEL_NAMES, scale))}
    # the prior's widths too: training priors are never narrow, whatever their ends
    out["log10 rho width"] = out[PRIOR_CHANNEL_NAMES[1]] - out[PRIOR_CHANNEL_NAMES[0]]
    out["interface range decades"] = out[PRIOR_CHANNEL_NAMES[3]] - out[PRIOR_CHANNEL_NAMES[2]]
    # data too sparse for the axis (spacings above MAX_GAP_DECADES) leave most of it unused
    first = np.argmax(mask, axis=1)
    last_used = mask.shape[1] - 1 - np.argmax(mask[:, ::-1], axis=1)
    out["share of the band used"] = mask.sum(axis=1) / (last_used - first + 1)
    if soundings is None:
        last = mask.shape[1] - 1 - np.argmax(mask[:, ::-1], axis=1)
        out["band decades"] = last / PER_DECADE
        errors = [x[k, 3][mask[k]] / 2 for k in range(x.shape[0])]
    else:
        out["band decades"] = np.array(
            [np.log10(f[m].max() / f[m].min()) for f, *_, m in soundings]
        )
        errors = [np.broadcast_to(p, f.shape)[m] for f, _, _, p, m in soundings]
    out["median |Z| error"] = np.array([np.median(e) for e in errors])
    return out


def input_ranges(drawn: dict, margin: float = 0.001) -> dict:
    """The range of every quantity of :func:`sounding_summary` over training soundings
    ``drawn`` (:meth:`PosteriorData.draw`), from its ``margin`` to its 1 − ``margin``
    quantile (band spans: the axis' 1.5–9 decades)."""
    summary = sounding_summary({k: drawn[k].numpy() for k in ("x", "mask")})
    ranges = {
        name: [float(np.quantile(v, margin)), float(np.quantile(v, 1 - margin))]
        for name, v in summary.items()
    }
    ranges["band decades"] = [MIN_BAND_DECADES, AXIS_DECADES]
    return ranges


TEST_SEED = 20_261_203
"""Seed of the fresh soundings of :func:`frame_metrics` (no training run uses it)."""
COVERAGE_LEVELS = (0.68, 0.9, 0.95)
DEPTH_GROUPS = (-3.0, -2.0, -1.0, -0.5, 0.0)
"""Groups of log10(depth / depth of investigation) in which coverage is reported (above
the depth of investigation)."""


def frame_metrics(
    net: PosteriorNetwork,
    n: int = 5000,
    z_rel_err: tuple[float, float] = (0.02, 0.1),
    family: PriorFamily = DEFAULT_FAMILY,
    seed: int = TEST_SEED,
) -> dict:
    """Calibration of ``net`` on ``n`` fresh soundings: earths of priors of ``family``
    (default: the sampler's default prior), base |Z| errors log-uniform on ``z_rel_err``
    (per-datum scatter and gaps as in training). The truth's coverage of the 68/90/95 %
    intervals at the network's depths above the depth of investigation (the
    Niblett–Bostick depth of the longest period), overall and per group of
    log10(depth / that depth) (:data:`DEPTH_GROUPS`), and the mean pinball loss there
    (decades), next to that of the prior's own quantiles (what ignoring the data scores)."""
    test = PosteriorData.generate(
        n, seed, family=family, augment=replace(AUGMENT, err_log10=tuple(np.log10(z_rel_err)))
    )
    drawn = test.draw(torch.arange(n), torch.Generator().manual_seed(seed))
    log_rhoa, mask, lg = (drawn[k].numpy() for k in ("log_rhoa", "mask", "lg"))
    relative = GRID_CENTRES[None, :] - doi_log_depth(log_rhoa, mask, lg)[:, None]
    inside = relative <= 0
    truth = LOG_SCALE * drawn["y"].double().numpy() + lg[:, None]
    q = net.log10_quantiles(drawn["x"], lg, drawn["priors"].double().numpy())
    coverage = {}
    for level in COVERAGE_LEVELS:
        low, high = quantile_at(q, 0.5 - level / 2), quantile_at(q, 0.5 + level / 2)
        hit = (truth >= low) & (truth <= high)
        groups = {}
        for lo, hi in zip(DEPTH_GROUPS[:-1], DEPTH_GROUPS[1:]):
            sel = (relative > lo) & (relative <= hi)
            groups[f"{lo:g}..{hi:g}"] = float(hit[sel].mean())
        coverage[f"{level:.2f}"] = {"inside_doi": float(hit[inside].mean()), "per_group": groups}
    tau = QUANTILES[None, :, None]
    err = truth[:, None, :] - q
    loss = np.maximum(tau * err, (tau - 1) * err).mean(axis=1)
    # the prior's own quantiles (log10 ρ is uniform on its bounds at every depth): the loss
    # of a network that ignored the data
    bounds = drawn["priors"].double().numpy()[:, [V_LO, V_HI]]
    q_prior = bounds[:, :1, None] + QUANTILES[None, :, None] * np.diff(bounds)[:, :, None]
    err = truth[:, None, :] - q_prior
    prior_loss = np.maximum(tau * err, (tau - 1) * err).mean(axis=1)
    return {
        "what": f"{n} fresh soundings of "
        + ("the sampler's default prior" if family == DEFAULT_FAMILY else "the training priors")
        + f", base |Z| errors {100 * z_rel_err[0]:g}–{100 * z_rel_err[1]:g} % (log-uniform, "
        "scattered per datum), random 1.5–9 decade bands with gaps",
        "family": asdict(family),
        "coverage": coverage,
        "pinball_inside_doi": float(loss[inside].mean()),
        "pinball_of_the_prior_inside_doi": float(prior_loss[inside].mean()),
    }
