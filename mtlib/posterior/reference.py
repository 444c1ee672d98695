"""rjmcmcmt's posteriors of two shipped soundings (WIT2, gv161): a loader, and how a
posterior compares with them.

The files (``mtlib/reference/rjmcmcmt/<station>/run1|run2/``, provenance in the README
there) are two independent runs per station of GeoscienceAustralia's rjmcmcmt: summed
per-depth histograms of log10 ρ (200 depth bins uniform in log10 depth, 100 bins of
0.06 decades on [−1, 5]), the data and errors it fitted, its control file. Quantiles are
read from the histograms by the interpolated cumulative distribution
(:mod:`mtlib.posterior.histograms`), without the bin-edge bias of rjmcmcmt's own files;
``run="pooled"`` sums the two runs. The two runs' difference is the reference's own
Monte Carlo error: :func:`run_spread`; :func:`compare` sets a posterior against it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..field import FIELD_UNITS_TO_OHM
from . import histograms
from .likelihood import Likelihood
from .prior import Prior

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference" / "rjmcmcmt"
STATIONS = ("WIT2", "gv161")
RUNS = ("run1", "run2")
PROBS = (0.05, 0.5, 0.95)
"""The quantiles compared: rjmcmcmt's 90 % interval and median."""


def _settings(text: str) -> dict:
    """``key = value`` pairs of a control file; keys inside a ``Name Begin … Name End``
    block are prefixed ``Name.``; numbers as floats."""
    out, block = {}, []
    for line in text.splitlines():
        line = line.split("//")[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"(\w+)\s+(Begin|End)", line)
        if m:
            block = block + [m[1]] if m[2] == "Begin" else block[:-1]
            continue
        m = re.fullmatch(r"(\w+)\s*=\s*(\S+)", line)
        if m:
            inner = [b for b in block if b not in ("Control", "Options", "Data")]
            key = ".".join(inner + [m[1]])
            try:
                out[key] = float(m[2])
            except ValueError:
                out[key] = m[2]
    return out


