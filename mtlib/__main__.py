"""Command line: ``python -m mtlib reproduce [--profile quick]``, ``python -m mtlib ship``
and ``python -m mtlib invert FILE...``.

``reproduce`` runs the numbered notebooks ``notebooks/NN_*.ipynb`` in order with papermill,
injecting the profile, and writes their outputs in place (figures go to ``figures/``).
The cell papermill injects is removed afterwards so the notebook stays identical, cell for
cell, to its jupytext ``.py`` pair; the profile used stays in the notebook's metadata
(``papermill.parameters``) and in its first output.

``invert FILE...`` reads EDI and EMTF-XML files, inverts their rotation-invariant 1D
responses together (network guess + Occam/Gauss–Newton, :func:`mtlib.inversion.invert_many`)
and writes ``<station>_model.csv``, ``<station>_data.csv`` (with the phase-tensor skew per
period), ``<station>.png`` and ``summary.csv`` to ``--out``.

``app [--port N]`` serves the explorer (:class:`mtlib.widgets.Explorer`) as a Voilà web app on
127.0.0.1 — only the widgets, no code — for a class or a demonstration; Ctrl-C stops it.

``ship`` copies the finished network of a profile's training run (or, with ``--ensemble``,
its uncertainty ensemble) into ``mtlib/weights/`` with its model card (JSON, and a Markdown
summary), measuring the card's test metrics on the spot.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import warnings
from pathlib import Path

from .folders import work_dir
from .harness.config import FIELD_PROFILES, PROFILES, get_profile
from .networks.pretrained import WEIGHTS_DIR


def numbered_notebooks(folder: Path) -> list[Path]:
    """``NN_name.ipynb`` files of ``folder`` in run order."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def drop_injected_parameters(path: Path) -> None:
    """Remove papermill's ``injected-parameters`` cell from the notebook at ``path``."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    nbformat.write(nb, path)


def reproduce(profile: str, notebooks_dir: Path, only: list[str] | None = None) -> int:
    import papermill

    get_profile(profile)  # fail early on an unknown profile
    notebooks = numbered_notebooks(notebooks_dir)
    if only:
        notebooks = [p for p in notebooks if any(p.name.startswith(o) for o in only)]
    if not notebooks:
        print(f"no numbered notebooks found in {notebooks_dir}", file=sys.stderr)
        return 1
    os.environ["MTLIB_PROFILE"] = profile
    # notebooks run in their own folder; their data, runs and figures stay where the
    # command was given (the repository's root for `make reproduce`)
    os.environ["MTLIB_HOME"] = str(work_dir().resolve())
    print(
        f"[{profile}] mtlib from {Path(__file__).resolve().parent}; data, runs and figures "
        f"in {os.environ['MTLIB_HOME']}",
        flush=True,
    )
    for path in notebooks:
        start = time.perf_counter()
        print(f"[{profile}] {path.name} ...", flush=True)
        papermill.execute_notebook(
            str(path),
            str(path),
            parameters={"profile": profile},
            cwd=str(path.parent),
            progress_bar=False,
        )
        drop_injected_parameters(path)
        print(f"[{profile}] {path.name} done in {time.perf_counter() - start:.1f} s", flush=True)
    return 0


def free_port(preferred: int) -> int:
    """``preferred`` if nothing listens on it on 127.0.0.1, else a port the system picks."""
    import socket

    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise OSError("no free port on 127.0.0.1")  # pragma: no cover - port 0 always binds


def app_command(port: int) -> list[str]:
    """The Voilà command that serves the explorer app on 127.0.0.1:``port`` (widgets only)."""
    from importlib.resources import files

    notebook = files("mtlib") / "apps" / "explorer.ipynb"
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",  # the address printed is the address served
        # jupytext's front-end extension (installed with the notebooks' tools) is built for
        # JupyterLab only and fails to load in Voilà's page
        "--VoilaConfiguration.extension_denylist=jupyterlab-jupytext",
    ]


def serve_app(port: int) -> int:
    """Serve the explorer app until Ctrl-C; returns Voilà's exit status."""
    import importlib.util
    import subprocess

    if importlib.util.find_spec("voila") is None:
        print(
            "error: the app needs Voilà: pip install 'mtlib[app]' (or run `make app`)",
            file=sys.stderr,
        )
        return 2
    port = free_port(port)
    print(f"explorer app: http://127.0.0.1:{port}/  (Ctrl-C stops it)", flush=True)
    try:
        return subprocess.call(app_command(port))
    except KeyboardInterrupt:  # Voilà got the same Ctrl-C and is shutting down its kernels
        return 0


