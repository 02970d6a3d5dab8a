"""Your own function as a surface: ``from_function(fn, x0)``.

``fn`` takes a NumPy vector and returns a number. descentlab differentiates it

* with its own reverse-mode autodiff (``method="autodiff"``, the default): ``fn`` is
  called with a :class:`~descentlab.autodiff.Tensor` instead of an array, so it must use
  operations a Tensor supports (arithmetic, powers, indexing, sums, the functions of
  ``descentlab.autodiff.functional``); the Hessian is then the central difference of
  the exact gradient;
* or by float64 central differences (``method="fd"``, :mod:`descentlab.calculus`), which
  works for any ``fn``: ∂f/∂x_i ≈ (f(x + h e_i) − f(x − h e_i)) / 2h, error O(h²).
"""
from __future__ import annotations

import importlib
import importlib.util
import math
import sys
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import ConfigError, DataError, ShapeError, expected
from .base import Surface, as_point

__all__ = ["from_function", "load_function"]

def _scalar(value, where: str) -> float:
    data = getattr(value, "data", value)  # a Tensor's array, or the value itself
    arr = np.asarray(data)
    if arr.dtype == object or arr.size != 1:
        raise ShapeError(expected(f"a function that returns one number {where}",
                                  f"a value of shape {arr.shape}", "return a scalar, e.g. sum the terms"))
    try:
        out = float(arr.reshape(()))
    except (TypeError, ValueError) as exc:
        raise ShapeError(expected(f"a number {where}", type(value).__name__, "return a float")) from exc
    return out


def _autodiff_grad(fn: Callable, name: str) -> Callable[[np.ndarray], np.ndarray]:
    try:
        ad = importlib.import_module("descentlab.autodiff")
        Tensor = ad.Tensor
    except (ImportError, AttributeError) as exc:  # pragma: no cover - the engine ships with the package
        raise ConfigError(expected("descentlab.autodiff to be available", str(exc), "use method='fd'")) from exc

    def grad(x: np.ndarray) -> np.ndarray:
        t = Tensor(np.array(x, dtype=np.float64), requires_grad=True)
        try:
            out = fn(t)
            out.backward()
        except Exception as exc:
            raise ConfigError(expected(f"{name} to work on a descentlab Tensor for autodiff",
                                       f"{type(exc).__name__}: {exc}",
                                       "write it with Tensor operations, or pass method='fd' (finite differences)")) from exc
        g = t.grad
        if g is None:
            return np.zeros_like(x)  # f does not depend on x
        return np.asarray(g, dtype=np.float64).reshape(x.shape)

    return grad


def from_function(fn: Callable[[np.ndarray], float], x0, *, method: str = "autodiff",
                  name: str | None = None, minima=(), window=None) -> Surface:
    """Wrap a Python function of a NumPy vector as a :class:`Surface`.

    Parameters
    ----------
    fn : callable
        ``x -> f(x)``, x a float64 vector of length ``len(x0)``; must return one finite number.
    x0 : array_like
        The start; its length fixes the dimension n.
    method : {"autodiff", "fd"}
        How to differentiate: descentlab's autodiff, or central differences.
    name : str, optional
        A label (default: the function's ``__name__``).
    minima : sequence of array_like, optional
        Known minimisers, if any, for distances in races and plots.
    window : sequence of (lo, hi), optional
        Plot window (default: x0 ± 3 in each coordinate).

    Raises
    ------
    ShapeError
        ``fn(x0)`` is not a single number.
    DataError
        ``fn(x0)`` is NaN or infinite.
    ConfigError
        An unknown ``method``, or ``fn`` fails under autodiff.
    """
    if not callable(fn):
        raise ConfigError(expected("a callable f(x)", type(fn).__name__, "pass a function"))
    if method not in ("autodiff", "fd"):
        raise ConfigError(expected("method 'autodiff' or 'fd'", repr(method)))
    label = name or getattr(fn, "__name__", "f")
    a = np.asarray(x0, dtype=np.float64)
    if a.ndim > 1 or a.size == 0:
        raise ShapeError(expected("a start vector x0 (1-D, non-empty)", f"shape {a.shape}", "pass a flat list of numbers"))
    x0 = a.reshape(-1)
    n = x0.size

    def value(x):
        return _scalar(fn(np.array(x, dtype=np.float64)), "at x")

    try:
        with np.errstate(all="ignore"):
            raw = fn(x0.copy())
    except Exception as exc:
        raise ConfigError(expected(f"{label} to accept a NumPy vector x0 = {x0.tolist()}",
                                   f"{type(exc).__name__}: {exc}",
                                   "write f(x) for a float64 array x of the start's length")) from exc
    f0 = _scalar(raw, f"at x0 = {x0.tolist()}")
    if not math.isfinite(f0):
        raise DataError(expected(f"a finite value of {label} at x0 = {x0.tolist()}", f0,
                                 "start somewhere the function is defined"))
    from ..calculus import numerical_gradient, numerical_hessian

    if method == "autodiff":
        gradient = _autodiff_grad(fn, label)
        hessian = lambda x: numerical_hessian(value, x, h=1e-6, grad=gradient)  # noqa: E731
    else:
        gradient = lambda x: numerical_gradient(value, x)  # noqa: E731
        hessian = lambda x: numerical_hessian(value, x)  # noqa: E731
    g0 = gradient(x0.copy())
    if not np.all(np.isfinite(g0)):
        raise DataError(expected(f"a finite gradient of {label} at x0", g0.tolist(), "start elsewhere"))
    if window is None:
        window = tuple((float(v) - 3.0, float(v) + 3.0) for v in x0)
    return Surface(
        name=label, dim=n, value=value, gradient=gradient, hessian=hessian,
        minima=tuple(as_point(m, n, "minimum") for m in minima), start=x0.copy(),
        window=tuple(tuple(map(float, w)) for w in window), formula=label, exact=False,
        params={"method": method},
    )


def load_function(spec: str) -> Callable:
    """Import ``module:function`` (or ``path/to/file.py:function``) and return the function."""
    if not isinstance(spec, str) or ":" not in spec:
        raise ConfigError(expected("module:function", repr(spec), "e.g. mypkg.losses:f or ./f.py:f"))
    mod_name, _, attr = spec.rpartition(":")
    if not mod_name or not attr:
        raise ConfigError(expected("module:function", repr(spec), "e.g. mypkg.losses:f"))
    try:
        if mod_name.endswith(".py"):
            path = Path(mod_name)
            if not path.is_file():
                raise ConfigError(expected("an existing Python file", str(path), "check the path"))
            module_spec = importlib.util.spec_from_file_location(f"_descentlab_user_{path.stem}", path)
            module = importlib.util.module_from_spec(module_spec)
            sys.modules[module_spec.name] = module
            module_spec.loader.exec_module(module)
        else:
            module = importlib.import_module(mod_name)
    except ImportError as exc:
        raise ConfigError(expected("an importable module", mod_name, f"check the name and sys.path ({exc})")) from exc
    fn = getattr(module, attr, None)
    if fn is None or not callable(fn):
        raise ConfigError(expected(f"a function {attr!r} in {mod_name}", "nothing callable by that name",
                                   "check the name after the colon"))
    return fn
