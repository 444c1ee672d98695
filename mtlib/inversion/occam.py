"""Occam-style regularized Gauss–Newton inversion of 1D MT soundings, per sounding, batched.

For every sounding, with the model ``m = log10 ρ`` on ``L`` layers and the usable data
``d = [ln ρa; φ (rad)]`` weighted by their standard errors (:mod:`mtlib.data_errors`), minimize

    Φ(m) = ‖W (d − F(m))‖²  +  μ [ ‖R (m − m_ref)‖² + α_s ‖S (m − m_ref)‖² ]

``R``: first differences between adjacent layers (each weighted by ``w_j``, 1 unless
given); ``S = diag(1/σ_ref)``: the reference
model's standard deviation per layer (decades). With a network's guess as ``m_ref`` the
roughness is that of the *departure* from the guess, so the guess's sharp boundaries cost
nothing and survive where the data are blind, and ``σ_ref`` (the network's uncertainty)
says how firmly; with a half-space as ``m_ref`` it is the classic Occam roughness.

Each iteration linearizes ``F`` about the current model with the exact Jacobian
(:func:`mtlib.forward.jacobian_one`), solves the regularized normal equations for every
``μ`` at once from one tridiagonal (Householder) reduction, tries the exact forward on a
few ``μ`` around the one whose *linearized* misfit reaches the target, and keeps Occam's
choice (Constable, Parker & Constable 1987): the largest ``μ`` whose misfit reaches the
target (the smoothest model that fits), else the one with the smallest misfit. Each
sounding stops on its own: at the target once the model stops changing, or when its misfit
stops improving (the best fit it can reach), or after ``max_iter`` iterations; only its
usable periods enter the iterations. The whole iteration is compiled (numba, one sounding
at a time, ~1 ms for 50 layers and 30 periods); the soundings of a batch are independent
problems run on ``numba.get_num_threads()`` threads. The one-off compilation (~20 s) is
cached on disk beside the package.

An optional static shift (a frequency-independent factor ``s`` on ρa, none on φ) is one
more unknown, ``log10 s``, with a Gaussian prior of standard deviation
``static_shift_std_log10`` (not scaled by ``μ``). A phase curve fixes ρa only up to such a
factor, so the shift is set by its prior and by whatever in the reference fixes the absolute
level; its posterior standard deviation (:func:`_shift_posterior_std`) lets the similarity
direction of 1D MT go free, so it says when nothing did.

The roughness above is an L2 norm: it spreads every change of resistivity over many layers
(a *smooth* model). :func:`blocky_invert` measures it nearly as an L1 norm instead, by
iteratively reweighted least squares (Farquharson & Oldenburg 1998): each round weighs a
step ``r_j`` between layers by ``ε / sqrt(r_j² + ε²)`` from the previous round's model, so
a few large jumps cost less than many small steps and the model that fits comes out
*blocky* — still the smoothest in that sense, still chosen by the discrepancy principle.

Each sounding's model comes with a linearized uncertainty (``posterior_std_log10``,
``posterior_cov_log10``, ``resolution`` of :class:`OccamResult`). Φ is read as −2 ln of a
posterior density: Gaussian data errors (``W``) and a Gaussian prior about ``m_ref`` of
precision ``μN``, ``N = RᵀWR + α_s S²`` (the shift, when estimated, has precision
``1/σ_s² + μ``: its prior and its entry in the model norm). Linearized about the final
model ``m̂`` at the μ the sounding ended with, it is Gaussian with covariance
``C = (GᵀG + μN)⁻¹`` (``G``: the weighted Jacobian at ``m̂``, with the shift's column and
prior row). ``m̂_j ± sqrt(C_jj)`` is a 68 % band of layer j's log10 ρ, the shift integrated
out. The model resolution ``Rm = C G_dᵀG_d`` (``G_d``: the data rows) holds the averaging
kernels: for a linear forward and noise-free data ``m̂ − m_ref = Rm (m_true − m_ref)``, so
a row that peaks at its own layer is resolved there (its width the vertical resolution),
and a row near 0 is a layer the reference decides. What the band is not: it is linear
about one model, and the response is not; it is conditional on μ (chosen to reach a target
misfit, not inferred, its own uncertainty left out) and on the smoothness prior, a
regularizer rather than knowledge of the earth. Below the depth of investigation σ is the
prior's, and as μ grows σ shrinks to the prior's while Rm → 0: a narrow band with small
kernels says "the prior", not "the data". The other way round, a sounding that stops short
of the target ("best fit") ended with about the smallest μ tried (10⁻⁵–10⁻⁹ on the shipped
real soundings): the prior is switched off, and its band, the data's alone, is tens to
hundreds of decades wide — a statement about that μ, not about the earth (the soundings that
reach the target: a median σ of 0.08–0.3 decades). A sampler of the full posterior is the honest
measure; this is its local, conditional approximation (one Jacobian and one P×P inverse per
sounding). A sounding that took no step (its reference already fits) has no μ, and NaN: the
band is conditional on a μ that was never chosen.
"""

from __future__ import annotations

import functools
import inspect
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple

import numba
import numpy as np

from .._numba import jit
from ..constants import LN10
from ..forward import MU0, impedance_at, jacobian_one
from ..grid import layer_centres_log_m

LOG10_RHO_MIN, LOG10_RHO_MAX = -6.0, 8.0
"""Bounds of trial models (log10 Ω·m), far outside any earth: they only keep the forward finite."""
MU_GRID = np.logspace(-12, 2, 57)
"""μ grid of the linearized misfit, relative to the largest eigenvalue of the normal matrix
(above it the step hardly leaves the reference)."""
CANDIDATE_Q = np.array([0.0, 0.2, 0.5, 0.8])
"""Fractions of the way from the target back to the current misfit that define candidates."""
N_CANDIDATES = CANDIDATE_Q.size + 1
SHORTER_STEPS = 0.5 ** np.arange(1, 7)
"""Fractions of a lost step (one that overshoots at every μ) tried instead."""
SMALLNESS = 1.0
"""α_s: the σ-weighted closeness to the reference, next to the roughness (with the network's
σ, the Gaussian prior the network states)."""
OVERFIT = 0.9**2
"""χ² below this fraction of the target, at the largest μ tried, means μ can still grow."""
FIT_TOL = 1e-9
"""Relative slack of "χ² reaches the target" (round-off of the same model evaluated twice)."""
BLOCKY_EPS_LOG10 = 0.01
"""ε of the blocky (IRLS) roughness, decades: steps much larger than it cost about their
size (L1), much smaller ones their square (L2)."""
BLOCKY_ROUNDS = 20
"""Reweighting rounds of :func:`blocky_invert` after the smooth inversion."""
STOPS = ("max_iter", "target", "best fit", "converged")
"""Why a sounding stopped, by the code the compiled engine returns ("converged": at the
minimum of Φ for a fixed μ, :func:`occam_invert`'s ``mu_fixed``)."""
MAX_ITER, TARGET, BEST_FIT, CONVERGED = range(4)


