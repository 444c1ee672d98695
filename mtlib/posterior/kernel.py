"""The compiled reversible-jump steps and the tempered chains of one ladder (numba).

A model is ``n`` layers: interfaces ``x`` (n − 1,) in log10(depth / m), increasing, and
values ``v`` (n,) in log10(ρ / Ω·m), top layer first, the last one the half-space; and the
static shift ``log10 s`` (0 when it is not sampled). A ladder holds ``T`` chains
("slots"), each at one inverse temperature β of the ladder; only the β = 1 chain is
recorded. A compiled call runs one ladder for a number of sweeps: each slot takes one step
(birth, death, move, value or shift; :func:`_propose`), then neighbouring
temperatures try to swap.

The forward is the exact impedance recursion of :mod:`mtlib.forward`, with every layer's
top impedance and decay ``exp(−2ikh)`` kept per frequency (``cache``): a step that
changes layers ``lo..hi`` computes the decay of those layers only, and the recursion only
from the cached impedance below ``hi`` up to the surface; it stops as soon as the misfit
summed over the frequencies so far exceeds the largest one that the drawn uniform number
still accepts (every frequency adds a non-negative term, so this rejects exactly what the
full misfit would). The result is the same, to the last bit, as the full recursion.
"""

from __future__ import annotations

import math

import numpy as np

from .._numba import jit
from ..constants import LN10
from ..forward import layer_decay as decay
from ..forward import layer_up

SQRT_2PI = math.sqrt(2.0 * math.pi)

BIRTH, DEATH, MOVE, VALUE, SHIFT = range(5)
MOVES = ("birth", "death", "move", "value", "shift")
"""The step types, by the index the kernel counts them under."""

RHOA_PHASE, IMPEDANCE = 0, 1
"""Data kinds: [ln ρa, φ (rad)] or [Re Z, Im Z] (Ω)."""

ADAPT_WINDOW = 500
"""Sweeps between two adaptations of the proposal scales (burn-in only)."""
TARGET_ACCEPTANCE = 0.3
"""Acceptance rate the random-walk scales are adapted towards."""

# rows of the data array (7, F)
C_ROW, LOG_OMEGA_MU_ROW, D1_ROW, D2_ROW, W1_ROW, W2_ROW, DEPTH_ROW = range(7)

# columns of the per-temperature proposal table (T, 6)
SIGMA_BIRTH, P_PRIOR_BIRTH, SIGMA_MOVE, SIGMA_VALUE, SIGMA_SHIFT, P_UNIFORM = range(6)

# prior vector: log10 ρ bounds, interface log-depth bounds, σ of log10 s (0: no shift)
V_LO, V_HI, X_LO, X_HI, SHIFT_STD = range(5)


@jit
def misfit_at(kind, data, f, zr, zi, shift_term):  # pragma: no cover
    """χ² of frequency ``f`` for the surface impedance (zr, zi) in Ω. ``shift_term``: the
    shift's ln ρa offset (RHOA_PHASE) or its factor on Z (IMPEDANCE)."""
    if kind == RHOA_PHASE:
        a = math.log(zr * zr + zi * zi) - data[LOG_OMEGA_MU_ROW, f] + shift_term
        b = math.atan2(zi, zr)
    else:
        a = zr * shift_term
        b = zi * shift_term
    a = (a - data[D1_ROW, f]) * data[W1_ROW, f]
    b = (b - data[D2_ROW, f]) * data[W2_ROW, f]
    return a * a + b * b


@jit
def shift_term_of(kind, shift):  # pragma: no cover
    """What :func:`misfit_at` needs of the shift ``log10 s`` (a factor s on ρa)."""
    if kind == RHOA_PHASE:
        return LN10 * shift
    return 10.0 ** (0.5 * shift)


@jit
def model_terms(n, x, v, sqr, hq):  # pragma: no cover
    """sqrt ρ (n,) and h/sqrt ρ (n-1,) of a model, h the thicknesses in m (the top layer
    starts at the surface)."""
    for j in range(n):
        sqr[j] = 10.0 ** (0.5 * v[j])
    top = 0.0
    for j in range(n - 1):
        bottom = 10.0 ** x[j]
        hq[j] = (bottom - top) / sqr[j]
        top = bottom


