"""Parker's D+: the smallest misfit any 1D earth can reach, and an earth that reaches it.

The response of a 1D earth as an admittance (Schmucker's c-response, a complex length in m):
with time dependence ``e^{+iωt}`` and ``Z = E/H`` in Ω, ``c(ω) = Z / (iωμ0)``; over a
uniform half-space of conductivity σ, ``c = 1/sqrt(iωμ0σ)`` (Re c > 0, Im c < 0). Parker
(1980) showed that every 1D conductivity σ(z) ≥ 0 has a response of the Stieltjes form

    c(ω) = a0 + Σₙ aₙ / (λₙ + iω),   a0 ≥ 0, aₙ > 0, λₙ ≥ 0 (rad/s),

and that the closure of the finite sums is the set of all 1D responses: the best fit any 1D
earth can reach is the best fit of this form. A finite sum is the response of a *D+ model*:
thin sheets of conductance τₖ (S) at depths hₖ in an insulator, ended by a perfect
conductor (every λₙ > 0) or by the insulator (one λₙ = 0). The sheets follow from the
spectral data as a Stieltjes continued fraction (Parker 1980; Parker & Whaler 1981); here
through its stable matrix form: the sheets are a chain of masses τₖ joined by springs of
compliance dₖ (the gaps), whose stiffness matrix ``K`` and masses ``M`` satisfy
``c(ω) − a0 = e₁ᵀ (K + iωμ0 M)⁻¹ e₁``, so ``λₙ`` are the eigenvalues of
``M^{-½} K M^{-½} / μ0`` and ``aₙ / Σa`` the squared first components of its orthonormal
eigenvectors. Golub–Kahan bidiagonalization of ``diag(√λ)`` from the start vector
``√(aₙ/Σa)`` (full reorthogonalization) recovers the Cholesky factor of that matrix, whose
entries give ``τ₁ = 1/(μ0 Σa)``, ``dₖ = 1/(μ0 τₖ αₖ²)`` and ``τₖ₊₁ = τₖ αₖ²/βₖ²``; the first
sheet lies at ``h₁ = a0``.

The fit is measured in mtlib's own data space, as :func:`mtlib.inversion.invert` measures
it (:mod:`mtlib.data_errors`): residuals of ln ρa weighed by 2p and of φ (rad) by arcsin(p),
p the relative error of |Z|. Since ``ln ρa = 2 Re ln c + ln(ωμ0)`` and ``φ = π/2 + arg c``,
that is ``Re ln c`` weighed by p and ``arg c`` by arcsin(p). The search follows Parker &
Whaler (1981):

1. **Grid.** λ on a log-spaced grid (:data:`GRID_PER_DECADE`) reaching
   :data:`GRID_MARGIN_DECADES` beyond the data's band on both sides, plus λ = 0 and a0:
   non-negative least squares (``scipy.optimize.nnls``) on the data linearized in ln c about
   the observed response, then relinearized about the fitted one (Levenberg–Marquardt, each
   step an NNLS) until χ² stops falling — the grid's optimum in mtlib's norm. In c-space
   with circular errors this would be one convex NNLS; in (ln ρa, φ) it is nearly so.
2. **Refinement.** The few nonzero terms (two neighbouring grid poles merged into one) move:
   Levenberg–Marquardt on their amplitudes (≥ 0, each step an NNLS) and ln λ together;
   then the amplitudes are solved again on the grid plus the moved poles; and so on until a
   round lowers χ² by less than ``ABS_TOL`` (0.01). Each step is taken only if χ² falls, so
   refining never raises the misfit.

``DPlusResult.refined`` says whether refinement lowered χ² below the grid's optimum
(``chi2_grid``; for 40 periods of 2 % data by 0.24 on average, 0.6 at most). The
refinement is a local search: the result is a local optimum, not a certified global one;
on synthetic 1D data it was never above the true earth's χ² (the tests check this on fixed
seeds).

Reading χ²: with correct, independent Gaussian errors the true earth's χ² scatters as
N ± √(2N) (N = 2 × usable periods). D+ is the minimum over all 1D earths, so it lies below
the true earth's, by about the number of parameters the data resolve (measured: a median of
18–21 for 30–60 periods of 2 % data): its nRMS is below 1 on 1D data with right errors
(median 0.80 for 30 periods, 0.89 for 60), and below 1 is not better. A D+ χ² well above N
says no 1D earth explains the data *with these errors*: the data are not 1D (3D effects,
static-shifted segments, bad periods) or the errors are too small — D+ cannot tell which.
Any 1D inversion's χ² (``mtlib.invert``'s ``nrms``) should be at or above D+'s (below it,
D+ missed its optimum); the gap is what the inversion's regularization costs.
:meth:`DPlusResult.consistent_with_1d` tests χ² against the χ²(N) quantile: conservative
(D+'s χ² has fewer degrees of freedom), so a sounding it calls inconsistent is so at least
at that confidence.

References: Parker, R. L. (1980), The inverse problem of electromagnetic induction:
existence and construction of solutions based on incomplete data, JGR 85(B8), 4421–4428.
Parker, R. L. & Whaler, K. A. (1981), Numerical methods for establishing solutions to the
inverse problem of electromagnetic induction, JGR 86(B10), 9574–9584.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls
from scipy.special import chdtri

from . import data_errors
from ._checks import has_data, sounding_arrays
from .forward import MU0

GRID_PER_DECADE = 8
"""λ grid points per decade of angular frequency."""
GRID_MARGIN_DECADES = 2.0
"""The λ grid reaches this far beyond the data's band on each side: a pole far above it acts
as a constant (a0), one far below as the λ = 0 term."""
MAX_STEPS = 30
"""Levenberg–Marquardt steps of one descent at most."""
MU_FIRST, MU_MAX = 1e-4, 1e8
"""Marquardt's μ after a first failed step, and where the descent gives up."""
MAX_ROUNDS = 6
"""Rounds of refinement (re-solve on the grid plus refined λ, then refine) at most."""
REL_TOL, ABS_TOL = 1e-7, 1e-2
"""A step, or a round of refinement, that lowers χ² by less than ``REL_TOL`` χ² + ``ABS_TOL``
ends it: a hundredth of χ² is nothing next to its scatter √(2N)."""
NEGLIGIBLE = 1e-9
"""Terms whose |aₙ/(λₙ + iω)| stays below this fraction of |c| at every frequency are
dropped (they cannot change χ² above round-off, and would add spurious sheets)."""
POLE_MERGE_REL = 1e-7
"""Poles closer than this (relative) are one pole: their amplitudes add."""
TERMINALS = ("perfect conductor", "insulator")


