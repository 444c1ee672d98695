"""Field-data entry point: any band → the network's band → first guess → physics refinement.

The network only knows its training band (frequencies ``net.freq_hz``, resistivities in
(2, 220) Ω·m, a ~2 km layer grid). The exact similarity laws of 1D MT move any sounding
there: a model (ρ, h) observed at f has the same phase and ``a``-times the apparent
resistivity of the model (aρ, s·h) observed at ``f·a/s²``. The scaling is chosen so that the
sounding's apparent resistivities sit in the middle of the trained range (``a``) and its
frequency band is centred on the network's (``s``); the scaled sounding is interpolated (in
log f) onto the network's frequencies, held constant beyond its ends, the network predicts,
and the model maps back (ρ/a on thicknesses h/s). The refinement then fits the *original*
data, only where they were measured, so the held-constant ends cannot bias the final model.

With an uncertainty ensemble (the default network), the result also carries the calibrated
uncertainty of the network's guess per layer (log10 ρ is only shifted by the scaling, so
its standard deviation maps back unchanged), its 95 % interval, and a depth-of-
investigation cue: the depth below which that uncertainty exceeds ``doi_threshold``
decades. The ensemble is told the data's errors (twice the relative error of |Z| on ρa,
resampled like the data, at most the largest noise it was trained with). The uncertainty
is the network's, calibrated on synthetic paper-scheme models; the refined model is not
inside a calibrated band by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import check_finite, check_positive_finite
from .generator import RHO_MAX_OHMM, RHO_MIN_OHMM
from .ensemble import DOI_THRESHOLD_DECADES, resolved_depth_m
from .grid import layer_tops_m
from .inverter import told_noise
from .refine import refine

MIN_OVERLAP_DECADES = 1.5
"""Least span of usable data (decades of frequency) that the scaling can work with."""


@dataclass
class BandScaling:
    """``rho_net = a · rho``, ``thick_net = s · thick``, ``freq_net = freq · a / s²``."""

    a: float
    s: float

    def to_network(self, freq_hz, rhoa_ohmm):
        return np.asarray(freq_hz) * self.a / self.s**2, np.asarray(rhoa_ohmm) * self.a

    def model_from_network(self, rho_net_ohmm, thick_net_m):
        return np.asarray(rho_net_ohmm) / self.a, np.asarray(thick_net_m) / self.s


def choose_scaling(freq_hz, rhoa_ohmm, net_freq_hz) -> BandScaling:
    """Centre log ρa in the trained range and the log-frequency band on the network's."""
    a = np.sqrt(RHO_MIN_OHMM * RHO_MAX_OHMM) / np.exp(np.mean(np.log(rhoa_ohmm)))
    f_centre = np.exp(0.5 * (np.log(np.max(freq_hz)) + np.log(np.min(freq_hz))))
    net_centre = np.exp(0.5 * (np.log(np.max(net_freq_hz)) + np.log(np.min(net_freq_hz))))
    return BandScaling(a=float(a), s=float(np.sqrt(f_centre * a / net_centre)))


def resample_to(freq_target_hz, freq_hz, values):
    """Linear interpolation in log f, held constant beyond the data's ends."""
    order = np.argsort(freq_hz)
    return np.interp(np.log(freq_target_hz), np.log(np.asarray(freq_hz)[order]),
                     np.asarray(values)[order])


@dataclass
class InversionResult:
    rho_ohmm: np.ndarray          # (L,) refined model
    thick_m: np.ndarray           # (L-1,) its layer thicknesses (the network grid, rescaled)
    depth_m: np.ndarray           # (L,) depth of the top of each layer
    nrms: float                   # normalized RMS misfit of the refined model
    nrms_network: float           # the same for the network-only model
    rho_network_ohmm: np.ndarray  # (L,) the network's first guess, mapped back
    predicted: tuple              # (ρa, φ) of the refined model at the data's frequencies
    static_shift: float           # ρa factor estimated by the refinement (1 if not asked)
    scaling: BandScaling
    std_log10: np.ndarray | None = None       # (L,) σ of log10 ρ of the network's guess
    network_low_ohmm: np.ndarray | None = None   # (L,) its 95 % interval
    network_high_ohmm: np.ndarray | None = None
    doi_m: float | None = None    # depth below which σ exceeds the threshold (inf: nowhere)


