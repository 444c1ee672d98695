"""Exact 1D magnetotelluric forward response of a layered earth.

Conventions (docs/design.md): time dependence ``e^{+iωt}``, ``μ0 = 4π·10⁻⁷`` H/m,
surface impedance ``Z = E/H`` in Ω, apparent resistivity ``ρa = |Z|² / (ωμ0)`` in Ω·m,
phase ``φ = arg Z`` in degrees (0–90° for a layered earth; 45° over a half-space).

The response comes from the classic recursion of the impedance from the half-space up.
With ``k_j = (1 + i) a_j``, ``a_j = sqrt(ωμ0 / 2ρ_j)``, and intrinsic impedance
``z_j = (1 + i) sqrt(ωμ0ρ_j / 2)``, the impedance at the top of layer ``j`` is::

    Z_j = z_j (s - d e) / (s + d e),   s = z_j + Z_{j+1},  d = z_j - Z_{j+1},
    e = exp(-2 k_j h_j) = exp(-x) (cos x - i sin x),   x = 2 a_j h_j.

Only the decaying exponential appears, so thick conductive layers at high frequency
underflow ``e`` to 0 (the layer then acts as a half-space) instead of overflowing.

Two back-ends, one recursion: numpy arrays go through a fused, parallel numba kernel in
float64; torch tensors go through vectorized torch ops that are differentiable and run on
the tensors' device.
"""

from __future__ import annotations

import math
import types

import numba
import numpy as np

from ._checks import check_positive_finite, is_torch
from ._numba import jit, jit_parallel

MU0 = 4e-7 * np.pi
"""Vacuum magnetic permeability in H/m (the pre-2019 exact value, as in MT practice)."""


def skin_depth_m(rho_ohmm, freq_hz):
    """Skin depth ``δ = sqrt(2ρ / (ωμ0)) ≈ 503 sqrt(ρ / f)`` in m, broadcast over the inputs."""
    rho_ohmm = np.asarray(rho_ohmm, dtype=np.float64)
    freq_hz = np.asarray(freq_hz, dtype=np.float64)
    return np.sqrt(2.0 * rho_ohmm / (2.0 * np.pi * freq_hz * MU0))


@jit
def layer_decay(x):  # pragma: no cover
    """``e = exp(-(1 + i) x)`` as (Re, Im): a layer's two-way decay, ``x = 2 a h`` with
    ``a = sqrt(ωμ0 / 2ρ)``."""
    ex = math.exp(-x)
    return ex * math.cos(x), -ex * math.sin(x)


@jit
def layer_up(q, er, ei, zr, zi):  # pragma: no cover
    """One layer of the recursion: intrinsic impedance ``z = q (1 + i)`` (q = cf·sqrt ρ),
    decay (er, ei) (:func:`layer_decay`) and the impedance (zr, zi) at its bottom → the
    impedance at its top, ``z (s − d e) / (s + d e)`` with ``s = z + Z_below``,
    ``d = z − Z_below``; complex arithmetic in reals, one division."""
    sr = q + zr
    si = q + zi
    dr = q - zr
    di = q - zi
    der = dr * er - di * ei
    dei = dr * ei + di * er
    nr = sr - der
    ni = si - dei
    mr = sr + der
    mi = si + dei
    den = mr * mr + mi * mi
    pr = (nr * mr + ni * mi) / den
    pi = (ni * mr - nr * mi) / den
    return q * (pr - pi), q * (pr + pi)


@jit
def impedance_at(sqrt_rho, h_over_sqrt_rho, cf):  # pragma: no cover
    """Fused recursion for one model at one frequency: ``(Re Z, Im Z)``. sqrt_rho (L,);
    h_over_sqrt_rho (L-1,); ``cf`` = sqrt(ωμ0/2). Each layer costs one exp, one sincos and
    one division (:func:`layer_up`). Compiled (numba), for the batched kernels here, the
    inversion engine's and the posterior sampler's."""
    n_layers = sqrt_rho.shape[0]
    zr = zi = cf * sqrt_rho[n_layers - 1]
    for j in range(n_layers - 2, -1, -1):
        er, ei = layer_decay(2.0 * cf * h_over_sqrt_rho[j])
        zr, zi = layer_up(cf * sqrt_rho[j], er, ei, zr, zi)
    return zr, zi


