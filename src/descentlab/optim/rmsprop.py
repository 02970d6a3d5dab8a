"""RMSProp (Tieleman & Hinton 2012), with eps placement, momentum and the centred variant.

The lecture, section 3::

    S <- beta * S + (1 - beta) * g**2
    x <- x - lr * g / sqrt(S + eps)              eps 'inside'  (the slide, Keras, optax)
    x <- x - lr * g / (sqrt(S) + eps)            eps 'outside' (PyTorch, CS231n)

Centred (Graves 2013): also average g, ``g_bar <- beta*g_bar + (1-beta)*g``, and divide
by the root of the variance estimate ``S - g_bar**2`` instead of ``S``. (On a constant
gradient that estimate is about 0 and can round below it: the step is then about g/eps,
or NaN with eps outside the root, exactly as in PyTorch. It is not clipped here.)

With momentum mu, the scaled gradient ``d = g / denom`` feeds a buffer, and here the
momentum forms split again:

    lr outside (PyTorch):      b <- mu * b + d;        x <- x - lr * b
    lr inside (Keras, optax):  b <- mu * b + lr * d;   x <- x - b

optax's ``initial_scale`` (TF1 used 1) is ``initial_accumulator`` here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Optimizer, denom
from .dispatch import StepForm

__all__ = ["RMSProp", "RMSPropStep"]


@dataclass(frozen=True)
class RMSPropStep(StepForm):
    """One update of :class:`RMSProp` (form ``rmsprop`` or ``centered``)."""

    beta: float
    eps: float
    eps_placement: str   #: 'outside' | 'inside'
    momentum: float
    momentum_form: str   #: 'lr_outside' | 'lr_inside'


class RMSProp(Optimizer):
    """RMSProp.

    Hyperparameters
    ---------------
    lr : float or schedule
    beta : float in [0, 1)               decay of the squared-gradient average
    eps : float >= 0
    eps_placement : 'outside' | 'inside'
    momentum : float in [0, 1)
    momentum_form : 'lr_outside' | 'lr_inside'
    centered : bool
    initial_accumulator : float >= 0     S_0
    weight_decay : float >= 0
    weight_decay_form : 'l2' | 'decoupled'
    """

    HYPER = ("lr", "beta", "eps", "eps_placement", "momentum", "momentum_form", "centered",
             "initial_accumulator", "weight_decay", "weight_decay_form")
    EPS_FORMS = ("outside", "inside")

    @property
    def SLOTS(self):  # noqa: N802
        slots = ["S"]
        if self.hyper["centered"]:
            slots.append("g_bar")
        if self.hyper["momentum"] > 0.0:
            slots.append("b")
        return tuple(slots)

    def _init_slots(self, theta):
        slots = {s: np.zeros_like(theta) for s in self.SLOTS}
        slots["S"] = np.full_like(theta, self.hyper["initial_accumulator"])
        return slots

    @property
    def form(self) -> str:
        return "centered" if self.hyper["centered"] else "rmsprop"

    def step_form(self, k: int) -> RMSPropStep:
        h = self.hyper
        return self._step_form(RMSPropStep, k, beta=h["beta"], eps=h["eps"], eps_placement=h["eps_placement"],
                               momentum=h["momentum"], momentum_form=h["momentum_form"])

    def _rule(self, g, slots, k, lr):
        h = self.hyper
        beta, eps, mu = h["beta"], h["eps"], h["momentum"]
        S = beta * slots["S"] + (1.0 - beta) * g * g
        new = {"S": S}
        if h["centered"]:
            g_bar = beta * slots["g_bar"] + (1.0 - beta) * g
            new["g_bar"] = g_bar
            variance = S - g_bar * g_bar
        else:
            variance = S
        d = denom(variance, eps, h["eps_placement"])
        if mu == 0.0:
            step_size = lr / d
            return -step_size * g, new, {"step_size": step_size}
        if h["momentum_form"] == "lr_outside":
            b = mu * slots["b"] + g / d
            u = -lr * b
        else:
            b = mu * slots["b"] + lr * g / d
            u = -b
        new["b"] = b
        return u, new, {"step_size": lr / d}
