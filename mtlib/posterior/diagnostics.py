"""Convergence diagnostics of MCMC chains: rank-normalized split-R̂ and bulk effective
sample size (Vehtari, Gelman, Simpson, Carpenter & Bürkner 2021, *Bayesian Analysis* 16).

Draws come as ``(M, N, ...)``: M chains of N draws, any trailing shape (one diagnostic per
trailing index). Each chain is split in halves (2M chains of N/2), the draws of all chains
are replaced by their normal scores (ranks, ties averaged, through Φ⁻¹), and

* R̂ = sqrt(var⁺ / W) with W the mean within-chain variance and var⁺ = (n−1)/n W + B/n;
  the reported R̂ is the larger of the bulk one and the one of the folded draws
  |θ − median θ| (which sees chains that differ in spread only);
* the bulk ESS = M N / τ, τ = −1 + 2 Σ P_k from the chains' combined autocorrelation
  ρ_t = 1 − (W − mean autocovariance_t) / var⁺ summed in pairs P_k = ρ_2k + ρ_2k+1 while
  positive and made monotone (Geyer's initial monotone sequence).

A quantity that takes one value in every draw has nothing to converge: R̂ = 1 and the ESS
is the number of draws.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri
from scipy.stats import rankdata


def _split(draws: np.ndarray) -> np.ndarray:
    """(M, N, ...) → (2M, N // 2, ...): each chain's halves (a middle draw of an odd N
    dropped)."""
    half = draws.shape[1] // 2
    return np.concatenate([draws[:, :half], draws[:, draws.shape[1] - half :]], axis=0)


def _normal_scores(draws: np.ndarray) -> np.ndarray:
    """Φ⁻¹((rank − 3/8) / (S + 1/4)) over all S draws of each trailing index."""
    m, n = draws.shape[:2]
    ranks = rankdata(draws.reshape(m * n, -1), axis=0)
    return ndtri((ranks - 0.375) / (m * n + 0.25)).reshape(draws.shape)


def _rhat(z: np.ndarray) -> np.ndarray:
    """Classic R̂ of split chains (M, N, ...)."""
    n = z.shape[1]
    within = z.var(axis=1, ddof=1).mean(axis=0)
    between = z.mean(axis=1).var(axis=0, ddof=1)  # B / n
    var_plus = (n - 1) / n * within + between
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(var_plus / within)


def _autocovariance(z: np.ndarray) -> np.ndarray:
    """Autocovariance (M, N, ...) of each chain along axis 1, by FFT (biased, 1/N)."""
    n = z.shape[1]
    centred = z - z.mean(axis=1, keepdims=True)
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(centred, n=size, axis=1)
    return np.fft.irfft(spectrum * np.conj(spectrum), n=size, axis=1)[:, :n] / n


def _ess(z: np.ndarray) -> np.ndarray:
    """Bulk ESS of split, normal-scored chains (M, N, ...)."""
    m, n = z.shape[:2]
    acov = _autocovariance(z)
    within = acov[:, 0].mean(axis=0) * n / (n - 1)  # mean of the chains' variances
    var_plus = within * (n - 1) / n + z.mean(axis=1).var(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = 1.0 - (within - acov.mean(axis=0)) / var_plus  # (N, ...)
    rho[0] = 1.0
    n_pairs = n // 2
    pairs = rho[: 2 * n_pairs : 2] + rho[1 : 2 * n_pairs : 2]  # (K, ...)
    # initial positive sequence: the pairs up to the first negative one
    positive = np.cumprod(pairs > 0, axis=0).astype(bool)
    monotone = np.minimum.accumulate(np.where(positive, pairs, np.inf), axis=0)
    tau = -1.0 + 2.0 * np.sum(np.where(positive, monotone, 0.0), axis=0)
    tau = np.maximum(tau, 1.0 / np.log10(m * n))  # the cap of Stan's estimator
    return m * n / tau


def split_rhat_ess(draws) -> tuple[np.ndarray, np.ndarray]:
    """Rank-normalized split-R̂ (max of bulk and folded) and bulk ESS of ``draws``
    (M, N, ...) → two arrays of the trailing shape. Needs M·N ≥ 8 and N ≥ 4."""
    draws = np.asarray(draws, dtype=float)
    if draws.ndim < 2 or draws.shape[1] < 4 or draws.shape[0] * draws.shape[1] < 8:
        raise ValueError(f"draws must be (M, N, ...) with N >= 4 and M·N >= 8, got {draws.shape}")
    if not np.all(np.isfinite(draws)):
        raise ValueError("draws contain non-finite values")
    split = _split(draws)
    constant = np.all(split == split.reshape(-1, *split.shape[2:])[0], axis=(0, 1))
    z = _normal_scores(split)
    folded = np.abs(split - np.median(split.reshape(-1, *split.shape[2:]), axis=0))
    rhat = np.maximum(_rhat(z), _rhat(_normal_scores(folded)))
    ess = _ess(z)
    size = float(draws.shape[0] * draws.shape[1])
    return np.where(constant, 1.0, rhat), np.where(constant, size, ess)
