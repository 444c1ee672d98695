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
import time
import warnings

import numpy as np

from mtlib import field, plotting
from mtlib.dplus import dplus_response
from mtlib.inversion import bostick
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
# truth. The fit gives a bearing of 87.5°, 40.8 km from the first station to the last and
# an RMS offset of 0.60 km.

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
assert abs(line.bearing_deg - 87.5) < 0.05 and abs(np.ptp(distance_km) - 40.8) < 0.05
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
# nRMS 1. A D+ below it means only that *some* 1D earth fits within the errors — not that
# the station is 1D: the ellipticity may still say it is not.

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
          f"({'some 1D earth fits within its errors' if d.consistent_with_1d(0.95) else 'NO 1D earth fits'})")
print("no 1D earth fits at 95 %:", ", ".join(not_1d) or "none")
ellipticities = np.array([np.nanmedian(s.ellipticity[r.mask]) for s, r in zip(row, responses)])
# the claims below: D+ rejects exactly these three; by ellipticity, none of the seven is 1D
assert not_1d == ["gv103", "gv106", "gv107"]
assert ellipticities.min() > 0.15

# %% [markdown]
# Four stations pass D+: some 1D earth fits each within its errors. By their ellipticity
# (0.34–0.47 for those four, 0.18–0.54 for all seven; 5 % errors alone give a 1D tensor
# about 0.07 — notebook 10), none of the seven is 1D: a 1D section of them is a section of
# determinant averages.

# %% [markdown]
# ## 3. Independent inversions and the LCI on one grid
#
# Every station is inverted on the same 50-layer grid, one that covers all of them (its
# first layer as thin as the shallowest station needs, its half-space as deep as the
# deepest). The independent inversions go through `mtlib.survey.run`; the LCI solves all
# seven together — neighbours weighted by their distance (the 11 km gap between gv105 and
# gv106 counts half as much as a 6 km step), each station's trade-off chosen so that it
# fits its own data to nRMS ≤ 1 (or as well as it can).

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
# within the LCI's tolerance, 5 % in χ²)
fits = np.array([r.stop == "target" for r in independent])
assert np.all(joint.nrms[fits] <= np.sqrt(1.05) + 1e-9)
# what each station gives up to agree with its neighbours, in χ²
n_data = np.array([d.n_data for d in dplus])
given_up = n_data * (joint.nrms**2 - nrms_ind**2)
for r, n, g in zip(responses, n_data, given_up):
    print(f"{r.station}: χ² LCI − independent {g:+6.1f} = {g / np.sqrt(2 * n):+.1f} × √(2N)"
          + (" (no 1D earth fits)" if r.station in not_1d else ""))
dchi2 = dict(zip(PROFILE_A, given_up))
scatter = dict(zip(PROFILE_A, np.sqrt(2 * n_data)))
# the claims below: the stations fitted to their target give up less than √(2N) each
assert np.all(given_up[fits] < np.sqrt(2 * n_data[fits]))
assert dchi2["gv103"] < 0 and dchi2["gv106"] < scatter["gv106"]
assert 2 * scatter["gv107"] < dchi2["gv107"] < 3.5 * scatter["gv107"]
m_ind = np.log10([r.rho_ohmm for r in independent])
step_ind = np.abs(np.diff(m_ind, axis=0)).mean()
step_lci = np.abs(np.diff(joint.log10_rho, axis=0)).mean()
print(f"mean |Δ log10 ρ| between neighbours: independent {step_ind:.3f}, LCI {step_lci:.3f}")
assert step_lci < step_ind

# %% [markdown]
# The stations D+ accepts still reach their target jointly (within the LCI's 5 % tolerance
# in χ²), and agreeing with their neighbours costs each of them less than √(2N) in χ² — and
# for them, an nRMS a little nearer 1 is no worse a fit. Of the three no 1D earth fits, gv103
# reaches a lower χ² jointly (still far above N) and gv106 gives up Δχ² ≈ 11, under √(2N);
# gv107 gives up Δχ² ≈ 36, nearly 3√(2N) — more than the scatter of χ² would excuse, the
# price of agreeing with its neighbours.
#
# ## 4. Posteriors
#
# The sampler draws each station's posterior (every layered earth that fits, weighed by
# how well) — seconds to minutes per station, which is why a survey runs it on a cluster.
# A posterior is only as honest as its likelihood: where D+ rejects 1D, no sample fits,
# its intervals are not credible intervals of anything and its median is not a structure.

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
layers = np.array([p.samples["n_layers"].mean() for p in posteriors])
below_doi = np.array([p.interface_density[p.depth_m > p.doi_m].sum() / p.interface_density.sum()
                      for p in posteriors])
