"""``invert FILE...``: read EDI and EMTF-XML files, invert their rotation-invariant 1D
responses together (network guess + Occam/Gauss–Newton, :func:`mtlib.inversion.invert_many`)
and write ``<station>_model.csv``, ``<station>_data.csv`` (with the phase-tensor skew per
period), ``<station>.png`` and ``summary.csv`` to ``--out``. Each inverted sounding's summary
row also holds Parker's D+ nRMS on the same periods (:mod:`mtlib.dplus`): the best any 1D
earth fits, so that a misfit can be read as the inversion's (D+ fits better) or the data's
(D+ cannot do better either).

Every file goes through three steps, each a function: :func:`read_files`,
:func:`invert_soundings`, :func:`write_sounding`; ``summary.csv`` has one row per file, in
the order given, its columns those of :data:`SUMMARY_COLUMNS`."""

from __future__ import annotations

import argparse
import re
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..data_errors import Response1D
from .files import write_columns, write_csv

STORE_DIR = ".stations"
"""The folder in ``--out`` where finished stations are kept (:class:`mtlib.survey.store.Store`)."""

if TYPE_CHECKING:
    from ..dplus import DPlusResult
    from ..inversion import InversionResult


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", type=Path, nargs="+", help="EDI (.edi) or EMTF-XML (.xml) files")
    parser.add_argument("--out", type=Path, default=Path("."))
    parser.add_argument("--invariant", default="det", choices=["det", "berdichevsky"])
    parser.add_argument(
        "--error-floor", type=float, default=0.05, help="relative error floor on |Z| (default 0.05)"
    )
    parser.add_argument("--static-shift", action="store_true", help="estimate a static shift")
    parser.add_argument(
        "--max-skew",
        type=float,
        default=None,
        help="mask periods whose phase-tensor skew exceeds this (degrees)",
    )
    parser.add_argument(
        "--start",
        default="network",
        choices=["network", "halfspace"],
        help="reference and starting model (default: the network's guess)",
    )
    parser.add_argument(
        "--roughness",
        default="smooth",
        choices=["smooth", "blocky"],
        help="model norm: smooth (L2, default) or blocky (L1-like, sharp boundaries)",
    )
    parser.add_argument(
        "--trade-off",
        default="discrepancy",
        choices=["discrepancy", "posterior"],
        help="μ per sounding: Occam's discrepancy choice (fits to nRMS 1, default) or "
        "posterior (μ = 1: the network's σ as a prior, the posterior mode)",
    )
    parser.add_argument(
        "--network",
        default=None,
        help="shipped network to use (default: the field network, "
        "field_quick; the paper's: ensemble_quick or unet_quick)",
    )
    add_survey_arguments(parser)


def add_survey_arguments(parser: argparse.ArgumentParser) -> None:
    """``--scheduler`` and ``--section``: the options of a command over many stations."""
    parser.add_argument(
        "--scheduler",
        default=None,
        help="where the stations run (mtlib.survey.run): here by default; 'local' starts a "
        "Dask cluster of one process per core; an address (tcp://host:8786) uses a running "
        "one. Finished stations are kept in OUT/.stations: a stopped run resumes",
    )
    parser.add_argument(
        "--section",
        action="store_true",
        help="also write section.png (the models along the line fitted to the stations), "
        "stations.png (the map with the line) and section.csv (distances, offsets)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        return invert_files(
            args.files,
            args.out,
            invariant=args.invariant,
            error_floor=args.error_floor,
            static_shift=args.static_shift,
            max_skew_deg=args.max_skew,
            start=args.start,
            network=args.network,
            roughness=args.roughness,
            trade_off=args.trade_off,
            scheduler=args.scheduler,
            section=args.section,
        )
    except ValueError as err:  # bad options: a message, not a traceback
        print(f"error: {err}", file=sys.stderr)
        return 2


@dataclass
class Outcome:
    """One file's way through the command: its response and phase-tensor skew (F,) once read,
    its result and D+ (on the periods the inversion used) once inverted, and ``note``: the
    reader's warnings, or why it was not read or not inverted."""

    path: Path
    response: Response1D | None = None
    skew_deg: np.ndarray | None = None
    result: InversionResult | None = None
    dplus: DPlusResult | None = None
    note: str = ""

    @property
    def name(self) -> str:
        """The stem of this sounding's files (station names may hold "/")."""
        return re.sub(r"[^A-Za-z0-9_.-]", "_", self.response.station or self.path.stem)


def _inverted(value: Callable) -> Callable[[Outcome], object]:
    """A summary column only inverted soundings fill: ``value(result)``, else empty."""
    return lambda o: "" if o.result is None else value(o.result)


def _periods_used(o: Outcome) -> object:
    """Periods the inversion used, or, for a refused sounding, the periods it was given."""
    if o.response is None:
        return ""
    return int((o.response if o.result is None else o.result).mask.sum())


