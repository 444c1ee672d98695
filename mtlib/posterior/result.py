"""What the sampler returns: the posterior of log10 ρ against depth, and how it was drawn."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .histograms import quantiles
from .ladders import Chains
from .likelihood import Likelihood
from .prior import Prior

MODE_BIN_DECADES = 0.06
"""Width of the bins whose fullest one gives the mode (rjmcmcmt's 100 bins on 6 decades)."""


@dataclass
class Posterior:
    """The posterior of one sounding. D depth bins, B log10 ρ bins, M chains (the β = 1
    chain of each ladder), S thinned samples per chain.

    Per depth: ``hist`` (D, B), the sweeps every kept chain spent in each log10 ρ bin
    (edges ``rho_edges_log10``) at each depth-bin centre ``depth_m``; ``mean_log10_rho``
    (D,). ``n_layers_probability`` (N_max + 1,) (index = number of layers);
    ``interface_density`` (D,) the expected number of interfaces per depth bin. Samples
    (:attr:`samples`): ``chi2``, ``n_layers``, ``static_shift_log10`` (M, S),
    ``interfaces_log10`` (M, S, N_max − 1) and ``log10_rho`` (M, S, N_max), NaN beyond a
    model's layers, one every ``thin`` sweeps. Diagnostics: ``rhat`` and ``ess``
    (:mod:`mtlib.posterior.diagnostics`) of ``chi2``, ``n_layers``, ``log10_rho`` (D,)
    and, when sampled, ``static_shift_log10``; ``acceptance`` (M, T, 5) per step type
    (:data:`mtlib.posterior.kernel.MOVES`) and temperature, ``swap_rate`` (M, T − 1),
    ``scales`` (M, T, 6) the proposal table after burn-in. ``stop``: why it stopped
    ("converged", "max_sweeps", "max_seconds"); ``sweeps`` recorded per chain after
    ``burn_in``; ``rounds``: the stopping rule's checks.
    """

    depth_m: np.ndarray
    rho_edges_log10: np.ndarray
    hist: np.ndarray
    mean_log10_rho: np.ndarray
    n_layers_probability: np.ndarray
    interface_density: np.ndarray
    samples: dict
    rhat: dict
    ess: dict
    stop: str
    sweeps: int
    burn_in: int
    thin: int
    seconds: float
    beta: np.ndarray
    acceptance: np.ndarray
    swap_rate: np.ndarray
    scales: np.ndarray
    rounds: list
    prior: Prior
    likelihood: Likelihood
    seed: int
    doi_m: float  # Niblett–Bostick depth sqrt(ρa / (ωμ0)) of the longest usable period
    start_models: dict | None = None  # depth_m (L,) layer tops, rho_occam_ohmm and
    # rho_network_ohmm (L,), std_log10 (L,): the inversion the chains started from

    @classmethod
    def from_chains(cls, chains: Chains, prior: Prior, likelihood: Likelihood, seed: int,
                    doi_m: float, start_models: dict | None) -> Posterior:  # fmt: skip
        total = chains.hist_n.sum()
        return cls(
            depth_m=10.0**chains.depth_log10,
            rho_edges_log10=chains.rho_edges,
            hist=chains.hist,
            mean_log10_rho=chains.value_sum / total,
            n_layers_probability=chains.hist_n / total,
            interface_density=chains.hist_iface / total,
            samples=chains.samples,
            rhat=chains.rhat,
            ess=chains.ess,
            stop=chains.stop,
            sweeps=chains.sweeps,
            burn_in=chains.burn_in,
            thin=chains.thin,
            seconds=chains.seconds,
            beta=chains.beta,
            acceptance=chains.acceptance,
            swap_rate=chains.swap_rate,
            scales=chains.scales,
            rounds=chains.rounds,
            prior=prior,
            likelihood=likelihood,
            seed=seed,
            doi_m=doi_m,
            start_models=start_models,
        )

    @property
    def n_chains(self) -> int:
        return int(self.samples["chi2"].shape[0])

    def quantile(self, q) -> np.ndarray:
        """Per-depth quantiles of log10 ρ: (D,) for a scalar ``q``, (P, D) for (P,)."""
        out = quantiles(self.hist, self.rho_edges_log10, q)
        return out[0] if np.ndim(q) == 0 else out

    def interval(self, level: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
        """The equal-tailed credible interval (low, high) of log10 ρ per depth (D,)."""
        if not 0 < level < 1:
            raise ValueError(f"level must be in (0, 1), got {level}")
        low, high = self.quantile([(1 - level) / 2, (1 + level) / 2])
        return low, high

    @property
    def median(self) -> np.ndarray:
        """Per-depth median of log10 ρ (D,)."""
        return self.quantile(0.5)

    @property
    def mode(self) -> np.ndarray:
        """Per-depth mode of log10 ρ (D,): the centre of the fullest bin once the bins are
        merged to :data:`MODE_BIN_DECADES`."""
        edges = self.rho_edges_log10
        group = max(1, int(round(MODE_BIN_DECADES / (edges[1] - edges[0]))))
        starts = np.arange(0, self.hist.shape[1], group)
        merged = np.add.reduceat(self.hist, starts, axis=1)
        best = merged.argmax(axis=1)
        ends = np.minimum(starts + group, self.hist.shape[1])
        return 0.5 * (edges[starts[best]] + edges[ends[best]])

    @property
    def chi2_trace(self) -> np.ndarray:
        """χ² of the thinned samples (M, S), one row per chain."""
        return self.samples["chi2"]

    @property
    def n_data(self) -> int:
        return self.likelihood.n_data

    def summary(self) -> str:
        """One line: chains, sweeps, why it stopped, χ² against its scatter, layers."""
        chi2 = self.samples["chi2"]
        n = self.samples["n_layers"]
        worst = max(float(np.max(r)) for r in self.rhat.values())
        least = min(float(np.min(e)) for e in self.ess.values())
        n_data = self.n_data
        return (
            f"{self.likelihood.station or 'sounding'}: {self.n_chains} chains × "
            f"{self.sweeps} sweeps after {self.burn_in} burn-in, {self.seconds:.1f} s, "
            f"stop: {self.stop} (max R̂ {worst:.3f}, min ESS {least:.0f}); χ² "
            f"{chi2.mean():.1f} ± {chi2.std():.1f} for N = {n_data} "
            f"(N ± √(2N) = {n_data} ± {np.sqrt(2 * n_data):.1f}); layers "
            f"{n.mean():.1f} ± {n.std():.1f}"
        )

    def plot(self, ax=None, level: float = 0.9):
        """The posterior density of log10 ρ against depth with its median, ``level``
        credible bounds, the depth of investigation and the starting models
        (:func:`mtlib.posterior.figure.posterior_figure`); returns the figure."""
        from .figure import posterior_figure

        return posterior_figure(self, ax=ax, level=level)