@jit
def _trial_terms(n_new, lo, hi, row_shift, tx, tv, current, sqr, hq):  # pragma: no cover
    """sqrt ρ and h/sqrt ρ of a trial model (:func:`model_terms`) from the current model's
    (``current`` (2, N_max)), recomputing only the changed layers ``lo..hi`` (layers
    below them are the current ones ``row_shift`` further down)."""
    for j in range(n_new):
        if j < lo:
            sqr[j] = current[0, j]
        elif j <= hi:
            sqr[j] = 10.0 ** (0.5 * tv[j])
        else:
            sqr[j] = current[0, j - row_shift]
    for j in range(n_new - 1):
        if j < lo:
            hq[j] = current[1, j]
        elif j <= hi:
            top = 10.0 ** tx[j - 1] if j > 0 else 0.0
            hq[j] = (10.0 ** tx[j] - top) / sqr[j]
        else:
            hq[j] = current[1, j - row_shift]


@jit
def full_forward(n, sqr, hq, data, cache):  # pragma: no cover
    """Every layer's top impedance and decay of a model (:func:`model_terms`) into
    ``cache`` (F, N_max, 4): [Re Z, Im Z, Re e, Im e] per frequency and layer."""
    for f in range(data.shape[1]):
        cf = data[C_ROW, f]
        q = cf * sqr[n - 1]
        cache[f, n - 1, 0] = q
        cache[f, n - 1, 1] = q
        for j in range(n - 2, -1, -1):
            er, ei = decay(2.0 * cf * hq[j])
            cache[f, j, 2] = er
            cache[f, j, 3] = ei
            cache[f, j, 0], cache[f, j, 1] = layer_up(
                cf * sqr[j], er, ei, cache[f, j + 1, 0], cache[f, j + 1, 1]
            )


@jit
def chi2_of(kind, data, cache, shift):  # pragma: no cover
    """χ² of a cache (:func:`full_forward`)."""
    return _shift_misfit(kind, data, cache, shift, np.inf)


@jit
def _visit_order(depth, x_change, order):  # pragma: no cover
    """Frequencies (indices into ``depth``, increasing) from the one whose penetration
    depth is nearest ``x_change`` outwards, into ``order``."""
    nf = depth.shape[0]
    up = np.searchsorted(depth, x_change) - 1
    down = up + 1
    for i in range(nf):
        if down < nf and (up < 0 or depth[down] - x_change < x_change - depth[up]):
            order[i] = down
            down += 1
        else:
            order[i] = up
            up -= 1


@jit
def _trial_misfit(
    kind, data, n_new, sqr, hq, lo, hi, row_shift, old, new, shift, x_change, chi2_max, order
):  # pragma: no cover  # fmt: skip
    """χ² of a trial model whose layers ``lo..hi`` changed: layers below ``hi`` are the
    current model's (``row_shift`` rows further down in its cache ``old``), layers above
    ``lo`` keep their decay; the trial's rows ``0..hi`` go to ``new`` (F, N_max, 4).
    ``inf`` as soon as the sum passes ``chi2_max``. Frequencies are visited from the one
    whose penetration depth (data row DEPTH_ROW, increasing) is nearest the change
    ``x_change`` outwards — they reject a bad step first — two at a time (two independent
    recursions side by side keep the processor's dividers busy)."""
    nf = data.shape[1]
    term = shift_term_of(kind, shift)
    _visit_order(data[DEPTH_ROW], x_change, order)
    below = hi + 1 - row_shift
    top = n_new - 2 if hi >= n_new - 1 else hi
    total = 0.0
    for pair in range(0, nf, 2):
        f = order[pair]
        g = order[pair + 1] if pair + 1 < nf else f
        cf, cg = data[C_ROW, f], data[C_ROW, g]
        if hi >= n_new - 1:
            zr, zs = cf * sqr[n_new - 1], cg * sqr[n_new - 1]
            zi, zt = zr, zs
            new[f, n_new - 1, 0] = new[f, n_new - 1, 1] = zr
            new[g, n_new - 1, 0] = new[g, n_new - 1, 1] = zs
        else:
            zr, zi = old[f, below, 0], old[f, below, 1]
            zs, zt = old[g, below, 0], old[g, below, 1]
        for j in range(top, -1, -1):
            if j >= lo:
                er, ei = decay(2.0 * cf * hq[j])
                es, et = decay(2.0 * cg * hq[j])
            else:
                er, ei = old[f, j, 2], old[f, j, 3]
                es, et = old[g, j, 2], old[g, j, 3]
            zr, zi = layer_up(cf * sqr[j], er, ei, zr, zi)
            zs, zt = layer_up(cg * sqr[j], es, et, zs, zt)
            new[f, j, 0], new[f, j, 1], new[f, j, 2], new[f, j, 3] = zr, zi, er, ei
            new[g, j, 0], new[g, j, 1], new[g, j, 2], new[g, j, 3] = zs, zt, es, et
        total += misfit_at(kind, data, f, zr, zi, term)
        if g != f:
            total += misfit_at(kind, data, g, zs, zt, term)
        if total > chi2_max:
            return np.inf
    return total


