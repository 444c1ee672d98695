"""Finished stations on disk, so that a run that stops loses none and resumes.

One file per station (pickle, written atomically: :func:`mtlib._io.atomic_write`), named by
the station and a fingerprint of everything its result depends on: the task, its settings
and the sounding's own arrays. A rerun with the same settings finds the stations already
done, whatever the order or the number of soundings it is given; a rerun with other
settings (or changed data) finds none of them and computes afresh.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
import re
from pathlib import Path

import numpy as np

from .._io import atomic_write


def _feed(h, value) -> None:
    """Feed ``value`` into the hash ``h`` canonically: arrays by dtype, shape and bytes,
    mappings by sorted keys, dataclasses by their fields, other values by ``repr``."""
    if isinstance(value, np.ndarray):
        h.update(f"array{value.dtype.str}{value.shape}".encode())
        h.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, dict):
        h.update(b"dict")
        for key in sorted(value, key=str):
            _feed(h, str(key))
            _feed(h, value[key])
    elif isinstance(value, (list, tuple)):
        h.update(f"seq{len(value)}".encode())
        for item in value:
            _feed(h, item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        h.update(type(value).__name__.encode())
        _feed(h, {f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
    else:
        h.update(repr(value).encode())
    h.update(b";")


def fingerprint(*values) -> str:
    """A hex digest (32 characters) of ``values`` (see :func:`_feed`)."""
    h = hashlib.sha256()
    for value in values:
        _feed(h, value)
    return h.hexdigest()[:32]


class Store:
    """The finished stations of one task and its ``settings`` (a dict) in ``folder``."""

    def __init__(self, folder: str | Path, settings: dict):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.settings = fingerprint(settings)

    def path(self, response) -> Path:
        """The file of a sounding (:class:`mtlib.data_errors.Response1D`)."""
        station = re.sub(r"[^A-Za-z0-9_.-]", "_", response.station or "station")
        return self.folder / f"{station}-{fingerprint(self.settings, response)}.pkl"

    def load(self, response) -> tuple[bool, object]:
        """(True, its result) when the sounding is done, else (False, None)."""
        path = self.path(response)
        if not path.is_file():
            return False, None
        with open(path, "rb") as fh:
            return True, pickle.load(fh)

    def save(self, response, result) -> Path:
        """Write a sounding's result (atomically)."""
        data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        return atomic_write(self.path(response), lambda fh: fh.write(data))
