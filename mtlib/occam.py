"""Occam-style regularized Gauss–Newton inversion of 1D MT soundings, per sounding, batched.

For every sounding, with the model ``m = log10 ρ`` on ``L`` layers and the usable data
``d = [ln ρa; φ (rad)]`` weighted by their standard errors (:mod:`mtlib.errors`), minimize

    Φ(m) = ‖W (d − F(m))‖²  +  μ [ ‖R (m − m_ref)‖² + α_s ‖S (m − m_ref)‖² ]

``R``: first differences between adjacent layers; ``S = diag(1/σ_ref)``: the reference
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
"""

from __future__ import annotations

import functools
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


@dataclass
class OccamResult:
    """Per-sounding results of :func:`occam_invert`; n soundings, L layers, F periods."""

    rho_ohmm: np.ndarray           # (n, L)
    nrms: np.ndarray               # (n,) sqrt(χ² / N) of the usable data
    nrms_start: np.ndarray         # (n,) the same for the starting model
    iterations: np.ndarray         # (n,) Gauss–Newton iterations (Jacobians) used
    mu: np.ndarray                 # (n,) trade-off μ of the last accepted step
    stop: np.ndarray               # (n,) "target", "best fit" or "max_iter"
    static_shift: np.ndarray       # (n,) factor on ρa (1 when not estimated)
    static_shift_std_log10: np.ndarray  # (n,) its posterior σ in decades (0 when not estimated)
    log_rhoa: np.ndarray           # (n, F) ln ρa predicted (shift included)
    phase_rad: np.ndarray          # (n, F)
    seconds: float


def roughness_matrix(n_layers: int) -> np.ndarray:
    """First differences ``(L-1, L)``: row j is ``m[j+1] − m[j]``."""
    return np.diff(np.eye(n_layers), axis=0)


def _misfit(log_rhoa, phase, shift, d, w, n_freq):
    pred = np.concatenate([log_rhoa + LN10 * shift[:, None], phase], axis=1)
    return np.sum((w * (d - pred)) ** 2, axis=1)


@dataclass
class Spectral:
    """Every solution of ``min_y ‖b − G y‖² + μ yᵀ M y`` of a batch, for any μ, from one
    eigendecomposition: with ``K M Kᵀ = I`` (``K`` the inverse Cholesky factor of ``M``)
    and ``(G Kᵀ)ᵀ(G Kᵀ) = V Λ Vᵀ``, ``y(μ) = Kᵀ V (Λ + μ)⁻¹ c`` with ``c = Vᵀ K Gᵀ b``, and
    the linearized misfit is ``‖b‖² − Σ c² (λ + 2μ)/(λ + μ)²``. Shapes: n soundings,
    P parameters."""

    lam: np.ndarray      # (n, P) eigenvalues, ≥ 0
    kt_vec: np.ndarray   # (n, P, P) Kᵀ V
    c: np.ndarray        # (n, P)
    bb: np.ndarray       # (n,) ‖b‖²

    @classmethod
    def of(cls, g, b, chol_inv) -> "Spectral":
        """``g`` (n, N, P), ``b`` (n, N), ``chol_inv`` (n, P, P) = K."""
        gk = g @ np.swapaxes(chol_inv, 1, 2)
        lam, vec = np.linalg.eigh(np.swapaxes(gk, 1, 2) @ gk)
        c = np.einsum("npi,np->ni", vec, np.einsum("nkp,nk->np", gk, b))
        return cls(np.maximum(lam, 0.0), np.swapaxes(chol_inv, 1, 2) @ vec, c,
                   np.sum(b**2, axis=1))

    def solutions(self, mu) -> np.ndarray:
        """``y`` (n, K, P) for μ (n, K)."""
        coef = self.c[:, None, :] / (self.lam[:, None, :] + mu[..., None])
        return np.einsum("npq,nkq->nkp", self.kt_vec, coef)

    def linear_misfits(self, mu) -> np.ndarray:
        """``‖b − G y(μ)‖²`` (n, K) for μ (n, K)."""
        lam = self.lam[:, None, :]
        return self.bb[:, None] - np.sum(self.c[:, None, :] ** 2 * (lam + 2 * mu[..., None])
                                         / (lam + mu[..., None]) ** 2, axis=2)

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
    zeta = np.log10(layer_centres_log_m(thick))                          # (n, L)
    u = np.zeros(norm.shape[:2])
    u[:, :m_log10.shape[1]] = 1 - 0.5 * np.gradient(m_log10, axis=1) / np.gradient(zeta,
                                                                                   axis=1)
    mu = np.einsum("npq,nq->np", norm, u)
    free = norm - mu[:, :, None] * mu[:, None, :] / np.einsum("np,np->n", u, mu)[:, None, None]
    precision = np.swapaxes(g, 1, 2) @ g + free
    return np.sqrt(np.linalg.inv(precision)[:, -1, -1])


