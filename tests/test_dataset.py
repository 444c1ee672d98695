"""On-disk datasets: atomic chunks, resume after a kill, reuse, refusal, splits."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from mtlib import forward, generator
from mtlib.harness import dataset
from mtlib.harness.dataset import DatasetSpec, build_dataset


def small_spec(**kw):
    args = dict(n_samples=1000, chunk_size=150, seed=5)
    args.update(kw)
    return DatasetSpec(**args)


def test_content_matches_generator_and_forward(tmp_path):
    spec = small_spec()
    ds = build_dataset(tmp_path / "ds", spec, progress=False)
    data = ds.load("all")
    assert data["rho_ohmm"].shape == (1000, 40) and data["rhoa_ohmm"].shape == (1000, 40)
    assert data["rho_ohmm"].dtype == np.float32
    rho1 = generator.random_models(150, seed=[5, 1])  # chunk 1 has its own seed
    np.testing.assert_allclose(data["rho_ohmm"][150:300], rho1, rtol=1e-6)
    rhoa, phase = forward.mt1d(rho1, ds.thick_m, ds.freq_hz)
    np.testing.assert_allclose(data["rhoa_ohmm"][150:300], rhoa, rtol=1e-6)
    np.testing.assert_allclose(data["phase_deg"][150:300], phase, rtol=1e-6)
    manifest = json.loads((tmp_path / "ds" / "manifest.json").read_text())
    assert manifest["complete"] and manifest["versions"]["mtlib"]
    assert manifest["spec"]["seed"] == 5 and len(manifest["chunks"]) == 7


def test_splits_are_contiguous_disjoint_and_complete(tmp_path):
    ds = build_dataset(tmp_path / "ds", small_spec(), progress=False)
    ranges = [ds.split_range(s) for s in ("train", "val", "test")]
    assert ranges == [(0, 800), (800, 900), (900, 1000)]
    everything = ds.load("all")
    parts = [ds.load(s)["rho_ohmm"] for s in ("train", "val", "test")]
    np.testing.assert_array_equal(np.concatenate(parts), everything["rho_ohmm"])
    with pytest.raises(ValueError, match="split"):
        ds.load("validation")


def test_same_parameters_same_hash_and_reuse(tmp_path):
    a = build_dataset(tmp_path / "a", small_spec(), progress=False)
    b = build_dataset(tmp_path / "b", small_spec(), progress=False)
    assert a.content_hash == b.content_hash
    c = build_dataset(tmp_path / "c", small_spec(seed=6), progress=False)
    assert c.content_hash != a.content_hash
    mtime = (tmp_path / "a" / "chunk_00000.npy").stat().st_mtime_ns
    again = build_dataset(tmp_path / "a", small_spec(), progress=False)  # reused, not rewritten
    assert again.content_hash == a.content_hash
    assert (tmp_path / "a" / "chunk_00000.npy").stat().st_mtime_ns == mtime


def test_mismatched_parameters_are_refused_with_the_differences(tmp_path):
    build_dataset(tmp_path / "ds", small_spec(), progress=False)
    with pytest.raises(ValueError, match=r"other parameters(.|\n)*seed: on disk 5, requested 7"):
        build_dataset(tmp_path / "ds", small_spec(seed=7), progress=False)
    from mtlib.generator import ModelScheme

    with pytest.raises(ValueError, match="scheme.sampling"):
        build_dataset(
            tmp_path / "ds", small_spec(scheme=ModelScheme(sampling="loguniform")), progress=False
        )


def test_corrupted_chunk_is_regenerated(tmp_path):
    ds = build_dataset(tmp_path / "ds", small_spec(), progress=False)
    chunk = tmp_path / "ds" / "chunk_00003.npy"
    chunk.write_bytes(chunk.read_bytes()[:-100])  # truncated file
    rebuilt = build_dataset(tmp_path / "ds", small_spec(), progress=False)
    assert rebuilt.content_hash == ds.content_hash


class SimulatedCrash(Exception):
    pass


def test_interrupted_build_resumes_to_the_same_hash(tmp_path, monkeypatch):
    reference = build_dataset(tmp_path / "ref", small_spec(), progress=False).content_hash
    real_make_chunk = dataset.make_chunk
    calls = []

    def failing_make_chunk(spec, index):
        calls.append(index)
        if crash and len(calls) == 4:
            raise SimulatedCrash("simulated interruption")
        return real_make_chunk(spec, index)

    crash = True
    monkeypatch.setattr(dataset, "make_chunk", failing_make_chunk)
    with pytest.raises(SimulatedCrash):
        build_dataset(tmp_path / "ds", small_spec(), progress=False)
    with pytest.raises(ValueError, match="incomplete"):
        dataset.Dataset(tmp_path / "ds")
    calls.clear()
    crash = False
    resumed = build_dataset(tmp_path / "ds", small_spec(), progress=False)
    assert calls == [3, 4, 5, 6]  # only the missing chunks were generated
    assert resumed.content_hash == reference


KILLER_SCRIPT = textwrap.dedent("""
    import sys
    from mtlib.harness.dataset import DatasetSpec, build_dataset
    build_dataset(sys.argv[1], DatasetSpec(n_samples=200_000, chunk_size=2_000, seed=1),
                  progress=False)
""")


def test_killed_process_resumes_to_the_same_hash(tmp_path):
    """SIGKILL a real build mid-way; the next run resumes and matches a clean build."""
    target = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-c", KILLER_SCRIPT, str(target)])
    manifest = target / "manifest.json"
    deadline = time.time() + 120
    while time.time() < deadline:
        if manifest.exists() and len(json.loads(manifest.read_text())["chunks"]) >= 3:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    spec = DatasetSpec(n_samples=200_000, chunk_size=2_000, seed=1)
    done_before = len(json.loads(manifest.read_text())["chunks"])
    assert 3 <= done_before < spec.n_chunks, "the kill should land in the middle of the build"
    resumed = build_dataset(target, spec, progress=False)
    assert not list(target.glob(".*.tmp"))
    clean = build_dataset(tmp_path / "clean", spec, progress=False)
    assert resumed.content_hash == clean.content_hash


def test_memory_is_bounded_by_the_chunk_size(tmp_path, monkeypatch):
    sizes = []
    real_mt1d = dataset.mt1d

    def recording_mt1d(rho, *args, **kwargs):
        sizes.append(rho.shape[0])
        return real_mt1d(rho, *args, **kwargs)

    monkeypatch.setattr(dataset, "mt1d", recording_mt1d)
    build_dataset(tmp_path / "ds", small_spec(n_samples=2000, chunk_size=300), progress=False)
    assert max(sizes) == 300 and sum(sizes) == 2000


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(n_samples=0), "n_samples"),
        (dict(chunk_size=0), "chunk_size"),
        (dict(thick_m=(10.0, 20.0)), "thick_m"),
        (dict(freq_hz=()), "freq_hz"),
        (dict(storage_dtype="int8"), "storage_dtype"),
    ],
)
def test_bad_spec_raises(kwargs, name):
    with pytest.raises(ValueError, match=name):
        small_spec(**kwargs)


def test_missing_dataset_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="holds no dataset"):
        dataset.Dataset(tmp_path)
    assert os.listdir(tmp_path) == []
