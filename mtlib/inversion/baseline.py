"""Classic baseline: pyGIMLi's smooth (Occam-style) 1D MT inversion on the same layer grid.

Uses ``pygimli.physics.em.MT1dSmoothModelling`` (fixed thicknesses, one resistivity per
layer, first-order smoothness) with ``pygimli.Inversion``: log-transformed resistivities and
apparent resistivities, linear phases (radians inside pyGIMLi), a homogeneous start model
at the median apparent resistivity. pyGIMLi is optional (extra ``baseline``, part of ``dev``)
and imported only here.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import tempfile
import time
from dataclasses import dataclass

import numpy as np

from .. import data_errors
from .._deprecated import renamed


@dataclass
class PyGimliResult:
    rho_ohmm: np.ndarray  # (L,)
    chi2: float  # error-weighted misfit per datum at the end
    seconds: float


@contextlib.contextmanager
def _in_temporary_directory():
    """Run in a fresh temporary working directory, then return and remove it."""
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)
        try:
            yield
        finally:
            os.chdir(here)


@contextlib.contextmanager
def _quiet_logger(name: str, level: int = logging.WARNING):
    """Raise logger ``name`` to ``level`` for the block only (pyGIMLi logs INFO per run)."""
    logger = logging.getLogger(name)
    before = logger.level
    logger.setLevel(max(level, before))
    try:
        yield
    finally:
        logger.setLevel(before)


def _pygimli():
    """pyGIMLi, imported on first use. Its import resets the OpenMP thread count, which
    torch reads: when torch is loaded, its thread count is put back as it was."""
    torch = sys.modules.get("torch")
    threads = torch.get_num_threads() if torch is not None else None
    try:
        import pygimli
        from pygimli.physics.em import MT1dSmoothModelling
    except ImportError as err:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "the pyGIMLi baseline needs pygimli: pip install 'mtlib[baseline]'"
        ) from err
    if threads is not None and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return pygimli, MT1dSmoothModelling


def pygimli_invert(
    freq_hz, rhoa_ohmm, phase_deg, thick_m, z_rel_err=0.01, lam: float = 20.0, max_iter: int = 20
) -> PyGimliResult:
    """Smooth inversion of one sounding ``(F,)`` onto layers of ``thick_m`` (L-1,).

    ``z_rel_err`` (scalar or (F,)) is the relative error of |Z|, weighed as
    :mod:`mtlib.data_errors` says (2p on ρa, arcsin p on φ) — the same weights as
    :mod:`mtlib.inversion.occam`. Raises ``RuntimeError`` when pyGIMLi's inversion fails.
    """
    pg, MT1dSmoothModelling = _pygimli()
    with _quiet_logger("pyGIMLi"):  # it logs INFO lines per modelling object and per run
        return _pygimli_run(
            pg,
            MT1dSmoothModelling,
            freq_hz,
            rhoa_ohmm,
            phase_deg,
            thick_m,
            z_rel_err,
            lam,
            max_iter,
        )


def _pygimli_run(
    pg, MT1dSmoothModelling, freq_hz, rhoa_ohmm, phase_deg, thick_m, z_rel_err, lam, max_iter
) -> PyGimliResult:
    freq_hz = np.asarray(freq_hz, dtype=float)
    rhoa = np.asarray(rhoa_ohmm, dtype=float)
    phase_rad = np.radians(np.asarray(phase_deg, dtype=float))
    n_freq = freq_hz.size
    fop = MT1dSmoothModelling(T=1.0 / freq_hz, thk=np.asarray(thick_m, dtype=float), verbose=False)
    trans_data = pg.trans.TransCumulative()
    trans_log, trans_lin = pg.trans.TransLog(), pg.trans.Trans()
    trans_data.add(trans_log, n_freq)
    trans_data.add(trans_lin, n_freq)
    inv = pg.Inversion(fop=fop, verbose=False)
    inv.dataTrans = trans_data
    inv.modelTrans = pg.trans.TransLog()
    # pyGIMLi takes relative errors: σ(ρa)/ρa, and σ(φ)/φ for the phase block
    p = np.broadcast_to(np.asarray(z_rel_err, dtype=float), (n_freq,))
    err = np.concatenate(
        [data_errors.rhoa_rel_err(p), data_errors.phase_std_rad(p) / np.abs(phase_rad)]
    )
    # pg.Inversion prints blank lines, and on a failed step dumps Nan_PhiD_*.vector files
    # into the working directory: keep both out of the user's way (and out of the timing)
    with contextlib.redirect_stdout(io.StringIO()), _in_temporary_directory():
        start = time.perf_counter()
        model = inv.run(
            np.concatenate([rhoa, phase_rad]),
            err,
            lam=lam,
            maxIter=max_iter,
            startModel=np.full(np.size(thick_m) + 1, np.median(rhoa)),
        )
        seconds = time.perf_counter() - start
    return PyGimliResult(np.asarray(model, dtype=float), float(inv.chi2()), seconds)


def __getattr__(name: str):
    """The names of mtlib 0.1 (:mod:`mtlib._deprecated`), for one release."""
    return renamed(__name__, name)
