"""The notebooks' structure: jupytext pairs in sync, a `parameters` cell first, run order."""

import re
from pathlib import Path

import jupytext
import nbformat
import pytest

from mtlib.cli import main
from mtlib.cli.reproduce import numbered_notebooks

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
PAIRS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def test_every_script_has_its_notebook_and_vice_versa():
    assert PAIRS, "no notebooks found"
    assert [p.stem for p in PAIRS] == [p.stem for p in numbered_notebooks(NOTEBOOKS)]


@pytest.mark.parametrize("script", PAIRS, ids=lambda p: p.stem)
def test_pair_is_in_sync(script):
    from_script = jupytext.read(script)
    from_ipynb = nbformat.read(script.with_suffix(".ipynb"), as_version=4)
    sources = lambda nb: [(c.cell_type, c.source.strip()) for c in nb.cells]  # noqa: E731
    assert sources(from_script) == sources(from_ipynb), (
        f"{script.name} and its .ipynb differ: run `jupytext --sync {script}`"
    )


@pytest.mark.parametrize("script", PAIRS, ids=lambda p: p.stem)
def test_parameters_cell_comes_first_and_outputs_are_committed(script):
    nb = nbformat.read(script.with_suffix(".ipynb"), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert "profile" in code[0].source
    assert all(c.get("outputs") is not None for c in code)
    assert sum(len(c.outputs) for c in code) > 0, "commit the notebook with its outputs"


def test_reproduce_rejects_unknown_profile(capsys):
    with pytest.raises(SystemExit):
        main(["reproduce", "--profile", "huge"])
    assert "invalid choice" in capsys.readouterr().err


FIGURE_NAME = re.compile(r'f?"((?:\d\d|fig\d)_[^"\s]+?|explorer_[a-z_]+)(?:\.png)?"')
"""A figure's name in a notebook or in ``tools/browser.py``: a string that starts ``NN_``,
``figN_`` or ``explorer_`` (an f-string's fields stand for any text)."""


def figure_writers() -> list[re.Pattern]:
    """The figures the notebooks write (and the browser screenshots of ``tools/browser.py``),
    as patterns of file names."""
    sources = [p.read_text() for p in PAIRS]
    sources.append((NOTEBOOKS.parent / "tools" / "browser.py").read_text())
    names = {name for text in sources for name in FIGURE_NAME.findall(text)}
    return [re.compile(re.sub(r"\\\{.*?\\\}", ".+", re.escape(n)) + r"\.png") for n in names]


def test_every_committed_figure_is_written_by_a_notebook():
    writers = figure_writers()
    stale = [
        p.name
        for p in sorted((NOTEBOOKS.parent / "figures").glob("*.png"))
        if not any(w.fullmatch(p.name) for w in writers)
    ]
    assert stale == [], f"figures no notebook writes any more (delete them): {stale}"
