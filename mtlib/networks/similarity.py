"""The similarity laws of 1D MT: moving a sounding into a network's band and its guess back.

A layered earth (ρ, h) observed at frequency f has the same phase and ``a``-times the
apparent resistivity of the earth (aρ, s·h) at ``f·a/s²``. A network trained on one band
and one range of resistivities thus reads any sounding once the sounding is moved there
(ρa × a, f × a/s²), and its guess maps back (ρ / a, h / s).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..generator import RHO_MAX_OHMM, RHO_MIN_OHMM


@dataclass
class BandScaling:
    """``rho_net = a · rho``, ``thick_net = s · thick``, ``freq_net = freq · a / s²``."""

    a: float
    s: float

    def to_network(self, freq_hz, rhoa_ohmm):
        """A sounding's frequencies (Hz) and ρa (Ω·m) in the network's band."""
        return np.asarray(freq_hz) * self.a / self.s**2, np.asarray(rhoa_ohmm) * self.a

    def model_from_network(self, rho_net_ohmm, thick_net_m):
        """A model of the network's (Ω·m, m) back on the sounding's earth."""
        return np.asarray(rho_net_ohmm) / self.a, np.asarray(thick_net_m) / self.s


def choose_scaling(freq_hz, rhoa_ohmm, net_freq_hz) -> BandScaling:
    """The least scaling that puts a sounding where the network was trained.

    A sounding whose ρa lie inside the trained range (2–220 Ω·m) and whose band lies inside
    the network's is left as it is (``a = s = 1``): every rescaling costs accuracy through
    the resampling and the mapping back. Otherwise log ρa is centred in the trained range
    (``a``) and the log-frequency band on the network's (``s``).
    """
    rhoa, freq = np.asarray(rhoa_ohmm), np.asarray(freq_hz)
    net_lo, net_hi = np.min(net_freq_hz), np.max(net_freq_hz)
    if (
        rhoa.min() >= RHO_MIN_OHMM
        and rhoa.max() <= RHO_MAX_OHMM
        and freq.min() >= net_lo * (1 - 1e-9)
        and freq.max() <= net_hi * (1 + 1e-9)
    ):
        return BandScaling(a=1.0, s=1.0)
    a = np.sqrt(RHO_MIN_OHMM * RHO_MAX_OHMM) / np.exp(np.mean(np.log(rhoa)))
    f_centre = np.exp(0.5 * (np.log(freq.max()) + np.log(freq.min())))
    net_centre = np.exp(0.5 * (np.log(net_hi) + np.log(net_lo)))
    return BandScaling(a=float(a), s=float(np.sqrt(f_centre * a / net_centre)))


def resample_to(freq_target_hz, freq_hz, values):
    """``values`` (F,) at ``freq_hz`` read at ``freq_target_hz``: linear in log f, held
    constant beyond the data's ends."""
    order = np.argsort(freq_hz)
    return np.interp(
        np.log(freq_target_hz), np.log(np.asarray(freq_hz)[order]), np.asarray(values)[order]
    )
