"""Where runs execute: in this process, in a local process pool, on any
``concurrent.futures.Executor``, or on a Dask cluster.

Every executor has one method, ``execute(configs, imports) -> iterator of (config, record)``,
yielding each run as its chunk finishes, in whatever order they finish; the coordinator
stores them as they come. Runs travel in chunks (:func:`chunk_size`), so scheduling costs
a few milliseconds per chunk, not per run. Runs are pure, so where one runs never changes
its record.

A run that raises comes back as a ``failed`` record from :func:`~descentlab.sweep.run.run_config`
itself. A chunk whose worker is lost is sent again (Dask reschedules it on another worker by
itself; a broken local pool is rebuilt); after :data:`RETRIES` losses its runs are stored as
failed, with the reason, and the sweep goes on.
"""
from __future__ import annotations

import concurrent.futures as cf
import math
import os
from typing import Iterable, Iterator, Sequence

from ..errors import ConfigError, expected
from .run import run_chunk, run_config

__all__ = ["SerialExecutor", "PoolExecutor", "FuturesExecutor", "DaskExecutor", "make_executor", "chunk_size",
           "RETRIES"]

#: how many times a chunk whose worker died is sent again before its runs count as failed
RETRIES = 2


def chunk_size(n_runs: int, workers: int, most: int = 64) -> int:
    """Runs per task: about four tasks per worker (to balance the load), at most ``most``."""
    return max(1, min(most, math.ceil(n_runs / max(1, 4 * workers))))


def _chunks(configs: Sequence[dict], size: int) -> list[list[dict]]:
    return [list(configs[i:i + size]) for i in range(0, len(configs), size)]


def _lost(chunk: list[dict], exc: BaseException) -> list[tuple[dict, dict]]:
    msg = f"worker lost {RETRIES + 1} times: {type(exc).__name__}: {exc}"
    return [(c, {"status": "failed", "final": math.inf, "best": math.inf, "steps_to_target": None,
                 "diverged_at": None, "steps": 0, "curve": [], "error": msg, "wall_time": 0.0}) for c in chunk]


class SerialExecutor:
    """Every run in this process, one after the other."""

    workers = 1

    def execute(self, configs: Sequence[dict], imports: Iterable[str] = ()) -> Iterator[tuple[dict, dict]]:
        import importlib

        for name in imports:
            importlib.import_module(name)
        for c in configs:
            yield c, run_config(c)

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return "in-process"


class FuturesExecutor:
    """Runs in chunks on any ``concurrent.futures.Executor`` (threads, processes, MPI pools …)."""

    def __init__(self, executor: cf.Executor, workers: int | None = None) -> None:
        if not isinstance(executor, cf.Executor):
            raise ConfigError(expected("a concurrent.futures.Executor", type(executor).__name__,
                                       "pass e.g. ProcessPoolExecutor(4)"))
        self.pool = executor
        self.workers = int(workers or getattr(executor, "_max_workers", None) or os.cpu_count() or 1)

    def _submit(self, chunk, imports):
        return self.pool.submit(run_chunk, chunk, tuple(imports))

    def _renew(self) -> None:
        """Called when the pool broke (a worker died); subclasses that own their pool rebuild it."""

    def execute(self, configs: Sequence[dict], imports: Iterable[str] = ()) -> Iterator[tuple[dict, dict]]:
        imports = tuple(imports)
        todo = {self._submit(ch, imports): (ch, 0) for ch in _chunks(configs, chunk_size(len(configs), self.workers))}
        while todo:
            done, _ = cf.wait(todo, return_when=cf.FIRST_COMPLETED)
            for fut in done:
                chunk, tries = todo.pop(fut)
                try:
                    records = fut.result()
                except Exception as exc:  # the worker died under the chunk (runs themselves never raise)
                    if tries >= RETRIES:
                        yield from _lost(chunk, exc)
                        continue
                    self._renew()
                    # a broken pool fails every chunk in it: send them all again
                    stale = [f for f in todo if f.done() and f.exception() is not None]
                    for f in stale:
                        ch, t = todo.pop(f)
                        todo[self._submit(ch, imports)] = (ch, t + 1)
                    todo[self._submit(chunk, imports)] = (chunk, tries + 1)
                    continue
                yield from zip(chunk, records)

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return f"{type(self.pool).__name__} ({self.workers} workers)"


