"""Gradient clipping: by the global norm of all gradients together, and by value.

By global norm (Pascanu et al. 2013; PyTorch ``clip_grad_norm_``), with
``n = ||(g_1, ..., g_P)||`` over every parameter's gradient::

    c  = min(1, max_norm / (n + eps))          eps = 1e-6 as PyTorch
    g <- c * g                                  for every parameter

``norm_type`` may be any p >= 1 or ``inf`` (the largest ``|g_i|``). PyTorch multiplies
even when ``c == 1``; so does this, which keeps the result bit for bit.

By value (PyTorch ``clip_grad_value_``, optax ``clip``)::

    g <- min(max(g, -clip), clip)

Both are pure: they return new arrays and leave the given ones alone.
"""
from __future__ import annotations

import math
from typing import Mapping

import numpy as np

from ..errors import ConfigError, expected

__all__ = ["global_norm", "clip_by_global_norm", "clip_by_value"]


def _check_positive(name: str, value: float, allow_inf: bool = False) -> float:
    ok = isinstance(value, (int, float, np.floating)) and not isinstance(value, bool)
    v = float(value) if ok else float("nan")
    if not (v > 0 and (allow_inf or math.isfinite(v))):
        raise ConfigError(expected(f"{name} > 0", value, f"pass a positive number, e.g. {name}=1.0"))
    return v


def global_norm(grads: Mapping[str, np.ndarray], norm_type: float = 2.0) -> float:
    """The p-norm of all gradients together (of the per-parameter norms, as PyTorch computes it)."""
    p = _check_positive("norm_type", norm_type, allow_inf=True)
    arrays = [np.asarray(g, dtype=np.float64).ravel() for g in grads.values()]
    if not arrays:
        return 0.0
    if math.isinf(p):
        return float(max((np.max(np.abs(a)) if a.size else 0.0) for a in arrays))
    norms = np.array([np.linalg.norm(a, ord=p) if a.size else 0.0 for a in arrays])
    return float(np.linalg.norm(norms, ord=p))


def clip_by_global_norm(grads: Mapping[str, np.ndarray], max_norm: float, norm_type: float = 2.0,
                        eps: float = 1e-6) -> tuple[dict[str, np.ndarray], float]:
    """``(clipped, norm)``: every gradient times ``min(1, max_norm / (norm + eps))``.

    >>> g, n = clip_by_global_norm({"a": np.array([3.0]), "b": np.array([4.0])}, max_norm=1.0)
    >>> round(n, 12), g["a"].round(6).tolist(), g["b"].round(6).tolist()
    (5.0, [0.6], [0.8])
    """
    max_norm = _check_positive("max_norm", max_norm)
    norm = global_norm(grads, norm_type)
    coef = min(1.0, max_norm / (norm + eps))
    out = {}
    for name, g in grads.items():
        g = np.asarray(g)
        out[name] = g * g.dtype.type(coef) if g.dtype.kind == "f" else g * coef
    return out, norm


def clip_by_value(grads: Mapping[str, np.ndarray], clip: float) -> dict[str, np.ndarray]:
    """Every coordinate of every gradient clamped to ``[-clip, clip]``.

    >>> clip_by_value({"a": np.array([-3.0, 0.5, 2.0])}, 1.0)["a"].tolist()
    [-1.0, 0.5, 1.0]
    """
    clip = _check_positive("clip", clip)
    return {name: np.clip(np.asarray(g), -clip, clip) for name, g in grads.items()}
