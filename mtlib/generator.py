"""Random layered resistivity models following the paper's scheme.

The paper picks 5 of the 40 layers at random, gives them random resistivities in
(2, 220) Ω·m and fills the other layers by linear interpolation. It does not say whether
the draw is uniform or log-uniform, nor whether the interpolation is linear in ρ or in
log ρ; the default here is the literal reading (uniform in ρ, linear in ρ), and
``sampling="loguniform"`` / ``interp="log"`` give the alternatives (docs/design.md,
"The paper, read precisely"). Interpolation runs over the layer index and is constant
beyond the first and last control layers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .grid import PAPER_N_LAYERS

RHO_MIN_OHMM = 2.0
RHO_MAX_OHMM = 220.0
N_CONTROL = 5
SAMPLINGS = ("uniform", "loguniform")
INTERPS = ("linear", "log")


@dataclass(frozen=True)
class ModelScheme:
    """Parameters of the random-model scheme; the defaults are the paper's."""

    n_layers: int = PAPER_N_LAYERS
    n_control: int = N_CONTROL
    rho_min_ohmm: float = RHO_MIN_OHMM
    rho_max_ohmm: float = RHO_MAX_OHMM
    sampling: str = "uniform"
    interp: str = "linear"

    def __post_init__(self):
        if self.sampling not in SAMPLINGS:
            raise ValueError(f"sampling must be one of {SAMPLINGS}, got {self.sampling!r}")
        if self.interp not in INTERPS:
            raise ValueError(f"interp must be one of {INTERPS}, got {self.interp!r}")
        if not 1 <= self.n_control <= self.n_layers:
            raise ValueError(
                f"n_control must be in 1..n_layers={self.n_layers}, got {self.n_control}"
            )
        if not 0 < self.rho_min_ohmm < self.rho_max_ohmm < np.inf:
            raise ValueError(
                "rho_min_ohmm and rho_max_ohmm must satisfy 0 < min < max < inf, got "
                f"{self.rho_min_ohmm}, {self.rho_max_ohmm}"
            )


def interpolate_controls(
    control_idx: np.ndarray, control_rho_ohmm: np.ndarray, n_layers: int, interp: str = "linear"
) -> np.ndarray:
    """Fill ``n_layers`` layers from control layers, vectorized over models.

    ``control_idx`` (n, C) sorted distinct layer indices, ``control_rho_ohmm`` (n, C) their
    resistivities → (n, n_layers) Ω·m, piecewise linear over layer index between controls
    (in ρ for ``interp="linear"``, in log10 ρ for ``"log"``) and constant outside them.
    """
    values = np.log10(control_rho_ohmm) if interp == "log" else np.asarray(control_rho_ohmm)
    n_ctrl = control_idx.shape[1]
    layer = np.arange(n_layers)
    # number of controls at or above each layer decides its segment
    k = (control_idx[:, :, None] <= layer[None, None, :]).sum(axis=1)
    left = np.clip(k - 1, 0, n_ctrl - 1)
    right = np.clip(k, 0, n_ctrl - 1)
    x_left = np.take_along_axis(control_idx, left, axis=1)
    x_right = np.take_along_axis(control_idx, right, axis=1)
    y_left = np.take_along_axis(values, left, axis=1)
    y_right = np.take_along_axis(values, right, axis=1)
    span = x_right - x_left
    weight = np.where(span > 0, (layer - x_left) / np.where(span > 0, span, 1), 0.0)
    filled = y_left + weight * (y_right - y_left)
    return 10.0**filled if interp == "log" else filled


