"""The explorer in a real browser: Debian's Chromium driven by Playwright (from PyPI).

Nothing is downloaded at run time: the browser is the operating system's ``chromium``
(``make test-browser`` installs it when missing; ``MTLIB_CHROMIUM`` points elsewhere).
Servers start on 127.0.0.1 only, each in its own process group, and are always stopped,
also when a check fails.

What is measured happens in the page: the time from the key press (``keydown``) on a
slider to the new picture of the view — the image widget's ``load`` (image view) or the
ipympl canvas's ``drawImage`` (live canvas) — so it includes the trip to the kernel, the
update and the browser's decoding.

Used by ``tests/browser`` (the targets) and ``bench/browser.py`` (JSON and screenshots).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

from mtlib.cli.app import app_command, free_port

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    # the machine's closed network refuses Chromium's own background connections
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1366, "height": 900}  # a common laptop screen
REPO = Path(__file__).resolve().parents[1]

# Records, in page time (ms), every key press and every new picture of the explorer's view.
RECORDER = """
window.__keys = []; window.__paints = [];
document.addEventListener('keydown', () => window.__keys.push(performance.now()), true);
document.addEventListener('load', e => {
  if (e.target.tagName === 'IMG' && e.target.closest('.widget-image'))
    window.__paints.push(performance.now());
}, true);
const drawImage = CanvasRenderingContext2D.prototype.drawImage;
CanvasRenderingContext2D.prototype.drawImage = function (...args) {
  if (this.canvas.closest('.jupyter-matplotlib')) window.__paints.push(performance.now());
  return drawImage.apply(this, args);
};
"""


def chromium_path() -> str:
    """The operating system's Chromium, or a clear error saying how to install it."""
    path = os.environ.get("MTLIB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        raise FileNotFoundError(
            f"no Chromium at {path}: install Debian's package (`apt-get install chromium`; "
            "`make test-browser` does it) or set MTLIB_CHROMIUM"
        )
    return path


def chromium_version() -> str:
    return subprocess.run(
        [chromium_path(), "--version"], capture_output=True, text=True
    ).stdout.strip()


# --- servers ------------------------------------------------------------------------------


@contextlib.contextmanager
def served(
    command: list[str], url: str, log_path: Path, timeout_s: float = 120, env: dict | None = None
):
    """Run ``command`` (a web server) until ``url`` answers; stop it, and its kernels, on
    exit — also when the body raises."""
    log = open(log_path, "w")
    proc = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env
    )
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited ({proc.returncode}): {_tail(log_path)}")
            try:
                urllib.request.urlopen(url, timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{url} did not answer in {timeout_s:.0f} s") from None
                time.sleep(0.3)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def _tail(path: Path, n: int = 2000) -> str:
    return Path(path).read_text(errors="replace")[-n:]


@contextlib.contextmanager
def voila_app(log_dir: Path):
    """The explorer app exactly as ``python -m mtlib app`` serves it; yields its URL."""
    port = free_port(0)
    with served(app_command(port), f"http://127.0.0.1:{port}/", log_dir / "voila.log") as url:
        yield url


@contextlib.contextmanager
def jupyterlab(root_dir: Path, log_dir: Path):
    """JupyterLab serving ``root_dir`` without a token; yields its URL. Its kernels use the
    shipped (quick) networks and keep what they write in ``root_dir``."""
    port = free_port(0)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MTLIB_")}
    env |= {"MTLIB_PROFILE": "quick", "MTLIB_HOME": str(root_dir)}
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        "--IdentityProvider.token=",
        f"--ServerApp.root_dir={root_dir}",
        f"--LabApp.workspaces_dir={root_dir / '.workspaces'}",
    ] + ["--allow-root"] * (os.geteuid() == 0)
    with served(command, f"http://127.0.0.1:{port}/lab", log_dir / "lab.log", env=env) as url:
        yield url.removesuffix("lab")


# --- pages --------------------------------------------------------------------------------


