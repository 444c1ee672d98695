# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 10 — Real soundings: errors, dimensionality, and what a 1D model can reach
#
# The paper's network was never tried on field data. This notebook takes the project to **26
# real soundings from public surveys** (`mtlib/soundings/`: EDI and EMTF-XML; AMT, broadband
# and long-period; provenance and licences in its README) through `mtlib.invert`: read the
# impedance tensor, take its rotation-invariant (determinant) response with a 5 % floor on
# |Z| (periods with errors of 100 % or more masked, with a warning), build a 50-layer grid
# that covers the data's skin depths, let the **field network** guess a model and its σ
# (notebook 11), and run **Occam's inversion** (notebook 04) with the guess as starting and
# reference model: each sounding picks its own μ, the smoothest departure from the guess
# that fits the data to nRMS 1.
#
# Two references stand beside it: pyGIMLi's smooth inversion on the same periods, errors and
# grid, and **Parker's D+** (`mtlib.dplus`): the smallest misfit *any* 1D earth reaches on
# these data. D+ decides whether a misfit is the inversion's fault or the data's.

# %% tags=["parameters"]
profile = None  # smoke | quick | paper; None → $MTLIB_PROFILE or "quick"

# %%
# On Colab, or wherever mtlib is not installed yet: install it from the repository (the
# address comes from pyproject.toml; tools/links.py writes it here)
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("mtlib") is None:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q",
                           "mtlib[lab] @ git+https://github.com/OWNER/mtlib"])

# %%
import json
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import mtlib
from mtlib import field, plotting
from mtlib.dplus import dplus
from mtlib.harness import config
from mtlib.inversion import baseline, invert, invert_many

P = config.get_profile(profile)
net = mtlib.load_pretrained(mtlib.DEFAULT_FIELD_NETWORK)  # the field network
files = field.real_soundings()
print(f"profile: {P.name}; {len(files)} real soundings "
      f"({sum(p.suffix == '.edi' for p in files)} EDI, {sum(p.suffix == '.xml' for p in files)} "
      "EMTF-XML)")


def roughness(rho_ohmm) -> float:
    """RMS step of log10 ρ between adjacent layers (decades)."""
    return float(np.sqrt(np.mean(np.diff(np.log10(rho_ohmm)) ** 2)))


# %% [markdown]
# ## 1. What the files hold
#
# Real files carry what synthetic data never do: errors from under 1 % to over 1 000 %,
# missing periods, bands from 3.0 to 6.2 decades, two files whose phases are read as the
# opposite time convention (section 3 questions that), and periods where the earth is not
# 1D. Three measures of dimensionality, per period (`mtlib.field`):
#
# * the phase-tensor **skew** β (Caldwell, Bibby & Brown 2004), free of rotation and of
#   galvanic distortion: 0 for a 1D *and* for a 2D earth — a small |β| rules out 3D, not 2D;
# * the phase-tensor **ellipticity**, equally free of both: 0 only in 1D; a 2D earth has
#   β = 0 but an ellipticity that grows with the difference of its two modes' phases;
# * the **mode split** log10(ρa,xy / ρa,yx): 0 for an undistorted 1D earth, but it depends
#   on the rotation, and a static shift of one mode splits it by a constant.

# %%
soundings, responses, notes = [], [], {}
for path in files:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sounding = field.read(path)
        resp = sounding.response("det", error_floor=0.05)
    soundings.append(sounding)
    responses.append(resp)
    notes[resp.station] = "; ".join(str(w.message).split(" (")[0] for w in caught)
print(f"{'station':>8} {'file':5} | {'band (Hz)':>17} | {'decades':>7} | periods | "
      f"{'|β|':>5} | {'ellip.':>6} | {'split':>5} | notes")
for path, sounding, resp in zip(files, soundings, responses):
    m = resp.mask
    band = f"{resp.freq_hz.max():.3g}–{resp.freq_hz.min():.2g}"
    print(f"{resp.station:>8} {path.suffix:5} | {band:>17} | "
          f"{np.log10(resp.freq_hz.max() / resp.freq_hz.min()):7.1f} | {int(m.sum()):2d}/"
          f"{m.size:2d}   | {np.nanmedian(np.abs(sounding.skew_deg[m])):4.1f}° | "
          f"{np.nanmedian(sounding.ellipticity[m]):6.2f} | "
          f"{np.nanmedian(np.abs(sounding.mode_split_decades[m])):5.2f} | "
          f"{notes[resp.station][:60]}")
