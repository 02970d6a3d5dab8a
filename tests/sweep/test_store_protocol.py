"""The store: one row per run, reruns skip, other studies refused; protocols: what runs where."""
from __future__ import annotations

import csv
import json
import math
import sqlite3

import pytest

from descentlab.errors import ConfigError, StateFileError
from descentlab.sweep import Store, cells, plan_cell, run_key, run_study, study_status
from descentlab.sweep.protocol import tune_score

from sweeputil import records, tiny_study


def test_a_sweep_stores_every_planned_run_once(tmp_path, tiny):
    store = Store(tmp_path / "s.db", tiny)
    summary = run_study(tiny, store)
    st = study_status(tiny, store)
    assert st == {"study": "tiny", "total": summary.total, "done": summary.total, "failed": 0, "left": 0}
    # per cell: default x 2 test seeds, halving 4 -> 2 configs x 2 tune seeds, best x 2 test seeds
    assert summary.total == 4 * (2 + 4 * 2 + 2 * 2 + 2)
    n = sqlite3.connect(tmp_path / "s.db").execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM runs").fetchone()
    assert n == (summary.total, summary.total)
    again = run_study(tiny, store)
    assert again.executed == 0 and len(store) == summary.total


def test_the_journal_is_wal(tmp_path, tiny):
    Store(tmp_path / "s.db", tiny).close()
    assert sqlite3.connect(tmp_path / "s.db").execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_store_of_another_study_is_refused(tmp_path, tiny):
    run_study(tiny, Store(tmp_path / "s.db", tiny))
    other = tiny_study(test_seeds=[20, 21])
    with pytest.raises(ConfigError, match=r"expected a store of study 'tiny'.*Fix: pass a new --store path"):
        Store(tmp_path / "s.db", other)


def test_a_file_that_is_not_a_store_is_refused(tmp_path, tiny):
    p = tmp_path / "junk.db"
    p.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(StateFileError, match="expected a descentlab sweep store"):
        Store(p, tiny)
    with pytest.raises(ConfigError, match="expected an existing sweep store"):
        Store(tmp_path / "missing.db")


def test_tuning_never_sees_test_seeds_and_scoring_uses_only_them(tmp_path, tiny):
    store = Store(tmp_path / "s.db", tiny)
    run_study(tiny, store)
    for cell in cells(tiny):
        plan = plan_cell(tiny, cell, store.get)
        assert plan.done
        for name, configs in plan.stages.items():
            seeds = {c["seed"] for c in configs}
            assert seeds == (set(tiny.test_seeds) if name in ("test", "default") else set(tiny.tune_seeds)), name
        # the tuned config is the best of the last halving round
        assert plan.tuned == min(plan.tuning, key=lambda hs: hs[1])[0]


def test_halving_keeps_the_better_half_each_round(tmp_path):
    study = tiny_study(budget=8, problems=["quadratic:eigenvalues=1,10"], optimizers=["sgd"])
    store = Store(tmp_path / "s.db", study)
    run_study(study, store)
    plan = plan_cell(study, cells(study)[0], store.get)
    sizes = [len(r) for r in plan.rounds]
    assert sizes == [8, 4, 2]
    steps = [{c["steps"] for c in plan.stages[f"round {i + 1}"]} for i in range(3)]
    assert steps == [{7}, {15}, {30}]  # steps · 2^(i − R + 1) for R = 3
    for prev, nxt in zip(plan.rounds, plan.rounds[1:]):
        ranked = sorted(prev, key=lambda hs: hs[1])[:len(nxt)]
        assert sorted(h["lr"] for h, _ in ranked) == sorted(h["lr"] for h, _ in nxt)


def test_grid_reruns_every_configuration_on_test_seeds(tmp_path):
    study = tiny_study(protocol="grid", budget=5, problems=["x2"], optimizers=["sgd"])
    store = Store(tmp_path / "s.db", study)
    run_study(study, store)
    plan = plan_cell(study, cells(study)[0], store.get)
    assert len(plan.stages["tune"]) == 5 * 2 and len(plan.stages["test grid"]) == 5 * 2
    lrs = sorted(h["lr"] for h, _ in plan.tuning)
    assert lrs == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    assert plan.tuned["lr"] == pytest.approx(0.1)  # of the grid, 0.1 gets x2 closest to 0 in 30 steps (1.0 oscillates)


def test_tune_score_is_mean_log10_and_divergence_loses():
    ok = lambda f: {"status": "ok", "final": f}
    assert tune_score([ok(1e-2), ok(1e-4)]) == pytest.approx(-3.0)
    assert tune_score([ok(1e-2), {"status": "diverged", "final": math.inf}]) == math.inf
    assert tune_score([ok(0.0)]) == pytest.approx(-16.0)


def test_export_json_list_wrapped_and_csv(tmp_path, tiny):
    store = Store(tmp_path / "s.db", tiny)
    run_study(tiny, store)
    runs = json.loads(store.export(tmp_path / "r.json").read_text())
    assert isinstance(runs, list) and len(runs) == len(store)
    assert {"key", "problem", "optimizer", "hyper", "seed", "final", "best", "curve", "status"} <= set(runs[0])
    assert runs[0]["key"] == run_key({k: runs[0][k] for k in ("problem", "optimizer", "preset", "hyper", "steps", "seed")})
    wrapped = json.loads(store.export(tmp_path / "w.json", wrap=True).read_text())
    assert wrapped["runs"] == runs and wrapped["study"]["name"] == "tiny"
    rows = list(csv.DictReader((tmp_path / "r.csv").open() if store.export(tmp_path / "r.csv") else None))
    assert len(rows) == len(store) and rows[0]["problem"].startswith(("rosenbrock", "quadratic"))
    with pytest.raises(ConfigError, match="ending in .json or .csv"):
        store.export(tmp_path / "r.txt")


def test_a_failed_run_is_stored_and_the_sweep_goes_on(tmp_path):
    # Newton on a problem without a Hessian fails in every run; adam on it still runs
    study = tiny_study(problems=["lstsq", "x2"], optimizers=["newton", "adam"], search={"lr": {"uniform": [0.1, 1.0]}})
    store = Store(tmp_path / "s.db", study)
    run_study(study, store)
    st = study_status(study, store)
    assert st["left"] == 0 and st["failed"] > 0
    failed = [r for r in store.rows() if r["record"]["status"] == "failed"]
    assert {r["config"]["problem"]["name"] for r in failed} == {"lstsq"}
    assert all("Hessian" in r["record"]["error"] for r in failed)
    newton_x2 = [r for r in store.rows() if r["config"]["optimizer"] == "newton" and r["config"]["problem"]["name"] == "x2"]
    assert newton_x2 and all(r["record"]["status"] == "ok" for r in newton_x2)
