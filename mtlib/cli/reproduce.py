"""``reproduce``: run the numbered notebooks ``notebooks/NN_*.ipynb`` in order with papermill,
injecting the profile, and write their outputs in place (figures go to ``figures/``).

The cell papermill injects is removed afterwards so the notebook stays identical, cell for
cell, to its jupytext ``.py`` pair; the profile used stays in the notebook's metadata
(``papermill.parameters``) and in its first output."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from ..folders import work_dir
from ..harness.config import PROFILES, get_profile

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile", default=os.environ.get("MTLIB_PROFILE", "quick"), choices=sorted(PROFILES)
    )
    parser.add_argument(
        "--notebooks",
        type=Path,
        default=Path("notebooks"),
        help="folder of the numbered notebooks (default: ./notebooks)",
    )
    parser.add_argument(
        "--only", nargs="*", help="run only notebooks whose name starts so (e.g. 01)"
    )


def run(args: argparse.Namespace) -> int:
    return reproduce(args.profile, args.notebooks, args.only)


def numbered_notebooks(folder: Path) -> list[Path]:
    """``NN_name.ipynb`` files of ``folder`` in run order."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def drop_injected_parameters(path: Path) -> None:
    """Remove papermill's ``injected-parameters`` cell from the notebook at ``path``."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    nbformat.write(nb, path)


def reproduce(profile: str, notebooks_dir: Path, only: list[str] | None = None) -> int:
    """Run the numbered notebooks of ``notebooks_dir`` (those starting with one of ``only``)
    with ``profile``; 1 when there are none."""
    import papermill

    get_profile(profile)  # fail early on an unknown profile
    notebooks = numbered_notebooks(notebooks_dir)
    if only:
        notebooks = [p for p in notebooks if any(p.name.startswith(o) for o in only)]
    if not notebooks:
        print(f"no numbered notebooks found in {notebooks_dir}", file=sys.stderr)
        return 1
    os.environ["MTLIB_PROFILE"] = profile
    # notebooks run in their own folder; their data, runs and figures stay where the
    # command was given (the repository's root for `make reproduce`)
    os.environ["MTLIB_HOME"] = str(work_dir().resolve())
    print(
        f"[{profile}] mtlib from {PACKAGE_DIR}; data, runs and figures in "
        f"{os.environ['MTLIB_HOME']}",
        flush=True,
    )
    for path in notebooks:
        start = time.perf_counter()
        print(f"[{profile}] {path.name} ...", flush=True)
        papermill.execute_notebook(
            str(path),
            str(path),
            parameters={"profile": profile},
            cwd=str(path.parent),
            progress_bar=False,
        )
        drop_injected_parameters(path)
        print(f"[{profile}] {path.name} done in {time.perf_counter() - start:.1f} s", flush=True)
    return 0