@dataclass
class OccamResult:
    """Per-sounding results of :func:`occam_invert`; n soundings, L layers, F periods."""

    rho_ohmm: np.ndarray  # (n, L)
    nrms: np.ndarray  # (n,) sqrt(χ² / N) of the usable data
    nrms_start: np.ndarray  # (n,) the same for the starting model
    iterations: np.ndarray  # (n,) Gauss–Newton iterations (Jacobians) used
    mu: np.ndarray  # (n,) trade-off μ of the last accepted step
    stop: np.ndarray  # (n,) "target", "best fit", "max_iter" or (mu_fixed) "converged"
    static_shift: np.ndarray  # (n,) factor on ρa (1 when not estimated)
    static_shift_std_log10: np.ndarray  # (n,) its posterior σ in decades (0 when not estimated)
    log_rhoa: np.ndarray  # (n, F) ln ρa predicted (shift included)
    phase_rad: np.ndarray  # (n, F)
    seconds: float
    posterior_std_log10: np.ndarray  # (n, L) σ of each layer's log10 ρ (NaN: no step taken)
    posterior_cov_log10: np.ndarray  # (n, L, L) linearized posterior covariance of log10 ρ
    resolution: np.ndarray  # (n, L, L) model resolution: row j is layer j's averaging kernel


def roughness_matrix(n_layers: int) -> np.ndarray:
    """First differences ``(L-1, L)``: row j is ``m[j+1] − m[j]``."""
    return np.diff(np.eye(n_layers), axis=0)


# --- the engine's records: inputs, settings and outputs by name, one order everywhere -----


class _Settings(NamedTuple):
    """The scalar settings of a batch (the compiled engine reads them by name)."""

    inv_shift_std: float  # 1 / prior σ of the static shift's log10 (0: no shift)
    max_iter: int
    model_tol: float  # decades: a step that changes no layer by more has settled
    stall_tol: float  # relative change of χ² (or of the model norm) that counts as none
    mu_fixed: float  # > 0: Φ minimized at this μ; 0: Occam's choice of μ


class _Soundings(NamedTuple):
    """The per-sounding inputs of the engine, as :func:`occam_invert` takes them: a batch's
    arrays (n, …), or one sounding's (the row ``i`` of each)."""

    freq_hz: np.ndarray  # (F,)
    log_rhoa: np.ndarray  # (F,) observed ln ρa
    phase_rad: np.ndarray  # (F,) observed φ
    log_rhoa_std: np.ndarray  # (F,) σ of ln ρa
    phase_std_rad: np.ndarray  # (F,) σ of φ
    mask: np.ndarray  # (F,) bool: the usable periods
    thick_m: np.ndarray  # (L-1,)
    x_ref: np.ndarray  # (P,) reference model (its shift 0)
    rough_weights: np.ndarray  # (L-1,) weights of the first differences
    precision: np.ndarray  # (L,) α_s / σ_ref²: weights of the closeness to the reference
    zeta: np.ndarray  # (L,) log10 depth of the layers' centres (read with a shift only)
    chi2_target: float  # target χ² of the usable data


class _Outputs(NamedTuple):
    """The per-sounding outputs of the engine (a batch's arrays, or one sounding's row)."""

    x: np.ndarray  # (P,) the start, updated in place to the final model
    pred: np.ndarray  # (2F,) [ln ρa; φ] of the final model at every period (masked ones too)
    record: np.ndarray  # a record of RESULT: the scalars below
    cov: np.ndarray  # (L, L) linearized posterior covariance of log10 ρ (NaN: no step)
    resolution: np.ndarray  # (L, L) model resolution (averaging kernels; NaN: no step)


RESULT = np.dtype(
    [
        ("chi2", np.float64),  # χ² of the final model (usable data)
        ("chi2_start", np.float64),  # χ² of the start
        ("iterations", np.int64),  # Gauss–Newton iterations
        ("mu", np.float64),  # μ of the last accepted step (NaN: none)
        ("stop", np.int64),  # index into STOPS
        ("shift_std_log10", np.float64),  # posterior σ of the static shift (0: none)
    ]
)
"""The scalar results of one sounding (a numpy record the compiled engine writes by name)."""


class _Problem(NamedTuple):
    """One sounding as the compiled iterations see it: its usable periods only."""

    d: np.ndarray  # (N,) = [ln ρa; φ rad], N = 2F
    w: np.ndarray  # (N,) 1/σ
    c: np.ndarray  # (F,) sqrt(ωμ0/2)
    log_omega_mu: np.ndarray  # (F,) ln(ωμ0)
    thick: np.ndarray  # (L-1,)
    x_ref: np.ndarray  # (P,)
    norm: np.ndarray  # (P, P) model norm N: Φ's prior term is μ (x − x_ref)ᵀ N (x − x_ref)
    n_layers: int
    inv_shift_std: float


class _Steps(NamedTuple):
    """How a sounding's iterations ended."""

    chi2: float  # χ² of the final model
    iterations: int
    mu: float  # μ of the last step taken (NaN: none)
    stop: int  # index into STOPS
    g: np.ndarray  # (N(+1), P) weighted Jacobian at the final model, if the last iteration
    # left the model where it linearized (else no rows: it moved since)


class _Candidates(NamedTuple):
    """Trial models of one Occam iteration, one per candidate μ (K = N_CANDIDATES)."""

    x: np.ndarray  # (K, P)
    pred: np.ndarray  # (K, N) their predictions
    chi2: np.ndarray  # (K,) their χ² (inf: abandoned, neither fits nor beats the best)


# --- the compiled engine: one sounding at a time, a batch on threads (numba, no GIL) -----
#
# Models ``x`` (P,) are log10 ρ of the L layers, then log10 of the static shift when there
# is one. Weighted residuals and Jacobians have the N = 2F data rows [ln ρa; φ], then (with
# a shift) its prior as one more row.


@jit
def _model_terms(x, thick, n_layers):  # pragma: no cover
    """sqrt(ρ) (L,), h/sqrt(ρ) (L-1,) and the shift's ln ρa offset of model ``x``."""
    sqrt_rho = 10.0 ** (0.5 * x[:n_layers])
    shift = LN10 * x[n_layers] if x.shape[0] > n_layers else 0.0
    return sqrt_rho, thick / sqrt_rho[:-1], shift


@jit
def _predict_at(sqrt_rho, h, cf, log_omega_mu_f, shift):  # pragma: no cover
    """(ln ρa, φ) at one frequency (:func:`_model_terms` of the model, ``cf`` and
    ln(ωμ0) of the frequency)."""
    z_re, z_im = impedance_at(sqrt_rho, h, cf)
    return np.log(z_re**2 + z_im**2) - log_omega_mu_f + shift, np.arctan2(z_im, z_re)


@jit
def _predict(x, thick, c, log_omega_mu, n_layers, out):  # pragma: no cover
    """[ln ρa; φ] (2F,) of model ``x`` into ``out``, the shift (if ``x`` has one) included."""
    nf = c.shape[0]
    sqrt_rho, h, shift = _model_terms(x, thick, n_layers)
    for f in range(nf):
        out[f], out[nf + f] = _predict_at(sqrt_rho, h, c[f], log_omega_mu[f], shift)


@jit
def _clip_layers(x, n_layers):  # pragma: no cover
    """Keep a trial model's layers (not its shift) inside the bounds, in place, so that
    wild steps leave the forward finite."""
    for j in range(n_layers):
        x[j] = min(max(x[j], LOG10_RHO_MIN), LOG10_RHO_MAX)