@jit
def impedance_one(sqrt_rho, h_over_sqrt_rho, c, z_re, z_im):  # pragma: no cover
    """:func:`impedance_at` at every frequency: c = sqrt(ωμ0/2) (F,); writes Re Z, Im Z
    (F,)."""
    for f in range(c.shape[0]):
        z_re[f], z_im[f] = impedance_at(sqrt_rho, h_over_sqrt_rho, c[f])


@jit
def jacobian_one(rho, thick, c, z_out, jac_out, a, b):  # pragma: no cover
    """Impedance and its exact derivatives ``∂ ln Z / ∂ ln ρ_j`` of one model, by one
    recursion up and one pass down. rho (L,); thick (L-1,); c (F,) = sqrt(ωμ0/2); writes
    Z (F,) and the real Jacobian (2F, L): ``2 Re ∂ln Z/∂ln ρ`` (= ∂ln ρa) over
    ``Im ∂ln Z/∂ln ρ`` (= ∂φ); ``a``, ``b`` (L,) complex scratch. With ``Z = z N/D``
    (module docstring): ``∂Z/∂Z_below = 4 z² e / D²``; ``∂z/∂ln ρ = z/2`` and
    ``∂e/∂ln ρ = e u/2`` with ``e = exp(-u)``, so the chain rule from the surface down gives
    every column at the cost of ~2 forwards."""
    n_layers = rho.shape[0]
    nf = c.shape[0]
    one_i = 1.0 + 1.0j
    sqrt_rho = np.sqrt(rho)
    # one complex division per layer and frequency (1/D): the rest are products
    for f in range(nf):
        cf = c[f]
        z_below = one_i * cf * sqrt_rho[n_layers - 1]
        b[n_layers - 1] = 0.5 * z_below
        for j in range(n_layers - 2, -1, -1):
            z = one_i * cf * sqrt_rho[j]
            x = 2.0 * cf * thick[j] / sqrt_rho[j]  # u = (1 + i) x
            u = one_i * x
            decay = math.exp(-x)
            e = complex(decay * math.cos(x), -decay * math.sin(x))
            s = z + z_below
            d = z - z_below
            num = s - d * e
            inv_den = 1.0 / (s + d * e)
            ratio = num * inv_den
            dz = 0.5 * z
            de = 0.5 * e * u
            dnum = dz - (dz * e + d * de)
            dden = dz + dz * e + d * de
            a[j] = 4.0 * z * z * e * inv_den * inv_den  # ∂Z_j / ∂Z_{j+1}
            b[j] = dz * ratio + z * (dnum - ratio * dden) * inv_den  # ∂Z_j / ∂ln ρ_j
            z_below = z * ratio
        z_out[f] = z_below
        inv_z = 1.0 / z_below
        chain = 1.0 + 0.0j
        for j in range(n_layers):
            g = chain * b[j] * inv_z
            jac_out[f, j] = 2.0 * g.real
            jac_out[nf + f, j] = g.imag
            if j < n_layers - 1:
                chain = chain * a[j]


def _impedance_kernel(sqrt_rho, h_over_sqrt_rho, c_f, z_re, z_im):  # pragma: no cover
    """:func:`impedance_one` over models (N, ·); c_f (Nf, F), Nf in {1, N}: shared or per
    sounding."""
    row_step = 1 if c_f.shape[0] > 1 else 0  # shared frequencies: always row 0
    for i in numba.prange(sqrt_rho.shape[0]):
        impedance_one(sqrt_rho[i], h_over_sqrt_rho[i], c_f[i * row_step], z_re[i], z_im[i])


