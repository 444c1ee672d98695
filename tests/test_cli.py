"""Command line: ship a finished run into a weights folder with its model card."""

import json

from mtlib import config, dataset, train
from mtlib.__main__ import main
from mtlib.inverter import Inverter


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
    assert card["training"]["epochs_run"] == 1 and card["file_size_mb"] > 0
    markdown = (tmp_path / "w" / "unet_smoke.md").read_text()
    assert "| noise | RMSE log10 ρ" in markdown and "unet_smoke" in markdown
    shipped = Inverter.load(tmp_path / "w" / "unet_smoke.pt")
    assert "shipped network unet_smoke" in shipped.training["profile"]


def test_invert_an_edi_file_from_the_command_line(tmp_path, capsys):
    import numpy as np
    import pytest

    pytest.importorskip("mt_metadata")
    from mtlib import field

    edi = next(p for p in field.example_edi_files() if "empower" in p.name)
    assert main(["invert", str(edi), "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "nRMS" in printed and "refined" in printed
    csv = next(tmp_path.glob("*_model.csv"))
    table = np.loadtxt(csv, delimiter=",", skiprows=1)
    assert table.shape == (40, 7) and np.all(table[:, 2] > 0)
    assert csv.read_text().startswith("depth_top_m,thickness_m,rho_ohmm,rho_network_ohmm,"
                                      "network_std_log10,network_low95_ohmm,network_high95_ohmm")
    rho_net, std, low, high = table[:, 3:].T
    assert np.all(std > 0) and np.all((low < rho_net) & (rho_net < high))
    assert "σ >" in printed
    assert next(tmp_path.glob("*.png")).stat().st_size > 10_000

    bad = tmp_path / "bad.edi"
    bad.write_text("not an EDI file")
    assert main(["invert", str(bad), "--out", str(tmp_path)]) == 2
    assert "cannot read EDI file" in capsys.readouterr().err
