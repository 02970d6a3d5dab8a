"""The primitives: each one's forward value and its local gradient, side by side.

Every function here takes tensors (or numbers, which become constants), computes
the output with NumPy, and hands :meth:`Tensor._from_op` a ``backward(g)`` that
maps the output gradient ``g = ∂E/∂out`` to one gradient per input. That closure
is the whole chain-rule step for the primitive:

    ===========  ======================  ==========================================
    primitive    forward                 local gradient (times g)
    ===========  ======================  ==========================================
    add          a + b                   ∂a = g,  ∂b = g
    sub          a − b                   ∂a = g,  ∂b = −g
    mul          a · b                   ∂a = g·b,  ∂b = g·a
    div          a / b                   ∂a = g/b,  ∂b = −g·a/b²
    pow          a ** b                  ∂a = g·b·a^(b−1),  ∂b = g·a^b·ln a
    maximum      max(a, b)               g to the larger; ties split ½ / ½
    neg          −a                      −g
    exp          eᵃ                      g·eᵃ
    log          ln a                    g/a
    sigmoid      f = 1/(1+e⁻ᵃ)           g·f(1−f)          (lecture, slide "Derivative of Sigmoid")
    tanh         f = tanh a              g·(1−f²)
    relu         max(a, 0)               g·[a > 0]
    softplus     ln(1+eᵃ)                g·sigmoid(a)
    clip         min(max(a, lo), hi)     g·[lo ≤ a ≤ hi]
    sum          Σ over axes             g broadcast back
    reshape      a.reshape(s)            g.reshape(a.shape)
    transpose    a.transpose(p)          g.transpose(p⁻¹)
    getitem      a[key]                  zeros with g scattered (added) at key
    matmul       A @ B                   ∂A = g @ Bᵀ,  ∂B = Aᵀ @ g
    log_softmax  a − logsumexp(a)        g − softmax(a)·Σg
    softmax      s = eᵃ/Σeᵃ              s·(g − Σ g·s)
    ===========  ======================  ==========================================

``mean`` is ``sum / n``: built from primitives, so it needs no gradient of its own.
Elementwise operations broadcast like NumPy; the gradient of a broadcast operand is
summed back to its own shape by :func:`_unbroadcast`.
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from ..errors import ConfigError, ShapeError, expected
from .tensor import Tensor, as_tensor

__all__ = [
    "add", "sub", "mul", "div", "pow", "maximum", "neg", "exp", "log",
    "sigmoid", "tanh", "relu", "softplus", "clip", "sum", "mean",
    "reshape", "transpose", "getitem", "matmul", "log_softmax", "softmax",
]

_new = Tensor._from_op


def _pair(a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """Both operands as tensors; a bare number takes the other operand's dtype."""
    ta = a if isinstance(a, Tensor) else as_tensor(a, like=b if isinstance(b, Tensor) else None)
    tb = b if isinstance(b, Tensor) else as_tensor(b, like=ta)
    return ta, tb


def _unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``g`` over the axes that broadcasting added or stretched, back to ``shape``."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra:
        g = g.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if stretched:
        g = g.sum(axis=stretched, keepdims=True)
    return g


def _stable_sigmoid(x: np.ndarray) -> np.ndarray:
    # exp(−|x|) never overflows; 1/(1+e) for x ≥ 0 and e/(1+e) for x < 0 are the
    # same function written so neither side computes exp of a large positive number.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


# ------------------------------------------------------------------ arithmetic
def add(a: Any, b: Any) -> Tensor:
    a, b = _pair(a, b)
    sa, sb = a.shape, b.shape
    return _new(a.data + b.data, (a, b), lambda g: (_unbroadcast(g, sa), _unbroadcast(g, sb)), "add")


def sub(a: Any, b: Any) -> Tensor:
    a, b = _pair(a, b)
    sa, sb = a.shape, b.shape
    return _new(a.data - b.data, (a, b), lambda g: (_unbroadcast(g, sa), _unbroadcast(-g, sb)), "sub")


