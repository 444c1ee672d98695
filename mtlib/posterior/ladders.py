"""Tempered ladders of reversible-jump chains, run in rounds on threads until they agree.

Each ladder is ``T`` chains at inverse temperatures β from 1 down to ``beta_min``
(geometric) that swap states between neighbours after every sweep
(:func:`mtlib.posterior.kernel.run_ladder`); only its β = 1 chain is kept. The ladders are
independent: each runs in one compiled call per round, the calls side by side on
``numba.get_num_threads()`` threads (the kernel releases the GIL), and each call seeds its
own generator from ``(seed, ladder, round)`` — so the result does not depend on the thread
count or on which thread ran which ladder. Tempering pays: at equal CPU time (WIT2 with
rjmcmcmt's prior and likelihood, 3.2 M chain steps, three seeds; ``bench/posterior.py
--tempering``) ladders of four chains give about 1.9 times the ESS of the number of layers
and 1.6 times the smallest ESS over depths of as many untempered chains, and a lower R̂.

Burn-in: the first ``burn_in`` sweeps of every ladder are discarded; during them the
random-walk scales adapt (frozen afterwards, so the kept chains are plain Markov chains).
Then rounds of sweeps are recorded until the stopping rule holds: over the β = 1 chains,
the rank-normalized split-R̂ of χ², of the number of layers, of log10 ρ at every depth bin
(and of the static shift, when sampled) is at most ``max_rhat``, and each one's bulk
effective sample size is at least ``min_ess`` (:mod:`mtlib.posterior.diagnostics`, on the
thinned samples; tried on every :data:`SCREEN_EVERY`-th depth bin first, and on all of them
once it holds there). Otherwise the next round is sized from the smallest ESS so far (ESS grows
in proportion to the sweeps), at least ``first_round`` and at most as long as the run so
far, until ``max_sweeps`` or ``max_seconds``.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numba
import numpy as np

from . import kernel
from .diagnostics import split_rhat_ess
from .likelihood import Likelihood
from .prior import Prior

MOVE_P = np.array([0.2, 0.2, 0.3, 0.3, 0.0])
"""Probabilities of birth, death, move, value and shift steps (no shift sampled)."""
MOVE_P_SHIFT = np.array([0.18, 0.18, 0.27, 0.27, 0.1])
"""The same with the static shift sampled."""
BIRTH_SIGMA_FRACTION = 0.1
"""σ of a born layer's log10 ρ about its neighbour's, as a fraction of the log10 ρ range."""
P_PRIOR_BIRTH = 0.5
"""Probability that a born layer's log10 ρ is drawn from the prior instead."""
P_UNIFORM_VALUE = 0.3
"""Probability that a value step draws from the prior instead of a random walk."""
START_SCALE_FRACTION = 0.05
"""Initial random-walk scales, as fractions of the ranges (rjmcmcmt's fixed ones)."""
CHAIN_STOPS = ("converged", "max_sweeps", "max_seconds")
SCREEN_EVERY = 5
"""Between rounds the stopping rule is first tried on every 5th depth bin, and on all of
them only when it holds there."""


