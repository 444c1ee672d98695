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
# # 11 — Field networks: which guess, how far to trust it, and static shift
#
# Notebook 10 inverted the 26 real soundings with the field network's guess as Occam's
# reference. This notebook asks what the guess brings: the field network next to the
# paper's network, Occam's rule next to the posterior mode (which takes the network's σ at
# its word), three soundings in detail, and the one thing no single sounding can measure:
# its static shift.

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
import warnings

import numpy as np

import mtlib
from mtlib import constants, data_errors, field, forward, generator, grid, noise, plotting
from mtlib.dplus import dplus_response
from mtlib.harness import config, trained
from mtlib.inversion import baseline, invert, invert_many
from mtlib.metrics import log_rho_rmse
from mtlib.networks.fieldnet import FINE_GRID

P = config.get_profile(profile)
net = mtlib.load_pretrained(mtlib.DEFAULT_FIELD_NETWORK)  # the field network
paper_net = trained.profile_ensemble(P)  # the paper's network, with uncertainty (five members)
soundings = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # masks and conjugations: notebook 10 reports them
    for path in field.real_soundings():
        sounding = field.read(path)
        soundings[sounding.station] = sounding
    responses = [s.response() for s in soundings.values()]
    results = invert_many(responses, net)
    from_halfspace = invert_many(responses, net, start="halfspace")
    best = [dplus_response(r) for r in responses]  # D+: the best any 1D earth does (notebook 10)
stations = [r.station for r in responses]
print(f"profile: {P.name}; {len(responses)} real soundings")

# %% [markdown]
# ## 1. The field network and the paper's network
#
# The paper's network (here its uncertainty ensemble) was trained on 2–220 Ω·m models of
# five control layers, on one 5-decade band; to read a real sounding it must be moved into
# that band by the similarity laws, and it guesses what such models would look like. The
# field network was trained for this job, on a prior that mixes three families a
# geophysicist recognizes — smooth random fields in log ρ over log depth (40 %), blocky
# earths of 2–7 layers with thin conductors and resistors (40 %), and the paper's scheme on
# a random window of depth (20 %) — each with its own level and up to five decades of
# contrast (`mtlib.generator.field_models`). Depth is in decades of skin depths: a
# sounding's band decides which part of an earth it sees.

# %%
examples, family = generator.field_models(300, FINE_GRID, seed=4, return_families=True)
fig = plotting.field_prior_figure(FINE_GRID, {name: examples[family == name][:4]
                                              for name in generator.FIELD_FAMILIES})
plotting.save(fig, "11_field_prior")

# %% [markdown]
# Each guess alone (open), and the refinement from it (filled):

# %%
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    paper = invert_many(responses, paper_net)
guess = {"field network": [r.nrms_network for r in results],
         "paper ensemble": [r.nrms_network for r in paper]}
final = {"field network": [r.nrms for r in results], "paper ensemble": [r.nrms for r in paper]}
print(f"{'station':>8} | {'guess: field':>12} | {'paper':>6} | {'refined: field':>14} | "
      f"{'paper':>6} | {'iter: field':>11} | {'paper':>5} | {'half-space':>10}")
for name, r, pr, h in zip(stations, results, paper, from_halfspace):
    print(f"{name:>8} | {r.nrms_network:12.2f} | {pr.nrms_network:6.2f} | {r.nrms:14.2f} | "
          f"{pr.nrms:6.2f} | {r.iterations:11d} | {pr.iterations:5d} | {h.iterations:10d}")
for name in guess:
    print(f"{name}: guess alone median nRMS {np.median(guess[name]):.2f}, refined "
          f"{np.median(final[name]):.2f}")
iterations = {"the field network": np.median([r.iterations for r in results]),
              "the paper ensemble": np.median([r.iterations for r in paper]),
              "a half-space": np.median([r.iterations for r in from_halfspace])}
print("iterations, median: " + ", ".join(f"{v:.1f} from {k}" for k, v in iterations.items()))
one_d = [k for k, d in enumerate(best) if d.nrms <= 1.0]  # some 1D earth fits to nRMS ≤ 1
no_step = {"field network": sum(r.iterations == 0 for r in results),
           "paper ensemble": sum(r.iterations == 0 for r in paper)}
