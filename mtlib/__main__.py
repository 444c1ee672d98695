"""Command line: ``python -m mtlib reproduce [--profile quick]``.

``reproduce`` runs the numbered notebooks ``notebooks/NN_*.ipynb`` in order with papermill,
injecting the profile, and writes their outputs in place (figures go to ``figures/``).
The cell papermill injects is removed afterwards so the notebook stays identical, cell for
cell, to its jupytext ``.py`` pair; the profile used stays in the notebook's metadata
(``papermill.parameters``) and in its first output.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .config import PROFILES, REPO_ROOT, get_profile


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
    import papermill

    get_profile(profile)  # fail early on an unknown profile
    notebooks = numbered_notebooks(notebooks_dir)
    if only:
        notebooks = [p for p in notebooks if any(p.name.startswith(o) for o in only)]
    if not notebooks:
        print(f"no numbered notebooks found in {notebooks_dir}", file=sys.stderr)
        return 1
    os.environ["MTLIB_PROFILE"] = profile
    for path in notebooks:
        start = time.perf_counter()
        print(f"[{profile}] {path.name} ...", flush=True)
        papermill.execute_notebook(
            str(path), str(path), parameters={"profile": profile}, cwd=str(path.parent),
            progress_bar=False,
        )
        drop_injected_parameters(path)
        print(f"[{profile}] {path.name} done in {time.perf_counter() - start:.1f} s", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mtlib", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("reproduce", help="run the numbered notebooks in order with papermill")
    rep.add_argument("--profile", default=os.environ.get("MTLIB_PROFILE", "quick"),
                     choices=sorted(PROFILES))
    rep.add_argument("--notebooks", type=Path, default=REPO_ROOT / "notebooks")
    rep.add_argument("--only", nargs="*", help="run only notebooks whose name starts so (e.g. 01)")
    args = parser.parse_args(argv)
    if args.command == "reproduce":
        return reproduce(args.profile, args.notebooks, args.only)
    return 2  # pragma: no cover - argparse rejects unknown commands first


if __name__ == "__main__":
    sys.exit(main())
