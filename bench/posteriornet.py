"""The posterior network against the sampler and rjmcmcmt; the field network's intervals held
against the posterior (issues 30 and 28, item 6).

Two steps, the first one resumable and run once:

1. ``--cache``: the sampler's posteriors (:func:`mtlib.sample`), one file per sounding in
   ``$MTLIB_DATA/posterior_bench/`` (written atomically; a stopped run resumes):
   ``--n`` synthetic soundings drawn from the sampler's default prior for their band
   (:data:`~mtlib.networks.posteriornet.DEFAULT_FAMILY`: :meth:`Prior.default` of a
   half-space of 10^ℓ Ω·m, ℓ uniform on [0, 4], over a random band of 1.5–9 decades with
   gaps; base |Z| errors log-uniform on 2–10 %, scattered per datum as in training; no
   static shift), each sampled at that prior; and WIT2 and gv161 with rjmcmcmt's prior and
   mtlib's error model (ln ρa and φ) at the |Z| error rjmcmcmt's errors give (two
   readings of it, :func:`reference_errors`). Stopping rule: R̂ ≤ 1.05 and ESS ≥
   ``--min-ess`` for χ², the number of layers and every depth bin, or ``--max-seconds``.
2. The comparisons (default), from that cache, into ``bench/results/posteriornet.json``:

   - the posterior network against the sampler, at the sampler's depth bins above the
     depth of investigation (the Niblett–Bostick depth of the longest period): |Δ| of the
     5/50/95 % quantiles (median and 90th percentile over all depths of all soundings,
     and the median per sounding), next to the sampler's own Monte Carlo spread (its
     chains in two halves, each half's quantiles from its thinned samples); the truth's
     coverage of the 68 % and 90 % intervals, the network's and the sampler's, overall
     and per group of log10(depth / depth of investigation); the width ratio of the 90 %
     intervals; how far a Gaussian through the sampler's own 16/84 % quantiles misses its
     5/95 % quantiles (why the network outputs quantiles, not a mean and σ);
   - the field network's 90 % intervals against the sampler's posterior (issue 28.6): the
     share of depths where the posterior median lies inside, the width ratio, the
     truth's coverage, per depth group;
   - on WIT2 and gv161, both networks against rjmcmcmt's pooled posterior with its own
     prior, and the sampler with mtlib's error model against it (what the error model
     alone changes), next to rjmcmcmt's run-to-run spread;
   - speed: soundings per second batched (the network alone, and from raw soundings with
     their default priors), one sounding per call (median after a warm-up).

    python bench/posteriornet.py --cache [--n 200]
    python bench/posteriornet.py
"""

from __future__ import annotations

import io
import json
import time
import warnings
from dataclasses import replace

import numpy as np
import torch
from _common import machine, make_parser, timed, write

from mtlib import field
from mtlib._io import atomic_write
from mtlib.folders import data_root
from mtlib.forward import MU0
from mtlib.inversion import invert_many
from mtlib.networks import posteriornet as pn
from mtlib.networks.fieldnet import AUGMENT, GRID_CENTRES
from mtlib.networks.predictor import z_score
from mtlib.networks.pretrained import DEFAULT_FIELD_NETWORK, load_pretrained
from mtlib.posterior import Likelihood, histograms, reference, sample, sample_likelihood

SEED = 20_261_207
"""Seed of the synthetic soundings (no training run uses it)."""
ERRORS = (0.02, 0.10)
PROBS = (0.05, 0.5, 0.95)
"""The quantiles compared (the 90 % interval and the median)."""
GROUPS = (-3.0, -2.0, -1.0, -0.5, 0.0)
"""Depth groups: log10(depth / depth of investigation)."""
NAME = "posterior_quick"


def cache_dir():
    return data_root() / "posterior_bench"


