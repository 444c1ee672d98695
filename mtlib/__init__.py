"""mtlib: fast 1D magnetotelluric inversion with a 1D U-Net (companion of the paper)."""

__version__ = "0.1.0"

from importlib.resources import files as _files
from pathlib import Path as _Path

WEIGHTS_DIR = _Path(str(_files(__name__).joinpath("weights")))
"""The shipped networks and their model cards: package data, found the same way from a
checkout, an editable install and a wheel."""
DEFAULT_NETWORK = "unet_quick"
DEFAULT_ENSEMBLE = "ensemble_quick"
DEFAULT_FIELD_NETWORK = "field_quick"
"""The network :func:`invert` and the CLI use for real data (:mod:`mtlib.fieldnet`)."""


def load_pretrained(name: str = DEFAULT_NETWORK):
    """The shipped network ``mtlib/weights/<name>.pt``: an :class:`mtlib.inverter.Inverter` (the
    paper's network, default), an :class:`mtlib.ensemble.Ensemble` with calibrated
    uncertainty for ``"ensemble_quick"`` (``rho, std = net.predict(rhoa, phase,
    return_std=True)``), or the field network :class:`mtlib.fieldnet.FieldNetwork` for
    ``"field_quick"`` (what :func:`invert` uses).

    Its model card (profile, data, epochs, device, test metrics) is ``.training`` and
    ``mtlib/weights/<name>.card.json``.
    """
    from .ensemble import Ensemble
    from .fieldnet import FieldNetwork
    from .inverter import Inverter, load_bundle

    path = WEIGHTS_DIR / f"{name}.pt"
    if not path.exists():
        available = sorted(p.stem for p in WEIGHTS_DIR.glob("*.pt"))
        raise ValueError(f"no shipped network named {name!r} in {WEIGHTS_DIR}; "
                         f"available: {available}")
    bundle = load_bundle(path)
    kind = {"ensemble": Ensemble, "field": FieldNetwork}.get(bundle.get("kind"), Inverter)
    return kind.from_bundle(bundle, str(path))


def invert(freq_hz, rhoa_ohmm, phase_deg, z_rel_err=0.05, **kwargs):
    """Invert one sounding at any frequencies: the shipped field network's first guess
    (any band, told the errors), then Occam/Gauss–Newton on a grid that covers the data,
    with the guess as reference model.

    ``z_rel_err`` is the relative error of |Z| (``rel_err=`` is accepted too). See
    :func:`mtlib.inversion.invert`; ``res.rho_ohmm``, ``res.depth_m``, ``res.nrms``,
    ``res.predicted`` (ρa, φ), ``res.rho_network_ohmm`` (the network's guess),
    ``res.iterations``, ``res.doi_m``. Many soundings: :func:`mtlib.inversion.invert_many`.
    """
    from .inversion import invert as _invert

    return _invert(freq_hz, rhoa_ohmm, phase_deg, z_rel_err, **kwargs)
