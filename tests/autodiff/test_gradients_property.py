"""Every primitive, activation and loss against float64 central differences.

Hypothesis draws shapes (including pairs that broadcast) and values; each case
runs ``gradcheck``. Points where a function has no derivative (relu at 0, ties
of maximum, the ends of clip) are kept a small distance away.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from descentlab.autodiff import F, Tensor, gradcheck, ops

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=4)
seeds = st.integers(0, 2**32 - 1)


def _normal(rng, shape, scale=1.0):
    return rng.standard_normal(shape) * scale


def _away_from_zero(rng, shape, low=0.5, high=2.0):
    return rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)


def _check(f, inputs):
    report = gradcheck(f, inputs)
    assert report.ok, report


# ----------------------------------------------------- broadcasting binaries
@SETTINGS
@given(pairs, seeds)
def test_add_sub_mul_broadcast(shapes_, seed):
    rng = np.random.default_rng(seed)
    sa, sb = shapes_.input_shapes
    a, b = _normal(rng, sa), _normal(rng, sb)
    _check(lambda a, b: a + b, [a, b])
    _check(lambda a, b: a - b, [a, b])
    _check(lambda a, b: a * b, [a, b])


@SETTINGS
@given(pairs, seeds)
def test_div_broadcast(shapes_, seed):
    rng = np.random.default_rng(seed)
    sa, sb = shapes_.input_shapes
    _check(lambda a, b: a / b, [_normal(rng, sa), _away_from_zero(rng, sb)])


@SETTINGS
@given(pairs, seeds)
def test_pow_with_tensor_exponent_broadcast(shapes_, seed):
    rng = np.random.default_rng(seed)
    sa, sb = shapes_.input_shapes
    _check(lambda a, b: a ** b, [rng.uniform(0.5, 2.0, sa), rng.uniform(-2.0, 2.0, sb)])


@SETTINGS
@given(shapes, seeds, st.sampled_from([2, 3, -1, 0.5, -1.5, 1]))
def test_pow_with_number_exponent(shape, seed, p):
    rng = np.random.default_rng(seed)
    x = _normal(rng, shape) if isinstance(p, int) and p > 0 else rng.uniform(0.5, 2.0, shape)
    _check(lambda x: x ** p, [x])


@SETTINGS
@given(shapes, seeds)
def test_number_on_the_left(shape, seed):
    rng = np.random.default_rng(seed)
    x = _away_from_zero(rng, shape)
    _check(lambda x: 2.0 - x, [x])
    _check(lambda x: 3.0 / x, [x])
    _check(lambda x: 2.0 ** x, [x])


@SETTINGS
@given(pairs, seeds)
def test_maximum_broadcast(shapes_, seed):
    rng = np.random.default_rng(seed)
    sa, sb = shapes_.input_shapes
    a, b = _normal(rng, sa), _normal(rng, sb)
    assume(np.min(np.abs(a - b), initial=1.0) > 1e-3)  # no ties within the step
    _check(lambda a, b: ops.maximum(a, b), [a, b])


# ------------------------------------------------------------ elementwise
@SETTINGS
@given(shapes, seeds)
def test_neg_exp_tanh_sigmoid_softplus(shape, seed):
    rng = np.random.default_rng(seed)
    x = _normal(rng, shape, 2.0)
    for f in (lambda x: -x, ops.exp, F.tanh, F.sigmoid, F.softplus):
        _check(f, [x])


@SETTINGS
@given(shapes, seeds)
def test_log(shape, seed):
    _check(ops.log, [np.random.default_rng(seed).uniform(0.2, 3.0, shape)])


@SETTINGS
@given(shapes, seeds)
def test_relu_away_from_the_kink(shape, seed):
    _check(F.relu, [_away_from_zero(np.random.default_rng(seed), shape, 0.01, 2.0)])


@SETTINGS
@given(shapes, seeds)
def test_clip_away_from_the_ends(shape, seed):
    rng = np.random.default_rng(seed)
    x = _normal(rng, shape)
    assume(np.min(np.abs(np.abs(x) - 0.5), initial=1.0) > 1e-3)
    _check(lambda x: ops.clip(x, -0.5, 0.5), [x])


# ------------------------------------------------------------- reductions
@st.composite
def shape_and_axis(draw, min_dims=1):
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=3, min_side=1, max_side=4))
    axis = draw(st.none() | hnp.valid_tuple_axes(len(shape), min_size=1) | st.integers(-len(shape), len(shape) - 1))
    return shape, axis


@SETTINGS
@given(shape_and_axis(), st.booleans(), seeds)
def test_sum_and_mean_over_axes(shape_axis, keepdims, seed):
    shape, axis = shape_axis
    x = _normal(np.random.default_rng(seed), shape)
    _check(lambda x: x.sum(axis=axis, keepdims=keepdims), [x])
    _check(lambda x: x.mean(axis=axis, keepdims=keepdims), [x])
    np.testing.assert_allclose(ops.mean(Tensor(x), axis, keepdims).data,
                               np.mean(x, axis=axis, keepdims=keepdims), rtol=0, atol=0)


# ------------------------------------------------------------------ shapes
@SETTINGS
@given(shapes, seeds, st.data())
def test_reshape_and_transpose(shape, seed, data):
    x = _normal(np.random.default_rng(seed), shape)
    perm = tuple(data.draw(st.permutations(range(len(shape)))))
    _check(lambda x: x.reshape(-1) * np.arange(1.0, x.size + 1.0), [x])
    _check(lambda x: x.transpose(perm) * np.arange(1.0, x.size + 1.0).reshape(x.data.transpose(perm).shape), [x])
    _check(lambda x: x.T * np.arange(1.0, x.size + 1.0).reshape(x.data.T.shape), [x])


@SETTINGS
@given(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5), seeds, st.data())
def test_getitem_basic_and_advanced(shape, seed, data):
    rng = np.random.default_rng(seed)
    x = _normal(rng, shape)
    weights = lambda y: y * np.arange(1.0, y.size + 1.0).reshape(y.shape)  # noqa: E731
    start = data.draw(st.integers(0, shape[0] - 1))
    _check(lambda x: weights(x[start:]), [x])
    _check(lambda x: weights(x[..., ::-1]), [x])
    # repeated integer indices must add their gradients
    idx = rng.integers(0, shape[0], size=data.draw(st.integers(1, 6)))
    _check(lambda x: weights(x[idx]), [x])
    mask = rng.random(shape) > 0.5
    _check(lambda x: weights(x[mask]), [x])


# ------------------------------------------------------------------ matmul
@st.composite
def matmul_shapes(draw):
    n, k, m = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    left = draw(st.sampled_from([(k,), (n, k), (2, n, k)]))
    right = draw(st.sampled_from([(k,), (k, m), (2, k, m), (1, k, m)]))
    return left, right


@SETTINGS
@given(matmul_shapes(), seeds)
def test_matmul(shapes_, seed):
    rng = np.random.default_rng(seed)
    a, b = (_normal(rng, s) for s in shapes_)
    _check(lambda a, b: a @ b, [a, b])
    np.testing.assert_array_equal((Tensor(a) @ Tensor(b)).data, a @ b)


# ------------------------------------------------------------ softmax family
@SETTINGS
@given(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), seeds, st.data())
def test_softmax_and_log_softmax(shape, seed, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = _normal(np.random.default_rng(seed), shape, 3.0)
    _check(lambda x: F.softmax(x, axis=axis), [x])
    _check(lambda x: F.log_softmax(x, axis=axis), [x])


# ------------------------------------------------------------------- losses
batch = st.integers(1, 5)
classes = st.integers(2, 5)


@SETTINGS
@given(shapes, seeds, st.sampled_from(["half_sum", "mean"]))
def test_mse_both_conventions(shape, seed, convention):
    rng = np.random.default_rng(seed)
    _check(lambda y, t: F.mse_loss(y, t, convention=convention), [_normal(rng, shape), _normal(rng, shape)])


@SETTINGS
@given(batch, classes, seeds, st.sampled_from(["mean", "sum", "none"]))
def test_cross_entropy_labels_and_one_hot(n, c, seed, reduction):
    rng = np.random.default_rng(seed)
    z = _normal(rng, (n, c), 3.0)
    labels = rng.integers(0, c, n)
    one_hot = np.eye(c)[labels]
    soft = rng.dirichlet(np.ones(c), n)
    _check(lambda z: F.cross_entropy(z, labels, reduction=reduction), [z])
    _check(lambda z: F.cross_entropy(z, one_hot, reduction=reduction), [z])
    _check(lambda z: F.cross_entropy(z, soft, reduction=reduction), [z])
    _check(lambda z: F.cross_entropy(z[0], labels[0]), [z])


@SETTINGS
@given(shapes, seeds)
def test_binary_cross_entropy_from_probabilities_and_logits(shape, seed):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.05, 0.95, shape)
    t = rng.uniform(0.0, 1.0, shape)
    z = _normal(rng, shape, 4.0)
    _check(lambda p, t: F.binary_cross_entropy(p, t), [p, t])
    _check(lambda z, t: F.binary_cross_entropy_with_logits(z, t), [z, t])


@pytest.mark.parametrize("f", [F.sigmoid, F.tanh, F.relu, F.softplus, ops.exp])
def test_activation_gradcheck_at_a_fixed_point(f):
    # One deterministic case per activation, so a failure names the function.
    x = np.array([-2.5, -0.7, 0.3, 1.9])
    report = gradcheck(f, [x])
    assert report.ok, report


@SETTINGS
@given(st.integers(1, 6), st.integers(1, 5), st.integers(1, 5), seeds)
def test_float32_gradients_agree_with_float64(n, d_in, d_out, seed):
    rng = np.random.default_rng(seed)
    x, W, b = rng.standard_normal((n, d_in)), rng.standard_normal((d_in, d_out)), rng.standard_normal(d_out)
    labels = rng.integers(0, d_out, n)
    grads = {}
    for dtype in (np.float32, np.float64):
        Wt, bt = Tensor(W.astype(dtype), requires_grad=True), Tensor(b.astype(dtype), requires_grad=True)
        F.cross_entropy(F.tanh(Tensor(x.astype(dtype)) @ Wt + bt) * 2.0, labels).backward()
        grads[dtype] = (Wt.grad, bt.grad)
    for g32, g64 in zip(grads[np.float32], grads[np.float64]):
        assert g32.dtype == np.float32
        np.testing.assert_allclose(g32, g64, rtol=1e-4, atol=1e-6)
