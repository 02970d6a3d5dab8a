"""Dask executors and killed processes: the store ends the same as an uninterrupted serial sweep's."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest

from descentlab.sweep import DaskExecutor, SerialExecutor, Store, run_study, study_status
from sweeputil import records, tiny_study

pytest.importorskip("distributed")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    ex = DaskExecutor("local", workers=2, threads_per_worker=1, processes=True)
    yield ex
    ex.close()


def _serial(tmp_path, study):
    store = Store(tmp_path / "serial.db", study)
    run_study(study, store, SerialExecutor())
    return records(store)


def test_dask_local_cluster_gives_the_serial_store(tmp_path, tiny, cluster):
    dask_store = Store(tmp_path / "dask.db", tiny)
    summary = run_study(tiny, dask_store, cluster)
    assert summary.failed == 0 and "Dask" in summary.executor
    assert records(dask_store) == _serial(tmp_path, tiny)


def test_a_dask_worker_killed_mid_sweep_changes_nothing(tmp_path, cluster):
    study = tiny_study(name="kill-worker", steps=200, budget=8, problems=["rosenbrock", "beale", "booth"])
    store = Store(tmp_path / "dask.db", study)
    pids = cluster.client.run(os.getpid)
    killed = []

    def kill_one(progress):
        if not killed and progress.new >= 1:
            pid = sorted(pids.values())[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    run_study(study, store, cluster, on_progress=kill_one)
    assert killed, "no worker was killed: the sweep was too short"
    assert study_status(study, store)["failed"] == 0  # the lost runs were rerun elsewhere, not failed
    assert records(store) == _serial(tmp_path, study)
    # the nanny brought a worker back in its place
    deadline = time.time() + 30
    while len(cluster.client.scheduler_info()["workers"]) < 2 and time.time() < deadline:
        time.sleep(0.2)
    assert killed[0] not in cluster.client.run(os.getpid).values()


STUDY = '''\
name = "kill-coordinator"
problems = ["rosenbrock", "beale", "booth", "quadratic:eigenvalues=1,100"]
optimizers = ["sgd", "momentum", "adam"]
steps = 300
[search]
lr = { log_uniform = [1e-4, 1.0] }
[protocol]
kind = "halving"
budget = 8
tune_seeds = [0, 1]
test_seeds = [10, 11]
'''


def test_sigkill_of_the_coordinator_then_rerun_gives_the_uninterrupted_store(tmp_path):
    path = tmp_path / "study.toml"
    path.write_text(STUDY)
    db = tmp_path / "killed.db"
    cmd = [sys.executable, "-m", "descentlab", "sweep", "run", str(path), "--store", str(db), "--workers", "1", "-q"]
    rng = np.random.default_rng(12)
    partial = []
    for _ in range(4):  # killed at random moments, each time resumed from what was stored
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(float(rng.uniform(1.0, 2.5)))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if db.exists():
            partial.append(sqlite3.connect(db).execute("SELECT COUNT(*) FROM runs").fetchone()[0])
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    from descentlab.sweep import load_study

    study = load_study(path)
    store = Store(db, study)
    total = study_status(study, store)["total"]
    assert any(0 < n < total for n in partial), f"no kill landed mid-sweep: {partial} of {total}"
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert records(store) == _serial(tmp_path, study)


def test_joining_a_running_scheduler_by_address(tmp_path, tiny, cluster):
    from descentlab.sweep import make_executor

    joined = make_executor(scheduler=cluster.client.scheduler.address)
    try:
        store = Store(tmp_path / "joined.db", tiny)
        run_study(tiny, store, joined)
        assert joined.workers == 2 and records(store) == _serial(tmp_path, tiny)
    finally:
        joined.close()