def card_markdown(card: dict) -> str:
    """A readable model card from the JSON card written by :func:`ship`."""
    t, d, a = card["training"], card["data"], card["architecture"]
    ensemble = "n_members" in a
    what = (
        f"Deep ensemble of {a['n_members']} 1D U-Nets with variance heads (calibrated uncertainty)"
        if ensemble
        else "1D U-Net"
    ) + " for 1D MT inversion"
    lines = [
        f"# Model card: `{card['name']}`",
        "",
        f"{what}, mtlib {card['mtlib_version']}, profile `{card['profile']}`. Load it with "
        f"`mtlib.load_pretrained({card['name']!r})`.",
        "",
        f"- architecture: depth {a['depth']}, base channels {a['base_channels']}, "
        f"{a['n_parameters']:,} parameters{' in all' if ensemble else ''}, "
        f"{card.get('file_size_mib', '?')} MiB",
        f"- data: {d['scheme']}; {d['n_samples']:,} samples ({d['n_train']:,} train, "
        f"{d['n_val']:,} validation), dataset seed {d['dataset_seed']}, hash "
        f"`{d['dataset_hash'][:16]}…`; {d['freq_hz'][2]} frequencies {d['freq_hz'][0]:g} → "
        f"{d['freq_hz'][1]:g} Hz; {d['n_layers']} layers",
    ]
    for k, m in enumerate(t["members"] if ensemble else [t]):
        c = m["config"]
        who = f" of member {k} (seed {c['seed']})" if ensemble else ""
        spread = (
            f" (levels {100 * c['noise_max']:g} % · u^{c['noise_exponent']:g}, told to the network)"
            if c.get("noise_input")
            else ""
        )
        lines.append(
            f"- training{who}: Adam lr {c['lr']}, batch {c['batch_size']}, noise augmentation "
            f"up to {100 * c['noise_max']:g} %{spread}, {m['epochs_run']} epochs "
            f"(best {m['best_epoch']}, stopped early: {m['stopped_early']}), "
            f"{m['train_time_s'] / 60:.1f} min on {m['device']}"
        )
    if ensemble:
        if t.get("warm_start"):
            lines.append(
                "- every member starts from the paper network trained on the same data "
                "(`unet_<profile>`) and fine-tunes it (`mtlib.harness.train.widened`)"
            )
        c = t["calibration"]
        lines.append(
            f"- calibration: {c['n']:,} soundings of the {c['split']} split, noise {c['noise']}"
        )
    lines += [
        "",
        f"Test set: {card['test']['n']:,} fresh paper-scheme models (seed {card['test']['seed']});"
        f" noise: {card['test']['noise_convention']}.",
        "",
    ]
    if ensemble:
        lines += [
            "| noise | RMSE log10 ρ | ρa misfit (%) | φ misfit (°) | mean σ (decades) | "
            "68 % interval coverage (worst–best layer) | 95 % interval coverage |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
    else:
        lines += [
            "| noise | RMSE log10 ρ | normalized RMSE | ρa misfit (%) | φ misfit (°) |",
            "| --- | --- | --- | --- | --- |",
        ]
    for level, m in card["test"]["metrics"].items():
        if ensemble:
            cov = [
                f"{100 * m['coverage'][p]:.1f} % ({100 * lo:.0f}–{100 * hi:.0f})"
                for p, (lo, hi) in m["coverage_layer_range"].items()
            ]
            lines.append(
                f"| {level} | {m['log_rho_rmse']:.4f} | {m['rhoa_rms_pct']:.2f} | "
                f"{m['phase_rms_deg']:.2f} | {m['mean_std_log10']:.3f} | "
                f"{cov[0]} | {cov[1]} |"
            )
        else:
            lines.append(
                f"| {level} | {m['log_rho_rmse']:.4f} | {m['normalized_rmse']:.4f} | "
                f"{m['rhoa_rms_pct']:.2f} | {m['phase_rms_deg']:.2f} |"
            )
    return "\n".join(lines) + "\n"


def ship(profile_name: str, name: str | None, weights_dir: Path, ensemble: bool = False) -> int:
    import json

    from .harness.cards import ensemble_card, model_card
    from .networks.ensemble import PaperEnsemble
    from .networks.paper import PaperNetwork

    profile = get_profile(profile_name)
    if ensemble:
        trained, kind, card_of = (
            profile.ensemble_dir() / "ensemble.pt",
            PaperEnsemble,
            ensemble_card,
        )
    else:
        trained, kind, card_of = profile.run_dir() / "model.pt", PaperNetwork, model_card
    if not trained.exists():
        print(
            f"no finished training run at {trained}: run notebook 04 with profile "
            f"{profile.name} first",
            file=sys.stderr,
        )
        return 1
    name = name or f"{'ensemble' if ensemble else 'unet'}_{profile.name}"
    net = kind.load(trained)
    net.training["profile"] = f"shipped network {name} (profile {profile.name})"
    card = card_of(net, name, profile)
    weights_dir.mkdir(parents=True, exist_ok=True)
    path = net.save(weights_dir / f"{name}.pt")
    card["file_size_mib"] = round(path.stat().st_size / 2**20, 3)
    (weights_dir / f"{name}.card.json").write_text(json.dumps(card, indent=1) + "\n")
    (weights_dir / f"{name}.md").write_text(card_markdown(card))
    print(json.dumps(card["test"]["metrics"], indent=1))
    return 0


def train_network(profile_name: str, out: Path, device: str | None) -> int:
    """Train (or resume) the paper network of a profile into ``out``. Under ``torchrun``
    (``WORLD_SIZE`` > 1) every process trains on its shard of the training split
    (data-parallel: gloo on CPUs, NCCL on GPUs, the profile's batch size global); rank 0
    builds the dataset, writes the checkpoints and ``model.pt``."""
    import torch.distributed as dist

    from .harness import dataset
    from .harness.train import train

    profile = get_profile(profile_name)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1:
        import torch

        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
        if torch.cuda.is_available():
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
    rank = dist.get_rank() if world > 1 else 0
    try:
        # one writer (rank 0); the others open the dataset once it is complete
        if rank == 0:
            ds = dataset.build_dataset(profile.dataset_dir(), profile.dataset_spec())
        if world > 1:
            dist.barrier()
        if rank > 0:
            ds = dataset.build_dataset(
                profile.dataset_dir(), profile.dataset_spec(), progress=False
            )
        result = train(ds, profile.train_config(), out, device=device, progress=rank == 0)
    finally:
        if world > 1:
            dist.destroy_process_group()
    if rank == 0:
        print(
            f"{profile.name}: {result.epochs_run} epochs on {world} process(es), best "
            f"validation RMSE {result.best_val_rmse:.5f} (normalized), "
            f"{result.elapsed_s:.1f} s; {out / 'model.pt'}",
            flush=True,
        )
    return 0


def train_field(profile_name: str, device: str | None, weights_dir: Path | None) -> int:
    """Train (or resume) a field-network profile; with ``weights_dir``, ship the finished
    network there (:func:`ship_field`)."""
    from .harness.train import train_field as _train

    profile = FIELD_PROFILES[profile_name]
    network = _train(
        profile.n_train, profile.n_val, profile.train_config(), profile.run_dir(), device=device
    )
    if not network.training["finished"]:
        return 1
    if weights_dir is not None:
        ship_field(network, profile.name, weights_dir)
    return 0


def ship_field(network, name: str, weights_dir: Path) -> None:
    """Write a field network as ``weights_dir/<name>.pt`` with its model card (JSON and
    Markdown), the test metrics measured on fresh earths of the field prior."""
    import json

    from .networks.fieldnet import frame_metrics

    network.training["profile"] = f"shipped field network {name}"
    path = network.save(weights_dir / f"{name}.pt")
    card = {
        "name": name,
        "kind": "field network (mtlib.networks.fieldnet)",
        "training": {k: v for k, v in network.training.items() if k != "history"},
        "final_epochs": network.training["history"][-3:],
        "test": frame_metrics(network),
        "file_size_mib": round(path.stat().st_size / 2**20, 3),
    }
    (weights_dir / f"{name}.card.json").write_text(json.dumps(card, indent=1) + "\n")
    (weights_dir / f"{name}.md").write_text(field_card_markdown(card))
    print(json.dumps(card["test"], indent=1))


def field_card_markdown(card: dict) -> str:
    """A short human-readable model card of a field network."""
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
        "| depth bin log10(z/δ_ref) | 68 % | 95 % |",
        "| --- | --- | --- |",
    ]
    for key, c68 in cov["0.68"]["per_depth_bin"].items():
        lines.append(
            f"| {key} | {100 * c68:.1f} % | {100 * cov['0.95']['per_depth_bin'][key]:.1f} % |"
        )
    return "\n".join(lines) + "\n"


