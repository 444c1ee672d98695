"""Laterally constrained inversion (LCI) of 1D soundings along a profile.

All stations, on one layer grid, are inverted together (Auken & Christiansen 2004): one
Gauss–Newton over the models ``m_i = log10 ρ`` (L,) of every station i, minimizing

    Φ = Σ_i [ ‖W_i (d_i − F(m_i))‖² + μ_i ( ‖R (m_i − r_i)‖² + α_s ‖S_i (m_i − r_i)‖² ) ]
        + κ Σ_(i,j) w_ij min(μ_i, μ_j) ‖m_i − m_j‖².

The first line is each station's own objective, as :mod:`mtlib.inversion.occam` states it:
its data ``d = [ln ρa; φ]`` weighed by their errors (:mod:`mtlib.data_errors`), the
vertical roughness ``R`` (first differences) and the σ-weighted closeness ``S_i =
diag(1/σ_i)`` of its departure from its reference ``r_i``: the network's guess with the
network's σ (:mod:`mtlib.inversion.reference`). The second joins neighbours along the
profile (consecutive stations by distance): a layer should have the same resistivity at
two neighbours, with ``w_ij = d0 / d_ij`` (d0 the median spacing, w at most
:data:`MAX_DISTANCE_WEIGHT`), i.e. a lateral variance growing linearly with distance. The
lateral weight is relative to the weaker vertical regularization of the pair
(``min(μ_i, μ_j)``), so ``κ`` (``lateral_weight``) is a ratio that holds whatever μ the
fit needs, and a station can always loosen its neighbours' hold by lowering its own μ: it
can fit its data as well as alone, and a station that its reference already fits (its μ
at the ceiling) holds its neighbours no harder than they hold themselves. κ = 0 leaves
independent 1D inversions.

**The trade-off: every station fits its own data.** Each station has its own μ_i, set by
the discrepancy principle as in Occam's 1D inversion. Every iteration linearizes all
stations about the current models (exact Jacobians,
:func:`mtlib.forward.log_response_jacobian`) and scans its μ by a factor s on a grid
(:data:`SCAN`), each station solving its own linearized problem with its neighbours held
where they are (a dense L × L solve per station; exactly the 1D problem when κ = 0); each
station takes the largest s whose model — or a shorter step towards it
(:data:`STEP_FRACTIONS`) — fits its data to the target by the exact forward (interpolated
in log χ², log s), or, when none does, the s of its smallest misfit (linearized misfits
keep falling as μ → 0, the true ones do not). The joint step is then solved with those
μ_i s_i, all stations together (one sparse factorization); a μ that turns back takes half
the step it would (no swinging about the target; twice again once it keeps its way),
and a station whose share of Φ (half of each lateral term counted to each side) would
rise takes half its step, and so on. A station stops at its target nRMS (within
:data:`FIT_TOLERANCE`) or at the best fit it can reach; the whole stops when every station
has and the models (or the μ) no longer change.

**Sparse.** The normal matrix has a dense L × L block per station and a diagonal block per
neighbour pair: about n L² entries of (n L)², factorized by SuperLU
(:func:`scipy.sparse.linalg.splu`); with the stations in profile order, a profile's pairs
make it block-tridiagonal, banded, and the factors keep its band.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from .. import data_errors
from ..constants import DOI_THRESHOLD_DECADES, LN10
from ..forward import log_response, log_response_jacobian
from ..inversion import batch_results
from ..inversion.checks import usable_soundings
from ..inversion.grids import COVERING_N_LAYERS, covering_grid
from ..inversion.occam import LOG10_RHO_MAX, LOG10_RHO_MIN, SMALLNESS
from ..inversion.reference import references
from ..inversion.result import InversionResult
from ..inversion.solve import padded

LATERAL_WEIGHT = 10.0
"""κ: the lateral roughness between neighbours relative to the vertical roughness (the
model errors it gives on synthetic profiles: ``bench/survey.py``, the book's survey page)."""
MAX_DISTANCE_WEIGHT = 10.0
"""Largest w_ij = d0 / d_ij (stations much closer than the median spacing)."""
SCAN = 10.0 ** np.linspace(-2.0, 2.0, 5)
"""Factors on each station's μ tried by each iteration's scan."""
FIRST_SCAN = 10.0 ** np.arange(-8.0, 3.0)
"""The first iteration's scan, from the reference (μ is not known yet)."""
FIT_TOLERANCE = 0.05
"""A station is at its target when its χ² is within this fraction of the target χ² (well
inside χ²'s own scatter, √(2/N): 18 % for 60 data)."""
MODEL_TOLERANCE = 0.01
"""Largest change (decades) of any layer between iterations once converged..."""
MU_TOLERANCE_DECADES = 0.1
"""... or of any station's μ (the models of layers the data do not see may still creep)."""
STALL = 0.01
"""A station above its target that no scan model fits has reached its best fit when an
iteration lowers its χ² by less than this fraction."""
MU_RANGE = (1e-10, 1e6)
"""Bounds of μ relative to its starting value (the data-to-model scale of the reference)."""
STEP_FRACTIONS = np.array([1.0, 0.5])
"""Fractions of each scan model's step whose misfits are tried too (a full step can
overshoot where the response is far from linear)."""
HALVINGS = 8
"""Halvings of a station's step before it stays put for the iteration."""


@dataclass
class LCIResult:
    """An LCI run over n stations: ``results`` one :class:`InversionResult` per station in
    the order given (None where a sounding was refused), on the common grid ``thick_m``
    (L-1,); ``distance_km`` (n,) as given; ``lateral_weight`` κ; ``iterations`` of the
    joint Gauss–Newton; ``stop`` ("converged", "max_iter" or "no descent");
    ``seconds`` its wall time; ``nrms_history`` (iterations + 1, n') the nRMS of the
    inverted stations after each iteration (the reference first)."""

    results: list[InversionResult | None]
    thick_m: np.ndarray
    distance_km: np.ndarray
    lateral_weight: float
    iterations: int
    stop: str
    seconds: float
    nrms_history: np.ndarray

    @property
    def log10_rho(self) -> np.ndarray:
        """Models (n', L) of the inverted stations, log10 Ω·m, in the order given."""
        return np.array([np.log10(r.rho_ohmm) for r in self.results if r is not None])

    @property
    def nrms(self) -> np.ndarray:
        """nRMS (n',) of the inverted stations."""
        return np.array([r.nrms for r in self.results if r is not None])


def common_grid(responses, n_layers: int = COVERING_N_LAYERS) -> np.ndarray:
    """One grid (L-1,) m that covers every sounding's data (:func:`covering_grid`): its
    first layer as thin as the thinnest station's, its half-space as deep as the
    deepest's."""
    data, _ = usable_soundings(list(responses), data_errors.Z_REL_ERR_CAP)
    first, bottom = [], []
    for f, r, _, _, m in data:
        thick = covering_grid(f[m], r[m], n_layers)
        first.append((thick[0], f[m].max(), r[m][np.argmax(f[m])]))
        bottom.append((thick.sum(), f[m].min(), r[m][np.argmin(f[m])]))
    _, f_hi, r_hi = min(first)
    _, f_lo, r_lo = max(bottom)
    return covering_grid(np.array([f_hi, f_lo]), np.array([r_hi, r_lo]), n_layers)


def neighbours(distance_km) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (P, 2) of consecutive stations along the profile (indices into
    ``distance_km``) and their weights w (P,): d0 / d, d0 the median spacing, at most
    :data:`MAX_DISTANCE_WEIGHT`."""
    x = np.asarray(distance_km, dtype=float)
    order = np.argsort(x, kind="stable")
    pairs = np.column_stack([order[:-1], order[1:]])
    gaps = np.diff(x[order])
    d0 = np.median(gaps) if gaps.size else 1.0
    if not d0 > 0:
        d0 = max(gaps.max(initial=0.0), 1.0)
    with np.errstate(divide="ignore"):
        weights = np.minimum(d0 / gaps, MAX_DISTANCE_WEIGHT)
    return pairs, weights


@dataclass
class _Linearized:
    """n models linearized: ln ρa and φ (n, F), the weighted misfits χ² (n,), the weighted
    Jacobians G (n, 2F, L) with respect to log10 ρ and GᵀG (n, L, L)."""

    log_rhoa: np.ndarray
    phase: np.ndarray
    chi2: np.ndarray
    g: np.ndarray
    gtg: np.ndarray


class _Joint:
    """The joint problem of n stations on L layers: data, references, regularization and
    neighbour pairs, with the sparse pattern of its normal matrix built once."""

    def __init__(self, arrays, thick_m, m_ref, ref_std, pairs, weights, smallness):
        freq, log_rhoa, phase, p, mask = arrays
        self.freq, self.mask, self.thick = freq, mask, thick_m
        self.n, self.n_layers = m_ref.shape
        self.w = np.concatenate(
            [mask / data_errors.rhoa_rel_err(p), mask / data_errors.phase_std_rad(p)], axis=1
        )
        self.d_w = self.w * np.concatenate([log_rhoa, phase], axis=1)
        self.n_data = 2 * mask.sum(axis=1)
        self.m_ref = m_ref
        rough = np.diff(np.eye(self.n_layers), axis=0)
        # N_i = RᵀR + α_s S_i² (n, L, L)
        self.norm = rough.T @ rough + smallness * (1.0 / ref_std**2)[:, :, None] * np.eye(
            self.n_layers
        )
        self.pairs, self.pair_weights = pairs, weights
        n, n_lay = self.n, self.n_layers
        offset = (np.arange(n) * n_lay)[:, None, None]
        rows = np.broadcast_to(offset + np.arange(n_lay)[None, :, None], (n, n_lay, n_lay))
        cols = np.broadcast_to(offset + np.arange(n_lay)[None, None, :], (n, n_lay, n_lay))
        lateral_rows = (pairs[:, :1] * n_lay + np.arange(n_lay)).ravel()
        lateral_cols = (pairs[:, 1:] * n_lay + np.arange(n_lay)).ravel()
        self.rows = np.concatenate([rows.ravel(), lateral_rows, lateral_cols])
        self.cols = np.concatenate([cols.ravel(), lateral_cols, lateral_rows])

    def linearize(self, m) -> _Linearized:
        """The responses, misfits and weighted Jacobians of the models ``m`` (n, L)."""
        log_rhoa, phase, jac = log_response_jacobian(10.0**m, self.thick, self.freq)
        pred_w = self.w * np.concatenate([log_rhoa, phase], axis=1)
        chi2 = np.sum((self.d_w - pred_w) ** 2, axis=1)
        g = self.w[:, :, None] * jac * LN10
        return _Linearized(log_rhoa, phase, chi2, g, np.einsum("ifk,ifl->ikl", g, g))

    def rhs_data(self, lin: _Linearized, m) -> np.ndarray:
        """The data's part (n, L) of the linearized normal equations' right-hand side about
        ``m`` (n, L): Gᵀ (W (d − F(m)) + G m)."""
        pred_w = self.w * np.concatenate([lin.log_rhoa, lin.phase], axis=1)
        b = self.d_w - pred_w + np.einsum("ifk,ik->if", lin.g, m)
        return np.einsum("ifk,if->ik", lin.g, b)

    def chi2(self, m) -> np.ndarray:
        log_rhoa, phase = log_response(10.0**m, self.thick, self.freq)
        pred_w = self.w * np.concatenate([log_rhoa, phase], axis=1)
        return np.sum((self.d_w - pred_w) ** 2, axis=1)

    def lateral(self, mu, kappa) -> np.ndarray:
        """c (P,) = κ w_ij min(μ_i, μ_j) of each pair."""
        i, j = self.pairs.T
        return kappa * self.pair_weights * np.minimum(mu[i], mu[j])

    def merit(self, m, chi2, mu, kappa) -> np.ndarray:
        """Each station's share φ_i (n,) of Φ: its misfit, its regularization and half of
        each lateral term it is in (Σ φ_i = Φ)."""
        dm = m - self.m_ref
        share = chi2 + mu * np.einsum("ij,ijk,ik->i", dm, self.norm, dm)
        i, j = self.pairs.T
        lateral = 0.5 * self.lateral(mu, kappa) * np.sum((m[i] - m[j]) ** 2, axis=1)
        np.add.at(share, i, lateral)
        np.add.at(share, j, lateral)
        return share

    def _blocks(self, gtg, mu, kappa):
        """The diagonal blocks (n, L, L) of the normal matrix, and the pairs' weights c."""
        c = self.lateral(mu, kappa)
        on_diagonal = np.zeros(self.n)
        np.add.at(on_diagonal, self.pairs[:, 0], c)
        np.add.at(on_diagonal, self.pairs[:, 1], c)
        eye = np.eye(self.n_layers)
        return gtg + mu[:, None, None] * self.norm + on_diagonal[:, None, None] * eye, c

    def solve_each(self, gtg, rhs_data, mu, kappa, m_now) -> np.ndarray:
        """Each station's models (n, L) minimizing its share of the linearized Φ with its
        neighbours held at ``m_now`` (a dense L × L solve per station): the cheap stand-in
        for :meth:`solve` that each iteration's scan of μ uses (exact for κ = 0)."""
        blocks, c = self._blocks(gtg, mu, kappa)
        pull = np.zeros_like(m_now)
        i, j = self.pairs.T
        np.add.at(pull, i, c[:, None] * m_now[j])
        np.add.at(pull, j, c[:, None] * m_now[i])
        rhs = rhs_data + mu[:, None] * np.einsum("ijk,ik->ij", self.norm, self.m_ref) + pull
        m = np.linalg.solve(blocks, rhs[:, :, None])[:, :, 0]
        return np.clip(m, LOG10_RHO_MIN, LOG10_RHO_MAX)

    def solve(self, gtg, rhs_data, mu, kappa) -> np.ndarray:
        """The models (n, L) minimizing the linearized Φ for the μ (n,) given (within the
        engine's bounds on trial models)."""
        n, n_lay = self.n, self.n_layers
        blocks, c = self._blocks(gtg, mu, kappa)
        off = np.repeat(-c, n_lay)
        data = np.concatenate([blocks.ravel(), off, off])
        a = sp.csc_matrix((data, (self.rows, self.cols)), shape=(n * n_lay, n * n_lay))
        rhs = rhs_data + mu[:, None] * np.einsum("ijk,ik->ij", self.norm, self.m_ref)
        m = splu(a, permc_spec="NATURAL").solve(rhs.ravel()).reshape(n, n_lay)
        return np.clip(m, LOG10_RHO_MIN, LOG10_RHO_MAX)


def _choose_scale(chi2_scan, scan, target) -> tuple[np.ndarray, np.ndarray]:
    """Per station (columns of ``chi2_scan`` (K, n), scan factors ``scan`` (K,) ascending):
    the largest factor whose χ² reaches the target, interpolated between scan points in
    log χ² and log s; none reaching it: the factor of the smallest χ². Also the index (n,)
    of the scan point each choice rests on."""
    chosen = np.argmin(chi2_scan, axis=0)
    out = scan[chosen]
    log_s, log_c, log_t = np.log(scan), np.log(chi2_scan), np.log(target)
    for i in range(chi2_scan.shape[1]):
        fits = np.flatnonzero(log_c[:, i] <= log_t[i])
        if fits.size == 0:
            continue
        k = chosen[i] = fits[-1]
        out[i] = scan[k]
        if k + 1 < scan.size and log_c[k + 1, i] > log_c[k, i]:
            frac = (log_t[i] - log_c[k, i]) / (log_c[k + 1, i] - log_c[k, i])
            out[i] = np.exp(log_s[k] + frac * (log_s[k + 1] - log_s[k]))
    return out, chosen


@dataclass
class _Fit:
    """Where the joint Gauss–Newton stands (n stations, L layers): the models ``m`` (n, L)
    and their linearization ``lin``; each station's μ (n,), ``mu0`` the data-to-model scale
    of the reference it starts from; the μ factors the next scan tries; which stations are
    done; the damping of each μ step and the last one (log μ); the nRMS after every
    iteration (the reference first); χ² of the reference; iterations and why it stopped."""

    m: np.ndarray
    lin: _Linearized
    mu: np.ndarray
    mu0: np.ndarray
    scan: np.ndarray
    done: np.ndarray
    damping: np.ndarray
    last_log_step: np.ndarray
    history: list
    chi2_start: np.ndarray
    iterations: int = 0
    stop: str = "max_iter"

    @classmethod
    def start(cls, joint: _Joint) -> _Fit:
        """At the references, μ at the ratio of the data's and the model norm's traces."""
        m = joint.m_ref.copy()
        lin = joint.linearize(m)
        mu0 = np.trace(lin.gtg, axis1=1, axis2=2) / np.trace(joint.norm, axis1=1, axis2=2)
        n = joint.n
        return cls(
            m, lin, mu0, mu0, FIRST_SCAN, np.zeros(n, dtype=bool), np.ones(n),
            np.zeros(n), [np.sqrt(lin.chi2 / joint.n_data)], lin.chi2,
        )  # fmt: skip


def _scan(joint: _Joint, fit: _Fit, rhs_data, kappa) -> np.ndarray:
    """χ² (K, Q, n) of each station's model for every factor of ``fit.scan`` (K,) on its μ
    (:meth:`_Joint.solve_each`), and of the shorter steps towards it
    (:data:`STEP_FRACTIONS` (Q,); exact forwards are cheap)."""
    m = fit.m
    chi2_scan = np.empty((fit.scan.size, STEP_FRACTIONS.size, joint.n))
    for k, s in enumerate(fit.scan):
        trial = joint.solve_each(fit.lin.gtg, rhs_data, fit.mu * s, kappa, m) - m
        for q, fraction in enumerate(STEP_FRACTIONS):
            chi2_scan[k, q] = joint.chi2(m + fraction * trial)
    return chi2_scan


def _damped_mu(fit: _Fit, factor) -> np.ndarray:
    """Each station's next μ (n,): its μ times the chosen ``factor``, within
    :data:`MU_RANGE`; a μ that turns back shortens its steps (it would swing about its
    value), one that keeps its way lengthens them again (up to the full step). Updates the
    damping and the last step of ``fit``."""
    log_step = np.log(factor)
    turned = log_step * fit.last_log_step < 0
    fit.damping = np.where(turned, fit.damping / 2, np.minimum(2 * fit.damping, 1.0))
    fit.last_log_step = log_step
    mu = fit.mu * np.exp(fit.damping * log_step)
    return np.clip(mu, fit.mu0 * MU_RANGE[0], fit.mu0 * MU_RANGE[1])


def _descent(joint: _Joint, m, chi2, step, mu, kappa) -> tuple[np.ndarray, np.ndarray]:
    """Fractions t (n,) of each station's ``step`` (n, L) from ``m`` that do not raise its
    share of Φ (:meth:`_Joint.merit`), halved up to :data:`HALVINGS` times (then 0), and
    the χ² (n,) at ``m + t step``."""
    phi_now = joint.merit(m, chi2, mu, kappa)
    t = np.ones(joint.n)
    for _ in range(HALVINGS):
        chi2_new = joint.chi2(m + t[:, None] * step)
        worse = joint.merit(m + t[:, None] * step, chi2_new, mu, kappa) >= phi_now
        if not worse.any():
            return t, chi2_new
        t[worse] /= 2
    t[worse] = 0.0
    return t, joint.chi2(m + t[:, None] * step)


def _stations_done(chi2_new, chi2_old, mu, mu0, target, reachable) -> np.ndarray:
    """Which stations (n,) are done after a step from χ² ``chi2_old`` to ``chi2_new`` (n,)
    at μ ``mu`` (n,): at their target, below it with μ at its ceiling (the reference fits),
    or above it and stalled with no scan model that would fit (``reachable``)."""
    fitted = np.abs(chi2_new / target - 1) <= FIT_TOLERANCE
    at_ceiling = (chi2_new < target) & (mu >= mu0 * MU_RANGE[1])
    stalled = chi2_new > chi2_old * (1 - STALL)
    # (a station that a scan model would fit goes on: only the others are at their best)
    return fitted | at_ceiling | ((chi2_new > target) & stalled & ~reachable)


def _iterate(joint: _Joint, fit: _Fit, kappa, target) -> str | None:
    """One joint iteration (module docstring): scan each station's μ, solve the joint step
    with the μ chosen, shorten it where a station's share of Φ would rise, take it and
    linearize again. Returns why to stop, or None."""
    rhs_data = joint.rhs_data(fit.lin, fit.m)
    chi2_scan = _scan(joint, fit, rhs_data, kappa)
    shortest = np.argmin(chi2_scan, axis=1)  # (K, n): the best step length per factor
    factor, k = _choose_scale(chi2_scan.min(axis=1), fit.scan, target)
    reachable = chi2_scan.min(axis=(0, 1)) <= target
    mu_new = _damped_mu(fit, factor)
    step = joint.solve(fit.lin.gtg, rhs_data, mu_new, kappa) - fit.m
    step *= STEP_FRACTIONS[shortest[k, np.arange(joint.n)]][:, None]
    t, chi2_new = _descent(joint, fit.m, fit.lin.chi2, step, mu_new, kappa)
    if not t.any():  # no station's share of Φ falls any more
        return "converged" if fit.done.all() else "no descent"
    step = t[:, None] * step
    settled = np.max(np.abs(np.log10(mu_new / fit.mu))) < MU_TOLERANCE_DECADES
    fit.done = _stations_done(chi2_new, fit.lin.chi2, mu_new, fit.mu0, target, reachable)
    fit.m, fit.mu, fit.scan = fit.m + step, mu_new, SCAN
    fit.lin = joint.linearize(fit.m)
    fit.history.append(np.sqrt(fit.lin.chi2 / joint.n_data))
    if fit.done.all() and (np.max(np.abs(step)) < MODEL_TOLERANCE or settled):
        return "converged"
    return None


def _gauss_newton(joint: _Joint, kappa, target, max_iter) -> _Fit:
    """The joint Gauss–Newton from the references, for at most ``max_iter`` iterations."""
    fit = _Fit.start(joint)
    for it in range(1, max_iter + 1):
        fit.iterations = it
        stop = _iterate(joint, fit, kappa, target)
        if stop is not None:
            fit.stop = stop
            break
    return fit


def _outcome(joint: _Joint, fit: _Fit, target) -> _Outcome:
    """The joint solution in the per-sounding form (:class:`_Outcome`)."""
    m, lin, n = fit.m, fit.lin, joint.n
    fitted = lin.chi2 <= target * (1 + FIT_TOLERANCE)
    return _Outcome(
        rho_ohmm=10.0**m,
        log_rhoa=lin.log_rhoa,
        phase_rad=lin.phase,
        nrms=np.sqrt(lin.chi2 / joint.n_data),
        nrms_start=np.sqrt(fit.chi2_start / joint.n_data),
        static_shift=np.ones(n),
        static_shift_std_log10=np.zeros(n),
        iterations=np.full(n, fit.iterations),
        mu=fit.mu,
        stop=np.where(fitted, "target", np.where(fit.done, "best fit", "max_iter")),
        # the joint linearized posterior is not computed: no band, no averaging kernels
        posterior_std_log10=np.full(m.shape, np.nan),
        posterior_cov_log10=np.full(m.shape + m.shape[1:], np.nan),
        resolution=np.full(m.shape + m.shape[1:], np.nan),
    )


def _check_options(distance_km, n_responses, lateral_weight, target_nrms, max_iter) -> np.ndarray:
    """:func:`lci`'s positions (n,) as floats, once they and its options are checked."""
    x = np.asarray(distance_km, dtype=float)
    if x.shape != (n_responses,) or not np.all(np.isfinite(x)):
        raise ValueError(
            f"distance_km must be finite with one value per sounding ({n_responses}), "
            f"got shape {x.shape}"
        )
    if not (np.isfinite(lateral_weight) and lateral_weight >= 0):
        raise ValueError(f"lateral_weight must be finite and >= 0, got {lateral_weight}")
    if not target_nrms > 0:
        raise ValueError(f"target_nrms must be > 0, got {target_nrms}")
    if int(max_iter) != max_iter or max_iter < 1:
        raise ValueError(f"max_iter must be an integer >= 1, got {max_iter!r}")
    return x


def _in_profile_order(responses, x, z_err_cap, refused) -> tuple[list, list]:
    """The usable soundings' arrays and their indices into ``responses``, in profile order
    (the neighbours' blocks then sit next to each other: a banded matrix)."""
    data, kept = usable_soundings(responses, z_err_cap, "z_rel_err", refused)
    order = np.argsort(x[kept], kind="stable")
    data, kept = [data[k] for k in order], [kept[k] for k in order]
    if len(data) < 2:
        raise ValueError(f"a profile needs at least 2 usable soundings, got {len(data)}")
    return data, kept


def _grid(responses, thick_m, n_layers) -> np.ndarray:
    """The common grid (L-1,) m: ``thick_m`` checked, or :func:`common_grid` of the
    soundings."""
    thick = common_grid(responses, n_layers) if thick_m is None else thick_m
    thick = np.asarray(thick, dtype=float)
    if thick.ndim != 1 or not np.all(np.isfinite(thick) & (thick > 0)):
        raise ValueError(f"thick_m must be 1-D, finite and > 0, got shape {thick.shape}")
    return thick


def lci(
    responses,
    distance_km,
    thick_m=None,
    net=None,
    *,
    lateral_weight: float = LATERAL_WEIGHT,
    target_nrms: float = 1.0,
    smallness: float = SMALLNESS,
    max_iter: int = 30,
    n_layers: int = COVERING_N_LAYERS,
    z_err_cap: float = data_errors.Z_REL_ERR_CAP,
    doi_threshold: float = DOI_THRESHOLD_DECADES,
    refused: dict | None = None,
) -> LCIResult:
    """Invert the soundings of a profile together; see the module docstring.

    ``responses``: n soundings (:class:`mtlib.data_errors.Response1D`, as
    :func:`mtlib.inversion.invert_many` takes them); ``distance_km`` (n,) their positions
    along the profile (:meth:`mtlib.survey.geometry.Line.distance_km`); ``thick_m``
    (L-1,) m the common grid (default :func:`common_grid` of ``n_layers``); ``net`` the
    network whose guesses are the references (default the shipped field network).
    ``lateral_weight`` κ ≥ 0; ``target_nrms`` of every station; ``smallness`` α_s;
    ``max_iter`` joint iterations. A sounding that cannot be inverted raises
    ``ValueError``; with a dict as ``refused`` it is left out of the line (its result is
    None, ``refused[index]`` says why) and its neighbours join across it.
    """
    t0 = time.perf_counter()
    responses = list(responses)
    x = _check_options(distance_km, len(responses), lateral_weight, target_nrms, max_iter)
    data, kept = _in_profile_order(responses, x, z_err_cap, refused)
    thick = _grid([responses[k] for k in kept], thick_m, n_layers)
    thicks = np.repeat(thick[None], len(data), axis=0)
    m_ref, ref_std, guess = references(data, thicks, "network", net, doi_threshold)
    arrays = padded(data)
    pairs, weights = neighbours(x[kept])
    joint = _Joint(arrays, thicks, m_ref, ref_std, pairs, weights, smallness)
    target = target_nrms**2 * joint.n_data
    fit = _gauss_newton(joint, lateral_weight, target, max_iter)
    res = _outcome(joint, fit, target)
    seconds = time.perf_counter() - t0
    out: list[InversionResult | None] = [None] * len(responses)
    for k, result in enumerate(batch_results(data, arrays, thicks, m_ref, ref_std, guess, res)):
        result.seconds = seconds / len(data)
        out[kept[k]] = result
    history = np.array(fit.history)
    return LCIResult(
        out, thick, x, float(lateral_weight), fit.iterations, fit.stop, seconds, history
    )


@dataclass
class _Outcome:
    """The joint solution in the per-sounding form :class:`InversionResult` is built from."""

    rho_ohmm: np.ndarray
    log_rhoa: np.ndarray
    phase_rad: np.ndarray
    nrms: np.ndarray
    nrms_start: np.ndarray
    static_shift: np.ndarray
    static_shift_std_log10: np.ndarray
    iterations: np.ndarray
    mu: np.ndarray
    stop: np.ndarray
    posterior_std_log10: np.ndarray
    posterior_cov_log10: np.ndarray
    resolution: np.ndarray
