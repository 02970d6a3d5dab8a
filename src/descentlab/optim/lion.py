"""Lion (Chen et al. 2023): the sign of an interpolated momentum, found by program search.

At every update::

    c  = beta1 * m + (1 - beta1) * g
    x <- x - lr * sign(c)
    m <- beta2 * m + (1 - beta2) * g

Every coordinate moves by exactly ``lr`` (or not at all), so Lion's learning rate is
usually 3-10 times smaller than AdamW's. Its weight decay is decoupled, multiplied by
lr: ``x <- x - lr * weight_decay * x``, in optax and Keras alike.

Sources: Chen et al., "Symbolic discovery of optimization algorithms" (NeurIPS 2023),
Program 1; optax.lion (b1=0.9, b2=0.99, weight_decay=1e-3); keras.optimizers.Lion
(lr=1e-3). PyTorch has no Lion: preset ``pytorch`` takes the paper's code defaults
(lr=1e-4, no weight decay).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Optimizer
from .dispatch import StepForm

__all__ = ["Lion", "LionStep"]


@dataclass(frozen=True)
class LionStep(StepForm):
    """One update of :class:`Lion` (form ``lion``)."""

    beta1: float
    beta2: float


class Lion(Optimizer):
    """Lion.

    Hyperparameters
    ---------------
    lr : float or schedule
    beta1 : float in [0, 1)       interpolation for the step's sign
    beta2 : float in [0, 1)       decay of the momentum that is kept
    weight_decay : float >= 0
    weight_decay_form : 'decoupled' | 'l2'
    """

    HYPER = ("lr", "beta1", "beta2", "weight_decay", "weight_decay_form")
    SLOTS = ("m",)

    @property
    def form(self) -> str:
        return "lion"

    def step_form(self, k: int) -> LionStep:
        return self._step_form(LionStep, k, beta1=self.hyper["beta1"], beta2=self.hyper["beta2"])

    def _rule(self, g, slots, k, lr):
        beta1, beta2 = self.hyper["beta1"], self.hyper["beta2"]
        direction = np.sign(beta1 * slots["m"] + (1.0 - beta1) * g)
        m = beta2 * slots["m"] + (1.0 - beta2) * g
        return -lr * direction, {"m": m}, {"moments": {"direction": direction}, "step_size": lr}