@dataclass(frozen=True)
class SamplerSettings:
    """How the chains run and when they stop (sweeps count per ladder).

    ``n_ladders`` independent ladders (their β = 1 chains are the chains R̂ compares) of
    ``n_temperatures`` chains each, β from 1 down to ``beta_min``; ``burn_in`` sweeps
    discarded; then rounds of at least ``first_round`` sweeps until max R̂ ≤ ``max_rhat``
    and min ESS ≥ ``min_ess``, or ``max_sweeps`` or ``max_seconds``. Histograms on
    ``depth_bins`` equal bins of log10 depth over ``depth_range_log10`` (default: the
    prior's interface range) and log10 ρ bins of ``rho_bin_decades``; between
    ``samples_per_chain`` and twice as many thinned samples kept per chain.
    """

    n_ladders: int = 4
    n_temperatures: int = 4
    beta_min: float = 0.25
    burn_in: int = 20_000
    first_round: int = 20_000
    min_ess: float = 400.0
    max_rhat: float = 1.05
    max_sweeps: int = 2_000_000
    max_seconds: float | None = None
    depth_bins: int = 200
    depth_range_log10: tuple[float, float] | None = None
    rho_bin_decades: float = 0.01
    samples_per_chain: int = 1000

    def __post_init__(self):
        counts = ("n_ladders", "n_temperatures", "first_round", "max_sweeps", "depth_bins")
        for name in counts + ("burn_in", "samples_per_chain"):
            value, least = getattr(self, name), 1 if name in counts else 0
            if int(value) != value or value < least:
                raise ValueError(f"{name} must be an integer >= {least}, got {value}")
        if self.n_ladders < 2:
            raise ValueError(f"n_ladders must be >= 2 (R̂ compares chains), got {self.n_ladders}")
        if not 0 < self.beta_min <= 1:
            raise ValueError(f"beta_min must be in (0, 1], got {self.beta_min}")
        if not self.min_ess > 0 or not self.max_rhat > 1:
            raise ValueError(
                f"min_ess must be > 0 and max_rhat > 1, got {self.min_ess}, {self.max_rhat}"
            )
        if self.max_seconds is not None and not self.max_seconds > 0:
            raise ValueError(f"max_seconds must be > 0 or None, got {self.max_seconds}")
        if not self.rho_bin_decades > 0:
            raise ValueError(f"rho_bin_decades must be > 0, got {self.rho_bin_decades}")

    def beta(self) -> np.ndarray:
        """Inverse temperatures (T,), 1 first."""
        if self.n_temperatures == 1:
            return np.ones(1)
        return np.geomspace(1.0, self.beta_min, self.n_temperatures)


@dataclass
class Chains:
    """What the ladders recorded. D depth bins (centres ``depth_log10``, log10 m), B log10 ρ
    bins (``rho_edges``), M ladders (β = 1 chains), S thinned samples per chain, T
    temperatures, N_max layers at most."""

    depth_log10: np.ndarray  # (D,)
    rho_edges: np.ndarray  # (B + 1,)
    hist: np.ndarray  # (D, B) sweeps spent in each bin, all chains
    hist_n: np.ndarray  # (N_max + 1,) sweeps spent with n layers
    hist_iface: np.ndarray  # (D,) sweeps × interfaces in each depth bin
    value_sum: np.ndarray  # (D,) sum of log10 ρ over the sweeps
    samples: dict  # chi2, n_layers, static_shift_log10 (M, S); interfaces_log10 (M, S,
    # N_max - 1) and log10_rho (M, S, N_max), NaN beyond a model's layers
    thin: int  # sweeps between two samples
    sweeps: int  # recorded sweeps per chain (after burn-in)
    burn_in: int
    rhat: dict  # chi2, n_layers, static_shift_log10: float; log10_rho: (D,)
    ess: dict  # the same
    stop: str  # one of CHAIN_STOPS
    seconds: float
    beta: np.ndarray  # (T,)
    acceptance: np.ndarray  # (M, T, 5) accepted / proposed per step type (kernel.MOVES)
    swap_rate: np.ndarray  # (M, T - 1) between neighbouring temperatures
    scales: np.ndarray  # (M, T, 6) proposal table after burn-in (kernel.SIGMA_BIRTH …)
    rounds: list = field(default_factory=list)  # per round: sweeps, max R̂, min ESS, seconds


