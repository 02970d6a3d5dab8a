"""AdaGrad (Duchi, Hazan & Singer 2011), with both eps placements of the lecture.

At update k (0-based), with S_0 = initial_accumulator::

    S   <- S + g**2
    lr_k = lr / (1 + k * lr_decay)                 (PyTorch's lr_decay; 0 turns it off)
    x   <- x - lr_k * g / (sqrt(S) + eps)          eps 'outside' (first slide, PyTorch, CS231n)
    x   <- x - lr_k * g / sqrt(S + eps)            eps 'inside'  (second slide, Keras, optax)

Keras and optax start from S_0 = 0.1, PyTorch from 0. Because S only grows, the step
``lr / sqrt(S)`` shrinks towards 0: the lecture's "gradient vanishing" remark.
"""
from __future__ import annotations

import numpy as np

from .base import Optimizer, denom

__all__ = ["AdaGrad"]


class AdaGrad(Optimizer):
    """AdaGrad.

    Hyperparameters
    ---------------
    lr : float or schedule
    lr_decay : float >= 0
    initial_accumulator : float >= 0     S_0
    eps : float >= 0
    eps_placement : 'outside' | 'inside'
    weight_decay : float >= 0
    weight_decay_form : 'l2' | 'decoupled'
    """

    HYPER = ("lr", "lr_decay", "initial_accumulator", "eps", "eps_placement", "weight_decay", "weight_decay_form")
    SLOTS = ("S",)
    EPS_FORMS = ("outside", "inside")

    def _init_slots(self, theta):
        return {"S": np.full_like(theta, self.hyper["initial_accumulator"])}

    def _rule(self, g, slots, k, lr):
        h = self.hyper
        eps = h["eps"]
        S = slots["S"] + g * g
        lr_k = lr / (1.0 + k * h["lr_decay"])
        step_size = lr_k / denom(S, eps, h["eps_placement"])
        return -step_size * g, {"S": S}, {"step_size": step_size}
