"""The coordinator: plan the runs a study still needs, execute them, store each as it comes.

::

    loop:
        plans   = plan_cell(study, cell, store) for every (problem, optimizer) cell
        missing = the planned runs not in the store
        if none: done
        for each (config, record) the executor yields: store it (commit), report progress

Planning from the store each time is what makes a sweep resumable: killed at any moment,
it is started again with the same study and store, and only the missing runs run.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from .protocol import CellPlan, cells, plan_cell
from .run import run_key
from .store import Store
from .study import Study

__all__ = ["run_study", "study_status", "SweepProgress", "SweepSummary"]


@dataclass
class SweepProgress:
    """What ``run_study``'s ``on_progress`` callback is told after each stored run.

    The counts only: drawing them (rate, ETA) is :class:`descentlab.progress.Progress`'s job.
    """

    done: int        # runs stored (ok, diverged or failed), this study
    total: int       # runs the study makes (later halving rounds counted by their size)
    failed: int
    new: int         # runs executed by this call
    elapsed: float   # seconds since this call started


@dataclass
class SweepSummary:
    study: str
    total: int
    done: int
    failed: int
    executed: int
    seconds: float
    executor: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _plans(study: Study, store: Store) -> list[CellPlan]:
    return [plan_cell(study, c, store.get) for c in cells(study)]


def _counts(plans: list[CellPlan], store: Store) -> tuple[int, int, int]:
    keys = {run_key(c) for p in plans for c in p.configs()}
    total = len(keys) + sum(p.pending for p in plans)
    recs = [store.get(k) for k in keys]
    failed = sum(r is not None and r["status"] == "failed" for r in recs)
    done = sum(r is not None for r in recs)
    return total, done, failed


def study_status(study: Study, store: Store) -> dict:
    """``{"total", "done", "failed", "left"}``: ``done`` counts finished runs (failed ones included)."""
    total, stored, failed = _counts(_plans(study, store), store)
    return {"study": study.name, "total": total, "done": stored - failed, "failed": failed,
            "left": total - stored}


def run_study(study: Study, store: Store, executor=None,
              on_progress: Callable[[SweepProgress], None] | None = None) -> SweepSummary:
    """Run every missing run of ``study`` on ``executor`` (in-process by default) into ``store``."""
    from .executors import SerialExecutor

    executor = executor or SerialExecutor()
    t0 = time.perf_counter()
    new = 0
    while True:
        plans = _plans(study, store)
        total, done, failed = _counts(plans, store)
        missing, seen = [], set()
        for p in plans:
            for c in p.configs():
                k = run_key(c)
                if k not in store and k not in seen:
                    seen.add(k)
                    missing.append((k, c))
        if not missing:
            break
        keys = {id(c): k for k, c in missing}
        for config, record in executor.execute([c for _, c in missing], study.imports):
            key = keys.get(id(config)) or run_key(config)
            if store.put(key, config, record):
                new += 1
                done += 1
                failed += record["status"] == "failed"
            if on_progress is not None:
                on_progress(SweepProgress(done, total, failed, new, time.perf_counter() - t0))
    return SweepSummary(study.name, total, done, failed, new, time.perf_counter() - t0, executor.describe())
