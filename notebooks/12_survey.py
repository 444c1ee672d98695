# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 12 — A survey: sections along a profile, laterally constrained
#
# Magnetotellurics is acquired as surveys, and read as sections: the models of neighbouring
# stations side by side along a line. This notebook takes a real one — **Gabbs Valley,
# Nevada** (USGS broadband MT, 2020, 59 stations; provenance in
# `mtlib/surveys/gabbs_valley/README.md`) — and its southern row, **profile A** (seven
# stations over 41 km), through three ways of turning soundings into a section:
#
# 1. **independent 1D inversions** (the field network's guess, then Occam, notebook 10),
#    every station on one common grid;
# 2. a **laterally constrained inversion** (LCI, `mtlib.survey.lci`): one joint
#    Gauss–Newton over all stations, each fitting its own data, neighbours asked to agree;
# 3. the **posterior** of each station (`mtlib.posterior`, notebook 05), where the time
#    budget allows.
#
# The stations run through `mtlib.survey.run`, in chunks, here or on a Dask cluster — the
# same call that scales to thousands of stations on many machines. Then: what the section
# can say, and what it cannot.

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
                           "mtlib[lab,survey] @ git+https://github.com/OWNER/mtlib"])

# %%
import warnings

import numpy as np

from mtlib import field, plotting
from mtlib.dplus import dplus_response
from mtlib.harness import config
from mtlib.survey import PROFILE_A, Line, common_grid, gabbs_valley, lci, run

P = config.get_profile(profile)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # the survey's empty estimates are masked on reading
    soundings = [field.read(p) for p in gabbs_valley()]
by_name = {s.station: s for s in soundings}
print(f"profile: {P.name}; {len(soundings)} stations; profile A: {', '.join(PROFILE_A)}; "
      f"stations run {'here' if P.survey_scheduler is None else 'on ' + P.survey_scheduler}")

# %% [markdown]
# ## 1. The line
#
# Station positions come from the files (WGS84). A straight line is fitted to the row by
# total least squares on a local flat projection; each station's place on the section is
# its distance along the line, its offset from it says how far the 2-D picture bends the
# truth. The survey's README gives 88°, 40.6 km and an RMS offset of 0.6 km.

# %%
row = [by_name[name] for name in PROFILE_A]
lat = np.array([s.latitude for s in row])
lon = np.array([s.longitude for s in row])
line = Line.fit(lat, lon)
distance_km = line.distance_km(lat, lon)
offset_km = line.offset_km(lat, lon)
for s, d, o in zip(row, distance_km, offset_km):
    print(f"{s.station}: {d:5.1f} km along, {o:+.2f} km off the line")
print(f"bearing {line.bearing_deg:.1f}°, length {np.ptp(distance_km):.1f} km, "
      f"RMS offset {np.sqrt(np.mean(offset_km**2)):.2f} km")
assert abs(line.bearing_deg - 88) < 1 and abs(np.ptp(distance_km) - 40.6) < 0.5
assert abs(np.sqrt(np.mean(offset_km**2)) - 0.60) < 0.02
assert np.all(np.diff(distance_km) > 0)  # the row's order is the line's
fig = plotting.station_map([s.latitude for s in soundings], [s.longitude for s in soundings],
                           [s.station for s in soundings], line, PROFILE_A)
plotting.save(fig, "12_stations")

# %% [markdown]
# ## 2. Which stations are 1D?
#
# A section of 1D models assumes each station sees a layered earth. Three tests, station by
# station (notebook 10 explains them): the phase tensor's skew β (≈ 0 in 1D and 2D) and
# ellipticity (≈ 0 only in 1D), and **Parker's D+**: the smallest misfit *any* 1D earth
# reaches with these errors. A D+ χ² above the 95 % point of χ²(N) means no 1D earth fits:
# the station is not 1D (or its errors are too small); no inversion of it will reach
# nRMS 1.

# %%
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    responses = [s.response("det", error_floor=0.05) for s in row]
    dplus = [dplus_response(r) for r in responses]
