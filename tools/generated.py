"""Shared by the scripts that write generated text into the repository's files
(``readme.py``: benchmark numbers, ``links.py``: the public address)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def write_or_check(doc: str, files: dict[Path, str], command: str) -> int:
    """The command line of such a script: write every file of ``files`` ({path: text}) whose
    text differs, or with ``--check`` name them and return 1."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a file is stale")
    args = parser.parse_args()
    stale = [path for path, text in files.items() if path.read_text() != text]
    for path in stale:
        if args.check:
            print(f"{path.name} is stale: run python {command}", file=sys.stderr)
        else:
            path.write_text(files[path])
    return 1 if args.check and stale else 0