@jit
def _linearize(prob, x):  # pragma: no cover
    """Weighted Jacobian G (N, P) and residual r (N,) at model ``x``, and with the shift
    its column and its prior as one more row."""
    nf, n_layers = prob.c.shape[0], prob.n_layers
    n_par = x.shape[0]
    shift_on = n_par > n_layers
    n_rows = 2 * nf + shift_on
    z = np.empty(nf, dtype=np.complex128)
    jac = np.empty((2 * nf, n_layers))
    scratch_a = np.empty(n_layers, dtype=np.complex128)
    scratch_b = np.empty(n_layers, dtype=np.complex128)
    jacobian_one(10.0 ** x[:n_layers], prob.thick, prob.c, z, jac, scratch_a, scratch_b)
    shift = LN10 * x[n_layers] if shift_on else 0.0
    g = np.zeros((n_rows, n_par))
    r = np.zeros(n_rows)
    d, w = prob.d, prob.w
    for f in range(nf):
        pred = (
            np.log(z[f].real ** 2 + z[f].imag ** 2) - prob.log_omega_mu[f] + shift,
            np.angle(z[f]),
        )
        for half in range(2):
            row = half * nf + f
            r[row] = w[row] * (d[row] - pred[half])
            for j in range(n_layers):
                g[row, j] = w[row] * LN10 * jac[row, j]  # ∂/∂log10 ρ
            if shift_on and half == 0:
                g[row, n_layers] = w[row] * LN10
    if shift_on:
        g[2 * nf, n_layers] = prob.inv_shift_std
        r[2 * nf] = -x[n_layers] * prob.inv_shift_std
    return g, r


@jit
def _tridiagonalize(a):  # pragma: no cover
    """Householder reduction of a symmetric ``a`` (P, P; its lower triangle is read) to
    ``Qᵀ a Q = T``: the diagonal (P,) and off-diagonal (P-1,) of T, and the unit reflectors
    ``v`` (P-2, P) with ``Q = H_0 ⋯ H_{P-3}``, ``H_k = I − 2 v_k v_kᵀ`` (zero rows where
    nothing was reflected)."""
    a = a.copy()
    n = a.shape[0]
    diag, off = np.empty(n), np.zeros(max(n - 1, 0))
    v = np.zeros((max(n - 2, 0), n))
    p = np.empty(n)
    for k in range(n - 2):
        m = k + 1
        alpha = np.sqrt(np.sum(a[m:, k] ** 2))
        if a[m, k] > 0:
            alpha = -alpha  # the sign that avoids cancellation in v = x − α e₁
        v[k, m:] = a[m:, k]
        v[k, m] -= alpha
        diag[k], off[k] = a[k, k], alpha
        length = np.sqrt(np.sum(v[k] ** 2))
        if length == 0.0:
            continue
        v[k] /= length
        # H A H = A − 2 (v wᵀ + w vᵀ) with w = A v − (vᵀ A v) v, on the trailing block, whose
        # lower triangle alone is kept
        p[m:] = 0.0
        for i in range(m, n):
            total = a[i, i] * v[k, i]
            for j in range(m, i):
                total += a[i, j] * v[k, j]
                p[j] += a[i, j] * v[k, i]
            p[i] += total
        p[m:] -= (v[k, m:] @ p[m:]) * v[k, m:]
        for i in range(m, n):
            for j in range(m, i + 1):
                a[i, j] -= 2.0 * (v[k, i] * p[j] + p[i] * v[k, j])
    if n >= 2:
        diag[n - 2], off[n - 2] = a[n - 2, n - 2], a[n - 1, n - 2]
    diag[n - 1] = a[n - 1, n - 1]
    return diag, off, v


@jit
def _reflect(v, y, transpose):  # pragma: no cover
    """``Q y`` (or ``Qᵀ y``) in place for the reflectors of :func:`_tridiagonalize`."""
    n_ref = v.shape[0]
    for step in range(n_ref):
        k = step if transpose else n_ref - 1 - step
        y -= 2.0 * (v[k] @ y) * v[k]


@jit
def _largest_eigenvalue(diag, off):  # pragma: no cover
    """Largest eigenvalue of the symmetric tridiagonal (diag, off), by bisection on Sturm
    counts between the largest diagonal entry and Gershgorin's bound, to 1e-9 relative
    (it only scales the μ grid, whose points are a quarter of a decade apart)."""
    n = diag.size
    lo, hi = diag.max(), -np.inf
    for i in range(n):
        radius = (abs(off[i - 1]) if i > 0 else 0.0) + (abs(off[i]) if i < n - 1 else 0.0)
        hi = max(hi, diag[i] + radius)
    tiny = 1e-300 + 1e-30 * max(abs(lo), abs(hi))
    while hi - lo > 1e-9 * abs(hi):
        mid = 0.5 * (lo + hi)
        if not lo < mid < hi:
            break
        # the number of eigenvalues above mid: pivots of T − mid·I that come out positive
        above, q = 0, 0.0
        for i in range(n):
            q = diag[i] - mid - (off[i - 1] ** 2 / q if i > 0 else 0.0)
            if q == 0.0:
                q = tiny
            above += q > 0
        if above > 0:
            lo = mid
        else:
            hi = mid
    return max(hi, 0.0)


@jit
def _bidiagonal_cholesky(m):  # pragma: no cover
    """Diagonal (P,) and sub-diagonal (P-1,) of the lower Cholesky factor ``L`` of a
    symmetric positive definite *tridiagonal* ``m`` (P, P) — the model norm (roughness,
    closeness to the reference, the shift on its own): ``L`` is bidiagonal."""
    n = m.shape[0]
    diag, sub = np.empty(n), np.empty(max(n - 1, 0))
    diag[0] = np.sqrt(m[0, 0])
    for j in range(1, n):
        sub[j - 1] = m[j, j - 1] / diag[j - 1]
        diag[j] = np.sqrt(m[j, j] - sub[j - 1] ** 2)
    return diag, sub


@jit
def _whiten(g, diag, sub):  # pragma: no cover
    """``G L⁻ᵀ`` (N, P) for the bidiagonal ``L`` (diag, sub): each row by forward
    substitution."""
    out = np.empty_like(g)
    for i in range(g.shape[0]):
        out[i, 0] = g[i, 0] / diag[0]
        for j in range(1, g.shape[1]):
            out[i, j] = (g[i, j] - sub[j - 1] * out[i, j - 1]) / diag[j]
    return out


@jit
def _unwhiten(z, diag, sub):  # pragma: no cover
    """``L⁻ᵀ z`` (P,) for the bidiagonal ``L`` (diag, sub), by back substitution."""
    n = z.shape[0]
    y = np.empty(n)
    y[n - 1] = z[n - 1] / diag[n - 1]
    for j in range(n - 2, -1, -1):
        y[j] = (z[j] - sub[j] * y[j + 1]) / diag[j]
    return y


@jit
def _normal_system(g, b, diag_l, sub_l):  # pragma: no cover
    """Every solution of ``min_y ‖b − G y‖² + μ yᵀ M y``, for any μ, from one tridiagonal
    reduction. With ``M = L Lᵀ`` (``L`` bidiagonal: diag_l, sub_l) and ``B = G L⁻ᵀ``:
    ``y(μ) = L⁻ᵀ Q z``, ``(T + μ) z = h``, ``Qᵀ BᵀB Q = T`` tridiagonal and
    ``h = Qᵀ Bᵀ b``; the linearized misfit is ``‖b‖² − zᵀh − μ zᵀz``. Returns T's
    diagonal and off-diagonal, Q's reflectors, h, ‖b‖² and T's largest eigenvalue."""
    bk = _whiten(g, diag_l, sub_l)
    diag, off, v = _tridiagonalize(bk.T @ bk)
    h = bk.T @ b
    _reflect(v, h, True)
    return diag, off, v, h, np.sum(b * b), _largest_eigenvalue(diag, off)


