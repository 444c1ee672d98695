"""mtlib: fast 1D magnetotelluric inversion with a 1D U-Net (companion of the paper)."""

__version__ = "0.1.0"

from .pretrained import (  # noqa: E402  (after __version__, which submodules read)
    DEFAULT_ENSEMBLE,
    DEFAULT_FIELD_NETWORK,
    DEFAULT_NETWORK,
    WEIGHTS_DIR,
    load_pretrained,
)

__all__ = [
    "DEFAULT_ENSEMBLE",
    "DEFAULT_FIELD_NETWORK",
    "DEFAULT_NETWORK",
    "WEIGHTS_DIR",
    "invert",
    "load_pretrained",
]


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
