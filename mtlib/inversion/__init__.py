"""Field-data entry point: any band, real errors → network guess → Occam/Gauss–Newton.

For each sounding (:func:`invert` for one, :func:`invert_many` for a batch):

1. **Checks and errors** (:mod:`mtlib.data_errors`): only the usable periods are validated;
   periods whose |Z| error reaches the cap (default 100 %) or whose phase leaves (0°, 90°)
   are masked with a warning that names them; a sounding is refused only when fewer than
   ``MIN_PERIODS`` usable periods or less than ``MIN_SPAN_DECADES`` decades remain.
2. **A model grid that covers the data** (:func:`covering_grid`): ``n_layers`` layers
   whose tops are log-spaced from a fraction of the shallowest skin depth (highest
   frequency, its observed ρa) down to a few skin depths at the longest period.
3. **The network's guess**: by default the field network (:mod:`mtlib.networks.fieldnet`), which
   reads any band of 1.5–9 decades with its gaps and errors in a frame set by the data's
   highest frequency and mean level, and answers on its own grid in metres with a
   calibrated σ. With the paper's network or ensemble (``net=``) the exact similarity laws
   of 1D MT move the sounding into that network's band instead — a model (ρ, h) at f has
   the same phase and ``a``-times the ρa of (aρ, s·h) at ``f·a/s²`` — it predicts (told the
   data's errors), and the guess and its σ map back. Either way the guess is read onto the
   data's grid; depths below a network's grid fall back to a smooth default, the
   Niblett–Bostick transform of the data, with a σ of ``FALLBACK_STD_LOG10`` decades: the
   uncertainty says the network does not know them.
4. **Occam/Gauss–Newton** (:mod:`mtlib.inversion.occam`) with the guess as starting *and* reference
   model and its σ as the reference's weight: each sounding chooses its own trade-off μ by
   the discrepancy principle, stops on its own, and reports iterations and μ; an optional
   static shift is estimated with a prior and reported with its σ. ``start="halfspace"``
   inverts from (and towards) a half-space instead, the classic Occam set-up.
   ``trade_off="posterior"`` takes the network's σ at its word instead (μ = 1): the
   posterior mode of its Gaussian prior and the data. Occam forces every sounding to the
   target nRMS, so where the noise happens to exceed the errors (about half the soundings
   of a synthetic set) it fits the noise; the posterior mode weighs the two as their
   errors say — better models where the network's σ is calibrated (its training prior),
   not a guaranteed fit where it is not (real earths far from that prior).

The depth of investigation ``doi_m`` is the Niblett–Bostick penetration depth
``sqrt(ρa/(ωμ0))`` (δ/√2) of the longest usable period on the final model's response: a
rule of thumb from the data alone. ``oldenburg_li=True`` measures one from the inversion
itself (Oldenburg & Li 1999, ``doi_index_m``): the soundings are inverted twice more
towards two half-space references a decade above and below the data's level, each fitting
the data about as well as the final model does (within ``OL_FIT_SLACK`` of its nRMS, or the
target if lower), and where the
two models differ by more than ``OL_THRESHOLD`` of the references' difference the model
follows the reference, not the data. (The network's σ flag, ``network_uncertain_below_m``,
is neither: it says where the network was unsure.)
"""

from __future__ import annotations

import functools
import time
import warnings
from dataclasses import dataclass

import numpy as np

from .. import data_errors
from .._deprecated import renamed
from ..constants import DOI_THRESHOLD_DECADES, PHASE_RANGE_DEG
from ..forward import MU0, skin_depth_m
from ..generator import RHO_MAX_OHMM, RHO_MIN_OHMM
from ..grid import guess_onto_grid, layer_centres_log_m, layer_tops_m
from ..networks.fieldnet import FRAME_TOPS, FieldNetwork, stack_soundings
from ..networks.predictor import Predictor, resolved_depth_m, told_noise
from ..networks.pretrained import DEFAULT_FIELD_NETWORK, load_pretrained
from .occam import SMALLNESS, blocky_invert, occam_invert

