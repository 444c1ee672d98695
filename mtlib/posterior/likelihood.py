"""The sampler's two data models, compiled into the arrays its kernel reads.

* ``"rhoa_phase"`` — mtlib's error model (:mod:`mtlib.data_errors`): d = [ln ρa, φ (rad)]
  with standard errors ``2p`` and ``arcsin p`` for a relative error ``p`` of |Z|; masked
  periods are left out, and periods whose error reaches the cap are masked with the usual
  warning.
* ``"impedance"`` — d = [Re Z, Im Z] in Ω with given standard errors per part. With
  ``σ = sqrt((0.05 |part|)² + 0.025²)`` in mV/km/nT on the determinant impedance
  (:meth:`Likelihood.rjmcmcmt`) it is the model rjmcmcmt samples.

Either way the errors are independent Gaussians and the log-likelihood is ``−χ²/2``. A
static shift ``s`` (a factor on ρa) adds ``ln s`` to ln ρa, or multiplies Z by ``sqrt s``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import data_errors
from .._checks import check_positive_finite
from ..field import FIELD_UNITS_TO_OHM, Sounding
from ..forward import MU0
from . import kernel

KINDS = ("rhoa_phase", "impedance")
RJMCMCMT_RELATIVE = 0.05
"""rjmcmcmt's ``ErrorRelative`` (of Re Z and of Im Z) in its examples."""
RJMCMCMT_FLOOR = 0.025
"""rjmcmcmt's ``ErrorFloor`` in its examples, in mV/km/nT."""


def _vector(name: str, values, n: int, dtype=float) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim == 0:
        arr = np.full(n, arr)
    if arr.shape != (n,):
        raise ValueError(f"{name} must be a scalar or have shape ({n},), got {arr.shape}")
    return arr.astype(dtype)


