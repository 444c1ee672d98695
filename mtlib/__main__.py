"""``python -m mtlib``: the command line (:mod:`mtlib.cli`)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
