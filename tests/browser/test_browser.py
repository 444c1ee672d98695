"""The explorer in a real browser (``make test-browser``; ``pytest --browser tests/browser``).

Debian's Chromium, driven by Playwright, opens the Voilà app (``python -m mtlib app``),
notebook 07 run in JupyterLab (image view) and the explorer under ``%matplotlib widget`` in
JupyterLab (ipympl's live canvas); tools/browser.py does the driving and the measuring."""

import pytest

from conftest import load_tool

VIEWS = ["voila", "lab_notebook", "lab_live_canvas"]
TARGET_MS = 60  # median, key press → new picture, the app and the notebook (issue 16)


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    return load_tool("browser").session(tmp_path_factory.mktemp("browser"), n_moves=20)


@pytest.mark.parametrize("view", VIEWS)
def test_no_console_errors_and_no_broken_image(session, view):
    result = session[view]
    assert result["console_errors"] == []
    assert result["broken_images"] == 0


def test_the_page_asks_nothing_of_the_internet_but_voilas_icon_font(session):
    # Voilà's page template links Font Awesome from a CDN; nothing of ours leaves 127.0.0.1
    assert all("fontawesome" in url for url in session["voila"]["external_requests"])
    assert session["lab_notebook"]["external_requests"] == []


@pytest.mark.parametrize("view", VIEWS)
def test_the_preset_stays_selected_and_runs_one_update(session, view):
    result = session[view]
    assert result["preset_after_load"] == "conductor at depth"
    assert result["preset_pick"] == {"selected": "graded", "pictures": 1}


@pytest.mark.parametrize("view", ["voila", "lab_notebook"])
def test_the_first_picture_is_the_only_one_at_load(session, view):
    # a browser that sent back rounded slider values would cause more updates
    assert session[view]["pictures_at_load"] == 1


@pytest.mark.parametrize("view", VIEWS)
def test_every_key_press_changes_the_picture_once(session, view):
    assert session[view]["pictures_per_move"] == [1] * 20


@pytest.mark.parametrize("view", ["voila", "lab_notebook"])
def test_a_slider_move_shows_in_the_browser_within_the_target(session, view):
    assert session[view]["latency_ms_median"] <= TARGET_MS


def test_the_live_canvas_shows_and_fits_the_notebook_column(session):
    live = session["lab_live_canvas"]
    assert live["fits"], f"canvas {live['width_px']} px, column {live['column_width_px']} px"
    assert live["drawn_fraction"] > 0.05  # axes, lines and labels, not a blank canvas
    assert live["latency_ms_median"] <= 100  # ipympl sends PNG diffs: slower than the image