SUMMARY_COLUMNS: dict[str, Callable[[Outcome], object]] = {
    "station": lambda o: "" if o.response is None else o.response.station,
    "file": lambda o: str(o.path),
    "periods_used": _periods_used,
    "periods_masked": _inverted(lambda r: r.n_masked),
    "nrms_network": _inverted(lambda r: round(r.nrms_network, 3)),
    "nrms": _inverted(lambda r: round(r.nrms, 3)),
    "iterations": _inverted(lambda r: r.iterations),
    "mu": _inverted(lambda r: f"{r.mu:.4g}"),
    "stop": _inverted(lambda r: r.stop),
    "static_shift": _inverted(lambda r: round(r.static_shift, 4)),
    "static_shift_std_log10": _inverted(lambda r: round(r.static_shift_std_log10, 4)),
    "doi_m": _inverted(lambda r: f"{r.doi_m:.4g}"),
    "nrms_dplus": lambda o: "" if o.dplus is None else round(o.dplus.nrms, 3),
    "seconds": _inverted(lambda r: round(r.seconds, 4)),
    "note": lambda o: o.note,
}
"""``summary.csv``: column name → its value for one file. A new column is one entry here."""

SHOWN_COLUMNS = (
    "station",
    "periods_used",
    "periods_masked",
    "nrms_network",
    "nrms",
    "nrms_dplus",
    "iterations",
    "mu",
    "static_shift",
    "doi_m",
)
"""The summary columns printed as a table."""


