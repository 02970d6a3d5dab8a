"""Helpers of the sweep tests: a tiny study and store comparison."""
from __future__ import annotations

from descentlab.sweep import Study


def tiny_study(**kw) -> Study:
    """Two surfaces x two optimizers, short runs: a whole sweep in well under a second."""
    base = dict(name="tiny", problems=["rosenbrock", "quadratic:eigenvalues=1,100"], optimizers=["sgd", "adam"],
                search={"lr": {"log_uniform": [1e-4, 1.0]}}, protocol="halving", budget=4, tune_seeds=[0, 1],
                test_seeds=[10, 11], steps=30)
    base.update(kw)
    return Study(**base)


def records(store) -> dict:
    """key -> record without wall time: what two stores must agree on."""
    return {r["key"]: {k: v for k, v in r["record"].items() if k != "wall_time"} for r in store.rows()}
