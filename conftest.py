"""Test-session setup shared by the unit tests and the nbval notebook runs.

Notebooks run in the ``smoke`` profile, and write their data, runs and figures to a temporary
folder, so a test run never overwrites the committed figures or a user's datasets.
"""

import os
import shutil
import tempfile

_SCRATCH = tempfile.mkdtemp(prefix="mtlib-tests-")
os.environ["MTLIB_PROFILE"] = "smoke"
os.environ["MTLIB_DATA"] = os.path.join(_SCRATCH, "data")
os.environ["MTLIB_FIGURES"] = os.path.join(_SCRATCH, "figures")
os.environ["MTLIB_RUNS"] = os.path.join(_SCRATCH, "runs")
os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_addoption(parser):
    parser.addoption(
        "--browser",
        action="store_true",
        help="run the browser tests in tests/browser (make test-browser)",
    )


def pytest_ignore_collect(collection_path, config):
    """tests/browser needs Chromium and servers: only with --browser (make test-browser)."""
    if collection_path.name == "browser" and collection_path.parent.name == "tests":
        return not config.getoption("--browser")
    return None


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_SCRATCH, ignore_errors=True)


def load_tool(name: str):
    """The script ``tools/<name>.py`` as a module (its folder on the path, as when run)."""
    import importlib.util
    import sys
    from pathlib import Path

    folder = Path(__file__).resolve().parent / "tools"
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location(f"tools_{name}", folder / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