@jit
def _shift_misfit(kind, data, cache, shift, chi2_max):  # pragma: no cover
    """χ² of the cached surface impedances with the shift ``shift``; ``inf`` once past
    ``chi2_max``."""
    term = shift_term_of(kind, shift)
    total = 0.0
    for f in range(data.shape[1]):
        total += misfit_at(kind, data, f, cache[f, 0, 0], cache[f, 0, 1], term)
        if total > chi2_max:
            return np.inf
    return total


@jit
def _commit_rows(n_new, hi, row_shift, cache, new):  # pragma: no cover
    """Accepted trial: cached rows below ``hi`` move by ``row_shift`` (a layer born or
    removed above them), rows ``0..hi`` (all, when the half-space changed) are the
    trial's."""
    top = n_new - 1 if hi >= n_new - 1 else hi
    for f in range(cache.shape[0]):
        if row_shift > 0:
            for j in range(n_new - 1, top, -1):
                cache[f, j] = cache[f, j - row_shift]
        elif row_shift < 0:
            for j in range(top + 1, n_new):
                cache[f, j] = cache[f, j - row_shift]
        for j in range(top + 1):
            cache[f, j] = new[f, j]


@jit
def _value_at(n, x, v, depth):  # pragma: no cover
    """log10 ρ of a model at log10 depth ``depth``."""
    j = 0
    while j < n - 1 and x[j] < depth:
        j += 1
    return v[j]


@jit
def _record(weight, n, x, v, prior, depth_x, kept):  # pragma: no cover
    """Add a β = 1 state that persisted ``weight`` sweeps to ``kept``: the per-depth
    histograms (D, B) of log10 ρ, the histogram of the number of layers (N_max + 1,), of
    interface depths (D,) (on the depth bins: centres ``depth_x``, equal widths) and the
    per-depth sums of log10 ρ (D,)."""
    hist, hist_n, hist_iface, value_sum = kept
    n_bins = hist.shape[1]
    v_lo = prior[V_LO]
    width = (prior[V_HI] - v_lo) / n_bins
    j = 0
    for d in range(depth_x.shape[0]):
        while j < n - 1 and x[j] < depth_x[d]:
            j += 1
        b = int((v[j] - v_lo) / width)
        b = min(max(b, 0), n_bins - 1)
        hist[d, b] += weight
        value_sum[d] += weight * v[j]
    hist_n[n] += weight
    n_depth = depth_x.shape[0]
    if n_depth > 1:
        step = depth_x[1] - depth_x[0]
        edge = depth_x[0] - 0.5 * step
        for i in range(n - 1):
            d = int((x[i] - edge) / step)
            if 0 <= d < n_depth:
                hist_iface[d] += weight


@jit
def _birth_density(row, parent, value, v_span):  # pragma: no cover
    """Density of a born layer's log10 ρ ``value`` next to a layer of ``parent``: from the
    prior (width ``v_span``) with probability ``row[P_PRIOR_BIRTH]``, else
    N(parent, ``row[SIGMA_BIRTH]``) (prior bounds checked by the caller)."""
    w = row[P_PRIOR_BIRTH]
    sigma = row[SIGMA_BIRTH]
    dv = (value - parent) / sigma
    return (1.0 - w) * math.exp(-0.5 * dv * dv) / (sigma * SQRT_2PI) + w / v_span


@jit
def _draw_value(current, p_prior, sigma, v_lo, v_hi):  # pragma: no cover
    """A log10 ρ drawn from the prior (probability ``p_prior``) or from N(``current``,
    ``sigma``); NaN outside the prior's bounds."""
    if np.random.random() < p_prior:
        value = v_lo + (v_hi - v_lo) * np.random.random()
    else:
        value = current + sigma * np.random.standard_normal()
    return value if v_lo <= value <= v_hi else np.nan