print(f"mean number of layers {layers.min():.1f}–{layers.max():.1f} of the prior's "
      f"{posteriors[0].prior.n_max} at most; {below_doi.min():.0%}–{below_doi.max():.0%} of "
      "their interfaces below the depth of investigation")
for p, d in zip(posteriors, dplus):
    if p.likelihood.station in not_1d:
        print(f"{p.likelihood.station}: samples' mean χ² {p.chi2_trace.mean():.0f} against the "
              f"95 % limit {d.chi2_threshold(0.95):.0f} (N = {d.n_data})")
    else:
        print(f"{p.likelihood.station}: samples' mean χ² {p.chi2_trace.mean():.0f} = N "
              f"{(p.chi2_trace.mean() - d.n_data) / np.sqrt(2 * d.n_data):+.1f} × √(2N) "
              f"(N = {d.n_data})")
assert all(p.stop in ("converged", "max_seconds", "max_sweeps") for p in posteriors)
# the claims below: the layer counts' interfaces lie mostly above the depth of investigation;
# where some 1D earth fits, the converged samples fit better than N (errors larger than the
# noise)
assert below_doi.max() < 0.5
assert all(p.chi2_trace.mean() < d.n_data for p, d in zip(posteriors, dplus)
           if p.likelihood.station not in not_1d and p.stop == "converged")
# the claim above: where D+ rejects 1D, no sample fits (the posterior's χ² is above the 95 %
# limit, as D+'s own is)
assert all(p.chi2_trace.mean() > d.chi2_threshold(0.95)
           for p, d in zip(posteriors, dplus) if p.likelihood.station in not_1d)

# %% [markdown]
# The sampled layer counts lie far above those of notebook 05's synthetic soundings and
# reach towards the prior's bound of 20 — like WIT2's in notebook 05 (section 5), and as
# there mostly above the depth of investigation: read them as "many", not as a number of
# layers.
#
# Where some 1D earth fits, the samples' mean χ² lies below N (printed above). With right
# errors it would lie near N (notebook 05, section 4); well below it, the 5 % error floor is
# larger than these stations' noise, and their posteriors are, if anything, wider than the
# data warrant. A fit below N is not a better fit.

# %% [markdown]
# ## 5. Three sections, one colour scale
#
# Each column is a station, as wide as halfway to its neighbours (the gap stays a gap).
# Cells **fade** below the station's depth of investigation (the black tick: the
# Niblett–Bostick depth of its longest period) and where the 90 % interval is wider than a
# decade — the network's σ for the inversions (the spread of the guess Occam starts from and
# is pulled towards: a prior, not an uncertainty of the fitted model), the credible interval
# for the posterior.
# The strip above gives each station's nRMS against the target and χ²'s own scatter. The
# posterior panel leaves out the stations no 1D earth fits: their posteriors are not
# structures (section 4). (The inversion panels keep them, with their misfit in the strip;
# fading a whole column by its misfit would need `mtlib.plotting.section` to take a
# per-station fade.)

