"""Forward values of activations and losses against their formulas, and their stability."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from descentlab.autodiff import F, Tensor


def test_sigmoid_matches_formula_and_survives_large_inputs():
    x = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(F.sigmoid(Tensor(x)).data, 1.0 / (1.0 + np.exp(-x)), rtol=1e-15, atol=1e-300)
    big = np.array([-1000.0, -745.0, 0.0, 745.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning
        s = F.sigmoid(Tensor(big, requires_grad=True))
        s.sum().backward()
    np.testing.assert_array_equal(s.data[[0, 2, 4]], [0.0, 0.5, 1.0])
    assert np.all(np.isfinite(s.data))


def test_sigmoid_backward_is_f_times_one_minus_f():
    x = Tensor(np.array([-2.0, 0.0, 0.755, 3.0]), requires_grad=True)
    f = F.sigmoid(x)
    f.sum().backward()
    np.testing.assert_array_equal(x.grad, f.data * (1.0 - f.data))


def test_tanh_relu_softplus_values():
    x = np.array([-800.0, -2.0, -0.5, 0.0, 0.5, 2.0, 800.0])
    np.testing.assert_array_equal(F.tanh(Tensor(x)).data, np.tanh(x))
    np.testing.assert_array_equal(F.relu(Tensor(x)).data, np.where(x > 0, x, 0.0))
    sp = F.softplus(Tensor(x)).data
    np.testing.assert_allclose(sp[1:-1], np.log1p(np.exp(x[1:-1])), rtol=1e-15)
    assert sp[0] == 0.0 and sp[-1] == 800.0


def test_relu_gradient_at_zero_is_zero():
    x = Tensor(np.array([-1.0, 0.0, 1.0]), requires_grad=True)
    F.relu(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])


def test_maximum_splits_ties():
    a = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    b = Tensor(np.array([2.0, 2.0, 2.0]), requires_grad=True)
    a.maximum(b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(b.grad, [1.0, 0.5, 0.0])


def test_softmax_rows_sum_to_one_even_for_huge_logits():
    z = np.array([[1000.0, 1001.0, 999.0], [-1e6, 0.0, 1e6]])
    s = F.softmax(Tensor(z)).data
    np.testing.assert_allclose(s.sum(axis=-1), 1.0, rtol=1e-15)
    e = np.exp(np.array([1.0, 2.0, 0.0]))
    np.testing.assert_allclose(s[0], e / e.sum(), rtol=1e-15)
    np.testing.assert_allclose(F.log_softmax(Tensor(z)).data[0], np.log(e / e.sum()), rtol=1e-14)


def test_mse_conventions():
    y, t = np.array([[1.0, 2.0], [3.0, 5.0]]), np.array([[0.0, 2.0], [1.0, 1.0]])
    sq = (y - t) ** 2  # 1, 0, 4, 16
    assert F.mse_loss(Tensor(y), t, convention="half_sum").item() == pytest.approx(0.5 * sq.sum())
    assert F.mse_loss(Tensor(y), t, convention="mean").item() == pytest.approx(sq.mean())
    w = Tensor(y, requires_grad=True)
    F.mse_loss(w, t, convention="half_sum").backward()
    np.testing.assert_array_equal(w.grad, y - t)  # the lecture's reason for the ½


def test_cross_entropy_value_labels_equal_one_hot():
    z = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]])
    labels = np.array([0, 2])
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(p[[0, 1], labels]))
    assert F.cross_entropy(Tensor(z), labels).item() == pytest.approx(expected, rel=1e-14)
    assert F.cross_entropy(Tensor(z), np.eye(3)[labels]).item() == pytest.approx(expected, rel=1e-14)
    assert F.cross_entropy(Tensor(z), labels, reduction="sum").item() == pytest.approx(2 * expected, rel=1e-14)


def test_cross_entropy_gradient_is_softmax_minus_one_hot_over_n():
    z = Tensor(np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]]), requires_grad=True)
    labels = np.array([0, 2])
    F.cross_entropy(z, labels).backward()
    s = F.softmax(Tensor(z.data)).data
    np.testing.assert_allclose(z.grad, (s - np.eye(3)[labels]) / 2, rtol=1e-13, atol=1e-16)


def test_cross_entropy_is_finite_for_extreme_logits():
    z = Tensor(np.array([[1e4, -1e4, 0.0]]), requires_grad=True)
    loss = F.cross_entropy(z, np.array([1]))
    loss.backward()
    assert loss.item() == pytest.approx(2e4)
    assert np.all(np.isfinite(z.grad))


def test_binary_cross_entropy_clips_and_logits_form_agrees():
    p = np.array([0.0, 0.2, 0.7, 1.0])
    t = np.array([1.0, 0.0, 1.0, 0.0])
    loss = F.binary_cross_entropy(Tensor(p), t, reduction="none").data
    eps = 1e-7
    pc = np.clip(p, eps, 1 - eps)
    np.testing.assert_allclose(loss, -(t * np.log(pc) + (1 - t) * np.log(1 - pc)), rtol=1e-12)
    assert np.all(np.isfinite(loss))
    z = np.array([-3.0, -0.2, 0.0, 0.8, 5.0])
    tz = np.array([0.0, 1.0, 0.3, 1.0, 0.0])
    sig = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(F.binary_cross_entropy_with_logits(Tensor(z), tz, reduction="none").data,
                               -(tz * np.log(sig) + (1 - tz) * np.log(1 - sig)), rtol=1e-13)


def test_bce_with_logits_gradient_is_exact_in_the_tails_and_at_zero():
    z = Tensor(np.array([-50.0, 0.0, 50.0]), requires_grad=True)
    t = np.array([1.0, 1.0, 0.0])
    F.binary_cross_entropy_with_logits(z, t, reduction="sum").backward()
    np.testing.assert_allclose(z.grad, [-1.0, -0.5, 1.0], rtol=1e-15)


@pytest.mark.parametrize("loss, targets", [
    (F.mse_loss, [np.ones((4, 3)), np.ones((4, 3), dtype=np.int64)]),
    (lambda y, t: F.binary_cross_entropy(F.sigmoid(y), t), [np.ones((4, 3)), np.ones((4, 3), dtype=np.int64)]),
    (F.binary_cross_entropy_with_logits, [np.ones((4, 3)), np.ones((4, 3), dtype=bool)]),
    (F.cross_entropy, [np.eye(3)[[0, 1, 2, 0]], np.array([0, 1, 2, 0])]),
])
def test_float32_prediction_with_float64_or_integer_targets_stays_float32(loss, targets):
    W = Tensor(np.full((2, 3), 0.1, dtype=np.float32), requires_grad=True)
    y = (Tensor(np.ones((4, 2), dtype=np.float32)) @ W).maximum(0.05)
    for t in targets:
        out = loss(y, t)
        assert out.dtype == np.float32
        out.backward(retain_graph=True)
        assert W.grad.dtype == np.float32


def test_integer_targets_accepted_by_losses_object_targets_refused():
    y = Tensor(np.array([0.2, 0.8]))
    assert F.binary_cross_entropy(y, np.array([0, 1])).item() == pytest.approx(
        -0.5 * (np.log(0.8) + np.log(0.8)))
    from descentlab.errors import DTypeError

    with pytest.raises(DTypeError, match="numeric target, got dtype object"):
        F.mse_loss(y, np.array([None, 1], dtype=object))
