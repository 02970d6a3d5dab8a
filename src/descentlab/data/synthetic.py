"""Synthetic datasets made from a seed: the chapter's linear regression, XOR, moons, spirals."""
from __future__ import annotations

import numpy as np

from ..validation import Integral, Interval, as_rng, check
from .dataset import Dataset

__all__ = ["linear_regression", "xor", "two_moons", "spirals"]


def _check_n(owner: str, n: int, least: int = 1) -> int:
    return check(owner, "n_samples", n, [Interval(Integral, least, None)], fix=f"ask for at least {least} samples")


def linear_regression(n_samples: int = 200, n_features: int = 3, noise: float = 0.1, seed=0,
                      bias: bool = True) -> Dataset:
    r"""The chapter's linear model :math:`f_w(x) = w^T x` with Gaussian noise.

    ``y = X w_true + noise * ε`` with ``x ~ N(0, 1)`` per feature and ``ε ~ N(0, 1)``.
    With ``bias=True`` the last column of ``X`` is all ones, so ``w`` carries the
    intercept, as in the lecture where :math:`x_0 = 1` is folded into :math:`x`.
    ``info`` holds ``w_true`` and ``noise``; the least-squares solution is
    ``np.linalg.lstsq(X, y)``.
    """
    n = _check_n("linear_regression", n_samples, 2)
    rng = as_rng("linear_regression", seed)
    d = int(n_features)
    X = rng.standard_normal((n, d))
    if bias:
        X = np.hstack([X, np.ones((n, 1))])
    w_true = rng.uniform(-2.0, 2.0, size=X.shape[1])
    y = X @ w_true + noise * rng.standard_normal(n)
    return Dataset(X, y, "regression", None, "linear_regression", {"w_true": w_true, "noise": float(noise)})


def xor(n_samples: int = 200, noise: float = 0.1, seed=0) -> Dataset:
    """Four Gaussian blobs at the corners of [-1, 1]²; class = x₁·x₂ < 0 (XOR of the signs)."""
    n = _check_n("xor", n_samples, 4)
    rng = as_rng("xor", seed)
    corners = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    which = np.arange(n) % 4
    X = corners[which] + noise * rng.standard_normal((n, 2))
    y = np.array([0, 1, 1, 0])[which]
    return Dataset(X, y, "classification", 2, "xor", {"noise": float(noise)})


def two_moons(n_samples: int = 200, noise: float = 0.1, seed=0) -> Dataset:
    """Two interleaving half circles (the shape scikit-learn's ``make_moons`` draws)."""
    n = _check_n("two_moons", n_samples, 2)
    rng = as_rng("two_moons", seed)
    n0 = n // 2
    n1 = n - n0
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.vstack([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n1, np.int64)])
    return Dataset(X, y, "classification", 2, "two_moons", {"noise": float(noise)})


def spirals(n_samples: int = 300, n_classes: int = 3, noise: float = 0.2, seed=0) -> Dataset:
    """``n_classes`` interleaved spiral arms (the CS231n toy set), radius 0..1."""
    k = check("spirals", "n_classes", n_classes, [Interval(Integral, 2, None)], fix="a spiral set needs two arms or more")
    n = _check_n("spirals", n_samples, k)
    rng = as_rng("spirals", seed)
    per = np.full(k, n // k)
    per[: n % k] += 1
    Xs, ys = [], []
    for c in range(k):
        r = np.linspace(0.0, 1.0, per[c])
        t = np.linspace(c * 4.0, (c + 1) * 4.0, per[c]) + noise * rng.standard_normal(per[c])
        Xs.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        ys.append(np.full(per[c], c, np.int64))
    return Dataset(np.vstack(Xs), np.concatenate(ys), "classification", k, "spirals", {"noise": float(noise)})