@jit
def _shifted_solve_into(diag, off, mu, h, upper, z):  # pragma: no cover
    """``z = (T + μ)⁻¹ h`` into ``z`` for the symmetric positive definite tridiagonal T
    (diag, off); ``upper`` (P,) is scratch."""
    n = diag.size
    pivot = diag[0] + mu
    for i in range(n):
        if i > 0:
            pivot = diag[i] + mu - off[i - 1] * upper[i - 1]
        inv = 1.0 / pivot
        upper[i] = off[i] * inv if i < n - 1 else 0.0
        z[i] = (h[i] - (off[i - 1] * z[i - 1] if i > 0 else 0.0)) * inv
    for i in range(n - 2, -1, -1):
        z[i] -= upper[i] * z[i + 1]


@jit
def _shifted_solve(diag, off, mu, h):  # pragma: no cover
    """``z = (T + μ)⁻¹ h`` (:func:`_shifted_solve_into`)."""
    z = np.empty(diag.size)
    _shifted_solve_into(diag, off, mu, h, np.empty(diag.size), z)
    return z


@jit
def _linear_misfits(diag, off, h, bb, mus):  # pragma: no cover
    """``‖b − G y(μ)‖²`` (see :func:`_normal_system`) for every μ of ``mus``."""
    upper, z = np.empty(diag.size), np.empty(diag.size)
    out = np.empty(mus.size)
    for j in range(mus.size):
        _shifted_solve_into(diag, off, mus[j], h, upper, z)
        zh = zz = 0.0
        for i in range(z.size):
            zh += z[i] * h[i]
            zz += z[i] * z[i]
        out[j] = bb - zh - mus[j] * zz
    return out


@jit
def _candidate_mus(diag, off, h, bb, lam_max, chi2_now, chi2_target):  # pragma: no cover
    """μ (N_CANDIDATES,) to try through the exact forward, increasing. On a grid of μ the
    linearized misfit grows with μ; candidates: around the largest μ whose linearized
    misfit reaches the target (or the least it can reach), and the μ whose linearized
    misfit goes a fraction q of the way from there back to the current misfit — larger
    μ, shorter and safer steps, while the model does not fit yet; smaller μ once it
    does."""
    grid_mu = max(lam_max, 1e-300) * MU_GRID
    lin = _linear_misfits(diag, off, h, bb, grid_mu)
    level0 = max(chi2_target, lin.min() * (1 + 1e-6))
    mu_q = np.empty(CANDIDATE_Q.size)
    for q in range(CANDIDATE_Q.size):
        level = level0 + CANDIDATE_Q[q] * (chi2_now - level0)
        last_ok = grid_mu.size - 1  # (none reaches it: the largest μ)
        for j in range(grid_mu.size - 1, -1, -1):
            if lin[j] <= level:
                last_ok = j
                break
        mu_q[q] = grid_mu[last_ok]
    # fitting already (Occam's second phase): the other levels lie between the current
    # misfit and the target, at μ up to μ_0 — steps that still fit where the
    # linearization is a little optimistic at the target itself
    fitting = chi2_now < level0
    cand = np.empty(N_CANDIDATES)
    cand[0] = mu_q[0] * (10**0.5 if fitting else 10**-0.5)
    cand[1] = mu_q[0]
    for q in range(1, CANDIDATE_Q.size):
        cand[1 + q] = mu_q[q] if fitting else max(mu_q[q], mu_q[0] * 10.0 ** (0.5 * q))
    return np.sort(cand)


@jit
def _quadratic(y, m):  # pragma: no cover
    """``yᵀ M y``."""
    return y @ (m @ y)


@jit
def _cholesky(m):  # pragma: no cover
    """Lower Cholesky factor of a symmetric positive definite ``m`` (small: written out,
    np.linalg would cost seconds of compilation)."""
    n = m.shape[0]
    low = np.zeros((n, n))
    for j in range(n):
        pivot = m[j, j] - np.sum(low[j, :j] ** 2)
        low[j, j] = np.sqrt(pivot)
        for i in range(j + 1, n):
            low[i, j] = (m[i, j] - np.sum(low[i, :j] * low[j, :j])) / low[j, j]
    return low


@jit
def _shift_posterior_std(g, norm, m_log10, zeta):  # pragma: no cover
    """Posterior σ of the static shift (the last parameter) at the final model.

    The reference read as a prior (μ = 1), except along the similarity direction of 1D MT:
    ``(sρ, √s·h)`` has ``s``-times the ρa and the same φ, so a shift ``t = log10 s`` of the
    data is explained as well by the model ``m(ζ − t/2) + t`` (ζ = log10 depth of the
    layers), to first order ``m + t (1 − ½ ∂m/∂ζ)``. The reference was built from the
    data's own level (band scaling, half-space), so its prior must not decide along that
    direction: it is removed from the model norm, and only the data and the shift's own
    prior speak there.
    """
    n_layers = m_log10.shape[0]
    u = np.zeros(norm.shape[0])
    for j in range(n_layers):
        lo, hi = max(j - 1, 0), min(j + 1, n_layers - 1)
        u[j] = 1.0 - 0.5 * (m_log10[hi] - m_log10[lo]) / (zeta[hi] - zeta[lo])
    mu = norm @ u
    free = norm - np.outer(mu, mu) / (u @ mu)
    # the last diagonal entry of the inverse of L Lᵀ is 1 / L[-1, -1]²
    return 1.0 / _cholesky(g.T @ g + free)[-1, -1]


@jit
def _misfit(prob, x, scratch, bound):  # pragma: no cover
    """χ² of model ``x``; ``scratch`` (N,) receives its prediction. Once the running sum
    passes ``bound`` the remaining periods are skipped and inf is returned (and the
    prediction left incomplete): a trial model that can neither fit nor beat the best one
    seen need not be finished (a third of a candidate's periods, on average)."""
    nf = prob.c.shape[0]
    d, w = prob.d, prob.w
    sqrt_rho, h, shift = _model_terms(x, prob.thick, prob.n_layers)
    total = 0.0
    for f in range(nf):
        scratch[f], scratch[nf + f] = _predict_at(
            sqrt_rho, h, prob.c[f], prob.log_omega_mu[f], shift
        )
        total += (w[f] * (d[f] - scratch[f])) ** 2 + (
            w[nf + f] * (d[nf + f] - scratch[nf + f])
        ) ** 2
        if total > bound:
            return np.inf
    return total


@jit
def _cholesky_solve(low, b):  # pragma: no cover
    """``y`` with ``L Lᵀ y = b`` for a lower Cholesky factor ``low``."""
    n = b.shape[0]
    y = np.empty(n)
    for i in range(n):
        y[i] = (b[i] - np.sum(low[i, :i] * y[:i])) / low[i, i]
    for i in range(n - 1, -1, -1):
        y[i] = (y[i] - np.sum(low[i + 1 :, i] * y[i + 1 :])) / low[i, i]
    return y


@jit
def _objective(prob, x, chi2, mu):  # pragma: no cover
    """Φ = χ² + the shift's prior + μ (x − x_ref)ᵀ N (x − x_ref)."""
    n_layers = prob.n_layers
    prior = (x[n_layers] * prob.inv_shift_std) ** 2 if x.shape[0] > n_layers else 0.0
    return chi2 + prior + mu * _quadratic(x - prob.x_ref, prob.norm)


