"""Occam-style regularized Gauss–Newton inversion of 1D MT soundings, per sounding, batched.

For every sounding, with the model ``m = log10 ρ`` on ``L`` layers and the usable data
``d = [ln ρa; φ (rad)]`` weighted by their standard errors (:mod:`mtlib.errors`), minimize

    Φ(m) = ‖W (d − F(m))‖²  +  μ [ ‖R (m − m_ref)‖² + α_s ‖S (m − m_ref)‖² ]

``R``: first differences between adjacent layers (each weighted by ``w_j``, 1 unless
given); ``S = diag(1/σ_ref)``: the reference
model's standard deviation per layer (decades). With a network's guess as ``m_ref`` the
roughness is that of the *departure* from the guess, so the guess's sharp boundaries cost
nothing and survive where the data are blind, and ``σ_ref`` (the network's uncertainty)
says how firmly; with a half-space as ``m_ref`` it is the classic Occam roughness.

Each iteration linearizes ``F`` about the current model with the exact Jacobian
(:func:`mtlib.forward.log_response_jacobian`), solves the regularized normal equations for
every ``μ`` at once from one eigendecomposition, tries the exact forward on a few ``μ``
around the one whose *linearized* misfit reaches the target, and keeps Occam's choice
(Constable, Parker & Constable 1987): the largest ``μ`` whose misfit reaches the target
(the smoothest model that fits), else the one with the smallest misfit. Each sounding stops
on its own: at the target once the model stops changing, or when its misfit stops
improving (the best fit it can reach), or after ``max_iter`` iterations. Soundings of a
batch are independent problems solved together (numba kernels and batched LAPACK).

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
"""

from __future__ import annotations

import functools
import inspect
import time
from dataclasses import dataclass

import numpy as np

from .forward import log_response, log_response_jacobian
from .grid import layer_centres_log_m

LN10 = np.log(10.0)
LOG10_RHO_MIN, LOG10_RHO_MAX = -6.0, 8.0
"""Bounds of trial models (log10 Ω·m), far outside any earth: they only keep the forward finite."""
MU_GRID = np.logspace(-12, 2, 57)
"""μ grid of the linearized misfit, relative to the largest eigenvalue of the normal matrix
(above it the step hardly leaves the reference)."""
CANDIDATE_Q = np.array([0.0, 0.2, 0.5, 0.8])
"""Fractions of the way from the target back to the current misfit that define candidates."""
N_CANDIDATES = CANDIDATE_Q.size + 1
SMALLNESS = 1.0
"""α_s: the σ-weighted closeness to the reference, next to the roughness (with the network's
σ, the Gaussian prior the network states)."""
OVERFIT = 0.9**2
"""χ² below this fraction of the target, at the largest μ tried, means μ can still grow."""
BLOCKY_EPS_LOG10 = 0.01
"""ε of the blocky (IRLS) roughness, decades: steps much larger than it cost about their
size (L1), much smaller ones their square (L2)."""
BLOCKY_ROUNDS = 20
"""Reweighting rounds of :func:`blocky_invert` after the smooth inversion."""


@dataclass
class OccamResult:
    """Per-sounding results of :func:`occam_invert`; n soundings, L layers, F periods."""

    rho_ohmm: np.ndarray  # (n, L)
    nrms: np.ndarray  # (n,) sqrt(χ² / N) of the usable data
    nrms_start: np.ndarray  # (n,) the same for the starting model
    iterations: np.ndarray  # (n,) Gauss–Newton iterations (Jacobians) used
    mu: np.ndarray  # (n,) trade-off μ of the last accepted step
    stop: np.ndarray  # (n,) "target", "best fit" or "max_iter"
    static_shift: np.ndarray  # (n,) factor on ρa (1 when not estimated)
    static_shift_std_log10: np.ndarray  # (n,) its posterior σ in decades (0 when not estimated)
    log_rhoa: np.ndarray  # (n, F) ln ρa predicted (shift included)
    phase_rad: np.ndarray  # (n, F)
    seconds: float


