"""Real soundings: EDI files → a rotation-invariant 1D response with honest errors.

What MT users trip on, handled once here (DESIGN.md §5):

* units: EDI files store impedances in field units, mV/km/nT; the reader converts them to Ω
  (``Z[Ω] = 4π·10⁻⁴ · Z[mV/km/nT]``, a factor ≈ 1/796) at the reader, once;
* the 1D response is rotation invariant: the determinant ``sqrt(Zxx·Zyy − Zxy·Zyx)`` by
  default, the Berdichevsky average ``(Zxy − Zyx)/2`` as an option; both put the phase of a
  layered earth in the first quadrant by construction (no ``arctan`` quadrant guessing: Zyx
  sits in the third quadrant and enters with its sign);
* errors: a relative error ``p`` on |Z| (from the file, floored at ``error_floor``) is ``2p``
  on ρa and ``arcsin(p)`` on the phase;
* missing or unusable periods (NaN, zero, a phase outside (0°, 90°)) are masked, never
  replaced by zeros.

mt-metadata (extra ``field``) reads the files and is imported only when a file is read.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .forward import apparent_resistivity_phase

FIELD_UNITS_TO_OHM = 4e-4 * np.pi
"""mV/km/nT → Ω: (1e-6 V/m) / (1e-9 T / μ0) = 1e3·μ0."""

INVARIANTS = ("det", "berdichevsky")


@dataclass
class Response1D:
    """A 1D sounding ready for inversion; arrays (F,), frequencies high → low."""

    freq_hz: np.ndarray
    rhoa_ohmm: np.ndarray
    phase_deg: np.ndarray
    z_rel_err: np.ndarray      # relative error of |Z| after the floor
    mask: np.ndarray           # True where the period is usable

    @property
    def rhoa_rel_err(self) -> np.ndarray:
        """Relative error of ρa: twice that of |Z|."""
        return 2.0 * self.z_rel_err

    @property
    def phase_err_deg(self) -> np.ndarray:
        """Phase error in degrees: ``arcsin(p)`` for a relative error ``p`` of |Z|."""
        return np.degrees(np.arcsin(np.minimum(self.z_rel_err, 1.0)))


@dataclass
class Sounding:
    """An impedance tensor sounding in Ω; ``z_ohm`` (F, 2, 2) complex, ``z_err_ohm`` (F, 2, 2)
    standard deviations (NaN where the file has none), frequencies high → low."""

    station: str
    freq_hz: np.ndarray
    z_ohm: np.ndarray
    z_err_ohm: np.ndarray
    latitude: float = float("nan")
    longitude: float = float("nan")

    def response(self, invariant: str = "det", error_floor: float = 0.05) -> Response1D:
        """The rotation-invariant 1D response, errors floored at ``error_floor`` on |Z|."""
        if invariant not in INVARIANTS:
            raise ValueError(f"invariant must be one of {INVARIANTS}, got {invariant!r}")
        if not 0 < error_floor < 1:
            raise ValueError(f"error_floor must be in (0, 1), got {error_floor}")
        z, dz = self.z_ohm, self.z_err_ohm
        zxx, zxy, zyx, zyy = z[:, 0, 0], z[:, 0, 1], z[:, 1, 0], z[:, 1, 1]
        if invariant == "det":
            z1 = np.sqrt(zxx * zyy - zxy * zyx)
            # linear error propagation of sqrt(det) with independent element errors
            with np.errstate(divide="ignore", invalid="ignore"):
                grad = np.stack([zyy, -zyx, -zxy, zxx], axis=-1) / (2 * z1[:, None])
            errs = np.stack([dz[:, 0, 0], dz[:, 0, 1], dz[:, 1, 0], dz[:, 1, 1]], axis=-1)
        else:
            z1 = 0.5 * (zxy - zyx)
            grad = np.full((z.shape[0], 2), 0.5)
            errs = np.stack([dz[:, 0, 1], dz[:, 1, 0]], axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            sigma = np.sqrt(np.sum(np.abs(grad) ** 2 * errs**2, axis=-1))
            rel = sigma / np.abs(z1)
        rel = np.where(np.isfinite(rel), np.maximum(rel, error_floor), error_floor)
        rhoa, phase = apparent_resistivity_phase(z1, self.freq_hz)
        mask = (np.isfinite(z1) & (np.abs(z1) > 0) & (phase > 0) & (phase < 90)
                & np.isfinite(rhoa) & (rhoa > 0))
        return Response1D(self.freq_hz, np.where(mask, rhoa, np.nan),
                          np.where(mask, phase, np.nan), rel, mask)


def read_edi(path: str | Path) -> Sounding:
    """Read an EDI file (impedances in mV/km/nT) into a :class:`Sounding` in Ω."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"EDI file not found: {path}")
    try:
        from loguru import logger
        from mt_metadata.transfer_functions.io.edi import EDI

        logger.disable("mt_metadata")  # its unit warnings would drown the user's output
    except ImportError as err:  # pragma: no cover - exercised only without the extra
        raise ImportError("reading EDI files needs mt-metadata: pip install 'mtlib[field]'") \
            from err
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            edi = EDI(fn=str(path))
    except Exception as err:
        raise ValueError(f"cannot read EDI file {path}: {err}") from err
    if edi.z is None or edi.frequency is None or len(edi.frequency) == 0:
        raise ValueError(f"EDI file {path} holds no impedance tensor (Z) data")
    freq = np.asarray(edi.frequency, dtype=float)
    order = np.argsort(freq)[::-1]  # high → low
    z = np.asarray(edi.z, dtype=complex)[order] * FIELD_UNITS_TO_OHM
    if edi.z_err is not None:
        z_err = np.asarray(edi.z_err, dtype=float)[order] * FIELD_UNITS_TO_OHM
        z_err = np.where(z_err > 0, z_err, np.nan)  # 0 means "not given"
    else:
        z_err = np.full(z.shape, np.nan)
    z = np.where((z == 0) | ~np.isfinite(z), np.nan, z)  # missing entries, never zeros
    station = str(getattr(edi, "station", None) or path.stem)
    return Sounding(station, freq[order], z, z_err,
                    float(getattr(edi, "lat", np.nan) or np.nan),
                    float(getattr(edi, "lon", np.nan) or np.nan))


def example_edi_files() -> list[Path]:
    """The real EDI files that ship with mt-metadata (no download needed)."""
    import mt_metadata

    folder = Path(mt_metadata.__file__).parent / "data" / "transfer_functions"
    return sorted(folder.glob("tf_edi_*.edi"))