@dataclass
class DPlusResult:
    """D+ of one sounding; F periods as given, K spectral terms (and sheets).

    Misfits are over the usable periods (``mask``) in mtlib's norm (module docstring).
    """

    chi2: float  # χ² of the D+ response
    n_data: int  # N = 2 × usable periods
    nrms: float  # sqrt(χ² / N)
    chi2_grid: float  # χ² of the grid's optimum, before refinement
    refined: bool  # True if refinement lowered χ² below chi2_grid
    a0_m: float  # constant term a0 of c(ω) in m (= depth of the first sheet)
    amplitudes_m_s: np.ndarray  # (K,) aₙ in m/s
    poles_rad_s: np.ndarray  # (K,) λₙ in rad/s, increasing (0: the insulator term)
    sheet_depth_m: np.ndarray  # (K,) depths of the sheets, increasing
    sheet_conductance_s: np.ndarray  # (K,) their conductances
    terminal: str  # what ends the model: "perfect conductor" or "insulator"
    terminal_depth_m: float  # depth of the perfect conductor (inf: insulator)
    predicted: tuple  # (ρa Ω·m, φ deg) of the D+ response at the data's frequencies (F,)
    residual_rhoa: np.ndarray  # (F,) (ln ρa_obs − ln ρa_pred) / 2p, NaN where masked
    residual_phase: np.ndarray  # (F,) (φ_obs − φ_pred) / arcsin(p), NaN where masked
    mask: np.ndarray  # (F,) periods used
    seconds: float  # wall time

    @property
    def excess_sigma(self) -> float:
        """``(χ² − N) / √(2N)``: how many standard deviations of a χ²(N) variable the D+
        misfit lies above its mean (negative for D+ on 1D data with right errors)."""
        return (self.chi2 - self.n_data) / np.sqrt(2.0 * self.n_data)

    def chi2_threshold(self, confidence: float = 0.95) -> float:
        """The ``confidence`` quantile of χ²(N): 1D data with right errors give a D+ χ² above
        it less often than ``1 − confidence`` (D+ fits better than the true earth)."""
        if not 0 < confidence < 1:
            raise ValueError(f"confidence must be in (0, 1), got {confidence}")
        return float(chdtri(self.n_data, 1.0 - confidence))

    def consistent_with_1d(self, confidence: float = 0.95) -> bool:
        """True if some 1D earth fits the data within their errors at this ``confidence``
        (χ² ≤ :meth:`chi2_threshold`); False: not 1D, or errors too small."""
        return self.chi2 <= self.chi2_threshold(confidence)

    def response(self, freq_hz) -> tuple[np.ndarray, np.ndarray]:
        """(ρa Ω·m, φ deg) of the D+ earth at any frequencies ``(F',)`` (e.g. a dense band
        for plotting)."""
        omega = 2 * np.pi * _frequencies(freq_hz)
        c = _spectral_c(self.a0_m, self.amplitudes_m_s, self.poles_rad_s, omega)
        return _rhoa_phase(c, omega)


