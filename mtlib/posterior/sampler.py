"""The sampler's entry points: a sounding (or a prepared likelihood) → :class:`Posterior`.

:func:`sample` takes what :func:`mtlib.invert` takes (frequencies, ρa, φ, the relative
error of |Z|, a mask), checks it the same way (:func:`mtlib.inversion.checks.usable_soundings`:
malformed input is a ``ValueError`` naming the argument; periods with a phase outside
(0°, 90°) or an error at the cap are masked with a warning), builds the likelihood and the
prior, and calls :func:`sample_likelihood`, which starts the ladders and runs them
(:mod:`mtlib.posterior.ladders`).

Starts (``start="network"``): the sounding is inverted once (:func:`mtlib.inversion.invert`,
the field network's guess and σ, then Occam). The first ladder starts from Occam's model,
every other one from the network's guess perturbed by its σ (one normal draw per layer of
the inversion grid): dispersed starts, near the data. A smooth model becomes a
layered one of the prior by keeping its :data:`START_LAYERS` largest jumps inside the
prior's interface range as interfaces, each layer the mean conductivity between them.
``start="prior"`` starts every ladder from a draw of the prior with its fewest layers
(rjmcmcmt's start: a random half-space).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..data_errors import Z_REL_ERR_CAP, Response1D
from ..field import FIELD_UNITS_TO_OHM
from ..forward import MU0
from ..grid import onto_grid
from ..inversion import STATIC_SHIFT_STD_LOG10, invert
from ..inversion.checks import usable_soundings
from . import ladders
from .likelihood import RJMCMCMT_FLOOR, RJMCMCMT_RELATIVE, Likelihood
from .prior import Prior
from .result import Posterior

CHAIN_STARTS = ("network", "prior")
START_LAYERS = 12
"""Layers of the models the chains start from (within the prior's bounds)."""
RJMCMCMT_ERRORS = (RJMCMCMT_RELATIVE, RJMCMCMT_FLOOR * FIELD_UNITS_TO_OHM)
"""``impedance_errors`` of rjmcmcmt's examples: 5 % of each of Re Z and Im Z, and a floor
of 0.025 mV/km/nT (in Ω)."""


def sample(
    freq_hz,
    rhoa_ohmm,
    phase_deg,
    z_rel_err=0.05,
    mask=None,
    *,
    impedance_errors: tuple[float, float] | None = None,
    prior: Prior | None = None,
    estimate_static_shift: bool = False,
    static_shift_std_log10: float = STATIC_SHIFT_STD_LOG10,
    z_err_cap: float = Z_REL_ERR_CAP,
    station: str = "",
    **options,
) -> Posterior:
    """The posterior of a layered earth for one sounding ``(F,)``.

    ``z_rel_err``: relative error of |Z| (scalar or (F,)), weighed as
    :mod:`mtlib.data_errors` says (ln ρa and φ); with ``impedance_errors = (relative,
    floor_ohm)`` the likelihood is on Re Z and Im Z instead, each with σ =
    sqrt((relative·|part|)² + floor_ohm²) (:data:`RJMCMCMT_ERRORS`: rjmcmcmt's). ``mask``
    (F,) True where a period is usable. ``prior``: default :meth:`Prior.default` of the
    usable data; ``estimate_static_shift`` adds the static shift with a Gaussian prior of
    σ ``static_shift_std_log10`` (decades) on log10 s. ``options``: those of
    :func:`sample_likelihood` (``seed``, ``start``, ``net``, ``settings`` and
    :class:`mtlib.posterior.ladders.SamplerSettings` fields).
    """
    resp = Response1D(freq_hz, rhoa_ohmm, phase_deg, z_rel_err, mask, station)
    (data,), _ = usable_soundings([resp], z_err_cap)
    freq, rhoa, phase, p = (a[data[4]] for a in data[:4])
    if impedance_errors is None:
        likelihood = Likelihood.rhoa_phase(freq, rhoa, phase, p, station=station)
    else:
        relative, floor_ohm = impedance_errors
        z = np.sqrt(rhoa * 2 * np.pi * freq * MU0) * np.exp(1j * np.radians(phase))
        likelihood = Likelihood.impedance_errors(freq, z, relative, floor_ohm, station)
    if prior is None:
        prior = Prior.default(freq, rhoa)
    if estimate_static_shift:
        prior = replace(prior, static_shift_std_log10=static_shift_std_log10)
    return sample_likelihood(likelihood, prior, **options)


def sample_likelihood(
    likelihood: Likelihood,
    prior: Prior,
    *,
    seed: int = 0,
    start: str = "network",
    net=None,
    settings: ladders.SamplerSettings | None = None,
    **options,
) -> Posterior:
    """The posterior for a prepared ``likelihood`` (:class:`Likelihood`, e.g.
    :meth:`Likelihood.rjmcmcmt`) and ``prior``; deterministic for a ``seed``.

    ``start`` (:data:`CHAIN_STARTS`, module docstring); ``net``: the network whose guess starts
    the chains (default the shipped field network). ``settings``
    (:class:`mtlib.posterior.ladders.SamplerSettings`), or any of its fields as keywords:
    ladders and temperatures, burn-in, the stopping rule (``min_ess``, ``max_rhat``,
    ``max_sweeps``, ``max_seconds``) and the depth and log10 ρ bins.
    """
    settings = replace(settings or ladders.SamplerSettings(), **options)
    if start not in CHAIN_STARTS:
        raise ValueError(f"start must be one of {CHAIN_STARTS}, got {start!r}")
    if start == "network" and likelihood.freq_hz.size == 0:
        raise ValueError("start='network' needs data; with none, use start='prior'")
    rng = np.random.default_rng([seed, 0x5EED])
    if start == "network":
        starts, start_models = _inversion_starts(likelihood, prior, net, settings.n_ladders, rng)
    else:
        starts = [_prior_draw(prior, rng) for _ in range(settings.n_ladders)]
        start_models = None
    chains = ladders.run(likelihood, prior, starts, settings, seed)
    return Posterior.from_chains(
        chains, prior, likelihood, seed, _bostick_depth_m(likelihood), start_models
    )


def _bostick_depth_m(likelihood: Likelihood) -> float:
    """Niblett–Bostick depth sqrt(ρa / (ωμ0)) of the longest period (NaN without data)."""
    if likelihood.freq_hz.size == 0:
        return float("nan")
    k = np.argmin(likelihood.freq_hz)
    f = likelihood.freq_hz[k]
    return float(np.sqrt(likelihood.rhoa_ohmm[k] / (2 * np.pi * f * MU0)))


def _prior_draw(prior: Prior, rng) -> tuple:
    """A model of the prior with its fewest layers."""
    n = prior.n_min
    x = np.sort(rng.uniform(*prior.log10_depth_m, size=n - 1))
    return n, x, rng.uniform(*prior.log10_rho, size=n)


def _inversion_starts(likelihood: Likelihood, prior: Prior, net, n_ladders: int, rng):
    """Occam's model for the first ladder, the network's guess perturbed by its σ for the
    others (module docstring), and those models for the record."""
    res = invert(
        likelihood.freq_hz,
        likelihood.rhoa_ohmm,
        likelihood.phase_deg,
        likelihood.z_rel_err,
        net=net,
    )
    guess, std = np.log10(res.rho_network_ohmm), res.reference_std_log10
    models = [np.log10(res.rho_ohmm)]
    models += [guess + std * rng.standard_normal(guess.size) for _ in range(n_ladders - 1)]
    starts = [_layered(res.depth_m, m, prior, rng) for m in models]
    start_models = dict(
        depth_m=res.depth_m,
        rho_occam_ohmm=res.rho_ohmm,
        rho_network_ohmm=res.rho_network_ohmm,
        std_log10=std,
    )
    return starts, start_models


def _layered(tops_m, log10_rho, prior: Prior, rng) -> tuple:
    """A smooth model (layer tops ``tops_m`` (L,), ``log10_rho`` (L,)) as a layered model of
    the prior: its largest jumps inside the interface range become the interfaces (too few:
    uniform draws there), each layer the mean conductivity of the smooth model over its
    depths (:func:`mtlib.grid.onto_grid`: what a sounding sees of them), clipped into the
    log10 ρ range."""
    x_lo, x_hi = prior.log10_depth_m
    n = int(np.clip(START_LAYERS, prior.n_min, prior.n_max))
    tops = np.log10(tops_m[1:])
    inside = np.flatnonzero((tops > x_lo) & (tops < x_hi))
    jumps = np.abs(np.diff(log10_rho))[inside]
    chosen = np.sort(tops[inside[np.argsort(jumps)[::-1][: n - 1]]])
    if chosen.size < n - 1:
        extra = rng.uniform(x_lo, x_hi, size=n - 1 - chosen.size)
        chosen = np.sort(np.concatenate([chosen, extra]))
    thick = np.diff(np.concatenate([[0.0], 10.0**chosen]))
    rho = onto_grid(10.0 ** log10_rho[None], tops_m, thick[None], resistivity=True)[0]
    v_lo, v_hi = prior.log10_rho
    margin = 1e-6 * (v_hi - v_lo)
    return n, chosen, np.clip(np.log10(rho), v_lo + margin, v_hi - margin)