def mul(a: Any, b: Any) -> Tensor:
    a, b = _pair(a, b)

    def backward(g: np.ndarray) -> tuple:
        ga = _unbroadcast(g * b.data, a.shape) if a.requires_grad else None
        gb = _unbroadcast(g * a.data, b.shape) if b.requires_grad else None
        return ga, gb

    return _new(a.data * b.data, (a, b), backward, "mul")


def div(a: Any, b: Any) -> Tensor:
    # A primitive, not a * b**-1: that product rounds differently from a / b.
    a, b = _pair(a, b)
    out = a.data / b.data

    def backward(g: np.ndarray) -> tuple:
        ga = _unbroadcast(g / b.data, a.shape) if a.requires_grad else None
        gb = _unbroadcast(-g * out / b.data, b.shape) if b.requires_grad else None
        return ga, gb

    return _new(out, (a, b), backward, "div")


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001  (the primitive is called pow)
    """``a ** b``. A number exponent stays a number, so ``x ** 2`` is exact."""
    if isinstance(a, Tensor) and isinstance(b, (int, float)) and not isinstance(b, bool):
        p = b
        x = a.data
        return _new(x ** p, (a,), lambda g: (g * (p * x ** (p - 1)),), "pow")
    a, b = _pair(a, b)
    out = a.data ** b.data

    def backward(g: np.ndarray) -> tuple:
        ga = _unbroadcast(g * b.data * a.data ** (b.data - 1), a.shape) if a.requires_grad else None
        # ln a is only defined for a > 0; the exponent's gradient is asked for rarely.
        gb = _unbroadcast(g * out * np.log(a.data), b.shape) if b.requires_grad else None
        return ga, gb

    return _new(out, (a, b), backward, "pow")


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise max. At a tie each side gets half the gradient (as PyTorch does)."""
    a, b = _pair(a, b)
    out = np.maximum(a.data, b.data)
    # Share of g that goes to a: 1, ½ at a tie, 0. In out's dtype, so float32 stays float32.
    wa = ((a.data > b.data) + 0.5 * (a.data == b.data)).astype(out.dtype)

    def backward(g: np.ndarray) -> tuple:
        ga = _unbroadcast(g * wa, a.shape) if a.requires_grad else None
        gb = _unbroadcast(g * (1.0 - wa), b.shape) if b.requires_grad else None
        return ga, gb

    return _new(out, (a, b), backward, "maximum")


def neg(a: Tensor) -> Tensor:
    return _new(-a.data, (a,), lambda g: (-g,), "neg")


# ----------------------------------------------------------------- elementwise
def exp(a: Tensor) -> Tensor:
    out = np.exp(a.data)
    return _new(out, (a,), lambda g: (g * out,), "exp")


def log(a: Tensor) -> Tensor:
    x = a.data
    return _new(np.log(x), (a,), lambda g: (g / x,), "log")


def sigmoid(a: Tensor) -> Tensor:
    """f(x) = 1/(1+e⁻ˣ), computed without overflow; f' = f(1−f) as on the slides.

    Trap: for x ≳ 37 (float64) f rounds to 1, so f(1−f) gives 0 where the true
    derivative is e⁻ˣ ≈ 1e−16. That is the slide's formula and what PyTorch does;
    losses that need the tail use ``binary_cross_entropy_with_logits`` instead.
    """
    f = _stable_sigmoid(a.data)
    return _new(f, (a,), lambda g: (g * f * (1.0 - f),), "sigmoid")


def tanh(a: Tensor) -> Tensor:
    f = np.tanh(a.data)
    return _new(f, (a,), lambda g: (g * (1.0 - f * f),), "tanh")


def relu(a: Tensor) -> Tensor:
    """max(x, 0); its gradient at exactly 0 is taken as 0 (PyTorch's choice)."""
    x = a.data
    return _new(np.maximum(x, 0.0), (a,), lambda g: (g * (x > 0),), "relu")


def softplus(a: Tensor) -> Tensor:
    """ln(1 + eˣ) = logaddexp(0, x), stable for any x; derivative sigmoid(x).

    Trap: written as relu(x) + log1p(exp(−|x|)) from primitives, the gradient at
    x = 0 comes out 0 instead of ½, because relu' and |x|' are both 0 there.
    """
    x = a.data
    return _new(np.logaddexp(0.0, x), (a,), lambda g: (g * _stable_sigmoid(x),), "softplus")


def clip(a: Tensor, lo: float, hi: float) -> Tensor:
    """Clamp to [lo, hi]; the gradient passes where lo ≤ x ≤ hi (ends included, as PyTorch)."""
    if not lo <= hi:  # also refuses NaN bounds; np.clip would quietly return hi everywhere
        raise ConfigError(expected("clip bounds lo <= hi", f"lo={lo!r}, hi={hi!r}", "swap them, or pass lo <= hi"))
    x = a.data
    return _new(np.clip(x, lo, hi), (a,), lambda g: (g * ((x >= lo) & (x <= hi)),), "clip")


# ------------------------------------------------------------------ reductions
def _axes(axis: int | tuple[int, ...] | None, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    """``axis`` as non-negative axes of an ``ndim``-D array; refused when out of range or repeated.

    Trap: ``ax % ndim`` alone would take axis 2 of a 2-D tensor for axis 0, a silent wrong sum.
    """
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    out = []
    for ax in axes:
        if isinstance(ax, bool) or not isinstance(ax, (int, np.integer)) or not -max(ndim, 1) <= ax < max(ndim, 1):
            raise ShapeError(expected(f"an axis in -{ndim} .. {ndim - 1} for a {ndim}-D tensor" if ndim
                                      else "axis None, 0 or -1 for a 0-D tensor", repr(axis),
                                      "count axes from 0, or from the end with -1"))
        out.append(int(ax) % ndim if ndim else int(ax))
    if len(set(out)) != len(out):
        raise ShapeError(expected("each axis once", repr(axis), "drop the repeated axis"))
    return tuple(out)


def sum(a: Tensor, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    shape = a.shape
    axes = _axes(axis, a.ndim)
    kept = tuple(1 if i in axes else n for i, n in enumerate(shape))  # g's shape with keepdims

    def backward(g: np.ndarray) -> tuple:
        # Filling a new array is several times cheaper, per call, than
        # np.expand_dims + np.broadcast_to, which dominate small graphs.
        full = np.empty(shape, dtype=g.dtype)
        full[...] = g.reshape(kept)
        return (full,)

    return _new(a.data.sum(axis=None if axis is None else axes, keepdims=keepdims), (a,), backward, "sum")


def mean(a: Tensor, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
    """Σ / n: made of ``sum`` and ``div``, which round exactly as ``np.mean`` does."""
    axes = _axes(axis, a.ndim)
    n = 1
    for ax in axes:
        n *= a.shape[ax]
    return div(sum(a, axes, keepdims), float(n))


# ------------------------------------------------------------------- shapes
def reshape(a: Tensor, shape: Any) -> Tensor:
    old = a.shape
    return _new(a.data.reshape(shape), (a,), lambda g: (g.reshape(old),), "reshape")


def transpose(a: Tensor, axes: Any = None) -> Tensor:
    inverse = None if axes is None else tuple(np.argsort(axes))
    return _new(a.data.transpose(axes), (a,), lambda g: (g.transpose(inverse),), "transpose")


def _is_basic_index(key: Any) -> bool:
    parts = key if isinstance(key, tuple) else (key,)
    return builtins.all(isinstance(k, (int, np.integer, slice)) or k is None or k is Ellipsis
                        for k in parts)


def getitem(a: Tensor, key: Any) -> Tensor:
    """``a[key]`` for NumPy basic and advanced indexing; repeated indices add up."""
    if isinstance(key, Tensor):
        key = key.data
    elif isinstance(key, tuple):
        key = tuple(k.data if isinstance(k, Tensor) else k for k in key)
    shape, dtype = a.shape, a.dtype
    basic = _is_basic_index(key)

    def backward(g: np.ndarray) -> tuple:
        full = np.zeros(shape, dtype=dtype)
        if basic:
            full[key] = g  # a basic index selects each element at most once
        else:
            np.add.at(full, key, g)  # advanced indices may repeat: add, never overwrite
        return (full,)

    return _new(a.data[key], (a,), backward, "getitem")


# ------------------------------------------------------------------- matmul
def _mm(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    # With an inner dimension of 1, np.matmul skips BLAS and is several times
    # slower than the equivalent broadcast outer product.
    if x.shape[-1] == 1:
        return x * y
    return x @ y


def matmul(a: Any, b: Any) -> Tensor:
    """``A @ B`` for 1-D and 2-D operands (and stacks of matrices), NumPy's rules.

    For ``x @ W`` with x of shape (N, in) and W of shape (in, out): ∂W = xᵀ g and
    ∂x = g Wᵀ. A 1-D operand is a row (on the left) or a column (on the right).
    """
    a, b = _pair(a, b)
    A, B = a.data, b.data
    if A.ndim == 0 or B.ndim == 0:
        raise ShapeError(expected("matmul operands with at least one dimension",
                                  f"shapes {A.shape} and {B.shape}", "use * to multiply by a scalar"))
    try:
        out = np.matmul(A, B)
    except ValueError:
        inner_b = B.shape[0] if B.ndim == 1 else B.shape[-2]
        raise ShapeError(expected(
            f"matmul shapes (..., n, k) @ (..., k, m) with equal k (here {A.shape[-1]} vs {inner_b})",
            f"shapes {A.shape} and {B.shape}",
            "transpose one operand or check the layer sizes")) from None

    def backward(g: np.ndarray) -> tuple:
        if A.ndim == 1 and B.ndim == 1:  # dot product: out is a scalar
            return (g * B if a.requires_grad else None, g * A if b.requires_grad else None)
        A2 = A[None, :] if A.ndim == 1 else A  # (1, k): a row
        B2 = B[:, None] if B.ndim == 1 else B  # (k, 1): a column
        g2 = g[..., None, :] if A.ndim == 1 else g
        g2 = g2[..., :, None] if B.ndim == 1 else g2
        ga = gb = None
        if a.requires_grad:
            ga = _unbroadcast(_mm(g2, np.swapaxes(B2, -1, -2)), A2.shape).reshape(A.shape)
        if b.requires_grad:
            gb = _unbroadcast(_mm(np.swapaxes(A2, -1, -2), g2), B2.shape).reshape(B.shape)
        return ga, gb

    return _new(out, (a, b), backward, "matmul")


# ----------------------------------------------------------- softmax family
def log_softmax(a: Tensor, axis: int = -1) -> Tensor:
    """log softmax(x) = x − max − ln Σ exp(x − max): never overflows, never takes log 0."""
    x = a.data
    shifted = x - np.max(x, axis=axis, keepdims=True)
    out = shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))

    def backward(g: np.ndarray) -> tuple:
        return (g - np.exp(out) * np.sum(g, axis=axis, keepdims=True),)

    return _new(out, (a,), backward, "log_softmax")


def softmax(a: Tensor, axis: int = -1) -> Tensor:
    """s = exp(x − max) / Σ exp(x − max); the shift changes nothing but overflow."""
    x = a.data
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    s = e / np.sum(e, axis=axis, keepdims=True)

    def backward(g: np.ndarray) -> tuple:
        return (s * (g - np.sum(g * s, axis=axis, keepdims=True)),)

    return _new(s, (a,), backward, "softmax")