@jit
def _outside(ns, shift_s):  # pragma: no cover
    """The answer of :func:`_propose` for a trial that leaves the prior."""
    return False, ns, -1, -1, 0, 0.0, 0.0, shift_s


@jit
def _propose_birth(ns, x_s, v_s, shift_s, row, prior, n_max, tx, tv):  # pragma: no cover
    """Birth: an interface uniform in log depth splits layer k; the new layer, above or below
    it at random, takes a value from the prior or near layer k's (:func:`_draw_value`)."""
    if ns >= n_max:
        return _outside(ns, shift_s)
    v_lo, v_hi, x_lo = prior[V_LO], prior[V_HI], prior[X_LO]
    v_span = v_hi - v_lo
    xb = x_lo + (prior[X_HI] - x_lo) * np.random.random()
    k = 0
    while k < ns - 1 and x_s[k] < xb:
        k += 1
    below = np.random.random() < 0.5
    vb = _draw_value(v_s[k], row[P_PRIOR_BIRTH], row[SIGMA_BIRTH], v_lo, v_hi)
    if np.isnan(vb):
        return _outside(ns, shift_s)
    for j in range(ns - 1, k, -1):
        tx[j] = tx[j - 1]
    tx[k] = xb
    for j in range(ns, k + 1, -1):
        tv[j] = tv[j - 1]
    tv[k + 1] = vb if below else v_s[k]
    tv[k] = v_s[k] if below else vb
    log_q = -math.log(v_span * _birth_density(row, v_s[k], vb, v_span))
    return True, ns + 1, k, k + 1, 1, xb, log_q, shift_s


@jit
def _propose_death(ns, x_s, v_s, shift_s, row, prior, n_min, tx, tv):  # pragma: no cover
    """Death, the reverse of a birth: interface k removed, the merged layer keeping the upper
    or the lower value."""
    if ns <= n_min:
        return _outside(ns, shift_s)
    v_span = prior[V_HI] - prior[V_LO]
    k = np.random.randint(0, ns - 1)
    # the merged layer keeps the upper value (the lower one dies) or the lower
    if np.random.random() < 0.5:
        kept, gone = v_s[k], v_s[k + 1]
    else:
        kept, gone = v_s[k + 1], v_s[k]
    log_q = math.log(v_span * _birth_density(row, kept, gone, v_span))
    for j in range(k, ns - 2):
        tx[j] = tx[j + 1]
    for j in range(k + 1, ns - 1):
        tv[j] = tv[j + 1]
    tv[k] = kept
    return True, ns - 1, k, k, -1, x_s[k], log_q, shift_s


@jit
def _propose_move(ns, x_s, shift_s, row, prior, tx, tv):  # pragma: no cover
    """Move: interface k moved between its neighbours, each layer either side keeping its
    conductance, its transverse resistance or its resistivity (a volume-preserving map)."""
    if ns < 2:
        return _outside(ns, shift_s)
    v_lo, v_hi = prior[V_LO], prior[V_HI]
    k = np.random.randint(0, ns - 1)
    xm = x_s[k] + row[SIGMA_MOVE] * np.random.standard_normal()
    lower = x_s[k - 1] if k > 0 else prior[X_LO]
    upper = x_s[k + 1] if k < ns - 2 else prior[X_HI]
    if xm <= lower or xm >= upper:
        return _outside(ns, shift_s)
    # the layers either side keep their conductance (+1), their transverse
    # resistance (-1), or their resistivity (0), each by its change of thickness
    top = 10.0**lower if k > 0 else 0.0
    a = np.random.randint(-1, 2)
    tv[k] += a * math.log10((10.0**xm - top) / (10.0 ** x_s[k] - top))
    hi = k
    if k < ns - 2:
        b = np.random.randint(-1, 2)
        bottom = 10.0**upper
        tv[k + 1] += b * math.log10((bottom - 10.0**xm) / (bottom - 10.0 ** x_s[k]))
        hi = k + 1
    if tv[k] < v_lo or tv[k] > v_hi or tv[k + 1] < v_lo or tv[k + 1] > v_hi:
        return _outside(ns, shift_s)
    tx[k] = xm
    return True, ns, k, hi, 0, xm, 0.0, shift_s