@jit
def _fixed_mu_steps(prob, x, pred_now, chi2, settings):  # pragma: no cover
    """Gauss–Newton on Φ (:func:`_objective`) at the fixed μ ``mu_fixed``: each step solves the
    linearized problem exactly and is halved (:data:`SHORTER_STEPS`) until Φ falls. ``x``
    and ``pred_now`` (its prediction, χ² = ``chi2``) are updated in place. Stops once a step
    changes no layer by ``model_tol`` or Φ by the fraction ``stall_tol``, or when no step
    lowers Φ (its minimum, to round-off). Returns ``_Steps``."""
    n_par, n_layers, x_ref, mu = x.shape[0], prob.n_layers, prob.x_ref, settings.mu_fixed
    phi = _objective(prob, x, chi2, mu)
    x_new, x_try = np.empty(n_par), np.empty(n_par)
    pred_try = np.empty(prob.d.shape[0])
    iterations = 0
    for _ in range(settings.max_iter):
        g, r = _linearize(prob, x)
        # the departure from the reference that minimizes the linearized Φ
        departure = _cholesky_solve(
            _cholesky(g.T @ g + mu * prob.norm), g.T @ (r + g @ (x - x_ref))
        )
        x_new[:] = x_ref + departure
        _clip_layers(x_new, n_layers)
        iterations += 1
        phi_try, frac = np.inf, 1.0
        for attempt in range(SHORTER_STEPS.size + 1):
            x_try[:] = x + frac * (x_new - x)
            # (a step that cannot lower Φ need not be finished)
            rest = _objective(prob, x_try, 0.0, mu)
            chi2_try = _misfit(prob, x_try, pred_try, phi - rest)
            phi_try = chi2_try + rest
            if phi_try < phi:
                break
            if attempt < SHORTER_STEPS.size:
                frac = SHORTER_STEPS[attempt]
        if not phi_try < phi:
            return _Steps(chi2, iterations, mu, CONVERGED, g)
        step = np.max(np.abs(x_try[:n_layers] - x[:n_layers]))
        gain = phi - phi_try
        x[:] = x_try
        pred_now[:] = pred_try
        chi2, phi = chi2_try, phi_try
        if step < settings.model_tol or gain <= settings.stall_tol * phi:
            return _Steps(chi2, iterations, mu, CONVERGED, np.empty((0, n_par)))
    return _Steps(chi2, iterations, mu, MAX_ITER, np.empty((0, n_par)))


@jit
def _model_norm(precision, rough_weights, n_par):  # pragma: no cover
    """The model norm N (P, P): ``RᵀWR + α_s S²`` on the layers (tridiagonal) and, with a
    shift, 1 on it. The shift's own prior is a data-like row (:func:`_linearize`); in the
    norm it weighs like a layer one decade from its reference (a token weight would make the
    norm ill-conditioned and the μ grid useless)."""
    n_layers = precision.shape[0]
    norm = np.zeros((n_par, n_par))
    for j in range(n_layers):
        norm[j, j] = precision[j]
    for j in range(n_layers - 1):
        norm[j, j] += rough_weights[j]
        norm[j + 1, j + 1] += rough_weights[j]
        norm[j, j + 1] = norm[j + 1, j] = -rough_weights[j]
    if n_par > n_layers:
        norm[n_layers, n_layers] = 1.0
    return norm


@jit
def _frequency_terms(freq):  # pragma: no cover
    """sqrt(ωμ0/2) and ln(ωμ0) of the frequencies ``freq`` (Hz)."""
    return np.sqrt(np.pi * freq * MU0), np.log(2.0 * np.pi * MU0 * freq)


@jit
def _problem(s, settings, n_par):  # pragma: no cover
    """The ``_Problem`` of sounding ``s`` (a ``_Soundings`` row): the iterations
    see only its usable periods, in the engine's units."""
    used = np.flatnonzero(s.mask)
    c, log_omega_mu = _frequency_terms(s.freq_hz[used])
    return _Problem(
        d=np.concatenate((s.log_rhoa[used], s.phase_rad[used])),
        w=1.0 / np.concatenate((s.log_rhoa_std[used], s.phase_std_rad[used])),
        c=c,
        log_omega_mu=log_omega_mu,
        thick=s.thick_m,
        x_ref=s.x_ref,
        norm=_model_norm(s.precision, s.rough_weights, n_par),
        n_layers=s.thick_m.shape[0] + 1,
        inv_shift_std=settings.inv_shift_std,
    )


@jit
def _try_candidates(prob, x, chi2, chi2_target, diag_l, sub_l, cand):  # pragma: no cover
    """One Occam iteration's trial models: the linearized problem about ``x`` solved at
    the candidate μ (:func:`_candidate_mus`) into ``cand``, from the largest μ down, until
    one fits. Returns the candidate μ, Occam's choice — the largest μ whose model fits (the
    smoothest), or -1 when none does (all then tried) — and the weighted Jacobian at ``x``."""
    limit = chi2_target * (1 + FIT_TOL)
    g, r = _linearize(prob, x)
    b = r + g @ (x - prob.x_ref)
    diag, off, v, h, bb, lam_max = _normal_system(g, b, diag_l, sub_l)
    cand_mu = _candidate_mus(diag, off, h, bb, lam_max, chi2, chi2_target)
    best_seen = np.inf
    for k in range(N_CANDIDATES - 1, -1, -1):
        z = _shifted_solve(diag, off, cand_mu[k], h)
        _reflect(v, z, False)
        cand.x[k] = prob.x_ref + _unwhiten(z, diag_l, sub_l)
        _clip_layers(cand.x[k], prob.n_layers)
        # a candidate that neither fits nor beats the best seen is never chosen
        cand.chi2[k] = _misfit(prob, cand.x[k], cand.pred[k], max(limit, best_seen))
        if cand.chi2[k] <= limit:
            return cand_mu, k, g
        best_seen = min(best_seen, cand.chi2[k])
    return cand_mu, -1, g


@jit
def _shorten_lost_step(prob, x, chi2, limit, cand):  # pragma: no cover
    """Occam's choice when no candidate fits (:func:`_try_candidates`). A linearization far
    from the solution can overshoot at every μ: shorter steps (:data:`SHORTER_STEPS`)
    towards the best candidate are tried. Not fitting yet, the best shortened step that
    improves the misfit counts; fitting already (Occam's second phase), the longest one that
    fits again — part of the way towards a smoother model. It replaces the smallest-μ
    candidate (an overshoot anyway). Returns the candidate chosen: the fitting one, else the
    best fit."""
    was_feasible = chi2 <= limit
    best = np.argmin(cand.chi2)
    if was_feasible or cand.chi2[best] >= chi2:
        n_par, n_data = x.shape[0], prob.d.shape[0]
        x_short, x_kept = np.empty(n_par), np.empty(n_par)
        pred_short, pred_kept = np.empty(n_data), np.empty(n_data)
        chi2_kept = np.inf
        for frac in SHORTER_STEPS:
            x_short[:] = x + frac * (cand.x[best] - x)
            # fitting already, only "fits again" matters; not yet, only "better than the
            # best shortened step and than now"
            bound = limit if was_feasible else min(chi2_kept, chi2)
            chi2_short = _misfit(prob, x_short, pred_short, bound)
            if (chi2_short <= limit) if was_feasible else (chi2_short < chi2_kept):
                chi2_kept = chi2_short
                x_kept[:] = x_short
                pred_kept[:] = pred_short
                if was_feasible:
                    break  # the longest shortened step that fits
        if (chi2_kept <= limit) if was_feasible else (chi2_kept < chi2):
            cand.x[0] = x_kept
            cand.pred[0] = pred_kept
            cand.chi2[0] = chi2_kept
    return 0 if cand.chi2[0] <= limit else np.argmin(cand.chi2)