def _jacobian_kernel(rho, thick, c_f, z_out, jac_out):  # pragma: no cover
    """:func:`jacobian_one` over models: rho (N, L); thick (N, L-1); c_f (N, F); z_out
    (N, F); jac_out (N, 2F, L)."""
    n, n_layers = rho.shape
    for i in numba.prange(n):
        a = np.empty(n_layers, dtype=np.complex128)
        b = np.empty(n_layers, dtype=np.complex128)
        jacobian_one(rho[i], thick[i], c_f[i], z_out[i], jac_out[i], a, b)


PARALLEL_MIN_MODELS = 64
"""Smaller batches run the serial kernels: waking numba's thread pool for a few models costs
more than it saves, and its spinning threads then slow down torch and LAPACK (measured:
7 ms instead of 0.2 ms per call on 2 cores, one sounding at a time)."""


def _compiled(kernel):
    """A kernel compiled twice — parallel over models, and serial — picked by batch size."""
    parallel = jit_parallel(kernel)
    # a renamed copy gets a cache file of its own (one shared file would be overwritten by
    # each variant in turn, and recompiled in every new process)
    copy = types.FunctionType(kernel.__code__, kernel.__globals__, f"{kernel.__name__}_serial")
    copy.__qualname__ = f"{kernel.__qualname__}_serial"
    serial = jit(copy)
    return lambda *args: (parallel if args[0].shape[0] >= PARALLEL_MIN_MODELS else serial)(*args)


_impedance_kernel = _compiled(_impedance_kernel)
_jacobian_kernel = _compiled(_jacobian_kernel)


def _impedance_numpy(rho, thick, freq):
    """rho (N, L) float64, thick (Nt, L-1) float64, freq (F,) or (N, F) → complex128 (N, F)."""
    sqrt_rho = np.sqrt(rho)
    # (Nt, L-1) / (N, L-1) broadcasts to one ratio per sounding and layer
    h_over_sqrt_rho = np.ascontiguousarray(thick / sqrt_rho[:, :-1])
    c_f = np.ascontiguousarray(np.atleast_2d(np.sqrt(2.0 * np.pi * freq * MU0 / 2.0)))
    n, nf = rho.shape[0], freq.shape[-1]
    z_re = np.empty((n, nf))
    z_im = np.empty((n, nf))
    _impedance_kernel(sqrt_rho, h_over_sqrt_rho, c_f, z_re, z_im)
    return z_re + 1j * z_im


def _impedance_torch(rho, thick, freq):
    """rho (N, L), thick (Nt, L-1), freq (F,), same real dtype and device → complex (N, F)."""
    import torch

    c_f = torch.sqrt(2.0 * math.pi * freq * MU0 / 2.0)  # (F,)
    sqrt_rho = torch.sqrt(rho)
    one_plus_i = torch.complex(torch.ones((), dtype=rho.dtype), torch.ones((), dtype=rho.dtype))
    one_plus_i = one_plus_i.to(rho.device)
    z_bottom = c_f * sqrt_rho[:, -1:]
    z = torch.complex(z_bottom, z_bottom)
    for j in range(rho.shape[1] - 2, -1, -1):
        z_layer = one_plus_i * (c_f * sqrt_rho[:, j : j + 1])
        x = 2.0 * c_f * (thick[:, j : j + 1] / sqrt_rho[:, j : j + 1])
        decay = torch.exp(-x)
        e = torch.complex(decay * torch.cos(x), -decay * torch.sin(x))
        de = (z_layer - z) * e
        s = z_layer + z
        z = z_layer * (s - de) / (s + de)
    return z


