"""The shipped networks: where they are (package data) and how to load one.

``mtlib/weights/<name>.pt`` holds a bundle (:mod:`mtlib.inverter`) and
``<name>.card.json``/``.md`` its model card; they are found the same way from a checkout,
an editable install and a wheel. A profile's notebooks use the network that notebook 04
trained for it when that run finished, else the shipped one.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

WEIGHTS_DIR = Path(str(files("mtlib").joinpath("weights")))
"""The shipped networks and their model cards."""
DEFAULT_NETWORK = "unet_quick"
DEFAULT_ENSEMBLE = "ensemble_quick"
DEFAULT_FIELD_NETWORK = "field_quick"
"""The network :func:`mtlib.invert` and the CLI use for real data (:mod:`mtlib.fieldnet`)."""


def load_pretrained(name: str = DEFAULT_NETWORK):
    """The shipped network ``mtlib/weights/<name>.pt``: an :class:`mtlib.inverter.Inverter` (the
    paper's network, default), an :class:`mtlib.ensemble.Ensemble` with calibrated
    uncertainty for ``"ensemble_quick"`` (``rho, std = net.predict(rhoa, phase,
    return_std=True)``), or the field network :class:`mtlib.fieldnet.FieldNetwork` for
    ``"field_quick"`` (what :func:`mtlib.invert` uses).

    Its model card (profile, data, epochs, device, test metrics) is ``.training`` and
    ``mtlib/weights/<name>.card.json``.
    """
    path = WEIGHTS_DIR / f"{name}.pt"
    if not path.exists():
        available = sorted(p.stem for p in WEIGHTS_DIR.glob("*.pt"))
        raise ValueError(
            f"no shipped network named {name!r} in {WEIGHTS_DIR}; available: {available}"
        )
    return load_network(path)


def load_network(path):
    """The network in the bundle file ``path``, whichever its kind (Inverter, Ensemble or
    FieldNetwork)."""
    from .ensemble import Ensemble
    from .fieldnet import FieldNetwork
    from .inverter import Inverter, load_bundle

    bundle = load_bundle(path)
    kind = {"ensemble": Ensemble, "field": FieldNetwork}.get(bundle.get("kind"), Inverter)
    return kind.from_bundle(bundle, str(path))


def profile_network(profile):
    """The paper network for ``profile``'s notebooks (a :class:`mtlib.config.Profile`): the
    one notebook 04 trained if its run finished and the profile's notebooks use their own
    (``notebooks_use_trained``), otherwise the shipped one."""
    return _trained_or_shipped(profile, profile.run_dir() / "model.pt", DEFAULT_NETWORK)


def profile_ensemble(profile):
    """The uncertainty ensemble for ``profile``'s notebooks, chosen as
    :func:`profile_network` chooses."""
    return _trained_or_shipped(profile, profile.ensemble_dir() / "ensemble.pt", DEFAULT_ENSEMBLE)


def _trained_or_shipped(profile, trained, shipped: str):
    if profile.notebooks_use_trained and trained.exists():
        return load_network(trained)
    return load_pretrained(shipped)
