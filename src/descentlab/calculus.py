"""Derivatives by central differences, the chapter's first section made numerical.

The lecture defines (slides "derivative", "partial derivative", "Directional
derivative", "Gradient"):

* f'(x₀) = lim_{Δx→0} [f(x₀ + Δx) − f(x₀)] / Δx
* f_x(x, y) = lim_{Δx→0} [f(x + Δx, y) − f(x, y)] / Δx
* ∂f/∂l = lim_{ρ→0} [f(x₀ + Δx, y₀ + Δy) − f(x₀, y₀)] / ρ,  ρ = √(Δx² + Δy²),
  which equals f_x cos α + f_y cos β = ∇f · l/‖l‖
* grad f = (∂f/∂x₀, …, ∂f/∂xₙ)

Here every limit is taken with the symmetric (central) difference
[f(x + h) − f(x − h)] / (2h), whose error is O(h²) instead of the one-sided O(h),
in float64. The default h = 1e−6 balances that truncation error against
rounding (about ε_mach·|f|/h); for the Hessian, a second difference, h = 1e−4.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .errors import ConfigError, DTypeError, ShapeError, expected

__all__ = [
    "derivative",
    "partial_derivative",
    "directional_derivative",
    "numerical_gradient",
    "numerical_hessian",
]


def _point(x: Any, name: str = "x") -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype.kind not in "iuf":
        raise DTypeError(expected(f"{name} made of real numbers", f"dtype {arr.dtype}",
                                  "pass floats, e.g. np.asarray(x, dtype=np.float64)"))
    return arr.astype(np.float64)  # always a copy we may change


def _step(h: float) -> float:
    if not (np.isfinite(h) and h > 0):
        raise ConfigError(expected("a step h > 0", h, "use something like 1e-6"))
    return float(h)


def _value(f: Callable[..., Any], x: Any) -> float:
    y = np.asarray(f(x), dtype=np.float64)
    if y.size != 1:
        raise ShapeError(expected("f to return a scalar", f"an array of shape {y.shape}",
                                  "differentiate one output at a time, e.g. lambda x: f(x)[0]"))
    return float(y.reshape(()))


def derivative(f: Callable[[float], Any], x: float, h: float = 1e-6) -> float:
    """f'(x) ≈ [f(x + h) − f(x − h)] / (2h) for a function of one number.

    >>> round(derivative(lambda x: x ** 3, 2.0), 6)
    12.0
    """
    h = _step(h)
    x0 = float(_point(x))
    return (_value(f, x0 + h) - _value(f, x0 - h)) / (2.0 * h)


def partial_derivative(f: Callable[[np.ndarray], Any], x: Any, i: int | tuple[int, ...],
                       h: float = 1e-6) -> float:
    """∂f/∂x_i: the central difference along coordinate ``i``, all others held fixed.

    ``i`` is an index into ``x`` (an int for a vector, a tuple for an array).

    >>> import numpy as np
    >>> round(partial_derivative(lambda p: p[0] ** 2 * p[1], np.array([3.0, 2.0]), 0), 6)
    12.0
    """
    h = _step(h)
    x0 = _point(x)
    try:
        x0[i]
    except (IndexError, TypeError):
        raise ShapeError(expected(f"an index into x of shape {x0.shape}", i,
                                  f"pick a coordinate between 0 and {x0.size - 1}")) from None
    xp, xm = x0.copy(), x0.copy()
    xp[i] += h
    xm[i] -= h
    return (_value(f, xp) - _value(f, xm)) / (2.0 * h)


def numerical_gradient(f: Callable[[np.ndarray], Any], x: Any, h: float = 1e-6) -> np.ndarray:
    """grad f(x) = (∂f/∂x₀, …, ∂f/∂xₙ), one central difference per coordinate.

    Returns a float64 array shaped like ``x``; costs 2·x.size calls of ``f``.
    """
    h = _step(h)
    x0 = _point(x)
    grad = np.empty_like(x0)
    for idx in np.ndindex(x0.shape):
        xi = x0[idx]
        x0[idx] = xi + h
        f_plus = _value(f, x0)
        x0[idx] = xi - h
        f_minus = _value(f, x0)
        x0[idx] = xi
        grad[idx] = (f_plus - f_minus) / (2.0 * h)
    return grad


def directional_derivative(f: Callable[[np.ndarray], Any], x: Any, l: Any, h: float = 1e-6) -> float:  # noqa: E741
    """∂f/∂l = ∇f · l/‖l‖, the rate of change of f along the direction ``l``.

    Computed straight from the lecture's limit, symmetrically, with u = l/‖l‖:
    [f(x + h u) − f(x − h u)] / (2h). ``l`` need not have unit length; only its
    direction counts. For f with continuous partial derivatives this equals
    f_x cos α + f_y cos β = ∇f · u (the slide's second form).
    """
    h = _step(h)
    x0 = _point(x)
    direction = _point(l, "l")
    if direction.shape != x0.shape:
        raise ShapeError(expected(f"a direction l of shape {x0.shape}", f"shape {direction.shape}",
                                  "give one component per coordinate of x"))
    norm = float(np.linalg.norm(direction))
    if not norm > 0:
        raise ConfigError(expected("a non-zero direction l", "a zero vector",
                                   "a direction needs length, e.g. l = [1, 0]"))
    u = direction / norm
    return (_value(f, x0 + h * u) - _value(f, x0 - h * u)) / (2.0 * h)


def numerical_hessian(f: Callable[[np.ndarray], Any], x: Any, h: float = 1e-4,
                      grad: Callable[[np.ndarray], Any] | None = None) -> np.ndarray:
    """H_ij = ∂²f/∂x_i∂x_j of a function of a vector ``x`` (shape (n,)), by central differences.

    Without ``grad``: the four-point formula
    H_ij ≈ [f(x+he_i+he_j) − f(x+he_i−he_j) − f(x−he_i+he_j) + f(x−he_i−he_j)] / (4h²).
    With an exact ``grad(x)``: H_:j ≈ [∇f(x+he_j) − ∇f(x−he_j)] / (2h), then
    symmetrised as (H + Hᵀ)/2; more accurate, and used by Newton's method checks.
    """
    h = _step(h)
    x0 = _point(x)
    if x0.ndim != 1:
        raise ShapeError(expected("x of shape (n,)", f"shape {x0.shape}", "flatten x with x.ravel()"))
    n = x0.size
    H = np.empty((n, n))
    eye = np.eye(n) * h
    if grad is not None:
        for j in range(n):
            gp = np.asarray(grad(x0 + eye[j]), dtype=np.float64).reshape(n)
            gm = np.asarray(grad(x0 - eye[j]), dtype=np.float64).reshape(n)
            H[:, j] = (gp - gm) / (2.0 * h)
        return 0.5 * (H + H.T)
    for i in range(n):
        for j in range(i, n):
            ei, ej = eye[i], eye[j]
            H[i, j] = (_value(f, x0 + ei + ej) - _value(f, x0 + ei - ej)
                       - _value(f, x0 - ei + ej) + _value(f, x0 - ei - ej)) / (4.0 * h * h)
            H[j, i] = H[i, j]
    return H