MIN_PERIODS = 4
"""Fewest usable periods a sounding may have."""
MIN_SPAN_DECADES = 1.5
"""Least span of usable data (decades of frequency)."""
COVERING_N_LAYERS = 50
"""Layers of the data-covering grid (the last one a half-space)."""
TOP_SKIN_FRACTION = 0.2
"""First layer thickness as a fraction of the skin depth at the highest frequency."""
BOTTOM_SKIN_DEPTHS = 2.0
"""Top of the half-space in skin depths at the longest period."""
FALLBACK_STD_LOG10 = 1.0
"""σ (decades) of the reference where the network says nothing (below its grid), and of the
Oldenburg–Li half-space references."""
HALFSPACE_STD_LOG10 = 10.0
"""σ (decades) of a half-space reference (``start="halfspace"``): a weight of 1/100 on the
closeness to it, so the roughness alone decides as in Occam's inversion (with σ = 1 decade
the pull towards the half-space made models oscillate inside conductors)."""
PLAIN_NETWORK_STD_LOG10 = 0.3
"""σ (decades) given to the guess of a network without uncertainty (the paper's U-Net)."""
STATIC_SHIFT_STD_LOG10 = 0.3
"""Prior σ (decades) of the static shift when it is estimated: a factor 2 either way."""
STARTS = ("network", "halfspace")
ROUGHNESS = ("smooth", "blocky")
TRADE_OFFS = ("discrepancy", "posterior")
"""How μ is set: Occam's discrepancy principle (the smoothest model, nearest the reference,
that reaches the target nRMS), or μ = 1: the reference's σ read as a Gaussian prior and
the posterior mode returned (the network's guess trusted exactly as far as its σ says)."""
OL_REFERENCE_DECADES = 1.0
"""The Oldenburg–Li references: half-spaces this many decades above and below the data's
mean log ρa."""
OL_THRESHOLD = 0.1
"""Oldenburg–Li index above which a layer's resistivity is set by the reference."""
OL_FITTED_FACTOR = 1.1
"""A sounding whose final nRMS exceeds this times the target gets no Oldenburg–Li depth."""
OL_FIT_SLACK = 1.02
"""The two Oldenburg–Li inversions may fit this much worse (nRMS) than the final model: with
none, an over-fitted sounding starts them exactly on their target, and round-off decided
whether they could take a step (IAJ36: a depth of 0 or 85.7 km with grids equal to 1e-16)."""


@dataclass
class BandScaling:
    """``rho_net = a · rho``, ``thick_net = s · thick``, ``freq_net = freq · a / s²``."""

    a: float
    s: float

    def to_network(self, freq_hz, rhoa_ohmm):
        return np.asarray(freq_hz) * self.a / self.s**2, np.asarray(rhoa_ohmm) * self.a

    def model_from_network(self, rho_net_ohmm, thick_net_m):
        return np.asarray(rho_net_ohmm) / self.a, np.asarray(thick_net_m) / self.s


def choose_scaling(freq_hz, rhoa_ohmm, net_freq_hz) -> BandScaling:
    """The least scaling that puts a sounding where the network was trained.

    A sounding whose ρa lie inside the trained range (2–220 Ω·m) and whose band lies inside
    the network's is left as it is (``a = s = 1``): every rescaling costs accuracy through
    the resampling and the mapping back. Otherwise log ρa is centred in the trained range
    (``a``) and the log-frequency band on the network's (``s``).
    """
    rhoa, freq = np.asarray(rhoa_ohmm), np.asarray(freq_hz)
    net_lo, net_hi = np.min(net_freq_hz), np.max(net_freq_hz)
    if (
        rhoa.min() >= RHO_MIN_OHMM
        and rhoa.max() <= RHO_MAX_OHMM
        and freq.min() >= net_lo * (1 - 1e-9)
        and freq.max() <= net_hi * (1 + 1e-9)
    ):
        return BandScaling(a=1.0, s=1.0)
    a = np.sqrt(RHO_MIN_OHMM * RHO_MAX_OHMM) / np.exp(np.mean(np.log(rhoa)))
    f_centre = np.exp(0.5 * (np.log(freq.max()) + np.log(freq.min())))
    net_centre = np.exp(0.5 * (np.log(net_hi) + np.log(net_lo)))
    return BandScaling(a=float(a), s=float(np.sqrt(f_centre * a / net_centre)))


def resample_to(freq_target_hz, freq_hz, values):
    """Linear interpolation in log f, held constant beyond the data's ends."""
    order = np.argsort(freq_hz)
    return np.interp(
        np.log(freq_target_hz), np.log(np.asarray(freq_hz)[order]), np.asarray(values)[order]
    )


