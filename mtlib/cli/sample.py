"""``sample FILE...``: the posterior of each file's rotation-invariant 1D response
(:func:`mtlib.posterior.sample`, one sounding per chunk through :func:`mtlib.survey.run`:
here, or on a Dask cluster with ``--scheduler``; finished stations kept in
``OUT/.stations``, so a stopped run resumes) and write, to ``--out``:

* ``<station>_posterior.csv``: per depth, the 5, 50 and 95 % quantiles and the mean of
  log10 ρ;
* ``<station>_posterior.png``: the posterior density against depth
  (:meth:`mtlib.posterior.Posterior.plot`);
* ``summary.csv``: one row per file, in the order given (:data:`SUMMARY_COLUMNS`), also
  printed as a table; with ``--section``, the section of the medians and the map.

Files are read as ``invert`` reads them (:func:`mtlib.cli.invert.read_files`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .files import write_columns, write_csv
from .invert import STORE_DIR, Outcome, add_survey_arguments, read_files, write_section

QUANTILES = (0.05, 0.5, 0.95)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", type=Path, nargs="+", help="EDI (.edi) or EMTF-XML (.xml) files")
    parser.add_argument("--out", type=Path, default=Path("."))
    parser.add_argument("--invariant", default="det", choices=["det", "berdichevsky"])
    parser.add_argument(
        "--error-floor", type=float, default=0.05, help="relative error floor on |Z| (default 0.05)"
    )
    parser.add_argument(
        "--max-skew",
        type=float,
        default=None,
        help="mask periods whose phase-tensor skew exceeds this (degrees)",
    )
    parser.add_argument("--static-shift", action="store_true", help="sample a static shift too")
    parser.add_argument("--seed", type=int, default=0, help="seed of every station's chains")
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=None,
        help="stop each station's chains after this long, converged or not (default: no cap)",
    )
    parser.add_argument(
        "--network",
        default=None,
        help="shipped network whose guess starts the chains (default: the field network)",
    )
    add_survey_arguments(parser)


def run(args: argparse.Namespace) -> int:
    try:
        return sample_files(
            args.files,
            args.out,
            invariant=args.invariant,
            error_floor=args.error_floor,
            max_skew_deg=args.max_skew,
            static_shift=args.static_shift,
            seed=args.seed,
            max_seconds=args.max_seconds,
            network=args.network,
            scheduler=args.scheduler,
            section=args.section,
        )
    except ValueError as err:  # bad options: a message, not a traceback
        print(f"error: {err}", file=sys.stderr)
        return 2


def _sampled(value: Callable) -> Callable[[Outcome], object]:
    """A summary column only sampled soundings fill: ``value(posterior)``, else empty."""
    return lambda o: "" if o.result is None else value(o.result)


SUMMARY_COLUMNS: dict[str, Callable[[Outcome], object]] = {
    "station": lambda o: "" if o.response is None else o.response.station,
    "file": lambda o: str(o.path),
    "n_data": _sampled(lambda p: p.n_data),
    "chi2_median": _sampled(lambda p: round(float(np.median(p.samples["chi2"])), 2)),
    "nrms": _sampled(lambda p: round(float(np.sqrt(np.median(p.samples["chi2"]) / p.n_data)), 3)),
    "layers_mean": _sampled(lambda p: round(float(np.mean(p.samples["n_layers"])), 2)),
    "stop": _sampled(lambda p: p.stop),
    "sweeps": _sampled(lambda p: p.sweeps),
    "max_rhat": _sampled(lambda p: round(max(float(np.max(v)) for v in p.rhat.values()), 3)),
    "min_ess": _sampled(lambda p: round(min(float(np.min(v)) for v in p.ess.values()))),
    "doi_m": _sampled(lambda p: f"{p.doi_m:.4g}"),
    "seconds": _sampled(lambda p: round(p.seconds, 2)),
    "note": lambda o: o.note,
}
"""``summary.csv``: column name → its value for one file. A new column is one entry here."""


def sample_files(
    paths: list[Path],
    out: Path,
    *,
    invariant: str = "det",
    error_floor: float = 0.05,
    max_skew_deg: float | None = None,
    static_shift: bool = False,
    seed: int = 0,
    max_seconds: float | None = None,
    network: str | None = None,
    scheduler: str | None = None,
    section: bool = False,
) -> int:
    """Read and sample many files and write what the module docstring lists. Files that
    cannot be read or sampled are reported, not fatal; the exit status is 2 when none could
    be sampled."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt

    from .. import plotting
    from ..networks.pretrained import load_pretrained
    from ..survey import Refused, run

    if network:
        load_pretrained(network)  # an unknown name fails here, before any work
    outcomes = read_files(paths, invariant, error_floor, max_skew_deg)
    out.mkdir(parents=True, exist_ok=True)
    read = [o for o in outcomes if o.response is not None]
    options = dict(seed=seed, estimate_static_shift=static_shift)
    if max_seconds is not None:
        options["max_seconds"] = max_seconds
    posteriors = run(
        "sample",
        [o.response for o in read],
        scheduler=scheduler,
        store=out / STORE_DIR,
        net=network,
        **options,
    )
    for o, post in zip(read, posteriors):
        if isinstance(post, Refused):
            print(f"error: {post.reason}", file=sys.stderr)
            o.note = f"refused: {post.reason}"
            continue
        o.result = post
        low, median, high = post.quantile(list(QUANTILES))
        write_columns(
            out / f"{o.name}_posterior.csv",
            {
                "depth_m": post.depth_m,
                "log10_rho_p05": low,
                "log10_rho_p50": median,
                "log10_rho_p95": high,
                "log10_rho_mean": post.mean_log10_rho,
            },
        )
        fig = post.plot()
        fig.axes[0].set_title(f"{o.response.station} ({invariant}): {post.stop}")
        plotting.save(fig, f"{o.name}_posterior", out)
        plt.close(fig)
    sampled = [o for o in outcomes if o.result is not None]
    if section and sampled:
        write_section(sampled, out, "posterior medians")
    rows = [[str(value(o)) for value in SUMMARY_COLUMNS.values()] for o in outcomes]
    write_csv(out / "summary.csv", list(SUMMARY_COLUMNS), rows)
    print(" | ".join(f"{c:>11}" for c in SUMMARY_COLUMNS if c not in ("file", "note")))
    shown = [k for k, c in enumerate(SUMMARY_COLUMNS) if c not in ("file", "note")]
    for row in rows:
        print(" | ".join(f"{row[k]:>11}" for k in shown))
    print(f"sampled {len(sampled)} of {len(paths)} files; wrote posteriors and {out}/summary.csv")
    return 0 if sampled else 2
