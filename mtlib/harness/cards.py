"""Model cards: what a user needs to trust a shipped network, with test metrics measured now
on a fresh test set (:func:`mtlib.harness.evaluate.evaluate`,
:func:`mtlib.networks.fieldnet.frame_metrics`,
:func:`mtlib.networks.posteriornet.frame_metrics`). A card is built as a JSON-ready dict
(:func:`model_card`, :func:`ensemble_card`, :func:`field_card`, :func:`posterior_card`) and
rendered from that dict alone as Markdown (:func:`card_markdown`), so a shipped ``.md``
always follows from its ``.card.json``."""

from __future__ import annotations

from .._version import VERSION as __version__
from ..forward import mt1d
from ..generator import random_models
from ..networks import posteriornet
from ..networks.fieldnet import frame_metrics
from ..networks.predictor import Predictor
from .evaluate import evaluate

FIELD_KIND = "field network (mtlib.networks.fieldnet)"
"""The ``kind`` of a field network's card; the paper's cards carry none."""
POSTERIOR_KIND = "posterior network (mtlib.networks.posteriornet)"
"""The ``kind`` of a posterior network's card."""


def _card_metrics(m: dict) -> dict:
    """The scalar metrics of one noise level, and the worst and best layer's coverage."""
    out = {k: v for k, v in m.items() if not k.endswith("by_layer") and k != "reliability"}
    if "coverage_by_layer" in m:
        out["coverage_layer_range"] = {
            p: [min(c), max(c)] for p, c in m["coverage_by_layer"].items()
        }
    return out


def _card_common(inverter, name: str, profile, training: dict, n_test: int | None) -> dict:
    """Name, version, data and fresh-test-set metrics: what every model card holds."""
    n_test = n_test or profile.n_test
    rho = random_models(n_test, seed=profile.test_seed)
    rhoa, phase = mt1d(rho, inverter.thick_m, inverter.freq_hz)
    metrics = evaluate(inverter, rho, rhoa, phase, seed=profile.test_seed)
    return {
        "name": name,
        "mtlib_version": __version__,
        "profile": profile.name,
        "data": {
            "scheme": "paper (5 control layers, uniform rho in (2, 220) ohm-m, linear)",
            "n_samples": profile.n_samples,
            "n_train": training["n_train"],
            "n_val": training["n_val"],
            "dataset_seed": profile.seed,
            "dataset_hash": training["dataset_hash"],
            "freq_hz": [inverter.freq_hz[0], inverter.freq_hz[-1], inverter.freq_hz.size],
            "n_layers": inverter.n_layers,
        },
        "test": {
            "n": n_test,
            "seed": profile.test_seed,
            "noise_convention": "relative std on rho_a, phase std arcsin(p/2)",
            "metrics": {f"{100 * level:g}%": _card_metrics(m) for level, m in metrics.items()},
        },
    }


def _training_card(t: dict) -> dict:
    return {
        k: t[k]
        for k in (
            "config",
            "epochs_run",
            "best_epoch",
            "best_val_rmse",
            "stopped_early",
            "train_time_s",
            "device",
        )
    }


def model_card(inverter: Predictor, name: str, profile, n_test: int | None = None) -> dict:
    """Everything a user needs to trust a shipped network, with test metrics measured now.

    ``profile`` is the :class:`mtlib.harness.config.Profile` it was trained with; the test set is
    ``n_test`` (default ``profile.n_test``) fresh models from ``profile.test_seed``."""
    card = _card_common(inverter, name, profile, inverter.training, n_test)
    card["architecture"] = dict(inverter.net.config, n_parameters=inverter.net.n_parameters())
    card["training"] = _training_card(inverter.training)
    return card