def covering_grid(
    freq_hz,
    rhoa_ohmm,
    n_layers: int = COVERING_N_LAYERS,
    top_skin_fraction: float = TOP_SKIN_FRACTION,
    bottom_skin_depths: float = BOTTOM_SKIN_DEPTHS,
) -> np.ndarray:
    """Thicknesses ``(n_layers - 1,)`` in m of a grid that covers what the data see.

    Usable data ``(F,)``: the first layer is ``top_skin_fraction`` skin depths thick at the
    highest frequency (its observed ρa), the half-space starts ``bottom_skin_depths`` skin
    depths down at the lowest frequency, and the layer tops in between are log-spaced.
    """
    if n_layers < 3:
        raise ValueError(f"n_layers must be >= 3, got {n_layers}")
    freq, rhoa = np.asarray(freq_hz, dtype=float), np.asarray(rhoa_ohmm, dtype=float)
    hi, lo = np.argmax(freq), np.argmin(freq)
    first = top_skin_fraction * skin_depth_m(rhoa[hi], freq[hi])
    bottom = max(bottom_skin_depths * skin_depth_m(rhoa[lo], freq[lo]), 10 * first)
    # log-spaced tops (np.geomspace's checks cost more than the arithmetic)
    tops = np.exp(np.linspace(np.log(first), np.log(bottom), n_layers - 1))
    return np.diff(tops, prepend=0.0)


def bostick(freq_hz, rhoa_ohmm, phase_deg):
    """Niblett–Bostick transform: depth ``sqrt(ρa/(ωμ0))`` in m and resistivity
    ``ρa (π/(2φ) − 1)`` in Ω·m per period (φ in radians inside), a zero-cost approximate
    1D model; the resistivity is kept within a decade of ρa where the phase is extreme."""
    freq = np.asarray(freq_hz, dtype=float)
    rhoa = np.asarray(rhoa_ohmm, dtype=float)
    phase = np.radians(np.asarray(phase_deg, dtype=float))
    depth = np.sqrt(rhoa / (2 * np.pi * freq * MU0))
    rho = rhoa * np.clip(np.pi / (2 * phase) - 1, 0.1, 10.0)
    return depth, rho


def _bostick_on(thick_m, freq, rhoa, phase):
    """log10 of the Niblett–Bostick model sampled at the grid's layers, smoothed by a
    three-layer running mean (held constant beyond the data's depths)."""
    depth, rho = bostick(freq, rhoa, phase)
    order = np.argsort(depth)
    values = np.interp(
        np.log(layer_centres_log_m(thick_m)), np.log(depth[order]), np.log10(rho[order])
    )
    padded = np.concatenate([values[:1], values, values[-1:]])
    return (padded[:-2] + padded[1:-1] + padded[2:]) / 3


@dataclass
class InversionResult:
    """One sounding's inversion; L layers of the data-covering grid, F periods as given."""

    rho_ohmm: np.ndarray  # (L,) final model
    thick_m: np.ndarray  # (L-1,) its layer thicknesses
    depth_m: np.ndarray  # (L,) depth of the top of each layer
    nrms: float  # normalized RMS misfit of the final model (usable data)
    nrms_network: float  # the same for the network's guess on this grid
    rho_network_ohmm: np.ndarray  # (L,) the reference: network guess (or half-space)
    predicted: tuple  # (ρa, φ) of the final model at the data's frequencies
    static_shift: float  # ρa factor estimated (1 if not asked)
    static_shift_std_log10: float  # its posterior σ in decades (0 if not asked)
    iterations: int  # Gauss–Newton iterations
    mu: float  # trade-off μ of the last accepted step (NaN: none taken; 1: posterior)
    stop: str  # "target", "best fit", "max_iter" or ("posterior") "converged"
    doi_m: float  # depth of investigation (Niblett–Bostick, longest period)
    mask: np.ndarray  # (F,) periods used
    scaling: BandScaling | None  # the similarity scaling into the network's band
    reference_std_log10: np.ndarray  # (L,) σ of the reference per layer (decades)
    network_covered: np.ndarray  # (L,) True where the network's grid reaches the layer
    std_log10: np.ndarray | None = None  # (L,) σ of the network's guess (ensemble;
    network_low_ohmm: np.ndarray | None = None  # NaN below its grid), its 95 % interval
    network_high_ohmm: np.ndarray | None = None
    network_uncertain_below_m: float | None = None  # σ > threshold below (inf: nowhere)
    seconds: float = 0.0  # wall time of this sounding's share of the batch
    doi_index: np.ndarray | None = None  # (L,) Oldenburg–Li index (oldenburg_li=True)
    doi_index_m: float | None = None  # below it the index exceeds OL_THRESHOLD (inf: nowhere
    # on the grid; NaN: not fitted to the target)

    @property
    def n_masked(self) -> int:
        return int(self.mask.size - self.mask.sum())


def _as_vector(name, values, n):
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(
            f"{name} must be 1-D of length {n} (one per frequency), got shape {arr.shape}"
        )
    if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise ValueError(f"{name} must be real numbers, got dtype {arr.dtype}")
    return arr.astype(float)


