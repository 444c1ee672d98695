"""The names mtlib 0.1 used, kept for one release: importing or reading one warns
(``DeprecationWarning``) and gives the new one.

Modules moved into subpackages (``mtlib.occam`` → ``mtlib.inversion.occam``) are served by
an import hook; names renamed or moved between modules are served by the module-level
``__getattr__`` of their old module (:func:`renamed`).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

MOVED_MODULES = {
    "errors": "data_errors",
    "occam": "inversion.occam",
    "baseline": "inversion.baseline",
    "predictor": "networks.predictor",
    "unet": "networks.unet",
    "normalize": "networks.normalize",
    "inverter": "networks.paper",
    "ensemble": "networks.ensemble",
    "fieldnet": "networks.fieldnet",
    "pretrained": "networks.pretrained",
    "config": "harness.config",
    "dataset": "harness.dataset",
    "train": "harness.train",
    "cards": "harness.cards",
    "timing": "harness.timing",
    "evaluate": "harness.evaluate",
}
"""Old module (under ``mtlib.``) → its new place."""

RENAMED = {
    "noise": {"phase_std_deg": "noise.phase_noise_std_deg"},
    "grid": {"layer_centers_m": "grid.layer_centres_m", "N_LAYERS": "grid.PAPER_N_LAYERS"},
    "inversion": {"N_LAYERS": "inversion.COVERING_N_LAYERS"},
    "inversion.baseline": {
        "occam_invert": "inversion.baseline.pygimli_invert",
        "OccamResult": "inversion.baseline.PyGimliResult",
    },
    "networks.paper": {"Inverter": "networks.paper.PaperNetwork"},
    "networks.ensemble": {"Ensemble": "networks.ensemble.PaperEnsemble"},
    "networks.fieldnet": {"N_LAYERS": "networks.fieldnet.FRAME_N_LAYERS"},
    "networks.pretrained": {
        "profile_network": "harness.trained.profile_network",
        "profile_ensemble": "harness.trained.profile_ensemble",
    },
    "harness.config": {name: f"folders.{name}" for name in ("work_dir", "figures_dir")},
    "harness.evaluate": {"log_rho_rmse": "metrics.log_rho_rmse"},
}
"""Module (under ``mtlib.``) → {old name: new ``module.name``}."""


def _warn(old: str, new: str) -> None:
    warnings.warn(
        f"{old} is now {new}; the old name will be removed in the next release",
        DeprecationWarning,
        stacklevel=3,
    )


def renamed(module: str, name: str):
    """The object an old ``name`` of ``module`` (``mtlib.…``) stands for, with a warning;
    ``AttributeError`` for a name that never existed."""
    short = module.removeprefix("mtlib.")
    target = RENAMED.get(short, {}).get(name)
    if target is None:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    new_module, new_name = target.rsplit(".", 1)
    _warn(f"{module}.{name}", f"mtlib.{target}")
    return getattr(importlib.import_module(f"mtlib.{new_module}"), new_name)


class MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Import hook: ``mtlib.<old>`` is the module at its new place (:data:`MOVED_MODULES`)."""

    def find_spec(self, fullname, path, target=None):
        old = fullname.removeprefix("mtlib.")
        if fullname.startswith("mtlib.") and old in MOVED_MODULES:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        new = f"mtlib.{MOVED_MODULES[spec.name.removeprefix('mtlib.')]}"
        _warn(spec.name, new)
        return importlib.import_module(new)

    def exec_module(self, module) -> None:
        """Nothing to run: the module is the one at its new place, already imported."""


def install() -> None:
    """Put the import hook on ``sys.meta_path`` once."""
    if not any(isinstance(f, MovedModules) for f in sys.meta_path):
        sys.meta_path.append(MovedModules())
