"""The installed package's version, read from its metadata (``pyproject.toml``)."""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("mtlib")
except PackageNotFoundError:  # pragma: no cover - a checkout on the path, never installed
    VERSION = "0+unknown"