def ensemble_card(ensemble, name: str, profile, n_test: int | None = None) -> dict:
    """:func:`model_card` of a :class:`~mtlib.networks.ensemble.PaperEnsemble`: every
    member's training, the calibration, and the coverage of its intervals on the fresh test set."""
    t = ensemble.training
    card = _card_common(ensemble, name, profile, t["members"][0], n_test)
    net = ensemble.members[0].net
    card["architecture"] = dict(
        net.config,
        n_members=len(ensemble),
        n_parameters=sum(m.net.n_parameters() for m in ensemble.members),
    )
    card["training"] = {
        "members": [_training_card(m) for m in t["members"]],
        "train_time_s": t["train_time_s"],
        "calibration": t["calibration"],
        "warm_start": bool(t.get("warm_start", False)),
    }
    return card


def field_card(network, name: str) -> dict:
    """The model card of a :class:`~mtlib.networks.fieldnet.FieldNetwork`: its training and
    test metrics measured now on fresh earths of the field prior
    (:func:`mtlib.networks.fieldnet.frame_metrics`)."""
    return {
        "name": name,
        "kind": FIELD_KIND,
        "training": {k: v for k, v in network.training.items() if k != "history"},
        "final_epochs": network.training["history"][-3:],
        "test": frame_metrics(network),
    }


def posterior_card(network, name: str) -> dict:
    """The model card of a :class:`~mtlib.networks.posteriornet.PosteriorNetwork`: its
    training and its calibration measured now on fresh soundings
    (:func:`mtlib.networks.posteriornet.frame_metrics`) of the sampler's default prior
    (base errors 2–10 %) and of its training family (1–20 %)."""
    return {
        "name": name,
        "kind": POSTERIOR_KIND,
        "training": {
            **{k: v for k, v in network.training.items() if k != "history"},
            "epoch_seconds": [h["seconds"] for h in network.training["history"]],
        },
        "final_epochs": network.training["history"][-3:],
        "test": {
            "default_prior": posteriornet.frame_metrics(network),
            "training_family": posteriornet.frame_metrics(
                network, z_rel_err=(0.01, 0.2), family=posteriornet.TRAINING_FAMILY
            ),
        },
    }


def card_markdown(card: dict) -> str:
    """The Markdown page of a JSON model card of any kind (what ``mtlib/weights/*.md`` hold)."""
    if card.get("kind") == POSTERIOR_KIND:
        return posterior_card_markdown(card)
    if card.get("kind", "").startswith("field network"):
        return field_card_markdown(card)
    if "n_members" in card["architecture"]:
        return ensemble_card_markdown(card)
    return model_card_markdown(card)


def model_card_markdown(card: dict) -> str:
    """The Markdown page of a :func:`model_card` (one paper network)."""
    lines = [
        *_paper_heading(card, "1D U-Net"),
        _training_line(card["training"], ""),
        *_test_set(card["test"]),
        *_table(
            ("noise", "RMSE log10 ρ", "normalized RMSE", "ρa misfit (%)", "φ misfit (°)"),
            [
                (
                    level,
                    f"{m['log_rho_rmse']:.4f}",
                    f"{m['normalized_rmse']:.4f}",
                    f"{m['rhoa_rms_pct']:.2f}",
                    f"{m['phase_rms_deg']:.2f}",
                )
                for level, m in card["test"]["metrics"].items()
            ],
        ),
    ]
    return "\n".join(lines) + "\n"


def ensemble_card_markdown(card: dict) -> str:
    """The Markdown page of an :func:`ensemble_card`: every member's training, the
    calibration, and the coverage of the intervals (worst and best layer)."""
    t = card["training"]
    what = (
        f"Deep ensemble of {card['architecture']['n_members']} 1D U-Nets with variance heads "
        "(calibrated uncertainty)"
    )
    lines = _paper_heading(card, what, parameters="in all")
    for k, m in enumerate(t["members"]):
        lines.append(_training_line(m, f" of member {k} (seed {m['config']['seed']})"))
    if t.get("warm_start"):
        lines.append(
            "- every member starts from the paper network trained on the same data "
            "(`unet_<profile>`) and fine-tunes it (`mtlib.harness.train.widened`)"
        )
    c = t["calibration"]
    lines.append(
        f"- calibration: {c['n']:,} soundings of the {c['split']} split, noise {c['noise']}"
    )
    header = ("noise", "RMSE log10 ρ", "ρa misfit (%)", "φ misfit (°)", "mean σ (decades)")
    header += ("68 % interval coverage (worst–best layer)", "95 % interval coverage")
    rows = [
        (
            level,
            f"{m['log_rho_rmse']:.4f}",
            f"{m['rhoa_rms_pct']:.2f}",
            f"{m['phase_rms_deg']:.2f}",
            f"{m['mean_std_log10']:.3f}",
            *(
                f"{100 * m['coverage'][p]:.1f} % ({100 * lo:.0f}–{100 * hi:.0f})"
                for p, (lo, hi) in m["coverage_layer_range"].items()
            ),
        )
        for level, m in card["test"]["metrics"].items()
    ]
    return "\n".join([*lines, *_test_set(card["test"]), *_table(header, rows)]) + "\n"


