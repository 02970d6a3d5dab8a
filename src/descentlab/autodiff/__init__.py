"""Reverse-mode automatic differentiation: back-propagation for any graph of primitives.

>>> from descentlab.autodiff import Tensor, functional as F
>>> w = Tensor([0.3, 0.9], requires_grad=True)      # the lecture's output weights
>>> y = F.sigmoid(w @ Tensor([0.682, 0.663]))       # y5 = f(w53 y3 + w54 y4)
>>> F.mse_loss(y, 0.5, convention="half_sum").backward()
>>> w.grad.round(4)                                 # (∂E/∂w53, ∂E/∂w54)
array([0.0277, 0.027 ])

* :class:`Tensor` (``tensor.py``): data, ``.grad``, ``backward``, ``detach``, ``zero_grad``.
* ``ops.py``: every primitive with its local gradient, in one table.
* ``functional.py``: activations and losses (imported as ``F``).
* ``grad_mode.py``: :func:`no_grad`.
* ``gradcheck.py``: :func:`gradcheck` against float64 central differences.
"""
from __future__ import annotations

from . import functional, ops
from .functional import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    log_softmax,
    mse_loss,
    relu,
    sigmoid,
    softmax,
    softplus,
    tanh,
)
from .gradcheck import GradcheckReport, gradcheck
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .ops import clip, exp, log, matmul, maximum
from .tensor import GraphError, NonFiniteGradientError, Tensor, as_tensor, parameters_zero_grad

F = functional

__all__ = [
    "Tensor", "as_tensor", "no_grad", "enable_grad", "is_grad_enabled",
    "gradcheck", "GradcheckReport", "GraphError", "NonFiniteGradientError",
    "functional", "F", "ops", "parameters_zero_grad",
    "exp", "log", "matmul", "maximum", "clip",
    "sigmoid", "tanh", "relu", "softplus", "softmax", "log_softmax",
    "mse_loss", "cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits",
]