not_1d = [r.station for r, d in zip(responses, dplus) if not d.consistent_with_1d(0.95)]
for s, r, d in zip(row, responses, dplus):
    m = r.mask
    print(f"{s.station}: median |β| {np.nanmedian(np.abs(s.skew_deg[m])):4.1f}°, "
          f"ellipticity {np.nanmedian(s.ellipticity[m]):.2f}, D+ nRMS {d.nrms:.2f} "
          f"({'1D within its errors' if d.consistent_with_1d(0.95) else 'NOT 1D'})")
print("not 1D at 95 %:", ", ".join(not_1d) or "none")
assert all(d.nrms > 0 for d in dplus)

# %% [markdown]
# ## 3. Independent inversions and the LCI on one grid
#
# Every station is inverted on the same 50-layer grid, one that covers all of them (its
# first layer as thin as the shallowest station needs, its half-space as deep as the
# deepest). The independent inversions go through `mtlib.survey.run`; the LCI solves all
# seven together — neighbours weighted by their distance (the 11 km gap between gv105 and
# gv106 counts half as much as a 6 km step), each station's trade-off chosen so that it
# fits its own data to nRMS 1 (or as well as it can).

# %%
thick_m = common_grid(responses, 50)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    independent = run("invert", responses, scheduler=P.survey_scheduler, thick_m=thick_m)
    joint = lci(responses, distance_km, thick_m)
nrms_ind = np.array([r.nrms for r in independent])
print(f"LCI: {joint.iterations} joint iterations, {joint.stop}, {joint.seconds:.1f} s")
for r, a, b, d in zip(responses, independent, joint.results, dplus):
    print(f"{r.station}: nRMS independent {a.nrms:.2f} ({a.stop}), LCI {b.nrms:.2f} "
          f"({b.stop}), D+ {d.nrms:.2f}")
# no 1D model beats D+ (up to the search's tolerance)
assert all(a.nrms >= d.nrms - 0.02 and b.nrms >= d.nrms - 0.02
           for a, b, d in zip(independent, joint.results, dplus))
# every station the independent inversion fits to its target, the LCI fits too (nRMS 1
# within the LCI's tolerance, 5 % in χ²); a station no 1D earth fits gives up a little of
# its best fit to agree with its neighbours
fits = np.array([r.stop == "target" for r in independent])
assert np.all(joint.nrms[fits] <= np.sqrt(1.05) + 1e-9)
assert np.all(joint.nrms[~fits] <= 1.1 * nrms_ind[~fits])
print("stations the LCI fits less well than alone (nRMS):", ", ".join(
    f"{r.station} {b:.2f} vs {a:.2f}" for r, a, b in zip(responses, nrms_ind, joint.nrms)
    if b > a + 0.02) or "none")
m_ind = np.log10([r.rho_ohmm for r in independent])
step_ind = np.abs(np.diff(m_ind, axis=0)).mean()
step_lci = np.abs(np.diff(joint.log10_rho, axis=0)).mean()
print(f"mean |Δ log10 ρ| between neighbours: independent {step_ind:.3f}, LCI {step_lci:.3f}")
assert step_lci < step_ind

# %% [markdown]
# ## 4. Posteriors
#
# The sampler draws each station's posterior (every layered earth that fits, weighed by
# how well) — seconds to minutes per station, which is why a survey runs it on a cluster.

# %%
n_post = min(P.survey_posterior_stations, len(responses))
options = {} if P.survey_posterior_max_seconds is None else {
    "max_seconds": P.survey_posterior_max_seconds}
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    posteriors = run("sample", responses[:n_post], scheduler=P.survey_scheduler, seed=0,
                     **options)
converged = [p.stop == "converged" for p in posteriors]
for p in posteriors:
    print(p.summary())
print(f"{sum(converged)} of {n_post} posteriors converged "
      f"({'capped at ' + str(P.survey_posterior_max_seconds) + ' s each' if options else 'uncapped'})")