SUMMARY_COLUMNS = (
    "station",
    "file",
    "periods_used",
    "periods_masked",
    "nrms_network",
    "nrms",
    "iterations",
    "mu",
    "stop",
    "static_shift",
    "static_shift_std_log10",
    "doi_m",
    "seconds",
    "note",
)


def invert_files(
    paths: list[Path],
    out: Path,
    invariant: str,
    error_floor: float,
    static_shift: bool,
    max_skew_deg: float | None,
    start: str,
    network: str | None,
    roughness: str = "smooth",
    trade_off: str = "discrepancy",
) -> int:
    """Read, invert (batched) and report many files: per sounding a model CSV, a data CSV
    (data, errors, used periods, phase-tensor skew, the model's response) and a figure;
    ``summary.csv`` for all. Files that cannot be read or inverted are reported, not fatal;
    the exit status is 2 when none could be inverted."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed
    import numpy as np
    from tqdm.auto import tqdm

    from . import field, plotting
    from .inversion import invert_many
    from .networks.pretrained import load_pretrained

    rows, responses, files, notes, skews = [], [], [], [], []
    for path in tqdm(paths, desc="reading", unit="file", disable=len(paths) < 2):
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                sounding = field.read(path)
                resp = sounding.response(invariant, error_floor, max_skew_deg=max_skew_deg)
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            rows.append({"station": "", "file": str(path), "note": f"not read: {err}"})
            continue
        notes.append("; ".join(str(w.message) for w in caught))
        for w in caught:  # one line each, not a traceback-like warning
            print(f"warning: {path.name}: {w.message}", file=sys.stderr)
        responses.append(resp)
        files.append(path)
        skews.append(sounding.skew_deg)
    refused: dict = {}
    net = load_pretrained(network) if network and start == "network" else None
    results = (
        invert_many(
            responses,
            net,
            start=start,
            roughness=roughness,
            trade_off=trade_off,
            estimate_static_shift=static_shift,
            refused=refused,
        )
        if responses
        else []
    )
    out.mkdir(parents=True, exist_ok=True)
    for k, (path, resp, res) in enumerate(zip(files, responses, results)):
        if res is None:
            print(f"error: {refused[k]}", file=sys.stderr)
            rows.append(
                {
                    "station": resp.station,
                    "file": str(path),
                    "periods_used": int(resp.mask.sum()),
                    "note": f"refused: {refused[k]}",
                }
            )
            continue
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", resp.station or path.stem)  # names may hold "/"
        columns = {
            "depth_top_m": res.depth_m,
            "thickness_m": np.append(res.thick_m, np.inf),
            "rho_ohmm": res.rho_ohmm,
            "rho_reference_ohmm": res.rho_network_ohmm,
            "reference_std_log10": res.reference_std_log10,
        }
        if res.std_log10 is not None:
            columns.update(
                network_low95_ohmm=res.network_low_ohmm, network_high95_ohmm=res.network_high_ohmm
            )
        _write_csv(out / f"{name}_model.csv", columns)
        data = {
            "freq_hz": resp.freq_hz,
            "rhoa_ohmm": resp.rhoa_ohmm,
            "phase_deg": resp.phase_deg,
            "z_rel_err": resp.z_rel_err,
            "used": res.mask.astype(int),
            "skew_deg": skews[k],
            "rhoa_model_ohmm": res.predicted[0],
            "phase_model_deg": res.predicted[1],
        }
        _write_csv(out / f"{name}_data.csv", data)
        fig = plotting.field_result_figure(resp, res, title=f"{resp.station} ({invariant})")
        plotting.save(fig, name, out)
        matplotlib.pyplot.close(fig)
        rows.append(
            {
                "station": resp.station,
                "file": str(path),
                "periods_used": int(res.mask.sum()),
                "periods_masked": res.n_masked,
                "nrms_network": round(res.nrms_network, 3),
                "nrms": round(res.nrms, 3),
                "iterations": res.iterations,
                "mu": f"{res.mu:.4g}",
                "stop": res.stop,
                "static_shift": round(res.static_shift, 4),
                "static_shift_std_log10": round(res.static_shift_std_log10, 4),
                "doi_m": f"{res.doi_m:.4g}",
                "seconds": round(res.seconds, 4),
                "note": notes[k],
            }
        )
    with open(out / "summary.csv", "w") as fh:
        fh.write(",".join(SUMMARY_COLUMNS) + "\n")
        for row in rows:
            fh.write(
                ",".join(str(row.get(c, "")).replace(",", ";") for c in SUMMARY_COLUMNS) + "\n"
            )
    shown = (
        "station",
        "periods_used",
        "periods_masked",
        "nrms_network",
        "nrms",
        "iterations",
        "mu",
        "static_shift",
        "doi_m",
    )
    print(" | ".join(f"{c:>14}" for c in shown))
    for row in rows:
        print(" | ".join(f"{str(row.get(c, '')):>14}" for c in shown))
    inverted = sum(1 for r in results if r is not None)
    print(
        f"inverted {inverted} of {len(paths)} files; wrote models, figures and "
        f"{out / 'summary.csv'}"
    )
    return 0 if inverted else 2


def _write_csv(path: Path, columns: dict) -> None:
    """Equal-length columns as a CSV file with a header line."""
    import numpy as np

    np.savetxt(
        path,
        np.column_stack(list(columns.values())),
        delimiter=",",
        fmt="%.6g",
        header=",".join(columns),
        comments="",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mtlib",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("reproduce", help="run the numbered notebooks in order with papermill")
    rep.add_argument(
        "--profile", default=os.environ.get("MTLIB_PROFILE", "quick"), choices=sorted(PROFILES)
    )
    rep.add_argument(
        "--notebooks",
        type=Path,
        default=Path("notebooks"),
        help="folder of the numbered notebooks (default: ./notebooks)",
    )
    rep.add_argument("--only", nargs="*", help="run only notebooks whose name starts so (e.g. 01)")
    shp = sub.add_parser(
        "ship", help="copy a finished training run into mtlib/weights/ with a card"
    )
    shp.add_argument("--profile", default="quick", choices=sorted(PROFILES))
    shp.add_argument(
        "--name",
        default=None,
        help="default: unet_<profile>, or ensemble_<profile> with --ensemble",
    )
    shp.add_argument(
        "--ensemble",
        action="store_true",
        help="ship the profile's uncertainty ensemble instead of its network",
    )
    shp.add_argument("--weights", type=Path, default=WEIGHTS_DIR)
    trn = sub.add_parser(
        "train",
        help="train (or resume) the paper network of a profile into --out; "
        "data-parallel under torchrun --nproc_per_node=N",
    )
    trn.add_argument("--profile", default="quick", choices=sorted(PROFILES))
    trn.add_argument("--out", type=Path, required=True, help="run folder (checkpoint, model.pt)")
    trn.add_argument("--device", default=None)
    trf = sub.add_parser(
        "train-field",
        help="train (or resume) the field network of a "
        "profile, then ship it into mtlib/weights/ with --ship",
    )
    trf.add_argument("--profile", default="field_quick", choices=sorted(FIELD_PROFILES))
    trf.add_argument("--device", default=None)
    trf.add_argument(
        "--ship",
        action="store_true",
        help="copy the finished network into --weights as <profile>.pt",
    )
    trf.add_argument("--weights", type=Path, default=WEIGHTS_DIR)
    inv = sub.add_parser(
        "invert",
        help="invert EDI / EMTF-XML files (batched); write each "
        "model (CSV) and figure, and summary.csv",
    )
    inv.add_argument("files", type=Path, nargs="+", help="EDI (.edi) or EMTF-XML (.xml) files")
    inv.add_argument("--out", type=Path, default=Path("."))
    inv.add_argument("--invariant", default="det", choices=["det", "berdichevsky"])
    inv.add_argument(
        "--error-floor", type=float, default=0.05, help="relative error floor on |Z| (default 0.05)"
    )
    inv.add_argument("--static-shift", action="store_true", help="estimate a static shift")
    inv.add_argument(
        "--max-skew",
        type=float,
        default=None,
        help="mask periods whose phase-tensor skew exceeds this (degrees)",
    )
    inv.add_argument(
        "--start",
        default="network",
        choices=["network", "halfspace"],
        help="reference and starting model (default: the network's guess)",
    )
    inv.add_argument(
        "--roughness",
        default="smooth",
        choices=["smooth", "blocky"],
        help="model norm: smooth (L2, default) or blocky (L1-like, sharp boundaries)",
    )
    inv.add_argument(
        "--trade-off",
        default="discrepancy",
        choices=["discrepancy", "posterior"],
        help="μ per sounding: Occam's discrepancy choice (fits to nRMS 1, default) or "
        "posterior (μ = 1: the network's σ as a prior, the posterior mode)",
    )
    inv.add_argument(
        "--network",
        default=None,
        help="shipped network to use (default: the field network, "
        "field_quick; the paper's: ensemble_quick or unet_quick)",
    )
    app = sub.add_parser(
        "app", help="serve the explorer as a Voilà web app on 127.0.0.1 (widgets only)"
    )
    app.add_argument(
        "--port", type=int, default=8866, help="default 8866, or a free one if it is taken"
    )
    args = parser.parse_args(argv)
    if args.command == "app":
        return serve_app(args.port)
    if args.command == "invert":
        try:
            return invert_files(
                args.files,
                args.out,
                args.invariant,
                args.error_floor,
                args.static_shift,
                args.max_skew,
                args.start,
                args.network,
                args.roughness,
                args.trade_off,
            )
        except ValueError as err:  # bad options: a message, not a traceback
            print(f"error: {err}", file=sys.stderr)
            return 2
    if args.command == "reproduce":
        return reproduce(args.profile, args.notebooks, args.only)
    if args.command == "train":
        return train_network(args.profile, args.out, args.device)
    if args.command == "train-field":
        return train_field(args.profile, args.device, args.weights if args.ship else None)
    if args.command == "ship":
        return ship(args.profile, args.name, args.weights, args.ensemble)
    return 2  # pragma: no cover - argparse rejects unknown commands first


if __name__ == "__main__":
    sys.exit(main())