def sheet_impedance(depth_m, conductance_s, freq_hz, conductor_depth_m: float = np.inf):
    """Exact surface impedance ``Z`` (F,) in Ω of thin sheets in an insulator.

    ``depth_m`` (K,) increasing, ≥ 0; ``conductance_s`` (K,) > 0; ``conductor_depth_m``:
    depth of a perfect conductor below the last sheet (inf: none, the insulator goes on).
    Through the admittance recursion from the bottom up: across an insulating gap of
    thickness d, ``c ← c + d``; across a sheet of conductance τ (E continuous, H jumps by
    τE), ``1/c ← 1/c + iωμ0τ``; then ``Z = iωμ0 c``.
    """
    depth = np.asarray(depth_m, dtype=float).reshape(-1)
    tau = np.asarray(conductance_s, dtype=float).reshape(-1)
    i_omega_mu = 1j * 2 * np.pi * _frequencies(freq_hz) * MU0
    if depth.shape != tau.shape:
        raise ValueError(
            f"depth_m and conductance_s must have one value per sheet, got shapes "
            f"{depth.shape} and {tau.shape}"
        )
    if not np.all(np.isfinite(depth)) or np.any(depth < 0) or np.any(np.diff(depth) < 0):
        raise ValueError("depth_m must be finite, >= 0 and increasing")
    if not np.all(np.isfinite(tau) & (tau > 0)):
        raise ValueError("conductance_s must be finite and > 0")
    bottom = depth[-1] if depth.size else 0.0
    if not conductor_depth_m > bottom or (depth.size == 0 and np.isinf(conductor_depth_m)):
        raise ValueError(
            "conductor_depth_m must lie below the deepest sheet (and below the surface), and "
            f"be finite when there are no sheets (inf: no conductor); got {conductor_depth_m}"
        )
    if depth.size == 0:
        return i_omega_mu * conductor_depth_m
    admittance = np.zeros_like(i_omega_mu) + 1.0 / (conductor_depth_m - bottom)  # 1/c below
    tops = np.concatenate([[0.0], depth])
    for k in range(depth.size - 1, -1, -1):
        c = 1.0 / (admittance + i_omega_mu * tau[k]) + (tops[k + 1] - tops[k])
        admittance = 1.0 / c
    return i_omega_mu * c


def _frequencies(freq_hz, who: str = "") -> np.ndarray:
    """``freq_hz`` as a checked 1-D float array; ``who`` begins the messages."""
    freq = np.asarray(freq_hz, dtype=float)
    if freq.ndim != 1 or freq.size == 0:
        raise ValueError(f"{who}freq_hz must be a non-empty 1-D array, got shape {freq.shape}")
    if not np.all(np.isfinite(freq) & (freq > 0)):
        raise ValueError(f"{who}freq_hz must be finite and > 0 everywhere")
    return freq


def _spectral_c(a0, amp, lam, omega):
    """c(ω) (F,) of the spectral terms."""
    return a0 + (amp[None, :] / (lam[None, :] + 1j * omega[:, None])).sum(axis=1)


