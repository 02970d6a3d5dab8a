"""Newton's method with damping, regularisation and a declared fallback.

The lecture, section 2: from ``grad f(x + h) ~ grad f(x) + H h = 0``::

    x <- x - H^{-1} grad f(x)

Here, with a step length ``lr`` (damped Newton; 1 is the pure step) and a
Levenberg-style regularisation ``lambda = regularization``::

    x <- x - lr * (H + lambda I)^{-1} g

When ``H + lambda I`` is not positive definite the Newton direction need not go
downhill (at a saddle it goes *towards* the saddle). Then the ``fallback`` decides,
and both a :class:`NewtonFallbackWarning` and the step record say which was taken:

* ``'regularize'``: shift the matrix so that its smallest eigenvalue becomes
  ``max(|eig_min|, min_curvature)``, i.e. add ``(-eig_min + max(|eig_min|, min_curvature)) I``.
  The negative curvature's own size sets the shift, which keeps the step on the scale of
  the problem; a shift to a tiny constant (``min_curvature`` alone) would leave the matrix
  nearly singular and throw the iterate far away along that direction;
* ``'gradient'``: a gradient step ``x <- x - fallback_lr * g``;
* ``'none'``: take the indefinite Newton step anyway (and warn).

Parameters are flattened in the order of the params dict; ``hessian`` is the
``(n, n)`` matrix of that flat vector, or a dict ``{name: (size, size) block}`` for a
block-diagonal Hessian.
"""
from __future__ import annotations

import warnings
from typing import Any, Mapping

import numpy as np

from ..errors import ConfigError, ShapeError, expected
from .base import Optimizer, _check_grads
from .state import OptState

__all__ = ["Newton", "NewtonFallbackWarning"]


class NewtonFallbackWarning(RuntimeWarning):
    """The Hessian was not positive definite, and Newton's method took its fallback."""


class Newton(Optimizer):
    """Newton's method.

    Hyperparameters
    ---------------
    lr : float or schedule           step length (1: the pure Newton step)
    regularization : float >= 0      lambda in (H + lambda I)
    fallback : 'regularize' | 'gradient' | 'none'
    min_curvature : float >= 0       floor of the smallest eigenvalue after a 'regularize' fallback
    fallback_lr : float >= 0         step of the 'gradient' fallback
    """

    HYPER = ("lr", "regularization", "fallback", "min_curvature", "fallback_lr")
    SLOTS = ()
    needs_hessian = True

    def _update(self, grads, state, params, hessian=None):
        grads = _check_grads(grads, state, params)
        if hessian is None:
            raise ConfigError(expected("a hessian for newton", "none",
                                       "pass hessian= to step()/update() (the matrix of second derivatives)"))
        names = list(grads)
        sizes = [int(np.size(grads[n])) for n in names]
        g = np.concatenate([np.ravel(grads[n]) for n in names]).astype(float)
        H = _assemble(hessian, names, sizes)
        k = state.step
        lr = self.lr_at(k)
        direction, note, step_size = self._direction(H, g, lr)
        flat_u = -step_size * direction
        updates, extras, start = {}, {}, 0
        for n, size in zip(names, sizes):
            shape = np.shape(grads[n])
            updates[n] = flat_u[start:start + size].reshape(shape).astype(np.asarray(params[n]).dtype, copy=False)
            extras[n] = {"note": note, "step_size": np.broadcast_to(step_size, (sum(sizes),))[start:start + size].reshape(shape)}
            start += size
        return updates, OptState(k + 1, {n: {} for n in names}), extras, lr

    def _direction(self, H, g, lr):
        """Solve ``(H + lambda I) d = g``; returns ``(d, note, step_size)``, the update being
        ``-step_size * d``, and ``note`` None unless a fallback was taken."""
        h = self.hyper
        n = g.size
        A = 0.5 * (H + H.T) + h["regularization"] * np.eye(n)
        try:
            L = np.linalg.cholesky(A)
        except np.linalg.LinAlgError:
            L = None
        if L is not None:
            d = _cholesky_solve(L, g)
            return d, None, lr
        eig_min = float(np.linalg.eigvalsh(A)[0])
        fb = h["fallback"]
        if fb == "regularize":
            shift = -eig_min + max(abs(eig_min), h["min_curvature"])
            note = (f"regularize: H + {h['regularization']:g} I not positive definite (smallest eigenvalue "
                    f"{eig_min:.3g}); added {shift:.3g} I")
            warnings.warn("Newton: " + note, NewtonFallbackWarning, stacklevel=4)
            A2 = A + shift * np.eye(n)
            try:
                d = _cholesky_solve(np.linalg.cholesky(A2), g)
            except np.linalg.LinAlgError:  # min_curvature = 0 leaves it singular
                d = np.linalg.lstsq(A2, g, rcond=None)[0]
            return d, note, lr
        if fb == "gradient":
            note = (f"gradient: H + {h['regularization']:g} I not positive definite (smallest eigenvalue "
                    f"{eig_min:.3g}); took a gradient step with fallback_lr={h['fallback_lr']:g}")
            warnings.warn("Newton: " + note, NewtonFallbackWarning, stacklevel=4)
            return g, note, h["fallback_lr"]
        note = (f"none: H + {h['regularization']:g} I not positive definite (smallest eigenvalue {eig_min:.3g}); "
                f"took the indefinite Newton step")
        warnings.warn("Newton: " + note, NewtonFallbackWarning, stacklevel=4)
        try:
            d = np.linalg.solve(A, g)
        except np.linalg.LinAlgError:
            d = np.linalg.lstsq(A, g, rcond=None)[0]
        return d, note, lr


def _cholesky_solve(L: np.ndarray, g: np.ndarray) -> np.ndarray:
    # A = L L^T: solve L y = g, then L^T d = y (plain solves; n is small for Newton)
    y = np.linalg.solve(L, g)
    return np.linalg.solve(L.T, y)


def _assemble(hessian: Any, names: list[str], sizes: list[int]) -> np.ndarray:
    n = sum(sizes)
    if isinstance(hessian, Mapping):
        H = np.zeros((n, n))
        start = 0
        for name, size in zip(names, sizes):
            if name not in hessian:
                raise ShapeError(expected(f"a Hessian block for parameter {name!r}", sorted(hessian),
                                          "give one block per parameter or one full matrix"))
            block = np.asarray(hessian[name], dtype=float)
            if block.shape != (size, size):
                raise ShapeError(expected(f"Hessian block of {name!r} with shape {(size, size)}", f"shape {block.shape}",
                                          "flatten the parameter: the block is d2f/dx_i dx_j over its entries"))
            H[start:start + size, start:start + size] = block
            start += size
        extra = sorted(set(hessian) - set(names))
        if extra:
            raise ShapeError(expected(f"Hessian blocks for the parameters {names}", f"also {extra}",
                                      "give one block per parameter, under the names of params"))
    else:
        H = np.asarray(hessian, dtype=float)
        if H.shape != (n, n):
            raise ShapeError(expected(f"a Hessian of shape {(n, n)} (all parameters flattened in order)",
                                      f"shape {H.shape}", "pass the matrix of second derivatives of the flat vector"))
    if not np.all(np.isfinite(H)):
        raise ConfigError(expected("a finite Hessian", "non-finite entries", "check the second derivatives"))
    return H
