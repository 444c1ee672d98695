"""The names of mtlib 0.1 still work for one release, each with a DeprecationWarning that
names its replacement."""

import importlib
import sys

import pytest

import mtlib
from mtlib import _deprecated


@pytest.mark.parametrize(("old", "new"), sorted(_deprecated.MOVED_MODULES.items()))
def test_moved_modules_import_with_a_warning(old, new):
    sys.modules.pop(f"mtlib.{old}", None)
    with pytest.warns(DeprecationWarning, match=f"mtlib.{new}"):
        module = importlib.import_module(f"mtlib.{old}")
    assert module is importlib.import_module(f"mtlib.{new}")


@pytest.mark.parametrize(
    ("module", "old"),
    [(m, name) for m, names in sorted(_deprecated.RENAMED.items()) for name in sorted(names)],
)
def test_renamed_names_resolve_with_a_warning(module, old):
    target_module, target_name = _deprecated.RENAMED[module][old].rsplit(".", 1)
    with pytest.warns(DeprecationWarning, match=target_name):
        value = getattr(importlib.import_module(f"mtlib.{module}"), old)
    assert value is getattr(importlib.import_module(f"mtlib.{target_module}"), target_name)


def test_unknown_names_are_still_attribute_errors():
    with pytest.raises(AttributeError, match="no_such_name"):
        mtlib.grid.no_such_name  # noqa: B018
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("mtlib.no_such_module")
