"""The posterior of a 1D layered earth: a fast trans-dimensional (reversible-jump) MCMC.

**Model and prior** (:class:`Prior`). A model is ``n`` layers: ``n − 1`` interfaces in
log10 depth and one log10 ρ per layer, the last layer the half-space. ``n`` is uniform on
``(n_min, n_max)``, the interfaces are uniform in log depth on the prior's range (ordered:
the order statistics of independent uniform draws), each log10 ρ uniform on its range; an
optional static shift (a factor on ρa) has a Gaussian prior on log10 s. The default prior
is set by the band (:meth:`Prior.default`); :meth:`Prior.rjmcmcmt` is rjmcmcmt's.

**Likelihood** (:class:`Likelihood`): independent Gaussian errors, either mtlib's model
(ln ρa and φ with σ = 2p and arcsin p for a relative error p of |Z|, masks honoured,
capped errors masked) or Re Z and Im Z with given σ — :meth:`Likelihood.rjmcmcmt` builds
rjmcmcmt's (5 % of each part plus a floor, determinant impedance), so the two samplers
can be compared on equal terms. The forward is the exact 1D recursion, compiled, in
float64; every layer's impedance is cached per frequency, so a step recomputes only the
layers above the deepest one it changed, and a step is rejected as soon as the partial χ²
rules it out.

**Steps** (:mod:`mtlib.posterior.kernel`), each satisfying detailed balance for the prior:
*birth* (an interface uniform in log depth; the new layer — above or below it, at random —
takes a value from the prior or near its neighbour's; the acceptance ratio is the
likelihood ratio over ``Δv · q(v')``, the density of that mixture proposal), *death* (an
interface removed, the merged layer keeping the upper or the lower value, the reverse),
*move* (an interface moved between its neighbours while each layer either side keeps, at
random, its conductance h/ρ, its transverse resistance h·ρ or its resistivity: a
volume-preserving map, so the acceptance ratio is the likelihood ratio; it follows the
equivalences of thin layers, which a move of the interface alone crosses only in tiny
steps),
*value* (one layer's log10 ρ, a random walk or a draw from the prior), and *shift* (log10 s
alone, or with the whole earth scaled alike — ρ/c and h/√c with s·c, which leaves every
datum as it was: it walks along the ridge that static shift and resistivity level make).

**Tempering** (:mod:`mtlib.posterior.ladders`): several independent ladders, each of
chains at inverse temperatures β from 1 down to ``beta_min`` (likelihood^β) that swap
neighbours after every sweep, alternating even and odd pairs; only β = 1 chains are kept.
Each ladder runs in one compiled call per round, the ladders on threads, each call seeded
from (seed, ladder, round): results do not depend on the threads. The chains start from
the data's inversion (:func:`mtlib.invert`: Occam's model and the field network's guess
perturbed by its σ), so a short fixed burn-in (during which the random-walk scales adapt,
then freeze) suffices.

**Stopping**: rounds of sweeps until, over the β = 1 chains, the rank-normalized split-R̂
of χ², of the number of layers, of log10 ρ at every depth bin (and of the shift) is at most
``max_rhat`` (1.05) and each bulk ESS at least ``min_ess`` (Vehtari et al. 2021,
:mod:`mtlib.posterior.diagnostics`) — or a cap on sweeps or seconds; the
:class:`Posterior` says which.

:func:`sample` takes what :func:`mtlib.invert` takes; :func:`sample_likelihood` any
prepared likelihood; :mod:`mtlib.posterior.reference` loads rjmcmcmt's posteriors of two
shipped soundings for comparison.
"""

from .ladders import SamplerSettings
from .likelihood import Likelihood
from .prior import Prior
from .result import Posterior
from .sampler import RJMCMCMT_ERRORS, sample, sample_likelihood

__all__ = [
    "RJMCMCMT_ERRORS",
    "Likelihood",
    "Posterior",
    "Prior",
    "SamplerSettings",
    "sample",
    "sample_likelihood",
]
