"""Adadelta (Zeiler 2012): RMSProp whose learning rate is the RMS of past updates.

At update t::

    S  <- beta * S + (1 - beta) * g**2                  average of squared gradients
    d   = sqrt(D + eps) / sqrt(S + eps) * g             D: average of squared updates
    D  <- beta * D + (1 - beta) * d**2
    x  <- x - lr * d

The ratio of the two RMS values has the units of x, which is the paper's argument for
needing no learning rate (``lr = 1`` in the paper and PyTorch). Every framework puts
eps inside both roots, so there is no eps convention here. PyTorch and optax add L2
weight decay to g; Keras decays the weights beside the rule (decoupled).

Sources: Zeiler, "ADADELTA: an adaptive learning rate method" (2012), Algorithm 1;
torch.optim.Adadelta 2.13 (lr=1, rho=0.9, eps=1e-6); optax.adadelta (rho=0.9,
eps=1e-6); keras.optimizers.Adadelta (lr=1e-3, rho=0.95, epsilon=1e-7).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Optimizer
from .dispatch import StepForm

__all__ = ["Adadelta", "AdadeltaStep"]


@dataclass(frozen=True)
class AdadeltaStep(StepForm):
    """One update of :class:`Adadelta` (form ``adadelta``)."""

    beta: float
    eps: float


class Adadelta(Optimizer):
    """Adadelta.

    Hyperparameters
    ---------------
    lr : float or schedule            1 in the paper
    beta : float in [0, 1)            decay of both averages (the frameworks' rho)
    eps : float >= 0
    weight_decay : float >= 0
    weight_decay_form : 'l2' | 'decoupled'
    """

    HYPER = ("lr", "beta", "eps", "weight_decay", "weight_decay_form")
    SLOTS = ("S", "D")

    @property
    def form(self) -> str:
        return "adadelta"

    def step_form(self, k: int) -> AdadeltaStep:
        return self._step_form(AdadeltaStep, k, beta=self.hyper["beta"], eps=self.hyper["eps"])

    def _rule(self, g, slots, k, lr):
        beta, eps = self.hyper["beta"], self.hyper["eps"]
        S = beta * slots["S"] + (1.0 - beta) * g * g
        ratio = np.sqrt(slots["D"] + eps) / np.sqrt(S + eps)
        d = ratio * g
        D = beta * slots["D"] + (1.0 - beta) * d * d
        return -lr * d, {"S": S, "D": D}, {"step_size": lr * ratio}
