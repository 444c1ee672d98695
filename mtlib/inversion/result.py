"""What the inversion of one sounding returns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..networks.predictor import z_score
from ..networks.similarity import BandScaling

BAND_STOPS = ("target", "converged")
"""Stops at which the linearized band means something: the μ the sounding ended with was
chosen to fit (or fixed at the prior's weight); a sounding that could not fit ends with a
vanishing μ, and a band conditional on it is the unregularized one."""


@dataclass
class InversionResult:
    """One sounding's inversion; L layers of the data-covering grid, F periods as given."""

    rho_ohmm: np.ndarray  # (L,) final model
    thick_m: np.ndarray  # (L-1,) its layer thicknesses
    depth_m: np.ndarray  # (L,) depth of the top of each layer
    nrms: float  # normalized RMS misfit of the final model (usable data)
    nrms_network: float  # the same for the starting model (the network's guess) on this grid
    rho_network_ohmm: np.ndarray  # (L,) the reference: network guess (or half-space)
    predicted: tuple  # (ρa, φ) of the final model at the data's frequencies
    static_shift: float  # ρa factor estimated (1 if not asked)
    static_shift_std_log10: float  # its posterior σ in decades (0 if not asked)
    iterations: int  # Gauss–Newton iterations
    mu: float  # trade-off μ of the last accepted step (NaN: none taken; 1: posterior)
    stop: str  # "target", "best fit", "max_iter" or ("posterior") "converged"
    doi_m: float  # depth of investigation (Niblett–Bostick, longest period)
    mask: np.ndarray  # (F,) periods used
    scaling: BandScaling | None  # the similarity scaling into a paper network's band
    reference_std_log10: np.ndarray  # (L,) σ of the reference per layer (decades)
    network_covered: np.ndarray  # (L,) True where the network's grid reaches the layer
    std_log10: np.ndarray | None = None  # (L,) σ of the network's guess (NaN below its
    network_low_ohmm: np.ndarray | None = None  # grid) and its 95 % interval
    network_high_ohmm: np.ndarray | None = None
    network_uncertain_below_m: float | None = None  # σ > threshold below (inf: nowhere)
    seconds: float = 0.0  # wall time of this sounding's share of the batch
    doi_index: np.ndarray | None = None  # (L,) Oldenburg–Li index (oldenburg_li=True)
    doi_index_m: float | None = None  # below it the index exceeds the threshold (inf:
    # nowhere on the grid; NaN: not fitted to the target)
    linearized_std_log10: np.ndarray | None = None  # (L,) σ of log10 ρ (NaN: no band)
    linearized_cov_log10: np.ndarray | None = None  # (L, L) its covariance
    resolution: np.ndarray | None = None  # (L, L) averaging kernels, one row per layer
    posterior_quantiles_log10: np.ndarray | None = None  # (P, L) the posterior network's
    # quantiles of log10 ρ at each layer's log-centre, at probabilities (P,):
    posterior_probabilities: np.ndarray | None = None
    posterior_outside_training: str = ""  # what of the sounding or its prior lies beyond
    # the posterior network's training ('' nothing)

    def linearized_interval(self, level: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
        """The central ``level`` interval (low, high) (L,) in Ω·m of Occam's model, Gaussian
        in log10 ρ with :attr:`linearized_std_log10`: the posterior of the linearized problem
        at the final model, reading the objective as −2 ln of a density (data term plus μ
        times the model norm, μ the one the sounding ended with). It is conditional on that
        μ and on the smoothness prior, and linear: the sampler's posterior
        (:func:`mtlib.sample`) is the honest one. NaN where the sounding did not stop at
        one of :data:`BAND_STOPS`."""
        half = z_score(level) * self.linearized_std_log10
        return self.rho_ohmm * 10.0**-half, self.rho_ohmm * 10.0**half

    def posterior_interval(self, level: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
        """The central ``level`` interval (low, high) (L,) in Ω·m of the posterior network
        (:mod:`mtlib.networks.posteriornet`): the posterior of log10 ρ at each layer's depth
        under the sampler's default prior for these data (:meth:`mtlib.posterior.Prior.
        default`, with the static shift's prior when it is estimated), as the sampler
        (:func:`mtlib.sample`) would give it, in one network pass; ``level`` ≤ 0.95. Not
        conditional on Occam's μ or smoothness, unlike :meth:`linearized_interval`; only as
        good as the network where :attr:`posterior_outside_training` says something."""
        from ..networks.posteriornet import quantile_at

        if self.posterior_quantiles_log10 is None:
            raise ValueError("no posterior band: inverted with posterior_network=None")
        q, probs = self.posterior_quantiles_log10, self.posterior_probabilities
        low, high = (quantile_at(q, 0.5 + s * level / 2, probs) for s in (-1, 1))
        return 10.0**low, 10.0**high

    @property
    def n_masked(self) -> int:
        """Periods of the sounding left out of the inversion."""
        return int(self.mask.size - self.mask.sum())