@contextlib.contextmanager
def chromium():
    """Headless Chromium (the system's) under Playwright; yields the browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser, url: str):
    """A new page at ``url`` that records key presses, pictures and console errors
    (``page.errors``)."""
    page = browser.new_page(viewport=VIEWPORT)
    page.errors = []
    page.on("console", lambda msg: msg.type == "error" and page.errors.append(msg.text))
    page.on("pageerror", lambda err: page.errors.append(str(err)))
    page.on("requestfailed", lambda req: page.errors.append(f"{req.url}: {req.failure}"))
    # this machine is offline: a request that leaves 127.0.0.1 is answered empty, and listed
    page.external = []
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: _offline(page, route))
    page.add_init_script(RECORDER)
    page.goto(url)
    return page


def _offline(page, route) -> None:
    page.external.append(route.request.url)
    route.fulfill(status=200, body="")


def widget(page, kind: str, label: str):
    """The ipywidgets control of class ``widget-<kind>`` whose label is ``label``."""
    name = page.locator(".widget-label", has_text=re.compile(f"^{re.escape(label)}$"))
    return page.locator(f".widget-{kind}").filter(has=name)


def wait_for_explorer(page, timeout_s: float = 120) -> None:
    """Until the explorer's sliders and first picture are there, and the page is quiet."""
    slider = widget(page, "hslider", "layer 1 ρ")
    failed = page.locator(".jp-OutputArea-output", has_text=re.compile(r"\w+Error: "))
    slider.or_(failed).first.wait_for(state="attached", timeout=1e3 * timeout_s)
    if failed.count():
        raise RuntimeError(f"a cell failed: {failed.first.inner_text()[-1500:]}")
    slider.scroll_into_view_if_needed()  # JupyterLab renders only the cells in view
    _wait_paints(page, 0, timeout_s)
    page.wait_for_timeout(1500)  # anything the page would still send back comes now


def _wait_paints(page, count: int, timeout_s: float = 30) -> None:
    page.wait_for_function(f"window.__paints.length > {count}", polling=10, timeout=1e3 * timeout_s)


def _counts(page) -> tuple[int, int]:
    return page.evaluate("[window.__keys.length, window.__paints.length]")


def move_sliders(page, n_moves: int = 20, settle_ms: int = 400) -> dict:
    """``n_moves`` key presses on the resistivity sliders of layers 1–3 (right, then left:
    every press changes a value). Returns the latencies key press → new picture (ms), the
    pictures each press caused and the status line's kernel-side update times (ms)."""
    latency_ms, pictures, kernel_ms = [], [], []
    for move in range(n_moves):
        handle = widget(page, "hslider", f"layer {move // 2 % 3 + 1} ρ").locator(".noUi-handle")
        handle.focus()
        _, painted = _counts(page)
        page.keyboard.press("ArrowLeft" if move % 2 else "ArrowRight")
        _wait_paints(page, painted)
        page.wait_for_timeout(settle_ms)
        keys, paints = page.evaluate("[window.__keys, window.__paints]")
        latency_ms.append(paints[painted] - keys[-1])
        pictures.append(len(paints) - painted)
        kernel_ms.append(float(re.search(r"update: (\d+) ms", status_text(page)).group(1)))
    return {
        "latency_ms": latency_ms,
        "latency_ms_median": float(np.median(latency_ms)),
        "latency_ms_p95": float(np.percentile(latency_ms, 95)),
        "pictures_per_move": pictures,
        "kernel_update_ms_median": float(np.median(kernel_ms)),
    }


def status_text(page) -> str:
    return page.locator(".widget-html-content", has_text="update:").last.inner_text()


def pick_preset(page, name: str, settle_ms: int = 1500) -> dict:
    """Choose a preset in the dropdown; what the dropdown then says and how many pictures
    the choice caused (one update is one picture)."""
    box = widget(page, "dropdown", "preset").locator("select")
    _, painted = _counts(page)
    box.select_option(label=name)
    _wait_paints(page, painted)
    page.wait_for_timeout(settle_ms)
    return {"selected": selected(box), "pictures": _counts(page)[1] - painted}


def selected(select) -> str:
    """The text a ``<select>`` shows (ipywidgets writes its spaces as no-break spaces)."""
    return select.evaluate("e => e.options[e.selectedIndex].text").replace("\xa0", " ")