# %%
fig = plotting.section(
    {
        "independent 1D inversions (network guess → Occam)": independent,
        f"laterally constrained (κ = {joint.lateral_weight:g})": joint.results,
        "posterior median (stations D+ rejects left out)": [
            None if p.likelihood.station in not_1d else p for p in posteriors
        ] + [None] * (len(responses) - n_post),
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
# kilometres for this broadband band, but the sensitivity thins out well above them: a DOI
# from the Niblett–Bostick depth of the longest period is an estimate that depends on the
# resistivities above, not a sharp boundary.

# %%
doi = np.array([r.doi_m for r in joint.results])
print("depth of investigation (km):", ", ".join(f"{d / 1e3:.0f}" for d in doi))
assert np.all(doi > 1e4)  # broadband periods of ~10³ s see tens of km

# %% [markdown]
# **How wide is the posterior?** The LCI narrows the section only by assuming neighbours
# are alike — prior, not data; each station's posterior says what its own data leave open.
# Its 90 % interval, as a median over depth, between the shallowest Niblett–Bostick depth
# (the shortest period's) and the DOI, where the data speak, and below the DOI, where they
# do not:

# %%
widths = {}
for p, r in zip(posteriors, responses):
    low, high = p.interval(0.9)
    nb_depth, _ = bostick(r.freq_hz[r.mask], r.rhoa_ohmm[r.mask], r.phase_deg[r.mask])
    seen = (p.depth_m >= nb_depth.min()) & (p.depth_m < p.doi_m)
    widths[r.station] = (np.median((high - low)[seen]),
                         np.median((high - low)[p.depth_m >= p.doi_m]))
    print(f"{r.station}: median 90 % width {widths[r.station][0]:.2f} decades between "
          f"{nb_depth.min():.0f} m and the DOI, {widths[r.station][1]:.2f} below it ({p.stop})"
          + (" — no 1D earth fits: not a credible interval" if r.station in not_1d else ""))
fitted = [w for name, w in widths.items() if name not in not_1d]
print(f"stations some 1D earth fits: {min(w[0] for w in fitted):.1f}–"
      f"{max(w[0] for w in fitted):.1f} decades where the data speak, "
      f"{min(w[1] for w in fitted):.1f}–{max(w[1] for w in fitted):.1f} below the DOI")
# the claims below: wider below the DOI than above it, and more than a decade above it too;
# below the DOI, the stations no 1D earth fits have narrower intervals than the others
assert all(above < below for above, below in widths.values())
assert all(above > 1.0 for above, _ in fitted)
misfit = [w for name, w in widths.items() if name in not_1d]
if misfit and fitted:
    assert max(w[1] for w in misfit) < min(w[1] for w in fitted)

# %% [markdown]
# Even where the data speak, a single station's 90 % interval is more than a decade wide at
# a typical depth (the medians above): the data fix a few conductances and depths, not log ρ
# at every depth of a 20-layer prior. Below the DOI it is wider still.
#
# **Stations that are not 1D.** Where D+ says no 1D earth fits (section 2), the column is a
# 1D model of a 2-D or 3-D earth: its misfit strip stays above the target whatever the
# method, and its layers are best read as a warning, not a structure. Below the DOI their
# posteriors are narrower than the others', and that is the likelihood's doing: a misfit of
# hundreds to over a thousand in χ² makes every departure from the best fit costly, and the
# interval shrinks around a model that fits nothing. Above the DOI their widths are no guide
# either way.

# %%
for name in not_1d:
    k = PROFILE_A.index(name)
    print(f"{name}: nRMS independent {independent[k].nrms:.2f}, LCI {joint.nrms[k]:.2f}, "
          f"D+ {dplus[k].nrms:.2f}")
    assert independent[k].nrms > 1 and joint.nrms[k] > 1

# %% [markdown]
# ## 7. Time per station
#
# What each station cost here, and what 10 000 would need on W workers. The inversions'
# times in section 3 are cold: a fresh worker loads the network and compiles the engine
# once, which dominates seven inversions of milliseconds each. So the estimate takes the
# warm time per station (the same seven inverted again in this process) times 10 000 / W, plus the
# start-up once per worker (a fresh Python process: import, load, first inversion). A
# posterior's tens of seconds are the sampler's own. These are one run's timings on this
# machine, not a benchmark: `bench/survey.py` measures both warm, embedded against a local
# cluster, and the book's survey page gives its numbers.

# %%
t_cold = float(np.median([r.seconds for r in independent]))
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    run("invert", responses, thick_m=thick_m, progress=False)  # loads and compiles, once
    t0 = time.perf_counter()
    run("invert", responses, thick_m=thick_m, progress=False)
    t_warm = (time.perf_counter() - t0) / len(responses)
fresh = subprocess.run(
    [sys.executable, "-c", "import time; t0 = time.perf_counter(); import warnings; "
     "warnings.simplefilter('ignore'); from mtlib import field; from mtlib.survey import "
     "gabbs_valley, run; r = field.read(gabbs_valley()[0]).response(); "
     "run('invert', [r], progress=False); "
     "print(time.perf_counter() - t0)"],
    capture_output=True, text=True, check=True)
t_start = float(fresh.stdout.split()[-1])
t_sample = float(np.median([p.seconds for p in posteriors]))
print(f"per station: inversion {1e3 * t_cold:.0f} ms cold (section 3), {1e3 * t_warm:.1f} ms "
      f"warm; start-up of a fresh worker {t_start:.1f} s; posterior {t_sample:.0f} s "
      f"({'converged' if all(converged) else 'capped'}); LCI {joint.seconds / len(responses):.2f} s")
for workers in (1, 16, 256):
    print(f"10 000 stations on {workers:>3} workers: inversions "
          f"{(t_start + 1e4 * t_warm / workers) / 60:7.2f} min, posteriors "
          f"{(t_start + 1e4 * t_sample / workers) / 3600:7.1f} h")
# the claims above: a fresh worker's start-up and a posterior each outweigh a warm inversion
assert 10 * t_warm < t_start and 10 * t_warm < t_sample