def _rhoa_phase(c, omega):
    """(ρa, φ deg) of responses c at angular frequencies ω: ρa = ωμ0|c|², φ = 90° + arg c."""
    return omega * MU0 * np.abs(c) ** 2, 90.0 + np.degrees(np.angle(c))


def _checked(freq_hz, rhoa_ohmm, phase_deg, z_rel_err, mask, z_err_cap, station):
    """Checked arrays (F,) and the usable mask; ``ValueError`` names the argument."""
    who = f"sounding {station}" if station else ""
    freq, rhoa, phase, p, mask = sounding_arrays(
        freq_hz, rhoa_ohmm, phase_deg, z_rel_err, mask, who
    )
    with_data = has_data(rhoa, phase)
    if mask is None:
        mask = with_data
    elif (mask & ~with_data).any():
        raise ValueError(
            f"{who + ': ' if who else ''}rhoa_ohmm must be finite and > 0 and phase_deg "
            "finite on the periods the mask keeps; not on "
            f"{data_errors.describe_periods(freq, mask & ~with_data)}"
        )
    mask = data_errors.usable_errors(freq, p, mask, cap=z_err_cap, who=station)
    if not mask.any():
        raise ValueError(f"{who + ': ' if who else ''}no usable period: nothing to fit")
    return freq, rhoa, phase, np.where(mask, p, 1.0), mask


class _Data:
    """Usable data in the search's units: ω (F,), ln c_obs (F,) complex, weights of Re ln c
    (1/p) and of arg c (1/arcsin p), and the range of ln λ that poles may move in (twice the
    grid's margin beyond the band)."""

    def __init__(self, freq, rhoa, phase, p):
        self.omega = 2 * np.pi * freq
        self.log_c = 0.5 * np.log(rhoa / (self.omega * MU0)) + 1j * np.radians(phase - 90.0)
        self.w_re = 1.0 / p
        self.w_im = 1.0 / data_errors.phase_std_rad(p)
        margin = 2 * GRID_MARGIN_DECADES * np.log(10.0)
        self.log_lam_range = (np.log(self.omega.min()) - margin, np.log(self.omega.max()) + margin)

    def residuals(self, c):
        """Weighted residuals (2F,) of ln c_pred − ln c_obs (no phase wrapping: arg c of a
        Stieltjes response lies in [−π/2, 0], as mtlib's phases in [0°, 90°])."""
        d = np.log(c) - self.log_c
        return np.concatenate([self.w_re * d.real, self.w_im * d.imag])

    def chi2(self, c) -> float:
        """χ² of the response ``c`` (F,)."""
        r = self.residuals(c)
        return float(r @ r)

    def kernels(self, lam):
        """Columns g (F, 1 + P): 1 (for a0), then 1/(λ + iω)."""
        g = np.empty((self.omega.size, 1 + lam.size), dtype=complex)
        g[:, 0] = 1.0
        g[:, 1:] = 1.0 / (lam[None, :] + 1j * self.omega[:, None])
        return g