@dataclass
class ReferenceRun:
    """One run (or both pooled) of one station. D depth bins, B log10 ρ bins."""

    station: str
    run: str  # "run1", "run2" or "pooled"
    depth_log10: np.ndarray  # (D,) bin centres, log10(depth / m)
    rho_edges: np.ndarray  # (B + 1,) log10(ρ / Ω·m)
    hist: np.ndarray  # (D, B) post-burn-in counts, all chains
    mean_log10_rho: np.ndarray  # (D,) rjmcmcmt's running mean (not binned)
    n_layers_probability: np.ndarray  # (N_max + 1,) index = number of layers
    interface_hist: np.ndarray  # (D,) interface counts (burn-in included, as written)
    settings: dict  # the control file (:func:`_settings`)
    data: np.ndarray  # (F, 3) freq (Hz), Re Zdet, Im Zdet (mV/km/nT), high → low
    noise: np.ndarray  # (F, 3) freq, σ of Re, σ of Im (mV/km/nT)
    convergence: list  # each run's diagnostics (convergence.json)
    cpu_s: float  # user CPU seconds (both runs when pooled)
    wall_s: float

    @property
    def depth_m(self) -> np.ndarray:
        return 10.0**self.depth_log10

    def quantile(self, q) -> np.ndarray:
        """Per-depth quantiles of log10 ρ: (D,) for a scalar ``q``, (P, D) for (P,)."""
        out = histograms.quantiles(self.hist, self.rho_edges, q)
        return out[0] if np.ndim(q) == 0 else out

    def interval(self, level: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
        """Equal-tailed credible interval (low, high) per depth (D,)."""
        low, high = self.quantile([(1 - level) / 2, (1 + level) / 2])
        return low, high

    @property
    def median(self) -> np.ndarray:
        return self.quantile(0.5)

    def prior(self) -> Prior:
        """The prior this run sampled (:meth:`Prior.rjmcmcmt` with its control file)."""
        s = self.settings
        return Prior.rjmcmcmt(
            s["MaxInterfaceDepth"], int(s["MaxLayers"]), s["MinResistivity"], s["MaxResistivity"]
        )

    def likelihood(self) -> Likelihood:
        """The likelihood this run sampled: its data and σ (``data.txt``, ``noise.txt``)."""
        z = (self.data[:, 1] + 1j * self.data[:, 2]) * FIELD_UNITS_TO_OHM
        return Likelihood.impedance(
            self.data[:, 0],
            z,
            self.noise[:, 1] * FIELD_UNITS_TO_OHM,
            self.noise[:, 2] * FIELD_UNITS_TO_OHM,
            self.station,
        )


def _read_run(station: str, run: str) -> ReferenceRun:
    folder = REFERENCE_DIR / station / run
    if not (folder / "prop_1_hist.txt").is_file():
        raise ValueError(f"no reference run {station}/{run} in {REFERENCE_DIR}")
    settings = _settings((folder / "rjmcmcmt.con").read_text())
    hist = np.loadtxt(folder / "prop_1_hist.txt")
    lo, hi = np.log10(settings["MinResistivity"]), np.log10(settings["MaxResistivity"])
    layers = np.loadtxt(folder / "npartitions_hist.txt")  # 1, 2, … layers
    n_layers = np.concatenate([[0.0], layers]) / layers.sum()
    times = re.findall(r"([\d.]+) s (wall|user)", (folder / "time.txt").read_text())
    seconds = {kind: float(value) for value, kind in times}
    return ReferenceRun(
        station=station,
        run=run,
        depth_log10=np.loadtxt(folder / "depth_bins.txt"),
        rho_edges=np.linspace(lo, hi, hist.shape[1] + 1),
        hist=hist,
        mean_log10_rho=np.loadtxt(folder / "prop_1_mean.txt")[:, 1],
        n_layers_probability=n_layers,
        interface_hist=np.loadtxt(folder / "interface_depth_hist.txt")[:, 1],
        settings=settings,
        data=np.loadtxt(folder / "data.txt"),
        noise=np.loadtxt(folder / "noise.txt"),
        convergence=[json.loads((folder / "convergence.json").read_text())],
        cpu_s=seconds["user"],
        wall_s=seconds["wall"],
    )


def load(station: str, run: str = "pooled") -> ReferenceRun:
    """rjmcmcmt's posterior of ``station`` (:data:`STATIONS`): ``run`` "run1", "run2" or
    "pooled" (the two runs' histograms summed, their means weighted alike)."""
    if station not in STATIONS:
        raise ValueError(f"station must be one of {STATIONS}, got {station!r}")
    if run in RUNS:
        return _read_run(station, run)
    if run != "pooled":
        raise ValueError(f"run must be one of {RUNS + ('pooled',)}, got {run!r}")
    one, two = (_read_run(station, r) for r in RUNS)
    for name in ("depth_log10", "rho_edges", "data", "noise"):
        if not np.allclose(getattr(one, name), getattr(two, name)):
            raise ValueError(f"{station}: run1 and run2 differ in {name}")
    w1, w2 = one.hist[0].sum(), two.hist[0].sum()
    return ReferenceRun(
        station=station,
        run="pooled",
        depth_log10=one.depth_log10,
        rho_edges=one.rho_edges,
        hist=one.hist + two.hist,
        mean_log10_rho=(w1 * one.mean_log10_rho + w2 * two.mean_log10_rho) / (w1 + w2),
        n_layers_probability=(w1 * one.n_layers_probability + w2 * two.n_layers_probability)
        / (w1 + w2),
        interface_hist=one.interface_hist + two.interface_hist,
        settings=one.settings,
        data=one.data,
        noise=one.noise,
        convergence=one.convergence + two.convergence,
        cpu_s=one.cpu_s + two.cpu_s,
        wall_s=one.wall_s + two.wall_s,
    )


def run_spread(station: str, probs=PROBS) -> np.ndarray:
    """|run1 − run2| of the per-depth quantiles ``probs`` (P,) → (P, D): the reference's
    own Monte Carlo error."""
    one, two = (load(station, r) for r in RUNS)
    return np.abs(one.quantile(probs) - two.quantile(probs))


def _ranges(depth_m, flags) -> list[tuple[float, float]]:
    """The depth ranges (m) of the runs of consecutive flagged bins."""
    out, start = [], None
    for k, flag in enumerate(list(flags) + [False]):
        if flag and start is None:
            start = k
        elif not flag and start is not None:
            out.append((float(depth_m[start]), float(depth_m[k - 1])))
            start = None
    return out


def _summary(values) -> dict:
    return dict(
        median=float(np.median(values)),
        p90=float(np.percentile(values, 90)),
        max=float(np.max(values)),
    )


def compare(hist, rho_edges, station: str, probs=PROBS) -> dict:
    """A posterior's per-depth histogram ``hist`` (D, B) on ``rho_edges`` (B + 1,), on the
    reference's depth bins, against the pooled reference of ``station``: for each
    quantile of ``probs``, |Δ| per depth (decades), its median / 90th percentile / maximum
    over depths, the same of the reference's run1-vs-run2 spread, and the depths where
    |Δ| exceeds that spread — at the depth itself (one draw of a noisy quantity: about
    4 depths in 10 exceed it by chance even for a posterior as accurate as one reference
    run) and beyond the spread's 90th percentile, with their depth ranges. The posterior's
    histogram is first summed onto the reference's bins, so both quantiles are
    interpolated alike."""
    ref = load(station)
    if np.shape(hist)[0] != ref.depth_log10.size:
        raise ValueError(
            f"hist must have the reference's {ref.depth_log10.size} depth bins, got "
            f"{np.shape(hist)[0]}"
        )
    coarse = histograms.rebin(hist, rho_edges, ref.rho_edges)
    delta = np.abs(histograms.quantiles(coarse, ref.rho_edges, probs) - ref.quantile(probs))
    spread = run_spread(station, probs)
    out = {}
    for k, p in enumerate(probs):
        at_depth = delta[k] > spread[k]
        beyond = delta[k] > np.percentile(spread[k], 90)
        out[f"q{round(100 * p):02d}"] = dict(
            delta=_summary(delta[k]),
            spread=_summary(spread[k]),
            exceed_spread_at_depth=int(at_depth.sum()),
            exceed_spread_p90=int(beyond.sum()),
            exceed_spread_p90_ranges_m=_ranges(ref.depth_m, beyond),
            delta_per_depth=delta[k].tolist(),
        )
    out["depth_m"] = ref.depth_m.tolist()
    return out
