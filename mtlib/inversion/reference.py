"""Reference (and starting) models of the inversion, on the data-covering grids.

By default a network's guess (:class:`mtlib.networks.predictor.Network`): read onto each
sounding's grid as mean conductivity over each layer's depth range
(:meth:`~mtlib.networks.predictor.Guesses.onto`), with the network's σ as the reference's
weight where it has one. Below the network's grid the Niblett–Bostick transform of the
data takes over, with a σ of :data:`FALLBACK_STD_LOG10`: the uncertainty says the network
does not know those depths. ``start="halfspace"`` gives the classic Occam set-up instead:
a half-space at the data's mean level, weighted so lightly that the roughness alone
decides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..forward import MU0
from ..grid import layer_centres_log_m
from ..networks.predictor import Guesses, Network, resolved_depth_m
from ..networks.pretrained import DEFAULT_FIELD_NETWORK, shared_pretrained

FALLBACK_STD_LOG10 = 1.0
"""σ (decades) of the reference where the network says nothing (below its grid), and of the
Oldenburg–Li half-space references."""
HALFSPACE_STD_LOG10 = 10.0
"""σ (decades) of a half-space reference (``start="halfspace"``): a weight of 1/100 on the
closeness to it, so the roughness alone decides as in Occam's inversion (with σ = 1 decade
the pull towards the half-space made models oscillate inside conductors)."""
PLAIN_NETWORK_STD_LOG10 = 0.3
"""σ (decades) given to the guess of a network without uncertainty (the paper's U-Net)."""


def bostick(freq_hz, rhoa_ohmm, phase_deg):
    """Niblett–Bostick transform: depth ``sqrt(ρa/(ωμ0))`` in m and resistivity
    ``ρa (π/(2φ) − 1)`` in Ω·m per period (φ in radians inside), a zero-cost approximate
    1D model; the resistivity is kept within a decade of ρa where the phase is extreme."""
    freq = np.asarray(freq_hz, dtype=float)
    rhoa = np.asarray(rhoa_ohmm, dtype=float)
    phase = np.radians(np.asarray(phase_deg, dtype=float))
    depth = np.sqrt(rhoa / (2 * np.pi * freq * MU0))
    rho = rhoa * np.clip(np.pi / (2 * phase) - 1, 0.1, 10.0)
    return depth, rho


def _bostick_on(thick_m, freq, rhoa, phase) -> np.ndarray:
    """log10 of the Niblett–Bostick model sampled at the grid's layers, smoothed by a
    three-layer running mean (held constant beyond the data's depths)."""
    depth, rho = bostick(freq, rhoa, phase)
    order = np.argsort(depth)
    values = np.interp(
        np.log(layer_centres_log_m(thick_m)), np.log(depth[order]), np.log10(rho[order])
    )
    padded = np.concatenate([values[:1], values, values[-1:]])
    return (padded[:-2] + padded[1:-1] + padded[2:]) / 3


def default_network() -> Network:
    """The shipped field network that :func:`mtlib.invert` uses when given none, loaded
    once per process (:func:`~mtlib.networks.pretrained.shared_pretrained`)."""
    return shared_pretrained(DEFAULT_FIELD_NETWORK)


@dataclass
class NetworkGuess:
    """A network's guesses read onto the data grids, each (n, L): ``rho`` (Ω·m) and
    ``covered`` (where the network's grid reaches the layer); with an uncertainty ``std``,
    ``low``, ``high`` (NaN below the network's grid) and ``uncertain_below`` (n,) m
    (:func:`mtlib.networks.predictor.resolved_depth_m` on the network's own grid);
    ``guesses``: on the network's own grid."""

    rho: np.ndarray
    covered: np.ndarray
    guesses: Guesses
    std: np.ndarray | None = None
    low: np.ndarray | None = None
    high: np.ndarray | None = None
    uncertain_below: np.ndarray | None = None


def network_guess(net: Network, data, thick_m, doi_threshold: float) -> NetworkGuess:
    """The guesses of ``net`` for checked soundings ``data`` on the grids ``thick_m``
    (n, L-1) m. A data layer spanning several of the network's layers takes their mean
    conductivity (and mean σ), so the guess keeps the conductance of its thin layers."""
    guesses = net.guess_arrays(data)
    mapped = guesses.onto(thick_m)
    covered = guesses.covered(thick_m)
    out = NetworkGuess(rho=mapped["rho"], covered=covered, guesses=guesses)
    if guesses.std_log10 is not None:
        # below the network's grid it has nothing to say: NaN, not its half-space's σ
        hide = np.where(covered, 1.0, np.nan)
        out.std, out.low, out.high = (mapped[k] * hide for k in ("std", "low", "high"))
        out.uncertain_below = resolved_depth_m(guesses.std_log10, guesses.tops_m, doi_threshold)
    return out


def references(data, thick_m, start: str, net: Network | None, doi_threshold: float):
    """Reference models (n, L) in log10 Ω·m on the grids ``thick_m`` (n, L-1), their σ
    (n, L) in decades, and the network's :class:`NetworkGuess` (None for a half-space)."""
    n, n_lay = thick_m.shape[0], thick_m.shape[1] + 1
    if start == "halfspace":
        level = [np.mean(np.log10(r[m])) for _, r, _, _, m in data]
        m_ref = np.repeat(np.array(level)[:, None], n_lay, axis=1)
        return m_ref, np.full((n, n_lay), HALFSPACE_STD_LOG10), None
    guess = network_guess(net or default_network(), data, thick_m, doi_threshold)
    covered = guess.covered
    m_ref = np.log10(guess.rho)
    for k in np.flatnonzero(~covered.all(axis=1)):  # (the fallback where it is needed)
        f, r, ph, _, m = data[k]
        m_ref[k] = np.where(covered[k], m_ref[k], _bostick_on(thick_m[k], f[m], r[m], ph[m]))
    std = guess.std if guess.std is not None else np.full((n, n_lay), PLAIN_NETWORK_STD_LOG10)
    # (the network's σ is NaN where its grid does not reach; the fallback's σ replaces it)
    return m_ref, np.where(covered, std, FALLBACK_STD_LOG10), guess