def _descend(data: _Data, lam, x, chi2_now, move: bool, c_first=None):
    """Levenberg–Marquardt on χ² from amplitudes ``x`` (1 + P,) ≥ 0 (a0, then one per pole
    ``lam`` (P,)); with ``move`` the nonzero terms' ln λ move too (a λ of 0 stays 0).

    Each step solves the problem linearized about the current response c,
    ln c(y, λe^δ) ≈ ln c + (g (y − x) + ∂c/∂ln λ · δ) / c, as one NNLS: the amplitudes
    y ≥ 0 and δ = δ⁺ − δ⁻, with Marquardt's damping (μ times each column's squared norm)
    on y − x and δ. μ starts at 0 (Gauss–Newton), grows eightfold while χ² does not fall and
    shrinks fourfold after a step that lowers it; the descent ends when a step gains less
    than ``REL_TOL`` χ² + ``ABS_TOL``, or no μ gains. ``c_first``: the response to
    linearize the first step about instead of that of ``x`` (which it then ignores).
    Returns ``(lam, x, χ²)``."""
    mu = 0.0
    for _ in range(MAX_STEPS):
        g = data.kernels(lam)
        c, c_first = (g @ x if c_first is None else c_first), None
        moving = np.flatnonzero((x[1:] > 0) & (lam > 0)) if move else np.empty(0, dtype=int)
        # ∂c/∂ln λₙ = −aₙ λₙ / (λₙ + iω)²
        d_lam = -(x[1 + moving] * lam[moving]) * g[:, 1 + moving] ** 2
        cols = np.concatenate([g, d_lam, -d_lam], axis=1) / c[:, None]
        a = np.concatenate([data.w_re[:, None] * cols.real, data.w_im[:, None] * cols.imag])
        d = data.log_c - np.log(c)
        b = np.concatenate([data.w_re * (d.real + 1.0), data.w_im * d.imag])  # (g y)/c at y=x
        scale = np.linalg.norm(a, axis=0)  # (NNLS is blind to positive column scales)
        scale[scale == 0] = 1.0
        now = np.concatenate([x, np.zeros(2 * moving.size)]) * scale  # (scaled unknowns)
        while True:
            sol = _damped_nnls(a / scale, b, now, mu) / scale
            trial_x = sol[: x.size]
            trial_lam = lam.copy()
            step = sol[x.size : x.size + moving.size] - sol[x.size + moving.size :]
            trial_lam[moving] = np.exp(np.clip(np.log(lam[moving]) + step, *data.log_lam_range))
            chi2 = _chi2_of(data, trial_lam, trial_x)
            if chi2 < chi2_now:
                break
            mu = max(8.0 * mu, MU_FIRST)
            if mu > MU_MAX:
                return lam, x, chi2_now
        gain = chi2_now - chi2
        x, lam, chi2_now = trial_x, trial_lam, chi2
        mu *= 0.25
        if gain <= REL_TOL * chi2 + ABS_TOL:
            break
    return lam, x, chi2_now


def _damped_nnls(a, b, z_now, mu: float) -> np.ndarray:
    """z ≥ 0 minimizing ‖a z − b‖² + μ ‖z − z_now‖² (Marquardt's rows only when μ > 0)."""
    if mu > 0:
        a = np.concatenate([a, np.sqrt(mu) * np.eye(a.shape[1])])
        b = np.concatenate([b, np.sqrt(mu) * z_now])
    return nnls(a, b)[0]


def _chi2_of(data: _Data, lam, x) -> float:
    """χ² of amplitudes ``x`` (a0, then one per pole ``lam``); inf if the response vanishes."""
    if not np.any(x > 0):
        return np.inf
    c = data.kernels(lam) @ x
    return data.chi2(c) if np.all(np.isfinite(c)) else np.inf


def _tidy(data: _Data, a0, amp, lam):
    """Merge coincident poles, drop negligible terms, sort by λ."""
    order = np.argsort(lam)
    amp, lam = amp[order], lam[order]
    keep_amp, keep_lam = [], []
    for a, lm in zip(amp, lam):
        if keep_lam and lm - keep_lam[-1] <= POLE_MERGE_REL * lm:
            keep_amp[-1] += a
        else:
            keep_amp.append(a)
            keep_lam.append(lm)
    amp, lam = np.array(keep_amp), np.array(keep_lam)
    c_abs = np.exp(data.log_c.real)
    size = amp[None, :] / np.abs(lam[None, :] + 1j * data.omega[:, None]) / c_abs[:, None]
    kept = (size >= NEGLIGIBLE).any(axis=0) & (amp > 0)
    a0 = a0 if a0 >= NEGLIGIBLE * c_abs.min() else 0.0
    return a0, amp[kept], lam[kept]