def invert_files(
    paths: list[Path],
    out: Path,
    *,
    invariant: str = "det",
    error_floor: float = 0.05,
    static_shift: bool = False,
    max_skew_deg: float | None = None,
    start: str = "network",
    network: str | None = None,
    roughness: str = "smooth",
    trade_off: str = "discrepancy",
    scheduler: str | None = None,
    section: bool = False,
) -> int:
    """Read, invert (batched, in chunks over ``scheduler``: :func:`mtlib.survey.run`) and
    report many files: per sounding a model CSV, a data CSV and a figure; ``summary.csv``
    for all; with ``section``, the section and the map (:func:`write_section`). Files that
    cannot be read or inverted are reported, not fatal; the exit status is 2 when none
    could be inverted."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed
    from ..networks.pretrained import load_pretrained

    if network:
        load_pretrained(network)  # an unknown name fails here, before any work
    net = network if start == "network" else None
    outcomes = read_files(paths, invariant, error_floor, max_skew_deg)
    out.mkdir(parents=True, exist_ok=True)
    invert_soundings(
        outcomes,
        net,
        start=start,
        roughness=roughness,
        trade_off=trade_off,
        estimate_static_shift=static_shift,
        scheduler=scheduler,
        store=out / STORE_DIR,
    )
    inverted = [o for o in outcomes if o.result is not None]
    for o in inverted:
        write_sounding(o, out, invariant)
    if section:
        write_section(inverted, out, "independent 1D inversions")
    rows = summary_rows(outcomes)
    write_csv(out / "summary.csv", list(SUMMARY_COLUMNS), rows)
    print_summary(rows)
    print(
        f"inverted {len(inverted)} of {len(paths)} files; wrote models, figures and "
        f"{out / 'summary.csv'}"
    )
    return 0 if inverted else 2


def read_files(
    paths: list[Path], invariant: str, error_floor: float, max_skew_deg: float | None
) -> list[Outcome]:
    """Each file's 1D response (:meth:`mtlib.field.Sounding.response`); a file that cannot be
    read is reported on stderr and kept, without a response."""
    from tqdm.auto import tqdm

    return [
        _read(path, invariant, error_floor, max_skew_deg)
        for path in tqdm(paths, desc="reading", unit="file", disable=len(paths) < 2)
    ]


def _read(path: Path, invariant: str, error_floor: float, max_skew_deg: float | None) -> Outcome:
    from .. import field

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sounding = field.read(path)
            response = sounding.response(invariant, error_floor, max_skew_deg=max_skew_deg)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return Outcome(path, note=f"not read: {err}")
    for w in caught:  # one line each, not a traceback-like warning
        print(f"warning: {path.name}: {w.message}", file=sys.stderr)
    note = "; ".join(str(w.message) for w in caught)
    return Outcome(path, response, sounding.skew_deg, note=note)


def invert_soundings(outcomes: list[Outcome], net: str | None, **options) -> None:
    """Invert the soundings read, in chunks, with the shipped network named ``net`` (None:
    the default network) and the keyword ``options`` of
    :func:`mtlib.survey.runner.invert_stations` (the inversion's, and where it runs); fills in
    each one's result
    and its D+ on the same periods, or the reason it was refused."""
    read = [o for o in outcomes if o.response is not None]
    if not read:
        return
    from ..dplus import dplus
    from ..survey.runner import invert_stations

    refused: dict = {}
    results = invert_stations([o.response for o in read], net, refused=refused, **options)
    for k, (o, result) in enumerate(zip(read, results)):
        o.result = result
        if result is None:
            print(f"error: {refused[k]}", file=sys.stderr)
            o.note = f"refused: {refused[k]}"
            continue
        r = o.response
        o.dplus = dplus(r.freq_hz, r.rhoa_ohmm, r.phase_deg, r.z_rel_err, result.mask)


def write_sounding(o: Outcome, out: Path, invariant: str) -> None:
    """``<name>_model.csv``, ``<name>_data.csv`` and ``<name>.png`` of an inverted sounding."""
    import matplotlib.pyplot as plt

    from .. import plotting

    resp, res = o.response, o.result
    model = {
        "depth_top_m": res.depth_m,
        "thickness_m": np.append(res.thick_m, np.inf),
        "rho_ohmm": res.rho_ohmm,
        "rho_reference_ohmm": res.rho_network_ohmm,
        "reference_std_log10": res.reference_std_log10,
    }
    if res.std_log10 is not None:
        model.update(
            network_low95_ohmm=res.network_low_ohmm, network_high95_ohmm=res.network_high_ohmm
        )
    if res.posterior_quantiles_log10 is not None:  # the posterior network's, per depth
        for prob, q in zip(res.posterior_probabilities, res.posterior_quantiles_log10):
            model[f"posterior_q{100 * prob:g}_ohmm"] = 10.0**q
    write_columns(out / f"{o.name}_model.csv", model)
    data = {
        "freq_hz": resp.freq_hz,
        "rhoa_ohmm": resp.rhoa_ohmm,
        "phase_deg": resp.phase_deg,
        "z_rel_err": resp.z_rel_err,
        "used": res.mask.astype(int),
        "skew_deg": o.skew_deg,
        "rhoa_model_ohmm": res.predicted[0],
        "phase_model_deg": res.predicted[1],
    }
    write_columns(out / f"{o.name}_data.csv", data)
    fig = plotting.field_result_figure(resp, res, title=f"{resp.station} ({invariant})")
    plotting.save(fig, o.name, out)
    plt.close(fig)


def summary_rows(outcomes: list[Outcome]) -> list[list[str]]:
    """One row of :data:`SUMMARY_COLUMNS` per file, as text."""
    return [[str(value(o)) for value in SUMMARY_COLUMNS.values()] for o in outcomes]


def print_summary(rows: list[list[str]]) -> None:
    """The :data:`SHOWN_COLUMNS` of the summary's rows as a table on stdout."""
    shown = [list(SUMMARY_COLUMNS).index(c) for c in SHOWN_COLUMNS]
    print(" | ".join(f"{c:>14}" for c in SHOWN_COLUMNS))
    for row in rows:
        print(" | ".join(f"{row[k]:>14}" for k in shown))


def write_section(outcomes: list[Outcome], out: Path, title: str, results=None) -> None:
    """``section.png`` (the stations' models along the line fitted to them,
    :func:`mtlib.plotting.section`), ``stations.png`` (the map with the line) and
    ``section.csv`` (each station's distance along the line and offset from it) of
    inverted ``outcomes``; ``results``: what to draw per station (default their
    inversions). Fewer than two stations with coordinates: a note on stderr instead."""
    import matplotlib.pyplot as plt

    from .. import field, plotting
    from ..survey.geometry import Line

    # the coordinates are in the files (an Outcome keeps the 1D response only)
    soundings = [field.read(o.path) for o in outcomes]
    lat = np.array([s.latitude for s in soundings])
    lon = np.array([s.longitude for s in soundings])
    placed = np.isfinite(lat) & np.isfinite(lon)
    if placed.sum() < 2:
        print("warning: a section needs two stations with coordinates", file=sys.stderr)
        return
    keep = np.flatnonzero(placed)
    names = [outcomes[k].response.station for k in keep]
    results = [o.result for o in outcomes] if results is None else list(results)
    line = Line.fit(lat[keep], lon[keep])
    distance = line.distance_km(lat[keep], lon[keep])
    offset = line.offset_km(lat[keep], lon[keep])
    order = np.argsort(distance)
    write_csv(
        out / "section.csv",
        ["station", "distance_km", "offset_km"],
        [[names[k], f"{distance[k]:.3f}", f"{offset[k]:.3f}"] for k in order],
    )
    fig = plotting.section({title: [results[k] for k in keep]}, distance, names, depth_scale="log")
    plotting.save(fig, "section", out)
    plt.close(fig)
    fig = plotting.station_map(lat[keep], lon[keep], names, line)
    plotting.save(fig, "stations", out)
    plt.close(fig)