def random_models(
    n: int,
    seed=0,
    *,
    sampling: str = "uniform",
    interp: str = "linear",
    n_layers: int = PAPER_N_LAYERS,
    n_control: int = N_CONTROL,
    rho_min_ohmm: float = RHO_MIN_OHMM,
    rho_max_ohmm: float = RHO_MAX_OHMM,
    return_controls: bool = False,
):
    """``n`` random layered models of shape ``(n, n_layers)`` in Ω·m, top layer first.

    Each model has ``n_control`` distinct control layers chosen uniformly among all layers
    (the half-space included), with resistivities drawn ``sampling="uniform"`` in ρ or
    ``"loguniform"`` in log ρ from ``(rho_min_ohmm, rho_max_ohmm)``; the other layers are
    interpolated (see :func:`interpolate_controls`). ``seed`` is anything
    ``numpy.random.default_rng`` accepts; the same seed gives the same models.
    With ``return_controls=True`` also returns ``(control_idx (n, C), control_rho (n, C))``.
    """
    scheme = ModelScheme(n_layers, n_control, rho_min_ohmm, rho_max_ohmm, sampling, interp)
    n = _check_count(n)
    rng = np.random.default_rng(seed)
    control_idx = np.sort(
        np.argsort(rng.random((n, scheme.n_layers)), axis=1)[:, : scheme.n_control], axis=1
    )
    if scheme.sampling == "uniform":
        control_rho = rng.uniform(scheme.rho_min_ohmm, scheme.rho_max_ohmm, (n, scheme.n_control))
    else:
        log_lo, log_hi = np.log10(scheme.rho_min_ohmm), np.log10(scheme.rho_max_ohmm)
        control_rho = 10.0 ** rng.uniform(log_lo, log_hi, (n, scheme.n_control))
    rho = interpolate_controls(control_idx, control_rho, scheme.n_layers, scheme.interp)
    # log-interpolation round trips can leave a value one ulp outside the bounds
    rho = np.clip(rho, scheme.rho_min_ohmm, scheme.rho_max_ohmm)
    if return_controls:
        return rho, (control_idx, control_rho)
    return rho


def _check_count(n) -> int:
    if int(n) != n or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    return int(n)


def blocky_models(
    n: int,
    seed=0,
    *,
    n_layers: int = PAPER_N_LAYERS,
    n_blocks: tuple[int, int] = (3, 5),
    rho_range_ohmm: tuple[float, float] = (1.0, 1000.0),
) -> np.ndarray:
    """``n`` models ``(n, n_layers)`` in Ω·m made of ``n_blocks`` (inclusive range)
    homogeneous blocks with sharp boundaries: block tops at distinct random layers below
    the first, values log-uniform in ``rho_range_ohmm``. Outside the paper's prior (no
    interpolation between control layers, a wider range): a test of generalization."""
    n = _check_count(n)
    lo, hi = n_blocks
    if not 1 <= lo <= hi <= n_layers:
        raise ValueError(f"n_blocks must satisfy 1 <= min <= max <= {n_layers}, got {n_blocks}")
    rng = np.random.default_rng(seed)
    log_lo, log_hi = np.log10(rho_range_ohmm)
    models = np.empty((n, n_layers))
    for i in range(n):
        k = int(rng.integers(lo, hi + 1))
        tops = np.sort(rng.choice(np.arange(1, n_layers), k - 1, replace=False))
        values = 10.0 ** rng.uniform(log_lo, log_hi, k)
        models[i] = values[np.searchsorted(tops, np.arange(n_layers), side="right")]
    return models


def thin_conductor_models(
    n: int,
    seed=0,
    *,
    n_layers: int = PAPER_N_LAYERS,
    contrast_decades: tuple[float, float] = (1.0, 1.5),
) -> np.ndarray:
    """``n`` paper-scheme models, each with one thin conductor: a single layer (between the
    fourth and the tenth-last) ``contrast_decades`` (uniform) less resistive than the
    model there. A one-layer spike needs three adjacent control layers in the paper's
    scheme, so the network has hardly seen one."""
    n = _check_count(n)
    rng = np.random.default_rng(seed)
    models = random_models(n, seed=rng, n_layers=n_layers)
    layer = rng.integers(3, n_layers - 10, n)
    models[np.arange(n), layer] /= 10.0 ** rng.uniform(*contrast_decades, n)
    return models


FIELD_FAMILIES = {"smooth": 0.4, "blocky": 0.4, "paper": 0.2}
"""The field prior's families and the fraction of models each contributes."""
FIELD_LEVEL_LOG10 = (-1.0, 3.0)
"""Range of a field model's background level, log10 Ω·m (uniform)."""
FIELD_SPREAD_LOG10 = 2.5
"""Blocky and paper-scheme values lie within ± this many decades of the background (so a
model can hold five decades of contrast); smooth fields wander as far, then are clipped."""