def _usable(resp, k: int, z_err_cap: float, err_name: str):
    """Checked arrays of sounding ``k`` and its usable mask; refusals name the sounding."""
    who = f"sounding {resp.station or k}"
    freq = np.asarray(resp.freq_hz, dtype=float)
    if freq.ndim != 1 or freq.size == 0:
        raise ValueError(f"{who}: freq_hz must be a non-empty 1-D array, got shape {freq.shape}")
    if not np.all(np.isfinite(freq) & (freq > 0)):
        raise ValueError(f"{who}: freq_hz must be finite and > 0 everywhere")
    n = freq.size
    rhoa = _as_vector("rhoa_ohmm", resp.rhoa_ohmm, n)
    phase = _as_vector("phase_deg", resp.phase_deg, n)
    p = (
        np.broadcast_to(np.asarray(resp.z_rel_err, dtype=float), (n,))
        if np.ndim(resp.z_rel_err) == 0
        else _as_vector(err_name, resp.z_rel_err, n)
    )
    if resp.mask is None:
        mask = np.isfinite(rhoa) & (rhoa > 0) & np.isfinite(phase)
    else:
        mask = np.asarray(resp.mask)
        if mask.dtype != bool or mask.shape != (n,):
            raise ValueError(
                f"{who}: mask must be a boolean array of shape ({n},) (True where "
                f"a period is usable), got dtype {mask.dtype}, shape {mask.shape}"
            )
        bad = mask & ~(np.isfinite(rhoa) & (rhoa > 0) & np.isfinite(phase))
        if bad.any():
            raise ValueError(
                f"{who}: rhoa_ohmm must be finite and > 0 and phase_deg finite on "
                f"the periods the mask keeps; not on "
                f"{data_errors.describe_periods(freq, bad)}"
            )
    outside = mask & ((phase <= 0) | (phase >= 90))
    if outside.any():
        warnings.warn(
            f"{who}: masked {data_errors.describe_periods(freq, outside)} whose phase is "
            "outside (0°, 90°), impossible for a 1D earth",
            UserWarning,
            stacklevel=4,
        )
        mask = mask & ~outside
    mask = data_errors.usable_errors(freq, p, mask, cap=z_err_cap, name=err_name, who=who)
    used = freq[mask]
    if np.unique(used).size != used.size:
        values, counts = np.unique(used, return_counts=True)
        raise ValueError(
            f"{who}: duplicated frequencies among the usable periods: "
            f"{', '.join(f'{f:g}' for f in values[counts > 1])} Hz; average "
            "them or mask all but one"
        )
    if used.size < MIN_PERIODS:
        raise ValueError(
            f"{who}: only {used.size} usable periods of {n}; at least "
            f"{MIN_PERIODS} are needed (finite ρa > 0, a phase in (0, 90)° and an "
            f"error below {100 * z_err_cap:g} % of |Z|)"
        )
    span = np.log10(used.max() / used.min())
    if span < MIN_SPAN_DECADES:
        raise ValueError(
            f"{who}: the usable periods span {span:.2f} decades of frequency; "
            f"at least {MIN_SPAN_DECADES} are needed for a 1D inversion"
        )
    return freq, rhoa, phase, np.where(mask, p, 1.0), mask


def _clean_rows(responses, z_err_cap: float) -> list:
    """:func:`_usable` of every sounding at once where nothing is to be said: a list of
    its checked arrays, or None for a sounding that :func:`_usable` must look at alone (and
    warn about, or refuse by name). Only soundings of one length and real dtypes are
    checked together (a thousand soundings: ~3 µs each instead of ~30)."""
    n = len(responses)
    try:
        freq, rhoa, phase, p = (
            np.array([getattr(r, name) for r in responses])
            for name in ("freq_hz", "rhoa_ohmm", "phase_deg", "z_rel_err")
        )
    except ValueError:  # ragged: one by one
        return [None] * n
    masks = [r.mask for r in responses]
    given = [m is not None for m in masks]
    real = all(a.dtype.kind in "iuf" for a in (freq, rhoa, phase, p))
    if (
        not real
        or freq.ndim != 2
        or rhoa.shape != freq.shape
        or phase.shape != freq.shape
        or p.shape not in ((n,), freq.shape)
        or any(given) != all(given)
        or not z_err_cap > 0
    ):
        return [None] * n
    freq, rhoa, phase = (a.astype(float) for a in (freq, rhoa, phase))
    p = np.broadcast_to(p.astype(float).reshape(n, -1), freq.shape)
    finite = np.isfinite(rhoa) & (rhoa > 0) & np.isfinite(phase)
    clean = np.all(np.isfinite(freq) & (freq > 0), axis=1)
    if all(given):
        mask = np.array(masks)
        if mask.dtype != bool or mask.shape != freq.shape:
            return [None] * n
        clean &= ~np.any(mask & ~finite, axis=1)
    else:
        mask = finite
    # nothing to mask with a warning: phases outside (0, 90)°, errors at the cap
    clean &= ~np.any(mask & ((phase <= 0) | (phase >= 90)), axis=1)
    clean &= ~np.any(mask & ~(np.isfinite(p) & (p > 0) & (p < z_err_cap)), axis=1)
    used = np.sort(np.where(mask, freq, np.nan), axis=1)  # (NaN last, never equal)
    clean &= ~np.any(used[:, 1:] == used[:, :-1], axis=1)
    count = mask.sum(axis=1)
    clean &= count >= MIN_PERIODS
    with np.errstate(invalid="ignore", divide="ignore"):
        span = np.log10(
            np.nanmax(used, axis=1, initial=-np.inf) / np.nanmin(used, axis=1, initial=np.inf)
        )
    clean &= span >= MIN_SPAN_DECADES
    p = np.where(mask, p, 1.0)
    return [(freq[k], rhoa[k], phase[k], p[k], mask[k]) if clean[k] else None for k in range(n)]