class _Ladder:
    """One ladder's state, proposal table, accumulators and samples."""

    def __init__(self, start, prior: Prior, data, kind, settings: SamplerSettings, depth_x, n_bins):
        t, n_cap, nf = settings.n_temperatures, prior.n_max, data.shape[1]
        self.n = np.zeros(t, np.int64)
        self.x = np.zeros((t, max(n_cap - 1, 1)))
        self.v = np.zeros((t, n_cap))
        self.shift = np.zeros(t)
        self.chi2 = np.zeros(t)
        self.cache = np.zeros((t, nf, n_cap, 4))
        self.terms = np.zeros((t, 2, n_cap))
        n_s, x_s, v_s = start
        for s in range(t):
            kernel.start_state(
                s, n_s, x_s, v_s, 0.0, data, kind, self.n, self.x, self.v, self.shift,
                self.chi2, self.cache, self.terms,
            )  # fmt: skip
        self.slot_of = np.arange(t)
        v_span = prior.log10_rho[1] - prior.log10_rho[0]
        x_span = prior.log10_depth_m[1] - prior.log10_depth_m[0]
        row = np.zeros(6)
        row[kernel.SIGMA_BIRTH] = BIRTH_SIGMA_FRACTION * v_span
        row[kernel.P_PRIOR_BIRTH] = P_PRIOR_BIRTH
        row[kernel.SIGMA_MOVE] = START_SCALE_FRACTION * x_span
        row[kernel.SIGMA_VALUE] = START_SCALE_FRACTION * v_span
        row[kernel.SIGMA_SHIFT] = 0.5 * (prior.static_shift_std_log10 or 0.0)
        row[kernel.P_UNIFORM] = P_UNIFORM_VALUE
        self.table = np.tile(row, (t, 1))
        self.counts = np.zeros((t, 5, 2), np.int64)
        self.swaps = np.zeros((max(t - 1, 1), 2), np.int64)
        d = depth_x.size
        self.hist = np.zeros((d, n_bins))
        self.hist_n = np.zeros(n_cap + 1)
        self.hist_iface = np.zeros(d)
        self.value_sum = np.zeros(d)
        self.samples: list[dict] = []

    def run(self, seed, n_sweeps, offset, thin, record, adapt, common):
        kind, data, prior_vec, n_min, n_max, move_p, beta, depth_x = common
        n_cap = self.v.shape[1]
        size = n_sweeps // thin + 1 if record else 1
        out = dict(
            chi2=np.zeros(size),
            n_layers=np.zeros(size, np.int64),
            interfaces_log10=np.zeros((size, max(n_cap - 1, 1))),
            log10_rho=np.zeros((size, n_cap)),
            static_shift_log10=np.zeros(size),
        )
        kernel.run_ladder(
            seed, n_sweeps, offset, thin, record, adapt, kind, data, prior_vec, n_min, n_max,
            move_p, beta, self.table, self.slot_of, self.n, self.x, self.v, self.shift,
            self.chi2, self.cache, self.terms, depth_x,
            (self.hist, self.hist_n, self.hist_iface, self.value_sum), out["chi2"],
            out["n_layers"], out["interfaces_log10"], out["log10_rho"],
            out["static_shift_log10"], self.counts, self.swaps,
        )  # fmt: skip
        if record:
            taken = len(range(-offset % thin, n_sweeps, thin))
            self.samples.append({k: a[:taken] for k, a in out.items()})

    def stacked(self) -> dict:
        return {k: np.concatenate([r[k] for r in self.samples]) for k in self.samples[0]}

    def halve(self) -> None:
        """Keep every other sample (the thinning interval doubles)."""
        self.samples = [{k: a[::2] for k, a in self.stacked().items()}]


def _seed(seed: int, ladder: int, round_index: int) -> int:
    return int(np.random.SeedSequence([seed, ladder, round_index]).generate_state(1)[0])


def _diagnose(samples: list[dict], depth_x, shift_on: bool):
    """R̂ and ESS (:func:`split_rhat_ess`) of the quantities the stopping rule watches."""
    size = min(s["chi2"].size for s in samples)
    draws = {k: np.stack([s[k][:size] for s in samples]) for k in ("chi2", "n_layers")}
    if shift_on:
        draws["static_shift_log10"] = np.stack([s["static_shift_log10"][:size] for s in samples])
    values = np.empty((len(samples), size, depth_x.size))
    for m, s in enumerate(samples):
        kernel.values_at(
            s["n_layers"][:size], s["interfaces_log10"][:size], s["log10_rho"][:size], depth_x,
            values[m],
        )  # fmt: skip
    draws["log10_rho"] = values
    rhat, ess = {}, {}
    for k, d in draws.items():
        r, e = split_rhat_ess(d)
        rhat[k], ess[k] = (r, e) if k == "log10_rho" else (float(r), float(e))
    return rhat, ess


def _passes(rhat: dict, ess: dict, settings: SamplerSettings) -> bool:
    """The stopping rule: every R̂ at most ``max_rhat``, every ESS at least ``min_ess``."""
    worst, least = _extremes(rhat, ess)
    return worst <= settings.max_rhat and least >= settings.min_ess