def _trial_misfits(x_trial, thick, freq, d, w, n_layers, shift_on, n_freq):
    """χ² of trial models ``(n, K, P)`` of n soundings, K trials each → ``(n, K)``."""
    n, k, n_par = x_trial.shape
    flat = x_trial.reshape(-1, n_par)
    lr, ph = log_response(10.0 ** flat[:, :n_layers], np.repeat(thick, k, axis=0),
                          np.repeat(freq, k, axis=0))
    shift = flat[:, -1] if shift_on else np.zeros(len(flat))
    return _misfit(lr, ph, shift, np.repeat(d, k, axis=0), np.repeat(w, k, axis=0),
                   n_freq).reshape(n, k)


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
def occam_invert(freq_hz, log_rhoa_obs, phase_rad_obs, log_rhoa_std, phase_std_rad, mask,
                 thick_m, m_ref_log10, ref_std_log10, m_start_log10=None, *,
                 target_nrms: float = 1.0, smallness: float = SMALLNESS,
                 static_shift_std_log10: float | None = None, max_iter: int = 20,
                 model_tol_log10: float = 0.01, stall_tol: float = 0.02) -> OccamResult:
    """Invert ``n`` soundings; see the module docstring.

    Shapes: ``freq_hz`` (F,) or (n, F); data, their standard errors (``ln ρa`` in natural
    log units, phase in radians) and ``mask`` (n, F), masked entries may hold anything
    finite; ``thick_m`` (L-1,) or (n, L-1); ``m_ref_log10``, ``ref_std_log10`` (n, L) and
    ``m_start_log10`` (default the reference). ``smallness`` is ``α_s``;
    ``static_shift_std_log10`` switches the static shift on. The numerical kernel: callers
    (:func:`mtlib.inversion.invert`) check the input.
    """
    start_time = time.perf_counter()
    mask = np.asarray(mask, dtype=bool)
    n, n_freq = mask.shape
    m_ref = np.asarray(m_ref_log10, dtype=float)
    n_layers = m_ref.shape[1]
    freq = np.broadcast_to(np.asarray(freq_hz, dtype=float), (n, n_freq))
    thick = np.broadcast_to(np.asarray(thick_m, dtype=float), (n, n_layers - 1))
    d = np.concatenate([np.where(mask, log_rhoa_obs, 0.0), np.where(mask, phase_rad_obs, 0.0)],
                       axis=1)
    w = np.concatenate([np.where(mask, 1.0 / np.where(mask, log_rhoa_std, 1.0), 0.0),
                        np.where(mask, 1.0 / np.where(mask, phase_std_rad, 1.0), 0.0)], axis=1)
    n_data = 2.0 * mask.sum(axis=1)
    chi2_target = target_nrms**2 * n_data
    shift_on = static_shift_std_log10 is not None
    n_par = n_layers + shift_on

    # model norm (L+shift) per sounding: μ (RᵀR + α_s S²); the shift's own prior is a
    # data-like row below, and in the norm it weighs like a layer one decade from its
    # reference (a token weight would make the norm ill-conditioned and the μ grid useless)
    rough = roughness_matrix(n_layers)
    norm = np.zeros((n, n_par, n_par))
    norm[:, :n_layers, :n_layers] = rough.T @ rough
    idx = np.arange(n_layers)
    norm[:, idx, idx] += smallness / np.asarray(ref_std_log10, dtype=float) ** 2
    if shift_on:
        norm[:, -1, -1] = 1.0
    chol_inv = np.linalg.inv(np.linalg.cholesky(norm))  # K with K M Kᵀ = I

    x_ref = np.concatenate([m_ref, np.zeros((n, 1))], axis=1) if shift_on else m_ref.copy()
    x = x_ref.copy() if m_start_log10 is None else np.concatenate(
        [np.asarray(m_start_log10, dtype=float), np.zeros((n, shift_on))], axis=1)
    shift = lambda xx: xx[:, -1] if shift_on else np.zeros(len(xx))  # noqa: E731

    log_rhoa, phase = log_response(10.0 ** x[:, :n_layers], thick, freq)
    chi2 = _misfit(log_rhoa, phase, shift(x), d, w, n_freq)
    chi2_start = chi2.copy()
    iterations = np.zeros(n, dtype=int)
    mu = np.full(n, np.nan)
    stop = np.full(n, "max_iter", dtype=object)
    shift_std = np.zeros(n)
    norm_value = np.full(n, np.inf)
    # a starting model that is its own reference and already fits is the answer: zero
    # departure, misfit at or below the target
    fits_at_start = (chi2 <= chi2_target * (1 + 1e-9)) & np.all(x == x_ref, axis=1)
    stop[fits_at_start] = "target"
    active = np.flatnonzero(~fits_at_start)

    def linearize(a):
        """Weighted Jacobian G (na, N, P) and residual r (na, N) at the current models of
        soundings ``a``; with the shift, its column and its prior as one more datum."""
        lr, ph, jac = log_response_jacobian(10.0 ** x[a, :n_layers], thick[a], freq[a])
        jac *= LN10  # ∂/∂log10 ρ
        pred = np.concatenate([lr + LN10 * shift(x[a])[:, None], ph], axis=1)
        g = w[a, :, None] * jac
        r = w[a] * (d[a] - pred)
        if shift_on:
            shift_col = np.concatenate([np.full((a.size, n_freq), LN10),
                                        np.zeros((a.size, n_freq))], axis=1) * w[a]
            prior_row = np.zeros((a.size, 1, n_par))
            prior_row[:, 0, -1] = 1.0 / static_shift_std_log10
            g = np.concatenate([np.concatenate([g, shift_col[:, :, None]], axis=2), prior_row],
                               axis=1)
            r = np.concatenate([r, -x[a, -1:] / static_shift_std_log10], axis=1)
        return g, r

    for _ in range(max_iter):
        if active.size == 0:
            break
        a = active
        g, r = linearize(a)
        y_k = x[a] - x_ref[a]
        b = r + np.einsum("nij,nj->ni", g, y_k)
        system = Spectral.of(g, b, chol_inv[a])
        # linearized misfit on a grid of μ (increasing misfit with μ). Candidates: around the
        # largest μ whose linearized misfit reaches the target (or the least it can reach),
        # and larger μ — shorter, safer steps — whose linearized misfit goes a fraction q of
        # the way from there back to the current misfit; the exact forward then decides.
        grid_mu = np.maximum(system.lam.max(axis=1), 1e-300)[:, None] * MU_GRID[None, :]
        lin = system.linear_misfits(grid_mu)
        level0 = np.maximum(chi2_target[a], lin.min(axis=1) * (1 + 1e-6))
        levels = level0[:, None] + CANDIDATE_Q[None, :] * np.maximum(chi2[a] - level0, 0)[:, None]
        ok = lin[:, None, :] <= levels[:, :, None]                         # (na, Q, grid)
        last_ok = MU_GRID.size - 1 - np.argmax(ok[:, :, ::-1], axis=2)
        mu_q = np.take_along_axis(grid_mu, last_ok, axis=1)                # (na, Q)
        mu_0 = mu_q[:, 0]
        cand_mu = np.concatenate([mu_0[:, None] * 10**-0.5, mu_0[:, None], np.maximum(
            mu_q[:, 1:], mu_0[:, None] * 10.0 ** (0.5 * np.arange(1, CANDIDATE_Q.size)))], axis=1)
        cand_mu = np.sort(cand_mu, axis=1)                                   # (na, K)
        x_new = x_ref[a, None, :] + system.solutions(cand_mu)                    # (na, K, P)
        # keep wild trial steps inside bounds so the forward stays finite
        x_new[..., :n_layers] = np.clip(x_new[..., :n_layers], LOG10_RHO_MIN, LOG10_RHO_MAX)
        chi2_c = _trial_misfits(x_new, thick[a], freq[a], d[a], w[a], n_layers, shift_on,
                                n_freq)
        # a linearization far from the solution can overshoot at every μ: then shorten the
        # step towards the best candidate (x_k + t·δ, t = 1/2 … 1/64) before giving up
        rows = np.arange(a.size)
        best = np.argmin(chi2_c, axis=1)
        lost = chi2_c[rows, best] >= chi2[a]
        if lost.any():
            frac = 0.5 ** np.arange(1, 7)
            xl = x[a[lost], None, :] + frac[None, :, None] * (
                x_new[rows[lost], best[lost]][:, None, :] - x[a[lost], None, :])
            chi2_h = _trial_misfits(xl, thick[a[lost]], freq[a[lost]], d[a[lost]], w[a[lost]],
                                    n_layers, shift_on, n_freq)
            h = np.argmin(chi2_h, axis=1)
            better = chi2_h[np.arange(h.size), h] < chi2[a[lost]]
            # the shortened step replaces the smallest-μ candidate (an overshoot anyway)
            x_new[rows[lost][better], 0] = xl[np.arange(h.size), h][better]
            chi2_c[rows[lost][better], 0] = chi2_h[np.arange(h.size), h][better]
        feasible = chi2_c <= chi2_target[a, None] * (1 + 1e-9)
        # Occam: the largest feasible μ (candidates are in increasing μ), else the best fit
        choice = np.where(feasible.any(axis=1),
                          N_CANDIDATES - 1 - np.argmax(feasible[:, ::-1], axis=1),
                          np.argmin(chi2_c, axis=1))
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
        accept = np.where(was_feasible, now_feasible & smoother,
                          now_feasible | (chi2_new < chi2[a]))
        iterations[a] += 1
        # the second phase ends when the smoothest fitting model stops changing — not while
        # even the largest μ tried over-fits (then a larger μ is still to be found)
        over_fits = (choice == N_CANDIDATES - 1) & (chi2_new < OVERFIT * chi2_target[a])
        done_target = was_feasible & (~accept | (~over_fits & (
            (step < model_tol_log10) | (np.abs(new_norm - norm_value[a])
                                        <= stall_tol * np.maximum(norm_value[a], 1e-12)))))
        done_stall = ~was_feasible & ~now_feasible & (
            ~accept | (chi2[a] - chi2_new < stall_tol * chi2[a]))
        upd = a[accept]
        x[upd] = x_chosen[accept]
        chi2[upd] = chi2_new[accept]
        mu[upd] = cand_mu[rows, choice][accept]
        norm_value[upd] = new_norm[accept]
        stop[a[done_target]] = "target"
        stop[a[done_stall]] = "best fit"
        active = a[~(done_target | done_stall)]

    if shift_on:
        shift_std = _shift_posterior_std(linearize(np.arange(n))[0], norm, x[:, :n_layers],
                                         thick)
    log_rhoa, phase = log_response(10.0 ** x[:, :n_layers], thick, freq)
    return OccamResult(
        rho_ohmm=10.0 ** x[:, :n_layers], nrms=np.sqrt(chi2 / n_data),
        nrms_start=np.sqrt(chi2_start / n_data), iterations=iterations, mu=mu,
        stop=stop.astype(str), static_shift=10.0 ** shift(x), static_shift_std_log10=shift_std,
        log_rhoa=log_rhoa + LN10 * shift(x)[:, None], phase_rad=phase,
        seconds=time.perf_counter() - start_time)
