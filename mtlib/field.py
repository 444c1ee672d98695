"""Real soundings: EDI and EMTF-XML files → a rotation-invariant 1D response with honest errors.

What MT users trip on, handled once here (docs/design.md, "Field data"):

* formats: EDI and EMTF-XML (the format of national MT archives) are both read by
  mt-metadata's transfer-function reader (extra ``field``, imported only when a file is
  read); a file that parses to no usable impedance is a clear ``ValueError``;
* units: the reader gives impedances in field units, mV/km/nT; they are converted to Ω
  (``Z[Ω] = 4π·10⁻⁴ · Z[mV/km/nT]``, a factor ≈ 1/796) here, once;
* the 1D response is rotation invariant: the determinant ``sqrt(Zxx·Zyy − Zxy·Zyx)`` by
  default, the Berdichevsky average ``(Zxy − Zyx)/2`` as an option; both put the phase of a
  layered earth in the first quadrant (no ``arctan`` quadrant guessing: Zyx sits in the
  third quadrant and enters with its sign). A file whose invariant has its median phase in
  the fourth quadrant is read as written with the opposite time convention (``e^{-iωt}``)
  and conjugated, with a warning: a guess, since a 3D earth's out-of-quadrant phases look
  the same;
* errors (:mod:`mtlib.data_errors`): a relative error ``p`` on |Z| (from the file, floored at
  ``error_floor``) is ``2p`` on ρa and ``arcsin(p)`` on the phase; periods whose error
  reaches the cap are masked with a warning;
* missing or unusable periods (NaN, zero, a phase outside (0°, 90°)) are masked, never
  replaced by zeros;
* dimensionality, per period (Caldwell, Bibby & Brown 2004; Bibby, Caldwell & Brown 2005):
  the phase tensor's skew β and ellipticity, both free of galvanic distortion and of the
  rotation, and the split between the two modes' apparent resistivities. A 1D earth has β
  and ellipticity 0 (and no split unless galvanic distortion shifts one mode); a 2D earth
  has β = 0 but not the ellipticity; so β alone cannot tell 2D from 1D
  (:func:`phase_tensor_skew_deg`, :func:`phase_tensor_ellipticity`,
  :func:`mode_split_decades`). ``max_skew_deg`` masks periods of large |β|.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import data_errors
from .data_errors import Response1D
from .forward import apparent_resistivity_phase

FIELD_UNITS_TO_OHM = 4e-4 * np.pi
"""mV/km/nT → Ω: (1e-6 V/m) / (1e-9 T / μ0) = 1e3·μ0."""

NO_DATA = 1e30
"""|Z| (field units) at or above which an entry is a writer's "no data" value (1e32)."""
INVARIANTS = ("det", "berdichevsky")
SUFFIXES = (".edi", ".xml")
SOUNDINGS_DIR = Path(__file__).resolve().parent / "soundings"
"""The project's real-data set (EDI and EMTF-XML; provenance in its README.md)."""


def e_minus_iwt(z_ohm) -> bool:
    """Whether impedances ``(F,)`` come in the e^(-iωt) time convention: their phases lie in
    the fourth quadrant (mtlib's e^(+iωt) puts a 1D earth's in the first). Conjugate them."""
    z_ohm = np.asarray(z_ohm)
    finite = np.isfinite(z_ohm) & (np.abs(z_ohm) > 0)
    return bool(finite.any() and np.median(np.angle(z_ohm[finite])) < 0)