print(f"D+ nRMS ≤ 1 on {len(one_d)} soundings; final nRMS there at most "
      f"{max(results[k].nrms for k in one_d):.3f} (field network), "
      f"{max(paper[k].nrms for k in one_d):.3f} (paper ensemble). Elsewhere: " + ", ".join(
          f"{stations[k]} (D+ {best[k].nrms:.2f}: {results[k].nrms:.2f} / {paper[k].nrms:.2f})"
          for k in range(len(stations)) if k not in one_d))
print(f"no Gauss–Newton step at all: {no_step['field network']} soundings from the field "
      f"network's guess, {no_step['paper ensemble']} from the paper ensemble's")
# the claims below: refining never hurts; where D+ fits to nRMS ≤ 1, both refinements reach
# the target; the field network's guess fits more soundings on its own, and more often
# needs no step at all
assert all(r.nrms <= r.nrms_network + 1e-9 for r in paper)
assert all(results[k].nrms <= 1 + 1e-6 and paper[k].nrms <= 1 + 1e-6 for k in one_d)
assert np.median(guess["field network"]) < np.median(guess["paper ensemble"])
assert iterations["the field network"] <= iterations["the paper ensemble"] <= iterations[
    "a half-space"]
assert no_step["field network"] > no_step["paper ensemble"]
fig = plotting.networks_figure(stations, guess, final)
plotting.save(fig, "11_field_networks")

# %% [markdown]
# Where some 1D earth fits to nRMS ≤ 1 (D+, notebook 10), both refinements reach the target
# nRMS of 1, or stop below it where the guess already fits. SAA249 and plc002, whose D+ lies
# just above 1 (1.08, 1.05), end at 1.13–1.25; the soundings no 1D earth fits end where D+
# says they must. The guesses differ: the field network explains most soundings on its own,
# and the engine then keeps the guess as it is — its final misfits come out lower, which is
# not better: below the scatter of χ² the model that is kept is the network's prior
# (notebook 10, section 2). The paper's ensemble, trained on one band and 2–220 Ω·m, misfits
# most of them and the engine does the work (`bench/fieldnet.py` lists both per sounding).
# The field network's guess "saves iterations" the same way: mostly by taking none at all
# where it already fits (notebook 10 has the like-for-like count).
#
# ## 2. Occam's rule or the posterior mode
#
# Occam's rule asks every sounding for χ² = N: the smoothest departure from the guess that
# fits the data to their errors. But with right errors even the true earth's χ² scatters as
# N ± √(2N): forcing every sounding onto N fits some of the noise of the soundings whose χ²
# would have been above N, and stops short of structure on those below it.
# `trade_off="posterior"` takes the network's σ at its word instead — the same objective
# at μ = 1, the guess read as a Gaussian prior, and the posterior mode returned. On
# synthetic soundings from the paper's prior (`n_occam` of the profile, noise equal to 5 %
# errors on |Z|, the paper's grid), the paper's ensemble — trained on that prior, so its σ
# is calibrated there — guesses, then each refinement and pyGIMLi:

# %%
thick_p, freq_p = grid.paper_thicknesses(), grid.default_frequencies()
truth = generator.random_models(P.n_occam, seed=5)
rhoa_s, phase_s = noise.add_noise(*forward.mt1d(truth, thick_p, freq_p),
                                  data_errors.rhoa_rel_err(0.05), seed=1)
phase_s = np.clip(phase_s, *constants.PHASE_RANGE_DEG)
synthetic = [data_errors.Response1D(freq_p, rhoa_s[k], phase_s[k], 0.05, None)
             for k in range(P.n_occam)]
by_rule = {rule: invert_many(synthetic, paper_net, thick_m=thick_p, trade_off=rule)
           for rule in ("discrepancy", "posterior")}
pg_models = np.array([baseline.pygimli_invert(freq_p, rhoa_s[k], phase_s[k], thick_p,
                                            z_rel_err=0.05).rho_ohmm for k in range(P.n_occam)])
rmse = {"guess alone": log_rho_rmse([r.rho_network_ohmm for r in by_rule["posterior"]], truth),
        "+ Occam (nRMS 1)": log_rho_rmse([r.rho_ohmm for r in by_rule["discrepancy"]], truth),
        "+ posterior mode (μ = 1)": log_rho_rmse([r.rho_ohmm for r in by_rule["posterior"]],
                                                 truth),
        "pyGIMLi smooth": log_rho_rmse(pg_models, truth)}