assert all(p.stop in ("converged", "max_seconds", "max_sweeps") for p in posteriors)
assert all(max(float(np.max(v)) for v in p.rhat.values()) <= 1.05
           for p, ok in zip(posteriors, converged) if ok)

# %% [markdown]
# ## 5. Three sections, one colour scale
#
# Each column is a station, as wide as halfway to its neighbours (the gap stays a gap).
# Cells **fade** below the station's depth of investigation (the black tick: the
# Niblett–Bostick depth of its longest period) and where the 90 % interval is wider than a
# decade — the network's σ for the inversions, the credible interval for the posterior.
# The strip above gives each station's nRMS against the target and χ²'s own scatter.

# %%
fig = plotting.section(
    {
        "independent 1D inversions (network guess → Occam)": independent,
        f"laterally constrained (κ = {joint.lateral_weight:g})": joint.results,
        "posterior median": posteriors + [None] * (len(responses) - n_post),
    },
    distance_km,
    list(PROFILE_A),
    depth_scale="log",
)
plotting.save(fig, "12_sections")

# %% [markdown]
# ## 6. What the section can say, and what it cannot
#
# **Depth of investigation.** Below the black ticks the data have stopped speaking: the
# model there is the reference's (network guess) or the prior's. The ticks lie at tens of
# kilometres for this broadband band, but the sensitivity thins out well above them.

# %%
doi = np.array([r.doi_m for r in joint.results])
print("depth of investigation (km):", ", ".join(f"{d / 1e3:.0f}" for d in doi))
assert np.all(doi > 1e4)  # broadband periods of ~10³ s see tens of km

# %% [markdown]
# **Equivalence.** A thin conductor is seen by its conductance (thickness × conductivity),
# not by the two apart (notebook 03): the posterior is wide exactly where layers trade one
# for the other, and the LCI cannot narrow what each station's data leave open — it only
# makes neighbours choose alike. The posterior widths say where: narrow where the data
# decide, wide below the DOI.

# %%
for p in posteriors:
    low, high = p.interval(0.9)
    above, below = p.depth_m < p.doi_m, p.depth_m >= p.doi_m
    width_above, width_below = np.median((high - low)[above]), np.median((high - low)[below])
    print(f"{p.likelihood.station}: median 90 % width {width_above:.2f} decades above the DOI, "
          f"{width_below:.2f} below ({p.stop})")
    if p.stop == "converged":
        assert width_below > width_above

# %% [markdown]
# **Stations that are not 1D.** Where D+ says no 1D earth fits (section 2), the column is a
# 1D model of a 2-D or 3-D earth: its misfit strip stays above the target whatever the
# method, and its layers are best read as a warning, not a structure.

# %%
for name in not_1d:
    k = PROFILE_A.index(name)
    print(f"{name}: nRMS independent {independent[k].nrms:.2f}, LCI {joint.nrms[k]:.2f}, "
          f"D+ {dplus[k].nrms:.2f}")
    assert independent[k].nrms > 1 and joint.nrms[k] > 1

# %% [markdown]
# ## 7. Time per station
#
# What each station cost here, and what 10 000 would need on N workers at that rate. These
# are cold numbers: each worker loads the network and the compiled code once, which
# dominates seven millisecond inversions (warm, an inversion takes about a millisecond);
# a posterior's minute is the sampler's own. `bench/survey.py` measures both warm, embedded
# against a local cluster, and the book's survey page gives its numbers.

# %%
t_invert = float(np.median([r.seconds for r in independent]))
t_sample = float(np.median([p.seconds for p in posteriors]))
print(f"per station, cold: inversion {1e3 * t_invert:.0f} ms, posterior {t_sample:.0f} s "
      f"({'converged' if all(converged) else 'capped'}), LCI {joint.seconds / len(responses):.2f} s")
for workers in (1, 16, 256):
    print(f"10 000 stations on {workers:>3} workers: inversions {1e4 * t_invert / workers / 60:7.1f} "
          f"min, posteriors {1e4 * t_sample / workers / 3600:7.1f} h")
assert t_invert < t_sample