def field_models(n: int, log_depth: np.ndarray, seed=0, return_families: bool = False):
    """``n`` random earths of the field prior as log10 ρ (n, Z) at the log-depths ``log_depth``
    (Z,) (decades of any depth unit, increasing: the cells of a fine grid).

    A mixture (:data:`FIELD_FAMILIES`) of what a geophysicist draws on a section:
    ``smooth`` — Gaussian random fields in log ρ over log depth (correlation length 0.15–1
    decade of depth, amplitude 0.3–1.5 decades); ``blocky`` — 1–6 interfaces at random
    depths with independent values, and in half of them one thin conductor or resistor
    (0.03–0.2 decades of depth thick, 1.5–3 decades off the background); ``paper`` — the
    paper's scheme (5 control points, values over two decades, linear in ρ between them) on
    a random window of log depth. Every model has its own background level
    (:data:`FIELD_LEVEL_LOG10`); values stay within :data:`FIELD_SPREAD_LOG10` + 0.5 decades
    of it. Features lie anywhere along ``log_depth``: a sounding's band decides which it sees.
    With ``return_families=True`` also returns each model's family name (n,).
    """
    if int(n) != n or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    zeta = np.asarray(log_depth, dtype=np.float64)
    if zeta.ndim != 1 or zeta.size < 2 or np.any(np.diff(zeta) <= 0):
        raise ValueError("log_depth must be 1-D and strictly increasing")
    n = int(n)
    rng = np.random.default_rng(seed)
    family = rng.choice(len(FIELD_FAMILIES), size=n, p=list(FIELD_FAMILIES.values()))
    level = rng.uniform(*FIELD_LEVEL_LOG10, (n, 1))
    out = np.empty((n, zeta.size))
    for k, draw in enumerate((_smooth_fields, _blocky_fields, _paper_fields)):
        rows = np.flatnonzero(family == k)
        out[rows] = draw(rows.size, zeta, rng)
    models = level + np.clip(out, -FIELD_SPREAD_LOG10 - 0.5, FIELD_SPREAD_LOG10 + 0.5)
    if return_families:
        return models, np.array(list(FIELD_FAMILIES))[family]
    return models


def _smooth_fields(n: int, zeta: np.ndarray, rng) -> np.ndarray:
    """Stationary Gaussian fields (squared-exponential covariance) as random Fourier sums."""
    n_modes = 24
    corr = rng.uniform(0.15, 1.0, (n, 1, 1))
    amplitude = rng.uniform(0.3, 1.5, (n, 1))
    omega = rng.standard_normal((n, n_modes, 1)) / corr
    phase = rng.uniform(0, 2 * np.pi, (n, n_modes, 1))
    field = np.sqrt(2.0 / n_modes) * np.cos(omega * zeta[None, None, :] + phase).sum(axis=1)
    return amplitude * field


def _blocky_fields(n: int, zeta: np.ndarray, rng) -> np.ndarray:
    lo, hi = zeta[0], zeta[-1]
    n_iface = rng.integers(1, 7, n)
    iface = np.sort(
        np.where(np.arange(6)[None, :] < n_iface[:, None], rng.uniform(lo, hi, (n, 6)), np.inf),
        axis=1,
    )
    values = rng.uniform(-FIELD_SPREAD_LOG10, FIELD_SPREAD_LOG10, (n, 7))
    block = (iface[:, :, None] <= zeta[None, None, :]).sum(axis=1)  # (n, Z)
    out = np.take_along_axis(values, block, axis=1)
    thin = rng.random(n) < 0.5
    top = rng.uniform(lo, hi, n)
    width = rng.uniform(0.03, 0.2, n)
    offset = rng.choice([-1.0, 1.0], n) * rng.uniform(1.5, 3.0, n)
    inside = (
        thin[:, None] & (zeta[None, :] >= top[:, None]) & (zeta[None, :] < (top + width)[:, None])
    )
    return np.where(inside, offset[:, None], out)


def _paper_fields(n: int, zeta: np.ndarray, rng) -> np.ndarray:
    span = rng.uniform(1.0, 3.0, (n, 1))  # decades of depth the scheme spans
    start = rng.uniform(zeta[0], zeta[-1] - 1.0, (n, 1))
    points = np.sort(start + span * rng.random((n, N_CONTROL)), axis=1)
    rho = rng.uniform(1.0, 100.0, (n, N_CONTROL))  # two decades, linear in ρ
    out = np.empty((n, zeta.size))
    for k in range(n):
        out[k] = np.log10(np.interp(zeta, points[k], rho[k]))
    return out - 1.0
