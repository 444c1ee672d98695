"""The README is short and its examples run; its numbers and the book's are the latest
benchmark JSON's (tools/readme.py); the design notes hold the sections the code cites."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import load_tool

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BOOK = ROOT / "docs"
README_MAX_CHARS = 12_000  # what it is, install, two commands, two examples, links


@pytest.fixture(scope="module")
def readme_tool():
    return load_tool("readme")


def test_readme_and_book_blocks_match_the_benchmark_json(readme_tool):
    pages = readme_tool.pages()
    assert README in pages and BOOK / "speed.md" in pages
    stale = [p.name for p, text in readme_tool.render_all().items() if p.read_text() != text]
    assert stale == [], "stale benchmark numbers: run python tools/readme.py"


@pytest.mark.parametrize(("page", "block"), [("README.md", "headline"), ("docs/speed.md", "speed")])
def test_a_changed_number_is_caught(readme_tool, page, block):
    texts = {p: p.read_text() for p in readme_tool.pages()}
    path = ROOT / page
    marker = f"<!-- bench:{block} -->\n"
    start = texts[path].index(marker) + len(marker)
    tampered = dict(texts)
    tampered[path] = texts[path][:start] + "| hand-written | 1 000 000 |\n" + texts[path][start:]
    assert readme_tool.render_all(tampered)[path] == texts[path]


def test_every_renderer_has_a_block_and_every_block_a_renderer(readme_tool):
    texts = {p: p.read_text() for p in readme_tool.pages()}
    speed = BOOK / "speed.md"
    without = dict(texts)
    without[speed] = (
        texts[speed].replace("<!-- bench:speed -->", "").replace("<!-- /bench:speed -->", "")
    )
    with pytest.raises(ValueError, match="speed"):
        readme_tool.render_all(without)
    unknown = dict(texts)
    unknown[README] = texts[README] + "<!-- bench:nothing -->\n<!-- /bench:nothing -->\n"
    with pytest.raises(ValueError, match="bench:nothing"):
        readme_tool.render_all(unknown)


def test_the_readme_is_short():
    assert len(README.read_text()) <= README_MAX_CHARS


def test_the_readme_links_to_pages_of_the_book_that_exist():
    targets = re.findall(r"\]\((docs/[^)#]+)", README.read_text())
    assert len(targets) >= 8
    assert [t for t in targets if not (ROOT / t).is_file()] == []


def test_the_readme_examples_run_as_written(tmp_path):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert len(blocks) == 2  # synthetic data, field data
    script = "\n".join(blocks) + (
        "\nassert rho_pred_ohmm.shape == rho_ohmm.shape == (100, 40)"
        "\nassert res.nrms > 0 and res.rho_ohmm.shape == res.depth_m.shape"
        "\nassert low.shape == high.shape == res.rho_ohmm.shape and (low < high).all()"
        "\nassert post.stop == 'converged'\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]


def test_the_design_sections_the_code_cites_exist():
    """Where the package or the tests cite a section of docs/design.md by name, it exists."""
    headings = re.findall(r"^## (?:\d+\. )?(.+)$", (BOOK / "design.md").read_text(), re.M)
    cited = {}
    for folder in ("mtlib", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            for name in re.findall(r'docs/design\.md,\s+"([^"]+)"', path.read_text()):
                cited.setdefault(name, []).append(path.name)
    assert len(cited) >= 3
    assert {name: files for name, files in cited.items() if name not in headings} == {}


def test_nothing_points_to_a_design_file_outside_the_repository():
    outside = "DESIGN" + ".md"  # spelled apart, so that this file does not name it
    pointing = [
        str(p.relative_to(ROOT))
        for folder in ("mtlib", "tests", "tools", "bench", "notebooks", "docs")
        for p in (ROOT / folder).rglob("*")
        if p.suffix in (".py", ".md", ".ipynb") and outside in p.read_text()
    ]
    assert pointing == []