for name, value in rmse.items():
    print(f"{name:>26}: log10-ρ RMSE {value:.3f}")
share = np.mean([r.nrms > 1 for r in by_rule["posterior"]])
print(f"posterior mode: nRMS above 1 on {share:.0%} of the soundings")

# %% [markdown]
# Each step of that ranking is more than twice its paired standard error (in the quick
# profile's 100 soundings): the mean differences are not noise. They are averages, though,
# not verdicts sounding by sounding: the posterior mode's small lead over the guess (0.099
# against 0.101) holds on about two soundings in three, while the guess beats Occam on only
# about a third of them — a minority of soundings where Occam's smooth model is far off
# carries that mean.
# the ranking, sounding by sounding: the paired differences of each sounding's mean squared
# log10-ρ error (whose mean is the difference of the squared RMSEs), against their standard
# error
# per_sounding = {
#     "guess alone": [r.rho_network_ohmm for r in by_rule["posterior"]],
#     "+ Occam (nRMS 1)": [r.rho_ohmm for r in by_rule["discrepancy"]],
#     "+ posterior mode (μ = 1)": [r.rho_ohmm for r in by_rule["posterior"]],
#     "pyGIMLi smooth": pg_models,
# }
# mse = {name: np.mean((np.log10(np.asarray(m)) - np.log10(truth)) ** 2, axis=1)
#        for name, m in per_sounding.items()}
# ranking = [("guess alone", "+ posterior mode (μ = 1)"), ("+ Occam (nRMS 1)", "guess alone"),
#            ("pyGIMLi smooth", "+ posterior mode (μ = 1)")]
# paired = {}
# for worse, better in ranking:
#     d = mse[worse] - mse[better]
#     paired[worse, better] = d.mean() / (d.std(ddof=1) / np.sqrt(d.size)) if d.size > 1 else 0.0
#     print(f"{better} better than {worse}: mean squared error lower by {d.mean():.5f}, "
#           f"{paired[worse, better]:.1f} standard errors ({d.size} soundings, "
#           f"better on {np.mean(d > 0):.0%})")
# if P.n_occam >= 50:  # (the smoke profile's three soundings are too few to rank anything)
#     assert rmse["+ posterior mode (μ = 1)"] < rmse["guess alone"] < rmse["+ Occam (nRMS 1)"]
#     assert rmse["+ posterior mode (μ = 1)"] < rmse["pyGIMLi smooth"]
#     assert all(z > 2 for z in paired.values()), paired

# %% [markdown]
# On real soundings the same choice reads differently: real earths lie outside any
# network's prior, and a σ calibrated on synthetic earths is not a promise there. The field
# network's guess, refined by each rule:

# %%
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    posterior = invert_many(responses, net, trade_off="posterior")
closer = [name for name, r, post in zip(stations, results, posterior) if post.nrms < r.nrms - 1e-9]
short = [name for name, r, post in zip(stations, results, posterior)
         if r.nrms <= 1 + 1e-6 < post.nrms]
print(f"median nRMS: Occam {np.median([r.nrms for r in results]):.2f}, posterior mode "
      f"{np.median([p.nrms for p in posterior]):.2f}; the posterior mode fits more closely on "
      f"{len(closer)} of {len(stations)} soundings, and stops short of nRMS 1 where Occam "
      f"reaches it on {len(short)}: {', '.join(short) or 'none'}")
# the claims below: more closely on most, short of the target on a few
assert len(closer) > len(stations) / 2 and len(short) <= len(stations) / 4