@jit
def _accepts(chi2, chi2_new, norm_value, new_norm, limit):  # pragma: no cover
    """Whether Occam takes a step from misfit ``chi2`` and model norm ``norm_value`` to
    ``chi2_new`` and ``new_norm``. Not fitting yet: if it fits or fits better. Fitting
    already (Occam's second phase): only if it still fits and is smoother (closer to the
    reference) — a fitting model that is not is no progress, and taking it lets the
    iteration cycle between two μ."""
    if chi2 <= limit:
        return chi2_new <= limit and new_norm < norm_value * (1 - FIT_TOL)
    return chi2_new <= limit or chi2_new < chi2


@jit
def _stop_code(
    chi2, chi2_new, norm_value, new_norm, step, accept, over_fits, limit, settings
):  # pragma: no cover
    """Why Occam stops after a step from ``chi2`` to ``chi2_new`` (taken if ``accept``;
    ``step``: its largest change of a layer, decades), or -1 to go on. Fitting already, at
    the target once no step is taken, or once the smoothest fitting model stops changing —
    not while even the largest μ tried ``over_fits`` (a larger μ is still to be found). Not
    fitting, at the best fit when neither the old nor the new model fits and the step is
    not taken or lowers χ² by less than the fraction ``stall_tol``."""
    if chi2 <= limit:
        norm_change = abs(new_norm - norm_value)
        settled = step < settings.model_tol or (
            norm_change <= settings.stall_tol * max(norm_value, 1e-12)
        )
        return TARGET if not accept or (not over_fits and settled) else -1
    if not chi2_new <= limit and (not accept or chi2 - chi2_new < settings.stall_tol * chi2):
        return BEST_FIT
    return -1


@jit
def _occam_steps(prob, x, pred_now, chi2, chi2_target, settings):  # pragma: no cover
    """Occam's iterations from ``x`` (χ² = ``chi2``, prediction ``pred_now``; both updated
    in place): per iteration the candidates (:func:`_try_candidates`), a lost step
    shortened (:func:`_shorten_lost_step`), the step taken or not (:func:`_accepts`), and
    the stop (:func:`_stop_code`). Returns ``_Steps``."""
    n_par, n_data = x.shape[0], prob.d.shape[0]
    limit = chi2_target * (1 + FIT_TOL)
    diag_l, sub_l = _bidiagonal_cholesky(prob.norm)
    cand = _Candidates(
        np.empty((N_CANDIDATES, n_par)), np.empty((N_CANDIDATES, n_data)), np.empty(N_CANDIDATES)
    )
    # the model norm of the current model: in Occam's second phase each step must lower it
    norm_value = _quadratic(x - prob.x_ref, prob.norm)
    mu_taken, g_at_x = np.nan, np.empty((0, n_par))
    for iteration in range(settings.max_iter):
        cand_mu, choice, g = _try_candidates(prob, x, chi2, chi2_target, diag_l, sub_l, cand)
        if choice < 0:
            choice = _shorten_lost_step(prob, x, chi2, limit, cand)
        chi2_new = cand.chi2[choice]
        step = np.max(np.abs(cand.x[choice, : prob.n_layers] - x[: prob.n_layers]))
        new_norm = _quadratic(cand.x[choice] - prob.x_ref, prob.norm)
        accept = _accepts(chi2, chi2_new, norm_value, new_norm, limit)
        over_fits = choice == N_CANDIDATES - 1 and chi2_new < OVERFIT * chi2_target
        stop = _stop_code(
            chi2, chi2_new, norm_value, new_norm, step, accept, over_fits, limit, settings
        )
        if accept:
            x[:] = cand.x[choice]
            pred_now[:] = cand.pred[choice]
            chi2, mu_taken, norm_value = chi2_new, cand_mu[choice], new_norm
        g_at_x = np.empty((0, n_par)) if accept else g  # (a step taken: linearized elsewhere)
        if stop >= 0:
            return _Steps(chi2, iteration + 1, mu_taken, stop, g_at_x)
    return _Steps(chi2, settings.max_iter, mu_taken, MAX_ITER, g_at_x)


@jit
def _spd_inverse(a):  # pragma: no cover
    """Inverse of a symmetric positive definite ``a`` (P, P): ``a = UᵀU`` (Cholesky, U
    upper) and ``a⁻¹ = U⁻¹ U⁻ᵀ``, by row updates. (Unsigned indices: without the
    negative-index wraparound numba otherwise adds, LLVM vectorizes the row updates, 1.3×
    faster at P = 41, 1.6× at 51. Not :func:`_cholesky`, whose summation order the
    iterations' results depend on.)"""
    n, one = np.uint64(a.shape[0]), np.uint64(1)
    u = a.copy()  # (its upper triangle becomes U)
    for j in range(n):
        scale = 1.0 / np.sqrt(u[j, j])
        for k in range(j, n):
            u[j, k] *= scale
        for i in range(j + one, n):
            factor = u[j, i]
            for k in range(i, n):
                u[i, k] -= factor * u[j, k]
    inv_u = np.zeros_like(a)
    for step in range(n):
        i = n - one - step  # (rows from the last up)
        inv_u[i, i] = 1.0
        for k in range(i + one, n):
            factor = u[i, k]
            for col in range(k, n):
                inv_u[i, col] -= factor * inv_u[k, col]
        scale = 1.0 / u[i, i]
        for col in range(i, n):
            inv_u[i, col] *= scale
    return inv_u @ inv_u.T


@jit
def _layer_posterior(g, norm, mu, cov, resolution):  # pragma: no cover
    """The linearized posterior of the layers into ``cov`` and ``resolution`` (L, L), from
    the weighted Jacobian ``g`` at the final model (the data's rows, then the shift's prior
    row, if any), the model norm N and ``mu``. ``C = (GᵀG + μN)⁻¹`` over all parameters
    (the inverse Gauss–Newton Hessian of Φ/2): its layers' block (the shift, if any,
    integrated out). The resolution ``C G_dᵀG_d`` (``G_d``: the data rows) is
    ``I − μ C N − C G_pᵀG_p``; on the layers' columns the last term vanishes (the shift's
    prior row holds the shift alone) and ``N`` is tridiagonal, so the block costs O(L²)."""
    c = _spd_inverse(g.T @ g + mu * norm)
    n_layers = cov.shape[0]
    cov[:, :] = c[:n_layers, :n_layers]
    for i in range(n_layers):
        for k in range(n_layers):
            total = 0.0
            for j in range(max(k - 1, 0), min(k + 2, n_layers)):
                total += c[i, j] * norm[j, k]
            resolution[i, k] = (1.0 if i == k else 0.0) - mu * total


@jit
def _final_uncertainty(prob, x, steps, zeta, out):  # pragma: no cover
    """At the final model ``x`` into ``out``: the static shift's posterior σ
    (:func:`_shift_posterior_std`; 0 without a shift) and the layers' linearized posterior
    at the μ of the last step (:func:`_layer_posterior`; NaN where no step was taken: the
    band is conditional on μ, and no μ was chosen). The Jacobian of the last iteration is
    used where the model has not moved since (``steps.g``), else computed."""
    shift_on = x.shape[0] > prob.n_layers
    took_step = not np.isnan(steps.mu)
    out.record.shift_std_log10 = 0.0
    if not took_step:
        out.cov[:] = np.nan
        out.resolution[:] = np.nan
        if not shift_on:
            return
    g = steps.g if steps.g.shape[0] > 0 else _linearize(prob, x)[0]
    if shift_on:
        out.record.shift_std_log10 = _shift_posterior_std(g, prob.norm, x[: prob.n_layers], zeta)
    if took_step:
        _layer_posterior(g, prob.norm, steps.mu, out.cov, out.resolution)


