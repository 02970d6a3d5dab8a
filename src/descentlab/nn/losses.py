"""The losses of :mod:`descentlab.autodiff.functional`, and a lookup by name for ``fit``.

=================  ================================================  ====================
name               loss of outputs ``y`` and targets ``t``          source
=================  ================================================  ====================
``cross_entropy``  −ln softmax(z)_label, mean over samples (logits)  PyTorch CrossEntropyLoss
``mse``            (1/n) Σ (y − t)² over all elements                PyTorch MSELoss
``mse_half``       ½ Σ (y − t)², summed over the batch               the lecture's E = ½Σ(y−ŷ)²
``bce``            binary cross-entropy from logits                  PyTorch BCEWithLogitsLoss
=================  ================================================  ====================

Every loss but ``mse_half`` is a mean over the batch. ``mse_half`` is a sum, so its
value grows with the batch; :func:`loss_reduction` tells ``fit`` which, so that the
per-epoch and validation losses are per-sample means whatever the batch size.
"""
from __future__ import annotations

from typing import Callable

from ..autodiff.functional import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                                   mse_loss)
from ..errors import ConfigError, expected

__all__ = ["mse_loss", "cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "LOSSES", "get_loss", "loss_reduction"]


def _mse(y, t):
    return mse_loss(y, t, convention="mean")


def _mse_half(y, t):
    return mse_loss(y, t, convention="half_sum")


_mse_half.reduction = "sum"


LOSSES: dict[str, Callable] = {
    "cross_entropy": cross_entropy,
    "mse": _mse,
    "mse_half": _mse_half,
    "bce": binary_cross_entropy_with_logits,
}


def get_loss(name: str) -> Callable:
    """``loss(outputs: Tensor, targets) -> scalar Tensor`` by name (see the table above)."""
    key = str(name).lower().replace("-", "_")
    if key not in LOSSES:
        raise ConfigError(expected(f"a loss in {sorted(LOSSES)}", repr(name),
                                   "pick a listed name (fit and the CLI also take 'auto')"))
    return LOSSES[key]


def loss_reduction(loss: Callable) -> str:
    """``"sum"`` for a loss summed over the batch (``mse_half``), else ``"mean"``.

    A custom loss that sums over the batch says so with ``loss.reduction = "sum"``.
    """
    return "sum" if getattr(loss, "reduction", "mean") == "sum" else "mean"