# %% [markdown]
# The posterior mode fits most real soundings more closely than Occam (it does not stop at the
# smoothest model that reaches nRMS 1) — closer, not better, where Occam's fit is already below the
# scatter of χ² — but where the guess is far off it may stop short of the target (three soundings
# here). Occam's rule stays the default: on field data, fitting every sounding to its errors is the
# promise users check first; the posterior mode is the better estimate where the network's prior is
# known to hold.
#
# ## 3. Three soundings in detail
#
# A broadband sounding from the Basin and Range (gv100, 6 decades), an audio-magnetotelluric
# one from the Southern Thomson (WIT2, 4 decades) and a long-period USArray station (IDD11,
# from EMTF-XML). Left: the network's guess with its 95 % interval (shaded where its grid
# reaches), the final model, pyGIMLi's, and the depth of investigation (the Niblett–Bostick
# depth of the longest period; grey below, down to three times that depth). Right: the data
# with their error bars, masked periods as crosses, and the final model's response. The
# interval is the field network's, calibrated on synthetic earths of its prior (by error
# level, depth, and depth relative to the depth of investigation): on real data it says
# where the network was unsure, not a guaranteed coverage.

# %%
detail = {}
for station in ("gv100", "WIT2", "IDD11"):
    k = stations.index(station)
    resp, res = responses[k], results[k]
    m = res.mask
    try:
        pg = baseline.pygimli_invert(resp.freq_hz[m], resp.rhoa_ohmm[m], resp.phase_deg[m],
                                     res.thick_m, z_rel_err=resp.z_rel_err[m])
        extra = {f"pyGIMLi smooth (nRMS {np.sqrt(pg.chi2):.2f})": pg.rho_ohmm}
        title = station
    except RuntimeError:  # said, not hidden: pyGIMLi gives up on this sounding
        extra, title = {}, f"{station} (no pyGIMLi model: its inversion fails on this sounding)"
    detail[station] = bool(extra)
    fig = plotting.field_result_figure(resp, res, title=title, extra_models=extra)
    plotting.save(fig, f"11_field_{station}")
print("pyGIMLi's model shown: " + ", ".join(f"{k} {'yes' if v else 'no (failed)'}"
                                            for k, v in detail.items()))

# %% [markdown]
# The Niblett–Bostick depth in these figures is a rule of thumb from the data alone: the
# penetration depth of the longest period. The **Oldenburg–Li** depth asks the inversion
# itself (Oldenburg & Li 1999): each sounding is inverted twice more, from the final model
# towards two half-space references a decade above and below its level, each asked to fit
# the data no worse than 2 % above the final model's nRMS (and never looser than the
# target); below the depth where the two models differ by more than a tenth of the
# references' difference, the model says what the reference says, not what the data say.
# It is undefined (nan) where the final nRMS exceeds 1.1 — the library's rule, whatever N;
# there the engine gives the reference no weight. That rule is not notebook 10's test (χ²
# against its 95 % quantile for N data), and the two disagree where N is small. The
# network's σ flag (notebook 09) is neither: it says where the network was unsure.

# %%
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    ol = np.array([r.doi_index_m for r in invert_many(responses, net, oldenburg_li=True)])
nb = np.array([r.doi_m for r in results])
fitted = np.array([r.nrms <= 1.1 for r in results])
chi2_test = np.array([r.nrms**2 * d.n_data <= d.chi2_threshold(0.95)
                      for r, d in zip(results, best)])
finite = np.isfinite(ol)
disagree = [name for name, a, b in zip(stations, fitted, chi2_test) if a != b]
print(f"O&L depth defined on {np.sum(~np.isnan(ol))} of {len(ol)} soundings (undefined on "
      f"the {np.sum(~fitted)} with nRMS > 1.1), within the grid on {finite.sum()}; median "
      f"O&L / NB ratio {np.median(ol[finite] / nb[finite]):.2f}; the nRMS ≤ 1.1 rule and "
      f"notebook 10's χ² test disagree on: {', '.join(disagree) or 'none'}")
assert np.all(np.isnan(ol) == ~fitted), "defined exactly where nRMS ≤ 1.1"
assert disagree == ["SAA249"]  # nRMS 1.14, yet χ² 55 below its 95 % limit of 58 (N = 42)

# %% [markdown]
# ## 4. Static shift
#
# A galvanic distortion multiplies ρa by a frequency-independent factor c and leaves φ
# alone. The two similarity laws of 1D MT (notebook 01) say why that is undetectable: the
# model with every resistivity × c and every thickness × √c has, at the *same*
# frequencies, exactly c times the apparent resistivity and the same phase. Checked on the
# final model of WIT2:

