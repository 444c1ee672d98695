"""The explorer in a real browser: key press → new picture, in the page, on this machine.

Runs the session of ``tools/browser.py`` (Debian's Chromium driven by Playwright): the Voilà
app, notebook 07 run in JupyterLab (image view) and the explorer under ``%matplotlib
widget`` (ipympl's live canvas). Writes ``bench/results/browser.json`` (or ``--out``) with
the median and 95th percentile latency of ``--moves`` resistivity-slider key presses per
view, the kernel-side update time the status line reports, and the whole session's time;
saves screenshots of the real widgets to ``--screenshots`` (default ``figures/``).

    python bench/browser.py [--moves 30]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from pathlib import Path

from _common import RESULTS, write

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import browser  # noqa: E402  (tools/ is not a package)

KEPT = ("latency_ms_median", "latency_ms_p95", "kernel_update_ms_median")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "browser.json")
    parser.add_argument("--moves", type=int, default=30)
    parser.add_argument("--screenshots", type=Path, default=browser.REPO / "figures")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mtlib-browser-") as work:
        session = browser.session(Path(work), args.screenshots, n_moves=args.moves)
    results = {
        "what": "explorer in headless Chromium: key press on a resistivity slider → new "
        "picture of the view (ms, measured in the page)",
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count()},
        # servers and kernels share the cores with the browser, as on a user's laptop; the
        # explorer runs its network on one torch thread (widgets.py says why)
        "threads": "defaults of each process; torch 1 during an explorer update",
        "chromium": browser.chromium_version(),
        "moves": args.moves,
        "target_ms": 60,
        "session_s": session["session_s"],
    }
    for view in ("voila", "lab_notebook", "lab_live_canvas"):
        results[view] = {key: session[view][key] for key in KEPT}
    write(results, args.out)


if __name__ == "__main__":
    main()