def roughness_matrix(n_layers: int) -> np.ndarray:
    """First differences ``(L-1, L)``: row j is ``m[j+1] − m[j]``."""
    return np.diff(np.eye(n_layers), axis=0)


@dataclass
class _Soundings:
    """The data of a batch in the engine's units, and what the engine asks of them.

    ``freq`` (n, F); ``d`` = [ln ρa; φ rad] and ``w`` = 1/σ (0 where masked), (n, 2F);
    ``thick`` (n, L-1); ``shift_std`` the static shift's prior σ (None: no shift). Models
    ``x`` are log10 ρ of the L layers, then log10 of the shift when there is one.
    """

    freq: np.ndarray
    d: np.ndarray
    w: np.ndarray
    thick: np.ndarray
    shift_std: float | None

    @property
    def n_layers(self) -> int:
        return self.thick.shape[1] + 1

    def subset(self, rows) -> "_Soundings":
        return _Soundings(
            self.freq[rows], self.d[rows], self.w[rows], self.thick[rows], self.shift_std
        )

    def shift(self, x) -> np.ndarray:
        """log10 of the static shift of models ``(n, P)`` (0 without one)."""
        return x[:, -1] if self.shift_std is not None else np.zeros(len(x))

    def predict(self, x):
        """[ln ρa; φ] (n, 2F) of models ``(n, P)``, shift included."""
        lr, ph = log_response(10.0 ** x[:, : self.n_layers], self.thick, self.freq)
        return np.concatenate([lr + LN10 * self.shift(x)[:, None], ph], axis=1)

    def misfits(self, x) -> np.ndarray:
        """χ² of models ``(n, P)``, or of K trial models each ``(n, K, P)`` → (n, K)."""
        if x.ndim == 2:
            return np.sum((self.w * (self.d - self.predict(x))) ** 2, axis=1)
        n, k, n_par = x.shape
        repeated = _Soundings(
            *(np.repeat(a, k, axis=0) for a in (self.freq, self.d, self.w, self.thick)),
            self.shift_std,
        )
        return repeated.misfits(x.reshape(-1, n_par)).reshape(n, k)

    def linearize(self, x):
        """Weighted Jacobian G (n, N, P) and residual r (n, N) at models ``(n, P)``; with the
        shift, its column and its prior as one more datum."""
        lr, ph, jac = log_response_jacobian(10.0 ** x[:, : self.n_layers], self.thick, self.freq)
        jac *= LN10  # ∂/∂log10 ρ
        pred = np.concatenate([lr + LN10 * self.shift(x)[:, None], ph], axis=1)
        g = self.w[:, :, None] * jac
        r = self.w * (self.d - pred)
        if self.shift_std is not None:
            n, n_freq = self.freq.shape
            shift_col = (
                np.concatenate([np.full((n, n_freq), LN10), np.zeros((n, n_freq))], axis=1) * self.w
            )
            prior_row = np.zeros((n, 1, g.shape[2] + 1))
            prior_row[:, 0, -1] = 1.0 / self.shift_std
            g = np.concatenate(
                [np.concatenate([g, shift_col[:, :, None]], axis=2), prior_row], axis=1
            )
            r = np.concatenate([r, -x[:, -1:] / self.shift_std], axis=1)
        return g, r


