"""Field-data entry point: any band, real errors → a network's guess → Occam/Gauss–Newton.

For each sounding (:func:`invert` for one, :func:`invert_many` for a batch):

1. **Checks** (:mod:`~mtlib.inversion.checks`, errors as :mod:`mtlib.data_errors` says):
   unusable periods are masked with a warning that names them; a sounding that cannot be
   inverted is refused by name.
2. **A model grid that covers the data** (:mod:`~mtlib.inversion.grids`): layers
   log-spaced from a fraction of the shallowest skin depth down to a few skin depths at
   the longest period.
3. **The reference** (:mod:`~mtlib.inversion.reference`): by default the field network's
   guess (any band of 1.5–9 decades, told the errors, with a calibrated σ), read onto the
   data's grid; any :class:`~mtlib.networks.predictor.Network` can be passed instead (the
   paper's network reads other bands through the similarity laws). Below a network's grid
   the Niblett–Bostick transform of the data takes over with a wide σ.
4. **Occam/Gauss–Newton** (:mod:`~mtlib.inversion.occam`) with the guess as starting *and*
   reference model and its σ as the reference's weight: each sounding chooses its own
   trade-off μ by the discrepancy principle (the smoothest departure from the reference
   that fits the data to the target nRMS), stops on its own, and reports iterations and μ;
   an optional static shift is estimated with a prior and reported with its σ.
   ``start="halfspace"`` inverts from (and towards) a half-space instead, the classic Occam
   set-up. ``trade_off="posterior"`` takes the network's σ at its word instead (μ = 1):
   the posterior mode of its Gaussian prior and the data. Occam forces every sounding to
   the target nRMS, and so fits part of the noise of the soundings whose noise happens to
   exceed the target (χ² scatters as N ± √(2N)); the posterior mode weighs prior and data
   as their σ say — better where the network's σ is calibrated (its training prior), with
   no guaranteed fit where it is not.
5. **Depths of investigation** (:mod:`~mtlib.inversion.doi`): the Niblett–Bostick depth of
   the longest period always, the Oldenburg–Li depth when asked (two more inversions).
6. **The posterior band** (``posterior_network``, by default the shipped one): the per-depth
   posterior quantiles of log10 ρ under the sampler's default prior for the data
   (:meth:`mtlib.posterior.Prior.default`), from one pass of the posterior network
   (:mod:`mtlib.networks.posteriornet`) read at the grid's layers: next to Occam's
   linearized band, an answer to what the data leave open that is not conditional on μ
   and smoothness. A sounding whose band, errors or prior lie outside what that network
   was trained on is named in a warning (the sampler, :func:`mtlib.sample`, is the one to
   trust there); a short sampler run per sounding, the other check, would cost seconds
   where the inversion takes milliseconds, and the sampler sits above the inversion (it
   starts from it).

:class:`InversionSettings` groups the options; :func:`invert_many` also takes them as
keywords. The classic baseline (pyGIMLi's smooth inversion) is
:func:`mtlib.inversion.baseline.pygimli_invert`.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, fields, replace

import numpy as np

from .._deprecated import renamed
from ..constants import DOI_THRESHOLD_DECADES
from ..data_errors import Z_REL_ERR_CAP, Response1D
from ..grid import layer_tops_m
from ..networks.predictor import Network
from ..networks.pretrained import DEFAULT_POSTERIOR_NETWORK, shared_pretrained
from ..networks.similarity import BandScaling, choose_scaling, resample_to
from .checks import MIN_PERIODS, MIN_SPAN_DECADES, usable_soundings
from .doi import (
    bostick_depth_m,
    depth_from_index,
    index_depth_m,
    oldenburg_li_fit_target,
    oldenburg_li_index,
)
from .grids import COVERING_N_LAYERS, covering_grid
from .occam import SMALLNESS
from .reference import (
    FALLBACK_STD_LOG10,
    HALFSPACE_STD_LOG10,
    PLAIN_NETWORK_STD_LOG10,
    bostick,
    default_network,
    references,
)
from .result import BAND_STOPS, InversionResult
from .solve import ROUGHNESS, padded, solve

__all__ = [
    "BandScaling",
    "COVERING_N_LAYERS",
    "FALLBACK_STD_LOG10",
    "HALFSPACE_STD_LOG10",
    "InversionResult",
    "InversionSettings",
    "MIN_PERIODS",
    "MIN_SPAN_DECADES",
    "PLAIN_NETWORK_STD_LOG10",
    "batch_results",
    "bostick",
    "choose_scaling",
    "covering_grid",
    "default_network",
    "depth_from_index",
    "invert",
    "invert_many",
    "resample_to",
]

STATIC_SHIFT_STD_LOG10 = 0.3
"""Prior σ (decades) of the static shift when it is estimated: a factor 2 either way."""
STARTS = ("network", "halfspace")
TRADE_OFFS = ("discrepancy", "posterior")
"""How μ is set: Occam's discrepancy principle (the smoothest model, nearest the reference,
that reaches the target nRMS), or μ = 1: the reference's σ read as a Gaussian prior and
the posterior mode returned (the network's guess trusted exactly as far as its σ says)."""


@dataclass(frozen=True)
class InversionSettings:
    """How :func:`invert_many` inverts; every field is also a keyword of it.

    ``start``: the reference and starting model, the network's guess or a half-space
    (:data:`STARTS`); ``roughness``: ``"smooth"`` (L2) or ``"blocky"`` (nearly L1, by
    reweighting: :func:`~mtlib.inversion.occam.blocky_invert`); ``trade_off``
    (:data:`TRADE_OFFS`); ``estimate_static_shift`` with prior σ
    ``static_shift_std_log10`` (decades); ``z_err_cap``: periods whose |Z| error reaches
    it are masked; ``n_layers`` of the data-covering grid, or ``thick_m`` (L-1,) m: one
    fixed grid for every sounding; ``target_nrms``; ``smallness`` α_s of the σ-weighted
    closeness to the reference; ``max_iter`` Gauss–Newton iterations;
    ``doi_threshold`` (decades): σ of the network beyond which it counts as unsure
    (``network_uncertain_below_m``); ``oldenburg_li``: also measure the Oldenburg–Li depth
    of investigation (two more inversions per sounding, batched); ``posterior_network``:
    the shipped posterior network whose quantiles the results carry (None: none)."""

    start: str = "network"
    roughness: str = "smooth"
    trade_off: str = "discrepancy"
    estimate_static_shift: bool = False
    static_shift_std_log10: float = STATIC_SHIFT_STD_LOG10
    z_err_cap: float = Z_REL_ERR_CAP
    n_layers: int = COVERING_N_LAYERS
    thick_m: np.ndarray | None = None
    target_nrms: float = 1.0
    smallness: float = SMALLNESS
    max_iter: int = 20
    doi_threshold: float = DOI_THRESHOLD_DECADES
    oldenburg_li: bool = False
    posterior_network: str | None = DEFAULT_POSTERIOR_NETWORK

    def __post_init__(self) -> None:
        for name, allowed in (("start", STARTS), ("roughness", ROUGHNESS)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {getattr(self, name)!r}")
        if self.trade_off not in TRADE_OFFS:
            raise ValueError(f"trade_off must be one of {TRADE_OFFS}, got {self.trade_off!r}")
        if self.trade_off == "posterior" and self.start != "network":
            raise ValueError(
                "trade_off='posterior' reads the network's σ as a prior: it needs "
                f"start='network', got start={self.start!r}"
            )
        if self.thick_m is not None:
            thick = np.asarray(self.thick_m, dtype=float)
            if thick.ndim != 1 or not np.all(np.isfinite(thick) & (thick > 0)):
                raise ValueError(f"thick_m must be 1-D, finite and > 0, got shape {thick.shape}")
            object.__setattr__(self, "thick_m", thick)

    def engine_options(self) -> dict:
        """The options of :func:`mtlib.inversion.solve.solve` these settings give."""
        return dict(target_nrms=self.target_nrms, smallness=self.smallness, max_iter=self.max_iter)

    def grids(self, data) -> np.ndarray:
        """The model grids (n, L-1) in m of checked soundings ``data``."""
        if self.thick_m is not None:
            return np.repeat(self.thick_m[None], len(data), axis=0)
        return np.stack([covering_grid(f[m], r[m], self.n_layers) for f, r, _, _, m in data])


def _settings(settings: InversionSettings | None, options: dict) -> InversionSettings:
    settings = settings or InversionSettings()
    unknown = set(options) - {f.name for f in fields(InversionSettings)}
    if unknown:
        raise TypeError(f"invert_many got unknown options {sorted(unknown)}")
    return replace(settings, **options) if options else settings


def invert_many(
    responses,
    net: Network | None = None,
    settings: InversionSettings | None = None,
    *,
    err_name: str = "z_rel_err",
    refused: dict | None = None,
    **options,
) -> list[InversionResult | None]:
    """Invert many soundings together; see the module docstring.

    ``responses``: objects with ``freq_hz``, ``rhoa_ohmm``, ``phase_deg``, ``z_rel_err``
    (relative error of |Z|, scalar or (F,)), ``mask`` ((F,) bool or None) and ``station``
    (:class:`mtlib.data_errors.Response1D`, what :meth:`mtlib.field.Sounding.response`
    returns). ``net``: any :class:`~mtlib.networks.predictor.Network` (default the shipped
    field network). ``settings`` (:class:`InversionSettings`), and any of its fields as
    keywords. A sounding that cannot be inverted raises ``ValueError``; with a dict as
    ``refused`` it is skipped instead (its result is None) and ``refused[index]`` says why;
    ``err_name`` is the name its error is called by in those messages.
    """
    settings = _settings(settings, options)
    responses = list(responses)
    if not responses:
        raise ValueError("responses is empty: nothing to invert")
    t0 = time.perf_counter()
    data, kept = usable_soundings(responses, settings.z_err_cap, err_name, refused)
    out: list[InversionResult | None] = [None] * len(responses)
    if not data:
        return out
    thick = settings.grids(data)
    m_ref, ref_std, guess = references(data, thick, settings.start, net, settings.doi_threshold)
    arrays = padded(data)
    shift = settings.static_shift_std_log10 if settings.estimate_static_shift else None
    res = solve(
        arrays,
        thick,
        m_ref,
        ref_std,
        roughness=settings.roughness,
        static_shift_std_log10=shift,
        mu_fixed=1.0 if settings.trade_off == "posterior" else None,
        **settings.engine_options(),
    )
    doi_index = [None] * len(data)
    if settings.oldenburg_li:
        options = settings.engine_options()
        options["target_nrms"] = oldenburg_li_fit_target(res.nrms, settings.target_nrms)
        doi_index = oldenburg_li_index(arrays, thick, np.log10(res.rho_ohmm), **options)
    results = batch_results(data, arrays, thick, m_ref, ref_std, guess, res)
    if settings.posterior_network is not None:
        names = [getattr(responses[k], "station", "") or f"sounding {k}" for k in kept]
        _posterior_bands(results, data, thick, settings, names)
    seconds = (time.perf_counter() - t0) / len(data)
    for k, result in enumerate(results):
        result.seconds = seconds
        result.doi_index = doi_index[k]
        result.doi_index_m = index_depth_m(
            doi_index[k], thick[k], res.nrms[k], settings.target_nrms
        )
        out[kept[k]] = result
    return out


def _posterior_bands(results, data, thick, settings: InversionSettings, names) -> None:
    """Fill in each result's posterior quantiles on its grid (the data's default priors,
    with the static shift's when it is estimated), and warn, naming the sounding, where it
    lies outside the network's training."""
    from ..networks.posteriornet import QUANTILES, default_priors

    net = shared_pretrained(settings.posterior_network)
    priors = default_priors(data)
    if settings.estimate_static_shift:
        shift = settings.static_shift_std_log10
        priors = [replace(p, static_shift_std_log10=shift) for p in priors]
    inp = net.inputs(data, priors)
    quantiles = net.guesses_from(inp).onto_quantiles(thick)
    outside = net.outside_training(data, priors, inp)
    for k, result in enumerate(results):
        result.posterior_quantiles_log10 = quantiles[k]
        result.posterior_probabilities = QUANTILES
        result.posterior_outside_training = outside[k]
        if outside[k]:
            warnings.warn(
                f"{names[k]}: outside the posterior network's training ({outside[k]}): its "
                "band may be wrong there; the sampler (mtlib.sample) gives the posterior",
                stacklevel=3,
            )


def batch_results(data, arrays, thick, m_ref, ref_std, guess, res) -> list[InversionResult]:
    """One :class:`InversionResult` per checked sounding, from a batch's arrays (the
    engine's ``res``, the data ``arrays`` of :func:`~mtlib.inversion.solve.padded`,
    the grid ``thick``, the references and the network's ``guess``): the step shared by
    :func:`invert_many` and the laterally constrained inversion (:mod:`mtlib.survey.joint`)."""
    freq, mask = arrays[0], arrays[4]
    rhoa_pred, phase_pred = np.exp(res.log_rhoa), np.degrees(res.phase_rad)
    doi = bostick_depth_m(freq, mask, rhoa_pred)
    depth = layer_tops_m(thick)
    n = len(data)
    covered = guess.covered if guess is not None else np.zeros(m_ref.shape, dtype=bool)
    none = [None] * n
    scalings = none if guess is None or guess.guesses.scalings is None else guess.guesses.scalings
    std, low, high, below = (
        none if guess is None or guess.std is None else getattr(guess, key)
        for key in ("std", "low", "high", "uncertain_below")
    )
    # the linearized band only where the sounding's μ means something (BAND_STOPS)
    banded = np.isin(res.stop, BAND_STOPS)[:, None]
    band_std = np.where(banded, res.posterior_std_log10, np.nan)
    band_cov = np.where(banded[:, :, None], res.posterior_cov_log10, np.nan)
    return [
        InversionResult(
            rho_ohmm=res.rho_ohmm[k],
            thick_m=thick[k],
            depth_m=depth[k],
            nrms=float(res.nrms[k]),
            nrms_network=float(res.nrms_start[k]),
            rho_network_ohmm=10.0 ** m_ref[k],
            predicted=(rhoa_pred[k, : f.size], phase_pred[k, : f.size]),
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
            linearized_std_log10=band_std[k],
            linearized_cov_log10=band_cov[k],
            resolution=res.resolution[k],
        )
        for k, (f, *_, m) in enumerate(data)
    ]


def invert(
    freq_hz,
    rhoa_ohmm,
    phase_deg,
    z_rel_err=0.05,
    mask=None,
    net: Network | None = None,
    *,
    rel_err=None,
    **options,
) -> InversionResult:
    """Invert one sounding ``(F,)`` at any frequencies; see the module docstring.

    ``z_rel_err``: relative error of |Z| (scalar or (F,)): 5 % means 10 % on ρa and
    arcsin(0.05) = 2.9° on the phase (``rel_err`` is the same argument, under the name of
    the package's original API). ``mask`` (F,) bool marks usable periods (default: finite
    data). ``options``: :class:`InversionSettings` fields, or ``settings=``.
    """
    name = "z_rel_err"
    if rel_err is not None:
        z_rel_err, name = rel_err, "rel_err"
    resp = Response1D(freq_hz, rhoa_ohmm, phase_deg, z_rel_err, mask)
    return invert_many([resp], net, err_name=name, **options)[0]


def __getattr__(name: str):
    """The names of mtlib 0.1 (:mod:`mtlib._deprecated`), for one release."""
    return renamed(__name__, name)