def broken_images(page) -> int:
    """Images that finished loading without a picture (a broken source)."""
    return page.evaluate(
        "Array.from(document.images).filter(i => i.complete && i.naturalWidth === 0).length"
    )


def canvas_check(page) -> dict:
    """The ipympl canvas: its size on the page, whether it fits the notebook column and how
    much of it is drawn (fraction of pixels that are not the background)."""
    canvas = page.locator(".jupyter-matplotlib canvas").first
    box = canvas.bounding_box()
    column = page.locator(".jp-OutputArea-output").filter(has=canvas).bounding_box()
    drawn = canvas.evaluate(
        """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                  let n = 0; for (let i = 0; i < d.length; i += 4)
                    if (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250) n++;
                  return n / (d.length / 4); }"""
    )
    return {
        "width_px": box["width"],
        "column_width_px": column["width"],
        "fits": box["x"] + box["width"] <= column["x"] + column["width"] + 1,
        "drawn_fraction": drawn,
    }


def run_all_cells(page) -> None:
    """JupyterLab: Run → Run All Cells, in the notebook that is open."""
    page.locator(".jp-Notebook").wait_for(timeout=60_000)
    # the kernel is up and the menus know the notebook once the status bar says Idle
    page.get_by_text(re.compile(r"\| Idle$")).wait_for(timeout=60_000)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Run All Cells$")).click()


# --- the whole session --------------------------------------------------------------------

PRESET = "graded"  # picked in the dropdown; the explorer opens on another one


def check_explorer(page, n_moves: int) -> dict:
    """Preset and pictures after loading, slider moves, a preset pick, and what went wrong."""
    box = widget(page, "dropdown", "preset").locator("select")
    result = {
        "preset_after_load": selected(box),
        "pictures_at_load": _counts(page)[1],
    }
    result |= move_sliders(page, n_moves)
    result["preset_pick"] = pick_preset(page, PRESET)
    result |= {
        "broken_images": broken_images(page),
        "console_errors": list(page.errors),
        "external_requests": list(page.external),
    }
    return result


LIVE_NOTEBOOK = """%matplotlib widget
from mtlib.widgets import Explorer

Explorer()"""


def session(work: Path, screenshots: Path | None = None, n_moves: int = 20) -> dict:
    """The explorer in the Voilà app, in JupyterLab running notebook 09 (image view) and
    in JupyterLab with ``%matplotlib widget`` (ipympl's live canvas). ``work`` holds the
    servers' logs and the notebooks' folder; ``screenshots`` (optional) receives
    ``explorer_voila.png`` and ``explorer_lab_live.png``."""
    import nbformat

    notebooks = work / "notebooks"
    notebooks.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "notebooks" / "09_explorer.ipynb", notebooks)
    live = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(LIVE_NOTEBOOK)])
    live.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)"}
    nbformat.write(live, notebooks / "live.ipynb")
    results = {}
    start = time.perf_counter()
    with chromium() as browser:
        with voila_app(work) as url:
            page = open_page(browser, url)
            wait_for_explorer(page)
            results["voila"] = check_explorer(page, n_moves)
            if screenshots:
                page.screenshot(path=screenshots / "explorer_voila.png")
        with jupyterlab(notebooks, work) as url:
            page = open_page(browser, f"{url}lab/tree/09_explorer.ipynb?reset")
            run_all_cells(page)
            wait_for_explorer(page, timeout_s=300)
            results["lab_notebook"] = check_explorer(page, n_moves)
            page.close()
            page = open_page(browser, f"{url}lab/tree/live.ipynb?reset")
            run_all_cells(page)
            wait_for_explorer(page)
            results["lab_live_canvas"] = check_explorer(page, n_moves) | canvas_check(page)
            if screenshots:
                # JupyterLab's "news" question would cover part of the picture
                toast = page.locator(".jp-Notification-Toast-Close")
                if toast.count():
                    toast.first.click()
                page.locator(".jupyter-matplotlib").first.scroll_into_view_if_needed()
                page.screenshot(path=screenshots / "explorer_lab_live.png")
    results["session_s"] = time.perf_counter() - start
    return results
