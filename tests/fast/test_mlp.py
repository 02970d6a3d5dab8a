"""The lean MLP against the autodiff engine (the reference) and central differences."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from descentlab.errors import ConfigError, DataError, ShapeError
from descentlab.fast import MLP, flat_base, flatten_state_slots, fused_step
from descentlab.nn import Linear, ReLU, Sequential, Sigmoid, Softmax, mlp
from descentlab.nn.losses import get_loss
from descentlab.optim import make_optimizer
from descentlab.train.fit import autodiff_loss_and_grads


def _pair(sizes, act, out_act, dtype, seed):
    """Two identical networks: one for the fast path, one for the autodiff reference."""
    return [mlp(sizes, activation=act, output_activation=out_act, seed=seed, dtype=dtype) for _ in range(2)]


def _targets(rng, loss, n, k):
    return rng.integers(0, k, n) if loss == "cross_entropy" else rng.standard_normal((n, k))


@settings(max_examples=40, deadline=None)
@given(hidden=st.lists(st.integers(1, 9), min_size=0, max_size=3), d_in=st.integers(1, 6), d_out=st.integers(1, 5),
       batch=st.integers(1, 9), act=st.sampled_from(["relu", "sigmoid", "tanh"]),
       loss=st.sampled_from(["cross_entropy", "mse", "mse_half"]), out_act=st.sampled_from([None, "sigmoid"]),
       dtype=st.sampled_from([np.float64, np.float32]), seed=st.integers(0, 10**6))
def test_gradients_match_autodiff(hidden, d_in, d_out, batch, act, loss, out_act, dtype, seed):
    if loss == "cross_entropy":
        out_act = None   # cross-entropy takes logits
    sizes = [d_in, *hidden, d_out]
    fast_net, ref_net = _pair(sizes, act, out_act, dtype, seed)
    fast = MLP(fast_net, loss)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, d_in)).astype(dtype)
    T = _targets(rng, loss, batch, d_out)
    L1, g1, out1 = fast.loss_and_grads(X, T)
    L2, g2, out2 = autodiff_loss_and_grads(ref_net, get_loss(loss))(X, T)
    # same maths, different summation order: agree to a few units of rounding
    tol = 1e-12 if dtype == np.float64 else 2e-5
    assert abs(L1 - L2) <= tol * max(1.0, abs(L2))
    np.testing.assert_allclose(out1, out2, rtol=tol, atol=tol)
    for k in g2:
        scale = max(1.0, float(np.max(np.abs(g2[k]))))
        np.testing.assert_allclose(g1[k], g2[k], rtol=tol, atol=tol * scale, err_msg=k)


def test_gradient_matches_central_differences():
    net = mlp([3, 4, 2], activation="tanh", seed=3)
    fast = MLP(net, "mse_half")
    rng = np.random.default_rng(0)
    X, T = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    _, grads, _ = fast.loss_and_grads(X, T)
    grads = {k: g.copy() for k, g in grads.items()}
    h = 1e-6
    for k, p in fast.params.items():
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            up = fast.loss_and_grads(X, T)[0]
            p[idx] = old - h
            down = fast.loss_and_grads(X, T)[0]
            p[idx] = old
            assert abs((up - down) / (2 * h) - grads[k][idx]) < 1e-7, (k, idx)


def test_batch_of_one_uses_the_outer_product_and_agrees_with_the_matmul_path():
    """Gradients at batch size 1 equal the B-sample path's on a batch of one duplicated row / 2."""
    net = mlp([6, 5, 3], seed=1)
    fast = MLP(net, "cross_entropy")
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((1, 6)), np.array([2])
    _, g1, _ = fast.loss_and_grads(x, y)
    g1 = {k: v.copy() for k, v in g1.items()}
    _, g2, _ = fast.loss_and_grads(np.vstack([x, x]), np.array([2, 2]))   # mean of two equal samples
    for k in g1:
        np.testing.assert_allclose(g1[k], g2[k], rtol=1e-13, atol=1e-15)


def test_the_model_trains_the_flat_buffer():
    net = mlp([4, 3, 2], seed=0)
    fast = MLP(net, "cross_entropy")
    assert flat_base(net.params()) is fast.flat_params
    assert flat_base(fast.grads) is fast.flat_grads
    fast.flat_params[:] = 0.5
    assert np.all(net.params()["0.W"] == 0.5)


@pytest.mark.parametrize("opt_name", ["sgd", "momentum", "adam"])
def test_training_with_fused_steps_tracks_the_reference_loop(opt_name):
    """20 steps: lean MLP + fused kernel on flat buffers vs autodiff + opt.update on separate arrays."""
    hyper = {"lr": 0.05} | ({"momentum": 0.9} if opt_name == "momentum" else {})
    opt = make_optimizer(opt_name, **hyper)
    fast_net, ref_net = _pair([8, 16, 16, 4], "relu", None, np.float64, 7)
    fast = MLP(fast_net, "cross_entropy")
    fast_state = opt.init(fast.params)
    flatten_state_slots(fast_state.slots, fast.params)
    ref_params = ref_net.params()
    ref_state = opt.init(ref_params)
    ref_step = autodiff_loss_and_grads(ref_net, get_loss("cross_entropy"))
    rng = np.random.default_rng(0)
    for _ in range(20):
        idx = rng.integers(0, 64, 16)
        X = np.random.default_rng(idx.sum()).standard_normal((16, 8))
        y = idx % 4
        L1, g, _ = fast.loss_and_grads(X, y)
        fused_step(opt, fast.params, g, fast_state)
        L2, g2, _ = ref_step(X, y)
        updates, new = opt.update(g2, ref_state, ref_params)   # the pure reference, whatever opt.step runs
        for k in ref_params:
            ref_params[k] += updates[k]
        ref_state.slots, ref_state.step = new.slots, new.step
        assert abs(L1 - L2) < 1e-10
    for k in ref_params:
        np.testing.assert_allclose(fast.params[k], ref_params[k], rtol=1e-9, atol=1e-12)


BAD = [
    (lambda: MLP(Sequential(Linear(2, 2), Softmax()), "cross_entropy"), ConfigError, "Sequential of Linear"),
    (lambda: MLP(Sequential(Linear(2, 2, bias=False)), "mse"), ConfigError, "bias"),
    (lambda: MLP(Sequential(Linear(2, 2), ReLU(), Sigmoid()), "mse"), ConfigError, "at most one"),
    (lambda: MLP(mlp([2, 2]), "hinge"), ConfigError, "loss"),
    (lambda: MLP(mlp([2, 2]), "mse").loss_and_grads(np.ones((3, 5)), np.ones((3, 2))), ShapeError, "features"),
    (lambda: MLP(mlp([2, 2]), "mse").loss_and_grads(np.ones((3, 2)), np.ones((3, 1))), ShapeError, "targets"),
    (lambda: MLP(mlp([2, 3]), "cross_entropy").loss_and_grads(np.ones((2, 2)), np.array([0, 3])), DataError, "labels"),
    (lambda: MLP(mlp([2, 3]), "cross_entropy").loss_and_grads(np.ones((2, 2)), np.ones(2)), ShapeError, "integer labels"),
]


@pytest.mark.parametrize("call, exc, pattern", BAD)
def test_bad_input(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()