@jit
def _full_prediction(s, prob, x, pred_now, pred_out):  # pragma: no cover
    """[ln ρa; φ] of the final model ``x`` at every period of sounding ``s`` into
    ``pred_out`` (2F,): ``pred_now`` at the usable periods, computed at the masked ones."""
    used, masked = np.flatnonzero(s.mask), np.flatnonzero(~s.mask)
    n_used, nf_all = used.size, s.freq_hz.size
    pred_out[used], pred_out[nf_all + used] = pred_now[:n_used], pred_now[n_used:]
    if masked.size:
        pred_masked = np.empty(2 * masked.size)
        c, log_omega_mu = _frequency_terms(s.freq_hz[masked])
        _predict(x, prob.thick, c, log_omega_mu, prob.n_layers, pred_masked)
        pred_out[masked] = pred_masked[: masked.size]
        pred_out[nf_all + masked] = pred_masked[masked.size :]


@jit
def _invert_one(s, settings, out):  # pragma: no cover
    """One sounding (see the module docstring): its inputs ``s`` (``_Soundings``) and
    outputs ``out`` (``_Outputs``), one row of each; ``out.x`` holds the start."""
    prob = _problem(s, settings, out.x.shape[0])
    x = out.x
    pred_now = np.empty(prob.d.shape[0])
    chi2 = _misfit(prob, x, pred_now, np.inf)
    out.record.chi2_start = chi2
    if settings.mu_fixed > 0.0:
        steps = _fixed_mu_steps(prob, x, pred_now, chi2, settings)
    # a starting model that is its own reference and already fits is the answer: zero
    # departure, misfit at or below the target ("its own": to the round-off of a model
    # handed back through 10**m and log10, as blocky_invert's rounds are)
    elif chi2 <= s.chi2_target * (1 + FIT_TOL) and np.all(np.abs(x - prob.x_ref) <= 1e-12):
        steps = _Steps(chi2, 0, np.nan, TARGET, np.empty((0, x.shape[0])))
    else:
        steps = _occam_steps(prob, x, pred_now, chi2, s.chi2_target, settings)
    _full_prediction(s, prob, x, pred_now, out.pred)
    out.record.chi2 = steps.chi2
    out.record.iterations = steps.iterations
    out.record.mu = steps.mu
    out.record.stop = steps.stop
    _final_uncertainty(prob, x, steps, s.zeta, out)


@jit
def _occam_rows(batch, settings, out):  # pragma: no cover
    """:func:`_invert_one` for every sounding of a batch (the rows of ``batch`` and
    ``out``)."""
    for i in range(batch.freq_hz.shape[0]):
        _invert_one(
            _Soundings(
                batch.freq_hz[i], batch.log_rhoa[i], batch.phase_rad[i], batch.log_rhoa_std[i],
                batch.phase_std_rad[i], batch.mask[i], batch.thick_m[i], batch.x_ref[i],
                batch.rough_weights[i], batch.precision[i], batch.zeta[i],
                batch.chi2_target[i],
            ),
            settings,
            _Outputs(out.x[i], out.pred[i], out.record[i], out.cov[i], out.resolution[i]),
        )  # fmt: skip


CHUNKS_PER_THREAD = 8
"""A batch is cut into this many chunks per thread, taken in turn as threads come free:
soundings differ in cost (iterations, periods)."""