spans = np.array([np.log10(r.freq_hz.max() / r.freq_hz.min()) for r in responses])
with np.errstate(divide="ignore", invalid="ignore"):
    rel = np.concatenate([(s.z_err_ohm[:, 0, 1] / np.abs(s.z_ohm[:, 0, 1])) for s in soundings])
rel = rel[np.isfinite(rel)]
flat = {r.station for s, r in zip(soundings, responses)
        if np.nanmedian(np.abs(s.skew_deg[r.mask])) < 3
        and np.nanmedian(s.ellipticity[r.mask]) < 0.1}
print(f"bands of {spans.min():.1f}–{spans.max():.1f} decades; errors of Zxy from "
      f"{100 * rel.min():.2f} % to {100 * rel.max():,.0f} %; median |β| < 3° on "
      f"{sum(np.nanmedian(np.abs(s.skew_deg[r.mask])) < 3 for s, r in zip(soundings, responses))} "
      f"soundings, and median ellipticity < 0.1 as well on {len(flat)}: {', '.join(sorted(flat))}")
# the claims above
assert 2.9 < spans.min() < 3.1 and 6.1 < spans.max() < 6.3 and rel.min() < 0.01 < 10 < rel.max()
assert sum("time convention" in n for n in notes.values()) == 2

# %% [markdown]
# Most of these soundings have a small skew, and most of those a clearly nonzero ellipticity
# (0.1–0.4): by the phase tensor they are two-dimensional over much of their band, and a
# skew test alone would have called them 1D. The determinant averages the two modes of a 2D
# earth into one response; a 1D model can often fit that average, but it describes no single
# direction. Whether a 1D model *can* fit is the next question.
#
# ## 2. Invert them all — next to pyGIMLi, and next to the best any 1D earth can do
#
# One batched call inverts the whole set (and, for comparison, the whole set again from a
# half-space); pyGIMLi runs on each sounding with the same periods, errors and grid (λ = 20,
# from a half-space); and **D+** runs on the same periods.
#
# All misfits are read in χ² terms (notebook 03): N = 2 × periods data, and a true earth with
# right errors gives χ² = N ± √(2N). D+ is the minimum over all 1D earths, so every 1D
# inversion's χ² (Occam's from the guess, pyGIMLi's, the guess's alone) lies at or above
# it: it is the **floor** of the table. For each sounding:
#
# * **the data's**: D+'s χ² is above the 95 % quantile of χ²(N) — no 1D earth explains the
#   data within their errors (not 1D, or errors too small: D+ cannot tell which);
# * **the inversion's**: D+ fits but the inversion's χ² is above that quantile — the
#   regularization, or the engine, costs the fit;
# * **fits**, or fits **below the scatter** N − 2√(2N) (see below).

# %%
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # the masking was reported above
    results = invert_many(responses, net)
    from_halfspace = invert_many(responses, net, start="halfspace")
    rows = []
    for resp, res, half in zip(responses, results, from_halfspace):
        m = res.mask
        best = dplus(resp.freq_hz, resp.rhoa_ohmm, resp.phase_deg, resp.z_rel_err, m,
                     station=resp.station)
        try:
            occam = baseline.pygimli_invert(resp.freq_hz[m], resp.rhoa_ohmm[m], resp.phase_deg[m],
                                          res.thick_m, z_rel_err=resp.z_rel_err[m])
            chi2_pg, rho_pg = occam.chi2 * best.n_data, occam.rho_ohmm
        except RuntimeError:  # pyGIMLi gives up on some real soundings
            chi2_pg, rho_pg = np.nan, None
        n = best.n_data
        limit = best.chi2_threshold(0.95)
        chi2 = res.nrms**2 * n
        verdict = ("the data's" if best.chi2 > limit else "the inversion's" if chi2 > limit
                   else "below the scatter" if chi2 < n - 2 * np.sqrt(2 * n) else "fits")
        rows.append(dict(station=resp.station, resp=resp, res=res, half=half, dplus=best, n=n,
                         limit=limit, chi2=chi2, chi2_pg=chi2_pg, rho_pg=rho_pg, verdict=verdict,
                         chi2_guess=res.nrms_network**2 * n))

print(f"{'station':>8} | {'N':>3} | {'N ± √(2N)':>9} | {'95 %':>5} | {'χ² D+':>7} | "
      f"{'Occam':>7} | {'pyGIMLi':>7} | {'guess':>7} | it | hs | {'D+ nRMS':>7} | verdict")
