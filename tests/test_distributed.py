"""Data-parallel training: ``torchrun --nproc_per_node=2 -m mtlib train`` on CPUs (gloo)
trains like one process with the same global batch, writes one checkpoint, resumes."""

import json
import subprocess
import sys

import pytest
import torch


def run(args, tmp_path, **kw):
    return subprocess.run(
        [sys.executable, *args], cwd=tmp_path, capture_output=True, text=True, timeout=600, **kw
    )


def best_val(run_dir) -> float:
    history = json.loads((run_dir / "history.json").read_text())
    return min(h["val_rmse"] for h in history)


@pytest.mark.skipif(not torch.distributed.is_available(), reason="torch built without it")
def test_two_processes_train_like_one(tmp_path):
    single, two = tmp_path / "single", tmp_path / "two"
    one = run(["-m", "mtlib", "train", "--profile", "smoke", "--out", str(single)], tmp_path)
    assert one.returncode == 0, one.stderr[-2000:]
    torchrun = [
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
        "-m",
        "mtlib",
        "train",
        "--profile",
        "smoke",
        "--out",
        str(two),
    ]
    dist = run(torchrun, tmp_path)
    assert dist.returncode == 0, dist.stderr[-3000:]
    assert "30 epochs on 2 process(es)" in dist.stdout
    assert (two / "model.pt").is_file() and (two / "checkpoint.pt").is_file()
    ckpt = torch.load(two / "checkpoint.pt", weights_only=False)
    assert ckpt["identity"]["world_size"] == 2
    # both learned (a fresh network starts near 0.8), and to the same level: the shards and
    # per-rank BatchNorm statistics differ from one process's batches, the global batch not
    a, b = best_val(single), best_val(two)
    assert a < 0.1 and b < 0.1
    assert abs(a - b) / a < 0.1, (a, b)
    # a finished run is reused, not retrained; another world size is another run
    again = run(torchrun, tmp_path)
    assert again.returncode == 0 and best_val(two) == b
    refused = run(["-m", "mtlib", "train", "--profile", "smoke", "--out", str(two)], tmp_path)
    assert refused.returncode != 0 and "another training run" in refused.stderr
