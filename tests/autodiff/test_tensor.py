"""Tensor basics: construction, dtypes, the graph rules of backward(), and errors."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from descentlab.autodiff import F, GraphError, NonFiniteGradientError, Tensor, gradcheck, no_grad
from descentlab.autodiff.grad_mode import enable_grad, is_grad_enabled
from descentlab.errors import ConfigError, DataError, DescentlabError, DTypeError, ShapeError


# ----------------------------------------------------------------- dtypes
@pytest.mark.parametrize("data, dtype", [
    (1.5, np.float64),
    (3, np.float64),
    ([[1, 2], [3, 4]], np.float64),
    (np.array([1.0, 2.0], dtype=np.float32), np.float32),
    (np.array([1.0, 2.0]), np.float64),
    (np.float32(2.0), np.float32),
])
def test_accepted_inputs_and_their_dtype(data, dtype):
    assert Tensor(data).dtype == dtype


def test_float_array_is_wrapped_not_copied():
    a = np.zeros(3)
    assert Tensor(a).data is a


def test_float32_stays_float32_through_ops_and_backward():
    w = Tensor(np.array([1.0, -2.0], dtype=np.float32), requires_grad=True)
    loss = F.mse_loss(F.sigmoid(w * 2.0 + 1.0), np.array([0.5, 0.5], dtype=np.float32))
    assert loss.dtype == np.float32
    loss.backward()
    assert w.grad.dtype == np.float32


# ------------------------------------------------------------ error table
ERRORS = [
    # (what, callable, exception, message pattern)
    ("matmul shape mismatch", lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5))),
     ShapeError, r"expected matmul shapes .*equal k \(here 3 vs 4\), got shapes \(2, 3\) and \(4, 5\)"),
    ("matmul vector mismatch", lambda: Tensor(np.ones(3)) @ Tensor(np.ones((2, 2))),
     ShapeError, r"got shapes \(3,\) and \(2, 2\)"),
    ("matmul with a scalar", lambda: Tensor(2.0) @ Tensor(np.ones(2)),
     ShapeError, r"at least one dimension, got shapes \(\) and \(2,\).*use \*"),
    ("backward on non-scalar without seed",
     lambda: (Tensor(np.ones(3), requires_grad=True) * 2.0).backward(),
     ShapeError, r"expected a seed gradient for a non-scalar output, got backward\(\) without one on a tensor of shape \(3,\)"),
    ("integer array", lambda: Tensor(np.array([1, 2, 3])),
     DTypeError, r"expected a float32 or float64 array, got dtype int64. Fix: .*np.float64"),
    ("unsigned array", lambda: Tensor(np.array([1], dtype=np.uint8)), DTypeError, r"got dtype uint8"),
    ("object array", lambda: Tensor(np.array([1.0, "a"], dtype=object)),
     DTypeError, r"got dtype object. Fix: .*object arrays"),
    ("bool array", lambda: Tensor(np.array([True, False])), DTypeError, r"got dtype bool"),
    ("float16 array", lambda: Tensor(np.ones(2, dtype=np.float16)), DTypeError, r"got dtype float16"),
    ("ragged list", lambda: Tensor([[1.0, 2.0], [3.0]]), DTypeError, r"rectangular nested list"),
    ("string", lambda: Tensor("1.0"), DTypeError, r"got str"),
    ("integer array in an op", lambda: Tensor(np.ones(2)) + np.array([1, 2]), DTypeError, r"got dtype int64"),
    ("NaN seed gradient", lambda: (Tensor(np.ones(2), requires_grad=True) * 3.0).backward(np.array([1.0, np.nan])),
     NonFiniteGradientError, r"expected a finite seed gradient, got one containing NaN"),
    ("inf seed gradient", lambda: (Tensor(1.0, requires_grad=True) * 3.0).backward(np.inf),
     NonFiniteGradientError, r"finite seed"),
    ("seed of the wrong shape", lambda: (Tensor(np.ones(2), requires_grad=True) * 3.0).backward(np.ones(3)),
     ShapeError, r"seed gradient of shape \(2,\), got shape \(3,\)"),
    ("backward without requires_grad", lambda: (Tensor(1.0) * 2.0).backward(),
     GraphError, r"requires grad, got one with requires_grad=False"),
    ("mse of mismatched shapes", lambda: F.mse_loss(Tensor(np.ones((3, 1))), np.ones(3)),
     ShapeError, r"same shape, got \(3, 1\) and \(3,\)"),
    ("unknown mse convention", lambda: F.mse_loss(Tensor(np.ones(3)), np.ones(3), convention="sum"),
     ConfigError, r"convention in \('half_sum', 'mean'\), got 'sum'"),
    ("label out of range", lambda: F.cross_entropy(Tensor(np.ones((2, 3))), np.array([0, 3])),
     DataError, r"labels in \[0, 3\), got values from 0 to 3"),
    ("labels of wrong shape", lambda: F.cross_entropy(Tensor(np.ones((2, 3))), np.array([0, 1, 2])),
     ShapeError, r"labels of shape \(2,\), got shape \(3,\)"),
    ("one-hot of wrong shape", lambda: F.cross_entropy(Tensor(np.ones((2, 3))), np.ones((2, 2))),
     ShapeError, r"probabilities of shape \(2, 3\)"),
    ("unknown reduction", lambda: F.cross_entropy(Tensor(np.ones((2, 3))), np.array([0, 1]), reduction="avg"),
     ConfigError, r"reduction in"),
    ("gradcheck of a non-tensor", lambda: gradcheck(lambda x: 1.0, [np.ones(2)]),
     DTypeError, r"f to return a Tensor, got float"),
]


@pytest.mark.parametrize("what, make, exc, pattern", ERRORS, ids=[e[0] for e in ERRORS])
def test_bad_input_raises_clear_error(what, make, exc, pattern):
    with pytest.raises(exc, match=pattern) as info:
        make()
    assert isinstance(info.value, DescentlabError)


# ----------------------------------------------------- graph and backward
def test_reused_leaf_gets_the_sum_of_its_gradients():
    x = Tensor(3.0, requires_grad=True)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    assert x.grad == pytest.approx(7.0)


def test_reused_intermediate_node_gets_the_sum_of_its_gradients():
    # micrograd#2: a non-leaf used twice must pass on the sum of both gradients.
    x = Tensor(2.0, requires_grad=True)
    h = x * 3.0          # h = 3x
    y = h * h + h.exp()  # dy/dx = (2h + e^h) * 3
    y.backward()
    assert x.grad == pytest.approx((2 * 6.0 + np.exp(6.0)) * 3.0, rel=1e-12)


def test_second_backward_through_freed_graph_raises():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    loss = (x * x).sum()
    loss.backward()
    first = x.grad.copy()
    with pytest.raises(GraphError, match=r"second backward\(\).*retain_graph=True"):
        loss.backward()
    np.testing.assert_array_equal(x.grad, first)  # nothing was added by the failed pass


def test_shared_subgraph_second_loss_raises_after_free_and_adds_nothing():
    x = Tensor(1.0, requires_grad=True)
    y = Tensor(2.0, requires_grad=True)
    h = x.exp()
    (h * 2.0).backward()
    x_grad = x.grad.copy()
    with pytest.raises(GraphError, match="freed 'exp' node"):
        (y * 5.0 + h * 3.0).backward()  # y's branch is fresh, h's is freed
    assert y.grad is None
    np.testing.assert_array_equal(x.grad, x_grad)


def test_retain_graph_allows_second_pass_and_leaf_grads_accumulate():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    loss = (x * x).sum()
    loss.backward(retain_graph=True)
    np.testing.assert_allclose(x.grad, [2.0, 4.0])
    loss.backward()
    np.testing.assert_allclose(x.grad, [4.0, 8.0])  # accumulated, as in PyTorch
    x.zero_grad()
    assert x.grad is None


def test_fresh_forward_accumulates_into_leaf_grad_in_place():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x * 2.0).sum().backward()
    buffer = x.grad
    (x * 3.0).sum().backward()
    assert x.grad is buffer
    np.testing.assert_allclose(buffer, [5.0, 5.0])
    x.zero_grad(set_to_none=False)
    assert x.grad is buffer
    np.testing.assert_array_equal(buffer, 0.0)


def test_leaf_grad_is_not_aliased_with_other_gradients():
    # add passes g through unchanged: both leaves must still own separate arrays.
    a = Tensor(np.ones(3), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True)
    (a + b).sum().backward()
    a.grad += 1.0
    np.testing.assert_array_equal(b.grad, 1.0)
    assert a.grad.flags.writeable and b.grad.flags.writeable


def test_intermediate_grads_only_when_retained():
    x = Tensor(np.array([0.5]), requires_grad=True)
    h = (x * 2.0).retain_grad()
    z = x * 4.0
    (h * z).sum().backward()
    np.testing.assert_allclose(h.grad, z.data)
    assert z.grad is None


def test_backward_with_seed():
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    (x * x).backward(np.array([1.0, 0.0, -1.0]))
    np.testing.assert_allclose(x.grad, [2.0, 0.0, -6.0])


def test_deep_graph_needs_no_recursion():
    x = Tensor(1.0, requires_grad=True)
    y = x
    depth = 3 * sys.getrecursionlimit()
    for _ in range(depth):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == pytest.approx(1.0)


def test_constants_get_no_grad_and_are_not_traversed():
    x = Tensor(np.ones(2), requires_grad=True)
    c = Tensor(np.full(2, 5.0))
    (x * c).sum().backward()
    assert c.grad is None
    np.testing.assert_array_equal(x.grad, 5.0)


# --------------------------------------------------- no_grad and detach
def test_no_grad_records_nothing():
    w = Tensor(np.ones(2), requires_grad=True)
    with no_grad():
        assert not is_grad_enabled()
        y = (w * 2.0).sum()
        with enable_grad():
            z = (w * 2.0).sum()
    assert is_grad_enabled()
    assert not y.requires_grad and y.is_leaf
    assert z.requires_grad


def test_no_grad_as_decorator_restores_mode_after_exception():
    @no_grad()
    def f(t):
        assert not is_grad_enabled()
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        f(Tensor(1.0))
    assert is_grad_enabled()


def test_detach_shares_data_and_cuts_the_graph():
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = w * 2.0
    d = h.detach()
    assert d.data is h.data and not d.requires_grad
    (d * w).sum().backward()
    np.testing.assert_allclose(w.grad, [2.0, 4.0])  # only the w path, not through d


# -------------------------------------------------------- nn-style usage
@pytest.mark.parametrize("x_shape", [(5, 3), (3,)])
def test_linear_layer_x_at_W_plus_b(x_shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape)
    W = rng.standard_normal((3, 4))
    b = rng.standard_normal(4)
    report = gradcheck(lambda x, W, b: F.tanh(x @ W + b), [x, W, b])
    assert report.ok, report
    Wt, bt = Tensor(W, requires_grad=True), Tensor(b, requires_grad=True)
    (Tensor(x) @ Wt + bt).sum().backward()
    assert Wt.grad.shape == (3, 4) and bt.grad.shape == (4,)


@pytest.mark.parametrize("a_shape, b_shape", [
    ((3,), (3,)), ((3,), (3, 2)), ((2, 3), (3,)), ((1, 3), (3, 2)), ((4, 1), (1, 2)),
    ((2, 4, 3), (3, 2)), ((3,), (2, 3, 4)), ((2, 2, 3), (2, 3, 1)),
])
def test_matmul_all_rank_combinations(a_shape, b_shape):
    rng = np.random.default_rng(1)
    report = gradcheck(lambda a, b: a @ b, [rng.standard_normal(a_shape), rng.standard_normal(b_shape)])
    assert report.ok, report


def test_ndarray_on_the_left_of_an_operator():
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = np.array([3.0, 4.0]) * w
    assert isinstance(y, Tensor)
    y.sum().backward()
    np.testing.assert_array_equal(w.grad, [3.0, 4.0])


def test_repr_names_op_and_requires_grad():
    t = Tensor([1.0], requires_grad=True) * 2.0
    assert "requires_grad=True" in repr(t) and "op='mul'" in repr(t)


def test_leaf_grad_never_aliases_the_seed_or_another_leaf():
    seed = np.array([1.0, 2.0])
    a = Tensor(np.ones(2), requires_grad=True)
    b = Tensor(np.ones((3, 2)), requires_grad=True)
    c = Tensor(np.ones(2), requires_grad=True)
    y = (a + c) + a.reshape(2)
    y.backward(seed)
    (b.T.sum()).backward()
    for t in (a, c):
        assert not np.shares_memory(t.grad, seed)
    assert not np.shares_memory(a.grad, c.grad)
    assert b.grad.flags.c_contiguous and b.grad.flags.writeable
    a.grad += 100.0
    np.testing.assert_array_equal(seed, [1.0, 2.0])
    np.testing.assert_array_equal(c.grad, [1.0, 2.0])


def test_grad_dtype_follows_the_leaf():
    w = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    (w * np.array([2.0, 3.0])).sum().backward()  # float64 constant promotes the graph
    assert w.grad.dtype == np.float32
    np.testing.assert_array_equal(w.grad, [2.0, 3.0])


def test_parameters_and_grads_can_live_in_flat_buffers():
    # A layer may keep W and b as views into one flat array, and their gradients
    # as views into another; backward then writes the gradients in place.
    flat, flat_grad = np.arange(8.0), np.zeros(8)
    W = Tensor(flat[:6].reshape(3, 2), requires_grad=True)
    b = Tensor(flat[6:], requires_grad=True)
    W.grad, b.grad = flat_grad[:6].reshape(3, 2), flat_grad[6:]
    x = Tensor(np.array([[1.0, 2.0, 3.0]]))
    for _ in range(2):
        W.zero_grad(set_to_none=False)
        b.zero_grad(set_to_none=False)
        (x @ W + b).sum().backward()
    np.testing.assert_array_equal(flat_grad, [1, 1, 2, 2, 3, 3, 1, 1])
    assert np.shares_memory(W.data, flat)


def test_a_kept_loss_does_not_keep_activations_alive():
    import gc
    import weakref

    W = Tensor(np.ones((3, 3)), requires_grad=True)
    h = F.tanh(Tensor(np.ones((2, 3))) @ W)
    activation = weakref.ref(h.data)
    loss = (h * h).sum()
    del h
    gc.collect()
    assert activation() is not None  # still needed for backward
    loss.backward()
    gc.collect()
    assert activation() is None  # freed with the graph, though `loss` is kept