@dataclass
class Spectral:
    """Every solution of ``min_y ‖b − G y‖² + μ yᵀ M y`` of a batch, for any μ, from one
    eigendecomposition: with ``K M Kᵀ = I`` (``K`` the inverse Cholesky factor of ``M``)
    and ``(G Kᵀ)ᵀ(G Kᵀ) = V Λ Vᵀ``, ``y(μ) = Kᵀ V (Λ + μ)⁻¹ c`` with ``c = Vᵀ K Gᵀ b``, and
    the linearized misfit is ``‖b‖² − Σ c² (λ + 2μ)/(λ + μ)²``. Shapes: n soundings,
    P parameters."""

    lam: np.ndarray  # (n, P) eigenvalues, ≥ 0
    kt_vec: np.ndarray  # (n, P, P) Kᵀ V
    c: np.ndarray  # (n, P)
    bb: np.ndarray  # (n,) ‖b‖²

    @classmethod
    def of(cls, g, b, chol_inv) -> "Spectral":
        """``g`` (n, N, P), ``b`` (n, N), ``chol_inv`` (n, P, P) = K."""
        gk = g @ np.swapaxes(chol_inv, 1, 2)
        lam, vec = np.linalg.eigh(np.swapaxes(gk, 1, 2) @ gk)
        c = np.einsum("npi,np->ni", vec, np.einsum("nkp,nk->np", gk, b))
        return cls(np.maximum(lam, 0.0), np.swapaxes(chol_inv, 1, 2) @ vec, c, np.sum(b**2, axis=1))

    def solutions(self, mu) -> np.ndarray:
        """``y`` (n, K, P) for μ (n, K)."""
        coef = self.c[:, None, :] / (self.lam[:, None, :] + mu[..., None])
        return np.einsum("npq,nkq->nkp", self.kt_vec, coef)

    def linear_misfits(self, mu) -> np.ndarray:
        """``‖b − G y(μ)‖²`` (n, K) for μ (n, K)."""
        lam = self.lam[:, None, :]
        return self.bb[:, None] - np.sum(
            self.c[:, None, :] ** 2 * (lam + 2 * mu[..., None]) / (lam + mu[..., None]) ** 2, axis=2
        )

    def candidate_mus(self, chi2_now, chi2_target) -> np.ndarray:
        """μ (n, K) to try through the exact forward, increasing. On a grid of μ the
        linearized misfit grows with μ; candidates: around the largest μ whose linearized
        misfit reaches the target (or the least it can reach), and the μ whose linearized
        misfit goes a fraction q of the way from there back to the current misfit — larger
        μ, shorter and safer steps, while the model does not fit yet; smaller μ once it
        does."""
        grid_mu = np.maximum(self.lam.max(axis=1), 1e-300)[:, None] * MU_GRID[None, :]
        lin = self.linear_misfits(grid_mu)
        level0 = np.maximum(chi2_target, lin.min(axis=1) * (1 + 1e-6))
        levels = level0[:, None] + CANDIDATE_Q[None, :] * (chi2_now - level0)[:, None]
        ok = lin[:, None, :] <= levels[:, :, None]  # (n, Q, grid)
        last_ok = MU_GRID.size - 1 - np.argmax(ok[:, :, ::-1], axis=2)
        mu_q = np.take_along_axis(grid_mu, last_ok, axis=1)  # (n, Q)
        mu_0 = mu_q[:, :1]
        # fitting already (Occam's second phase): the other levels lie between the current
        # misfit and the target, at μ up to μ_0 — steps that still fit where the
        # linearization is a little optimistic at the target itself
        fitting = (chi2_now < level0)[:, None]
        larger = np.where(
            fitting,
            mu_q[:, 1:],
            np.maximum(mu_q[:, 1:], mu_0 * 10.0 ** (0.5 * np.arange(1, CANDIDATE_Q.size))),
        )
        first = mu_0 * np.where(fitting, 10**0.5, 10**-0.5)
        return np.sort(np.concatenate([first, mu_0, larger], axis=1), axis=1)

    def posterior_variance(self, mu, index: int) -> np.ndarray:
        """Diagonal element ``index`` of ``(GᵀG + μM)⁻¹`` (n,) for μ (n,)."""
        return np.sum(self.kt_vec[:, index, :] ** 2 / (self.lam + mu[:, None]), axis=1)