def synthetic(n: int):
    """The synthetic soundings: priors, earths and the drawn data (numpy)."""
    priors, interfaces, values = pn.draw_earths(n, SEED, pn.DEFAULT_FAMILY)
    augment = replace(AUGMENT, err_log10=tuple(np.log10(ERRORS)))
    data = pn.PosteriorData.of_earths(priors, interfaces, values, augment=augment)
    drawn = data.draw(torch.arange(n), torch.Generator().manual_seed(SEED))
    drawn = {k: v.numpy() for k, v in drawn.items() if k in ("log_rhoa", "phase_deg", "p", "mask")}
    return priors, interfaces, values, drawn


def sounding(drawn: dict, k: int) -> tuple:
    """Synthetic sounding ``k``'s usable data (freq, ρa, φ, p, mask) at f_top = 1 Hz."""
    m = drawn["mask"][k]
    return (
        pn.FREQ_AXIS[m],
        10.0 ** drawn["log_rhoa"][k][m].astype(float),
        drawn["phase_deg"][k][m].astype(float),
        drawn["p"][k][m].astype(float),
        np.ones(int(m.sum()), bool),
    )


def split_quantiles(post, probs) -> np.ndarray:
    """Quantiles (2, P, D) of log10 ρ at the depth bins from the thinned samples of the
    first and the second half of the chains."""
    depth = np.log10(post.depth_m)
    halves = np.array_split(np.arange(post.n_chains), 2)
    out = []
    for chains in halves:
        iface = post.samples["interfaces_log10"][chains]
        iface = np.nan_to_num(iface.reshape(-1, iface.shape[-1]), nan=np.inf)
        vals = post.samples["log10_rho"][chains].reshape(iface.shape[0], -1)
        out.append(np.quantile(pn.models_at(iface, vals, depth), probs, axis=0))
    return np.stack(out)


def save_npz(path, **arrays) -> None:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    atomic_write(path, lambda fh: fh.write(buf.getvalue()))


def reference_errors(station: str) -> dict:
    """rjmcmcmt's errors on Re Z and Im Z (5 % and a floor) as mtlib's |Z| error p: the
    modulus reading (σ of ln |Z|, :attr:`Likelihood.z_rel_err`) and the geometric mean of
    σ of ln |Z| and σ of φ (the same area of the error ellipse); with both σ per datum."""
    like = reference.load(station).likelihood()
    z = like.z_ohm
    s_mod = np.hypot(z.real * like.sigma1, z.imag * like.sigma2) / np.abs(z) ** 2
    s_phase = np.hypot(z.real * like.sigma2, z.imag * like.sigma1) / np.abs(z) ** 2
    return dict(
        like=like, modulus=s_mod, geometric=np.sqrt(s_mod * s_phase), s_mod=s_mod, s_phase=s_phase
    )


def run_cache(n: int, min_ess: float, max_seconds: float) -> None:
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    settings = dict(n=n, seed=SEED, errors=list(ERRORS), min_ess=min_ess, max_seconds=max_seconds)
    manifest = folder / "settings.json"
    if manifest.exists() and json.loads(manifest.read_text()) != settings:
        raise SystemExit(f"{folder} holds a cache of other settings: move it away first")
    manifest.write_text(json.dumps(settings, indent=1) + "\n")
    options = dict(min_ess=min_ess, max_seconds=max_seconds)
    for station in reference.STATIONS:
        ref = reference_errors(station)
        like, prior = ref["like"], reference.load(station).prior()
        for reading in ("modulus", "geometric"):
            path = folder / f"{station}_{reading}.npz"
            if path.exists():
                continue
            p = ref[reading]
            mtlib_errors = Likelihood.rhoa_phase(
                like.freq_hz, like.rhoa_ohmm, like.phase_deg, p, station=station
            )
            post = sample_likelihood(mtlib_errors, prior, seed=1, **options)
            save_npz(path, hist=post.hist, rho_edges=post.rho_edges_log10,
                     depth_m=post.depth_m, seconds=post.seconds, stop=post.stop)  # fmt: skip
            print(f"{station} ({reading}): {post.summary()}", flush=True)
    priors, interfaces, values, drawn = synthetic(n)
    for k in range(n):
        path = folder / f"synthetic_{k:04d}.npz"
        if path.exists():
            continue
        freq, rhoa, phase, p, _ = sounding(drawn, k)
        post = sample(
            freq, rhoa, phase, p, prior=pn.as_prior(priors[k]), seed=k,
            station=f"synthetic {k}", **options,
        )  # fmt: skip
        depth = np.log10(post.depth_m)
        save_npz(
            path,
            depth_m=post.depth_m,
            quantiles=post.quantile(pn.QUANTILES),
            split=split_quantiles(post, pn.QUANTILES),
            truth=pn.models_at(interfaces[k : k + 1], values[k : k + 1], depth)[0],
            doi_m=post.doi_m,
            seconds=post.seconds,
            stop=post.stop,
            sweeps=post.sweeps,
            ess_min=min(float(np.min(e)) for e in post.ess.values()),
            rhat_max=max(float(np.max(r)) for r in post.rhat.values()),
        )
        print(f"{k}: {post.summary()}", flush=True)


