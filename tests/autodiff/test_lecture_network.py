"""The lecture's 2-2-1 sigmoid network (Example II), back-propagated by the engine.

x = [x1, x2] = [0.35, 0.9]; hidden weights W0 = [[w31, w32], [w41, w42]] =
[[0.1, 0.8], [0.4, 0.6]] (rows are hidden units 3 and 4); output weights
W1 = [w53, w54] = [0.3, 0.9]; target y_a = 0.5; E = ½(y5 − y_a)²; f = sigmoid.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from descentlab.autodiff import F, Tensor
from descentlab.calculus import numerical_gradient

X = np.array([0.35, 0.9])
W0 = np.array([[0.1, 0.8], [0.4, 0.6]])
W1 = np.array([0.3, 0.9])
TARGET = 0.5


def forward(W0, W1, x=X):
    z1 = W0 @ x                     # [z3, z4]
    y1 = F.sigmoid(z1)              # [y3, y4]
    z5 = W1 @ y1
    y5 = F.sigmoid(z5)
    E = F.mse_loss(y5, TARGET, convention="half_sum")
    return z1, y1, z5, y5, E


def _engine():
    w0, w1 = Tensor(W0.copy(), requires_grad=True), Tensor(W1.copy(), requires_grad=True)
    values = forward(w0, w1, Tensor(X))
    values[-1].backward()
    return values, w0.grad, w1.grad


def _error(w0_flat, w1):
    f = lambda z: 1.0 / (1.0 + math.exp(-z))  # noqa: E731
    W = w0_flat.reshape(2, 2)
    y3 = f(W[0, 0] * X[0] + W[0, 1] * X[1])
    y4 = f(W[1, 0] * X[0] + W[1, 1] * X[1])
    y5 = f(w1[0] * y3 + w1[1] * y4)
    return 0.5 * (y5 - TARGET) ** 2


def test_forward_pass_matches_the_slide():
    (z1, y1, z5, y5, E), _, _ = _engine()
    np.testing.assert_allclose(z1.data, [0.755, 0.68], rtol=0, atol=1e-15)
    # The slide prints values rounded to three places: y1 = [0.682, 0.663] (the
    # exact y3 is 0.68027, so the slide's third place is off by 2), z5 = 0.801,
    # y5 = 0.690, E = ½(0.690 − 0.5)² = 0.01805 with the rounded y5.
    np.testing.assert_allclose(y1.data, [0.682, 0.663], atol=2e-3)
    assert z5.item() == pytest.approx(0.801, abs=1e-3)
    assert y5.item() == pytest.approx(0.690, abs=5e-4)
    assert E.item() == pytest.approx(0.01805, abs=1e-4)
    assert E.item() == pytest.approx(_error(W0.ravel(), W1), rel=1e-14)


def test_gradients_equal_float64_central_differences():
    _, g0, g1 = _engine()
    n0 = numerical_gradient(lambda w: _error(w, W1), W0.ravel()).reshape(2, 2)
    n1 = numerical_gradient(lambda w: _error(W0.ravel(), w), W1)
    np.testing.assert_allclose(g0, n0, rtol=0, atol=1e-8)
    np.testing.assert_allclose(g1, n1, rtol=0, atol=1e-8)


def test_gradients_equal_the_delta_rule():
    # ∂E/∂w53 = (y5 − y_a) · y5(1 − y5) · y3             (chain rule on the slide)
    # ∂E/∂w3j = (y5 − y_a) · y5(1 − y5) · w53 · y3(1 − y3) · x_j
    (_, y1, _, y5, _), g0, g1 = _engine()
    y3, y4 = y1.data
    out = y5.item()
    delta5 = (out - TARGET) * out * (1.0 - out)
    np.testing.assert_allclose(g1, delta5 * np.array([y3, y4]), rtol=1e-14)
    delta_hidden = delta5 * W1 * y1.data * (1.0 - y1.data)  # [δ3, δ4]
    np.testing.assert_allclose(g0, np.outer(delta_hidden, X), rtol=1e-14)