for r in rows:
    print(f"{r['station']:>8} | {r['n']:3d} | {r['n']:3d} ± {np.sqrt(2 * r['n']):3.0f} | "
          f"{r['limit']:5.0f} | {r['dplus'].chi2:7.1f} | {r['chi2']:7.1f} | {r['chi2_pg']:7.1f} | "
          f"{r['chi2_guess']:7.1f} | {r['res'].iterations:2d} | {r['half'].iterations:2d} | "
          f"{r['dplus'].nrms:7.2f} | {r['verdict']}")
verdicts = {v: [r["station"] for r in rows if r["verdict"] == v]
            for v in ("the data's", "the inversion's", "fits", "below the scatter")}
for verdict, stations in verdicts.items():
    print(f"{verdict:>18}: {len(stations):2d}  {', '.join(stations)}")

# %%
compared = [r for r in rows if np.isfinite(r["chi2_pg"])]
within = [r["chi2"] <= max(r["n"], 1.05**2 * r["chi2_pg"]) + 1e-9 for r in compared]
iters = np.array([r["res"].iterations for r in rows])
iters_hs = np.array([r["half"].iterations for r in rows])
guess_fits = [r["station"] for r in rows if r["chi2_guess"] <= r["limit"]]
print(f"the guess alone fits within its errors (χ² ≤ the 95 % quantile) on {len(guess_fits)} of "
      f"{len(rows)}; final χ² ≤ max(N, 1.05² × pyGIMLi's) on {sum(within)} of {len(compared)} "
      f"(pyGIMLi failed on {len(rows) - len(compared)})")
print(f"Gauss–Newton iterations: median {np.median(iters):.1f} from the network's guess, "
      f"{np.median(iters_hs):.1f} from a half-space")
# the claims of this section, checked in every profile (the field network is the shipped one)
for r in rows:
    assert r["dplus"].chi2 <= r["chi2"] + 1e-6, "D+ is the floor of every 1D inversion"
    assert not np.isfinite(r["chi2_pg"]) or r["dplus"].chi2 <= r["chi2_pg"] + 1e-6
    assert r["res"].nrms <= r["res"].nrms_network + 1e-9, "refining never hurts"
assert all(within), "never worse than pyGIMLi's, nor than the target"
assert np.median(iters) < np.median(iters_hs), "the guess should save iterations"
assert len(guess_fits) > len(rows) / 2, "the guess alone explains most within their errors"
assert set(verdicts["the data's"]) >= {"YNP15S", "SR910", "gv103", "gv161"}
fig = plotting.field_summary_figure(
    [r["station"] for r in rows], [r["res"].nrms_network for r in rows],
    [r["res"].nrms for r in rows], [np.sqrt(r["chi2_pg"] / r["n"]) for r in rows],
    [r["dplus"].nrms for r in rows], [r["n"] for r in rows], iters, iters_hs)
plotting.save(fig, "10_field_summary")

# %% [markdown]
# Five soundings are **the data's** misfits: both engines stall a little above D+, and the
# rest of the misfit is the earth's dimensionality or the errors, not the engine (section
# 3). **plc002** is the inversion's: D+ fits it, neither smooth inversion does — its data
# ask for sharper structure than the roughness norm allows.
#
# On about half of the set the final χ² lies **below the scatter** — nRMS 0.4–0.7. That is
# not a better fit. There the guess already fits, Occam takes no step (the guess *is* the
# smoothest departure from itself), and the final model is the network's prior; D+ lies far
# below N, so the 5 % error floor exceeds these data's own scatter and many models fit.
# Occam from a half-space reaches nRMS 1 with a smoother model: the guess's extra structure
# is the prior's, not something these data require.

# %%
low = [r for r in rows if r["verdict"] == "below the scatter"]
for r in low:
    print(f"{r['station']:>8}: χ² {r['chi2']:5.1f} (N = {r['n']}, D+ {r['dplus'].chi2:5.1f}); "
          f"iterations {r['res'].iterations}; roughness of the final model "
          f"{roughness(r['res'].rho_ohmm):.3f}, of Occam from a half-space "
          f"{roughness(r['half'].rho_ohmm):.3f} (nRMS {r['half'].nrms:.2f})")
# the claims above: below the scatter, the final model is the guess itself, D+ is far
# below N, and a smoother model from a half-space fits at nRMS ≈ 1
assert len(low) >= 10
for r in low:
    assert r["res"].iterations == 0 and np.allclose(r["res"].rho_ohmm, r["res"].rho_network_ohmm)
    assert r["dplus"].chi2 < r["n"] - 2 * np.sqrt(2 * r["n"])
    assert roughness(r["half"].rho_ohmm) < roughness(r["res"].rho_ohmm) and r["half"].nrms > 0.85

