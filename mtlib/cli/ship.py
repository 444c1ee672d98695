"""``ship``: copy the finished network of a profile's training run (or, with ``--ensemble``,
its uncertainty ensemble) into ``mtlib/weights/`` with its model card (JSON, and the Markdown
page rendered from it: :mod:`mtlib.harness.cards`), measuring the card's test metrics on the
spot. ``train-field --ship`` ships a field network (:func:`ship_field`) or a posterior network
(:func:`ship_posterior`) the same way."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..harness.config import PROFILES, get_profile
from ..networks.pretrained import WEIGHTS_DIR
from .files import write_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", default="quick", choices=sorted(PROFILES))
    parser.add_argument(
        "--name",
        default=None,
        help="default: unet_<profile>, or ensemble_<profile> with --ensemble",
    )
    parser.add_argument(
        "--ensemble",
        action="store_true",
        help="ship the profile's uncertainty ensemble instead of its network",
    )
    parser.add_argument("--weights", type=Path, default=WEIGHTS_DIR)


def run(args: argparse.Namespace) -> int:
    return ship(args.profile, args.name, args.weights, args.ensemble)


def ship(profile_name: str, name: str | None, weights_dir: Path, ensemble: bool = False) -> int:
    """Ship the paper network (or ensemble) of a profile's finished run as ``<name>``; 1 when
    the run has not finished."""
    from ..harness.cards import ensemble_card, model_card
    from ..networks.ensemble import PaperEnsemble
    from ..networks.paper import PaperNetwork

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
            f"no finished training run at {trained}: run notebook 06 with profile "
            f"{profile.name} first",
            file=sys.stderr,
        )
        return 1
    name = name or f"{'ensemble' if ensemble else 'unet'}_{profile.name}"
    network = kind.load(trained)
    network.training["profile"] = f"shipped network {name} (profile {profile.name})"
    card = write_shipped(network, card_of(network, name, profile), weights_dir)
    print(json.dumps(card["test"]["metrics"], indent=1))
    return 0


def ship_field(network, name: str, weights_dir: Path) -> None:
    """Write a field network as ``weights_dir/<name>.pt`` with its model card, the test
    metrics measured on fresh earths of the field prior."""
    from ..harness.cards import field_card

    network.training["profile"] = f"shipped field network {name}"
    card = write_shipped(network, field_card(network, name), weights_dir)
    print(json.dumps(card["test"], indent=1))


def ship_posterior(network, name: str, weights_dir: Path) -> None:
    """Write a posterior network as ``weights_dir/<name>.pt`` with its model card, its
    calibration measured on fresh soundings of the sampler's priors."""
    from ..harness.cards import posterior_card

    network.training["profile"] = f"shipped posterior network {name}"
    card = write_shipped(network, posterior_card(network, name), weights_dir)
    print(json.dumps(card["test"], indent=1))


def write_shipped(network, card: dict, weights_dir: Path) -> dict:
    """Write ``network`` as ``<card name>.pt`` into ``weights_dir`` with ``<name>.card.json``
    (``card`` plus the file's size) and ``<name>.md``; returns the card."""
    from ..harness.cards import card_markdown

    name = card["name"]
    weights_dir.mkdir(parents=True, exist_ok=True)
    path = network.save(weights_dir / f"{name}.pt")
    card["file_size_mib"] = round(path.stat().st_size / 2**20, 3)
    write_text(weights_dir / f"{name}.card.json", json.dumps(card, indent=1) + "\n")
    write_text(weights_dir / f"{name}.md", card_markdown(card))
    return card
