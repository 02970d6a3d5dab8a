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

from dataclasses import dataclass

import numpy as np

from .base import Optimizer, denom
from .dispatch import StepForm

__all__ = ["AdaGrad", "AdaGradStep"]


@dataclass(frozen=True)
class AdaGradStep(StepForm):
    """One update of :class:`AdaGrad` (form ``adagrad``, or ``decayed_lr_decoupled``)."""

    lr_k: float          #: this update's lr after lr_decay: lr / (1 + k * lr_decay)
    eps: float
    eps_placement: str   #: 'outside' | 'inside'


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

    @property
    def form(self) -> str:
        h = self.hyper
        # decoupled decay uses the undecayed lr beside a rule that uses the decayed one
        if h["lr_decay"] and h["weight_decay"] and h["weight_decay_form"] == "decoupled":
            return "decayed_lr_decoupled"
        return "adagrad"

    def step_form(self, k: int) -> AdaGradStep:
        h = self.hyper
        lr = self.lr_at(k)
        return self._step_form(AdaGradStep, k, lr=lr, lr_k=self._decayed(lr, k), eps=h["eps"],
                               eps_placement=h["eps_placement"])

    def _decayed(self, lr: float, k: int) -> float:
        return lr / (1.0 + k * self.hyper["lr_decay"])

    def _rule(self, g, slots, k, lr):
        h = self.hyper
        eps = h["eps"]
        S = slots["S"] + g * g
        lr_k = self._decayed(lr, k)
        step_size = lr_k / denom(S, eps, h["eps_placement"])
        return -step_size * g, {"S": S}, {"step_size": step_size}