def _extremes(rhat: dict, ess: dict) -> tuple[float, float]:
    """The largest R̂ and the smallest ESS over every watched quantity."""
    worst = max(float(np.max(r)) for r in rhat.values())
    return worst, min(float(np.min(e)) for e in ess.values())


def _screened(samples: list[dict], depth_x, shift_on: bool, settings: SamplerSettings):
    """R̂ and ESS (:func:`_diagnose`) on every :data:`SCREEN_EVERY`-th depth bin, and on
    all of them once the stopping rule holds there."""
    # (every depth bin only once a few of them pass: the ranks cost ~0.1 s per bin row)
    rhat, ess = _diagnose(samples, depth_x[::SCREEN_EVERY], shift_on)
    if _passes(rhat, ess, settings):
        rhat, ess = _diagnose(samples, depth_x, shift_on)
    return rhat, ess


def depth_centres(prior: Prior, settings: SamplerSettings) -> np.ndarray:
    """log10 depths (D,) of the depth-bin centres: equal bins over
    ``settings.depth_range_log10``, by default the prior's interface range (a decade
    either side when that range has no width)."""
    lo, hi = settings.depth_range_log10 or prior.log10_depth_m
    if hi <= lo:
        lo, hi = lo - 1.0, hi + 1.0
    return lo + (hi - lo) * (np.arange(settings.depth_bins) + 0.5) / settings.depth_bins


def _run_round(ladders: list[_Ladder], common, seed, round_index, n_sweeps, offset, thin, record):
    """Every ladder for ``n_sweeps`` sweeps (:meth:`_Ladder.run`; adapting when not
    recording), side by side on threads, each seeded from (seed, ladder, round)."""
    threads = min(numba.get_num_threads(), len(ladders))

    def one(m):
        seed_m = _seed(seed, m, round_index)
        ladders[m].run(seed_m, n_sweeps, offset, thin, record, not record, common)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(len(ladders))))


def _burn_in(ladders: list[_Ladder], common, settings: SamplerSettings, seed) -> np.ndarray:
    """The burn-in (round 0: the scales adapt, nothing is kept); the proposal tables it
    ends with (M, T, 6). The step counts start again from zero."""
    if settings.burn_in:
        _run_round(ladders, common, seed, 0, settings.burn_in, 0, 1, False)
    scales = np.stack([lad.table.copy() for lad in ladders])
    for lad in ladders:
        lad.counts[:] = 0
        lad.swaps[:] = 0
    return scales


def _capped(done: int, elapsed: float, settings: SamplerSettings) -> str | None:
    """Which cap (:data:`CHAIN_STOPS`) ``done`` sweeps after ``elapsed`` seconds reach, if
    any."""
    if done >= settings.max_sweeps:
        return "max_sweeps"
    if settings.max_seconds is not None and elapsed >= settings.max_seconds:
        return "max_seconds"
    return None


def _next_round(done, least_ess, elapsed, per_sweep, settings: SamplerSettings) -> int:
    """Sweeps of the next round: as many as the smallest ESS says the rule needs (ESS grows
    in proportion to the sweeps), at least ``first_round``, at most the run so far, within
    the caps (``per_sweep`` seconds a sweep)."""
    wanted = done * settings.min_ess / max(least_ess, 1.0)
    n_sweeps = int(min(max(wanted - done, settings.first_round), done))
    n_sweeps = min(n_sweeps, settings.max_sweeps - done)
    if settings.max_seconds is not None:
        left = settings.max_seconds - elapsed
        n_sweeps = max(1, min(n_sweeps, int(left / per_sweep)))
    return n_sweeps


