"""The shipped networks: where they are (package data) and how to load one.

``mtlib/weights/<name>.pt`` holds a bundle (:mod:`mtlib.networks.paper`) and
``<name>.card.json``/``.md`` its model card; they are found the same way from a checkout,
an editable install and a wheel."""

from __future__ import annotations

import functools
from importlib.resources import files
from pathlib import Path

from .._deprecated import renamed

WEIGHTS_DIR = Path(str(files("mtlib").joinpath("weights")))
"""The shipped networks and their model cards."""
DEFAULT_NETWORK = "unet_quick"
DEFAULT_ENSEMBLE = "ensemble_quick"
DEFAULT_FIELD_NETWORK = "field_quick"
"""The network :func:`mtlib.invert` and the CLI use for real data
(:mod:`mtlib.networks.fieldnet`)."""
DEFAULT_POSTERIOR_NETWORK = "posterior_quick"
"""The network whose per-depth posterior quantiles :func:`mtlib.invert` reports
(:mod:`mtlib.networks.posteriornet`)."""


def load_pretrained(name: str = DEFAULT_NETWORK):
    """The shipped network ``mtlib/weights/<name>.pt``: a
    :class:`~mtlib.networks.paper.PaperNetwork` (the paper's network, default), an
    :class:`mtlib.networks.ensemble.PaperEnsemble` with calibrated
    uncertainty for ``"ensemble_quick"`` (``rho, std = net.predict(rhoa, phase,
    return_std=True)``), or the field network :class:`mtlib.networks.fieldnet.FieldNetwork` for
    ``"field_quick"`` (what :func:`mtlib.invert` uses), or the posterior network
    :class:`mtlib.networks.posteriornet.PosteriorNetwork` for ``"posterior_quick"``
    (per-depth posterior quantiles under the sampler's prior).

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


@functools.cache
def shared_pretrained(name: str):
    """The shipped network ``name`` (:func:`load_pretrained`), loaded once per process and
    shared by the library's defaults (a load takes ≈ 20 ms, four times a whole inversion);
    :func:`load_pretrained` gives a network of one's own."""
    return load_pretrained(name)


def load_network(path):
    """The network in the bundle file ``path``, whichever its kind (PaperNetwork, PaperEnsemble,
    FieldNetwork or PosteriorNetwork)."""
    from .ensemble import PaperEnsemble
    from .fieldnet import FieldNetwork
    from .paper import PaperNetwork, load_bundle
    from .posteriornet import PosteriorNetwork

    bundle = load_bundle(path)
    kinds = {"ensemble": PaperEnsemble, "field": FieldNetwork, "posterior": PosteriorNetwork}
    kind = kinds.get(bundle.get("kind"), PaperNetwork)
    return kind.from_bundle(bundle, str(path))


def __getattr__(name: str):
    """The names of mtlib 0.1 (:mod:`mtlib._deprecated`), for one release."""
    return renamed(__name__, name)