@jit
def _propose_value(ns, x_s, v_s, shift_s, row, prior, tv):  # pragma: no cover
    """Value: layer k's log10 ρ by a random walk or from the prior (:func:`_draw_value`);
    the change sits at the layer's middle in log depth."""
    k = np.random.randint(0, ns)
    vm = _draw_value(v_s[k], row[P_UNIFORM], row[SIGMA_VALUE], prior[V_LO], prior[V_HI])
    if np.isnan(vm):
        return _outside(ns, shift_s)
    tv[k] = vm
    top = x_s[k - 1] if k > 0 else prior[X_LO]
    bottom = x_s[k] if k < ns - 1 else prior[X_HI]
    return True, ns, k, k, 0, 0.5 * (top + bottom), 0.0, shift_s


@jit
def _propose_shift(ns, shift_s, row, prior, tx, tv):  # pragma: no cover
    """Shift: log10 s by a random walk, alone or (half the time) with the whole earth
    scaled alike; only the scaled earth changes layers (all of them)."""
    v_lo, v_hi, x_lo, x_hi = prior[V_LO], prior[V_HI], prior[X_LO], prior[X_HI]
    step = row[SIGMA_SHIFT] * np.random.standard_normal()
    new_shift = shift_s + step
    log_q = 0.5 * (shift_s**2 - new_shift**2) / prior[SHIFT_STD] ** 2
    # the earth scaled alike (ρ / s, h / sqrt s: the same φ, ρa / s): the data fix s·ρ, and
    # this walks along that ridge
    scaled = np.random.random() < 0.5
    if not scaled:
        return True, ns, -1, -1, 0, 0.0, log_q, new_shift
    for j in range(ns):
        tv[j] -= step
        if tv[j] < v_lo or tv[j] > v_hi:
            return _outside(ns, shift_s)
    for j in range(ns - 1):
        tx[j] -= 0.5 * step
        if tx[j] <= x_lo or tx[j] >= x_hi:
            return _outside(ns, shift_s)
    return True, ns, 0, ns - 1, 0, 0.5 * (x_lo + x_hi), log_q, new_shift


@jit
def _propose(move, ns, x_s, v_s, shift_s, row, prior, n_min, n_max, tx, tv):  # pragma: no cover
    """A trial of step type ``move`` from the model (``ns``, ``x_s``, ``v_s``, ``shift_s``)
    with the proposal scales ``row``: its interfaces and values into ``tx``, ``tv``, and
    ``(ok, n_new, lo, hi, row_shift, x_change, log_q, new_shift)`` — not ``ok`` where the
    trial leaves the prior; layers ``lo..hi`` changed, the ones below moved by ``row_shift``
    (a layer born +1, removed −1); ``x_change`` where (log10 depth); ``log_q`` the log of
    the prior ratio times the proposal ratio (the likelihood ratio aside)."""
    for j in range(ns - 1):
        tx[j] = x_s[j]
    for j in range(ns):
        tv[j] = v_s[j]
    if move == BIRTH:
        return _propose_birth(ns, x_s, v_s, shift_s, row, prior, n_max, tx, tv)
    if move == DEATH:
        return _propose_death(ns, x_s, v_s, shift_s, row, prior, n_min, tx, tv)
    if move == MOVE:
        return _propose_move(ns, x_s, shift_s, row, prior, tx, tv)
    if move == VALUE:
        return _propose_value(ns, x_s, v_s, shift_s, row, prior, tv)
    return _propose_shift(ns, shift_s, row, prior, tx, tv)


@jit
def _trial_buffers(nf, n_cap):  # pragma: no cover
    """Work arrays of a trial model, for ``nf`` frequencies and ``n_cap`` layers at most:
    its interfaces and values (:func:`_propose`), its terms (:func:`_trial_terms`), its
    cache rows and the order of its frequencies (:func:`_trial_misfit`)."""
    tx = np.empty(max(n_cap - 1, 1))
    tv = np.empty(n_cap)
    sqr = np.empty(n_cap)
    hq = np.empty(max(n_cap - 1, 1))
    return tx, tv, sqr, hq, np.empty((nf, n_cap, 4)), np.empty(nf, np.int64)


@jit
def _draw_move(cum_p):  # pragma: no cover
    """A step type (:data:`MOVES`) drawn from its cumulative probabilities ``cum_p`` (5,)."""
    u = np.random.random()
    move = 0
    while move < 4 and u > cum_p[move]:
        move += 1
    return move