def interp_rows(depth_log10, grid_log10, values) -> np.ndarray:
    """Rows of ``values`` (..., L) on depths ``grid_log10`` (L,) read at ``depth_log10``
    (D,), linear in log depth."""
    flat = values.reshape(-1, values.shape[-1])
    out = np.stack([np.interp(depth_log10, grid_log10, v) for v in flat])
    return out.reshape(values.shape[:-1] + (depth_log10.size,))


def summary(values) -> dict:
    values = np.asarray(values, dtype=float)
    return dict(
        median=float(np.median(values)), p90=float(np.percentile(values, 90)), n=int(values.size)
    )


def bootstrap_coverage(hits: list[np.ndarray], n_boot: int = 2000, seed: int = 0) -> list:
    """A 90 % interval of the pooled coverage of ``hits`` (one boolean array per sounding),
    resampling soundings (their depths are not independent)."""
    rng = np.random.default_rng(seed)
    counts = np.array([h.sum() for h in hits], dtype=float)
    sizes = np.array([h.size for h in hits], dtype=float)
    pick = rng.integers(0, len(hits), (n_boot, len(hits)))
    pooled = counts[pick].sum(axis=1) / sizes[pick].sum(axis=1)
    return [float(np.percentile(pooled, 5)), float(np.percentile(pooled, 95))]


def load_cache(n: int) -> list[dict]:
    out = []
    for k in range(n):
        with np.load(cache_dir() / f"synthetic_{k:04d}.npz") as f:
            out.append({key: f[key] for key in f.files})
    return out


