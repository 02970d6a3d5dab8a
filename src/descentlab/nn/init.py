r"""Weight initialisers. Each takes a shape ``(fan_in, fan_out)`` and a seed or Generator.

=================  ==========================================  =============================
name               distribution                                 source
=================  ==========================================  =============================
``xavier_uniform`` :math:`U(-a, a),\ a = \sqrt{6/(n_{in}+n_{out})}`  Glorot & Bengio (2010), eq. 16
``xavier_normal``  :math:`N(0, 2/(n_{in}+n_{out}))`             Glorot & Bengio (2010)
``he_normal``      :math:`N(0, 2/n_{in})`                       He et al. (2015), eq. 10
``he_uniform``     :math:`U(-a, a),\ a = \sqrt{6/n_{in}}`        He et al. (2015)
``small_uniform``  :math:`U(-a, a)`, ``a = 0.5`` by default     the chapter: "initialize θ₀ randomly"
``zeros``          all zero (biases)
=================  ==========================================  =============================

The chapter's worked example uses small weights in (0, 1) (0.1, 0.8, 0.4, 0.6, 0.3, 0.9);
``small_uniform(shape, seed, low=0.0, high=1.0)`` draws from that range.
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import ConfigError, expected
from ..validation import as_rng

__all__ = ["xavier_uniform", "xavier_normal", "he_normal", "he_uniform", "small_uniform", "zeros",
           "INITIALISERS", "get_init"]


def _rng(seed) -> np.random.Generator:
    return as_rng("init", seed)


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) != 2:
        raise ConfigError(expected("a weight shape (fan_in, fan_out)", shape))
    return int(shape[0]), int(shape[1])


def xavier_uniform(shape, seed=0, dtype=np.float64) -> np.ndarray:
    """Glorot uniform: keeps the variance of activations and gradients about equal across layers."""
    n_in, n_out = _fans(shape)
    a = math.sqrt(6.0 / (n_in + n_out))
    return _rng(seed).uniform(-a, a, size=shape).astype(dtype)


def xavier_normal(shape, seed=0, dtype=np.float64) -> np.ndarray:
    n_in, n_out = _fans(shape)
    return (_rng(seed).standard_normal(shape) * math.sqrt(2.0 / (n_in + n_out))).astype(dtype)


def he_normal(shape, seed=0, dtype=np.float64) -> np.ndarray:
    """He/Kaiming normal, for ReLU layers (half the units are off, so twice the variance)."""
    n_in, _ = _fans(shape)
    return (_rng(seed).standard_normal(shape) * math.sqrt(2.0 / n_in)).astype(dtype)


def he_uniform(shape, seed=0, dtype=np.float64) -> np.ndarray:
    n_in, _ = _fans(shape)
    a = math.sqrt(6.0 / n_in)
    return _rng(seed).uniform(-a, a, size=shape).astype(dtype)


def small_uniform(shape, seed=0, dtype=np.float64, low: float = -0.5, high: float = 0.5) -> np.ndarray:
    """Small uniform weights, as the chapter initialises θ₀ "randomly"."""
    if not low < high:
        raise ConfigError(expected("low < high", f"low={low}, high={high}", "swap them or widen the range"))
    return _rng(seed).uniform(low, high, size=shape).astype(dtype)


def zeros(shape, seed=0, dtype=np.float64) -> np.ndarray:
    return np.zeros(shape, dtype=dtype)


INITIALISERS = {
    "xavier": xavier_uniform,
    "glorot": xavier_uniform,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "he": he_normal,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "small_uniform": small_uniform,
    "uniform": small_uniform,
    "zeros": zeros,
}


def get_init(name_or_fn):
    """An initialiser by name (see the table above), or the callable itself."""
    if callable(name_or_fn):
        return name_or_fn
    key = str(name_or_fn).lower()
    if key not in INITIALISERS:
        raise ConfigError(expected(f"an initialiser in {sorted(INITIALISERS)}", repr(name_or_fn),
                                   "pick a listed name, or pass a callable (shape, seed, dtype=...) -> array"))
    return INITIALISERS[key]
