"""The command line's structure: one parser listing every command, CSV written through the csv
module (quoted, never altered), model cards rendered from their JSON alone."""

import ast
import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mtlib.cli import build_parser, main
from mtlib.cli.files import write_columns, write_csv
from mtlib.cli.invert import SUMMARY_COLUMNS, Outcome, summary_rows
from mtlib.data_errors import Response1D
from mtlib.networks.pretrained import WEIGHTS_DIR

COMMANDS = ["reproduce", "ship", "train", "train-field", "invert", "sample", "app"]
SHIPPED_CARDS = sorted(p.name.removesuffix(".card.json") for p in WEIGHTS_DIR.glob("*.card.json"))


def test_the_parser_lists_every_command_and_each_has_help(capsys):
    (sub,) = [a for a in build_parser()._actions if a.dest == "command"]
    assert list(sub.choices) == COMMANDS
    with pytest.raises(SystemExit) as top:
        main(["--help"])
    assert top.value.code == 0
    listed = capsys.readouterr().out
    assert all(f"    {name} " in listed for name in COMMANDS)
    for name in COMMANDS:
        with pytest.raises(SystemExit) as exit_:
            main([name, "--help"])
        assert exit_.value.code == 0
        assert capsys.readouterr().out.startswith(f"usage: python -m mtlib {name} [-h]")


def test_python_dash_m_mtlib_is_the_cli():
    run = [sys.executable, "-m", "mtlib"]
    helped = subprocess.run([*run, "invert", "--help"], capture_output=True, text=True)
    assert helped.returncode == 0 and "--trade-off {discrepancy,posterior}" in helped.stdout
    wrong = subprocess.run([*run, "no-such-command"], capture_output=True, text=True)
    assert wrong.returncode == 2 and "invalid choice: 'no-such-command'" in wrong.stderr


