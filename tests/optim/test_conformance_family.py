"""Rprop, Adadelta, Adamax, RAdam, Lion, LAMB and Adafactor against the frameworks, to 1e-10.

The fixtures are recorded by tools/fixtures/make_family_fixtures*.py from PyTorch 2.13.0,
optax and Keras 3 (JAX backend) in float64, on Rosenbrock, mini-batch least squares and
(for Adafactor's factored moments) a two-output least squares with a matrix parameter.
Each case also carries a deliberately wrong variant, one convention or value changed as
a port could get it wrong: the same replay must then miss the recorded trajectory.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from descentlab.optim import make_optimizer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FILES = ["optim_family_torch.json", "optim_family_optax.json", "optim_family_keras.json"]
RTOL = 1e-10
WRONG_MIN = 1e-6  # a wrong variant must be off by at least this much (10^4 times the tolerance)


def _load(name):
    data = json.loads((FIXTURES / name).read_text())
    return [(case, data["problems"]) for case in data["cases"]]


CASES = [c for name in FILES for c in _load(name)]  # a missing fixture file is an error, not a skip
IDS = [c["id"] for c, _ in CASES]


def rosenbrock_grad(x):
    r = x[1] - x[0] * x[0]
    return np.array([-2.0 * (1.0 - x[0]) - 400.0 * x[0] * r, 200.0 * r])


def replay(case, problems, hyper):
    opt = make_optimizer(case["optimizer"], preset=case["preset"], **hyper)
    problem, lsq = case["problem"], problems["lstsq"]
    X = np.array(lsq["X"])
    if problem == "rosenbrock":
        params = {"x": np.array(problems["rosenbrock"]["x0"], dtype=float)}
    elif problem == "lstsq":
        y = np.array(lsq["y"])
        params = {"w": np.array(lsq["w0"], dtype=float), "b": np.array(lsq["b0"], dtype=float)}
    else:
        multi = problems["lstsq_multi"]
        Y = np.array(multi["Y"])
        params = {"W": np.array(multi["W0"]), "b": np.array(multi["b0"])}
    state = opt.init(params)
    traj = {n: [p.copy()] for n, p in params.items()}
    for k in range(len(next(iter(case["trajectory"].values()))) - 1):
        if problem == "rosenbrock":
            grads = {"x": rosenbrock_grad(params["x"])}
        else:
            idx = lsq["batches"][k]
            Xb = X[idx]
            if problem == "lstsq":
                r = Xb @ params["w"] + params["b"] - y[idx]
                grads = {"w": Xb.T @ r / len(idx), "b": np.asarray(np.sum(r) / len(idx))}
            else:
                R = Xb @ params["W"] + params["b"] - Y[idx]
                grads = {"W": Xb.T @ R / len(idx), "b": np.sum(R, axis=0) / len(idx)}
        opt.step(params, grads, state)
        for n, p in params.items():
            traj[n].append(p.copy())
    return traj


def max_rel_error(case, ours):
    worst = 0.0
    for name, rows in case["trajectory"].items():
        ref = np.array(rows, dtype=float)
        scale = np.maximum(np.abs(ref), 1e-3 * np.max(np.abs(ref)))  # parameters may pass through 0
        worst = max(worst, float(np.max(np.abs(np.array(ours[name]) - ref) / scale)))
    return worst


def test_fixtures_cover_every_rule_and_framework():
    assert len(IDS) == len(set(IDS))
    have = {(c["id"].split("/")[0], c["optimizer"]) for c, _ in CASES}
    want = {("torch", o) for o in ("rprop", "adadelta", "adamax", "radam", "adafactor")} | \
           {("optax", o) for o in ("lion", "lamb", "radam", "adamax", "adadelta")} | \
           {("keras", o) for o in ("adadelta", "adamax", "lion", "lamb", "adafactor")}
    assert want <= have
    for source, opt in want:  # both problems each, and 50+ steps
        cases = [c for c, _ in CASES if c["id"].startswith(source + "/") and c["optimizer"] == opt]
        assert {"rosenbrock", "lstsq"} <= {c["problem"] for c in cases}
        assert all(len(next(iter(c["trajectory"].values()))) >= 51 for c in cases)


@pytest.mark.parametrize("case,problems", CASES, ids=IDS)
def test_trajectory_matches_framework(case, problems):
    err = max_rel_error(case, replay(case, problems, case["hyper"]))
    # a case may carry a looser tolerance with its reason (Keras's float32 means: see the fixture script)
    assert err <= case.get("rtol", RTOL), f"{case['id']}: max relative error {err:.3g}"
    # and the trajectory really moved, so the comparison means something
    assert max(np.max(np.abs(np.array(r[-1]) - np.array(r[0]))) for r in case["trajectory"].values()) > 1e-3


@pytest.mark.parametrize("case,problems", CASES, ids=IDS)
def test_a_wrong_variant_misses_the_trajectory(case, problems):
    hyper = {**case["hyper"], **case["wrong"]}
    err = max_rel_error(case, replay(case, problems, hyper))
    assert err >= WRONG_MIN, f"{case['id']} with {case['wrong']}: error only {err:.3g}"
