"""Which loss a run trains with, and the targets in the form that loss wants.

The one ``"auto"`` rule (:func:`auto_loss`): classes are scored with cross-entropy on
one logit per class, or with binary cross-entropy when the model has a single output;
regression with the mean squared error. :func:`resolve_loss` applies it and refuses a
loss that cannot score the model's outputs; :func:`prepare_targets` turns labels into
what the loss compares the outputs with.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from ..errors import ShapeError, expected
from ..nn.losses import LOSSES, get_loss, loss_reduction

__all__ = ["auto_loss", "resolve_loss", "prepare_targets", "predict", "sample_total", "TrainArrays", "train_arrays"]


def auto_loss(task: str, width: int) -> str:
    """The loss ``"auto"`` stands for: by the task and the model's output ``width``."""
    if task == "classification":
        return "bce" if width == 1 else "cross_entropy"
    return "mse"


def resolve_loss(loss: str | Callable, data, width: int) -> tuple[Callable, str]:
    """The loss function and its name; ``"auto"`` picks by :func:`auto_loss`."""
    if not isinstance(loss, str):
        return loss, getattr(loss, "__name__", "custom")
    name = str(loss).lower().replace("-", "_")
    if name == "auto":
        name = auto_loss(data.task, width)
    fn = get_loss(name)
    if name == "cross_entropy" and width == 1:
        raise ShapeError(expected("one logit per class for cross-entropy", "a model with one output",
                                  f"make the last layer {data.n_outputs} wide, or use loss='bce' for one logit"))
    return fn, name


def prepare_targets(y: np.ndarray, loss_name: str, n_outputs: int, dtype) -> np.ndarray:
    """Targets in the form the loss wants: labels for cross-entropy, one-hot/columns for MSE."""
    if loss_name == "cross_entropy":
        return y
    if y.dtype.kind in "iu":  # class labels scored with MSE or BCE: one-hot rows, or one 0/1 column
        if n_outputs == 1:
            return y.astype(dtype).reshape(-1, 1)
        from ..data.dataset import one_hot

        return one_hot(y, n_outputs, dtype)
    return y.astype(dtype).reshape(y.shape[0], -1)


class TrainArrays(NamedTuple):
    """One dataset as a loop reads it: inputs ``X``, targets ``T``, class labels ``y`` (None for regression)."""

    X: np.ndarray
    T: np.ndarray
    y: np.ndarray | None


def train_arrays(data, loss_name: str, width: int, dtype) -> TrainArrays:
    """``data`` in the model's ``dtype``, with targets for ``loss_name`` and a model ``width`` wide."""
    return TrainArrays(data.X.astype(dtype, copy=False), prepare_targets(data.y, loss_name, width, dtype),
                       data.y if data.task == "classification" else None)


def predict(out: np.ndarray, loss_fn) -> np.ndarray:
    """Class labels: the largest output, or, for one output, above 0 (a logit, for ``bce``) or above ½
    (a value fitted to 0/1 targets, e.g. by ``mse``)."""
    if out.shape[1] > 1:
        return np.argmax(out, axis=1)
    return (out[:, 0] > (0.0 if loss_fn is LOSSES["bce"] else 0.5)).astype(np.int64)


def sample_total(loss_fn, L: float, n: int) -> float:
    """The sum over a batch of ``n`` samples of their losses, from the batch's loss ``L``."""
    return L if loss_reduction(loss_fn) == "sum" else L * n
