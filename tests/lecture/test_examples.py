"""The other worked examples against arithmetic written in the test."""
from __future__ import annotations

import math

import numpy as np
import pytest

from descentlab.errors import ConfigError
from descentlab.lecture import list_examples, run_example


@pytest.fixture(scope="module")
def runs():
    return {name: run_example(name) for name in list_examples()}


@pytest.mark.parametrize("name", ["derivatives", "gd-x2", "newton", "batch-size", "optimizers", "decay", "backprop"])
def test_every_example_passes_its_own_checks(runs, name):
    acc = runs[name]
    assert acc.ok, [c.render() for c in acc.checks if not c.passed]
    assert acc.checks, "an example without checks proves nothing"
    d = acc.to_dict()
    assert d["example"] == name and d["parts"]


# -- gd-x2 ------------------------------------------------------------------------------
def test_gd_x2_first_steps_by_hand(runs):
    xs = [s["x"] for s in runs["gd-x2"].data["run"]["steps"]]
    assert xs[:5] == pytest.approx([3.0, 2.4, 1.92, 1.536, 1.2288], rel=1e-15)
    # the closed form at every step
    assert xs == pytest.approx([3.0 * 0.8 ** t for t in range(len(xs))], rel=1e-12)


def test_gd_x2_stop_rule(runs):
    acc = runs["gd-x2"]
    stop = acc.data["run"]["stop"]
    # 2|x_t| = 6 * 0.8^t: 0.001246 at t = 38 (> eps), 0.000997 at t = 39 (<= eps)
    assert 6 * 0.8 ** 38 > 1e-3 >= 6 * 0.8 ** 39
    assert stop["kind"] == "converged" and stop["step"] == 39


@pytest.mark.parametrize("lr, kind, step", [
    (0.01, "converged", math.ceil(math.log(1e-3 / 6) / math.log(0.98))),   # 431
    (0.5, "converged", 1),
    (0.9, "converged", 39),
    (1.0, "max_steps", 1000),
    (1.05, "diverged", math.ceil(math.log(1e6 / 3) / math.log(1.1))),      # |x| = 3 * 1.1^t > 1e6
])
def test_gd_x2_step_sizes(runs, lr, kind, step):
    r = runs["gd-x2"].data["step_sizes"][f"{lr:g}"]
    assert r["stop"]["kind"] == kind
    assert r["stop"]["step"] == step


def test_gd_x2_oscillates_for_lr_above_half(runs):
    xs = runs["gd-x2"].data["step_sizes"]["0.9"]["x"]
    assert all(a * b < 0 for a, b in zip(xs[:10], xs[1:11]))


# -- derivatives -------------------------------------------------------------------------
def test_derivative_limit_table(runs):
    d = runs["derivatives"].data
    rows = {r["h"]: r for r in d["limit"]}
    assert rows[0.1]["forward"] == pytest.approx((1.1 ** 3 - 1) / 0.1, rel=1e-14)   # 3.31
    assert rows[0.1]["forward"] == pytest.approx(3.31, rel=1e-12)
    assert rows[0.01]["central"] == pytest.approx(3.0001, rel=1e-12)                # 3 + h^2
    assert d["exact_derivative"] == 3.0


def test_gradient_and_steepest_ascent(runs):
    d = runs["derivatives"].data
    assert d["gradient"] == [3.0, 5.0]
    assert d["gradient_norm"] == pytest.approx(math.sqrt(34), rel=1e-15)
    assert d["directional_45"] == pytest.approx(8 / math.sqrt(2), rel=1e-14)
    dirs = d["directions"]
    assert dirs["best_angle_deg"] == 59.0                      # atan2(5, 3) = 59.04 deg
    assert dirs["gradient_angle_deg"] == pytest.approx(math.degrees(math.atan2(5, 3)), rel=1e-14)
    assert max(dirs["values"]) <= math.sqrt(34)


# -- newton ------------------------------------------------------------------------------
def test_newton_quadratic_one_step(runs):
    q = runs["newton"].data["quadratic"]
    assert np.asarray(q["x1"]) == pytest.approx([0.2, 0.4], abs=1e-15)