def test_summary_quotes_a_station_with_a_comma(tmp_path):
    freq = np.logspace(2, -2, 9)
    response = Response1D(
        freq, np.full(9, 100.0), np.full(9, 45.0), np.full(9, 0.05), freq > 1, "Line 3, site 7"
    )
    refused = "refused: only 4 usable periods; finite ρa > 0, a phase in (0, 90)°"
    outcomes = [
        Outcome(Path("a, b/L3.edi"), response, note=refused),
        Outcome(Path('x "y".xml'), note="not read: cannot read it"),
    ]
    write_csv(tmp_path / "summary.csv", list(SUMMARY_COLUMNS), summary_rows(outcomes))
    text = (tmp_path / "summary.csv").read_text()
    assert '"Line 3, site 7","a, b/L3.edi",4,' in text and '"x ""y"".xml"' in text
    with open(tmp_path / "summary.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [list(r) for r in rows] == [list(SUMMARY_COLUMNS)] * 2
    assert rows[0]["station"] == "Line 3, site 7" and rows[0]["note"] == refused
    assert rows[0]["periods_used"] == "4" and rows[0]["nrms"] == ""  # only what it has
    assert rows[1]["file"] == 'x "y".xml' and rows[1]["station"] == ""
    assert [p.name for p in tmp_path.iterdir()] == ["summary.csv"]  # no temporary file left


def test_invert_names_a_file_with_a_comma_that_it_cannot_read(tmp_path, capsys):
    pytest.importorskip("mt_metadata")
    bad = tmp_path / "line 3, site 7.edi"
    bad.write_text("not an EDI file")
    assert main(["invert", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "inverted 0 of 1 files" in capsys.readouterr().out
    with open(tmp_path / "o" / "summary.csv", newline="") as fh:
        (row,) = csv.DictReader(fh)
    assert row["file"] == str(bad) and row["note"].startswith(f"not read: cannot read {bad}:")


def test_numeric_columns_keep_six_digits_infinity_and_gaps(tmp_path):
    columns = {
        "depth_m": np.array([0.0, 1234567.0]),
        "thickness_m": np.array([12.3456789, np.inf]),
        "skew_deg": np.array([np.nan, -0.5]),
        "used": np.array([1, 0]),
    }
    write_columns(tmp_path / "t.csv", columns)
    assert (tmp_path / "t.csv").read_text() == (
        "depth_m,thickness_m,skew_deg,used\n0,12.3457,nan,1\n1.23457e+06,inf,-0.5,0\n"
    )
    table = np.loadtxt(tmp_path / "t.csv", delimiter=",", skiprows=1)
    np.testing.assert_allclose(table[:, 0], columns["depth_m"], rtol=5e-6)


@pytest.mark.parametrize("name", SHIPPED_CARDS)
def test_a_shipped_card_page_renders_from_its_json(name):
    from mtlib.harness.cards import card_markdown

    card = json.loads((WEIGHTS_DIR / f"{name}.card.json").read_text())
    assert card_markdown(card) == (WEIGHTS_DIR / f"{name}.md").read_text(encoding="utf-8")


def test_a_field_network_ships_with_its_card(tmp_path, monkeypatch, capsys):
    """Shipping the shipped field network again gives its card back (the test metrics on a
    smaller test set), and the page rendered from the card's JSON."""
    from mtlib.cli.ship import ship_field
    from mtlib.harness import cards
    from mtlib.networks.fieldnet import FieldNetwork, frame_metrics

    monkeypatch.setattr(cards, "frame_metrics", lambda net: frame_metrics(net, n=200))
    ship_field(FieldNetwork.load(WEIGHTS_DIR / "field_quick.pt"), "field_quick", tmp_path)
    assert json.loads(capsys.readouterr().out)["what"].startswith("200 field-prior earths")
    card = json.loads((tmp_path / "field_quick.card.json").read_text())
    shipped = json.loads((WEIGHTS_DIR / "field_quick.card.json").read_text())
    for key in ("name", "kind", "training", "final_epochs", "file_size_mib"):
        assert card[key] == shipped[key], key
    page = (tmp_path / "field_quick.md").read_text(encoding="utf-8")
    assert page == cards.card_markdown(card) and "| 0..1 |" in page
    assert (
        FieldNetwork.load(tmp_path / "field_quick.pt").training
        == FieldNetwork.load(WEIGHTS_DIR / "field_quick.pt").training
    )


def test_no_function_of_the_command_line_is_over_80_lines():
    package = Path(build_parser.__code__.co_filename).parent
    for path in [*package.glob("*.py"), package.parent / "harness" / "cards.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                length = node.end_lineno - node.lineno + 1
                assert length <= 80, f"{path.name}: {node.name} has {length} lines"


def test_summary_reads_each_misfit_against_parkers_d_plus():
    """The D+ column: on 1D data the best any 1D earth fits, at or below the inversion's; on
    data no 1D earth explains (ρa falling two decades per decade), far above 1 too."""
    from mtlib import forward, noise
    from mtlib.cli.invert import SHOWN_COLUMNS, invert_soundings

    freq = np.logspace(3, -2, 26)
    rhoa, phase = noise.add_noise(
        *forward.mt1d(np.array([100.0, 10.0, 300.0]), np.array([300.0, 700.0]), freq),
        0.1,
        seed=3,
    )
    layered = Response1D(freq, rhoa, phase, np.full(26, 0.05), np.ones(26, bool), "layered")
    falling = Response1D(
        freq,
        1e4 * (freq / freq[0]) ** 2,
        np.full(26, 45.0),
        np.full(26, 0.05),
        np.ones(26, bool),
        "falling",
    )
    outcomes = [Outcome(Path("layered.edi"), layered), Outcome(Path("falling.edi"), falling)]
    invert_soundings(outcomes, None)
    rows = [dict(zip(SUMMARY_COLUMNS, row)) for row in summary_rows(outcomes)]
    assert "nrms_dplus" in SHOWN_COLUMNS
    by_name = {row["station"]: row for row in rows}
    for row in rows:
        assert float(row["nrms_dplus"]) <= float(row["nrms"]) + 1e-3
    assert float(by_name["layered"]["nrms_dplus"]) < 1.0
    assert float(by_name["falling"]["nrms_dplus"]) > 3.0
    assert all(o.dplus.mask.sum() == o.result.mask.sum() for o in outcomes)