example = next(r for r in low if r["station"] == "ORI08")
fig, ax = plt.subplots(figsize=(5, 5))
res = example["res"]
bottom = 3 * res.doi_m
plotting.model_axes(ax, rho_lim=(1, 3000))
ax.set_yscale("log")
ax.set_ylim(bottom, 0.5 * res.thick_m[0])
plotting.plot_model(ax, res.rho_ohmm, res.thick_m, bottom, color=plotting.REFINED_COLOR,
                    label=f"final = the network's guess (nRMS {res.nrms:.2f})")
plotting.plot_model(ax, example["half"].rho_ohmm, res.thick_m, bottom, color="0.4",
                    label=f"Occam from a half-space (nRMS {example['half'].nrms:.2f})")
ax.axhspan(res.doi_m, bottom, color="0.85", alpha=0.5, lw=0)
ax.legend(fontsize=8, loc="lower left")
ax.set_title(f"ORI08: both fit its errors (D+ nRMS {example['dplus'].nrms:.2f})", fontsize=10)
fig.tight_layout()
plotting.save(fig, "10_prior_not_data")

# %% [markdown]
# ## 3. Where the fits miss
#
# nRMS is one number; the normalized residuals (observed − final model, divided by the
# error) show where a model misses. Within ±1 (grey) a datum is explained to its error; a run
# of residuals on one side across many periods is structure a 1D model does not have. Three
# soundings that fit, and the two that fit worst (their residuals reach tens of errors: the
# axis is logarithmic beyond ±2):

# %%
worst = sorted(rows, key=lambda r: r["res"].nrms)[-2:]
shown = [r for r in rows if r["station"] in ("gv100", "WIT2", "IDD11")] + worst
fig = plotting.residuals_figure([(r["station"], r["resp"], r["res"]) for r in shown])
plotting.save(fig, "10_field_residuals")

# %% [markdown]
# What a 1D inversion does not see — the tensor behind the two worst fits: the apparent
# resistivities and phases of Zxy and −Zyx separately (a 1D earth makes them equal), the
# phase-tensor skew and the ellipticity. Both worst fits are also the two files the reader
# conjugated: it reads a determinant whose median phase lies in the fourth quadrant as the
# opposite time convention. That is a guess — a 3D earth's out-of-quadrant phases look the
# same — so the modes are checked one by one: under a convention the two modes' phases leave
# the first quadrant together, at every period.

# %%
by_station = {r.station: s for s, r in zip(soundings, responses)}
quadrant = {}
for r in worst:
    sounding = by_station[r["station"]]
    used = r["res"].mask
    z = sounding.z_ohm[used]
    first = {mode: float(np.mean((np.angle(zm) > 0) & (np.angle(zm) < np.pi / 2)))
             for mode, zm in (("xy", z[:, 0, 1]), ("yx", -z[:, 1, 0]))}
    quadrant[r["station"]] = first
    print(f"{r['station']}: nRMS {r['res'].nrms:.2f} (D+ {r['dplus'].nrms:.2f}); median |β| "
          f"{np.median(np.abs(sounding.skew_deg[used])):.1f}°, ellipticity "
          f"{np.median(sounding.ellipticity[used]):.2f}, mode split "
          f"{np.median(np.abs(sounding.mode_split_decades[used])):.2f} decades; as written, "
          f"phases in the first quadrant: xy {first['xy']:.0%}, yx {first['yx']:.0%} of the "
          "periods")
    plotting.save(plotting.tensor_figure(sounding, title=f"{r['station']}: the tensor"),
                  f"10_tensor_{r['station']}")
# the claims below: the two worst fits are the conjugated files and D+'s worst; YNP15S has one
# mode in the first quadrant and one out of it, SR910 both modes out at nearly every period
assert {r["station"] for r in worst} == {"YNP15S", "SR910"}
assert all(r["verdict"] == "the data's" for r in worst)
assert quadrant["YNP15S"]["xy"] < 0.1 < 0.7 < quadrant["YNP15S"]["yx"]
assert max(quadrant["SR910"].values()) < 0.1