def test_newton_rosenbrock_first_step(runs):
    it = runs["newton"].data["rosenbrock"]["iterates"]
    x, y = -1.2, 1.0
    g = np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])       # (-215.6, -88)
    H = np.array([[2 - 400 * y + 1200 * x * x, -400 * x], [-400 * x, 200.0]])     # [[1330, 480], [480, 200]]
    assert np.asarray(it[0]["grad"]) == pytest.approx(g, rel=1e-14)
    assert np.asarray(it[0]["hessian"]) == pytest.approx(H, rel=1e-14)
    assert np.asarray(it[1]["x"]) == pytest.approx(np.array([x, y]) - np.linalg.solve(H, g), rel=1e-13)
    assert np.asarray(it[-1]["x"]) == pytest.approx([1.0, 1.0], abs=1e-8)


# -- batch size --------------------------------------------------------------------------
def test_batch_gd_first_step(runs):
    st = runs["batch-size"].data["steps"]["bgd"]
    y = np.array([2.1, 2.9, 4.2, 4.8, 6.1, 7.0])
    xs = np.array([0.5, 1.0, 1.5, 2.0, 2.5, 3.0])
    g = np.array([-y.mean(), -(y * xs).mean()])          # (f - y) = -y at w = 0
    assert np.asarray(st["grad"]) == pytest.approx(g, rel=1e-14)
    assert np.asarray(st["grad"]) == pytest.approx([-4.5166666666666667, -9.35], rel=1e-14)
    assert np.asarray(st["w_new"]) == pytest.approx(-0.1 * g, rel=1e-14)


@pytest.mark.parametrize("method", ["sgd", "mbgd"])
def test_stochastic_steps_use_their_samples(runs, method):
    st = runs["batch-size"].data["steps"][method]
    idx = st["samples"]
    y = np.array([2.1, 2.9, 4.2, 4.8, 6.1, 7.0])[idx]
    xs = np.array([0.5, 1.0, 1.5, 2.0, 2.5, 3.0])[idx]
    g = np.array([-y.mean(), -(y * xs).mean()])
    assert len(idx) == (1 if method == "sgd" else 2)
    assert np.asarray(st["grad"]) == pytest.approx(g, rel=1e-14)


def test_batch_size_same_seed_same_samples():
    a = run_example("batch-size", seed=3).data["steps"]
    b = run_example("batch-size", seed=3).data["steps"]
    assert a["sgd"]["samples"] == b["sgd"]["samples"] and a["mbgd"]["samples"] == b["mbgd"]["samples"]


def test_loss_conventions(runs):
    c = runs["batch-size"].data["convention"]
    assert c["loss_printed"] == pytest.approx(2 * c["loss_half"], rel=1e-15)
    assert np.asarray(c["fd_printed"]) == pytest.approx(2 * np.asarray(c["printed_gradient"]), rel=1e-7)


# -- optimizers --------------------------------------------------------------------------
def test_momentum_steps_by_hand(runs):
    rows = runs["optimizers"].data["runs"]["momentum"]
    # v1 = -0.05*(2, 20); x1 = (0.9, 0); v2 = 0.9*v1 - 0.05*(1.8, 0); x2 = (0.72, -0.9); ...
    assert np.asarray(rows[0]["x_new"]) == pytest.approx([0.9, 0.0], abs=1e-15)
    assert np.asarray(rows[1]["v"]) == pytest.approx([-0.18, -0.9], abs=1e-15)
    assert np.asarray(rows[1]["x_new"]) == pytest.approx([0.72, -0.9], abs=1e-15)
    assert np.asarray(rows[2]["x_new"]) == pytest.approx([0.486, -0.81], abs=1e-14)


def test_nesterov_takes_gradient_at_lookahead(runs):
    rows = runs["optimizers"].data["runs"]["nesterov"]
    # step 2: look-ahead x1 + 0.9*v1 = (0.9, 0) + 0.9*(-0.1, -1) = (0.81, -0.9)
    assert np.asarray(rows[1]["lookahead"]) == pytest.approx([0.81, -0.9], abs=1e-15)
    assert np.asarray(rows[1]["g"]) == pytest.approx([1.62, -18.0], abs=1e-14)


def test_adagrad_rmsprop_adam_first_step(runs):
    r = runs["optimizers"].data["runs"]
    assert np.asarray(r["adagrad"][0]["x_new"]) == pytest.approx([1 - 0.5 * 2 / (2 + 1e-7), 1 - 0.5 * 20 / (20 + 1e-7)], rel=1e-15)
    S = np.array([0.1 * 4, 0.1 * 400])
    assert np.asarray(r["rmsprop"][0]["x_new"]) == pytest.approx(1 - 0.1 * np.array([2, 20]) / np.sqrt(S + 1e-6), rel=1e-15)
    assert np.asarray(r["adam"][0]["x_new"]) == pytest.approx([1 - 0.1 * 2 / (2 + 1e-8), 1 - 0.1 * 20 / (20 + 1e-8)], rel=1e-15)


