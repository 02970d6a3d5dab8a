"""Sweep engine: scheduling and storage overhead per run, against Optuna, and scaling with workers.

    python bench/sweep.py            # full: about 2,000 small surface runs, 2 workers vs 1
    python bench/sweep.py --quick    # a smoke run (220 runs; figures are rough)
    python bench/sweep.py --optuna-trials 300   # Optuna on the first 300 configurations only

* **Throughput.** One grid study of small surface runs (4 surfaces x 5 optimizers, 20 lrs,
  4 tune seeds + 1 test seed, 60 steps each: 2,020 runs) through ``run_study`` into a fresh
  SQLite store, in-process and on the default process pool; the same 2,020 configurations
  as one Optuna study (JournalStorage on a file, GridSampler over the run index, the objective
  calling the same ``run_config``), in the same process. Runs/s of each, and the overhead per
  run: wall time minus the runs' own time, divided by the number of runs.
* **Scaling.** CPU-bound runs (1,500 steps each) on a process pool of 2 workers against 1.

Figures are recorded, never asserted. Other load on the machine lowers the scaling figure.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))


def _study(steps: int, lrs: int, name: str):
    from descentlab.sweep import Study

    return Study(name, ["rosenbrock", "beale", "booth", "quadratic:eigenvalues=1,10"],
                 ["sgd", "momentum", "adagrad", "rmsprop", "adam"], {"lr": {"log_uniform": [1e-4, 1e-1]}},
                 protocol="grid", budget=lrs, tune_seeds=[0, 1, 2, 3], test_seeds=[4], steps=steps)


def _descentlab(study, executor, tmp: Path, tag: str) -> dict:
    from descentlab.sweep import Store, run_study

    store = Store(tmp / f"{tag}.db", study)
    t = time.perf_counter()
    summary = run_study(study, store, executor)
    wall = time.perf_counter() - t
    inside = sum(r["record"]["wall_time"] for r in store.rows())
    store.close()
    return {"runs": summary.executed, "wall_s": wall, "runs_per_s": summary.executed / wall,
            "run_s": inside, "overhead_ms": 1e3 * (wall - inside / getattr(executor, "workers", 1)) / summary.executed}


def _configs(study) -> list[dict]:
    """Every configuration the grid study makes, in its order (the plan with nothing stored yet)."""
    from descentlab.sweep import cells, plan_cell

    from descentlab.sweep import run_key

    out, seen = [], set()
    for cell in cells(study):
        plan = plan_cell(study, cell, lambda k: None)
        # a grid study's stages are all known before any run, except the rerun of the best on the test seed,
        # which is one of the test-grid runs already listed (the same key)
        for c in plan.configs():
            if run_key(c) not in seen:
                seen.add(run_key(c))
                out.append(c)
    return out


def _optuna(configs: list[dict], tmp: Path) -> dict:
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    from descentlab.sweep import run_config

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = JournalStorage(JournalFileBackend(str(tmp / "optuna.log")))
    sampler = optuna.samplers.GridSampler({"i": list(range(len(configs)))}, seed=0)
    study = optuna.create_study(study_name="bench", storage=storage, sampler=sampler)
    inside = [0.0]

    def objective(trial):
        rec = run_config(configs[trial.suggest_categorical("i", list(range(len(configs))))])
        inside[0] += rec["wall_time"]
        return rec["final"] if rec["final"] < float("inf") else 1e300

    t = time.perf_counter()
    study.optimize(objective, n_trials=len(configs))
    wall = time.perf_counter() - t
    n = len(study.trials)
    return {"runs": n, "wall_s": wall, "runs_per_s": n / wall, "run_s": inside[0],
            "overhead_ms": 1e3 * (wall - inside[0]) / n, "version": optuna.__version__}


def run(quick: bool = False, optuna_trials: int | None = None) -> dict:
    from descentlab.sweep import PoolExecutor, SerialExecutor

    steps, lrs = (20, 2) if quick else (60, 20)
    out = {"steps": steps, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        pool = PoolExecutor(2)
        try:
            list(pool.execute(_configs(_study(5, 2, "warm"))[:4]))  # start the workers outside the timing
            out["serial"] = _descentlab(_study(steps, lrs, "serial"), SerialExecutor(), tmp, "serial")
            out["pool"] = _descentlab(_study(steps, lrs, "pool"), pool, tmp, "pool")
            configs = _configs(_study(steps, lrs, "optuna"))
            if optuna_trials is not None:
                # GridSampler looks at every stored trial for each new one, so Optuna's cost per trial grows
                # with the study; a prefix of the same configurations keeps the run short (and favours Optuna)
                configs = configs[:optuna_trials]
            try:
                out["optuna"] = _optuna(configs, tmp)
            except ImportError:
                out["optuna"] = None
            # scaling: the same CPU-bound study on 1 and on 2 workers
            big = 100 if quick else 1500
            one = PoolExecutor(1)
            list(one.execute(_configs(_study(5, 2, "warm"))[:2]))
            try:
                s1 = _descentlab(_study(big, 2 if quick else 4, "scale1"), one, tmp, "scale1")
            finally:
                one.close()
            s2 = _descentlab(_study(big, 2 if quick else 4, "scale2"), pool, tmp, "scale2")
            out["scaling"] = {"steps": big, "runs": s1["runs"], "one_s": s1["wall_s"], "two_s": s2["wall_s"],
                              "speedup": s1["wall_s"] / s2["wall_s"]}
        finally:
            pool.close()
    return out


def markdown(res: dict) -> str:
    rows = [("descentlab, in-process", res["serial"]), ("descentlab, process pool (2 workers)", res["pool"])]
    if res.get("optuna"):
        rows.append((f"Optuna {res['optuna']['version']}, JournalStorage + GridSampler, 1 process"
                     + (" (first trials of the same study)" if res["optuna"]["runs"] < res["pool"]["runs"] else ""),
                     res["optuna"]))
    lines = ["| engine | runs | wall s | runs/s | overhead ms/run |", "|---|---:|---:|---:|---:|"]
    for name, r in rows:
        lines.append(f"| {name} | {r['runs']} | {r['wall_s']:.2f} | {r['runs_per_s']:.0f} | {r['overhead_ms']:.2f} |")
    text = "\n".join(lines)
    if res.get("optuna"):
        text += (f"\n\nThroughput against Optuna: {res['pool']['runs_per_s'] / res['optuna']['runs_per_s']:.1f}x "
                 f"(pool), {res['serial']['runs_per_s'] / res['optuna']['runs_per_s']:.1f}x (in-process); goal >= 5x.")
    sc = res["scaling"]
    text += (f"\n\nScaling on CPU-bound runs ({sc['runs']} runs of {sc['steps']} steps): 1 worker {sc['one_s']:.2f} s, "
             f"2 workers {sc['two_s']:.2f} s, speed-up {sc['speedup']:.2f}x; goal >= 1.8x.")
    return text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--optuna-trials", type=int, help="time Optuna on the first N configurations only")
    args = ap.parse_args(argv)
    res = run(args.quick, args.optuna_trials)
    print(json.dumps(res, indent=1) if args.json else markdown(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