class PoolExecutor(FuturesExecutor):
    """A local process pool of ``workers`` processes (default: the CPU count)."""

    def __init__(self, workers: int | None = None) -> None:
        n = int(workers or os.cpu_count() or 1)
        if n < 1:
            raise ConfigError(expected("--workers >= 1", n))
        self.workers = n
        self.pool = cf.ProcessPoolExecutor(max_workers=n)

    def _renew(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = cf.ProcessPoolExecutor(max_workers=self.workers)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def describe(self) -> str:
        return f"process pool ({self.workers} workers)"


class DaskExecutor:
    """Runs in chunks on Dask distributed: ``address="local"`` starts a LocalCluster,
    ``"tcp://HOST:8786"`` joins a running scheduler, or pass a ``distributed.Client``.

    Dask (the ``cluster`` extra) is imported only here. A worker lost mid-task has its
    chunk rescheduled on another worker by the scheduler.
    """

    def __init__(self, address="local", workers: int | None = None, threads_per_worker: int = 1,
                 processes: bool = True) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise ConfigError(expected("Dask distributed installed for --dask/--scheduler", "not installed",
                                       "pip install 'descentlab[cluster]'")) from exc
        self.cluster = None
        self._own_client = not isinstance(address, Client)
        if isinstance(address, Client):
            self.client = address
        elif address == "local":
            self.cluster = LocalCluster(n_workers=int(workers or os.cpu_count() or 1),
                                        threads_per_worker=threads_per_worker, processes=processes,
                                        dashboard_address=None)
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(address, timeout=20)
            except (OSError, TimeoutError) as exc:
                raise ConfigError(expected("a reachable Dask scheduler", str(address),
                                           "start one with `dask scheduler` and pass its tcp://HOST:8786")) from exc
        info = self.client.scheduler_info()
        self.workers = max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))

    def execute(self, configs: Sequence[dict], imports: Iterable[str] = ()) -> Iterator[tuple[dict, dict]]:
        from distributed import as_completed

        imports = tuple(imports)
        chunks = _chunks(configs, chunk_size(len(configs), self.workers))
        futs = {self.client.submit(run_chunk, ch, imports, pure=False, retries=RETRIES): ch for ch in chunks}
        for fut in as_completed(futs):
            chunk = futs.pop(fut)
            try:
                records = fut.result()
            except Exception as exc:  # KilledWorker after too many lost workers, or a cancelled task
                yield from _lost(chunk, exc)
                continue
            finally:
                fut.release()
            yield from zip(chunk, records)

    def close(self) -> None:
        """Close the client this executor opened (a Client passed in stays open) and its LocalCluster."""
        if self._own_client:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def describe(self) -> str:
        where = "LocalCluster" if self.cluster is not None else self.client.scheduler.address
        return f"Dask ({where}, {self.workers} threads)"


def make_executor(workers: int | None = None, dask: str | None = None, scheduler: str | None = None,
                  serial: bool = False):
    """The executor the command line asks for (a process pool by default)."""
    if sum(x is not None and x is not False for x in (dask, scheduler)) + bool(serial) > 1:
        raise ConfigError(expected("one of --dask, --scheduler, --serial", "several", "pick one"))
    if serial:
        return SerialExecutor()
    if dask is not None:
        if dask != "local":
            raise ConfigError(expected("--dask local", repr(dask), "use --scheduler tcp://HOST:8786 to join a cluster"))
        return DaskExecutor("local", workers)
    if scheduler is not None:
        return DaskExecutor(scheduler)
    if workers is not None and workers < 1:
        raise ConfigError(expected("--workers >= 1", workers))
    if workers == 1:
        return SerialExecutor()
    return PoolExecutor(workers)
