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
# # 07 — Real soundings: EDI files, any band, and whether the model fits the data
#
# The paper's conclusion names its two limits: the network only works inside the band it
# was trained on, and it was never tried on field data. Here it meets real soundings — the
# EDI files that ship with the mt-metadata package, recorded by different instruments in
# different bands — through `mtlib.invert`:
#
# 1. read the impedance tensor, convert mV/km/nT to Ω, take the rotation-invariant
#    (determinant) response with a 5 % error floor on |Z|, mask unusable periods;
# 2. move the sounding into the network's band with the similarity laws of 1D MT and let the
#    network guess;
# 3. map the guess back and refine it against the measured data; report the normalized RMS
#    misfit (≈ 1 means "fits within the errors").
#
# pyGIMLi's smooth inversion on the same layer grid and the same data is the classic
# reference.

# %% tags=["parameters"]
profile = None  # smoke | quick | paper; None → $MTLIB_PROFILE or "quick"

# %%
import time

import numpy as np

from mtlib import baseline, config, field, inversion, plotting

P = config.get_profile(profile)
net = P.ensemble()
files = field.example_edi_files()
print(f"profile: {P.name}; {len(files)} EDI files from mt-metadata")

# %% [markdown]
# ## 1. Invert every sounding
#
# For each station: the usable periods and band, the network-only and refined nRMS, the
# same for pyGIMLi's smooth inversion (λ = 20, started from a half-space, on the refined
# model's layer grid), with the time each took, and the depth below which the network's
# uncertainty exceeds 0.25 decades (its depth-of-investigation cue; the network here is the
# uncertainty ensemble).

# %%
results, rows = {}, []
for path in files:
    sounding = field.read_edi(path)
    resp = sounding.response("det", error_floor=0.05)
    if resp.mask.sum() < 4:
        rows.append(f"{sounding.station:>18} | {int(resp.mask.sum()):>7} | no usable "
                    "determinant (diagonal missing): use invariant='berdichevsky'")
        continue
    start = time.perf_counter()
    res = inversion.invert(resp.freq_hz, resp.rhoa_ohmm, resp.phase_deg,
                           rel_err=resp.z_rel_err, mask=resp.mask, net=net)
    t_ours = time.perf_counter() - start
    m = resp.mask
    occam = baseline.occam_invert(resp.freq_hz[m], resp.rhoa_ohmm[m], resp.phase_deg[m],
                                  res.thick_m, rel_err=resp.rhoa_rel_err[m])
    results[sounding.station] = (resp, res, occam)
    band = f"{resp.freq_hz[m].max():.3g}–{resp.freq_hz[m].min():.2g}"
    rows.append(f"{sounding.station:>18} | {int(m.sum()):>7} | {band:>17} | "
                f"{res.nrms_network:8.2f} | {res.nrms:7.2f} | {np.sqrt(occam.chi2):7.2f} | "
                f"{t_ours:5.1f}s | {occam.seconds:8.2f}s | {res.doi_m:8.3g} m")
print(f"{'station':>18} | {'periods':>7} | {'band (Hz)':>17} | {'nRMS net':>8} | "
      f"{'refined':>7} | {'pyGIMLi':>7} | {'t ours':>6} | {'t pyGIMLi':>9} | "
      f"{'σ > 0.25 below':>10}")
print("\n".join(rows))

# %% [markdown]
# ## 2. Two soundings in detail
#
# Models (network guess with its 95 % interval shaded, refined, pyGIMLi) and the fit of the
# refined model to the data. The interval is the network's, calibrated on synthetic
# paper-scheme models: on real data it says where the network was unsure, not a guaranteed
# coverage.

# %%
for station in list(results)[:2]:
    resp, res, occam = results[station]
    fig = plotting.field_result_figure(
        resp.freq_hz, resp.rhoa_ohmm, resp.phase_deg, resp.rhoa_rel_err, resp.phase_err_deg,
        resp.mask, res, title=station,
        extra_models={f"pyGIMLi smooth (nRMS {np.sqrt(occam.chi2):.2f})": occam.rho_ohmm})
    plotting.save(fig, f"07_field_{station}")

# %% [markdown]
# ## 3. Where they disagree, and why
#
# * The network alone rarely fits real data within their errors: real soundings are not
#   drawn from the paper's five-control-layer models, and some carry 2D/3D effects that no
#   1D model explains. The refinement closes most of the gap; an nRMS well above 1 after it
#   flags a sounding that a 1D interpretation does not explain (check its phases and its
#   splitting between Zxy and Zyx).
# * pyGIMLi's smooth inversion and the refined network guess fit the data about equally
#   (the refinement a little closer), but pyGIMLi is far faster on a single sounding: our
#   refinement runs L-BFGS through an eager torch forward, built for batches of soundings,
#   not for one;
#   their models differ where the data say little (below the deepest resolved conductor,
#   and at the base of the grid) — there the starting model shows through: a half-space for
#   pyGIMLi, the network's prior for us.
# * The layer grid follows the scaling: a sounding that reaches 0.001 Hz over 1 000 Ω·m rocks
#   gets a grid a hundred kilometres deep, so its top layer is kilometres thick. Shallow
#   detail needs high frequencies.