def _run_rows(batch: _Soundings, settings: _Settings, out: _Outputs) -> None:
    """:func:`_occam_rows` over a batch (inputs ``batch``, outputs ``out``: arrays (n, …))
    on ``numba.get_num_threads()`` threads: the compiled loop releases the GIL, so chunks
    of soundings run side by side (one compiled variant: a parallel one would double the
    one-off compilation, ~15 s)."""
    n = batch.freq_hz.shape[0]
    threads = min(numba.get_num_threads(), n)
    if threads <= 1:
        _occam_rows(batch, settings, out)
        return
    size = max(1, -(-n // (threads * CHUNKS_PER_THREAD)))

    def chunk(start):
        rows = slice(start, start + size)
        _occam_rows(batch._make(a[rows] for a in batch), settings, out._make(a[rows] for a in out))

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(chunk, range(0, n, size)))  # (re-raises a chunk's error here)


def _one_blas_thread(engine):
    """Run ``engine`` with one BLAS thread, scoped to the call: its matrices are small, and
    BLAS worker threads spinning between calls starved torch and numba (measured on 2 cores:
    one sounding with the network's guess, 30 ms with the default threads, 13 ms with one).
    The pools are set directly (a few µs), not through threadpoolctl's ``limit`` (~30 µs,
    a tenth of a whole inversion of a sounding its guess explains)."""

    @functools.wraps(engine)
    def scoped(*args, **kwargs):
        libraries = _blas_libraries()
        before = [lib.get_num_threads() for lib in libraries]
        try:
            for lib, n in zip(libraries, before):
                if n != 1:
                    lib.set_num_threads(1)
            return engine(*args, **kwargs)
        finally:
            for lib, n in zip(libraries, before):
                if n != 1:
                    lib.set_num_threads(n)

    return scoped


@functools.cache
def _blas_libraries() -> list:
    """The process's BLAS thread pools (threadpoolctl), found once (a search costs ~0.4 ms),
    once the engine's own BLAS (SciPy's, which numba's matrix products call) is loaded."""
    import scipy.linalg.cython_blas  # noqa: F401
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController().select(user_api="blas").lib_controllers


def _writable(values: np.ndarray, dtype) -> np.ndarray:
    """``values`` as a writable C-contiguous array of ``dtype``, copied only when needed: the
    compiled engine then sees one array type, and is compiled once (a read-only or strided
    view is another type to numba, and another ~20 s compilation)."""
    if values.dtype != dtype or not values.flags.c_contiguous or not values.flags.writeable:
        return np.array(values, dtype=dtype, order="C")
    return values


def _as_rows(values, width: int, n: int) -> np.ndarray:
    """``values`` as (n, width) rows for the engine (:func:`_writable`), broadcast only when
    they are not already (broadcast_to costs more than the engine's check)."""
    values = np.asarray(values, dtype=float)
    if values.shape != (n, width):
        values = np.broadcast_to(values, (n, width))
    return _writable(values, float)


def _start_outputs(x_ref, n_layers: int, m_start_log10, n_freq: int) -> _Outputs:
    """The engine's outputs for a batch: ``x`` holds the start (default the reference
    ``x_ref`` (n, P))."""
    n = x_ref.shape[0]
    x = x_ref.copy()
    if m_start_log10 is not None:
        x[:, :n_layers] = m_start_log10
    return _Outputs(
        x=x,
        pred=np.empty((n, 2 * n_freq)),
        record=np.empty(n, RESULT),
        cov=np.empty((n, n_layers, n_layers)),
        resolution=np.empty((n, n_layers, n_layers)),
    )


@_one_blas_thread
def occam_invert(
    freq_hz,
    log_rhoa_obs,
    phase_rad_obs,
    log_rhoa_std,
    phase_std_rad,
    mask,
    thick_m,
    m_ref_log10,
    ref_std_log10,
    m_start_log10=None,
    *,
    target_nrms=1.0,
    smallness: float = SMALLNESS,
    static_shift_std_log10: float | None = None,
    max_iter: int = 20,
    model_tol_log10: float = 0.01,
    stall_tol: float = 0.01,
    roughness_weights=None,
    mu_fixed: float | None = None,
) -> OccamResult:
    """Invert ``n`` soundings; see the module docstring.

    Shapes: ``freq_hz`` (F,) or (n, F); data, their standard errors (``ln ρa`` in natural
    log units, phase in radians) and ``mask`` (n, F), masked entries may hold anything
    finite; ``thick_m`` (L-1,) or (n, L-1); ``m_ref_log10``, ``ref_std_log10`` (n, L) and
    ``m_start_log10`` (default the reference); ``target_nrms`` scalar or (n,).
    ``smallness`` is ``α_s``;
    ``static_shift_std_log10`` switches the static shift on; ``roughness_weights`` (n, L-1)
    weighs each first difference (default 1). A sounding stops at the target once a step
    changes no layer by ``model_tol_log10`` decades (or its model norm by ``stall_tol``),
    and short of it once an iteration lowers χ² by less than the fraction ``stall_tol``
    (at 2 % some unfittable real soundings stopped 5–10 % above the best fit a few more
    iterations reach). ``mu_fixed``: no choice of μ, Φ minimized at that μ (``target_nrms``
    unused; stop "converged"): with μ = 1 and ``smallness`` 1 the reference's σ is read
    as a Gaussian prior and the result is the posterior mode. The numerical kernel:
    callers (:func:`mtlib.inversion.invert`) check the input.
    """
    if mu_fixed is not None and not mu_fixed > 0:
        raise ValueError(f"mu_fixed must be > 0 (or None: Occam's choice), got {mu_fixed}")
    start_time = time.perf_counter()
    mask = _writable(mask, bool)
    n, n_freq = mask.shape
    n_layers = np.shape(m_ref_log10)[1]
    rows = functools.partial(_as_rows, n=n)
    thick = rows(thick_m, n_layers - 1)
    n_data = 2.0 * mask.sum(axis=1)
    shift_on = static_shift_std_log10 is not None
    x_ref = np.zeros((n, n_layers + shift_on))
    x_ref[:, :n_layers] = m_ref_log10
    batch = _Soundings(
        freq_hz=rows(freq_hz, n_freq),
        log_rhoa=rows(log_rhoa_obs, n_freq),
        phase_rad=rows(phase_rad_obs, n_freq),
        log_rhoa_std=rows(log_rhoa_std, n_freq),
        phase_std_rad=rows(phase_std_rad, n_freq),
        mask=mask,
        thick_m=thick,
        x_ref=x_ref,
        rough_weights=rows(1.0 if roughness_weights is None else roughness_weights, n_layers - 1),
        precision=smallness / rows(ref_std_log10, n_layers) ** 2,
        zeta=np.log10(layer_centres_log_m(thick)) if shift_on else thick,  # (unused without)
        chi2_target=np.asarray(target_nrms, float) ** 2 * n_data,  # (n,): a new array
    )
    out = _start_outputs(x_ref, n_layers, m_start_log10, n_freq)
    settings = _Settings(
        inv_shift_std=1.0 / static_shift_std_log10 if shift_on else 0.0,
        max_iter=int(max_iter),
        model_tol=float(model_tol_log10),
        stall_tol=float(stall_tol),
        mu_fixed=0.0 if mu_fixed is None else float(mu_fixed),
    )
    _run_rows(batch, settings, out)
    return _occam_result(out, n_data, n_layers, start_time)


def _occam_result(out: _Outputs, n_data, n_layers: int, start_time: float) -> OccamResult:
    """The :class:`OccamResult` of the engine's outputs ``out`` (arrays (n, …)); ``n_data``
    (n,): usable data per sounding."""
    record, x, n_freq = out.record, out.x, out.pred.shape[1] // 2
    return OccamResult(
        rho_ohmm=10.0 ** x[:, :n_layers],
        nrms=np.sqrt(record["chi2"] / n_data),
        nrms_start=np.sqrt(record["chi2_start"] / n_data),
        iterations=record["iterations"].copy(),
        mu=record["mu"].copy(),
        stop=np.array(STOPS)[record["stop"]],
        static_shift=10.0 ** x[:, n_layers] if x.shape[1] > n_layers else np.ones(x.shape[0]),
        static_shift_std_log10=record["shift_std_log10"].copy(),
        log_rhoa=out.pred[:, :n_freq],
        phase_rad=out.pred[:, n_freq:],
        seconds=time.perf_counter() - start_time,
        posterior_std_log10=np.sqrt(np.diagonal(out.cov, axis1=1, axis2=2)),
        posterior_cov_log10=out.cov,
        resolution=out.resolution,
    )


def irls_weights(m_log10, m_ref_log10, eps_log10: float = BLOCKY_EPS_LOG10) -> np.ndarray:
    """Weights ``(n, L-1)`` of the first differences that make the squared roughness of
    ``m − m_ref`` (n, L) approximate its L1 norm there: ``ε / sqrt(r² + ε²)``, 1 where the
    model is flat, ``ε/|r|`` across a jump."""
    step = np.diff(np.asarray(m_log10) - np.asarray(m_ref_log10), axis=1)
    return eps_log10 / np.sqrt(step**2 + eps_log10**2)


def blocky_invert(
    *args, rounds: int = BLOCKY_ROUNDS, eps_log10: float = BLOCKY_EPS_LOG10, **kwargs
) -> OccamResult:
    """:func:`occam_invert` (same arguments) with a blocky roughness: the smooth inversion,
    then ``rounds`` inversions each weighted by :func:`irls_weights` of the previous model
    and started from it. ``iterations`` and ``seconds`` count all rounds; ``nrms_start`` is
    that of the first start, ``mu`` the last one a round chose (and the posterior fields
    that round's, with its weights: the IRLS norm read as the prior)."""
    if rounds < 1:
        raise ValueError(f"rounds must be >= 1, got {rounds}")
    if eps_log10 <= 0:
        raise ValueError(f"eps_log10 must be > 0, got {eps_log10}")
    call = inspect.signature(occam_invert).bind(*args, **kwargs)
    call.arguments.pop("roughness_weights", None)
    first = res = occam_invert(**call.arguments)
    iterations, seconds = res.iterations.copy(), res.seconds
    m_ref = np.asarray(call.arguments["m_ref_log10"], dtype=float)
    for _ in range(rounds):
        m = np.log10(res.rho_ohmm)
        call.arguments["m_start_log10"] = m
        last = res
        res = occam_invert(**call.arguments, roughness_weights=irls_weights(m, m_ref, eps_log10))
        iterations += res.iterations
        seconds += res.seconds
        # a round that took no step keeps the μ of the last one that did, and the posterior
        # (conditional on μ) with it
        stepped = ~np.isnan(res.mu)
        for name in ("mu", "posterior_std_log10", "posterior_cov_log10", "resolution"):
            new, old = getattr(res, name), getattr(last, name)
            setattr(res, name, np.where(stepped.reshape((-1,) + (1,) * (new.ndim - 1)), new, old))
    res.iterations, res.seconds, res.nrms_start = iterations, seconds, first.nrms_start
    return res
