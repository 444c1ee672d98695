"""Which periods of a sounding can be inverted, and which soundings cannot be at all.

Only the usable periods are validated. A period is masked, with a warning that names it,
where its phase leaves (0°, 90°) (impossible for a 1D earth) or its |Z| error reaches the
cap (:mod:`mtlib.data_errors`); a sounding is refused, with a ``ValueError`` that names it,
where its arrays are malformed, the periods its mask keeps hold no data or no error,
frequencies repeat, or fewer than :data:`MIN_PERIODS` usable periods or less than
:data:`MIN_SPAN_DECADES` decades remain. The rules are applied to all soundings of a batch
at once; only a sounding with something to say is looked at alone.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import data_errors
from .._checks import has_data, sounding_arrays
from ..networks.fieldnet import stack_soundings

MIN_PERIODS = 4
"""Fewest usable periods a sounding may have."""
MIN_SPAN_DECADES = 1.5
"""Least span of usable data (decades of frequency)."""


def _flags(freq, rhoa, phase, p, given, mask, z_err_cap: float) -> dict:
    """The rules on soundings of arrays (n, F) (``given`` (n,): where the caller gave the
    mask; ``mask``: it, or True on every period but the padding). Per period: ``no_data``
    (a kept period without data), ``outside`` (its phase), ``checked`` (the periods whose
    errors are checked), ``bad_error``, ``capped``, the final usable ``mask`` and repeated
    frequencies among them (``duplicates``, NaN-padded (n, F-1))."""
    with_data = has_data(rhoa, phase)
    no_data = given[:, None] & mask & ~with_data
    mask = np.where(given[:, None], mask, mask & with_data)
    with np.errstate(invalid="ignore"):
        outside = mask & ((phase <= 0) | (phase >= 90))
    checked = mask & ~outside
    bad_error, capped = data_errors.error_flags(p, checked, z_err_cap)
    usable = checked & ~capped
    used = np.sort(np.where(usable, freq, np.nan), axis=1)  # (NaN last, never equal)
    duplicates = np.where(used[:, 1:] == used[:, :-1], used[:, 1:], np.nan)
    return dict(
        no_data=no_data,
        outside=outside,
        checked=checked,
        bad_error=bad_error,
        capped=capped,
        mask=usable,
        duplicates=duplicates,
    )


def _says_something(freq, flags: dict) -> np.ndarray:
    """(n,): the soundings :func:`_refusal` must look at (a warning or a refusal)."""
    keys = ("no_data", "outside", "bad_error", "capped")
    says = np.any(np.stack([flags[k] for k in keys]), axis=(0, 2))
    says |= np.isfinite(flags["duplicates"]).any(axis=1)
    says |= flags["mask"].sum(axis=1) < MIN_PERIODS
    used = np.where(flags["mask"], freq, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        span = np.log10(np.nanmax(used, 1, initial=-np.inf) / np.nanmin(used, 1, initial=np.inf))
    return says | ~(span >= MIN_SPAN_DECADES)


def _refusal(arrays: tuple, flags: dict, k: int, who: str, err_name: str, z_err_cap: float):
    """Say what there is to say about sounding ``k`` (warnings), and return the reason it
    is refused, or None. ``arrays``: its own (F,) arrays; ``flags``: :func:`_flags`, row k.
    Checks in order: data on kept periods, phases, errors, duplicates, count, span."""
    f, p, n = arrays[0], arrays[3], arrays[0].size
    flags = {key: value[k, :n] for key, value in flags.items() if key != "duplicates"} | {
        "duplicates": flags["duplicates"][k]
    }
    if flags["no_data"].any():
        return (
            f"{who}: rhoa_ohmm must be finite and > 0 and phase_deg finite on the periods "
            f"the mask keeps; not on {data_errors.describe_periods(f, flags['no_data'])}"
        )
    if flags["outside"].any():
        warnings.warn(
            f"{who}: masked {data_errors.describe_periods(f, flags['outside'])} whose "
            "phase is outside (0°, 90°), impossible for a 1D earth",
            UserWarning,
            stacklevel=5,
        )
    if flags["bad_error"].any() or flags["capped"].any():
        try:  # the error model says it (and warns of the capped periods)
            data_errors.usable_errors(f, p, flags["checked"], z_err_cap, err_name, who)
        except ValueError as err:
            return str(err)
    dup = flags["duplicates"]
    if np.isfinite(dup).any():
        listed = ", ".join(f"{x:g}" for x in np.unique(dup[np.isfinite(dup)]))
        return (
            f"{who}: duplicated frequencies among the usable periods: {listed} Hz; "
            "average them or mask all but one"
        )
    count = int(flags["mask"].sum())
    if count < MIN_PERIODS:
        return (
            f"{who}: only {count} usable periods of {n}; at least {MIN_PERIODS} are needed "
            f"(finite ρa > 0, a phase in (0, 90)° and an error below {100 * z_err_cap:g} % "
            "of |Z|)"
        )
    used = f[flags["mask"]]
    span = np.log10(used.max() / used.min())
    if span < MIN_SPAN_DECADES:
        return (
            f"{who}: the usable periods span {span:.2f} decades of frequency; at least "
            f"{MIN_SPAN_DECADES} are needed for a 1D inversion"
        )
    return None


def usable_soundings(
    responses, z_err_cap: float, err_name: str = "z_rel_err", refused: dict | None = None
) -> tuple[list[tuple], list[int]]:
    """The checked soundings: ``(freq_hz, rhoa_ohmm, phase_deg, z_rel_err, mask)`` of (F,)
    float arrays each (the error 1 where masked), and the indices of ``responses`` they
    came from. A sounding that cannot be inverted raises ``ValueError`` naming it; with a
    dict as ``refused`` it is left out instead and ``refused[index]`` says why."""

    def refuse(k: int, reason: str) -> None:
        if refused is None:
            raise ValueError(reason)
        refused[k] = reason

    names = [f"sounding {getattr(r, 'station', '') or k}" for k, r in enumerate(responses)]
    arrays, kept = [], []
    for k, resp in enumerate(responses):
        try:
            fields = (resp.freq_hz, resp.rhoa_ohmm, resp.phase_deg, resp.z_rel_err, resp.mask)
            arrays.append(sounding_arrays(*fields, who=names[k], err_name=err_name))
            kept.append(k)
        except ValueError as err:
            refuse(k, str(err))
    if not arrays:
        return [], []
    given = np.array([a[4] is not None for a in arrays])
    freq, rhoa, phase, p, mask = stack_soundings(
        [(f, r, ph, e, np.ones(f.size, bool) if m is None else m) for f, r, ph, e, m in arrays]
    )
    flags = _flags(freq, rhoa, phase, p, given, mask, z_err_cap)
    says = _says_something(freq, flags)
    data, usable = [], []
    for row, k in enumerate(kept):
        if says[row]:
            reason = _refusal(arrays[row], flags, row, names[k], err_name, z_err_cap)
            if reason is not None:
                refuse(k, reason)
                continue
        f, r, ph, e, _ = arrays[row]
        m = flags["mask"][row, : f.size]
        data.append((f, r, ph, np.where(m, e, 1.0), m))
        usable.append(k)
    return data, usable
