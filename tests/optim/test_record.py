"""Per-step introspection: what StepRecord holds, for every rule and preset."""
from __future__ import annotations

import json

import numpy as np
import pytest

from descentlab._io import dumps_json
from descentlab.optim import PRESETS, make_optimizer

CASES = [(name, preset, {}) for preset, table in PRESETS.items() for name in table if name not in ("newton", "lbfgs")] + [
    ("rmsprop", "pytorch", {"momentum": 0.9}), ("rmsprop", "keras", {"momentum": 0.9, "centered": True}),
    ("momentum", "pytorch", {"dampening": 0.3}), ("sgd", "pytorch", {"weight_decay": 0.1}),
    ("momentum", "keras", {"weight_decay": 0.1}), ("nesterov", "pytorch", {"weight_decay": 0.1}),
    ("nesterov", "lecture", {"weight_decay": 0.1}),
    ("lamb", "optax", {"weight_decay": 0.1}), ("adafactor", "pytorch", {"weight_decay": 0.1}),
    ("radam", "pytorch", {"weight_decay": 0.1, "weight_decay_form": "decoupled"}),
    ("adadelta", "pytorch", {"weight_decay": 0.1}), ("adamax", "keras", {"weight_decay": 0.1}),
]


def _params():
    return {"w": np.array([[0.5, -1.5], [2.0, 0.1]]), "b": np.array(-0.3)}


def _grads(params, k):
    return {n: np.cos(p * (k + 1)) + 0.2 * p for n, p in params.items()}


@pytest.mark.parametrize("name,preset,extra", CASES, ids=[f"{n}-{p}-{e}" for n, p, e in CASES])
def test_record_explains_the_update(name, preset, extra):
    opt = make_optimizer(name, preset=preset, lr=0.03, **extra)
    params = _params()
    state = opt.init(params)
    for k in range(4):
        before = {n: p.copy() for n, p in params.items()}
        at = {n: np.array(p, copy=True) for n, p in opt.eval_params(params, state).items()}
        g = _grads(at, k)
        rec = opt.step(params, g, state, record=True)
        assert rec.step == k and rec.lr == 0.03 and state.step == k + 1
        assert rec.grad_norm == pytest.approx(np.sqrt(sum(np.sum(v ** 2) for v in g.values())))
        for n in params:
            np.testing.assert_array_equal(rec.grad[n], g[n])
            np.testing.assert_array_equal(params[n], before[n] + rec.update[n])
            assert rec.step_size[n].shape == params[n].shape and np.all(rec.step_size[n] >= 0)
            assert set(rec.buffers[n]) == set(state.slots[n])
            for b, arr in rec.buffers[n].items():
                np.testing.assert_array_equal(arr, state.slots[n][b])
                assert arr is not state.slots[n][b]  # a snapshot, not a view of live state
        # the update is the step size times the rule's direction, per coordinate
        h = opt.hyper
        wd = h.get("weight_decay", 0.0)
        for n in params:
            # L2's gradient is taken where g was (the look-ahead point for look-ahead Nesterov)
            g_used = g[n] + (wd * at[n] if h.get("weight_decay_form") == "l2" else 0.0)
            decoupled = -0.03 * wd * before[n] if h.get("weight_decay_form") == "decoupled" else 0.0
            buf = rec.buffers[n]
            if "direction" in rec.moments[n]:
                # sign rules (Rprop, Lion), LAMB's trust-ratio direction, Adafactor's clipped g/sqrt(V)
                expect = -rec.step_size[n] * rec.moments[n]["direction"]
            elif "m_hat" in rec.moments[n]:
                expect = -rec.step_size[n] * rec.moments[n]["m_hat"]
            elif "m_bar" in rec.moments[n]:
                expect = -rec.step_size[n] * rec.moments[n]["m_bar"]
            elif h.get("momentum", 0.0) > 0:
                # the update is read off the buffer after the step: x += v (lr inside) or x -= lr*b
                # (lr outside; RMSProp's lr-inside buffer already holds lr); transformed Nesterov
                # adds one more look along the buffer
                mu, lr = h["momentum"], rec.lr
                transformed = h.get("nesterov") and h["nesterov_form"] == "transformed"
                if "v" in buf:
                    expect = mu * buf["v"] - lr * g_used if transformed else buf["v"]
                elif name == "rmsprop":
                    expect = -lr * buf["b"] if h["momentum_form"] == "lr_outside" else -buf["b"]
                else:
                    expect = -lr * (g_used + mu * buf["b"]) if transformed else -lr * buf["b"]
            else:
                expect = -rec.step_size[n] * g_used
            np.testing.assert_allclose(rec.update[n], expect + decoupled, rtol=1e-12, atol=1e-15)
    json.loads(dumps_json(rec.to_dict()))


def test_adam_moments_are_the_bias_corrected_averages():
    opt = make_optimizer("adam", lr=0.1, beta1=0.8, beta2=0.9)
    params = {"x": np.array([1.0, -1.0])}
    state = opt.init(params)
    gs = [np.array([1.0, 2.0]), np.array([-3.0, 0.5]), np.array([0.25, -1.0])]
    for t, g in enumerate(gs, start=1):
        rec = opt.step(params, {"x": g}, state, record=True)
    w1 = np.array([0.8 ** (3 - i) for i in range(1, 4)]) * 0.2   # weights of g_1..g_3 in m_3
    w2 = np.array([0.9 ** (3 - i) for i in range(1, 4)]) * 0.1
    G = np.array(gs)
    np.testing.assert_allclose(rec.moments["x"]["m_hat"], w1 @ G / (1 - 0.8 ** 3), rtol=1e-14)
    np.testing.assert_allclose(rec.moments["x"]["v_hat"], w2 @ G ** 2 / (1 - 0.9 ** 3), rtol=1e-14)
    np.testing.assert_allclose(rec.step_size["x"], 0.1 / (np.sqrt(rec.moments["x"]["v_hat"]) + 1e-8), rtol=1e-14)


def test_adagrad_step_size_shrinks_as_the_lecture_warns():
    opt = make_optimizer("adagrad", lr=1.0)
    params = {"x": np.array([1.0])}
    state = opt.init(params)
    sizes = [opt.step(params, {"x": np.array([1.0])}, state, record=True).step_size["x"][0] for _ in range(5)]
    np.testing.assert_allclose(sizes, [1 / np.sqrt(t) for t in range(1, 6)], rtol=1e-9)


def test_no_record_returns_none():
    opt = make_optimizer("sgd")
    params = {"x": np.ones(1)}
    assert opt.step(params, {"x": np.ones(1)}, opt.init(params)) is None
