"""The repository's public address comes from one place (pyproject.toml) into the README's
Binder/Colab links and every notebook's install line (tools/links.py)."""

from pathlib import Path

import pytest

from conftest import load_tool

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def links():
    return load_tool("links")


def test_links_match_pyproject(links):
    for path, text in links.render(links.slug()).items():
        assert path.read_text() == text, f"stale links in {path.name}: run python tools/links.py"


def test_a_new_address_reaches_the_readme_and_every_notebook(links):
    rendered = links.render("someone/mtlib-fork")
    n_notebooks = len(list((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
    assert n_notebooks >= 8
    assert len(rendered) == 1 + 2 * n_notebooks  # README, and each notebook's .py and .ipynb
    for path, text in rendered.items():
        assert "someone/mtlib-fork" in text, path.name
        if path.suffix != ".md":
            assert "git+https://github.com/someone/mtlib-fork" in text, path.name
    assert "not published yet" not in rendered[ROOT / "README.md"]