@functools.cache
def default_network() -> FieldNetwork:
    """The shipped field network that :func:`invert` uses when given none, loaded once per
    process (a load takes ≈ 20 ms, four times a whole inversion)."""
    return load_pretrained(DEFAULT_FIELD_NETWORK)


def _paper_network_models(net: Predictor, data) -> dict:
    """The paper network's (or ensemble's) guesses, on its own grid in metres: each sounding
    moved into the trained band by the similarity laws and back. Arrays as
    :func:`_network_models` returns them, and the ``scalings``."""
    inputs, told, scalings = [], [], []
    for freq, rhoa, phase, p, mask in data:
        scaling = choose_scaling(freq[mask], rhoa[mask], net.freq_hz)
        f_s, rhoa_s = scaling.to_network(freq[mask], rhoa[mask])
        inputs.append(
            (
                np.exp(resample_to(net.freq_hz, f_s, np.log(rhoa_s))),
                np.clip(resample_to(net.freq_hz, f_s, phase[mask]), *PHASE_RANGE_DEG),
            )
        )
        # beyond the trained range the network is told the largest noise it knows
        told.append(
            np.clip(
                data_errors.rhoa_rel_err(resample_to(net.freq_hz, f_s, p[mask])),
                0,
                net.trained_noise_max,
            )
        )
        scalings.append(scaling)
    rhoa_in, phase_in = (np.stack(a) for a in zip(*inputs))
    pred = net.prediction(rhoa_in, phase_in, **told_noise(net, np.stack(told)))
    # ρ_net = a ρ and h_net = s h: the guess is ρ_net / a on tops (net's tops) / s
    a = np.array([sc.a for sc in scalings])[:, None]
    models = dict(
        rho=pred.rho_ohmm / a,
        tops_unit_m=layer_tops_m(net.thick_m),
        tops_scale=np.array([1.0 / sc.s for sc in scalings]),
        scalings=scalings,
    )
    if net.has_uncertainty:
        models.update(std=pred.std_log10, low=pred.low_ohmm / a, high=pred.high_ohmm / a)
    return models


def _network_models(net, data) -> dict:
    """The network's guesses on its own grids: ``rho`` (n, L_net) Ω·m on layers whose tops
    are ``tops_scale (n,) × tops_unit_m (L_net,)`` m, with ``std``, ``low``, ``high``
    (n, L_net) when the network has an uncertainty, and ``scalings`` (paper network)."""
    if not isinstance(net, FieldNetwork):
        return _paper_network_models(net, data)
    guess = net.guess_arrays(data)
    guess["tops_unit_m"], guess["tops_scale"] = FRAME_TOPS, guess.pop("delta_ref_m")
    return guess