def _prepare(rho_ohmm, thick_m, freq_hz, dtype):
    """Check inputs and bring them to 2-D arrays of one back-end; return a reshape recipe."""
    torch_in = is_torch(rho_ohmm)
    if torch_in:
        import torch

        if dtype is None:
            dtype = rho_ohmm.dtype if rho_ohmm.is_floating_point() else torch.float64
        dtype = {np.float32: torch.float32, np.float64: torch.float64}.get(dtype, dtype)
        rho = rho_ohmm.to(dtype)
        thick = torch.as_tensor(thick_m, dtype=dtype, device=rho.device)
        freq = torch.as_tensor(freq_hz, dtype=dtype, device=rho.device)
    else:
        dtype = np.dtype(np.float64 if dtype is None else dtype)
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {dtype}")
        rho = np.asarray(rho_ohmm)
        thick = np.asarray(thick_m)
        freq = np.asarray(freq_hz)

    if rho.ndim < 1 or rho.shape[-1] < 1:
        raise ValueError(f"rho_ohmm must have shape (..., L) with L >= 1, got {tuple(rho.shape)}")
    if freq.ndim != 1:
        raise ValueError(f"freq_hz must be 1-D (F,), got shape {tuple(freq.shape)}")
    check_positive_finite("rho_ohmm", rho)
    check_positive_finite("freq_hz", freq)
    check_positive_finite("thick_m", thick, allow_empty=True)

    n_layers = rho.shape[-1]
    lead = tuple(rho.shape[:-1])
    if thick.shape[-1:] != (n_layers - 1,) or (thick.ndim > 1 and tuple(thick.shape[:-1]) != lead):
        raise ValueError(
            f"thick_m must have shape ({n_layers - 1},) or {lead + (n_layers - 1,)} to match "
            f"rho_ohmm of shape {tuple(rho.shape)} (the last layer is a half-space), "
            f"got {tuple(thick.shape)}"
        )
    rho2 = rho.reshape(-1, n_layers)
    thick2 = thick.reshape(-1, n_layers - 1) if thick.ndim > 1 else thick.reshape(1, -1)
    return torch_in, dtype, rho2, thick2, freq, lead


def impedance(rho_ohmm, thick_m, freq_hz, dtype=None):
    """Complex surface impedance ``Z = E/H`` in Ω of layered earths.

    Parameters
    ----------
    rho_ohmm : array or tensor (..., L)
        Layer resistivities in Ω·m, top first; the last layer is the half-space.
    thick_m : array (L-1,) or (..., L-1)
        Thicknesses of the finite layers in m, shared or one set per model.
    freq_hz : array (F,)
        Frequencies in Hz, any order (the project's convention is high → low).
    dtype : float64 (default) or float32
        numpy: the result's precision (the kernel always computes in float64).
        torch: the precision of the computation; default the input's floating dtype.

    Returns
    -------
    Z of shape (..., F): complex128/complex64 numpy array, or a complex torch tensor on the
    input's device that carries gradients back to ``rho_ohmm`` (and ``thick_m`` if a tensor).
    """
    torch_in, dtype, rho, thick, freq, lead = _prepare(rho_ohmm, thick_m, freq_hz, dtype)
    if torch_in:
        z = _impedance_torch(rho, thick, freq)
    else:
        z = _impedance_numpy(
            rho.astype(np.float64), thick.astype(np.float64), freq.astype(np.float64)
        )
        z = z.astype(np.complex64 if dtype == np.float32 else np.complex128, copy=False)
    return z.reshape(lead + (freq.shape[0],))


def apparent_resistivity_phase(z_ohm, freq_hz):
    """``ρa = |Z|² / (ωμ0)`` in Ω·m and ``φ = arg Z`` in degrees from impedances ``(..., F)``."""
    if is_torch(z_ohm):
        import torch

        omega_mu = (
            2.0
            * math.pi
            * MU0
            * torch.as_tensor(freq_hz, dtype=z_ohm.real.dtype, device=z_ohm.device)
        )
        rhoa = (z_ohm.real**2 + z_ohm.imag**2) / omega_mu
        phase = torch.rad2deg(torch.atan2(z_ohm.imag, z_ohm.real))
        return rhoa, phase
    z_ohm = np.asarray(z_ohm)
    omega_mu = 2.0 * np.pi * MU0 * np.asarray(freq_hz, dtype=z_ohm.real.dtype)
    rhoa = (z_ohm.real**2 + z_ohm.imag**2) / omega_mu
    phase = np.degrees(np.arctan2(z_ohm.imag, z_ohm.real))
    return rhoa, phase


