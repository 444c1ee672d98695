"""The package as users get it: a wheel, installed outside the checkout, used from another
folder — the shipped networks and the real-data set must come with it."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

USE_IT = """
import sys, warnings
from pathlib import Path
import mtlib
from mtlib import field
site = Path(sys.argv[1]).resolve()
assert Path(mtlib.__file__).resolve().is_relative_to(site), mtlib.__file__
names = sorted(p.stem for p in mtlib.WEIGHTS_DIR.glob("*.pt"))
assert names == ["ensemble_quick", "field_quick", "posterior_quick", "unet_quick"], names
for name in names:
    net = mtlib.load_pretrained(name)
    assert net.training, name  # the model card travels with the weights
files = field.real_soundings()
assert len(files) == 26 and (field.SOUNDINGS_DIR / "README.md").is_file()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    resp = field.read(next(p for p in files if p.name == "WIT2.edi")).response()
from mtlib.cli.app import app_command
app = Path(app_command(8866)[3])  # what `python -m mtlib app` serves
assert app.is_relative_to(site) and app.is_file(), app
res = mtlib.invert(resp.freq_hz, resp.rhoa_ohmm, resp.phase_deg, resp.z_rel_err, mask=resp.mask)
print(f"nrms {res.nrms:.3f}")
"""


def test_wheel_outside_the_checkout_carries_networks_and_soundings(tmp_path):
    dist, site, elsewhere = tmp_path / "dist", tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    subprocess.run(pip + ["wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)], check=True)
    wheel = next(dist.glob("mtlib-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for member in (
        "mtlib/weights/unet_quick.pt",
        "mtlib/weights/ensemble_quick.card.json",
        "mtlib/weights/field_quick.pt",
        "mtlib/weights/field_quick.card.json",
        "mtlib/weights/posterior_quick.pt",
        "mtlib/weights/posterior_quick.card.json",
        "mtlib/soundings/WIT2.edi",
        "mtlib/soundings/README.md",
        "mtlib/apps/explorer.ipynb",
    ):
        assert member in names, member
    subprocess.run(
        pip + ["install", "--no-deps", "-q", "--target", str(site), str(wheel)], check=True
    )
    # the venv's dependencies, the wheel's mtlib first on the path, run from another folder
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = subprocess.run(
        [sys.executable, "-c", USE_IT, str(site)],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert float(run.stdout.split("nrms")[-1]) <= 1.0 + 1e-9

    # every notebook, copied into an empty folder, runs on the installed wheel (smoke profile)
    notebooks = elsewhere / "notebooks"
    notebooks.mkdir()
    for path in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        (notebooks / path.name).write_bytes(path.read_bytes())
    env = {k: v for k, v in env.items() if not k.startswith("MTLIB_")}  # conftest's scratch
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mtlib",
            "reproduce",
            "--profile",
            "smoke",
            "--notebooks",
            str(notebooks),
        ],
        cwd=elsewhere,
        env={**env, "MPLBACKEND": "Agg"},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    assert f"mtlib from {site.resolve() / 'mtlib'}" in run.stdout, run.stdout[:500]
    in_repo = len(list((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")))
    assert run.stdout.count("done in") == len(list(notebooks.glob("*.ipynb"))) == in_repo
    assert (elsewhere / "figures" / "10_field_summary.png").is_file()
    assert (elsewhere / "runs" / "smoke" / "ensemble" / "ensemble.pt").is_file()