def _network_guesses(net, data, thick_m, doi_threshold) -> dict:
    """The network's guess, σ and interval per sounding, mapped onto the data grids
    ``thick_m`` (n, L-1): ``rho`` and ``covered`` (where the network's grid reaches), and
    with an uncertainty ``std``, ``low``, ``high`` (NaN below the network's grid) and
    ``uncertain_below`` (n,); arrays (n, L), and the ``scalings`` of the paper network.

    Read with :func:`mtlib.grid.guess_onto_grid`: a data layer that spans several of the
    network's layers takes their mean conductivity (and mean σ), so the guess keeps the
    conductance of its thin layers under the surface (the value at the layer's centre alone
    lost them, and with them the fit of the guess: real-set median nRMS 1.34 → 0.74)."""
    models = _network_models(net, data)
    unit, scale = models["tops_unit_m"], models["tops_scale"]
    # every network grid is a scaling of one: depths divided by the scale place every layer
    thick = thick_m / scale[:, None]
    covered = layer_centres_log_m(thick) <= unit[-1]
    guess = guess_onto_grid(models, unit, thick)
    guess.update(covered=covered, scalings=models.get("scalings"))
    if "std" in models:
        # below the network's grid it has nothing to say: NaN, not its half-space's σ
        hide = np.where(covered, 1.0, np.nan)
        guess.update({k: guess[k] * hide for k in ("std", "low", "high")})
        guess["uncertain_below"] = resolved_depth_m(
            models["std"], scale[:, None] * unit, doi_threshold
        )
    return guess


def _references(data, thick_m, start, net, doi_threshold):
    """Reference models (n, L) in log10 Ω·m on the grids ``thick_m`` (n, L-1), their σ
    (n, L), where the network's grid reaches (n, L), and the network's guesses
    (:func:`_network_guesses`; empty for a half-space start)."""
    n, n_lay = thick_m.shape[0], thick_m.shape[1] + 1
    if start == "halfspace":
        level = [np.mean(np.log10(r[m])) for _, r, _, _, m in data]
        return (
            np.repeat(np.array(level)[:, None], n_lay, axis=1),
            np.full((n, n_lay), HALFSPACE_STD_LOG10),
            np.zeros((n, n_lay), dtype=bool),
            {},
        )
    if net is None:
        net = default_network()
    guesses = _network_guesses(net, data, thick_m, doi_threshold)
    covered = guesses["covered"]
    m_ref = np.log10(guesses["rho"])
    for k in np.flatnonzero(~covered.all(axis=1)):  # (the fallback where it is needed)
        f, r, ph, _, m = data[k]
        m_ref[k] = np.where(covered[k], m_ref[k], _bostick_on(thick_m[k], f[m], r[m], ph[m]))
    std = guesses.get("std", np.full((n, n_lay), PLAIN_NETWORK_STD_LOG10))
    # (the network's σ is NaN where its grid does not reach; the fallback's σ replaces it)
    return m_ref, np.where(covered, std, FALLBACK_STD_LOG10), covered, guesses


def _padded(data):
    """Checked soundings of several lengths as arrays (n, F_max) in the engine's units:
    frequencies, ln ρa, φ (rad), relative |Z| errors and the mask; padding is masked."""
    freq, rhoa, phase, p, mask = stack_soundings(data)
    return freq, np.log(np.where(mask, rhoa, 1.0)), np.radians(np.where(mask, phase, 45.0)), p, mask


def _engine(
    data, thick_m, m_ref_log10, ref_std_log10, m_start_log10=None, roughness="smooth", **options
):
    """:func:`mtlib.inversion.occam.occam_invert` (``roughness="blocky"``:
    :func:`mtlib.inversion.occam.blocky_invert`) on padded soundings ``data``
    (:func:`_padded`), their relative |Z| errors weighed as :mod:`mtlib.data_errors` says."""
    freq, log_rhoa, phase, p, mask = data
    engine = blocky_invert if roughness == "blocky" else occam_invert
    return engine(
        freq,
        log_rhoa,
        phase,
        data_errors.rhoa_rel_err(p),
        data_errors.phase_std_rad(p),
        mask,
        thick_m,
        m_ref_log10,
        ref_std_log10,
        m_start_log10,
        **options,
    )


def oldenburg_li_index(data, thick_m, m_start_log10, **occam_options) -> np.ndarray:
    """The Oldenburg–Li index ``(n, L)`` of padded soundings ``data`` (:func:`_padded`) on
    grids ``thick_m`` (n, L-1): ``|m₁ − m₂| / |r₁ − r₂|`` of two inversions whose only
    difference is their half-space reference, ``OL_REFERENCE_DECADES`` above and below the
    data's mean log ρa — about 0 where the data fix the model, about 1 where the reference
    does. Both start from ``m_start_log10`` (n, L), the model that fits: each then moves
    towards its reference only as far as the data let it."""
    _, log_rhoa, _, _, mask = data
    n_lay = thick_m.shape[1] + 1
    level = np.sum(np.where(mask, log_rhoa, 0.0), axis=1) / mask.sum(axis=1) / np.log(10)
    models = []
    for sign in (1.0, -1.0):
        ref = np.repeat((level + sign * OL_REFERENCE_DECADES)[:, None], n_lay, axis=1)
        res = _engine(
            data,
            thick_m,
            ref,
            np.full_like(ref, FALLBACK_STD_LOG10),
            m_start_log10,
            **occam_options,
        )
        models.append(np.log10(res.rho_ohmm))
    return np.abs(models[0] - models[1]) / (2 * OL_REFERENCE_DECADES)


