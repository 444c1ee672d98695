"""The README's benchmark numbers are the latest benchmark JSON's (tools/readme.py)."""

from pathlib import Path

import pytest

from conftest import load_tool

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def readme_tool():
    return load_tool("readme")


def test_readme_blocks_match_the_benchmark_json(readme_tool):
    text = (ROOT / "README.md").read_text()
    assert readme_tool.render(text) == text, "stale README numbers: run python tools/readme.py"


def test_a_changed_number_is_caught(readme_tool):
    text = (ROOT / "README.md").read_text()
    start = text.index("<!-- bench:speed -->\n") + len("<!-- bench:speed -->\n")
    tampered = text[:start] + "| hand-written | 1 000 000 |\n" + text[start:]
    assert readme_tool.render(tampered) == text


def test_every_renderer_has_a_block(readme_tool):
    text = (ROOT / "README.md").read_text()
    without = text.replace("<!-- bench:speed -->", "").replace("<!-- /bench:speed -->", "")
    with pytest.raises(ValueError, match="speed"):
        readme_tool.render(without)