def _rounds(ladders: list[_Ladder], common, settings: SamplerSettings, seed, shift_on, t0):
    """Recorded rounds until the stopping rule holds or a cap is reached (module
    docstring): ``(thin, sweeps, rhat, ess, stop, rounds)``, ``rounds`` a dict per round
    (sweeps so far, max R̂, min ESS, seconds since ``t0``)."""
    depth_x = common[-1]  # (the depth-bin centres, the kernel's last argument of the problem)
    thin = max(1, settings.first_round // settings.samples_per_chain)
    done, round_index, rounds = 0, 1, []
    n_sweeps = settings.first_round
    while True:
        t_round = time.perf_counter()
        _run_round(ladders, common, seed, round_index, n_sweeps, done, thin, True)
        per_sweep = (time.perf_counter() - t_round) / n_sweeps
        done += n_sweeps
        round_index += 1
        samples = [lad.stacked() for lad in ladders]
        rhat, ess = _screened(samples, depth_x, shift_on, settings)
        worst_rhat, least_ess = _extremes(rhat, ess)
        rounds.append(
            dict(sweeps=done, max_rhat=worst_rhat, min_ess=least_ess,
                 seconds=time.perf_counter() - t0)
        )  # fmt: skip
        if _passes(rhat, ess, settings):
            return thin, done, rhat, ess, "converged", rounds
        elapsed = time.perf_counter() - t0
        stop = _capped(done, elapsed, settings)
        if stop is not None:
            if rhat["log10_rho"].size < depth_x.size:
                rhat, ess = _diagnose(samples, depth_x, shift_on)
            return thin, done, rhat, ess, stop, rounds
        n_sweeps = _next_round(done, least_ess, elapsed, per_sweep, settings)
        if samples[0]["chi2"].size > 2 * settings.samples_per_chain:
            for lad in ladders:
                lad.halve()
            thin *= 2


def _rates(ladders: list[_Ladder], n_temperatures: int) -> tuple[np.ndarray, np.ndarray]:
    """Acceptance rates (M, T, 5) per step type and swap rates (M, T − 1) per neighbouring
    pair (NaN where none was tried)."""
    counts = np.stack([lad.counts for lad in ladders]).astype(float)
    swaps = np.stack([lad.swaps for lad in ladders]).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        acceptance = counts[..., 1] / counts[..., 0]
        swap_rate = swaps[..., 1] / swaps[..., 0]
    return acceptance, swap_rate[:, : n_temperatures - 1]


def _pooled_samples(ladders: list[_Ladder]) -> dict:
    """Every ladder's samples, stacked (M, S, ·), cut to the fewest any ladder holds."""
    samples = [lad.stacked() for lad in ladders]
    size = min(s["chi2"].size for s in samples)
    return {k: np.stack([s[k][:size] for s in samples]) for k in samples[0]}


def run(
    likelihood: Likelihood, prior: Prior, starts: list, settings: SamplerSettings, seed: int
) -> Chains:
    """Run ``settings.n_ladders`` ladders from ``starts`` (one ``(n, x (n−1,), v (n,))`` per
    ladder, inside the prior) until the stopping rule holds (module docstring)."""
    t0 = time.perf_counter()
    kind, data = likelihood.kernel_arrays()
    depth_x = depth_centres(prior, settings)
    v_lo, v_hi = prior.log10_rho
    n_bins = max(1, int(round((v_hi - v_lo) / settings.rho_bin_decades)))
    shift_on = prior.static_shift_std_log10 is not None
    beta = settings.beta()
    common = (
        kind, data, prior.vector(), prior.n_min, prior.n_max,
        MOVE_P_SHIFT if shift_on else MOVE_P, beta, depth_x,
    )  # fmt: skip
    ladders = [_Ladder(s, prior, data, kind, settings, depth_x, n_bins) for s in starts]
    scales = _burn_in(ladders, common, settings, seed)
    thin, done, rhat, ess, stop, rounds = _rounds(ladders, common, settings, seed, shift_on, t0)
    acceptance, swap_rate = _rates(ladders, len(beta))
    return Chains(
        depth_log10=depth_x,
        rho_edges=np.linspace(v_lo, v_hi, n_bins + 1),
        hist=sum(lad.hist for lad in ladders),
        hist_n=sum(lad.hist_n for lad in ladders),
        hist_iface=sum(lad.hist_iface for lad in ladders),
        value_sum=sum(lad.value_sum for lad in ladders),
        samples=_pooled_samples(ladders),
        thin=thin,
        sweeps=done,
        burn_in=settings.burn_in,
        rhat=rhat,
        ess=ess,
        stop=stop,
        seconds=time.perf_counter() - t0,
        beta=beta,
        acceptance=acceptance,
        swap_rate=swap_rate,
        scales=scales,
        rounds=rounds,
    )