def _sheets(a0, amp, lam):
    """The D+ sheet model of spectral terms sorted by λ: depths (K,) m, conductances (K,) S,
    terminal and its depth (module docstring: Golub–Kahan on diag(√λ))."""
    n = amp.size
    insulator = n > 0 and lam[0] == 0.0
    if n == 0:
        return np.empty(0), np.empty(0), TERMINALS[0], float(a0)
    s = np.sqrt(lam)
    u_basis, v_basis = np.zeros((n, n)), np.zeros((n, n))
    alpha, beta = np.zeros(n), np.zeros(max(n - 1, 0))
    v_basis[:, 0] = np.sqrt(amp / amp.sum())
    for k in range(n):
        u = s * v_basis[:, k] - (beta[k - 1] * u_basis[:, k - 1] if k else 0.0)
        for _ in range(2):  # (twice is enough: Kahan–Parlett)
            u -= u_basis[:, :k] @ (u_basis[:, :k].T @ u)
        alpha[k] = np.linalg.norm(u)
        if k == n - 1:
            break
        u_basis[:, k] = u / alpha[k]
        v = s * u_basis[:, k] - alpha[k] * v_basis[:, k]
        for _ in range(2):
            v -= v_basis[:, : k + 1] @ (v_basis[:, : k + 1].T @ v)
        beta[k] = np.linalg.norm(v)
        v_basis[:, k + 1] = v / beta[k]
    tau = np.empty(n)
    gap = np.empty(n)
    tau[0] = 1.0 / (MU0 * amp.sum())
    for k in range(n):
        gap[k] = 1.0 / (MU0 * tau[k] * alpha[k] ** 2) if alpha[k] > 0 else np.inf
        if k < n - 1:
            tau[k + 1] = tau[k] * alpha[k] ** 2 / beta[k] ** 2
    depth = a0 + np.concatenate([[0.0], np.cumsum(gap[:-1])])
    if insulator:
        return depth, tau, TERMINALS[1], float("inf")
    return depth, tau, TERMINALS[0], float(depth[-1] + gap[-1])


def _clusters(amp, lam):
    """Pairs of neighbouring grid poles (sorted λ, within 1.5 grid steps, no third one
    next to them) merged into one pole at their amplitude-weighted log-mean: NNLS straddles
    a pole between two grid points, and refining both would be degenerate. Longer runs (a
    continuous part of the spectrum, as noise-free data have) stay as they are."""
    gap = 10.0 ** (1.5 / GRID_PER_DECADE)
    near = (lam[1:] > 0) & (lam[1:] <= gap * lam[:-1])  # (K-1,) pole k+1 next to pole k
    run_start = np.flatnonzero(np.diff(np.concatenate([[0], near.astype(int), [0]])) == 1)
    run_end = np.flatnonzero(np.diff(np.concatenate([[0], near.astype(int), [0]])) == -1)
    amp, lam = amp.copy(), lam.copy()
    drop = np.zeros(amp.size, dtype=bool)
    for k in run_start[run_end - run_start == 1]:  # runs of one link: a pair of poles
        total = amp[k] + amp[k + 1]
        lam[k] = np.exp((amp[k] * np.log(lam[k]) + amp[k + 1] * np.log(lam[k + 1])) / total)
        amp[k] = total
        drop[k + 1] = True
    return amp[~drop], lam[~drop]


def _grid(omega):
    """λ (P,): 0, then log-spaced beyond the band by GRID_MARGIN_DECADES on both sides."""
    lo = np.log10(omega.min()) - GRID_MARGIN_DECADES
    hi = np.log10(omega.max()) + GRID_MARGIN_DECADES
    n = int(np.ceil((hi - lo) * GRID_PER_DECADE)) + 1
    return np.concatenate([[0.0], np.logspace(lo, hi, n)])


def _search(data: _Data, refine: bool):
    """Best spectral terms: (a0, amp, lam, χ², χ² of the grid's optimum)."""
    grid = _grid(data.omega)
    # the first step is linearized about the data, their phases clipped to a 1D earth's
    c_first = np.exp(data.log_c.real + 1j * np.clip(data.log_c.imag, -np.pi / 2, 0.0))
    x = np.zeros(1 + grid.size)
    lam, x, chi2 = _descend(data, grid, x, np.inf, move=False, c_first=c_first)
    chi2_grid = chi2
    for _ in range(MAX_ROUNDS if refine else 0):
        if chi2 <= ABS_TOL:  # (noise-free 1D data: nothing left to gain)
            break
        start = chi2
        on = x[1:] > 0
        lam, x = lam[on], np.concatenate([x[:1], x[1:][on]])
        amp, poles = _clusters(x[1:], lam)
        merged = np.concatenate([x[:1], amp])
        tried = _descend(data, poles, merged, _chi2_of(data, poles, merged), move=True)
        if not tried[2] < chi2:  # merging cost more than moving won back: move them apart
            tried = _descend(data, lam, x, chi2, move=True)
        lam, x, chi2 = tried if tried[2] < chi2 else (lam, x, chi2)
        # the amplitudes again, on the grid and the refined poles
        poles = np.union1d(grid, lam)
        x_all = np.concatenate([x[:1], np.zeros(poles.size)])
        np.add.at(x_all, 1 + np.searchsorted(poles, lam), x[1:])
        lam, x, chi2 = _descend(data, poles, x_all, chi2, move=False)
        if chi2 > start - ABS_TOL:
            break
    on = x[1:] > 0
    return x[0], x[1:][on], lam[on], chi2, chi2_grid