def synthetic_comparison(net, field_net, n: int, first: int | None = None) -> dict:
    """The comparisons on the cache's ``n`` soundings (drawn together: the first ``first``
    of them only, for a look at a cache still being written)."""
    priors, _, _, drawn = synthetic(n)
    n = first or n
    runs = load_cache(n)
    soundings = [sounding(drawn, k) for k in range(n)]
    priors = priors[:n]
    post_g = net.quantile_guesses(soundings, [pn.as_prior(r) for r in priors])
    field_g = field_net.guess_arrays(soundings, level=0.9)
    p_idx = [list(pn.QUANTILES).index(p) for p in PROBS]
    rows = {key: [] for key in ("delta", "spread", "group", "sounding")}
    cover = {key: [] for key in ("net68", "net90", "mcmc68", "mcmc90", "field90")}
    width, field_width, field_inside, gauss = [], [], [], []
    per_sounding = []
    for k, run in enumerate(runs):
        depth = np.log10(run["depth_m"])
        above = depth <= np.log10(run["doi_m"])
        if not above.any():  # a conductive earth: its DOI above the prior's interfaces
            continue
        log_ref = np.log10(post_g.tops_scale[k]) + GRID_CENTRES
        f_ref = np.log10(field_g.tops_scale[k]) + GRID_CENTRES
        # only depths both networks' grids reach (np.interp would hold their end values)
        above &= (depth >= max(log_ref[0], f_ref[0])) & (depth <= min(log_ref[-1], f_ref[-1]))
        if not above.any():
            continue
        d = depth[above]
        q_net = interp_rows(d, log_ref, post_g.quantiles_log10[k])  # (Q, D)
        q_mc = run["quantiles"][:, above]
        delta = np.abs(q_net[p_idx] - q_mc[p_idx])  # (3, D)
        spread = np.abs(run["split"][0][:, above] - run["split"][1][:, above])[p_idx]
        rows["delta"].append(delta)
        rows["spread"].append(spread)
        # group g: GROUPS[g] < log10(depth / DOI) ≤ GROUPS[g + 1]; −1 shallower than them all
        rows["group"].append(np.digitize(d - np.log10(run["doi_m"]), GROUPS, right=True) - 1)
        per_sounding.append(np.median(delta, axis=1))
        truth = run["truth"][above]
        cover["net68"].append((truth >= q_net[2]) & (truth <= q_net[4]))
        cover["net90"].append((truth >= q_net[1]) & (truth <= q_net[5]))
        cover["mcmc68"].append((truth >= q_mc[2]) & (truth <= q_mc[4]))
        cover["mcmc90"].append((truth >= q_mc[1]) & (truth <= q_mc[5]))
        width.append((q_net[5] - q_net[1]) / (q_mc[5] - q_mc[1]))
        f_lo, f_hi = (
            interp_rows(d, f_ref, np.log10(a[k])) for a in (field_g.low_ohmm, field_g.high_ohmm)
        )
        cover["field90"].append((truth >= f_lo) & (truth <= f_hi))
        field_inside.append((q_mc[3] >= f_lo) & (q_mc[3] <= f_hi))
        field_width.append((f_hi - f_lo) / (q_mc[5] - q_mc[1]))
        # the 16/84 % quantiles as ±1 σ, the 5/95 % read at the 90 % interval's ±z
        centre, sigma = 0.5 * (q_mc[2] + q_mc[4]), 0.5 * (q_mc[4] - q_mc[2])
        z95 = z_score(0.9)
        gauss.append(np.abs(np.stack([centre - z95 * sigma, centre + z95 * sigma]) - q_mc[[1, 5]]))
    delta = np.concatenate(rows["delta"], axis=1)
    spread = np.concatenate(rows["spread"], axis=1)
    group = np.concatenate(rows["group"])
    per_sounding = np.array(per_sounding)
    cat = {k: np.concatenate(v) for k, v in cover.items()}
    coverage_interval = {k: bootstrap_coverage(v) for k, v in cover.items()}
    width, field_width = np.concatenate(width), np.concatenate(field_width)
    field_inside = np.concatenate(field_inside)
    labels = [f"{lo:g}..{hi:g}" for lo, hi in zip(GROUPS[:-1], GROUPS[1:])]
    by_group = {}
    for g, label in enumerate(labels):
        sel = group == g
        by_group[label] = {
            "n_depths": int(sel.sum()),
            "delta_median": {
                f"q{round(100 * p):02d}": float(np.median(delta[j, sel]))
                for j, p in enumerate(PROBS)
            },  # fmt: skip
            "coverage": {k: float(v[sel].mean()) for k, v in cat.items()},
            "width_ratio_median": float(np.median(width[sel])),
            "field_width_ratio_median": float(np.median(field_width[sel])),
            "field_median_inside": float(field_inside[sel].mean()),
        }
    stops = [str(r["stop"]) for r in runs]
    return {
        "n_soundings": n,
        "n_soundings_with_depths_above_doi": len(per_sounding),
        "sampler": {
            "seconds_median": float(np.median([r["seconds"] for r in runs])),
            "seconds_total": float(np.sum([r["seconds"] for r in runs])),
            "stops": {s: stops.count(s) for s in sorted(set(stops))},
            "ess_min_median": float(np.median([r["ess_min"] for r in runs])),
            "rhat_max_max": float(np.max([r["rhat_max"] for r in runs])),
        },
        "posterior_network": {
            "delta": {f"q{round(100 * p):02d}": summary(delta[j]) for j, p in enumerate(PROBS)},
            "delta_per_sounding_median": {
                f"q{round(100 * p):02d}": summary(per_sounding[:, j]) for j, p in enumerate(PROBS)
            },
            "soundings_within_target": {
                f"q{round(100 * p):02d}": float(np.mean(per_sounding[:, j] <= 0.15))
                for j, p in enumerate(PROBS)
            },
            "coverage": {k: float(v.mean()) for k, v in cat.items()},
            # depths of one sounding hit or miss together: resampled by sounding
            "coverage_interval90_by_sounding_bootstrap": coverage_interval,
            "width_ratio": summary(width),
        },
        "sampler_split_spread": {
            f"q{round(100 * p):02d}": summary(spread[j]) for j, p in enumerate(PROBS)
        },
        "gaussian_from_sampler_16_84": {
            "q05": summary(np.concatenate([g[0] for g in gauss])),
            "q95": summary(np.concatenate([g[1] for g in gauss])),
        },
        "field_network": {
            "median_inside_90": float(field_inside.mean()),
            "width_ratio": summary(field_width),
            "truth_coverage_90": float(cat["field90"].mean()),
        },
        "by_depth_group": by_group,
    }