def mt1d(rho_ohmm, thick_m, freq_hz, dtype=None):
    """Apparent resistivity (Ω·m) and phase (degrees) of layered earths.

    ``rho_ohmm`` (..., L), ``thick_m`` (L-1,) or (..., L-1), ``freq_hz`` (F,) → two arrays
    (..., F). numpy in → numpy out (float64 by default); torch in → torch out, differentiable,
    on the input's device. See :func:`impedance` for the arguments.
    """
    return apparent_resistivity_phase(impedance(rho_ohmm, thick_m, freq_hz, dtype), freq_hz)


def log_response_jacobian(rho_ohmm, thick_m, freq_hz):
    """ln ρa, phase in radians, and their exact derivatives with respect to ln ρ of each layer.

    ``rho_ohmm`` (N, L); ``thick_m`` (L-1,) or (N, L-1); ``freq_hz`` (F,) or one set per
    sounding (N, F) (padding entries of a ragged batch may be any positive frequency).
    Returns ``log_rhoa (N, F)``, ``phase_rad (N, F)`` and ``jac (N, 2F, L)``: rows ``[:F]`` are
    ``∂ ln ρa / ∂ ln ρ_j = 2 Re ∂ln Z/∂ln ρ_j``, rows ``[F:]`` ``∂φ/∂ln ρ_j = Im ∂ln Z/∂ln ρ_j``.
    numpy, float64; computed by a fused numba kernel (~2 forwards per sounding).
    """
    rho = np.asarray(rho_ohmm, dtype=np.float64)
    if rho.ndim != 2:
        raise ValueError(f"rho_ohmm must have shape (N, L), got {rho.shape}")
    n, n_layers = rho.shape
    freq = np.asarray(freq_hz, dtype=np.float64)
    freq2 = np.broadcast_to(freq, (n, freq.shape[-1])) if freq.ndim == 1 else freq
    if freq2.shape[0] != n or freq.ndim > 2:
        raise ValueError(f"freq_hz must have shape (F,) or ({n}, F), got {freq.shape}")
    thick = np.asarray(thick_m, dtype=np.float64)
    thick2 = np.broadcast_to(thick, (n, n_layers - 1)) if thick.ndim == 1 else thick
    if thick2.shape != (n, n_layers - 1):
        raise ValueError(
            f"thick_m must have shape ({n_layers - 1},) or ({n}, {n_layers - 1}), got {thick.shape}"
        )
    check_positive_finite("rho_ohmm", rho)
    check_positive_finite("freq_hz", freq2)
    check_positive_finite("thick_m", thick2, allow_empty=True)
    nf = freq2.shape[1]
    z = np.empty((n, nf), dtype=np.complex128)
    jac = np.empty((n, 2 * nf, n_layers))
    c_f = np.ascontiguousarray(np.sqrt(np.pi * freq2 * MU0))
    _jacobian_kernel(np.ascontiguousarray(rho), np.ascontiguousarray(thick2), c_f, z, jac)
    log_rhoa = 2.0 * np.log(np.abs(z)) - np.log(2.0 * np.pi * MU0 * freq2)
    return log_rhoa, np.angle(z), jac


def log_response(rho_ohmm, thick_m, freq_hz):
    """ln ρa and phase in radians ``(N, F)`` for models ``(N, L)`` on thicknesses ``(L-1,)``
    or ``(N, L-1)``, at frequencies ``(F,)`` or one set per sounding ``(N, F)``: the data in
    which mtlib weighs misfits (:mod:`mtlib.data_errors`: σ = 2p on ln ρa, arcsin p on φ).
    numpy, float64; no input checks."""
    rho = np.asarray(rho_ohmm, dtype=np.float64)
    thick = np.asarray(thick_m, dtype=np.float64).reshape(-1, rho.shape[1] - 1)
    freq = np.asarray(freq_hz, dtype=np.float64)
    z = _impedance_numpy(rho, thick, freq)
    return 2.0 * np.log(np.abs(z)) - np.log(2.0 * np.pi * MU0 * freq), np.angle(z)
