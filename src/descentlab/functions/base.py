"""The :class:`Surface`: a function f: R^n -> R with its exact gradient and Hessian.

A surface carries what a descent experiment needs besides the formula: the known
minima (to measure the distance reached), a sensible default start, and a plot window.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..errors import ConfigError, ShapeError, expected

__all__ = ["Surface", "as_point"]

Vector = np.ndarray


def as_point(x, dim: int, what: str = "start") -> np.ndarray:
    """Return ``x`` as a float64 vector of length ``dim``, or raise a clear ShapeError."""
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 0:
        a = a.reshape(1)
    if a.ndim != 1 or a.shape[0] != dim:
        raise ShapeError(
            expected(f"a {what} with {dim} coordinate{'s' if dim != 1 else ''}", f"shape {np.shape(x)}",
                     f"pass {dim} number{'s' if dim != 1 else ''}, e.g. {','.join(['0'] * dim)}")
        )
    return a


@dataclass(frozen=True)
class Surface:
    """A scalar function of a vector with exact first and second derivatives.

    Parameters
    ----------
    name : str
        Registry name (``"rosenbrock"``) or a label for user functions.
    dim : int
        Number of coordinates n of x.
    value, gradient, hessian : callable
        ``x -> f(x)`` (float), ``x -> ∇f(x)`` (shape (n,)), ``x -> H_f(x)`` (shape (n, n)).
    minima : tuple of ndarray
        Known (global or local) minimisers; empty when f has none (the saddle).
    start : ndarray
        Default start x₀.
    window : tuple of (lo, hi)
        Plot range for each coordinate (for n <= 2).
    formula : str
        The formula, as text, for legends and listings.
    exact : bool
        True when ``gradient`` and ``hessian`` are written out exactly (False for user
        functions differentiated by autodiff or finite differences).
    params : dict
        The factory's options (eigenvalues, a, b …), for ``describe()``.

    The property ``f_min`` is the smallest f over the known minima, None when there
    are none (the saddle, unbounded below).
    """

    name: str
    dim: int
    value: Callable[[Vector], float]
    gradient: Callable[[Vector], Vector]
    hessian: Callable[[Vector], Vector]
    minima: tuple = ()
    start: Vector = field(default_factory=lambda: np.zeros(1))
    window: tuple = ((-1.0, 1.0),)
    formula: str = ""
    exact: bool = True
    params: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        # the three callables would print as <lambda> addresses: show what a reader needs instead
        minima = [np.asarray(m).tolist() for m in self.minima]
        return (f"Surface({self.name!r}, dim={self.dim}, formula={self.formula!r}, minima={minima}, "
                f"start={np.asarray(self.start).tolist()}" + (f", params={self.params}" if self.params else "") + ")")

    # f, grad, hess as short names that mirror the lecture's notation
    def f(self, x) -> float:
        """f(x) as a Python float."""
        return float(self.value(as_point(x, self.dim, "point")))

    def grad(self, x) -> np.ndarray:
        """∇f(x), shape (n,)."""
        return np.asarray(self.gradient(as_point(x, self.dim, "point")), dtype=np.float64).reshape(self.dim)

    def hess(self, x) -> np.ndarray:
        """H_f(x), shape (n, n)."""
        return np.asarray(self.hessian(as_point(x, self.dim, "point")), dtype=np.float64).reshape(self.dim, self.dim)

    def __call__(self, x) -> float:
        return self.f(x)

    @property
    def f_min(self) -> float | None:
        """Smallest f over the known minima (None when there are none)."""
        if not self.minima:
            return None
        return min(float(self.value(np.asarray(m, dtype=np.float64))) for m in self.minima)

    def nearest_minimum(self, x) -> tuple[np.ndarray | None, float]:
        """The known minimum closest to x and its Euclidean distance (None, nan if no minima)."""
        if not self.minima:
            return None, float("nan")
        x = as_point(x, self.dim, "point")
        dists = [float(np.linalg.norm(x - m)) for m in self.minima]
        i = int(np.argmin(dists))
        return np.asarray(self.minima[i]), dists[i]

    def check_start(self, x0=None) -> np.ndarray:
        """x0 as a float64 vector of the right length (the default start when None)."""
        if x0 is None:
            return np.array(self.start, dtype=np.float64)
        x = as_point(x0, self.dim, "start")
        if not np.all(np.isfinite(x)):
            raise ConfigError(expected("a finite start", f"({', '.join(f'{v:g}' for v in x)})",
                                       "pass finite numbers, e.g. " + ",".join(["0"] * self.dim)))
        return x

    def describe(self) -> dict:
        """A JSON-friendly description: name, formula, dim, minima, start, window."""
        return {
            "name": self.name,
            "formula": self.formula,
            "dim": self.dim,
            "minima": [np.asarray(m).tolist() for m in self.minima],
            "f_min": self.f_min,
            "start": np.asarray(self.start).tolist(),
            "window": [list(w) for w in self.window],
            "exact_derivatives": self.exact,
            "params": dict(self.params),
        }
