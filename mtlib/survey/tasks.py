"""The work of one chunk of stations: what :func:`mtlib.survey.runner.run` sends to a worker.

Each task takes a list of soundings (:class:`mtlib.data_errors.Response1D`), the name of a
shipped network (None: the field network; a worker loads it once and keeps it) and the
task's own options, and returns one result per sounding, in order; a sounding that cannot
be used gives :class:`Refused` instead of stopping its chunk.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..data_errors import Z_REL_ERR_CAP
from ..inversion import invert_many
from ..inversion.checks import usable_soundings
from ..networks.pretrained import DEFAULT_FIELD_NETWORK, shared_pretrained


@dataclass(frozen=True)
class Refused:
    """A sounding that could not be used, and why."""

    station: str
    reason: str


def network_named(name: str | None):
    """The shipped network ``name`` (None: the default field network), loaded once per
    process (:func:`~mtlib.networks.pretrained.shared_pretrained`)."""
    return shared_pretrained(name or DEFAULT_FIELD_NETWORK)


def invert_chunk(responses, net: str | None = None, **options) -> list:
    """:func:`mtlib.inversion.invert_many` of the chunk (``options``: its settings):
    :class:`mtlib.inversion.InversionResult` per sounding."""
    refused: dict = {}
    results = invert_many(responses, network_named(net), refused=refused, **options)
    return [
        Refused(r.station, refused[k]) if res is None else res
        for k, (r, res) in enumerate(zip(responses, results))
    ]


def guess_chunk(
    responses, net: str | None = None, level: float = 0.95, z_err_cap: float = Z_REL_ERR_CAP
) -> list:
    """The network's guess of each sounding on its own layers
    (:meth:`mtlib.networks.predictor.Guesses.sounding`: ``rho``, ``tops_m``, ``std``,
    ``low``, ``high``), its central ``level`` interval; periods checked and masked as
    :func:`mtlib.inversion.invert_many` does (``z_err_cap``)."""
    refused: dict = {}
    data, kept = usable_soundings(list(responses), z_err_cap, refused=refused)
    out: list = [Refused(r.station, refused.get(k, "")) for k, r in enumerate(responses)]
    if data:
        guesses = network_named(net).guess_arrays(data, level)
        for j, k in enumerate(kept):
            out[k] = guesses.sounding(j)
    return out


def sample_chunk(responses, net: str | None = None, **options) -> list:
    """:func:`mtlib.posterior.sample` of each sounding (``options``: its keywords, seed
    included): :class:`mtlib.posterior.Posterior` per sounding."""
    from ..posterior import sample as sample_one

    out: list = []
    for r in responses:
        try:
            out.append(
                sample_one(
                    r.freq_hz,
                    r.rhoa_ohmm,
                    r.phase_deg,
                    r.z_rel_err,
                    r.mask,
                    station=r.station,
                    net=network_named(net),
                    **options,
                )
            )
        except ValueError as err:
            out.append(Refused(r.station, str(err)))
    return out


TASKS = {"invert": invert_chunk, "network": guess_chunk, "sample": sample_chunk}
"""Task name → the function that runs one chunk."""
CHUNK_SIZES = {"invert": 32, "network": 256, "sample": 1}
"""Stations per chunk by default: inversions and guesses are batched (a chunk costs little
more than one sounding), a posterior takes seconds to minutes alone."""
