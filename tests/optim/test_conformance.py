"""Replay trajectories recorded from the frameworks themselves, to 1e-10 relative.

The fixtures are made by tools/fixtures/make_optim_fixtures*.py (PyTorch 2.13.0, Keras 3
and optax on JAX in float64, and CS231n's update rules reimplemented from assignment 2).
Each case names a descentlab optimizer, a preset and hyperparameters; the replay runs
it on the same problem with the same hand-written gradient and compares every iterate.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from descentlab.optim import make_optimizer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FILES = ["optim_torch.json", "optim_cs231n.json", "optim_keras.json", "optim_optax.json"]
RTOL = 1e-10


def _load(name):
    data = json.loads((FIXTURES / name).read_text())
    return [(case, data["problems"]) for case in data["cases"]]


CASES = [c for name in FILES for c in _load(name)]  # a missing fixture file is an error, not a skip


def rosenbrock_grad(x):
    # the same operations, in the same order, as the fixture script
    r = x[1] - x[0] * x[0]
    return np.array([-2.0 * (1.0 - x[0]) - 400.0 * x[0] * r, 200.0 * r])


def lstsq_grad(X, y, w, b):
    r = X @ w + b - y
    return X.T @ r / len(y), np.sum(r) / len(y)


def piecewise(boundaries, values):
    def lr(k):
        return values[sum(1 for b in boundaries if k >= b)]
    return lr


def replay(case, problems):
    hyper = dict(case["hyper"])
    if case["lr_schedule"]:
        hyper["lr"] = piecewise(case["lr_schedule"]["boundaries"], case["lr_schedule"]["values"])
    opt = make_optimizer(case["optimizer"], preset=case["preset"], **hyper)
    if case["problem"] == "rosenbrock":
        params = {"x": np.array(problems["rosenbrock"]["x0"], dtype=float)}
    else:
        lsq = problems["lstsq"]
        X, y = np.array(lsq["X"]), np.array(lsq["y"])
        params = {"w": np.array(lsq["w0"], dtype=float), "b": np.array(lsq["b0"], dtype=float)}
    state = opt.init(params)
    traj = {n: [p.copy()] for n, p in params.items()}
    steps = len(next(iter(case["trajectory"].values()))) - 1
    for k in range(steps):
        at = opt.eval_params(params, state)
        if case["problem"] == "rosenbrock":
            grads = {"x": rosenbrock_grad(at["x"])}
        else:
            idx = lsq["batches"][k]
            gw, gb = lstsq_grad(X[idx], y[idx], at["w"], at["b"])
            grads = {"w": gw, "b": np.asarray(gb)}
        opt.step(params, grads, state)
        for n, p in params.items():
            traj[n].append(p.copy())
    return traj


def test_fixtures_are_present():
    ids = [c["id"] for c, _ in CASES]
    assert len(ids) == len(set(ids))
    counts = {source: sum(i.startswith(source + "/") for i in ids) for source in ("torch", "keras", "optax", "cs231n")}
    assert counts == {"torch": 54, "keras": 36, "optax": 34, "cs231n": 10}
    # every preset with a framework, on both problems
    for source in counts:
        assert {c["problem"] for c, _ in CASES if c["id"].startswith(source + "/")} == {"rosenbrock", "lstsq"}


@pytest.mark.parametrize("case,problems", CASES, ids=[c["id"] for c, _ in CASES])
def test_trajectory_matches_framework(case, problems):
    ours = replay(case, problems)
    for name, ref_rows in case["trajectory"].items():
        ref = np.array(ref_rows, dtype=float)
        got = np.array(ours[name])
        # every iterate, relative to the size of the iterate (parameters may pass through 0)
        scale = np.maximum(np.abs(ref), 1e-3 * np.max(np.abs(ref)))
        err = np.max(np.abs(got - ref) / scale)
        assert err <= RTOL, f"{case['id']} {name}: max relative error {err:.3g} (first bad step " \
                            f"{int(np.argmax(np.any(np.abs(got - ref) > RTOL * scale, axis=tuple(range(1, ref.ndim)))))})"
        # and the trajectory really moved, so the comparison means something
        assert np.max(np.abs(ref[-1] - ref[0])) > 1e-3
