"""Activations and losses, as functions of tensors (``import ... functional as F``).

Activations are the primitives of :mod:`descentlab.autodiff.ops`. Losses are built
from primitives, each reduced to a scalar by a named convention:

* ``mse_loss(y, t, convention="half_sum")``: E = ½ Σ (y − t)², the lecture's error
  (slide "Example II": E = ½(y_p − y_a)²). ``convention="mean"``: (1/n) Σ (y − t)²,
  PyTorch's ``MSELoss`` and Keras's ``mean_squared_error``.
* ``cross_entropy(logits, target)``: −Σ_c t_c log softmax(z)_c per sample, from the
  logits through a stable log-softmax; ``target`` is integer class labels or one-hot
  (or soft) probabilities. Averaged over samples, as PyTorch does.
* ``binary_cross_entropy(p, t)``: −[t ln p + (1−t) ln(1−p)] from probabilities, with
  p clipped to [eps, 1 − eps] (Keras's rule, eps = 1e−7) so ln 0 never happens.
* ``binary_cross_entropy_with_logits(z, t)``: the same loss from z with p = σ(z),
  computed as softplus(z) − t·z, exact for any z.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ConfigError, DataError, DTypeError, ShapeError, expected
from . import ops
from .ops import log_softmax, relu, sigmoid, softmax, softplus, tanh
from .tensor import Tensor

__all__ = [
    "sigmoid", "tanh", "relu", "softplus", "softmax", "log_softmax",
    "mse_loss", "cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "MSE_CONVENTIONS", "REDUCTIONS",
]

MSE_CONVENTIONS = ("half_sum", "mean")
REDUCTIONS = ("mean", "sum", "none")


def _reduce(per_sample: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return per_sample.mean()
    if reduction == "sum":
        return per_sample.sum()
    if reduction == "none":
        return per_sample
    raise ConfigError(expected(f"reduction in {REDUCTIONS}", repr(reduction), "pick one of those names"))


def _target(t: Any, like: Tensor) -> Tensor:
    """A target as a constant tensor of the prediction's dtype.

    Targets are data, not parameters: integer or bool 0/1 labels are fine here, and
    a float64 target must not turn a float32 network's backward pass into float64.
    """
    if isinstance(t, Tensor):
        return t if t.dtype == like.dtype else Tensor(t.data.astype(like.dtype))
    arr = np.asarray(t)
    if arr.dtype.kind not in "biuf":
        raise DTypeError(expected("a numeric target", f"dtype {arr.dtype}", "pass numbers, e.g. a float array"))
    return Tensor(arr.astype(like.dtype, copy=False))


def _same_shape(name: str, y: Tensor, t: Tensor) -> None:
    # No silent broadcasting: (N, 1) against (N,) would give an (N, N) error matrix.
    if y.shape != t.shape:
        raise ShapeError(expected(f"{name} prediction and target of the same shape",
                                  f"{y.shape} and {t.shape}",
                                  "reshape the target, e.g. t.reshape(y.shape)"))


def mse_loss(y: Tensor, t: Any, convention: str = "mean") -> Tensor:
    """Squared error between prediction ``y`` and target ``t``, reduced by ``convention``.

    ``"half_sum"``: E = ½ Σᵢ (yᵢ − tᵢ)², the lecture's error, whose gradient is
    simply y − t. ``"mean"``: E = (1/n) Σᵢ (yᵢ − tᵢ)² over all n elements (PyTorch).

    >>> from descentlab.autodiff import Tensor
    >>> round(mse_loss(Tensor([0.69]), [0.5], convention="half_sum").item(), 6)
    0.01805
    """
    t = _target(t, y)
    _same_shape("mse_loss", y, t)
    r = y - t
    if convention == "half_sum":
        return 0.5 * (r ** 2).sum()
    if convention == "mean":
        return (r ** 2).mean()
    raise ConfigError(expected(f"convention in {MSE_CONVENTIONS}", repr(convention),
                               "'half_sum' is the lecture's ½Σ(y−t)², 'mean' is PyTorch's MSELoss"))


def cross_entropy(logits: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy from logits z of shape (N, C) (or (C,) for one sample).

    L_i = −Σ_c t_ic ln softmax(z_i)_c = −ln softmax(z_i)_{y_i} for a label y_i.

    ``target`` is either integer labels of shape (N,) with values in [0, C), or
    float probabilities shaped like ``logits`` (one-hot or soft). The log-softmax
    subtracts the row maximum, so logits of any size give a finite loss.
    """
    if logits.ndim not in (1, 2):
        raise ShapeError(expected("logits of shape (N, C) or (C,)", f"shape {logits.shape}",
                                  "flatten the sample axes first"))
    logp = log_softmax(logits, axis=-1)  # (N, C)
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind in "iu":
        n_classes = logits.shape[-1]
        want = logits.shape[:-1]
        if t.shape != want:
            raise ShapeError(expected(f"integer labels of shape {want}", f"shape {t.shape}",
                                      "pass one label per row of the logits"))
        if t.size and (t.min() < 0 or t.max() >= n_classes):
            raise DataError(expected(f"labels in [0, {n_classes})", f"values from {t.min()} to {t.max()}",
                                     "check the number of output units"))
        if logits.ndim == 1:
            per_sample = -logp[int(t)]
        else:
            per_sample = -logp[np.arange(len(t)), t]  # gathers ln p of each true class
    elif t.dtype.kind == "f":
        if t.shape != logits.shape:
            raise ShapeError(expected(f"target probabilities of shape {logits.shape}", f"shape {t.shape}",
                                      "pass one-hot rows, or integer labels"))
        per_sample = -(logp * _target(t, logits)).sum(axis=-1)
    else:
        raise ConfigError(expected("integer labels or float probabilities", f"dtype {t.dtype}",
                                   "pass labels as an int array or one-hot rows as floats"))
    return _reduce(per_sample, reduction)


def binary_cross_entropy(p: Tensor, t: Any, eps: float = 1e-7, reduction: str = "mean") -> Tensor:
    """−[t ln p + (1 − t) ln(1 − p)] from probabilities p, clipped to [eps, 1 − eps].

    The clip (Keras's ``epsilon``, default 1e−7) keeps ln finite when p reaches 0
    or 1; the gradient stops where p is clipped. PyTorch's ``BCELoss`` instead
    clamps each log at −100; the two agree for eps ≤ p ≤ 1 − eps.
    """
    if not 0.0 < eps < 0.5:
        raise ConfigError(expected("0 < eps < 0.5", eps, "use a small clip such as 1e-7"))
    t = _target(t, p)
    _same_shape("binary_cross_entropy", p, t)
    pc = ops.clip(p, eps, 1.0 - eps)
    per_element = -(t * pc.log() + (1.0 - t) * (1.0 - pc).log())
    return _reduce(per_element, reduction)


def binary_cross_entropy_with_logits(z: Tensor, t: Any, reduction: str = "mean") -> Tensor:
    """The binary cross-entropy of p = σ(z), computed from z as softplus(z) − t·z.

    Since ln σ(z) = −softplus(−z) and ln(1 − σ(z)) = −softplus(z), the loss
    −[t ln σ(z) + (1−t) ln(1−σ(z))] equals softplus(z) − t·z, finite for any z,
    and its gradient σ(z) − t is exact even where σ(z) rounds to 0 or 1.
    """
    t = _target(t, z)
    _same_shape("binary_cross_entropy_with_logits", z, t)
    return _reduce(softplus(z) - t * z, reduction)