# %%
k = stations.index("WIT2")
wit2, wit2_resp = results[k], responses[k]
c = 2.0
rhoa_1, phase_1 = forward.mt1d(wit2.rho_ohmm, wit2.thick_m, wit2_resp.freq_hz)
rhoa_c, phase_c = forward.mt1d(c * wit2.rho_ohmm, np.sqrt(c) * wit2.thick_m, wit2_resp.freq_hz)
rel, dphi = np.max(np.abs(rhoa_c / (c * rhoa_1) - 1)), np.max(np.abs(phase_c - phase_1))
print(f"ρ × {c:g}, h × √{c:g}: ρa × {c:g} to {rel:.1e} (relative), φ unchanged to {dphi:.1e}°")
assert rel < 1e-10 and dphi < 1e-8

# %% [markdown]
# So data shifted by c are fitted exactly as well by a model c times more resistive and
# √c times thicker (deeper): one sounding cannot measure its own shift. The estimate is set
# by its prior (a factor 2 either way, 1 σ) and by whatever in the reference fixes the
# absolute level — the network's guess takes the data's own level. WIT2 is the most nearly
# 1D sounding of the set by its skew and its modes (median |β| 0.3°, modes 0.02 decades
# apart), if not quite by its ellipticity (0.12): there the σ of the shift stays at the
# prior's — unresolved, and said so. The σ reported is linearized: it is read off the
# Jacobian at the final model and the μ the inversion ended on, not off the residuals. Both
# soundings are also inverted without a shift, and gv161 once more on the noise-free
# response of its own final model.

# %%
shift = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for station in ("WIT2", "gv161"):
        r = responses[stations.index(station)]
        s = soundings[station]
        shifted = invert(r.freq_hz, r.rhoa_ohmm, r.phase_deg, r.z_rel_err, r.mask, net=net,
                         estimate_static_shift=True)
        shift[station] = shifted
        print(f"{station}: static shift ×{shifted.static_shift:.2f}, σ "
              f"{shifted.static_shift_std_log10:.2f} decades (the prior's: 0.30); nRMS "
              f"{shifted.nrms:.2f} (without the shift {results[stations.index(station)].nrms:.2f}); "
              f"median |β| {np.nanmedian(np.abs(s.skew_deg[r.mask])):.1f}°, ellipticity "
              f"{np.nanmedian(s.ellipticity[r.mask]):.2f}, mode split "
              f"{np.nanmedian(np.abs(s.mode_split_decades[r.mask])):.2f} decades")
    # gv161 again, on the noise-free response of its own final model (masked periods as read)
    r, final_gv161 = responses[stations.index("gv161")], shift["gv161"]
    rhoa_m, phase_m = forward.mt1d(final_gv161.rho_ohmm, final_gv161.thick_m, r.freq_hz)
    own = invert(r.freq_hz, np.where(r.mask, rhoa_m, r.rhoa_ohmm),
                 np.where(r.mask, phase_m, r.phase_deg), r.z_rel_err, r.mask, net=net,
                 estimate_static_shift=True)
print(f"gv161 on its own model's response: shift ×{own.static_shift:.2f}, σ "
      f"{own.static_shift_std_log10:.2f} decades, nRMS {own.nrms:.2f}")
k_gv161 = stations.index("gv161")
# the claims below: WIT2's σ stays at the prior's; gv161's is far narrower, though the
# shift absorbs none of its misfit; on data its own final model fits, σ is twice as wide
# again: the number follows where the inversion stops, not what the data say of the shift
assert shift["WIT2"].static_shift_std_log10 > 0.9 * 0.3
assert shift["gv161"].static_shift_std_log10 < 0.5 * 0.3
assert abs(shift["gv161"].nrms - results[k_gv161].nrms) < 0.02
assert own.static_shift_std_log10 > 1.5 * shift["gv161"].static_shift_std_log10

# %% [markdown]
# On gv161 the reported σ narrows to 0.11 decades although one sounding cannot identify its
# shift (the similarity laws above), and although the shift takes none of its misfit (nRMS
# 1.88 with and without it; ×0.95). On the noise-free response of its own final model — data
# that model fits — the same inversion reports 0.22. The narrowing is the linearization's,
# at the model and μ where a fit to data no 1D earth explains happened to stop; the data do
# not measure the shift. Do not trust such a σ, least of all before D+ and the phase tensor
# have been looked at.
