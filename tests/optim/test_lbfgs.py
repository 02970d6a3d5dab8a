"""L-BFGS against torch.optim.LBFGS 2.13: every closure call, with and without the line search.

tests/fixtures/lbfgs_torch.json (tools/fixtures/make_lbfgs_fixtures.py) holds, per case,
the parameters at each call of the closure that PyTorch made and the loss returned,
and the parameters after each step. The replay runs descentlab's ``lbfgs`` with the
same closure and must ask for the same points, in the same order, to 1e-10.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from descentlab.errors import ConfigError
from descentlab.optim import make_optimizer

DATA = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "lbfgs_torch.json").read_text())
RTOL = 1e-10


def _closure(problem, calls):
    lsq = DATA["problems"]["lstsq"]
    X, y = np.array(lsq["X"]), np.array(lsq["y"])

    def closure(params):
        if problem == "rosenbrock":
            x = params["x"]
            r = x[1] - x[0] * x[0]
            f, grads = (1.0 - x[0]) ** 2 + 100.0 * r * r, {"x": np.array([-2.0 * (1.0 - x[0]) - 400.0 * x[0] * r,
                                                                        200.0 * r])}
            calls.append([x.copy()])
        else:
            r = X @ params["w"] + params["b"] - y
            f = 0.5 * float(r @ r) / len(y)
            grads = {"w": X.T @ r / len(y), "b": np.asarray(np.sum(r) / len(y))}
            calls.append([params["w"].copy(), params["b"].copy()])
        return f, grads
    return closure


def replay(case, hyper):
    opt = make_optimizer("lbfgs", **hyper)
    if case["problem"] == "rosenbrock":
        params = {"x": np.array(DATA["problems"]["rosenbrock"]["x0"], dtype=float)}
    else:
        lsq = DATA["problems"]["lstsq"]
        params = {"w": np.array(lsq["w0"], dtype=float), "b": np.array(lsq["b0"], dtype=float)}
    state = opt.init(params)
    calls, after = [], []
    closure = _closure(case["problem"], calls)
    for _ in range(case["steps"]):
        opt.step_closure(params, closure, state)
        after.append([a.copy() for a in params.values()])
    return calls, after


def _error(ours, theirs):
    worst = 0.0
    for got, want in zip(ours, theirs):
        for g, w in zip(got, want):
            w = np.asarray(w, dtype=float)
            worst = max(worst, float(np.max(np.abs(np.asarray(g) - w) / np.maximum(np.abs(w), 1e-3))))
    return worst


@pytest.mark.parametrize("case", DATA["cases"], ids=[c["id"] for c in DATA["cases"]])
def test_every_closure_call_matches_pytorch(case):
    calls, after = replay(case, case["hyper"])
    assert len(calls) == len(case["calls"]), f"{len(calls)} closure calls, PyTorch made {len(case['calls'])}"
    assert _error(calls, [c["params"] for c in case["calls"]]) <= RTOL
    assert _error(after, case["after_step"]) <= RTOL


def test_the_fixture_covers_both_problems_with_and_without_the_line_search():
    kinds = {(c["problem"], c["hyper"].get("line_search", "none")) for c in DATA["cases"]}
    assert kinds == {(p, ls) for p in ("rosenbrock", "lstsq") for ls in ("none", "strong_wolfe")}
    assert sum(len(c["calls"]) for c in DATA["cases"]) >= 200


@pytest.mark.parametrize("cid,change", [
    ("torch/rosenbrock_strong_wolfe", {"line_search": "none"}),
    ("torch/rosenbrock_strong_wolfe_short_history", {"history_size": 3}),
    ("torch/rosenbrock_plain", {"lr": 0.45}),
    ("torch/lstsq_plain", {"history_size": 4}),
])
def test_a_wrong_variant_asks_for_other_points(cid, change):
    case = next(c for c in DATA["cases"] if c["id"] == cid)
    calls, _ = replay(case, {**case["hyper"], **change})
    n = min(len(calls), len(case["calls"]))
    assert len(calls) != len(case["calls"]) or _error(calls[:n], [c["params"] for c in case["calls"][:n]]) > 1e-6


def test_lbfgs_needs_a_closure_and_says_so():
    opt = make_optimizer("lbfgs")
    params = {"x": np.ones(2)}
    state = opt.init(params)
    with pytest.raises(ConfigError, match=r"step_closure\(params, closure, state\)"):
        opt.step(params, {"x": np.ones(2)}, state)
    with pytest.raises(ConfigError, match="a number for lr"):
        make_optimizer("lbfgs", lr=lambda k: 1.0)


def test_lbfgs_runs_in_minimize_beside_newton():
    from descentlab.train.minimize import minimize

    tr = minimize("rosenbrock", None, "lbfgs", line_search="strong_wolfe", steps=6, tol=None)
    case = next(c for c in DATA["cases"] if c["id"] == "torch/rosenbrock_strong_wolfe")
    # minimize's start is the surface's; the fixture's is (-1.5, 2): same rule, own start, so compare to the minimum
    assert np.max(np.abs(tr.x[-1] - 1.0)) < 1e-5 and tr.meta["optimizer"]["name"] == "lbfgs"
    assert case["calls"]  # the fixture's run converges as well


def test_lbfgs_trains_full_batch_in_fit_and_refuses_mini_batches():
    from descentlab.data import full, minibatch, two_moons
    from descentlab.nn import mlp
    from descentlab.train.fit import fit

    data = two_moons(40, seed=0)
    h_sgd = fit(mlp([2, 8, 2], seed=0), data, "auto", "sgd", full(), epochs=10, lr=0.1, quiet=True)
    h = fit(mlp([2, 8, 2], seed=0), data, "auto", "lbfgs", full(), epochs=10, quiet=True)
    assert h.epochs["loss"][-1] < 0.5 * h_sgd.epochs["loss"][-1]  # ten L-BFGS steps beat ten gradient steps
    with pytest.raises(ConfigError, match="full-batch training for lbfgs"):
        fit(mlp([2, 8, 2], seed=0), data, "auto", "lbfgs", minibatch(8, seed=0), epochs=1, quiet=True)