def field_card_markdown(card: dict) -> str:
    """The Markdown page of a :func:`field_card`: training, and accuracy and coverage above
    the depth of investigation, overall and per depth bin."""
    t, test = card["training"], card["test"]
    cov = test["coverage"]
    lines = [
        f"# {card['name']}: the field network",
        "",
        "A U-Net for real soundings of any band (1.5–9 decades), errors and gaps "
        "(`mtlib.networks.fieldnet`), trained on the field prior (`mtlib.generator.field_models`).",
        "",
        f"- training: {t['n_train']} earths (validation {t['n_val']}), "
        f"{t['epochs_run']} epochs (best {t['best_epoch']}), "
        f"{t['train_time_s'] / 60:.1f} min on {t['device']}",
        f"- parameters: {t['n_parameters']}; file {card['file_size_mib']} MiB",
        f"- test ({test['what']}):",
        f"  - log10-ρ RMSE above the depth of investigation: "
        f"{test['log_rho_rmse_inside_doi']:.3f} decades",
        f"  - 68 % interval covers {100 * cov['0.68']['inside_doi']:.1f} %, 95 % interval "
        f"covers {100 * cov['0.95']['inside_doi']:.1f} % (above the depth of "
        "investigation)",
        "",
    ]
    rows = [
        (key, f"{100 * c68:.1f} %", f"{100 * cov['0.95']['per_depth_bin'][key]:.1f} %")
        for key, c68 in cov["0.68"]["per_depth_bin"].items()
    ]
    lines += _table(("depth bin log10(z/δ_ref)", "68 %", "95 %"), rows)
    return "\n".join(lines) + "\n"