def dplus(
    freq_hz,
    rhoa_ohmm,
    phase_deg,
    z_rel_err=0.05,
    mask=None,
    *,
    refine: bool = True,
    z_err_cap: float = data_errors.Z_REL_ERR_CAP,
    station: str = "",
) -> DPlusResult:
    """Parker's D+ of one sounding: the smallest χ² any 1D earth reaches, and its earth.

    Same inputs as :func:`mtlib.inversion.invert`: ``freq_hz``, ``rhoa_ohmm`` (Ω·m),
    ``phase_deg`` (F,) in any frequency order; ``z_rel_err`` the relative error of |Z|
    (scalar or (F,)); ``mask`` (F,) bool, True where a period is usable (default: finite
    data). Periods whose error reaches ``z_err_cap`` are masked with a warning
    (:func:`mtlib.data_errors.usable_errors`). Phases outside (0°, 90°) are kept, unlike in
    :func:`mtlib.inversion.invert`: they are evidence against 1D; to compare with an
    inversion on the same periods, pass its ``mask``. ``refine=False`` stops at the grid's
    optimum. ``station`` names the sounding in messages. See the module docstring.
    """
    t0 = time.perf_counter()
    freq, rhoa, phase, p, mask = _checked(
        freq_hz, rhoa_ohmm, phase_deg, z_rel_err, mask, z_err_cap, station
    )
    data = _Data(freq[mask], rhoa[mask], phase[mask], p[mask])
    a0, amp, lam, _, chi2_grid = _search(data, refine)
    a0, amp, lam = _tidy(data, a0, amp, lam)
    chi2 = data.chi2(_spectral_c(a0, amp, lam, data.omega))
    depth, tau, terminal, terminal_depth = _sheets(a0, amp, lam)

    omega = 2 * np.pi * freq
    rhoa_pred, phase_pred = _rhoa_phase(_spectral_c(a0, amp, lam, omega), omega)
    with np.errstate(invalid="ignore", divide="ignore"):
        res_rhoa = np.where(mask, np.log(rhoa / rhoa_pred) / data_errors.rhoa_rel_err(p), np.nan)
        res_phase = np.where(
            mask, np.radians(phase - phase_pred) / data_errors.phase_std_rad(p), np.nan
        )
    n_data = 2 * int(mask.sum())
    return DPlusResult(
        chi2=chi2,
        n_data=n_data,
        nrms=float(np.sqrt(chi2 / n_data)),
        chi2_grid=float(chi2_grid),
        refined=bool(refine and chi2 < chi2_grid),
        a0_m=float(a0),
        amplitudes_m_s=amp,
        poles_rad_s=lam,
        sheet_depth_m=depth,
        sheet_conductance_s=tau,
        terminal=terminal,
        terminal_depth_m=terminal_depth,
        predicted=(rhoa_pred, phase_pred),
        residual_rhoa=res_rhoa,
        residual_phase=res_phase,
        mask=mask,
        seconds=time.perf_counter() - t0,
    )


def dplus_response(response: data_errors.Response1D, **options) -> DPlusResult:
    """:func:`dplus` of a :class:`mtlib.data_errors.Response1D` (what
    :meth:`mtlib.field.Sounding.response` returns); ``options`` as :func:`dplus` takes."""
    return dplus(
        response.freq_hz,
        response.rhoa_ohmm,
        response.phase_deg,
        response.z_rel_err,
        response.mask,
        station=options.pop("station", response.station),
        **options,
    )
