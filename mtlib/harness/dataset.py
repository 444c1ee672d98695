"""Chunked, atomic, resumable on-disk datasets of random models and their MT responses.

Layout of a dataset folder::

    manifest.json       every generating parameter, package versions, per-chunk SHA-256,
                        the content hash and whether the dataset is complete
    chunk_00000.npy     float32 (n_chunk, L + 2F): columns ρ (L) | ρa (F) | φ (F)
    ...

Each chunk is generated from its own seed ``[seed, chunk_index]``, written to a temporary
file and renamed into place, and only then recorded in the manifest (itself replaced
atomically). A run killed at any point therefore leaves only whole, verified chunks; the
next run with the same parameters resumes from there and ends with the same content hash
as an uninterrupted run. A finished dataset with the same parameters is reused; one with
different parameters is refused with a message naming the differences.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from .._io import atomic_write
from .._version import VERSION as __version__
from ..forward import mt1d
from ..generator import random_models
from .config import DatasetSpec

MANIFEST = "manifest.json"
SPLITS = {"train": (0.0, 0.8), "val": (0.8, 0.9), "test": (0.9, 1.0)}
"""Deterministic contiguous splits (fractions of the sample index). Samples are i.i.d., so a
contiguous split is as random as a shuffled one and loads only the chunks it needs."""


def make_chunk(spec: DatasetSpec, index: int) -> np.ndarray:
    """Generate chunk ``index``: models from seed ``[seed, index]`` and their responses,
    packed as ``(rows, L + 2F)`` in the storage dtype."""
    s = spec.scheme
    rho = random_models(
        spec.chunk_rows(index),
        seed=[spec.seed, index],
        sampling=s.sampling,
        interp=s.interp,
        n_layers=s.n_layers,
        n_control=s.n_control,
        rho_min_ohmm=s.rho_min_ohmm,
        rho_max_ohmm=s.rho_max_ohmm,
    )
    rhoa, phase = mt1d(rho, np.array(spec.thick_m), np.array(spec.freq_hz))
    return np.concatenate([rho, rhoa, phase], axis=1).astype(spec.storage_dtype)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def _content_hash(chunk_hashes: list[str]) -> str:
    return hashlib.sha256("".join(chunk_hashes).encode()).hexdigest()


def _shown(value):
    """A value for a message: long lists are summarized."""
    return f"<{len(value)} values>" if isinstance(value, list) and len(value) > 4 else value


def _diff(old: dict, new: dict, prefix: str = "") -> list[str]:
    out = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out += _diff(a, b, f"{prefix}{key}.")
        elif a != b:
            out.append(f"{prefix}{key}: on disk {_shown(a)!r}, requested {_shown(b)!r}")
    return out


class Dataset:
    """A finished dataset folder: its spec, hash, and loaders for the splits."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        manifest_path = self.path / MANIFEST
        if not manifest_path.exists():
            raise ValueError(f"path {self.path} holds no dataset ({MANIFEST} missing)")
        self.manifest = json.loads(manifest_path.read_text())
        if not self.manifest.get("complete"):
            raise ValueError(
                f"dataset at {self.path} is incomplete; run build_dataset again to resume it"
            )
        self.spec = DatasetSpec.from_dict(self.manifest["spec"])
        self._files = {int(i): c["file"] for i, c in self.manifest["chunks"].items()}

    @property
    def content_hash(self) -> str:
        return self.manifest["content_hash"]

    @property
    def thick_m(self) -> np.ndarray:
        return np.array(self.spec.thick_m)

    @property
    def freq_hz(self) -> np.ndarray:
        return np.array(self.spec.freq_hz)

    def __len__(self) -> int:
        return self.spec.n_samples

    def __repr__(self) -> str:
        return f"Dataset({str(self.path)!r}, n_samples={len(self)}, hash={self.content_hash[:12]})"

    def split_range(self, split: str) -> tuple[int, int]:
        """Sample index range ``[start, stop)`` of ``split`` (train / val / test / all)."""
        if split == "all":
            return 0, len(self)
        if split not in SPLITS:
            raise ValueError(f"split must be one of {list(SPLITS) + ['all']}, got {split!r}")
        lo, hi = SPLITS[split]
        return int(round(lo * len(self))), int(round(hi * len(self)))

    def load(
        self, split: str = "all", shard: tuple[int, int] | None = None
    ) -> dict[str, np.ndarray]:
        """Arrays of one split: ``rho_ohmm (n, L)``, ``rhoa_ohmm (n, F)``, ``phase_deg (n, F)``.

        Reads only the chunks overlapping the split (memory-mapped). ``shard=(k, n)``: only
        the k-th of n equal contiguous parts of the split (the remainder of the division
        left out), what rank k of n data-parallel processes trains on."""
        start, stop = self.split_range(split)
        if shard is not None:
            k, n = shard
            if not 0 <= k < n:
                raise ValueError(f"shard must be (k, n) with 0 <= k < n, got {shard}")
            size = (stop - start) // n
            start, stop = start + k * size, start + (k + 1) * size
        spec = self.spec
        parts = []
        for index in range(start // spec.chunk_size, -(-stop // spec.chunk_size)):
            first = index * spec.chunk_size
            chunk = np.load(self.path / self._files[index], mmap_mode="r")
            parts.append(np.array(chunk[max(start - first, 0) : stop - first]))
        packed = np.concatenate(parts) if parts else np.empty((0, spec.n_layers + 2 * spec.n_freq))
        n_l, n_f = spec.n_layers, spec.n_freq
        return {
            "rho_ohmm": packed[:, :n_l],
            "rhoa_ohmm": packed[:, n_l : n_l + n_f],
            "phase_deg": packed[:, n_l + n_f :],
        }


def build_dataset(path: str | os.PathLike, spec: DatasetSpec, progress: bool = True) -> Dataset:
    """Create (or resume, or reuse) the dataset described by ``spec`` in folder ``path``.

    Memory stays bounded by one chunk whatever ``spec.n_samples``. Raises ``ValueError`` if
    ``path`` already holds a dataset with other parameters.
    """
    from tqdm.auto import tqdm

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    manifest_path = path / MANIFEST
    wanted = spec.to_dict()
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        differences = _diff(manifest["spec"], wanted)
        if differences:
            raise ValueError(
                f"path {path} already holds a dataset built with other parameters:\n  "
                + "\n  ".join(differences)
                + "\nchoose another folder or delete this one to rebuild."
            )
    else:
        manifest = {"spec": wanted, "chunks": {}, "complete": False}
    manifest["versions"] = {"mtlib": __version__, "numpy": np.__version__}

    for stale in path.glob(".*.tmp"):  # leftovers of a killed writer
        stale.unlink()

    chunks = {int(k): v for k, v in manifest["chunks"].items()}
    # a chunk counts only if its file is there and still has the recorded hash
    done = {
        i
        for i, c in chunks.items()
        if (path / c["file"]).exists() and _sha256_file(path / c["file"]) == c["sha256"]
    }
    if manifest.get("complete") and len(done) == spec.n_chunks:
        return Dataset(path)
    manifest["complete"] = False

    def save_manifest():
        manifest["chunks"] = {str(i): chunks[i] for i in sorted(chunks)}
        text = json.dumps(manifest, indent=1).encode()
        atomic_write(manifest_path, lambda fh: fh.write(text))

    todo = [i for i in range(spec.n_chunks) if i not in done]
    bar = tqdm(
        total=spec.n_samples,
        initial=sum(spec.chunk_rows(i) for i in done),
        unit="sample",
        desc=f"dataset {path.name}",
        disable=not progress,
    )
    for index in todo:
        data = make_chunk(spec, index)
        name = f"chunk_{index:05d}.npy"
        atomic_write(path / name, lambda fh: np.save(fh, data))
        chunks[index] = {
            "file": name,
            "rows": int(data.shape[0]),
            "sha256": _sha256_file(path / name),
        }
        save_manifest()
        bar.update(data.shape[0])
    bar.close()

    manifest["content_hash"] = _content_hash([chunks[i]["sha256"] for i in range(spec.n_chunks)])
    manifest["complete"] = True
    save_manifest()
    return Dataset(path)
