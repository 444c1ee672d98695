"""The shipped survey: Gabbs Valley, Nevada (USGS broadband MT, 2020), 59 EDI files with
station coordinates; provenance, licence and the two profile lines in
``mtlib/surveys/gabbs_valley/README.md``."""

from __future__ import annotations

from pathlib import Path

GABBS_VALLEY_DIR = Path(__file__).resolve().parents[1] / "surveys" / "gabbs_valley"
PROFILE_A = ("gv101", "gv102", "gv103", "gv104", "gv105", "gv106", "gv107")
"""The southern row, west → east (bearing 88°, 40.6 km)."""
PROFILE_B = ("gv106", "gv114", "gv122", "gv130", "gv138", "gv146", "gv154")
"""The second column from the east, south → north (bearing 358°, 61.3 km)."""


def gabbs_valley(stations=None) -> list[Path]:
    """The survey's EDI files: all 59 by name, or those of ``stations`` (names such as
    ``PROFILE_A``) in the order given."""
    if stations is None:
        return sorted(GABBS_VALLEY_DIR.glob("*.edi"))
    paths = [GABBS_VALLEY_DIR / f"{name}.edi" for name in stations]
    missing = [p.stem for p in paths if not p.is_file()]
    if missing:
        raise ValueError(f"stations not in the Gabbs Valley survey: {missing}")
    return paths
