"""Timing, like for like, and the network against pyGIMLi's smooth inversion.

Every duration here is measured the same way: a pause of ``SETTLE_S`` first (numba's worker
threads keep spinning for a while after a parallel call and halve the speed of the next
library's threads: measured, torch's float32 forward ran at 36 000 soundings/s right after a
numba call and 79 000/s a second later), then warm-up call(s) (numba's compile, the
network's first-use set-up, pyGIMLi's first-import work are not counted), then ``repeat``
timed calls; the median and the best are reported. Per-sounding figures (one call per
sounding) and batched figures (one call for many soundings, divided by their number) are
kept apart. Thread counts are the caller's to set (after every import) and record.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np

from .. import data_errors
from ..forward import mt1d
from ..generator import random_models
from ..inversion.baseline import pygimli_invert
from ..metrics import data_nrms, log_rho_rmse
from ..networks.predictor import Predictor, told_noise
from ..noise import add_noise

SETTLE_S = 1.0
"""Seconds of idle before timing anything (see the module docstring)."""


@dataclass(frozen=True)
class Timing:
    """Wall time (s) of ``repeat`` timed calls after ``warmup`` untimed ones."""

    median_s: float
    best_s: float
    repeat: int
    warmup: int

    def as_dict(self) -> dict:
        return asdict(self)


def timed(fn, repeat: int = 5, warmup: int = 1) -> Timing:
    """Median and best wall time of ``fn()`` over ``repeat`` calls after ``warmup`` calls."""
    if repeat < 1 or warmup < 0:
        raise ValueError(f"need repeat >= 1 and warmup >= 0, got {repeat}, {warmup}")
    time.sleep(SETTLE_S)
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return Timing(float(np.median(times)), float(np.min(times)), repeat, warmup)


def interleaved(fns: dict, repeat: int = 50, warmup: int = 1) -> dict:
    """:func:`timed` for several ways of doing the same thing, their calls interleaved
    (A B, B A, A B, ...) so that a slow spell of the machine falls on all of them alike:
    ``{name: Timing}``."""
    if repeat < 1 or warmup < 0:
        raise ValueError(f"need repeat >= 1 and warmup >= 0, got {repeat}, {warmup}")
    time.sleep(SETTLE_S)
    names = list(fns)
    for _ in range(warmup):
        for name in names:
            fns[name]()
    times = {name: [] for name in names}
    for k in range(repeat):
        for name in names if k % 2 == 0 else names[::-1]:
            start = time.perf_counter()
            fns[name]()
            times[name].append(time.perf_counter() - start)
    return {
        name: Timing(float(np.median(t)), float(np.min(t)), repeat, warmup)
        for name, t in times.items()
    }


def per_call(fns) -> tuple[list, Timing]:
    """One timed call of each of ``fns`` (after one untimed call of the first): their
    results, and the median and best over them — how long one sounding takes when each is
    its own call."""
    fns = list(fns)
    time.sleep(SETTLE_S)
    fns[0]()
    results, times = [], []
    for fn in fns:
        start = time.perf_counter()
        results.append(fn())
        times.append(time.perf_counter() - start)
    return results, Timing(float(np.median(times)), float(np.min(times)), len(times), 1)


def time_prediction(
    net: Predictor, rhoa_ohmm, phase_deg, device: str = "cpu", repeat: int = 5
) -> Timing:
    """Timing of ``net.predict`` on all soundings (n, F) at once on ``device``."""

    def run():
        net.predict(rhoa_ohmm, phase_deg, device=device)
        if device.startswith("cuda"):
            import torch

            torch.cuda.synchronize()

    return timed(run, repeat)


def compare_with_occam(
    net: Predictor, n_soundings: int, rel_noise: float = 0.02, seed: int = 0, lam: float = 20.0
) -> dict:
    """The network against pyGIMLi's smooth inversion on the same ``n_soundings`` noisy
    paper-scheme soundings: :func:`compare_on_models` on :func:`random_models`."""
    return compare_on_models(net, random_models(n_soundings, seed=seed), rel_noise, seed, lam)


def compare_on_models(
    net: Predictor, rho: np.ndarray, rel_noise: float = 0.02, seed: int = 0, lam: float = 20.0
) -> dict:
    """The network against pyGIMLi's smooth inversion on the noisy soundings of the models
    ``rho`` ``(n, L)`` in Ω·m (the network's grid, errors as the noise).

    Both sides are timed per sounding (one call each, :func:`per_call`); the network also
    batched (all soundings in one call, per sounding). Returns the log10-ρ RMSE, the data
    misfit (nRMS against the noise, :func:`mtlib.metrics.data_nrms`) and the timings of
    both, the speed-ups, and the models themselves.
    """
    n_soundings = len(rho)
    rhoa, phase = mt1d(rho, net.thick_m, net.freq_hz)
    rhoa_n, phase_n = add_noise(rhoa, phase, rel_noise, seed=[seed, 1])
    told = told_noise(net, rel_noise)
    rho_net = net.predict(rhoa_n, phase_n, **told)
    batched = timed(lambda: net.predict(rhoa_n, phase_n, **told))
    _, single = per_call(
        lambda i=i: net.predict(rhoa_n[i], phase_n[i], **told) for i in range(n_soundings)
    )
    z_rel_err = data_errors.z_rel_err_from_rhoa(rel_noise)
    occam, occam_timing = per_call(
        lambda i=i: pygimli_invert(
            net.freq_hz, rhoa_n[i], phase_n[i], net.thick_m, z_rel_err=z_rel_err, lam=lam
        )
        for i in range(n_soundings)
    )
    rho_occam = np.array([r.rho_ohmm for r in occam])
    per_sounding_batched = batched.median_s / n_soundings
    data = (net.thick_m, net.freq_hz, rhoa_n, phase_n, rel_noise)
    return {
        "n_soundings": n_soundings,
        "rel_noise": rel_noise,
        "network": {
            "log_rho_rmse": float(log_rho_rmse(rho_net, rho)),
            "data_nrms_median": float(np.median(data_nrms(rho_net, *data))),
            "per_sounding_call": single.as_dict(),
            "batched_s_per_sounding": per_sounding_batched,
            "batched_call": batched.as_dict(),
        },
        "pygimli_occam": {
            "log_rho_rmse": float(log_rho_rmse(rho_occam, rho)),
            "data_nrms_median": float(np.median(data_nrms(rho_occam, *data))),
            "per_sounding_call": occam_timing.as_dict(),
            "mean_chi2": float(np.mean([r.chi2 for r in occam])),
            "lambda": lam,
        },
        "speedup_per_sounding": occam_timing.median_s / single.median_s,
        "speedup_batched": occam_timing.median_s / per_sounding_batched,
        "models": {"true": rho, "network": rho_net, "pygimli_occam": rho_occam},
    }
