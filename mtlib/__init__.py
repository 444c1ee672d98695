"""mtlib: fast 1D magnetotelluric inversion with a 1D U-Net (companion of the paper).

The library a field user needs: :func:`invert` (any band, real errors → the field network's
guess → Occam's inversion) and :func:`load_pretrained` (the shipped networks). Under it,
the physics (:mod:`mtlib.grid`, :mod:`mtlib.forward`, :mod:`mtlib.data_errors`), the
networks (:mod:`mtlib.networks`) and the inversion (:mod:`mtlib.inversion`); apart from
it, the paper's harness (:mod:`mtlib.harness`: profiles, datasets, training, cards).
"""

from . import _deprecated
from ._version import VERSION as __version__
from .networks.pretrained import (
    DEFAULT_ENSEMBLE,
    DEFAULT_FIELD_NETWORK,
    DEFAULT_NETWORK,
    WEIGHTS_DIR,
    load_pretrained,
)

_deprecated.install()

__all__ = [
    "DEFAULT_ENSEMBLE",
    "DEFAULT_FIELD_NETWORK",
    "DEFAULT_NETWORK",
    "WEIGHTS_DIR",
    "__version__",
    "invert",
    "load_pretrained",
    "sample",
]


def invert(freq_hz, rhoa_ohmm, phase_deg, z_rel_err=0.05, **kwargs):
    """Invert one sounding at any frequencies: the shipped field network's first guess
    (any band, told the errors), then Occam/Gauss–Newton on a grid that covers the data,
    with the guess as reference model.

    ``z_rel_err`` is the relative error of |Z|. See :func:`mtlib.inversion.invert`;
    ``res.rho_ohmm``, ``res.depth_m``, ``res.nrms``, ``res.predicted`` (ρa, φ),
    ``res.rho_network_ohmm`` (the network's guess), ``res.iterations``, ``res.doi_m``.
    Many soundings: :func:`mtlib.inversion.invert_many`.
    """
    from .inversion import invert as _invert

    return _invert(freq_hz, rhoa_ohmm, phase_deg, z_rel_err, **kwargs)


def sample(freq_hz, rhoa_ohmm, phase_deg, z_rel_err=0.05, mask=None, **kwargs):
    """The posterior of a layered earth for one sounding, by trans-dimensional MCMC: the
    same inputs as :func:`invert`; chains started from its result, stopped when they agree
    (split-R̂, effective sample size). See :func:`mtlib.posterior.sample`;
    ``post.interval(0.9)``, ``post.median``, ``post.n_layers_probability``, ``post.plot()``.
    """
    from .posterior import sample as _sample

    return _sample(freq_hz, rhoa_ohmm, phase_deg, z_rel_err, mask, **kwargs)
