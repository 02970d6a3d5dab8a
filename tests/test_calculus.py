"""Derivatives by central differences against derivatives known in closed form."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from descentlab.calculus import (
    derivative,
    directional_derivative,
    numerical_gradient,
    numerical_hessian,
    partial_derivative,
)
from descentlab.errors import ConfigError, DTypeError, ShapeError


def f2(p):  # f(x, y) = x² y + sin(y)
    x, y = p
    return x * x * y + math.sin(y)


def grad_f2(p):
    x, y = p
    return np.array([2 * x * y, x * x + math.cos(y)])


def hess_f2(p):
    x, y = p
    return np.array([[2 * y, 2 * x], [2 * x, -math.sin(y)]])


@pytest.mark.parametrize("f, df, x", [
    (lambda x: x ** 3, lambda x: 3 * x ** 2, 2.0),
    (math.exp, math.exp, -1.3),
    (math.sin, math.cos, 0.7),
    (lambda x: 1.0 / (1.0 + math.exp(-x)), lambda x: math.exp(-x) / (1.0 + math.exp(-x)) ** 2, 0.801),
])
def test_derivative(f, df, x):
    assert derivative(f, x) == pytest.approx(df(x), rel=1e-8)


def test_central_difference_is_second_order():
    # Halving h divides the error of a central difference by about 4 (O(h²)).
    e1 = abs(derivative(math.exp, 1.0, h=1e-2) - math.e)
    e2 = abs(derivative(math.exp, 1.0, h=5e-3) - math.e)
    assert 3.8 < e1 / e2 < 4.2


@settings(max_examples=30, deadline=None)
@given(st.floats(-2, 2), st.floats(-2, 2))
def test_partial_derivatives_and_gradient(x, y):
    p = np.array([x, y])
    exact = grad_f2(p)
    assert partial_derivative(f2, p, 0) == pytest.approx(exact[0], abs=1e-8)
    assert partial_derivative(f2, p, 1) == pytest.approx(exact[1], abs=1e-8)
    np.testing.assert_allclose(numerical_gradient(f2, p), exact, atol=1e-8)


@settings(max_examples=30, deadline=None)
@given(st.floats(-2, 2), st.floats(-2, 2), st.floats(0, 2 * math.pi), st.floats(0.1, 10))
def test_directional_derivative_is_gradient_dot_unit_direction(x, y, angle, length):
    # The slide's two forms: the limit along l, and f_x cos α + f_y cos β = ∇f · l/‖l‖.
    p = np.array([x, y])
    l = length * np.array([math.cos(angle), math.sin(angle)])  # noqa: E741
    expected = grad_f2(p) @ l / np.linalg.norm(l)
    assert directional_derivative(f2, p, l) == pytest.approx(expected, abs=1e-8)


def test_directional_derivative_along_an_axis_is_the_partial():
    p = np.array([0.4, -1.1])
    assert directional_derivative(f2, p, [0.0, 3.0]) == pytest.approx(partial_derivative(f2, p, 1), abs=1e-10)


def test_gradient_of_an_array_input_keeps_its_shape():
    A = np.arange(6.0).reshape(2, 3)
    g = numerical_gradient(lambda W: np.sum(W ** 2), A)
    assert g.shape == (2, 3)
    np.testing.assert_allclose(g, 2 * A, atol=1e-7)


def test_inputs_are_not_modified():
    p = np.array([1.0, 2.0])
    numerical_gradient(f2, p)
    partial_derivative(f2, p, 0)
    np.testing.assert_array_equal(p, [1.0, 2.0])


@pytest.mark.parametrize("use_grad", [False, True])
def test_hessian(use_grad):
    p = np.array([0.7, -0.3])
    H = numerical_hessian(f2, p, grad=grad_f2 if use_grad else None)
    np.testing.assert_allclose(H, hess_f2(p), atol=1e-6 if not use_grad else 1e-8)
    np.testing.assert_array_equal(H, H.T)


def test_hessian_of_a_quadratic_is_its_matrix():
    A = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]])
    H = numerical_hessian(lambda x: 0.5 * x @ A @ x, np.array([1.0, -2.0, 0.5]))
    np.testing.assert_allclose(H, A, atol=1e-6)


@pytest.mark.parametrize("call, exc, pattern", [
    (lambda: derivative(math.sin, 1.0, h=0.0), ConfigError, r"step h > 0, got 0.0"),
    (lambda: derivative(math.sin, "1.0"), DTypeError, r"real numbers, got dtype <U3"),
    (lambda: partial_derivative(f2, np.array([1.0, 2.0]), 2), ShapeError, r"index into x of shape \(2,\), got 2"),
    (lambda: directional_derivative(f2, [1.0, 2.0], [0.0, 0.0]), ConfigError, r"non-zero direction"),
    (lambda: directional_derivative(f2, [1.0, 2.0], [1.0, 0.0, 0.0]), ShapeError, r"direction l of shape \(2,\), got shape \(3,\)"),
    (lambda: numerical_gradient(lambda x: x * 2, np.ones(2)), ShapeError, r"f to return a scalar, got an array of shape \(2,\)"),
    (lambda: numerical_hessian(f2, np.ones((2, 1))), ShapeError, r"x of shape \(n,\), got shape \(2, 1\)"),
])
def test_bad_input(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


def test_top_level_names():
    import descentlab

    assert descentlab.derivative is derivative
    assert descentlab.directional_derivative is directional_derivative
    assert descentlab.numerical_gradient is numerical_gradient
    assert descentlab.partial_derivative is partial_derivative