def _shift_posterior_std(g, norm, m_log10, thick) -> np.ndarray:
    """Posterior σ (n,) of the static shift (last parameter) at the final models.

    The reference read as a prior (μ = 1), except along the similarity direction of 1D MT:
    ``(sρ, √s·h)`` has ``s``-times the ρa and the same φ, so a shift ``t = log10 s`` of the
    data is explained as well by the model ``m(ζ − t/2) + t`` (ζ = log10 depth), to first
    order ``m + t (1 − ½ ∂m/∂ζ)``. The reference was built from the data's own level (band
    scaling, half-space), so its prior must not decide along that direction: it is removed
    from the model norm, and only the data and the shift's own prior speak there.
    """
    zeta = np.log10(layer_centres_log_m(thick))  # (n, L)
    u = np.zeros(norm.shape[:2])
    u[:, : m_log10.shape[1]] = 1 - 0.5 * np.gradient(m_log10, axis=1) / np.gradient(zeta, axis=1)
    mu = np.einsum("npq,nq->np", norm, u)
    free = norm - mu[:, :, None] * mu[:, None, :] / np.einsum("np,np->n", u, mu)[:, None, None]
    precision = np.swapaxes(g, 1, 2) @ g + free
    return np.sqrt(np.linalg.inv(precision)[:, -1, -1])


def _shorten_lost_steps(sub: _Soundings, x_now, chi2_now, x_new, chi2_c, chi2_target) -> None:
    """A linearization far from the solution can overshoot at every μ: for those soundings
    try shorter steps towards the best candidate (``x_k + t·δ``, t = 1/2 … 1/64). Not
    fitting yet, the best shortened step that improves the misfit counts; fitting already
    (Occam's second phase) with no candidate that still fits, the longest shortened step
    that does — part of the way towards a smoother model. It replaces the smallest-μ
    candidate (an overshoot anyway). Updates ``x_new`` (n, K, P) and ``chi2_c`` (n, K) in
    place."""
    rows = np.arange(len(x_now))
    best = np.argmin(chi2_c, axis=1)
    limit = chi2_target * (1 + 1e-9)
    fits = chi2_now <= limit
    lost = np.flatnonzero(
        np.where(fits, chi2_c[rows, best] > limit, chi2_c[rows, best] >= chi2_now)
    )
    if lost.size == 0:
        return
    frac = 0.5 ** np.arange(1, 7)
    shortened = x_now[lost, None, :] + frac[None, :, None] * (
        x_new[lost, best[lost]][:, None, :] - x_now[lost, None, :]
    )
    chi2_h = sub.subset(lost).misfits(shortened)
    k = np.arange(lost.size)
    still_fits = chi2_h <= limit[lost, None]
    h = np.where(fits[lost], np.argmax(still_fits, axis=1), np.argmin(chi2_h, axis=1))
    better = np.where(fits[lost], still_fits[k, h], chi2_h[k, h] < chi2_now[lost])
    x_new[lost[better], 0] = shortened[k, h][better]
    chi2_c[lost[better], 0] = chi2_h[k, h][better]


def _one_blas_thread(engine):
    """Run ``engine`` with one BLAS thread, scoped to the call: its matrices are small, and
    BLAS worker threads spinning between calls starved torch and numba (measured on 2 cores:
    one sounding with the network's guess, 30 ms with the default threads, 13 ms with one)."""

    @functools.wraps(engine)
    def scoped(*args, **kwargs):
        with _blas_controller().limit(limits=1, user_api="blas"):
            return engine(*args, **kwargs)

    return scoped


