"""The package's dependency direction (DESIGN.md §8): every module imports only modules of
lower layers — at module level and inside functions alike."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mtlib"

LAYERS = [
    {"_checks", "_io", "constants", "grid", "unet"},  # leaves: plain values, kernels
    {"errors", "forward", "generator"},  # the physics
    {"noise", "normalize", "config", "field", "occam", "baseline", "predictor"},
    {"dataset", "inverter", "evaluate"},
    {"ensemble", "fieldnet"},  # predictors
    {"pretrained", "train", "cards", "timing"},
    {"inversion", "plotting"},
    {"widgets", "__init__", "__main__"},  # presentation and entry points
]
RANK = {name: k for k, layer in enumerate(LAYERS) for name in layer}
FROM_PACKAGE_ROOT = {"__version__"}
"""Names a module may take from ``mtlib/__init__`` (which defines them before importing)."""


def imported_modules(path: Path) -> set[str]:
    """The mtlib modules ``path`` imports, anywhere in the file."""
    names = {p.stem for p in PACKAGE.glob("*.py")}
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                out.add(node.module.split(".")[0])
            else:
                for alias in node.names:
                    if alias.name in names:
                        out.add(alias.name)
                    elif alias.name not in FROM_PACKAGE_ROOT:
                        out.add("__init__")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mtlib"):
            out.add(node.module.split(".")[1] if "." in node.module else "__init__")
    return out


def test_every_module_has_a_layer():
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert modules == set(RANK), "place new modules in LAYERS (and remove deleted ones)"


@pytest.mark.parametrize("module", sorted(p.stem for p in PACKAGE.glob("*.py")))
def test_imports_point_down(module):
    upward = {
        dep for dep in imported_modules(PACKAGE / f"{module}.py") if RANK[dep] >= RANK[module]
    }
    assert not upward, f"mtlib.{module} imports modules of its own or a higher layer: {upward}"


def test_the_checker_sees_function_level_imports(tmp_path):
    source = tmp_path / "x.py"
    source.write_text("def f():\n    from .train import fit\n    from . import plotting\n")
    assert imported_modules(source) == {"train", "plotting"}


@pytest.mark.parametrize(
    ("statement", "absent"),
    [
        ("import mtlib.config", "torch"),
        ("import mtlib", "torch"),
        ("import mtlib.inversion", "mtlib.train"),
        ("import mtlib.pretrained; mtlib.pretrained.load_pretrained()", "mtlib.train"),
    ],
)
def test_light_imports(statement, absent):
    """Plain data imports no torch; inverting or loading a network loads no training code."""
    code = f"import sys; {statement}; print({absent!r} in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