def depth_from_index(index, depth_m, threshold: float = OL_THRESHOLD) -> float:
    """Top of the deepest run of layers, down to the half-space, whose index exceeds
    ``threshold`` (np.inf when the half-space's does not): the depth of investigation."""
    above = np.asarray(index) > threshold
    if not above[-1]:
        return float("inf")
    k = above.size - 1
    while k > 0 and above[k - 1]:
        k -= 1
    return float(np.asarray(depth_m)[k])


def _index_depth(index, thick_m, nrms: float, target_nrms: float) -> float | None:
    """The Oldenburg–Li depth, NaN for a sounding not fitted to the target (the engine then
    gives the reference no weight, and the index no meaning); None when not asked."""
    if index is None:
        return None
    if nrms > OL_FITTED_FACTOR * target_nrms:
        return float("nan")
    return depth_from_index(index, layer_tops_m(thick_m))


def invert_many(
    responses,
    net=None,
    *,
    start: str = "network",
    roughness: str = "smooth",
    trade_off: str = "discrepancy",
    estimate_static_shift: bool = False,
    static_shift_std_log10: float = STATIC_SHIFT_STD_LOG10,
    z_err_cap: float = data_errors.Z_REL_ERR_CAP,
    n_layers: int = COVERING_N_LAYERS,
    thick_m=None,
    target_nrms: float = 1.0,
    smallness: float = SMALLNESS,
    max_iter: int = 20,
    doi_threshold: float = DOI_THRESHOLD_DECADES,
    oldenburg_li: bool = False,
    err_name: str = "z_rel_err",
    refused: dict | None = None,
) -> list[InversionResult | None]:
    """Invert many soundings together; see the module docstring.

    ``responses``: objects with ``freq_hz``, ``rhoa_ohmm``, ``phase_deg``, ``z_rel_err``
    (relative error of |Z|, scalar or (F,)), ``mask`` ((F,) bool or None) and ``station``
    (:class:`mtlib.data_errors.Response1D`, what :meth:`mtlib.field.Sounding.response` returns).
    ``net``: default the shipped field network (:mod:`mtlib.networks.fieldnet`); the paper's
    network or ensemble (``mtlib.load_pretrained("ensemble_quick")``) can be passed
    instead. ``thick_m`` (L-1,): one fixed grid for every sounding instead of the
    data-covering ones. ``smallness``: weight α_s of the
    σ-weighted closeness to the reference (:mod:`mtlib.inversion.occam`). ``roughness="blocky"``
    measures the roughness nearly as an L1 norm (:func:`mtlib.inversion.occam.blocky_invert`): the
    model that fits comes out in blocks with sharp boundaries instead of smooth.
    ``trade_off`` (:data:`TRADE_OFFS`): Occam's ``"discrepancy"`` choice of μ per sounding,
    or ``"posterior"`` (μ = 1, needs the network's reference: ``start="network"``). A sounding
    that cannot be inverted raises ``ValueError``; with a dict as ``refused`` it is skipped
    instead (its result is None) and ``refused[index]`` says why. ``oldenburg_li``: also
    measure the Oldenburg–Li depth of investigation (two more inversions per sounding,
    batched).
    """
    if start not in STARTS:
        raise ValueError(f"start must be one of {STARTS}, got {start!r}")
    if roughness not in ROUGHNESS:
        raise ValueError(f"roughness must be one of {ROUGHNESS}, got {roughness!r}")
    if trade_off not in TRADE_OFFS:
        raise ValueError(f"trade_off must be one of {TRADE_OFFS}, got {trade_off!r}")
    if trade_off == "posterior" and start != "network":
        raise ValueError(
            "trade_off='posterior' reads the network's σ as a prior: it needs "
            f"start='network', got start={start!r}"
        )
    responses = list(responses)
    if not responses:
        raise ValueError("responses is empty: nothing to invert")
    t0 = time.perf_counter()
    data, kept = [], []
    # (checked together, a few soundings cost more than one by one)
    clean = _clean_rows(responses, z_err_cap) if len(responses) >= 8 else [None] * len(responses)
    for k, resp in enumerate(responses):
        try:
            data.append(clean[k] or _usable(resp, k, z_err_cap, err_name))
            kept.append(k)
        except ValueError as err:
            if refused is None:
                raise
            refused[k] = str(err)
    if not data:
        return [None] * len(responses)
    if thick_m is not None:
        thick_m = np.asarray(thick_m, dtype=float)
        if thick_m.ndim != 1 or not np.all(np.isfinite(thick_m) & (thick_m > 0)):
            raise ValueError(f"thick_m must be 1-D, finite and > 0, got shape {thick_m.shape}")
    thick = np.stack(
        [
            thick_m if thick_m is not None else covering_grid(f[m], r[m], n_layers)
            for f, r, _, _, m in data
        ]
    )
    m_ref, ref_std, covered, guesses = _references(data, thick, start, net, doi_threshold)
    padded = _padded(data)
    options = dict(target_nrms=target_nrms, smallness=smallness, max_iter=max_iter)
    res = _engine(
        padded,
        thick,
        m_ref,
        ref_std,
        roughness=roughness,
        static_shift_std_log10=static_shift_std_log10 if estimate_static_shift else None,
        mu_fixed=1.0 if trade_off == "posterior" else None,
        **options,
    )
    doi_index = [None] * len(data)
    if oldenburg_li:
        # the two inversions may move towards their references only while they fit about
        # as well as the model does: a sounding over-fitted at the start (its errors too
        # large) would otherwise let them roam down to the target and every layer look free
        fit = {**options, "target_nrms": np.minimum(OL_FIT_SLACK * res.nrms, target_nrms)}
        doi_index = oldenburg_li_index(padded, thick, np.log10(res.rho_ohmm), **fit)
    seconds = (time.perf_counter() - t0) / len(data)

    out: list[InversionResult | None] = [None] * len(responses)
    scalings = guesses.get("scalings") or [None] * len(data)
    freq, mask = padded[0], padded[4]
    rhoa_pred, phase_pred = np.exp(res.log_rhoa), np.degrees(res.phase_rad)
    # the Niblett–Bostick depth of the longest usable period, on the final model's response
    lowest = np.argmin(np.where(mask, freq, np.inf), axis=1)
    rows = np.arange(len(data))
    doi = np.sqrt(rhoa_pred[rows, lowest] / (2 * np.pi * freq[rows, lowest] * MU0))
    depth = layer_tops_m(thick)
    rho_reference = 10.0**m_ref
    std, low, high, below = (
        guesses.get(key, [None] * len(data)) for key in ("std", "low", "high", "uncertain_below")
    )
    for k, (f, *_, m) in enumerate(data):
        nf = f.size
        out[kept[k]] = InversionResult(
            rho_ohmm=res.rho_ohmm[k],
            thick_m=thick[k],
            depth_m=depth[k],
            nrms=float(res.nrms[k]),
            nrms_network=float(res.nrms_start[k]),
            rho_network_ohmm=rho_reference[k],
            predicted=(rhoa_pred[k, :nf], phase_pred[k, :nf]),
            static_shift=float(res.static_shift[k]),
            static_shift_std_log10=float(res.static_shift_std_log10[k]),
            iterations=int(res.iterations[k]),
            mu=float(res.mu[k]),
            stop=str(res.stop[k]),
            doi_m=float(doi[k]),
            mask=m,
            scaling=scalings[k],
            reference_std_log10=ref_std[k],
            network_covered=covered[k],
            std_log10=std[k],
            network_low_ohmm=low[k],
            network_high_ohmm=high[k],
            network_uncertain_below_m=None if below[k] is None else float(below[k]),
            seconds=seconds,
            doi_index=doi_index[k],
            doi_index_m=_index_depth(doi_index[k], thick[k], res.nrms[k], target_nrms),
        )
    return out


def invert(
    freq_hz, rhoa_ohmm, phase_deg, z_rel_err=0.05, mask=None, net=None, *, rel_err=None, **options
) -> InversionResult:
    """Invert one sounding ``(F,)`` at any frequencies; see the module docstring.

    ``z_rel_err``: relative error of |Z| (scalar or (F,)): 5 % means 10 % on ρa and
    arcsin(0.05) = 2.9° on the phase. ``rel_err`` is the same argument under the name the
    first releases used. ``mask`` (F,) bool marks usable periods (default: finite data).
    ``options``: those of :func:`invert_many`.
    """
    name = "z_rel_err"
    if rel_err is not None:
        z_rel_err, name = rel_err, "rel_err"
    resp = data_errors.Response1D(freq_hz, rhoa_ohmm, phase_deg, z_rel_err, mask)
    return invert_many([resp], net, err_name=name, **options)[0]


def __getattr__(name: str):
    """The names of mtlib 0.1 (:mod:`mtlib._deprecated`), for one release."""
    return renamed(__name__, name)