def bostick_doi_m(like) -> float:
    k = np.argmin(like.freq_hz)
    return float(np.sqrt(like.rhoa_ohmm[k] / (2 * np.pi * like.freq_hz[k] * MU0)))


def reference_comparison(net, field_net) -> dict:
    out = {}
    for station in reference.STATIONS:
        ref = reference.load(station)
        errors = reference_errors(station)
        like = errors["like"]
        above = ref.depth_m <= bostick_doi_m(like)
        d = ref.depth_log10[above]
        q_ref = ref.quantile(PROBS)[:, above]
        spread = reference.run_spread(station, PROBS)[:, above]
        station_out = {
            "doi_m": bostick_doi_m(like),
            "n_depths": int(above.sum()),
            "rjmcmcmt_spread": {
                f"q{round(100 * p):02d}": summary(spread[j]) for j, p in enumerate(PROBS)
            },  # fmt: skip
            "error_as_p": {
                "sigma_ln_z_median": float(np.median(errors["s_mod"])),
                "sigma_phase_rad_median": float(np.median(errors["s_phase"])),
                "ratio_phase_to_modulus": summary(errors["s_phase"] / errors["s_mod"]),
            },
        }
        for reading in ("modulus", "geometric"):
            p = errors[reading]
            snd = (like.freq_hz, like.rhoa_ohmm, like.phase_deg, p, np.ones(p.size, bool))
            g = net.quantile_guesses([snd], ref.prior())
            q = interp_rows(d, np.log10(g.tops_scale[0]) + GRID_CENTRES, g.quantiles_log10[0])
            q = q[[list(pn.QUANTILES).index(x) for x in PROBS]]
            delta = np.abs(q - q_ref)
            entry = {
                "p_median": float(np.median(p)),
                "network_delta": {
                    f"q{round(100 * x):02d}": summary(delta[j]) for j, x in enumerate(PROBS)
                },  # fmt: skip
                "network_width_ratio": summary((q[2] - q[0]) / (q_ref[2] - q_ref[0])),
                "outside_training": net.outside_training([snd], ref.prior())[0],
            }
            with np.load(cache_dir() / f"{station}_{reading}.npz") as f:
                cmp = reference.compare(f["hist"], f["rho_edges"], station, PROBS)
                coarse = histograms.rebin(f["hist"], f["rho_edges"], ref.rho_edges)
            entry["sampler_mtlib_errors_delta"] = {
                key: summary(np.asarray(cmp[key]["delta_per_depth"])[above])
                for key in ("q05", "q50", "q95")
            }
            # the network against the sampler with the network's own likelihood (mtlib's
            # error model at this p) and rjmcmcmt's prior: the network's error alone
            q_same = histograms.quantiles(coarse, ref.rho_edges, PROBS)[:, above]
            entry["network_vs_sampler_same_errors_delta"] = {
                f"q{round(100 * x):02d}": summary(np.abs(q - q_same)[j])
                for j, x in enumerate(PROBS)
            }
            fg = field_net.guess_arrays([snd], level=0.9)
            f_ref = np.log10(fg.tops_scale[0]) + GRID_CENTRES
            f_lo, f_hi = (
                interp_rows(d, f_ref, np.log10(a[0])) for a in (fg.low_ohmm, fg.high_ohmm)
            )
            entry["field_network"] = {
                "median_inside_90": float(np.mean((q_ref[1] >= f_lo) & (q_ref[1] <= f_hi))),
                "width_ratio": summary((f_hi - f_lo) / (q_ref[2] - q_ref[0])),
            }
            station_out[reading] = entry
        out[station] = station_out
    return out


