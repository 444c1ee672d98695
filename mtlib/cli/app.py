"""``app [--port N]``: serve the explorer (:class:`mtlib.widgets.Explorer`) as a Voilà web app
on 127.0.0.1 — only the widgets, no code — for a class or a demonstration; Ctrl-C stops it."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", type=int, default=8866, help="default 8866, or a free one if it is taken"
    )


def run(args: argparse.Namespace) -> int:
    return serve_app(args.port)


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
