"""Equivalences that document the maths of the conventions.

* Both momentum forms give the same iterates under a constant lr, and different ones
  once the lr changes (the inside form keeps old learning rates baked into v).
* The transformed Nesterov iterates are phi = theta + mu*v of the look-ahead method.
* Keras's eps-hat Adam is PyTorch's Adam with eps / sqrt(1 - beta2**t).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from descentlab.optim import make_optimizer


def rosenbrock_grad(x):
    r = x[1] - x[0] * x[0]
    return np.array([-2.0 * (1.0 - x[0]) - 400.0 * x[0] * r, 200.0 * r])


def run(opt, x0, grad, steps):
    params = {"x": np.array(x0, dtype=float)}
    state = opt.init(params)
    xs = [params["x"].copy()]
    for _ in range(steps):
        g = grad(opt.eval_params(params, state)["x"])
        opt.step(params, {"x": g}, state)
        xs.append(params["x"].copy())
    return np.array(xs), state


def quadratic(A):
    return lambda x: A @ x


spd = st.integers(0, 2**32 - 1).map(lambda s: _random_spd(np.random.default_rng(s), 3))


def _random_spd(rng, n):
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    return Q @ np.diag(rng.uniform(0.1, 5.0, size=n)) @ Q.T


@settings(max_examples=30, deadline=None)
@given(A=spd, mu=st.floats(0.0, 0.99), lr=st.floats(1e-3, 0.1))
def test_momentum_forms_agree_under_constant_lr(A, mu, lr):
    outside = make_optimizer("momentum", momentum_form="lr_outside", momentum=mu, lr=lr)
    inside = make_optimizer("momentum", momentum_form="lr_inside", momentum=mu, lr=lr)
    x0 = [1.0, -2.0, 0.5]
    a, _ = run(outside, x0, quadratic(A), 40)
    b, _ = run(inside, x0, quadratic(A), 40)
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_momentum_forms_split_once_lr_changes():
    def halved_after_2(k):
        return 0.05 if k < 2 else 0.025

    kw = dict(momentum=0.9, lr=halved_after_2)
    a, _ = run(make_optimizer("momentum", momentum_form="lr_outside", **kw), [1.0, 1.0], lambda x: x, 10)
    b, _ = run(make_optimizer("momentum", momentum_form="lr_inside", **kw), [1.0, 1.0], lambda x: x, 10)
    np.testing.assert_array_equal(a[:3], b[:3])        # identical while lr is constant (steps 0, 1)
    assert np.max(np.abs(a[3:] - b[3:])) > 1e-3         # then they part
    # outside applies the new lr to the whole buffer: a smaller step than inside right after the change
    assert a[3, 0] - a[2, 0] > b[3, 0] - b[2, 0]


def test_rmsprop_momentum_forms_agree_under_constant_lr_only():
    grad = rosenbrock_grad
    kw = dict(lr=1e-3, momentum=0.9)
    a, _ = run(make_optimizer("rmsprop", momentum_form="lr_outside", **kw), [-1.5, 2.0], grad, 50)
    b, _ = run(make_optimizer("rmsprop", momentum_form="lr_inside", **kw), [-1.5, 2.0], grad, 50)
    np.testing.assert_allclose(a, b, rtol=1e-10)
    kw["lr"] = lambda k: 1e-3 if k < 10 else 1e-4
    a, _ = run(make_optimizer("rmsprop", momentum_form="lr_outside", **kw), [-1.5, 2.0], grad, 50)
    b, _ = run(make_optimizer("rmsprop", momentum_form="lr_inside", **kw), [-1.5, 2.0], grad, 50)
    assert np.max(np.abs(a - b)) > 1e-4


@pytest.mark.parametrize("wd", [0.0, 5.0])
def test_transformed_nesterov_is_phi_of_lookahead(wd):
    # with L2 weight decay too: the penalty is part of f, so its gradient is taken at the
    # look-ahead point like the rest of g
    mu, lr, steps = 0.9, 2e-4, 50
    look = make_optimizer("nesterov", preset="lecture", lr=lr, momentum=mu, weight_decay=wd,
                          weight_decay_form="l2")   # lr inside, look-ahead
    assert look.hyper["nesterov_form"] == "lookahead"
    theta, state = run(look, [-1.5, 2.0], rosenbrock_grad, steps)
    # the look-ahead velocities, step by step: v_t = theta_t - theta_{t-1}
    v = np.vstack([np.zeros(2), np.diff(theta, axis=0)])
    phi_expected = theta + mu * v
    for preset in ("lecture", "keras", "pytorch"):          # the lecture's phi form, Keras, PyTorch/optax
        tr = make_optimizer("nesterov", preset=preset, lr=lr, momentum=mu, nesterov_form="transformed",
                            weight_decay=wd, weight_decay_form="l2")
        phi, _ = run(tr, [-1.5, 2.0], rosenbrock_grad, steps)
        np.testing.assert_allclose(phi, phi_expected, rtol=1e-10, err_msg=preset)
    # and the two forms visit different points
    assert np.max(np.abs(phi - theta)) > 1e-3
    np.testing.assert_allclose(state.slots["x"]["v"], v[-1], rtol=1e-10)


def test_lookahead_eval_point_is_theta_plus_mu_v_in_both_momentum_forms():
    mu, lr = 0.9, 2e-4
    a, _ = run(make_optimizer("nesterov", nesterov_form="lookahead", momentum_form="lr_inside", lr=lr, momentum=mu),
               [-1.5, 2.0], rosenbrock_grad, 50)
    b, _ = run(make_optimizer("nesterov", nesterov_form="lookahead", momentum_form="lr_outside", lr=lr, momentum=mu),
               [-1.5, 2.0], rosenbrock_grad, 50)
    np.testing.assert_allclose(a, b, rtol=1e-10)


@settings(max_examples=25, deadline=None)
@given(eps=st.sampled_from([1e-7, 1e-3, 0.1, 0.5, 2.0]), beta2=st.sampled_from([0.9, 0.99, 0.999]),
       seed=st.integers(0, 1000))
def test_keras_eps_hat_adam_is_pytorch_adam_with_eps_over_sqrt_bias_correction(eps, beta2, seed):
    rng = np.random.default_rng(seed)
    keras_adam = make_optimizer("adam", preset="keras", lr=0.05, eps=eps, beta2=beta2)
    assert keras_adam.hyper["eps_placement"] == "hat"
    p_k = {"x": rng.normal(size=4)}
    p_t = {"x": p_k["x"].copy()}
    s_k = keras_adam.init(p_k)
    s_t = keras_adam.init(p_t)  # same buffers (m, v) in both forms: the state carries over
    for k in range(30):
        g = rng.normal(size=4) * 10.0 ** rng.uniform(-3, 2)
        keras_adam.step(p_k, {"x": g}, s_k)
        t = k + 1
        torch_adam = make_optimizer("adam", preset="pytorch", lr=0.05, beta2=beta2, eps=eps / np.sqrt(1 - beta2 ** t))
        torch_adam.step(p_t, {"x": g}, s_t)
    np.testing.assert_allclose(p_k["x"], p_t["x"], rtol=1e-12)
    # while the same eps in both forms gives different iterates when eps matters
    if eps >= 0.1:
        plain = make_optimizer("adam", preset="pytorch", lr=0.05, eps=eps, beta2=beta2)
        q = {"x": p_k["x"] * 0 + 1.0}
        r = {"x": q["x"].copy()}
        sq, sr = plain.init(q), keras_adam.init(r)
        for _ in range(3):
            plain.step(q, {"x": np.ones(4)}, sq)
            keras_adam.step(r, {"x": np.ones(4)}, sr)
        assert np.max(np.abs(q["x"] - r["x"])) > 1e-6


def test_adagrad_eps_inside_and_outside_differ_as_the_slides_say():
    g = {"x": np.array([1e-4])}
    out = make_optimizer("adagrad", lr=1.0, eps=1e-6, eps_placement="outside")
    ins = make_optimizer("adagrad", lr=1.0, eps=1e-6, eps_placement="inside")
    p1, p2 = {"x": np.zeros(1)}, {"x": np.zeros(1)}
    out.step(p1, g, out.init(p1))
    ins.step(p2, g, ins.init(p2))
    np.testing.assert_allclose(p1["x"], -1e-4 / (1e-4 + 1e-6))
    np.testing.assert_allclose(p2["x"], -1e-4 / np.sqrt(1e-8 + 1e-6))