@jit
def _commit_model(s, n_new, tx, tv, sqr, hq, n, x, v, terms):  # pragma: no cover
    """An accepted trial's model (``n_new`` layers: ``tx``, ``tv``) and its terms (``sqr``,
    ``hq``) into slot ``s``."""
    for j in range(n_new):
        terms[s, 0, j] = sqr[j]
    for j in range(n_new - 1):
        terms[s, 1, j] = hq[j]
    n[s] = n_new
    for j in range(n_new - 1):
        x[s, j] = tx[j]
    for j in range(n_new):
        v[s, j] = tv[j]


@jit
def _swap_neighbours(parity, beta, chi2, slot_of, swaps):  # pragma: no cover
    """Neighbouring temperatures (t, t + 1), t of ``parity``, try to swap their slots
    (``slot_of``, in place), counted (proposed, accepted) in ``swaps``."""
    for t in range(parity, beta.shape[0] - 1, 2):
        a, b = slot_of[t], slot_of[t + 1]
        swaps[t, 0] += 1
        log_alpha = 0.5 * (beta[t] - beta[t + 1]) * (chi2[a] - chi2[b])
        if math.log(1.0 - np.random.random()) < log_alpha:
            swaps[t, 1] += 1
            slot_of[t], slot_of[t + 1] = b, a


@jit
def _keep_sample(i, c, n, x, v, shift, chi2, s_chi2, s_n, s_x, s_v, s_shift):  # pragma: no cover
    """The state of slot ``c`` as sample ``i`` of the samples ``s_*`` (NaN beyond its
    layers)."""
    s_chi2[i] = chi2[c]
    s_n[i] = n[c]
    s_shift[i] = shift[c]
    for j in range(v.shape[1] - 1):
        s_x[i, j] = x[c, j] if j < n[c] - 1 else np.nan
    for j in range(v.shape[1]):
        s_v[i, j] = v[c, j] if j < n[c] else np.nan


@jit
def run_ladder(
    seed, n_sweeps, sweep_offset, thin, record, adapt, kind, data, prior, n_min, n_max,
    move_p, beta, table, slot_of, n, x, v, shift, chi2, cache, terms, depth_x, kept, s_chi2,
    s_n, s_x, s_v, s_shift, counts, swaps,
):  # pragma: no cover  # fmt: skip
    """Run one ladder for ``n_sweeps`` sweeps; the state arrays are updated in place.

    ``seed``: this call's RNG seed (numba's per-thread generator, seeded here, so a ladder
    gives the same numbers on any thread). ``data`` (7, F) (rows ``*_ROW``); ``prior`` (5,)
    (``V_LO``…``SHIFT_STD``) with layers ``n_min..n_max``; ``move_p`` (5,) step-type
    probabilities; ``beta`` (T,) per temperature, decreasing from 1; ``table`` (T, 6)
    proposal scales per temperature (adapted in place when ``adapt``: Robbins–Monro on
    the log scale towards :data:`TARGET_ACCEPTANCE`); ``slot_of`` (T,) the slot that holds
    each temperature (swapped in place). Slot state: ``n`` (T,), ``x`` (T, N_max-1), ``v``
    (T, N_max), ``shift`` (T,), ``chi2`` (T,), ``cache`` (T, F, N_max, 4)
    (:func:`full_forward`), ``terms`` (T, 2, N_max) (:func:`model_terms`). With
    ``record``, the β = 1 chain is added to ``kept`` (:func:`_record`, on the depth-bin
    centres ``depth_x``) and every ``thin``-th sweep (counted from ``sweep_offset``) to
    the samples ``s_*`` (S, ·). ``counts`` (T, 5, 2) proposed/accepted per temperature and
    step type (:data:`MOVES`); ``swaps`` (T − 1, 2) proposed/accepted per neighbouring
    pair.
    """
    # (the steps stay in this loop: numba counts a reference to every array a call takes,
    # and a call per step or per sweep with the ladder's arrays slows the chains by ~5 %)
    np.random.seed(seed)
    cum_p = np.cumsum(move_p)
    tx, tv, sqr, hq, new, order = _trial_buffers(data.shape[1], v.shape[1])
    window = np.zeros((beta.shape[0], 5, 2))
    weight = 0.0
    sample = 0
    for sweep in range(n_sweeps):
        for t in range(beta.shape[0]):
            s = slot_of[t]
            move = _draw_move(cum_p)
            counts[t, move, 0] += 1
            window[t, move, 0] += 1
            ok, n_new, lo, hi, row_shift, x_change, log_q, new_shift = _propose(
                move, n[s], x[s], v[s], shift[s], table[t], prior, n_min, n_max, tx, tv
            )
            if not ok:
                continue
            # accept when chi2_new < chi2 + 2 (log_q - log u) / β
            log_u = math.log(1.0 - np.random.random())
            chi2_max = chi2[s] + 2.0 * (log_q - log_u) / beta[t]
            if hi < 0:  # the shift alone
                chi2_new = _shift_misfit(kind, data, cache[s], new_shift, chi2_max)
            else:
                _trial_terms(n_new, lo, hi, row_shift, tx, tv, terms[s], sqr, hq)
                chi2_new = _trial_misfit(
                    kind, data, n_new, sqr, hq, lo, hi, row_shift, cache[s], new, new_shift,
                    x_change, chi2_max, order,
                )  # fmt: skip
            if not chi2_new < chi2_max:
                continue
            counts[t, move, 1] += 1
            window[t, move, 1] += 1
            if record and t == 0:
                _record(weight, n[s], x[s], v[s], prior, depth_x, kept)
                weight = 0.0
            chi2[s], shift[s] = chi2_new, new_shift
            if hi >= 0:  # (the shift alone keeps the model and its cache)
                _commit_rows(n_new, hi, row_shift, cache[s], new)
                _commit_model(s, n_new, tx, tv, sqr, hq, n, x, v, terms)
        # swaps between neighbours, even pairs on even sweeps and odd pairs on odd ones
        c = slot_of[0]
        _swap_neighbours((sweep + sweep_offset) % 2, beta, chi2, slot_of, swaps)
        if record and slot_of[0] != c:  # the β = 1 state swapped away
            _record(weight, n[c], x[c], v[c], prior, depth_x, kept)
            weight = 0.0
        weight += 1.0
        if record and (sweep + sweep_offset) % thin == 0 and sample < s_chi2.shape[0]:
            _keep_sample(sample, slot_of[0], n, x, v, shift, chi2, s_chi2, s_n, s_x, s_v, s_shift)
            sample += 1
        if adapt and (sweep + 1) % ADAPT_WINDOW == 0:
            _adapt(table, window, sweep + sweep_offset + 1)
    if record and weight > 0:
        c = slot_of[0]
        _record(weight, n[c], x[c], v[c], prior, depth_x, kept)