@dataclass(frozen=True)
class Likelihood:
    """Gaussian errors on data (F,) at the usable frequencies ``freq_hz`` (high → low).

    ``kind`` (:data:`KINDS`): ``d1``, ``d2`` are ln ρa and φ (rad), or Re Z and Im Z (Ω);
    ``sigma1``, ``sigma2`` their standard errors. ``rhoa_ohmm``, ``phase_deg`` and
    ``z_rel_err`` are the same data as mtlib's inversion reads them (for the chains'
    starting models and the depth of investigation).
    """

    kind: str
    freq_hz: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    sigma1: np.ndarray
    sigma2: np.ndarray
    station: str = ""
    _arrays: tuple = field(default=(), repr=False, compare=False)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        n = np.shape(self.freq_hz)[0] if np.ndim(self.freq_hz) == 1 else -1
        if n < 0:
            raise ValueError(f"freq_hz must be 1-D, got shape {np.shape(self.freq_hz)}")
        for name in ("d1", "d2", "sigma1", "sigma2"):
            if np.shape(getattr(self, name)) != (n,):
                raise ValueError(f"{name} must have shape ({n},) like freq_hz")
        check_positive_finite("freq_hz", self.freq_hz, allow_empty=True)
        check_positive_finite("sigma1", self.sigma1, allow_empty=True)
        check_positive_finite("sigma2", self.sigma2, allow_empty=True)
        if not (np.all(np.isfinite(self.d1)) and np.all(np.isfinite(self.d2))):
            raise ValueError("d1 and d2 must be finite")
        object.__setattr__(self, "_arrays", self._kernel_arrays())

    @property
    def n_data(self) -> int:
        """Number of real data (2 per frequency)."""
        return 2 * self.freq_hz.size

    @property
    def z_ohm(self) -> np.ndarray:
        """The data as impedances (F,) in Ω."""
        if self.kind == "impedance":
            return self.d1 + 1j * self.d2
        return np.sqrt(np.exp(self.d1) * 2 * np.pi * self.freq_hz * MU0) * np.exp(1j * self.d2)

    @property
    def rhoa_ohmm(self) -> np.ndarray:
        return np.abs(self.z_ohm) ** 2 / (2 * np.pi * self.freq_hz * MU0)

    @property
    def phase_deg(self) -> np.ndarray:
        return np.degrees(np.angle(self.z_ohm))

    @property
    def z_rel_err(self) -> np.ndarray:
        """Relative error of |Z| (F,): ``p`` of mtlib's model, or for Re/Im errors the
        linear propagation ``sqrt((Re Z σ_re)² + (Im Z σ_im)²) / |Z|²``."""
        if self.kind == "rhoa_phase":
            return data_errors.z_rel_err_from_rhoa(self.sigma1)
        z = self.z_ohm
        return np.hypot(z.real * self.sigma1, z.imag * self.sigma2) / np.abs(z) ** 2

    def kernel_arrays(self) -> tuple[int, np.ndarray]:
        """The kernel's data kind and array (7, F) (rows ``kernel.*_ROW``), frequencies
        ordered by their Niblett–Bostick depth, shallow first."""
        return self._arrays

    def _kernel_arrays(self) -> tuple[int, np.ndarray]:
        freq = np.asarray(self.freq_hz, dtype=float)
        omega_mu = 2 * np.pi * freq * MU0
        rows = np.empty((7, freq.size))
        rows[kernel.C_ROW] = np.sqrt(0.5 * omega_mu)
        rows[kernel.LOG_OMEGA_MU_ROW] = np.log(omega_mu)
        rows[kernel.D1_ROW], rows[kernel.D2_ROW] = self.d1, self.d2
        rows[kernel.W1_ROW], rows[kernel.W2_ROW] = 1 / self.sigma1, 1 / self.sigma2
        rows[kernel.DEPTH_ROW] = 0.5 * np.log10(self.rhoa_ohmm / omega_mu) if freq.size else 0
        order = np.argsort(rows[kernel.DEPTH_ROW], kind="stable")
        code = kernel.RHOA_PHASE if self.kind == "rhoa_phase" else kernel.IMPEDANCE
        return code, np.ascontiguousarray(rows[:, order])

    @classmethod
    def empty(cls) -> Likelihood:
        """No data: the sampler then draws from the prior."""
        none = np.empty(0)
        return cls("impedance", none, none, none, none, none)

    @classmethod
    def rhoa_phase(
        cls, freq_hz, rhoa_ohmm, phase_deg, z_rel_err, mask=None, station: str = ""
    ) -> Likelihood:
        """mtlib's error model on a sounding (F,): ``z_rel_err`` the relative error of |Z|
        (scalar or (F,)); ``mask`` (F,) True where a period is usable (default: all);
        errors at or above :data:`mtlib.data_errors.Z_REL_ERR_CAP` are masked with a
        warning."""
        freq = np.asarray(freq_hz, dtype=float)
        if freq.ndim != 1:
            raise ValueError(f"freq_hz must be 1-D (F,), got shape {freq.shape}")
        n = freq.size
        rhoa, phase = _vector("rhoa_ohmm", rhoa_ohmm, n), _vector("phase_deg", phase_deg, n)
        p = _vector("z_rel_err", z_rel_err, n)
        mask = np.ones(n, bool) if mask is None else _vector("mask", mask, n, bool)
        mask = data_errors.usable_errors(freq, p, mask, who=station)
        check_positive_finite("freq_hz", freq[mask], allow_empty=True)
        check_positive_finite("rhoa_ohmm", rhoa[mask], allow_empty=True)
        if not np.all(np.isfinite(phase[mask])):
            raise ValueError("phase_deg contains non-finite values on usable periods")
        return cls(
            "rhoa_phase",
            freq[mask],
            np.log(rhoa[mask]),
            np.radians(phase[mask]),
            data_errors.rhoa_rel_err(p[mask]),
            data_errors.phase_std_rad(p[mask]),
            station,
        )

    @classmethod
    def impedance(cls, freq_hz, z_ohm, sigma_re_ohm, sigma_im_ohm, station: str = "") -> Likelihood:
        """Re Z and Im Z (F,) in Ω with their standard errors (scalars or (F,), Ω)."""
        freq = np.asarray(freq_hz, dtype=float)
        if freq.ndim != 1:
            raise ValueError(f"freq_hz must be 1-D (F,), got shape {freq.shape}")
        z = np.asarray(z_ohm)
        if z.shape != freq.shape:
            raise ValueError(f"z_ohm must have shape {freq.shape} like freq_hz, got {z.shape}")
        z = z.astype(complex)
        return cls(
            "impedance",
            freq,
            z.real,
            z.imag,
            _vector("sigma_re_ohm", sigma_re_ohm, freq.size),
            _vector("sigma_im_ohm", sigma_im_ohm, freq.size),
            station,
        )

    @classmethod
    def impedance_errors(
        cls,
        freq_hz,
        z_ohm,
        relative: float = RJMCMCMT_RELATIVE,
        floor_ohm: float = RJMCMCMT_FLOOR * FIELD_UNITS_TO_OHM,
        station: str = "",
    ) -> Likelihood:
        """rjmcmcmt's error model on impedances (F,) in Ω: ``σ = sqrt((relative·|part|)²
        + floor_ohm²)`` for Re Z and for Im Z separately."""
        if not (relative >= 0 and floor_ohm >= 0 and relative + floor_ohm > 0):
            raise ValueError(
                f"relative and floor_ohm must be >= 0, not both 0; got {relative}, {floor_ohm}"
            )
        z = np.asarray(z_ohm).astype(complex)
        return cls.impedance(
            freq_hz,
            z,
            np.hypot(relative * z.real, floor_ohm),
            np.hypot(relative * z.imag, floor_ohm),
            station,
        )

    @classmethod
    def rjmcmcmt(
        cls,
        sounding: Sounding,
        freq_min_hz: float,
        freq_max_hz: float,
        relative: float = RJMCMCMT_RELATIVE,
        floor: float = RJMCMCMT_FLOOR,
    ) -> Likelihood:
        """What rjmcmcmt fits (``UseDataType = Impedance``): the determinant impedance
        ``sqrt(Zxx Zyy − Zxy Zyx)`` (principal root) at the frequencies in
        [``freq_min_hz``, ``freq_max_hz``], each part with ``σ = sqrt((relative·|part|)² +
        floor²)``, ``floor`` in mV/km/nT; the file's own errors are not used."""
        if not 0 < freq_min_hz <= freq_max_hz:
            raise ValueError(
                f"need 0 < freq_min_hz <= freq_max_hz, got {freq_min_hz}, {freq_max_hz}"
            )
        z = sounding.z_ohm
        det = np.sqrt(z[:, 0, 0] * z[:, 1, 1] - z[:, 0, 1] * z[:, 1, 0])
        keep = (sounding.freq_hz >= freq_min_hz) & (sounding.freq_hz <= freq_max_hz)
        keep &= np.isfinite(det)
        if not keep.any():
            raise ValueError(
                f"{sounding.station}: no finite impedance between {freq_min_hz:g} and "
                f"{freq_max_hz:g} Hz"
            )
        return cls.impedance_errors(
            sounding.freq_hz[keep],
            det[keep],
            relative,
            floor * FIELD_UNITS_TO_OHM,
            sounding.station,
        )