def speed(net, repeat: int) -> dict:
    """Soundings per second in a batch (the network alone, and from raw soundings), one
    sounding per call; and what the band adds to :func:`mtlib.inversion.invert_many` on
    the real soundings (one call each, and one batch)."""
    _, _, _, drawn = synthetic(64)
    many = [sounding(drawn, k % 64) for k in range(20_000)]
    inp = net.inputs(many)
    _, network_s = timed(lambda: net.normalized(inp["x"]), repeat)
    _, end_to_end_s = timed(lambda: net.quantile_guesses(many), repeat)
    one = many[:1]
    calls = [timed(lambda: net.quantile_guesses(one), repeat)[1] for _ in range(20)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        real = [field.read(path).response() for path in field.real_soundings()]
        cost = {}
        for name, band in (("with_band", NAME), ("without_band", None)):
            each = [
                timed(lambda r=r: invert_many([r], posterior_network=band), repeat)[1] for r in real
            ]
            _, batch_s = timed(lambda: invert_many(real, posterior_network=band), repeat)
            cost[name] = {
                "one_call_ms_median": 1e3 * float(np.median(each)),
                "batch_ms_per_sounding": 1e3 * batch_s / len(real),
            }
    return {
        "batch": len(many),
        "network_soundings_per_s": len(many) / network_s,
        "end_to_end_soundings_per_s": len(many) / end_to_end_s,
        "one_call_ms_median": 1e3 * float(np.median(calls)),
        "invert_real": {"n_soundings": len(real), **cost},
    }


def main() -> None:
    parser = make_parser(__doc__, "posteriornet")
    parser.add_argument("--cache", action="store_true", help="run the sampler (resumable)")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--min-ess", type=float, default=200.0)
    parser.add_argument("--max-seconds", type=float, default=120.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    info = machine(args.threads)
    if args.cache:
        run_cache(args.n, args.min_ess, args.max_seconds)
        return
    start = time.perf_counter()
    cache = json.loads((cache_dir() / "settings.json").read_text())
    if cache["n"] != args.n:
        raise SystemExit(f"the cache holds {cache['n']} soundings drawn together, not {args.n}")
    net, field_net = load_pretrained(NAME), load_pretrained(DEFAULT_FIELD_NETWORK)
    results = {
        "what": "the posterior network and the field network against the sampler's "
        "posteriors (synthetic soundings of the default prior) and rjmcmcmt's (WIT2, gv161)",
        "machine": info,
        "network": NAME,
        "cache": cache,
        "synthetic": synthetic_comparison(net, field_net, args.n),
        "reference": reference_comparison(net, field_net),
        "speed": speed(net, args.repeat),
        "timing": f"one warm-up call, then the median of {args.repeat} calls",
    }
    results["bench_seconds"] = time.perf_counter() - start
    write(results, args.out)


if __name__ == "__main__":
    main()
