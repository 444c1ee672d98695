"""Command line: ``python -m mtlib COMMAND [options]`` (:func:`main`).

One module per command holds its work and its options (an ``add_arguments`` function):
:mod:`~mtlib.cli.reproduce`, :mod:`~mtlib.cli.ship`, :mod:`~mtlib.cli.train` (``train``
and ``train-field``), :mod:`~mtlib.cli.invert`, :mod:`~mtlib.cli.sample`,
:mod:`~mtlib.cli.app`. The parser, its subcommands and their help are assembled here, from
:data:`COMMANDS`: a new command is one module and one entry there."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from . import app, invert, reproduce, sample, ship, train

COMMANDS: dict[str, tuple[str, Callable, Callable]] = {
    "reproduce": (
        "run the numbered notebooks in order with papermill",
        reproduce.add_arguments,
        reproduce.run,
    ),
    "ship": (
        "copy a finished training run into mtlib/weights/ with a card",
        ship.add_arguments,
        ship.run,
    ),
    "train": (
        "train (or resume) the paper network of a profile into --out; "
        "data-parallel under torchrun --nproc_per_node=N",
        train.add_train_arguments,
        train.run_train,
    ),
    "train-field": (
        "train (or resume) the field network, or the posterior network (posterior_* "
        "profiles), of a profile, then ship it into mtlib/weights/ with --ship",
        train.add_train_field_arguments,
        train.run_train_field,
    ),
    "invert": (
        "invert EDI / EMTF-XML files (batched); write each model (CSV) and figure, and summary.csv",
        invert.add_arguments,
        invert.run,
    ),
    "sample": (
        "sample the posterior of EDI / EMTF-XML files (trans-dimensional MCMC), here or on a "
        "Dask cluster; write each one's quantiles (CSV) and figure, and summary.csv",
        sample.add_arguments,
        sample.run,
    ),
    "app": (
        "serve the explorer as a Voilà web app on 127.0.0.1 (widgets only)",
        app.add_arguments,
        app.run,
    ),
}
"""Command → (help, function adding its options to its parser, function running it on the
parsed arguments and returning the exit status)."""


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m mtlib``: one subcommand per entry of :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="python -m mtlib",
        description="1D magnetotelluric inversion from the shell: reproduce the paper's "
        "notebooks, train and ship networks, invert field files, serve the explorer. "
        "`python -m mtlib COMMAND --help` gives a command's options.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, add_arguments, run) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        add_arguments(command)
        command.set_defaults(run=run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default: the process's); returns the exit status."""
    args = build_parser().parse_args(argv)
    return args.run(args)