@pytest.mark.parametrize("beta, n", [(0.9, 10), (0.9, 100), (0.999, 1000), (0.999, 10000), (0.5, 60)])
def test_rmsprop_weight_sum(beta, n):
    from descentlab.lecture.optimizers import rmsprop_weight_sum

    assert rmsprop_weight_sum(beta, n) == pytest.approx(1 - beta ** n, rel=1e-12)
    total = math.fsum((1 - beta) * beta ** i for i in range(200_000))
    assert total == pytest.approx(1.0, abs=1e-12)


def test_adagrad_effective_lr_goes_to_zero(runs):
    e = runs["optimizers"].data["adagrad_effective_lr"]
    assert np.asarray(e["value"]) == pytest.approx(1 / (np.sqrt(np.asarray(e["t"], dtype=float)) + 1e-7), rel=1e-14)
    assert e["value"][-1] < 1e-3


# -- decay -------------------------------------------------------------------------------
@pytest.mark.parametrize("t, step, exp, inv", [
    (0, 0.1, 0.1, 0.1),
    (9, 0.1, 0.1 * math.exp(-0.9), 0.1 / 1.9),
    (10, 0.05, 0.1 * math.exp(-1.0), 0.05),
    (20, 0.025, 0.1 * math.exp(-2.0), 0.1 / 3),
    (100, 0.1 / 1024, 0.1 * math.exp(-10.0), 0.1 / 11),
])
def test_schedules(runs, t, step, exp, inv):
    d = runs["decay"].data
    i = d["steps"].index(t)
    assert d["values"]["step"][i] == pytest.approx(step, rel=1e-15)
    assert d["values"]["exponential"][i] == pytest.approx(exp, rel=1e-14)
    assert d["values"]["1/t"][i] == pytest.approx(inv, rel=1e-15)
    assert d["library"] is not None and d["library"]["exponential"][i] == pytest.approx(exp, rel=1e-14)


# -- errors ------------------------------------------------------------------------------
@pytest.mark.parametrize("name, params, pattern", [
    ("gd-x2", {"eps": 0.0}, r"eps > 0"),
    ("gd-x2", {"lrs": (0.1, -1.0)}, r"learning rates > 0"),
    ("derivatives", {"directions": 2}, r"directions >= 4"),
    ("batch-size", {"k": 6}, r"1 <= k < 6"),
    ("optimizers", {"steps": 0}, r"steps >= 1"),
    ("newton", {"steps": -1}, r"steps >= 1"),
    ("newton", {"steps": 0}, r"steps >= 1"),
    ("decay", {"lr0": 0.0}, r"lr0 > 0"),
    ("decay", {"every": 0}, r"every >= 1"),
    ("decay", {"steps": (0, -1)}, r"steps >= 0"),
    ("nope", {}, r"one of derivatives"),
])
def test_bad_input(name, params, pattern):
    with pytest.raises(ConfigError, match=pattern):
        run_example(name, **params)


def test_nesterov_variable_transform_by_hand(runs):
    """phi_t = theta_t + mu v_t of the look-ahead run equals the transformed (PyTorch) recursion
    b = mu b + g(phi); phi -= lr (g + mu b), written here."""
    rows = runs["optimizers"].data["runs"]["nesterov"]
    lr, mu = 0.05, 0.9
    phi, b = np.array([1.0, 1.0]), np.zeros(2)
    for r in rows:
        g = np.array([2 * phi[0], 20 * phi[1]])
        b = mu * b + g
        phi = phi - lr * (g + mu * b)
        assert phi == pytest.approx(np.asarray(r["x_new"]) + mu * np.asarray(r["v"]), abs=1e-14)


@pytest.mark.parametrize("lr, kind", [(1.2, "diverged"), (1.0, "max_steps")])
def test_gd_x2_step_by_step_with_a_non_converging_lr_passes_its_checks(lr, kind):
    acc = run_example("gd-x2", lr=lr)
    assert acc.ok, [c for c in acc.checks if not c.passed]
    assert acc.data["run"]["stop"]["kind"] == kind and acc.data["steps_to_stop"] is None
    text = acc.text()
    assert f"x_t = ({1 - 2 * lr:g})^t" in text and "never" in text