def invert(freq_hz, rhoa_ohmm, phase_deg, rel_err=0.05, mask=None, net=None,
           estimate_static_shift: bool = False, smoothness: float = 0.3,
           doi_threshold: float = DOI_THRESHOLD_DECADES) -> InversionResult:
    """Invert one sounding ``(F,)`` at any frequencies: network guess + refinement.

    ``rel_err`` is the relative error of |Z| (scalar or (F,)): 5 % means 10 % on ρa and
    2.9° on the phase. ``mask`` (F,) marks usable data (default: finite ones). ``net``:
    default the shipped uncertainty ensemble; a plain network gives no uncertainty. Raises
    ``ValueError`` when the usable data span less than ``MIN_OVERLAP_DECADES`` decades.
    """
    if net is None:
        from . import DEFAULT_ENSEMBLE, load_pretrained

        net = load_pretrained(DEFAULT_ENSEMBLE)
    freq = np.asarray(freq_hz, dtype=float)
    rhoa = np.asarray(rhoa_ohmm, dtype=float)
    phase = np.asarray(phase_deg, dtype=float)
    if freq.ndim != 1 or rhoa.shape != freq.shape or phase.shape != freq.shape:
        raise ValueError(f"freq_hz, rhoa_ohmm and phase_deg must be 1-D of one length, got "
                         f"{freq.shape}, {rhoa.shape}, {phase.shape}")
    check_positive_finite("freq_hz", freq)
    if mask is None:
        mask = np.isfinite(rhoa) & np.isfinite(phase) & (rhoa > 0) & (phase > 0) & (phase < 90)
    mask = np.asarray(mask, dtype=bool)
    if mask.sum() < 4:
        raise ValueError(f"only {int(mask.sum())} usable data: at least 4 periods with finite "
                         "ρa > 0 and a phase in (0, 90)° are needed")
    check_positive_finite("rhoa_ohmm (usable data)", rhoa[mask])
    check_finite("phase_deg (usable data)", phase[mask])
    f_used, rhoa_used, phase_used = freq[mask], rhoa[mask], phase[mask]
    span = np.log10(f_used.max() / f_used.min())
    if span < MIN_OVERLAP_DECADES:
        raise ValueError(
            f"the usable data span {span:.2f} decades of frequency; at least "
            f"{MIN_OVERLAP_DECADES} are needed to map the sounding onto the network's band "
            f"of {np.log10(net.freq_hz.max() / net.freq_hz.min()):.0f} decades")

    scaling = choose_scaling(f_used, rhoa_used, net.freq_hz)
    f_scaled, rhoa_scaled = scaling.to_network(f_used, rhoa_used)
    rhoa_in = np.exp(resample_to(net.freq_hz, f_scaled, np.log(rhoa_scaled)))
    phase_in = np.clip(resample_to(net.freq_hz, f_scaled, phase_used), 0.5, 89.5)
    # ρa's relative error is twice |Z|'s; beyond the trained range the network is told the
    # largest noise it knows
    z_err = np.broadcast_to(np.asarray(rel_err, dtype=float), freq.shape)[mask]
    told = told_noise(net, np.clip(2 * resample_to(net.freq_hz, f_scaled, z_err), 0,
                                   net.trained_noise_max))
    uncertainty = {}
    if hasattr(net, "interval"):
        rho_scaled, std = net.predict(rhoa_in, phase_in, return_std=True, **told)
        low, high = (scaling.model_from_network(bound, net.thick_m)[0]
                     for bound in net.interval(rho_scaled, std, 0.95))
        uncertainty = dict(std_log10=std, network_low_ohmm=low, network_high_ohmm=high)
    else:
        rho_scaled = net.predict(rhoa_in, phase_in, **told)
    rho_net, thick = scaling.model_from_network(rho_scaled, net.thick_m)
    if uncertainty:
        uncertainty["doi_m"] = resolved_depth_m(uncertainty["std_log10"], layer_tops_m(thick),
                                                doi_threshold)

    result = refine(rho_net[None], thick, freq, np.where(mask, rhoa, 1.0)[None],
                    np.where(mask, phase, 45.0)[None], rel_err=rel_err, mask=mask[None],
                    smoothness=smoothness, estimate_static_shift=estimate_static_shift)
    return InversionResult(
        rho_ohmm=result.rho_ohmm[0], thick_m=thick, depth_m=layer_tops_m(thick),
        nrms=float(result.nrms[0]), nrms_network=float(result.nrms_start[0]),
        rho_network_ohmm=rho_net, predicted=(result.rhoa_ohmm[0], result.phase_deg[0]),
        static_shift=float(result.static_shift[0]), scaling=scaling, **uncertainty)
