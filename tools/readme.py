"""The benchmark numbers of the README and the book, generated from ``bench/results/*.json``.

Each block between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->`` in ``README.md`` or a
page of the book (``docs/*.md``) is rendered here from the latest benchmark results; nothing
between the markers is written by hand. The book's pages hold the tables, the README the few
headline numbers (``bench:headline``); a number that appears in both is formatted by the same
helper. ``make bench`` re-runs the benchmarks and then this script; ``tests/test_readme.py``
fails when a file and the JSON disagree.

    python tools/readme.py          # rewrite the blocks
    python tools/readme.py --check  # exit 1 when a block is stale
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
from generated import write_or_check

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
README = ROOT / "README.md"
BOOK = ROOT / "docs"
BLOCK = re.compile(
    r"(<!-- bench:(?P<name>[a-z_]+) -->\n)(?P<body>.*?)(<!-- /bench:(?P=name) -->)", re.S
)


def load(name: str) -> dict:
    return json.loads((RESULTS / f"{name}.json").read_text())


def count(x: float) -> str:
    """A rate or count to 3 significant digits, thousands separated by spaces."""
    digits = max(0, len(str(int(abs(x)))) - 3)
    return f"{round(x, -digits):,.0f}".replace(",", " ")


def ms(seconds: float) -> str:
    return f"{1e3 * seconds:#.2g} ms" if seconds < 0.01 else f"{1e3 * seconds:.1f} ms"


def times(x: float, digits: int = 0) -> str:
    """A speed-up factor: ``15.3×``."""
    return f"{x:.{digits}f}×"


def threads(d: dict) -> str:
    t = d["machine"]["threads"]
    return f"torch {t['torch']}, numba {t['numba']}, pyGIMLi {t['pygimli']} threads"


def missed(real: dict) -> str:
    """The stations that missed the fit target, in parentheses ('' when none did)."""
    names = real.get("nrms_target_missed_by") or []
    return f" (missed on {', '.join(names)})" if names else ""


def explorer() -> str:
    d = load("explorer")
    return (
        f"A median of **{d['update_ms_median']:.0f} ms per update** with the paper's "
        f"ensemble and {d['update_ms_median_field_network']:.0f} ms with the field network "
        f"(95th percentile {d['update_ms_p95']:.0f} / "
        f"{d['update_ms_p95_field_network']:.0f} ms), headless, view encoded as JPEG, "
        f"{threads(d)} (`bench/explorer.py` → `bench/results/explorer.json`).\n"
    )


def posterior_missed(real: dict) -> str:
    """The real soundings the posterior mode leaves above the real-data target."""
    names = real["posterior_target_missed_by"]
    return f"{len(names)} ({', '.join(names)})" if names else "none"


def below_scatter(soundings, key: str = "nrms") -> int:
    """How many soundings fit below the scatter of χ²: χ² < N − 2√(2N), N the data used."""
    n = np.array([2 * s["periods_used"] for s in soundings], dtype=float)
    nrms = np.array([s[key] for s in soundings], dtype=float)
    return int(np.sum(nrms**2 * n < n - 2 * np.sqrt(2 * n)))


def comparisons(d: dict) -> list[str]:
    """Table rows of the named speed comparisons of a set (``bench/field.py``)."""
    return [
        f"| {name} | {ms(c['mtlib_s'])} vs {ms(c['pygimli_s'])}: **{times(c['speedup'], 1)}** |"
        for name, c in d["comparisons"].items()
    ]


def field() -> str:
    d, e = load("field"), load("field_ensemble")
    r, re_ = d["real"], e["real"]
    syn, syn_e = d["synthetic"], e["synthetic"]
    rmse, rmse_e = syn["log_rho_rmse"], syn_e["log_rho_rmse"]
    return "\n".join(
        [
            f"2-core CPU; {threads(d)}, set after every import; {d['timing']}.",
            "",
            "| real-data set | mtlib, field network | mtlib, paper ensemble "
            "| pyGIMLi smooth (λ = 20) |",
            "| --- | --- | --- | --- |",
            f"| soundings | {r['n_soundings']} | {re_['n_soundings']} | failed on "
            f"{r['n_pygimli_failed']} |",
            f"| median nRMS of the network's guess alone | {r['nrms_network_median']:.2f} | "
            f"{re_['nrms_network_median']:.2f} | — |",
            f"| median nRMS, final | {r['nrms_median']:.2f} | {re_['nrms_median']:.2f} | "
            f"{r['pygimli_nrms_median']:.2f} |",
            f"| nRMS ≤ max(1, 1.05 × pyGIMLi's) on every sounding | "
            f"{'yes' if r['nrms_within_target_every_sounding'] else 'no'} (below the scatter, "
            f"χ² < N − 2√(2N), on {below_scatter(r['soundings'])}: the guess kept, not a "
            f"better fit) | {'yes' if re_['nrms_within_target_every_sounding'] else 'no'}"
            f"{missed(re_)} | — |",
            f"| Parker's D+: median nRMS the best 1D earth reaches; not 1D at 95 % | "
            f"{r['nrms_dplus_median']:.2f}; {', '.join(r['not_1d_by_dplus']) or 'none'} | — | — |",
            f"| Gauss–Newton iterations, median | {r['iterations_from_network_median']:.0f} from "
            f"the guess, {r['iterations_from_halfspace_median']:.0f} from a half-space | "
            f"{re_['iterations_from_network_median']:.0f} | — |",
            f"| posterior mode (μ = 1): median nRMS; soundings above max(1, 1.05 × pyGIMLi's) | "
            f"{r['posterior_nrms_median']:.2f}; {posterior_missed(r)} | "
            f"{re_['posterior_nrms_median']:.2f}; {posterior_missed(re_)} | — |",
            "",
            "Time against pyGIMLi's smooth inversion on the same periods, errors, grid and "
            "threads, each comparison under one name (per sounding: medians of one call per "
            "sounding; batched: one call for the whole set, per sounding):",
            "",
            f"| real-data set ({r['n_soundings']} soundings) | mtlib vs pyGIMLi |",
            "| --- | --- |",
            *comparisons(r),
            "",
            f"| {count(syn['n_batch'])} synthetic paper-scheme soundings | mtlib vs pyGIMLi |",
            "| --- | --- |",
            *comparisons(syn),
            "",
            f"| {count(syn['n_batch'])} synthetic paper-scheme soundings, 5 % \\|Z\\| errors, "
            "paper grid "
            f"| log10-ρ RMSE ({syn['n_compare']} compared), field network | paper ensemble |",
            "| --- | --- | --- |",
            f"| network guess alone | {rmse['network_only']:.3f} | {rmse_e['network_only']:.3f} |",
            f"| network + Occam (the default) | {rmse['network_plus_occam']:.3f} | "
            f"{rmse_e['network_plus_occam']:.3f} |",
            f"| network + posterior mode (μ = 1) | {rmse['network_plus_posterior']:.3f} | "
            f"{rmse_e['network_plus_posterior']:.3f} |",
            f"| Occam from a half-space | {rmse['occam_from_halfspace']:.3f} | "
            f"{rmse_e['occam_from_halfspace']:.3f} |",
            f"| pyGIMLi smooth | {rmse['pygimli_smooth']:.3f} | {rmse_e['pygimli_smooth']:.3f} |",
            "",
            f"The posterior mode takes {ms(syn['posterior_batched_seconds_per_sounding'])} per "
            f"sounding batched (no search over μ); the paper ensemble's batch "
            f"{ms(syn_e['batched_seconds_per_sounding'])} per sounding.",
            "",
        ]
    )


def fieldnet() -> str:
    d = load("fieldnet")
    s, syn, tp = d["real"]["summary"], d["synthetic"], d["throughput_cpu"]
    f, e = s["field_quick"], s["ensemble_quick"]
    above = [
        x
        for x in d["real"]["soundings"]
        if x["field_quick"]["nrms"] <= 2 and x["field_quick"]["nrms_network"] > 3
    ]
    names = ", ".join(f"{x['station']} {x['field_quick']['nrms_network']:.2f}" for x in above)
    n_le1 = sum(x["field_quick"]["nrms_network"] <= 1 for x in d["real"]["soundings"])
    n_le1_e = sum(x["ensemble_quick"]["nrms_network"] <= 1 for x in d["real"]["soundings"])

    def cov(level):
        c = syn["coverage"][level]
        bins = c["per_depth_bin"].values()
        return f"{100 * c['inside_doi']:.1f} % ({100 * min(bins):.1f}–{100 * max(bins):.1f} %)"

    return "\n".join(
        [
            f"2-core CPU, {threads(d)}; {d['timing']}.",
            "",
            "| | field network | paper ensemble | target |",
            "| --- | --- | --- | --- |",
            f"| real set ({d['real']['n_soundings']} soundings): guess alone, median nRMS | "
            f"**{f['nrms_network_median']:.2f}** ({n_le1} ≤ 1) | {e['nrms_network_median']:.2f} "
            f"({n_le1_e} ≤ 1) | ≤ 1.5 |",
            f"| real set: guess alone where the refinement fits to ≤ 2, worst | "
            f"{f['nrms_network_max_where_refined_le_2']:.2f} "
            f"({f['n_network_above_3_where_refined_le_2']} above 3{': ' + names if names else ''}) "
            f"| {e['nrms_network_max_where_refined_le_2']:.2f} "
            f"({e['n_network_above_3_where_refined_le_2']} above 3) | ≤ 3 on each |",
            f"| real set: Gauss–Newton iterations, median (half-space: "
            f"{s['iterations_from_halfspace_median']:.0f}) | **{f['iterations_median']:.0f}** | "
            f"{e['iterations_median']:.0f} | ≤ 2 |",
            f"| field-prior test, 5 % errors: 68 % interval covers (above the depth of "
            f"investigation; per depth bin) | {cov('0.68')} | — | 63–73 % |",
            f"| field-prior test, 5 % errors: 95 % interval covers (same) | {cov('0.95')} | — | "
            f"90–100 % |",
            f"| field-prior test: log10-ρ RMSE above the depth of investigation, guess alone / "
            f"refined ({syn['n_refined']} soundings) | "
            f"{syn['log_rho_rmse_inside_doi_network_only']:.3f} / "
            f"{syn['log_rho_rmse_inside_doi_refined']:.3f} decades | — | reported |",
            f"| CPU inference, single network | {count(tp['network_soundings_per_s'])} soundings/s "
            f"({count(tp['guesses_end_to_end_soundings_per_s'])}/s with the resampling onto the "
            f"axis) | — | ≥ 10 000/s |",
            "",
        ]
    )


def ensemble() -> str:
    d = load("ensemble")
    rows = [
        "| noise | RMSE single | RMSE ensemble | 68 % interval: coverage (worst–best "
        "layer) | 95 % interval |",
        "| --- | --- | --- | --- | --- |",
    ]
    for level, m in d["by_noise"].items():
        cells = []
        for p in ("68%", "95%"):
            c = m[f"coverage_{p}"]
            lo, hi = c["layer_range"]
            cells.append(f"{100 * c['overall']:.1f} % ({100 * lo:.1f}–{100 * hi:.1f})")
        rows.append(
            f"| {level} | {m['rmse_single']:.4f} | {m['rmse_ensemble']:.4f} | "
            f"{cells[0]} | {cells[1]} |"
        )
    speed = d["cpu_soundings_per_s"]
    better = [level for level, m in d["by_noise"].items() if m["rmse_ensemble"] <= m["rmse_single"]]
    overall = all(
        m[f"coverage_{p}"]["overall_within_target"]
        for m in d["by_noise"].values()
        for p in ("68%", "95%")
    )
    outside = [
        f"{d['n_layers'] - m[f'coverage_{p}']['layers_within_target']} layers of the {p} "
        f"interval at {level} noise (worst {m[f'coverage_{p}']['worst_layer_off_points']:.1f} "
        "points off)"
        for level, m in d["by_noise"].items()
        for p in ("68%", "95%")
        if m[f"coverage_{p}"]["layers_within_target"] < d["n_layers"]
    ]
    return "\n".join(
        [
            f"On {count(d['n_test'])} fresh test models (`bench/ensemble.py` → "
            f"`bench/results/ensemble.json`, {threads(d)}):",
            "",
            *rows,
            "",
            f"The ensemble's mean is at least as accurate as the single network at "
            f"{len(better)} of {len(d['by_noise'])} noise levels"
            f"{' (' + ', '.join(better) + ')' if better else ''}. "
            "Overall coverage within ±5 points of nominal at every noise level: "
            f"{'yes' if overall else 'no'}; per layer, outside ±5 points: "
            f"{'; '.join(outside) if outside else 'none'}.",
            "",
            f"The ensemble costs {d['n_members']} networks: "
            f"{count(speed['ensemble_with_std'])} soundings/s with σ against "
            f"{count(speed['single'])} for the single network (same run).",
            "",
        ]
    )


def rmse_against_pygimli(cmp: dict) -> str:
    """The U-Net's model error next to pyGIMLi's on the same soundings (inference.json)."""
    return (
        f"an RMSE of {cmp['network']['log_rho_rmse']:.3f} decades against "
        f"{cmp['pygimli_occam']['log_rho_rmse']:.3f} for pyGIMLi's smooth inversion"
    )


def speed() -> str:
    f, i = load("forward"), load("inference")
    cmp = i["same_noisy_soundings"]
    net, occ = cmp["network"], cmp["pygimli_occam"]
    paths = i["cpu_inference_paths_ms"]
    return "\n".join(
        [
            f"`bench/forward.py` → `bench/results/forward.json` and `bench/inference.py` → "
            f"`bench/results/inference.json`, 2-core CPU, {threads(i)}, each path warmed up "
            "and timed as the median of repeated calls:",
            "",
            "| | soundings / s |",
            "| --- | --- |",
            f"| forward, mtlib numpy (numba, float64) | {count(f['mtlib_numpy_float64_cpu'])} |",
            f"| forward, mtlib torch CPU float64 / float32 | {count(f['mtlib_torch_float64_cpu'])} "
            f"/ {count(f['mtlib_torch_float32_cpu'])} |",
            f"| forward, pyGIMLi `MT1dModelling`, per-sounding loop | "
            f"{count(f['pygimli_loop_cpu'])} |",
            f"| build the {count(f['paper_dataset_samples'])}-sample `paper` dataset | "
            f"{f['paper_dataset_build_s']:.0f} s |",
            f"| U-Net inference, CPU, batched ({count(i['batch'])} soundings in one call) | "
            f"{count(i['network_cpu_soundings_per_s'])} |",
            f"| U-Net inference, CPU, one call per sounding | "
            f"{count(1 / net['per_sounding_call']['median_s'])} |",
            f"| pyGIMLi smooth inversion, one call per sounding | "
            f"{count(1 / occ['per_sounding_call']['median_s'])} |",
            "",
            f"On the same {cmp['n_soundings']} soundings with {100 * cmp['rel_noise']:g} % noise "
            f"the U-Net reaches {rmse_against_pygimli(cmp)} (λ = {occ['lambda']:g}, "
            f"χ² ≈ {occ['mean_chi2']:.2f}); one sounding per call it is "
            f"**{times(cmp['speedup_per_sounding'])} faster**, batched "
            f"**{times(cmp['speedup_batched'])}**. The CPU inference path (BatchNorm folded, "
            f"eager) takes {paths['1']['fused_eager_ms']:.2f} ms for one sounding and "
            f"{paths['2048']['fused_eager_ms']:.0f} ms for 2 048, against "
            f"{paths['1']['jit_frozen_ms']:.2f} and {paths['2048']['jit_frozen_ms']:.0f} ms "
            "for the TorchScript-frozen path it replaced (same run).",
            "",
        ]
    )


def training() -> str:
    d = load("train")
    cpu, est = d["cpu"], d["quick_profile_estimate_cpu_min"]
    gpu = d.get("cuda")
    return (
        f"Training throughput (`bench/train.py` → `bench/results/train.json`, "
        f"{threads(d)}): the paper network {count(cpu['paper_network_samples_per_s'])} "
        f"samples/s, an ensemble member {count(cpu['ensemble_member_samples_per_s'])} "
        f"samples/s on the CPU"
        + (
            f", {count(gpu['paper_network_samples_per_s'])} and "
            f"{count(gpu['ensemble_member_samples_per_s'])} on the GPU"
            if gpu
            else " (no GPU measured)"
        )
        + f"; at these rates the quick profile trains its network in ≈ "
        f"{est['paper_network']:.0f} min and its fine-tuned ensemble in ≈ "
        f"{est['ensemble']:.0f} min (from scratch: ≈ {est['ensemble_from_scratch']:.0f} min).\n"
    )


def browser() -> str:
    d = load("browser")
    rows = [
        ("the Voilà app", "voila"),
        ("the explorer notebook in JupyterLab (image view)", "lab_notebook"),
        ("JupyterLab, `%matplotlib widget` (ipympl canvas)", "lab_live_canvas"),
    ]
    lines = [
        "| view | median | 95th percentile | of which the kernel's update |",
        "| --- | --- | --- | --- |",
    ] + [
        f"| {label} | **{d[k]['latency_ms_median']:.0f} ms** | {d[k]['latency_ms_p95']:.0f} ms "
        f"| {d[k]['kernel_update_ms_median']:.0f} ms |"
        for label, k in rows
    ]
    return "\n".join(lines) + (
        f"\n\n{d['moves']} key presses per view, target ≤ {d['target_ms']} ms median; "
        f"{d['chromium'].split(' built')[0]}, {d['machine']['cpu_count']} cores; the whole "
        f"session (three views, servers and kernels started) {d['session_s']:.0f} s "
        "(`bench/browser.py` → `bench/results/browser.json`).\n"
    )


def duration(seconds: float) -> str:
    """A time span in the unit that reads best: ms, s, min or h."""
    if seconds < 1:
        return ms(seconds)
    if seconds < 120:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.0f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"


def survey() -> str:
    d = load("survey")
    rows = [
        "| stations × layers | LCI | iterations | independent 1D | model RMSE: independent → "
        "LCI | mean nRMS: independent / LCI |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for c in d["lci_scaling"].values():
        rows.append(
            f"| {c['stations']} × {c['layers']} | **{c['lci_s']:.1f} s** | "
            f"{c['lci_iterations']} ({c['lci_stop']}) | {c['independent_s']:.1f} s | "
            f"{c['rmse_independent']:.3f} → **{c['rmse_lci']:.3f}** | "
            f"{c['nrms_mean_independent']:.3f} / {c['nrms_mean_lci']:.3f} |"
        )
    kappas = ", ".join(
        f"κ = {k}: {v['rmse_ratio_mean']:.2f}" for k, v in d["lateral_weight"].items()
    )
    per = d["per_station"]
    labels = {"invert": "inversion", "network": "network guess", "sample": "posterior"}
    tasks = [
        "| per station | embedded (this process) | one of 2 local workers | 2 workers vs "
        "embedded |",
        "| --- | --- | --- | --- |",
    ] + [
        f"| {labels[name]} ({per[name]['stations']} stations) | "
        f"{duration(per[name]['per_station_embedded_s'])} | "
        f"{duration(per[name]['per_station_per_worker_s'])} | "
        f"{times(per[name]['speedup_2_workers'], 1)} |"
        for name in labels
    ]
    hours = d["hours_for_10000_stations"]
    need = [
        "| 10 000 stations on | "
        + " | ".join(f"{n} worker{'s' if n > 1 else ''}" for n in d["workers"])
        + " |",
        "| --- |" + " --- |" * len(d["workers"]),
    ] + [
        f"| {labels[name]} | "
        + " | ".join(duration(3600 * hours[name][str(n)]) for n in d["workers"])
        + " |"
        for name in labels
    ]
    stops = ", ".join(per["sample"]["stops"])
    return "\n".join(
        [
            f"`bench/survey.py` → `bench/results/survey.json`, {threads(d)}, median of "
            "repeated calls after a warm-up (one call for 500 stations):",
            "",
            *rows,
            "",
            f"LCI model RMSE relative to independent inversions, 20 stations, three noise "
            f"draws: {kappas} (the default, κ = 10, was chosen on these same draws; three draws "
            "do not tell the weights between 3 and 30 apart).",
            "",
            *tasks,
            "",
            f"Posteriors of Gabbs Valley stations run to the sampler's stopping rule "
            f"({stops}). The local cluster took {per['cluster_startup_s']:.0f} s to start. "
            "What 10 000 stations need if each worker is as fast as one measured here "
            "(no start-up, no scheduling cost):",
            "",
            *need,
            "",
        ]
    )


def headline() -> str:
    """The README's few numbers; each is formatted, and named, as in the book's tables."""
    d, inf = load("field"), load("inference")
    r, syn = d["real"], d["synthetic"]
    cmp = inf["same_noisy_soundings"]
    one, engine, bare = (
        r["comparisons"]["per sounding, with the network"],
        r["comparisons"]["per sounding, engine vs engine"],
        r["comparisons"]["per sounding, with the network, without the band"],
    )
    batched = syn["comparisons"]["batched, with the network"]
    return (
        f"On a 2-core CPU, `mtlib.invert` (the field network's guess, then Occam, and the "
        "posterior network's band) inverts a "
        f"shipped real sounding in {ms(one['mtlib_s'])} (median of {r['n_soundings']}): per "
        f"sounding, with the network, **{times(one['speedup'], 1)} faster** than pyGIMLi's "
        f"smooth inversion; without the band (`posterior_network=None`) "
        f"{ms(bare['mtlib_s'])}, {times(bare['speedup'], 1)}; engine against engine, both "
        "from a half-space, "
        f"{times(engine['speedup'], 1)}; batched over synthetic soundings, with the network, "
        f"{times(batched['speedup'])} (against pyGIMLi one sounding at a time). Its median "
        f"nRMS on the real set, {r['nrms_median']:.2f}, is below 1 without fitting better: on "
        f"{below_scatter(r['soundings'])} of {r['n_soundings']} soundings χ² < N − 2√(2N) "
        "where the network's guess already fits and is kept, and the best 1D earth (Parker's "
        f"D+) reaches a median {r['nrms_dplus_median']:.2f}: the 5 % error floor overstates "
        "most soundings' errors. On synthetic soundings its model is no closer to the truth "
        f"than pyGIMLi's (log10-ρ RMSE {syn['log_rho_rmse']['network_plus_occam']:.3f} against "
        f"{syn['log_rho_rmse']['pygimli_smooth']:.3f}): it is faster, not better. The paper's "
        "U-Net predicts "
        f"{count(inf['network_cpu_soundings_per_s'])} soundings/s in a batch; on the same noisy "
        f"soundings it reaches {rmse_against_pygimli(cmp)}. {sampler_headline()} All "
        "numbers, and how they are measured: [correctness and speed](docs/speed.md), [the "
        "posterior sampler](docs/posterior.md).\n"
    )


def sampler_headline() -> str:
    """One sentence: the posterior sampler against rjmcmcmt on WIT2 and gv161."""
    d = load("posterior")

    def versus(name: str) -> tuple[str, str, dict, str]:
        key, run = sampler_runs(d[name])
        v = run["versus_rjmcmcmt"]
        ours, theirs = (
            " / ".join(f"{v[q][side]['median']:.3f}" for q in ("q05", "q50", "q95"))
            for side in ("delta", "spread")
        )
        return ours, theirs, run, key

    ours, theirs, run, key = versus("WIT2")
    gv_ours, gv_theirs, gv_run, _ = versus("gv161")
    ref = d["WIT2"]["rjmcmcmt"]
    faster = (run["ess"]["chi2"] / run["cpu_s"]) / np.mean(ref["ess_per_cpu_s"]["chi2"])
    return (
        f"The posterior sampler (`mtlib.sample`) samples the real sounding WIT2 in "
        f"{run['wall_s']:.0f} s, stopping at {key[8:]} effective samples: its 5 / 50 / 95 % "
        f"quantiles differ from rjmcmcmt's by a median over depths of {ours} decades, "
        f"rjmcmcmt's two runs from each other by {theirs}; on gv161 ({gv_run['wall_s']:.0f} "
        f"s) {gv_ours} against {gv_theirs}. Per CPU second it draws {times(faster)} as many "
        f"effective samples of χ² as rjmcmcmt ({min(ref['cpu_s']):.0f}–"
        f"{max(ref['cpu_s']):.0f} CPU s for its fixed 6 × 2 M steps)."
    )


def sampler_runs(station: dict) -> tuple[str, dict]:
    """The benchmark's run set of a station with the most effective samples, and its
    median run (by wall time)."""
    key = max((k for k in station if k.startswith("min_ess_")), key=lambda k: int(k[8:]))
    runs = sorted(station[key]["runs"], key=lambda r: r["wall_s"])
    return key, runs[len(runs) // 2]


def posterior() -> str:
    d = load("posterior")
    rows = [
        "| station | mtlib.sample: wall (CPU) | rjmcmcmt: wall (CPU) | ESS of χ² / layers per "
        "CPU s, mtlib vs rjmcmcmt | 5 % | median | 95 % |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in ("WIT2", "gv161"):
        station = d[name]
        key, run = sampler_runs(station)
        ref = station["rjmcmcmt"]
        cells = []
        for q in ("q05", "q50", "q95"):
            c = run["versus_rjmcmcmt"][q]
            cells.append(f"{c['delta']['median']:.3f} ({c['spread']['median']:.3f})")
        ess = run["ess"]
        cpu = run["cpu_s"]
        rows.append(
            f"| {name} (min ESS {key[8:]}, {run['stop']}) | **{run['wall_s']:.1f} s** "
            f"({cpu:.1f} s) | {min(ref['wall_s']):.0f}–{max(ref['wall_s']):.0f} s "
            f"({min(ref['cpu_s']):.0f}–{max(ref['cpu_s']):.0f} s) | "
            f"{ess['chi2'] / cpu:.0f} / {ess['n_layers'] / cpu:.0f} vs "
            f"{np.mean(ref['ess_per_cpu_s']['chi2']):.1f} / "
            f"{np.mean(ref['ess_per_cpu_s']['n_layers']):.2f} | " + " | ".join(cells) + " |"
        )
    return "\n".join(
        [
            f"`bench/posterior.py` → `bench/results/posterior.json`, {threads(d)}; "
            "rjmcmcmt's prior, noise model and band; the median of the runs by wall time "
            "(rjmcmcmt: its two recorded runs, 6 chains × 2 M iterations). The last three "
            "columns: median over the depth bins of |Δ| of that quantile of log10 ρ against "
            "rjmcmcmt's pooled runs, in decades, and in parentheses rjmcmcmt's own "
            "run1 − run2 (its Monte Carlo error; for a sampler as accurate as one rjmcmcmt run, "
            "|Δ| against the pooled runs would be about 0.87 times it). rjmcmcmt's effective "
            "samples per CPU second: the mean of its two runs.",
            "",
            *rows,
            "",
        ]
    )


QUANTILE_KEYS = (("q05", "5 %"), ("q50", "median"), ("q95", "95 %"))
DELTA_TARGET = {"synthetic": 0.15, "reference": 0.25}
"""The posterior network's targets: median |Δ| of the 5/50/95 % quantiles, decades."""


