"""Many stations, on one machine or many: :func:`run` sends chunks of soundings to a task
(:mod:`mtlib.survey.tasks`: ``"invert"``, ``"sample"``, ``"network"``) through Dask.

Where the chunks run (``scheduler``):

* ``None`` (default): here, in this process, one chunk after another — nothing to start,
  no Dask needed;
* ``"local"``: a :class:`distributed.LocalCluster` started for the run (one worker process
  per core, one thread each, compiled and BLAS code held to one thread), closed after it;
* an address (``"tcp://host:8786"``) or a :class:`distributed.Client`: an existing cluster
  (a ``dask scheduler`` with ``dask worker`` processes on many machines, or a
  batch-system cluster from dask-jobqueue).

Results arrive as chunks finish (a progress bar counts stations) and come back in the order
the soundings were given. With a ``store`` folder each station's result is written there
the moment it arrives (:class:`mtlib.survey.store.Store`): a worker that dies mid-run takes
no finished station with it (Dask runs its unfinished chunks again elsewhere), and a run
that stops — the client killed, a chunk failing — resumes from what is written when
called again with the same settings. A chunk is the same computation in any process: with
the same chunks and thread counts the results are bit-identical to those of the embedded
run (the networks' float32 arithmetic may differ in its last bit, ≈1e-7 relative, between
batch sizes or thread counts; :func:`one_thread` is what a local worker runs with).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from .store import Store
from .tasks import CHUNK_SIZES, TASKS, Refused

WORKER_ENV = {
    "NUMBA_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
}
"""A local worker's threads: one per process, the cores are shared out as processes."""


def one_thread() -> None:
    """Hold numba and torch to one thread in this process, if they are loaded (libraries
    loaded later read :data:`WORKER_ENV`)."""
    import sys

    if "numba" in sys.modules:
        sys.modules["numba"].set_num_threads(1)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)


def run(
    task: str | Callable,
    responses: Sequence,
    *,
    scheduler=None,
    chunk_size: int | None = None,
    store: str | Path | None = None,
    progress: bool = True,
    net: str | None = None,
    **options,
) -> list:
    """One result per sounding of ``responses`` (:class:`mtlib.data_errors.Response1D`), in
    order; see the module docstring.

    ``task``: a name of :data:`mtlib.survey.tasks.TASKS` or any function ``f(chunk, net,
    **options)`` returning one result per sounding of the list ``chunk``; ``options`` are
    the task's (e.g. :class:`mtlib.inversion.InversionSettings` fields for ``"invert"``,
    ``seed`` and sampler settings for ``"sample"``). ``net``: a shipped network's name
    (each worker loads it; None: the field network). ``chunk_size``: stations per chunk
    (default :data:`mtlib.survey.tasks.CHUNK_SIZES`, 16 for a function). ``store``: a
    folder for finished stations (resumable). A sounding the task cannot use comes back as
    :class:`mtlib.survey.tasks.Refused`; a chunk that raises stops the run with its error,
    after every finished station has been stored.
    """
    if isinstance(task, str):
        if task not in TASKS:
            raise ValueError(f"task must be one of {sorted(TASKS)} or a function, got {task!r}")
        function, name = TASKS[task], task
    elif callable(task):
        function, name = task, getattr(task, "__qualname__", "function")
    else:
        raise ValueError(f"task must be one of {sorted(TASKS)} or a function, got {task!r}")
    size = CHUNK_SIZES.get(name, 16) if chunk_size is None else chunk_size
    if int(size) != size or size < 1:
        raise ValueError(f"chunk_size must be an integer >= 1, got {chunk_size!r}")
    if net is not None and not isinstance(net, str):
        raise ValueError(
            f"net must be a shipped network's name (workers load it) or None, got {type(net)}"
        )
    responses = list(responses)
    saved = Store(store, dict(task=name, net=net, options=options)) if store else None
    results: list = [None] * len(responses)
    todo = []
    for k, response in enumerate(responses):
        found, value = saved.load(response) if saved else (False, None)
        if found:
            results[k] = value
        else:
            todo.append(k)
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    from tqdm.auto import tqdm

    with tqdm(total=len(todo), desc=name, unit="station", disable=not progress) as bar:
        for chunk, values in _finished(function, chunks, responses, scheduler, net, options):
            if len(values) != len(chunk):
                raise RuntimeError(
                    f"task {name} returned {len(values)} results for {len(chunk)} soundings"
                )
            for k, value in zip(chunk, values):
                results[k] = value
                if saved:
                    saved.save(responses[k], value)
            bar.update(len(chunk))
    return results


def _finished(function, chunks, responses, scheduler, net, options) -> Iterator[tuple]:
    """(chunk indices, their results) for every chunk, as each one finishes."""
    if scheduler is None:
        for chunk in chunks:
            yield chunk, function([responses[k] for k in chunk], net=net, **options)
        return
    from distributed import as_completed

    with client_for(scheduler) as client:
        futures = {
            client.submit(
                function, [responses[k] for k in chunk], net=net, pure=False, **options
            ): chunk
            for chunk in chunks
        }
        for future in as_completed(futures):
            yield futures[future], future.result()


def _one_thread_plugin(base):
    """A worker plugin (subclass of ``base``, :class:`distributed.WorkerPlugin`) that calls
    :func:`one_thread` on every worker, present and future."""

    class OneThread(base):
        def setup(self, worker) -> None:
            one_thread()

    return OneThread()


@contextlib.contextmanager
def client_for(scheduler, n_workers: int | None = None):
    """A :class:`distributed.Client` for ``scheduler``: ``"local"`` starts a
    :class:`distributed.LocalCluster` of ``n_workers`` single-threaded processes (default
    one per core) for the duration; an address connects to a running scheduler; a Client
    is used as it is (and left open)."""
    try:
        from distributed import Client, LocalCluster, WorkerPlugin
    except ImportError as err:  # pragma: no cover - exercised only without the extra
        raise ImportError("running on a cluster needs Dask: pip install 'mtlib[survey]'") from err
    if isinstance(scheduler, Client):
        yield scheduler
    elif scheduler == "local":
        with LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            env=WORKER_ENV,
        ) as cluster, Client(cluster) as client:  # fmt: skip
            # (a worker process may have loaded numba before the environment was set; a
            # plugin also reaches the workers that replace dead ones)
            client.register_plugin(_one_thread_plugin(WorkerPlugin))
            yield client
    elif isinstance(scheduler, str):
        with Client(scheduler) as client:
            yield client
    else:
        raise ValueError(
            f"scheduler must be None, 'local', an address or a distributed.Client, got "
            f"{scheduler!r}"
        )


def invert_stations(
    responses,
    net: str | None = None,
    refused: dict | None = None,
    *,
    scheduler=None,
    store: str | Path | None = None,
    chunk_size: int | None = None,
    progress: bool = True,
    **options,
) -> list:
    """:func:`mtlib.inversion.invert_many` through :func:`run`: the same results, None and
    the reason in ``refused`` (a dict; without one a refusal raises ``ValueError``) for a
    sounding that cannot be inverted, chunked over ``scheduler`` and resumable from
    ``store``. ``net``: a shipped network's name; ``options``: the inversion's settings."""
    results = run(
        "invert",
        responses,
        scheduler=scheduler,
        chunk_size=chunk_size,
        store=store,
        progress=progress,
        net=net,
        **options,
    )
    out = []
    for k, result in enumerate(results):
        if isinstance(result, Refused):
            if refused is None:
                raise ValueError(result.reason)
            refused[k] = result.reason
            result = None
        out.append(result)
    return out