def epoch_times(epoch_seconds: list[float]) -> str:
    """The spread of a run's epoch times, in words: a run sharing its cores with other jobs
    shows it there (the total alone would not)."""
    seconds = sorted(epoch_seconds)
    if not seconds:
        return ""
    median = seconds[len(seconds) // 2]
    return f" (epochs {seconds[0]:.0f}–{seconds[-1]:.0f} s, median {median:.0f} s)"


def posterior_card_markdown(card: dict) -> str:
    """The Markdown page of a :func:`posterior_card`: training, and the truth's coverage of
    the quantile intervals above the depth of investigation, overall and per depth group."""
    t = card["training"]
    c = t["config"]
    lines = [
        f"# {card['name']}: the posterior network",
        "",
        "Per-depth posterior quantiles of log10 ρ "
        f"({', '.join(f'{100 * q:g} %' for q in t['quantiles'])}) for soundings of any band "
        "(1.5–9 decades), errors and gaps and a prior of layered earths it is told "
        "(`mtlib.networks.posteriornet`): trained with the pinball loss on earths drawn from "
        "the sampler's priors (`mtlib.posterior.Prior`). "
        f"Load it with `mtlib.load_pretrained({card['name']!r})`.",
        "",
        "Design: the prior is an input (its log10 ρ bounds relative to the sounding's level, "
        "its interface range in reference skin depths, n_max, the static shift's σ), drawn in "
        "training over the family of `Prior.default` and `Prior.rjmcmcmt`, so the quantiles "
        "are the posterior's for the prior it is told; quantiles rather than a mean and σ, "
        "because the posterior's marginals are skewed and often two-peaked; non-crossing "
        "(the median and softplus steps) and inside the prior's log10 ρ bounds; each datum's "
        "error scaled by the square root of its spacing on the 10-per-decade axis, so that "
        "sparse data weigh as they are.",
        "",
        f"- training: {t['n_train']} earths (validation {t['n_val']}), "
        f"{t['epochs_run']} epochs (best {t['best_epoch']}, validation pinball loss "
        f"{t['best_val_pinball']:.4f}), Adam lr {c['lr']}, batch {c['batch_size']}, "
        f"{c['lr_schedule']} schedule, {t['train_time_s'] / 60:.1f} min on {t['device']}"
        + epoch_times(t.get("epoch_seconds", [])),
        f"- parameters: {t['n_parameters']}; file {card['file_size_mib']} MiB",
    ]
    for test in card["test"].values():
        cov = test["coverage"]
        lines += [
            "",
            f"Test on {test['what']}: mean pinball loss above the depth of investigation (DOI) "
            f"{test['pinball_inside_doi']:.3f} decades; the truth's coverage, above the DOI "
            "and by log10(depth / DOI):",
            "",
        ]
        groups = list(cov["0.68"]["per_group"])
        rows = [
            (
                f"{100 * float(level):.0f} %",
                f"{100 * v['inside_doi']:.1f} %",
                *(f"{100 * v['per_group'][g]:.1f} %" for g in groups),
            )
            for level, v in cov.items()
        ]
        lines += _table(("interval", "above the DOI", *groups), rows)
    return "\n".join(lines) + "\n"


def _paper_heading(card: dict, what: str, parameters: str = "") -> list[str]:
    """Title, what it is and how to load it, its architecture and its data: the opening of a
    paper network's or ensemble's page."""
    a, d = card["architecture"], card["data"]
    in_all = f" {parameters}" if parameters else ""
    return [
        f"# Model card: `{card['name']}`",
        "",
        f"{what} for 1D MT inversion, mtlib {card['mtlib_version']}, profile "
        f"`{card['profile']}`. Load it with `mtlib.load_pretrained({card['name']!r})`.",
        "",
        f"- architecture: depth {a['depth']}, base channels {a['base_channels']}, "
        f"{a['n_parameters']:,} parameters{in_all}, {card.get('file_size_mib', '?')} MiB",
        f"- data: {d['scheme']}; {d['n_samples']:,} samples ({d['n_train']:,} train, "
        f"{d['n_val']:,} validation), dataset seed {d['dataset_seed']}, hash "
        f"`{d['dataset_hash'][:16]}…`; {d['freq_hz'][2]} frequencies {d['freq_hz'][0]:g} → "
        f"{d['freq_hz'][1]:g} Hz; {d['n_layers']} layers",
    ]


def _training_line(m: dict, who: str) -> str:
    """How one network (``who``: "" or " of member k (seed s)") was trained."""
    c = m["config"]
    spread = (
        f" (levels {100 * c['noise_max']:g} % · u^{c['noise_exponent']:g}, told to the network)"
        if c.get("noise_input")
        else ""
    )
    return (
        f"- training{who}: Adam lr {c['lr']}, batch {c['batch_size']}, noise augmentation "
        f"up to {100 * c['noise_max']:g} %{spread}, {m['epochs_run']} epochs "
        f"(best {m['best_epoch']}, stopped early: {m['stopped_early']}), "
        f"{m['train_time_s'] / 60:.1f} min on {m['device']}"
    )


def _test_set(test: dict) -> list[str]:
    """The paragraph that introduces a paper card's test table."""
    return [
        "",
        f"Test set: {test['n']:,} fresh paper-scheme models (seed {test['seed']}); noise: "
        f"{test['noise_convention']}.",
        "",
    ]


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """A Markdown table's lines."""
    return [
        f"| {' | '.join(header)} |",
        f"| {' | '.join('---' for _ in header)} |",
        *(f"| {' | '.join(row)} |" for row in rows),
    ]