def posteriornet() -> str:
    """The posterior network against the sampler (synthetic) and rjmcmcmt (WIT2, gv161),
    its coverage, and its speed."""
    d = load("posteriornet")
    syn, cache, net = d["synthetic"], d["cache"], d["synthetic"]["posterior_network"]
    sampler = syn["sampler"]
    stops = ", ".join(f"{v} {k}" for k, v in sampler["stops"].items())
    n_depths = net["delta"]["q50"]["n"]

    def cells(block, key="median", extra=None):
        return " | ".join(
            f"{block[q][key]:.3f}" + (f" ({block[q][extra]:.2f})" if extra else "")
            for q, _ in QUANTILE_KEYS
        )

    within = {q: net["soundings_within_target"][q] for q, _ in QUANTILE_KEYS}
    gauss = syn["gaussian_from_sampler_16_84"]
    cov, ci = net["coverage"], net["coverage_interval90_by_sounding_bootstrap"]

    def covered(key):
        lo, hi = ci[key]
        return f"{100 * cov[key]:.1f} % ({100 * lo:.0f}–{100 * hi:.0f})"

    rows = [
        "| decades of log10 ρ | 5 % | median | 95 % |",
        "| --- | --- | --- | --- |",
        f"| posterior network vs sampler: median \\|Δ\\| (90th percentile) over all depths | "
        f"{cells(net['delta'], extra='p90')} |",
        "| the same per sounding: median over soundings of each one's median \\|Δ\\| | "
        f"{cells(net['delta_per_sounding_median'])} |",
        f"| soundings whose median \\|Δ\\| is within {DELTA_TARGET['synthetic']} | "
        + " | ".join(f"{100 * within[q]:.0f} %" for q, _ in QUANTILE_KEYS)
        + " |",
        "| the sampler against itself: median \\|Δ\\| between the halves of its chains (about "
        "twice its Monte Carlo error) | "
        f"{cells(d['synthetic']['sampler_split_spread'])} |",
        "| a Gaussian through the sampler's own 16/84 % quantiles: median \\|Δ\\| | "
        f"{gauss['q05']['median']:.3f} | — | {gauss['q95']['median']:.3f} |",
    ]
    coverage = [
        "| the truth inside the pointwise … (in parentheses: 90 % bootstrap interval over "
        "soundings) | posterior network | sampler | field network |",
        "| --- | --- | --- | --- |",
        f"| 68 % interval | {covered('net68')} | {covered('mcmc68')} | — |",
        f"| 90 % interval | {covered('net90')} | {covered('mcmc90')} | {covered('field90')} |",
    ]
    groups = [
        "| log10(depth / DOI) | depths | median \\|Δ\\| of the 5 / 50 / 95 % quantiles "
        "(decades) | 68 % / 90 % covered "
        "(network) | width of the network's 90 % interval / the sampler's |",
        "| --- | --- | --- | --- | --- |",
    ] + [
        f"| {name} | {g['n_depths']} | "
        + " / ".join(f"{g['delta_median'][q]:.3f}" for q, _ in QUANTILE_KEYS)
        + f" | {100 * g['coverage']['net68']:.0f} % / {100 * g['coverage']['net90']:.0f} % | "
        f"{g['width_ratio_median']:.2f} |"
        for name, g in syn["by_depth_group"].items()
    ]
    ref_rows = [
        "| station | \\|Z\\| error p (median) | network vs rjmcmcmt: 5 % / median / 95 % | "
        "sampler, mtlib's error model, vs rjmcmcmt | network vs that sampler | rjmcmcmt run1 "
        "vs run2 |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for station, r in d["reference"].items():
        for reading in ("modulus", "geometric"):
            e = r[reading]
            ref_rows.append(
                f"| {station} ({reading}) | {100 * e['p_median']:.1f} % | "
                + " / ".join(f"{e['network_delta'][q]['median']:.3f}" for q, _ in QUANTILE_KEYS)
                + " | "
                + " / ".join(
                    f"{e['sampler_mtlib_errors_delta'][q]['median']:.3f}" for q, _ in QUANTILE_KEYS
                )
                + " | "
                + " / ".join(
                    f"{e['network_vs_sampler_same_errors_delta'][q]['median']:.3f}"
                    for q, _ in QUANTILE_KEYS
                )
                + " | "
                + " / ".join(f"{r['rjmcmcmt_spread'][q]['median']:.3f}" for q, _ in QUANTILE_KEYS)
                + " |"
            )
    sp = d["speed"]
    return "\n".join(
        [
            f"`bench/posteriornet.py` → `bench/results/posteriornet.json`, {threads(d)}. "
            f"{syn['n_soundings']} synthetic soundings drawn from the sampler's default prior "
            "for their band (random 1.5–9 decade bands with gaps, base |Z| errors "
            f"{100 * cache['errors'][0]:g}–{100 * cache['errors'][1]:g} %), each sampled by "
            f"`mtlib.sample` at that prior (stopped at R̂ ≤ 1.05 and ESS ≥ {cache['min_ess']:g} "
            f"or at a cap ({cache['max_seconds']:g} s or the sampler's sweep cap): {stops}; median "
            f"{sampler['seconds_median']:.0f} s, {sampler['seconds_total'] / 3600:.1f} h in "
            f"all); compared at the sampler's depth bins above the depth of investigation "
            f"(DOI: the Niblett–Bostick depth of the longest period; {n_depths} depths). "
            f"Target: median \\|Δ\\| ≤ {DELTA_TARGET['synthetic']} decades.",
            "",
            *rows,
            "",
            *coverage,
            "",
            *groups,
            "",
            f"On rjmcmcmt's posteriors of WIT2 and gv161 with rjmcmcmt's own prior (target "
            f"≤ {DELTA_TARGET['reference']} decades), median \\|Δ\\| over the depths above "
            "the DOI. The network takes one |Z| error per datum; rjmcmcmt's 5 % on Re Z and "
            "Im Z read as p two ways: σ of ln |Z| (modulus), or the geometric mean of σ of "
            "ln |Z| and σ of φ. The sampler with mtlib's error model at that p shows what the "
            "error model alone changes:",
            "",
            *ref_rows,
            "",
            reference_verdict(d),
            "",
            f"Speed ({d['timing']}): **{count(sp['network_soundings_per_s'])} soundings/s** "
            f"through the network in a batch of {count(sp['batch'])}, "
            f"{count(sp['end_to_end_soundings_per_s'])} soundings/s from raw soundings (onto "
            f"the axis, their default priors); one sounding per call "
            f"**{sp['one_call_ms_median']:.2f} ms** (targets: 10 000 soundings/s, 2 ms).",
            "",
        ]
    )


def reference_verdict(d: dict) -> str:
    """In words, from the JSON: which reference comparisons meet the target, and how they
    stand against rjmcmcmt's own spread and against the synthetic set."""
    target = DELTA_TARGET["reference"]
    missed, spread_ok, same = [], [], []
    for station, r in d["reference"].items():
        e, spread = r["modulus"], r["rjmcmcmt_spread"]
        for q, label in QUANTILE_KEYS:
            delta = e["network_delta"][q]["median"]
            if delta > target:
                missed.append(f"{station}'s {label} ({delta:.2f})")
            spread_ok.append(delta <= 2 * max(spread[q]["median"], 1e-9))
        same += [e["network_vs_sampler_same_errors_delta"][q]["median"] for q, _ in QUANTILE_KEYS]
    per_sounding = d["synthetic"]["posterior_network"]["delta_per_sounding_median"]
    typical = [per_sounding[q]["median"] for q, _ in QUANTILE_KEYS]
    high = [per_sounding[q]["p90"] for q, _ in QUANTILE_KEYS]
    verdict = f"misses the target of {target} on {', '.join(missed)}" if missed else "meets it"
    return (
        f"Against rjmcmcmt (modulus reading) the network {verdict}; it is within twice "
        f"rjmcmcmt's run-to-run spread on {sum(spread_ok)} of {len(spread_ok)} quantiles. "
        "Against the sampler with the network's own likelihood its median |Δ| over depths is "
        f"{min(same):.2f}–{max(same):.2f} decades, within what single synthetic soundings "
        f"show (their medians: typically {min(typical):.2f}–{max(typical):.2f}, 90th "
        f"percentile {min(high):.2f}–{max(high):.2f}): the rest of the gap to rjmcmcmt is the "
        "error model. Per sounding the network is a quick look; the sampler is the answer."
    )


def overconfidence() -> str:
    """Where the field network's intervals are narrower than the posterior's (issue 28.6)."""
    d = load("posteriornet")
    syn = d["synthetic"]
    f = syn["field_network"]
    narrow = [
        name for name, g in syn["by_depth_group"].items() if g["field_width_ratio_median"] < 1
    ]
    rows = [
        "| log10(depth / DOI) | field network's 90 % width / the posterior's | posterior median "
        "inside the field network's 90 % interval |",
        "| --- | --- | --- |",
    ] + [
        f"| {name} | {g['field_width_ratio_median']:.2f} | {100 * g['field_median_inside']:.0f} % |"
        for name, g in syn["by_depth_group"].items()
    ]
    stations = "; ".join(
        f"{station}: {r['modulus']['field_network']['width_ratio']['median']:.2f}× the width, "
        f"the median inside at {100 * r['modulus']['field_network']['median_inside_90']:.0f} % "
        "of the depths"
        for station, r in d["reference"].items()
    )
    where = (
        f"overconfident at every depth group above the DOI ({', '.join(narrow)})"
        if len(narrow) == len(syn["by_depth_group"])
        else f"overconfident where the ratio is below 1 ({', '.join(narrow) or 'nowhere'})"
    )
    return "\n".join(
        [
            f"On the same {syn['n_soundings']} synthetic soundings (`bench/posteriornet.py`), "
            "above the depth of investigation, the field network's 90 % intervals are a "
            f"median **{f['width_ratio']['median']:.2f}×** as wide as the sampler's and hold "
            f"the posterior median at **{100 * f['median_inside_90']:.0f} %** of the depths; "
            f"they hold the truth at {100 * f['truth_coverage_90']:.0f} % (nominal 90 %). Against "
            f"rjmcmcmt's posteriors: {stations}. The field network is {where}:",
            "",
            *rows,
            "",
        ]
    )


def posteriornet_headline() -> str:
    """The README's sentence on the posterior network."""
    d = load("posteriornet")
    net = d["synthetic"]["posterior_network"]
    f = d["synthetic"]["field_network"]
    gauss = d["synthetic"]["gaussian_from_sampler_16_84"]
    shares = [net["soundings_within_target"][q] for q, _ in QUANTILE_KEYS]
    within = f"{100 * min(shares):.0f}–{100 * max(shares):.0f} %"
    missed = [
        f"{station}'s {label}"
        for station, r in d["reference"].items()
        for q, label in QUANTILE_KEYS
        if r["modulus"]["network_delta"][q]["median"] > DELTA_TARGET["reference"]
    ]
    verb = " misses it" if len(missed) == 1 else " miss it"
    miss_note = "; " + ", ".join(missed) + verb if missed else ""
    delta = " / ".join(f"{net['delta'][q]['median']:.2f}" for q, _ in QUANTILE_KEYS)
    ref = ", ".join(
        f"{station} "
        + " / ".join(f"{r['modulus']['network_delta'][q]['median']:.2f}" for q, _ in QUANTILE_KEYS)
        for station, r in d["reference"].items()
    )
    return (
        f"The posterior network (`{d['network']}`; its band comes with every `invert` result) "
        "gives the sampler's per-depth 5 % / median / 95 % quantiles in one pass, "
        f"{count(d['speed']['network_soundings_per_s'])} soundings/s: median |Δ| {delta} "
        f"decades over {d['synthetic']['n_soundings']} synthetic soundings of the sampler's "
        f"default prior (target {DELTA_TARGET['synthetic']}; {within} of soundings within it "
        f"one by one), {ref} against rjmcmcmt (target {DELTA_TARGET['reference']}"
        f"{miss_note}); its pointwise 68 % "
        "and 90 % intervals hold the truth at "
        f"{100 * net['coverage']['net68']:.0f} % and {100 * net['coverage']['net90']:.0f} %. "
        f"Quantiles, not a mean and σ: a Gaussian through the sampler's own 16/84 % "
        f"quantiles misses its 5 / 95 % ones by {gauss['q05']['median']:.2f} / "
        f"{gauss['q95']['median']:.2f} decades (median). "
        f"The field network's 90 % intervals are {f['width_ratio']['median']:.2f}× as wide as "
        "the posterior's: [uncertainty](docs/uncertainty.md).\n"
    )


RENDERERS = {
    "browser": browser,
    "explorer": explorer,
    "field": field,
    "fieldnet": fieldnet,
    "ensemble": ensemble,
    "headline": headline,
    "overconfidence": overconfidence,
    "posterior": posterior,
    "posteriornet": posteriornet,
    "posteriornet_headline": posteriornet_headline,
    "speed": speed,
    "survey": survey,
    "training": training,
}


def pages() -> list[Path]:
    """The files that hold bench blocks: the README and every page of the book."""
    return [README, *sorted(BOOK.glob("*.md"))]


def render(text: str, where: str = "README.md") -> tuple[str, set[str]]:
    """``text`` with every bench block re-rendered, and the names of its blocks;
    ``ValueError`` for a block without a renderer."""
    found = set()

    def fill(match):
        name = match["name"]
        if name not in RENDERERS:
            raise ValueError(f"{where}: block bench:{name} has no renderer in tools/readme.py")
        found.add(name)
        return match.group(1) + RENDERERS[name]() + match.group(4)

    return BLOCK.sub(fill, text), found


def render_all(texts: dict[Path, str] | None = None) -> dict[Path, str]:
    """Every page (``texts``: {path: text}, by default as on disk) as it should be;
    ``ValueError`` when a renderer has no block in any of them."""
    texts = texts if texts is not None else {path: path.read_text() for path in pages()}
    out, found = {}, set()
    for path, text in texts.items():
        out[path], names = render(text, path.name)
        found |= names
    if found != set(RENDERERS):
        raise ValueError(f"no page holds the blocks {sorted(set(RENDERERS) - found)}")
    return out


def main() -> int:
    return write_or_check(__doc__, render_all(), "tools/readme.py")


if __name__ == "__main__":
    sys.exit(main())
