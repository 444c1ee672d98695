"""The survey runner on a Dask LocalCluster of two worker processes: the same results as the
embedded run, and a worker killed mid-run loses no station."""

import os

import numpy as np
import pytest
from test_survey import TINY_SAMPLER

from mtlib.survey import run, synthetic_profile

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded worker processes, as ``scheduler="local"`` starts them."""
    from mtlib.survey.runner import WORKER_ENV, client_for

    with client_for("local", n_workers=2) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        assert WORKER_ENV["NUMBA_NUM_THREADS"] == "1"
        yield client


@pytest.fixture
def one_thread():
    """This process held to one thread like the workers: the network's float32 sums then
    add up in the same order here and there."""
    import numba
    import torch

    before = numba.get_num_threads(), torch.get_num_threads()
    numba.set_num_threads(1)
    torch.set_num_threads(1)
    yield
    numba.set_num_threads(before[0])
    torch.set_num_threads(before[1])


def test_inversions_on_the_cluster_are_the_embedded_ones(cluster, one_thread):
    responses = synthetic_profile(6, seed=5).responses
    here = run("invert", responses, chunk_size=2, progress=False)
    there = run("invert", responses, chunk_size=2, scheduler=cluster, progress=False)
    for a, b in zip(here, there):
        assert np.array_equal(a.rho_ohmm, b.rho_ohmm)
        assert np.array_equal(a.rho_network_ohmm, b.rho_network_ohmm)
        assert np.array_equal([a.nrms, a.iterations, a.mu], [b.nrms, b.iterations, b.mu], True)
    # by address too, and the network's guesses
    address = cluster.scheduler.address
    g_here = run("network", responses, progress=False)
    g_there = run("network", responses, scheduler=address, progress=False)
    assert all(np.array_equal(a["rho"], b["rho"]) for a, b in zip(g_here, g_there))


def test_posteriors_on_the_cluster_are_the_embedded_ones(cluster, one_thread):
    responses = synthetic_profile(2, seed=6).responses
    here = run("sample", responses, progress=False, **TINY_SAMPLER)
    there = run("sample", responses, scheduler=cluster, progress=False, **TINY_SAMPLER)
    for a, b in zip(here, there):
        assert np.array_equal(a.hist, b.hist)
        assert np.array_equal(a.samples["chi2"], b.samples["chi2"])


def test_a_worker_killed_mid_run_loses_no_station(cluster, tmp_path):
    """The first chunk to run kills its worker (the process exits); the nanny starts a new
    one, Dask runs the lost chunk again, and every station arrives and is stored."""
    marker = tmp_path / "killed"
    responses = synthetic_profile(8, seed=7).responses

    def killing(chunk, net=None):
        if not marker.exists():
            marker.touch()
            os._exit(1)
        return [float(np.median(r.rhoa_ohmm)) for r in chunk]

    store = tmp_path / "stations"
    out = run(killing, responses, chunk_size=2, scheduler=cluster, store=store, progress=False)
    assert marker.exists()  # a worker did die
    assert out == [float(np.median(r.rhoa_ohmm)) for r in responses]
    assert len(list(store.glob("*.pkl"))) == 8
