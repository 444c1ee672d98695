"""The package's dependency direction: every module imports only modules of lower layers —
at module level and inside functions alike (docs/design.md, "Dependency direction")."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mtlib"

LAYERS = [
    {"_checks", "_io", "_numba", "_deprecated", "_version"},  # the package's own helpers
    {"constants", "folders", "grid"},  # leaves: plain values, the layer grids
    {"data_errors", "forward", "generator", "networks.unet"},  # the physics
    {"noise", "field", "dplus", "networks.similarity", "inversion.occam", "inversion.baseline"},
    {"posterior.prior", "posterior.kernel", "posterior.diagnostics", "posterior.histograms"},
    {"posterior.likelihood"},
    {"posterior.ladders", "posterior.reference"},
    {"metrics", "networks.normalize", "networks.predictor", "harness.config"},
    {"networks.paper", "harness.dataset", "harness.evaluate"},
    {"networks.ensemble", "networks.fieldnet"},  # the networks
    {"networks.posteriornet"},  # (the field network's frame, the sampler's prior)
    {"networks.pretrained", "networks"},
    {"harness.train", "harness.cards", "harness.timing", "harness.trained", "harness"},
    {"inversion.checks", "inversion.grids", "inversion.reference", "inversion.solve"},
    {"inversion.doi", "inversion.result"},
    {"inversion"},  # the field-data entry point
    {"survey.geometry", "survey.columns", "survey.data", "survey.synthetic", "survey.joint"},
    {"plotting"},
    {"posterior.figure"},  # the posterior sampler, above the inversion that starts it
    {"posterior.result"},
    {"posterior.sampler"},
    {"posterior"},
    {"survey.store", "survey.tasks"},  # many stations: finished ones on disk, a chunk's work
    {"survey.runner"},
    {"survey"},
    {"widgets", "__init__"},  # presentation and the package's front door
    {"cli.files"},  # the command line: the files its commands write,
    {"cli.reproduce", "cli.app", "cli.ship", "cli.invert"},  # one module per command
    {"cli.train"},  # (train-field ships through cli.ship)
    {"cli.sample"},  # (sample reads files as invert does)
    {"cli"},  # the parser
    {"__main__"},  # python -m mtlib
]
RANK = {name: k for k, layer in enumerate(LAYERS) for name in layer}


def module_name(path: Path) -> str:
    """``mtlib/inversion/occam.py`` → ``inversion.occam``; a package's ``__init__.py`` is
    the package (``inversion``); the root's is ``__init__``."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}


def _package_of(name: str) -> list[str]:
    """The package a module's relative imports start from."""
    path = MODULES[name]
    parts = [] if name == "__init__" else name.split(".")
    return parts if path.name == "__init__.py" else parts[:-1]


def imported_modules(name: str, source: str | None = None) -> set[str]:
    """The mtlib modules module ``name`` imports, anywhere in the file (names imported from a
    package's ``__init__`` count as that package)."""
    tree = ast.parse(source if source is not None else MODULES[name].read_text())
    out = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = _package_of(name)[: len(_package_of(name)) - node.level + 1]
        elif (node.module or "").split(".")[0] == "mtlib":
            base = []
        else:
            continue
        module = node.module or ""
        if not node.level:
            module = module.removeprefix("mtlib").lstrip(".")
        target = base + (module.split(".") if module else [])
        for alias in node.names:
            candidate = ".".join(target + [alias.name])
            if candidate in MODULES:
                out.add(candidate)
            else:
                out.add(".".join(target) or "__init__")
    return out


def test_every_module_has_a_layer():
    assert set(MODULES) == set(RANK), "place new modules in LAYERS (and remove deleted ones)"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module):
    upward = {dep for dep in imported_modules(module) if RANK[dep] >= RANK[module]}
    assert not upward, f"mtlib.{module} imports modules of its own or a higher layer: {upward}"


def test_the_checker_sees_function_level_and_relative_imports():
    source = (
        "def f():\n    from ..harness.train import fit\n    from .. import plotting\n"
        "    from . import occam\n    from mtlib.networks import fieldnet\n"
    )
    assert imported_modules("inversion.baseline", source) == {
        "harness.train",
        "plotting",
        "inversion.occam",
        "networks.fieldnet",
    }


@pytest.mark.parametrize(
    ("statement", "absent"),
    [
        ("import mtlib.harness.config", "torch"),
        ("import mtlib", "torch"),
        ("import mtlib.inversion", "mtlib.harness.train"),
        ("import mtlib; mtlib.load_pretrained()", "mtlib.harness.train"),
    ],
)
def test_light_imports(statement, absent):
    """Plain data imports no torch; inverting or loading a network loads no training code."""
    code = f"import sys; {statement}; print({absent!r} in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