# %% [markdown]
# The two misses have different causes. **YNP15S**: its yx mode lies in the first quadrant,
# as an e^(+iωt) file's should, while its xy mode lies outside it at every period — not a
# time convention, but out-of-quadrant phases of a three-dimensional earth (its skew is
# large at most periods and its modes differ by over a decade), which the conjugated
# determinant only scrambles. No 1D model fits it either way. **SR910**: both modes leave
# the first quadrant together at every period, as a file written with e^(−iωt) would; its
# skew is moderate (7° median) and its modes differ by half a decade. But its apparent
# resistivity falls by over six decades across three decades of frequency, and no 1D earth
# lets ρa fall faster than one decade per decade of frequency (the limit of a perfect
# conductor, ρa ∝ f) — whatever its phases. These data are impossible in 1D on their own:
# the file's amplitudes, units or processing, not an earth the engine misses. D+ agrees:
# the best any 1D earth does is nRMS ≈ 15.

# %%
sr910 = next(r for r in rows if r["station"] == "SR910")
used = sr910["res"].mask
f_used, rhoa_used = sr910["resp"].freq_hz[used], sr910["resp"].rhoa_ohmm[used]
fall = np.log10(rhoa_used[0] / rhoa_used[-1])  # from the highest frequency to the lowest
span = np.log10(f_used[0] / f_used[-1])
print(f"SR910: ρa falls {fall:.1f} decades over {span:.1f} decades of frequency "
      f"({rhoa_used[0]:.3g} → {rhoa_used[-1]:.2g} Ω·m); D+ nRMS {sr910['dplus'].nrms:.1f}")
assert fall > span + 1  # at most one decade per decade in 1D, far beyond the errors

# %% [markdown]
# ## 4. Masking periods by their skew, and what it cannot do
#
# SA295 (AusLAMP) carries a large skew at its longest periods. Masking the periods where
# |β| > 6° removes what the phase tensor calls three-dimensional — but a small β does not
# make a period 1D: the periods kept can still be 2D, which their ellipticity says and the
# determinant averages away. D+ then says whether some 1D earth fits what is left within its
# errors — a statement about the data as read, not a proof that the earth is 1D.

# %%
sa = by_station["SA295"]
masked = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for max_skew in (None, 6.0):
        resp = sa.response(max_skew_deg=max_skew)
        res = invert(resp.freq_hz, resp.rhoa_ohmm, resp.phase_deg, resp.z_rel_err, resp.mask,
                     net=net)
        best = dplus(resp.freq_hz, resp.rhoa_ohmm, resp.phase_deg, resp.z_rel_err, res.mask)
        masked[max_skew] = dict(res=res, dplus=best,
                                ellipticity=np.median(sa.ellipticity[res.mask]))
        which = "no skew mask" if max_skew is None else f"periods with |β| > {max_skew:g}° masked"
        print(f"SA295, {which}: {int(res.mask.sum())} periods used, nRMS {res.nrms:.2f}, D+ nRMS "
              f"{best.nrms:.2f}; median ellipticity of the periods used "
              f"{masked[max_skew]['ellipticity']:.2f}")
# the claims above: after the mask, a 1D earth fits within the errors, yet the periods kept
# are far from 1D by their ellipticity
assert masked[6.0]["dplus"].consistent_with_1d() and masked[6.0]["ellipticity"] > 0.3

# %% [markdown]
# ## 5. Models and speed
#
# Where the data say little — below the depth of investigation, between close conductors —
# the reference shows through: a half-space for pyGIMLi, the network's prior for mtlib
# (which also saves Gauss–Newton iterations). Read D+ and the phase tensor before reading
# any model. The speed is measured by `bench/field.py` (`bench/results/field.json`), each
# number under one name: *per sounding, engine vs engine* (both from a half-space, same
# periods, grid, errors and threads), *per sounding, with the network* (one `invert` call,
# guess included) and *batched* (one `invert_many` call). The first says how fast the
# compiled engine itself is; its difference from the second is what the guess costs and the
# iterations it saves.

# %%
FIELD_BENCH = Path("..") / "bench" / "results" / "field.json"
if FIELD_BENCH.is_file():  # the benchmark's numbers, where the repository is at hand
    measured = json.loads(FIELD_BENCH.read_text())
    print(f"bench/field.py, threads {measured['machine']['threads']}:")
    for data_set in ("real", "synthetic"):
        for name, entry in measured[data_set]["comparisons"].items():
            print(f"  {data_set}, {name}: mtlib {1e3 * entry['mtlib_s']:.2f} ms, pyGIMLi "
                  f"{1e3 * entry['pygimli_s']:.1f} ms per sounding: {entry['speedup']:.1f}×")
    engine = measured["real"]["comparisons"]["per sounding, engine vs engine"]
    # the claim above, on the benchmark's numbers (a notebook's own timings move with load):
    # from the same start, the engine alone is several times faster than pyGIMLi's
    assert engine["speedup"] > 3
