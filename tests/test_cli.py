"""Command line: ship a finished run into a weights folder with its model card."""

import json

from mtlib.cli import main
from mtlib.harness import config, dataset, train
from mtlib.networks.paper import PaperNetwork


def test_ship_writes_bundle_card_and_markdown(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MTLIB_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("MTLIB_DATA", str(tmp_path / "data"))
    profile = config.get_profile("smoke")
    assert main(["ship", "--profile", "smoke", "--weights", str(tmp_path / "w")]) == 1
    assert "no finished training run" in capsys.readouterr().err

    ds = dataset.build_dataset(profile.dataset_dir(), profile.dataset_spec(), progress=False)
    cfg = profile.train_config(max_epochs=1, base_channels=4, depth=2)
    train.train(ds, cfg, profile.run_dir(), progress=False)
    assert main(["ship", "--profile", "smoke", "--weights", str(tmp_path / "w")]) == 0

    card = json.loads((tmp_path / "w" / "unet_smoke.card.json").read_text())
    assert card["profile"] == "smoke" and card["test"]["n"] == profile.n_test
    assert set(card["test"]["metrics"]) == {"0%", "2%", "5%", "10%"}
    assert card["training"]["epochs_run"] == 1 and card["file_size_mib"] > 0
    markdown = (tmp_path / "w" / "unet_smoke.md").read_text()
    assert "| noise | RMSE log10 ρ" in markdown and "unet_smoke" in markdown
    shipped = PaperNetwork.load(tmp_path / "w" / "unet_smoke.pt")
    assert "shipped network unet_smoke" in shipped.training["profile"]


def test_invert_many_files_from_the_command_line(tmp_path, capsys):
    import numpy as np
    import pytest

    pytest.importorskip("mt_metadata")
    from mtlib import field

    edi = next(p for p in field.example_edi_files() if "empower" in p.name)
    xml = next(p for p in field.real_soundings() if p.suffix == ".xml")
    bad = tmp_path / "bad.edi"
    bad.write_text("not an EDI file")
    assert (
        main(
            ["invert", str(edi), str(xml), str(bad), "--out", str(tmp_path / "o"), "--static-shift"]
        )
        == 0
    )
    captured = capsys.readouterr()
    assert "inverted 2 of 3 files" in captured.out and "nrms" in captured.out
    assert "cannot read" in captured.err and "bad.edi" in captured.err
    summary = (tmp_path / "o" / "summary.csv").read_text().splitlines()
    assert summary[0].startswith(
        "station,file,periods_used,periods_masked,nrms_network,nrms,"
        "iterations,mu,stop,static_shift,static_shift_std_log10,doi_m"
    )
    assert len(summary) == 4 and any("not read" in row for row in summary)
    csvs = sorted((tmp_path / "o").glob("*_model.csv"))
    assert len(csvs) == 2
    table = np.loadtxt(csvs[0], delimiter=",", skiprows=1)
    assert table.shape == (50, 14) and np.all(table[:, 2] > 0)
    assert (
        csvs[0]
        .read_text()
        .startswith(
            "depth_top_m,thickness_m,rho_ohmm,rho_reference_ohmm,reference_std_log10,"
            "network_low95_ohmm,network_high95_ohmm,posterior_q2.5_ohmm,posterior_q5_ohmm,"
            "posterior_q16_ohmm,posterior_q50_ohmm,posterior_q84_ohmm,posterior_q95_ohmm,"
            "posterior_q97.5_ohmm\n"
        )
    )
    quantiles = table[:, 7:]  # the posterior network's, per layer: ordered, positive
    assert np.all(quantiles > 0) and np.all(np.diff(quantiles, axis=1) >= 0)
    assert len(list((tmp_path / "o").glob("*.png"))) == 2
    data = sorted((tmp_path / "o").glob("*_data.csv"))
    assert len(data) == 2 and data[0].read_text().startswith(
        "freq_hz,rhoa_ohmm,phase_deg,z_rel_err,used,skew_deg,rhoa_model_ohmm,phase_model_deg"
    )

    assert main(["invert", str(bad), "--out", str(tmp_path / "b")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_invert_options_skew_mask_halfspace_start_and_another_network(tmp_path, capsys):
    import pytest

    pytest.importorskip("mt_metadata")
    from mtlib import field

    sa295 = next(p for p in field.real_soundings() if p.name == "SA295.edi")
    assert main(["invert", str(sa295), "--out", str(tmp_path / "a"), "--max-skew", "6"]) == 0
    assert main(["invert", str(sa295), "--out", str(tmp_path / "b")]) == 0
    assert main(["invert", str(sa295), "--out", str(tmp_path / "c"), "--start", "halfspace"]) == 0
    assert main(["invert", str(sa295), "--out", str(tmp_path / "f"), "--roughness", "blocky"]) == 0
    assert (
        main(["invert", str(sa295), "--out", str(tmp_path / "d"), "--network", "unet_quick"]) == 0
    )
    capsys.readouterr()
    rows = {
        k: (tmp_path / k / "summary.csv").read_text().splitlines()[1].split(",") for k in "abcd"
    }
    used = {k: int(r[2]) for k, r in rows.items()}
    assert used["a"] < used["b"]  # periods with |β| > 6° masked
    assert rows["c"][6] != rows["b"][6] or rows["c"][5] != rows["b"][5]  # another start
    blocky = (tmp_path / "f" / "summary.csv").read_text().splitlines()[1].split(",")
    assert blocky[5:7] != rows["b"][5:7]  # another model norm
    posterior_args = ["--out", str(tmp_path / "g"), "--trade-off", "posterior"]
    assert main(["invert", str(sa295), *posterior_args]) == 0
    posterior = (tmp_path / "g" / "summary.csv").read_text().splitlines()[1].split(",")
    assert posterior[7:9] == ["1", "converged"]  # μ and the stop of the posterior mode
    assert main(["invert", str(sa295), "--out", str(tmp_path / "h"), "--start", "halfspace",
                 "--trade-off", "posterior"]) == 2  # fmt: skip
    assert "needs start='network'" in capsys.readouterr().err
    model = (tmp_path / "d" / "SA295_model.csv").read_text().splitlines()[0]
    assert "network_low95_ohmm" not in model  # the paper's U-Net has no interval
    assert (
        main(["invert", str(sa295), "--network", "no_such_net", "--out", str(tmp_path / "e")]) == 2
    )
    assert "no shipped network" in capsys.readouterr().err


def test_app_serves_the_packaged_explorer_notebook_on_localhost_only():
    import nbformat

    from mtlib.cli.app import app_command

    command = app_command(8999)
    assert command[1:3] == ["-m", "voila"]
    assert "--port=8999" in command and "--Voila.ip=127.0.0.1" in command
    assert "--Voila.port_retries=0" in command  # the address printed is the one served
    nb = nbformat.read(command[3], as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert code == ["from mtlib.widgets import Explorer\n\nExplorer()"]


def test_app_port_falls_back_to_a_free_one_when_taken():
    import socket

    from mtlib.cli.app import free_port

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        other = free_port(port)
        assert other != port and other > 0
    assert free_port(other) == other


def test_app_without_voila_says_how_to_install_it(monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "voila" else real(name, *a)
    )
    assert main(["app"]) == 2
    assert "mtlib[app]" in capsys.readouterr().err
