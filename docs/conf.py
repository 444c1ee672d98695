"""Sphinx configuration of the mtlib book: ``make docs`` → ``docs/_build/html``.

The notebooks (``docs/notebooks`` links to ``notebooks/``) are shown with the outputs of their
committed run, never executed here; the API reference walks the package; MathJax is served
from the book itself, so it reads offline.
"""

import ast
import re
import sys
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # document this checkout's mtlib, whatever else is installed

import mtlib  # noqa: E402

project = "mtlib"
author = "the mtlib authors"
copyright = "the mtlib authors, MIT licence"
release = version = mtlib.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax 3 copied into _static instead of a CDN
]
exclude_patterns = ["_build", "**/.ipynb_checkpoints"]

nb_execution_mode = "off"  # the committed outputs: the book never re-runs training
# A widget needs its kernel: the book shows a widget output's text (a progress bar's last
# state) and loads no widget manager from a CDN.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_ipywidgets_js = {}
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3  # links to a page's sections by their slug, checked at build time

autosummary_generate = True
# each object documented once, in the module that defines it (a package's __all__ re-exports
# it: documenting it there too would make every reference to it ambiguous)
autodoc_default_options = {"members": True, "ignore-module-all": True}
autodoc_typehints = "description"

html_theme = "furo"
html_title = f"mtlib {version}"
html_copy_source = False  # the notebooks are in the repository; the book need not carry them
html_use_index = False  # the theme links neither index: the API reference is the way in
html_domain_indices = False

# The docstrings are plain text in which |Z| is a modulus; reST would read it as a
# substitution, so the bars are escaped outside ``literals`` before autodoc parses them.
LITERAL = re.compile(r"(``.*?``)")


def _escape_bars(app, what, name, obj, options, lines):
    for k, line in enumerate(lines):
        parts = LITERAL.split(line)
        lines[k] = "".join(p if p.startswith("``") else p.replace("|", r"\|") for p in parts)


LAYERING_TEST = ROOT / "tests" / "test_layering.py"


class Layers(SphinxDirective):
    """The package's layers as ``tests/test_layering.py`` holds them, lowest first."""

    def run(self):
        self.env.note_dependency(str(LAYERING_TEST))
        tree = ast.parse(LAYERING_TEST.read_text())
        layers = next(
            ast.literal_eval(node.value)
            for node in tree.body
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "LAYERS"
        )
        items = nodes.enumerated_list(enumtype="arabic")
        for layer in layers:
            paragraph = nodes.paragraph()
            for k, name in enumerate(sorted(layer)):
                paragraph += nodes.Text(", " if k else "")
                paragraph += nodes.literal(text=name)
            items += nodes.list_item("", paragraph)
        return [items]


def setup(app):
    app.connect("autodoc-process-docstring", _escape_bars)
    app.add_directive("layers", Layers)
