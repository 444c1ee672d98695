"""The repository's public address, written from one place: ``pyproject.toml``
``[project.urls] Repository``.

From it this script writes the README's Binder and Colab links (the block between
``<!-- links -->`` and ``<!-- /links -->``) and the install line of every notebook's first
cell, which Colab needs (``pip install "mtlib[lab] @ git+<address>"``, run only where mtlib
is missing). Publishing under another address: change that one line, run
``python tools/links.py``, commit. ``tests/test_links.py`` fails when they disagree.

    python tools/links.py          # rewrite the links
    python tools/links.py --check  # exit 1 when one is stale
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from generated import write_or_check

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER_OWNER = "OWNER"
"""The owner in the address until the repository is published: links are written, and the
README says they do not work yet."""
ADDRESS = re.compile(r'^Repository\s*=\s*"https://github\.com/(?P<slug>[\w.-]+/[\w.-]+?)/?"', re.M)
INSTALL = re.compile(r"(mtlib\[lab(?:,[\w-]+)*\] @ git\+)https://github\.com/[\w.-]+/[\w.-]+")
"""The install line, with the extras a notebook needs beyond ``lab`` (``mtlib[lab,survey]``)."""
BLOCK = re.compile(r"(<!-- links -->\n).*?(<!-- /links -->)", re.S)


def slug() -> str:
    """``owner/name`` of the repository, from pyproject.toml."""
    match = ADDRESS.search((ROOT / "pyproject.toml").read_text())
    if match is None:
        raise ValueError(
            'pyproject.toml needs [project.urls] Repository = "https://github.com/<owner>/<name>"'
        )
    return match["slug"]


def notebooks() -> list[Path]:
    folder = ROOT / "notebooks"
    return sorted([*folder.glob("[0-9][0-9]_*.py"), *folder.glob("[0-9][0-9]_*.ipynb")])


def readme_block(repo: str) -> str:
    binder = f"https://mybinder.org/v2/gh/{repo}/HEAD?urlpath="
    lab = binder + "lab/tree/notebooks/09_explorer.ipynb"
    app = binder + "voila/render/mtlib/apps/explorer.ipynb"  # what `make app` serves
    colab = " · ".join(
        f"[{p.stem[:2]}](https://colab.research.google.com/github/{repo}/blob/main/notebooks/"
        f"{p.name})"
        for p in notebooks()
        if p.suffix == ".ipynb"
    )
    lines = [
        f"[![Binder](https://mybinder.org/badge_logo.svg)]({lab}) — the explorer on "
        f"Binder, in JupyterLab, or [as the app]({app}) (Voilà); each notebook on Colab: "
        f"{colab}"
    ]
    if repo.startswith(PLACEHOLDER_OWNER + "/"):
        lines.append(
            "(not published yet: these links work once `Repository` in "
            "`pyproject.toml` holds the public address and `python tools/links.py` "
            "has rewritten them)"
        )
    return "\n".join(lines) + "\n"


def render(repo: str) -> dict[Path, str]:
    """Every file whose links are written here, with its text as it should be."""
    address = f"https://github.com/{repo}"
    out = {}
    readme = ROOT / "README.md"
    text = readme.read_text()
    if not BLOCK.search(text):
        raise ValueError("README.md lacks the <!-- links --> block")
    out[readme] = BLOCK.sub(lambda m: m.group(1) + readme_block(repo) + m.group(2), text)
    for path in notebooks():
        text = path.read_text()
        if not INSTALL.search(text):
            raise ValueError(f"{path.name} lacks the install line (mtlib[lab…] @ git+...)")
        out[path] = INSTALL.sub(lambda m: m.group(1) + address, text)
    return out


def main() -> int:
    return write_or_check(__doc__, render(slug()), "tools/links.py")


if __name__ == "__main__":
    sys.exit(main())