def _phase_tensor(z_ohm):
    """Elements ``(Φ11, Φ12, Φ21, Φ22)``, each (F,), of the phase tensor ``Φ = X⁻¹ Y`` of
    impedance tensors ``Z = X + iY`` (F, 2, 2); NaN where X is singular or Z incomplete."""
    z = np.asarray(z_ohm)
    x, y = z.real, z.imag
    det_x = x[:, 0, 0] * x[:, 1, 1] - x[:, 0, 1] * x[:, 1, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        # X⁻¹ Y written out: adj(X) Y / det X
        return (
            (x[:, 1, 1] * y[:, 0, 0] - x[:, 0, 1] * y[:, 1, 0]) / det_x,
            (x[:, 1, 1] * y[:, 0, 1] - x[:, 0, 1] * y[:, 1, 1]) / det_x,
            (x[:, 0, 0] * y[:, 1, 0] - x[:, 1, 0] * y[:, 0, 0]) / det_x,
            (x[:, 0, 0] * y[:, 1, 1] - x[:, 1, 0] * y[:, 0, 1]) / det_x,
        )


def phase_tensor_skew_deg(z_ohm) -> np.ndarray:
    """Phase-tensor skew angle β in degrees, ``(F,)`` from impedance tensors ``(F, 2, 2)``.

    ``β = ½ arctan((Φ12 − Φ21) / (Φ11 + Φ22))``, independent of rotation, of galvanic
    distortion and of the time convention; NaN where the tensor is incomplete. β is 0 for a
    1D **and** for a 2D earth: |β| beyond a few degrees says 3D, a small |β| does not say
    1D (:func:`phase_tensor_ellipticity` tells 2D from 1D).
    """
    p11, p12, p21, p22 = _phase_tensor(z_ohm)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.degrees(0.5 * np.arctan((p12 - p21) / (p11 + p22)))


def phase_tensor_ellipticity(z_ohm) -> np.ndarray:
    """Phase-tensor ellipticity ``(Φmax − Φmin) / (Φmax + Φmin)``, ``(F,)`` from impedance
    tensors ``(F, 2, 2)``; NaN where the tensor is incomplete.

    With ``Π1 = ½ |(Φ11 − Φ22, Φ12 + Φ21)|`` and ``Π2 = ½ |(Φ11 + Φ22, Φ12 − Φ21)|``,
    ``Φmax, Φmin = Π2 ± Π1`` and the ellipticity is ``Π1 / Π2``. Free of galvanic
    distortion, rotation and time convention, like β. It is 0 only where the phases of all
    directions agree: in 1D. A 2D earth gives β = 0 but an ellipticity that grows with the
    difference of its two modes' phases; 3D gives both. Noise alone makes it a few
    hundredths where the impedances carry errors of a few per cent.
    """
    p11, p12, p21, p22 = _phase_tensor(z_ohm)
    pi1 = 0.5 * np.hypot(p11 - p22, p12 + p21)
    pi2 = 0.5 * np.hypot(p11 + p22, p12 - p21)
    with np.errstate(divide="ignore", invalid="ignore"):
        return pi1 / pi2


def mode_split_decades(z_ohm) -> np.ndarray:
    """``log10(ρa,xy / ρa,yx)`` (F,) from impedance tensors ``(F, 2, 2)``: how far apart the
    two modes' apparent resistivities are (NaN where either is missing).

    0 for an undistorted 1D earth, whatever the rotation; a 2D earth splits them (TE and TM
    differ). Unlike β and the ellipticity it depends on the rotation, and galvanic
    distortion (static shift) splits the modes of any earth, 1D included, by a factor
    independent of frequency: a split that varies with period is the earth's, a constant
    one may be the surface's.
    """
    z = np.asarray(z_ohm)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 2 * np.log10(np.abs(z[:, 0, 1]) / np.abs(z[:, 1, 0]))


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

    @property
    def skew_deg(self) -> np.ndarray:
        """Phase-tensor skew β (F,) in degrees (:func:`phase_tensor_skew_deg`)."""
        return phase_tensor_skew_deg(self.z_ohm)

    @property
    def ellipticity(self) -> np.ndarray:
        """Phase-tensor ellipticity (F,) (:func:`phase_tensor_ellipticity`)."""
        return phase_tensor_ellipticity(self.z_ohm)

    @property
    def mode_split_decades(self) -> np.ndarray:
        """log10(ρa,xy / ρa,yx) (F,) (:func:`mode_split_decades`)."""
        return mode_split_decades(self.z_ohm)

    def response(
        self,
        invariant: str = "det",
        error_floor: float = 0.05,
        z_err_cap: float = data_errors.Z_REL_ERR_CAP,
        max_skew_deg: float | None = None,
    ) -> Response1D:
        """The rotation-invariant 1D response, errors floored at ``error_floor`` on |Z|.

        Periods are masked where the invariant is missing or its phase is outside (0°, 90°),
        where the |Z| error reaches ``z_err_cap`` (with a warning naming them), and, when
        ``max_skew_deg`` is given, where the phase-tensor skew exceeds it (not 1D there).
        """
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
        finite = np.isfinite(z1) & (np.abs(z1) > 0)
        if e_minus_iwt(z1):
            warnings.warn(
                f"{self.station}: the {invariant} invariant's phases lie in the fourth "
                "quadrant, read as the e^(-iωt) time convention: its impedances are "
                "conjugated to mtlib's e^(+iωt) (out-of-quadrant phases of a 3D earth "
                "look the same: check the tensor)",
                UserWarning,
                stacklevel=2,
            )
            z1 = np.conj(z1)
        rhoa, phase = apparent_resistivity_phase(z1, self.freq_hz)
        valid = finite & (phase > 0) & (phase < 90) & np.isfinite(rhoa) & (rhoa > 0)
        mask = valid.copy()
        if max_skew_deg is not None:
            mask &= ~(np.abs(self.skew_deg) > max_skew_deg)  # NaN skew (no tensor): kept
        mask = data_errors.usable_errors(
            self.freq_hz, rel, mask, cap=z_err_cap, name="|Z| error", who=self.station
        )
        # masked but valid periods keep their values (to be shown); invalid ones are NaN
        return Response1D(
            self.freq_hz,
            np.where(valid, rhoa, np.nan),
            np.where(valid, phase, np.nan),
            rel,
            mask,
            self.station,
        )


def read(path: str | Path) -> Sounding:
    """Read an EDI or EMTF-XML file (impedances in mV/km/nT) into a :class:`Sounding` in Ω.

    Frequencies come out high → low; missing entries (NaN or exactly 0) are NaN, errors of
    0 ("not given") NaN. A file that cannot be parsed, or holds no finite impedance, is a
    ``ValueError`` naming the file.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"file not found: {path}")
    if path.suffix.lower() not in SUFFIXES:
        raise ValueError(f"{path}: expected an EDI (.edi) or EMTF-XML (.xml) file")
    try:
        from loguru import logger
        from mt_metadata.transfer_functions.core import TF
    except ImportError as err:  # pragma: no cover - exercised only without the extra
        raise ImportError("reading MT files needs mt-metadata: pip install 'mtlib[field]'") from err
    logger.disable("mt_metadata")  # its per-file warnings would drown the user's output
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tf = TF(fn=str(path))
            tf.read()
        has_z = bool(tf.has_impedance())
    except Exception as err:
        raise ValueError(f"cannot read {path}: {type(err).__name__}: {err}") from err
    finally:
        logger.enable("mt_metadata")
    if not has_z or tf.period is None or len(tf.period) == 0:
        raise ValueError(f"{path} holds no impedance tensor (Z): nothing to invert")
    freq = 1.0 / np.asarray(tf.period, dtype=float)
    order = np.argsort(freq)[::-1]  # high → low
    z = np.asarray(tf.impedance.values, dtype=complex)[order] * FIELD_UNITS_TO_OHM
    # missing entries: zeros, NaN, or the 1e32 "no data" value of EDI and EMTF-XML writers
    missing = (z == 0) | ~np.isfinite(z) | (np.abs(z) >= NO_DATA * FIELD_UNITS_TO_OHM)
    z = np.where(missing, np.nan, z)
    if not np.isfinite(z).any():
        raise ValueError(f"{path} holds no finite impedance value (a truncated file?)")
    z_err = np.full(z.shape, np.nan)
    if tf.impedance_error is not None:
        z_err = np.asarray(tf.impedance_error.values, dtype=float)[order] * FIELD_UNITS_TO_OHM
        z_err = np.where((z_err > 0) & ~missing, z_err, np.nan)  # 0 means "not given"
    station = str(tf.station or path.stem)
    latitude, longitude = (
        float(v) if v is not None else float("nan") for v in (tf.latitude, tf.longitude)
    )
    return Sounding(station, freq[order], z, z_err, latitude, longitude)


def read_edi(path: str | Path) -> Sounding:
    """Read an EDI file: :func:`read` (which also takes EMTF-XML)."""
    return read(path)


def real_soundings() -> list[Path]:
    """The project's real-data set: field soundings from public surveys (EDI and EMTF-XML),
    shipped with the package; provenance and licences in ``mtlib/soundings/README.md``."""
    return sorted(p for p in SOUNDINGS_DIR.iterdir() if p.suffix.lower() in SUFFIXES)


def example_edi_files() -> list[Path]:
    """The real EDI files that ship with mt-metadata (no download needed)."""
    import mt_metadata

    folder = Path(mt_metadata.__file__).parent / "data" / "transfer_functions"
    return sorted(folder.glob("tf_edi_*.edi"))