@jit
def _adapt(table, window, sweeps_done):  # pragma: no cover
    """Scale each random-walk step (move, value, shift) by ``exp(γ (rate − target))``,
    γ decaying with the sweeps done, from the last window's acceptance rate."""
    gain = min(1.0, 20.0 * ADAPT_WINDOW / sweeps_done) ** 0.5
    for t in range(table.shape[0]):
        for move, col in ((MOVE, SIGMA_MOVE), (VALUE, SIGMA_VALUE), (SHIFT, SIGMA_SHIFT)):
            tried = window[t, move, 0]
            if tried >= 20:
                rate = window[t, move, 1] / tried
                table[t, col] *= math.exp(gain * (rate - TARGET_ACCEPTANCE))
            window[t, move, 0] = 0.0
            window[t, move, 1] = 0.0


@jit
def start_state(
    s, n_s, x_s, v_s, shift_s, data, kind, n, x, v, shift, chi2, cache, terms
):  # pragma: no cover
    """Put model (n_s, x_s, v_s, shift_s) into slot ``s``: its terms, cache and χ²."""
    n[s] = n_s
    for j in range(n_s - 1):
        x[s, j] = x_s[j]
    for j in range(n_s):
        v[s, j] = v_s[j]
    shift[s] = shift_s
    model_terms(n_s, x[s], v[s], terms[s, 0], terms[s, 1])
    full_forward(n_s, terms[s, 0], terms[s, 1], data, cache[s])
    chi2[s] = chi2_of(kind, data, cache[s], shift_s)


@jit
def values_at(s_n, s_x, s_v, depth_x, out):  # pragma: no cover
    """log10 ρ at log10 depths ``depth_x`` (D,) of sampled models (S,) → ``out`` (S, D)."""
    for i in range(s_n.shape[0]):
        for d in range(depth_x.shape[0]):
            out[i, d] = _value_at(s_n[i], s_x[i], s_v[i], depth_x[d])