@functools.cache
def _blas_controller():
    """The process's thread pools, found once (a fresh search costs ~0.4 ms a call)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


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
    stall_tol: float = 0.02,
    roughness_weights=None,
) -> OccamResult:
    """Invert ``n`` soundings; see the module docstring.

    Shapes: ``freq_hz`` (F,) or (n, F); data, their standard errors (``ln ρa`` in natural
    log units, phase in radians) and ``mask`` (n, F), masked entries may hold anything
    finite; ``thick_m`` (L-1,) or (n, L-1); ``m_ref_log10``, ``ref_std_log10`` (n, L) and
    ``m_start_log10`` (default the reference); ``target_nrms`` scalar or (n,).
    ``smallness`` is ``α_s``;
    ``static_shift_std_log10`` switches the static shift on; ``roughness_weights`` (n, L-1)
    weighs each first difference (default 1). The numerical kernel: callers
    (:func:`mtlib.inversion.invert`) check the input.
    """
    start_time = time.perf_counter()
    mask = np.asarray(mask, dtype=bool)
    n, n_freq = mask.shape
    m_ref = np.asarray(m_ref_log10, dtype=float)
    n_layers = m_ref.shape[1]
    data = _Soundings(
        freq=np.broadcast_to(np.asarray(freq_hz, dtype=float), (n, n_freq)),
        d=np.concatenate(
            [np.where(mask, log_rhoa_obs, 0.0), np.where(mask, phase_rad_obs, 0.0)], axis=1
        ),
        w=np.concatenate(
            [
                np.where(mask, 1.0 / np.where(mask, log_rhoa_std, 1.0), 0.0),
                np.where(mask, 1.0 / np.where(mask, phase_std_rad, 1.0), 0.0),
            ],
            axis=1,
        ),
        thick=np.broadcast_to(np.asarray(thick_m, dtype=float), (n, n_layers - 1)),
        shift_std=static_shift_std_log10,
    )
    n_data = 2.0 * mask.sum(axis=1)
    chi2_target = np.asarray(target_nrms, dtype=float) ** 2 * n_data
    shift_on = static_shift_std_log10 is not None
    n_par = n_layers + shift_on

    # model norm (L+shift) per sounding: μ (RᵀR + α_s S²); the shift's own prior is a
    # data-like row (_Soundings.linearize), and in the norm it weighs like a layer one decade
    # from its reference (a token weight would make the norm ill-conditioned and the μ grid
    # useless)
    rough = roughness_matrix(n_layers)
    norm = np.zeros((n, n_par, n_par))
    if roughness_weights is None:
        norm[:, :n_layers, :n_layers] = rough.T @ rough
    else:
        weights = np.broadcast_to(np.asarray(roughness_weights, dtype=float), (n, n_layers - 1))
        norm[:, :n_layers, :n_layers] = np.einsum("ji,nj,jk->nik", rough, weights, rough)
    idx = np.arange(n_layers)
    norm[:, idx, idx] += smallness / np.asarray(ref_std_log10, dtype=float) ** 2
    if shift_on:
        norm[:, -1, -1] = 1.0
    chol_inv = np.linalg.inv(np.linalg.cholesky(norm))  # K with K M Kᵀ = I

    x_ref = np.concatenate([m_ref, np.zeros((n, 1))], axis=1) if shift_on else m_ref.copy()
    x = (
        x_ref.copy()
        if m_start_log10 is None
        else np.concatenate(
            [np.asarray(m_start_log10, dtype=float), np.zeros((n, int(shift_on)))], axis=1
        )
    )
    chi2 = data.misfits(x)
    chi2_start = chi2.copy()
    iterations = np.zeros(n, dtype=int)
    mu = np.full(n, np.nan)
    stop = np.full(n, "max_iter", dtype=object)
    shift_std = np.zeros(n)
    # the model norm of the current models: in Occam's second phase each step must lower it
    y_start = x - x_ref
    norm_value = np.einsum("ni,nij,nj->n", y_start, norm, y_start)
    # a starting model that is its own reference and already fits is the answer: zero
    # departure, misfit at or below the target
    fits_at_start = (chi2 <= chi2_target * (1 + 1e-9)) & np.all(x == x_ref, axis=1)
    stop[fits_at_start] = "target"
    active = np.flatnonzero(~fits_at_start)

    for _ in range(max_iter):
        if active.size == 0:
            break
        a = active
        sub = data.subset(a)
        g, r = sub.linearize(x[a])
        b = r + np.einsum("nij,nj->ni", g, x[a] - x_ref[a])
        system = Spectral.of(g, b, chol_inv[a])
        cand_mu = system.candidate_mus(chi2[a], chi2_target[a])  # (na, K)
        x_new = x_ref[a, None, :] + system.solutions(cand_mu)  # (na, K, P)
        # keep wild trial steps inside bounds so the forward stays finite
        x_new[..., :n_layers] = np.clip(x_new[..., :n_layers], LOG10_RHO_MIN, LOG10_RHO_MAX)
        chi2_c = sub.misfits(x_new)
        _shorten_lost_steps(sub, x[a], chi2[a], x_new, chi2_c, chi2_target[a])
        feasible = chi2_c <= chi2_target[a, None] * (1 + 1e-9)
        # Occam: the largest feasible μ (candidates are in increasing μ), else the best fit
        rows = np.arange(a.size)
        choice = np.where(
            feasible.any(axis=1),
            N_CANDIDATES - 1 - np.argmax(feasible[:, ::-1], axis=1),
            np.argmin(chi2_c, axis=1),
        )
        chi2_new = chi2_c[rows, choice]
        was_feasible = chi2[a] <= chi2_target[a] * (1 + 1e-9)
        now_feasible = feasible[rows, choice]
        x_chosen = x_new[rows, choice]
        step = np.max(np.abs(x_chosen[:, :n_layers] - x[a, :n_layers]), axis=1)
        y_ch = x_chosen - x_ref[a]
        new_norm = np.einsum("ni,nij,nj->n", y_ch, norm[a], y_ch)
        # in Occam's second phase (fitting already) a step must make the model smoother
        # (closer to the reference): a fitting model that is not is no progress, and taking
        # it lets the iteration cycle between two μ
        smoother = new_norm < norm_value[a] * (1 - 1e-9)
        accept = np.where(
            was_feasible, now_feasible & smoother, now_feasible | (chi2_new < chi2[a])
        )
        iterations[a] += 1
        # the second phase ends when the smoothest fitting model stops changing — not while
        # even the largest μ tried over-fits (then a larger μ is still to be found)
        over_fits = (choice == N_CANDIDATES - 1) & (chi2_new < OVERFIT * chi2_target[a])
        done_target = was_feasible & (
            ~accept
            | (
                ~over_fits
                & (
                    (step < model_tol_log10)
                    | (
                        np.abs(new_norm - norm_value[a])
                        <= stall_tol * np.maximum(norm_value[a], 1e-12)
                    )
                )
            )
        )
        done_stall = (
            ~was_feasible & ~now_feasible & (~accept | (chi2[a] - chi2_new < stall_tol * chi2[a]))
        )
        upd = a[accept]
        x[upd] = x_chosen[accept]
        chi2[upd] = chi2_new[accept]
        mu[upd] = cand_mu[rows, choice][accept]
        norm_value[upd] = new_norm[accept]
        stop[a[done_target]] = "target"
        stop[a[done_stall]] = "best fit"
        active = a[~(done_target | done_stall)]

    if shift_on:
        shift_std = _shift_posterior_std(data.linearize(x)[0], norm, x[:, :n_layers], data.thick)
    predicted = data.predict(x)
    return OccamResult(
        rho_ohmm=10.0 ** x[:, :n_layers],
        nrms=np.sqrt(chi2 / n_data),
        nrms_start=np.sqrt(chi2_start / n_data),
        iterations=iterations,
        mu=mu,
        stop=stop.astype(str),
        static_shift=10.0 ** data.shift(x),
        static_shift_std_log10=shift_std,
        log_rhoa=predicted[:, :n_freq],
        phase_rad=predicted[:, n_freq:],
        seconds=time.perf_counter() - start_time,
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
    that of the first start, ``mu`` the last one a round chose."""
    if rounds < 1:
        raise ValueError(f"rounds must be >= 1, got {rounds}")
    if eps_log10 <= 0:
        raise ValueError(f"eps_log10 must be > 0, got {eps_log10}")
    call = inspect.signature(occam_invert).bind(*args, **kwargs)
    call.arguments.pop("roughness_weights", None)
    first = res = occam_invert(**call.arguments)
    iterations, seconds, mu = res.iterations.copy(), res.seconds, res.mu
    m_ref = np.asarray(call.arguments["m_ref_log10"], dtype=float)
    for _ in range(rounds):
        m = np.log10(res.rho_ohmm)
        call.arguments["m_start_log10"] = m
        res = occam_invert(**call.arguments, roughness_weights=irls_weights(m, m_ref, eps_log10))
        iterations += res.iterations
        seconds += res.seconds
        mu = np.where(np.isnan(res.mu), mu, res.mu)  # a round that took no step keeps its μ
    res.iterations, res.seconds, res.nrms_start = iterations, seconds, first.nrms_start
    res.mu = mu
    return res
