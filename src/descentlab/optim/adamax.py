"""Adamax (Kingma & Ba 2015, section 7.1): Adam with the infinity norm in place of v.

At update t = k + 1::

    m  <- beta1 * m + (1 - beta1) * g
    u  <- max(beta2 * u, |g| + eps)                adamax_eps 'in_max'    (PyTorch, optax)
    u  <- max(beta2 * u, |g|);  u_eps = u + eps    adamax_eps 'after_max' (Keras)
    x  <- x - lr / (1 - beta1**t) * m / u

Only m is bias-corrected: the maximum needs no correction (the paper's argument).
The two eps forms differ in where eps sits: inside the maximum it is remembered (and
decays with beta2), after it, it is added fresh at every step.

Sources: Kingma & Ba, "Adam" (ICLR 2015), Algorithm 2; torch.optim.Adamax 2.13
(lr=2e-3, eps=1e-8, L2 weight decay); optax.adamax; keras.optimizers.Adamax
(lr=1e-3, epsilon=1e-7).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Optimizer
from .dispatch import StepForm

__all__ = ["Adamax", "AdamaxStep"]


@dataclass(frozen=True)
class AdamaxStep(StepForm):
    """One update of :class:`Adamax` (form ``adamax``)."""

    beta1: float
    beta2: float
    eps: float
    eps_in_max: bool     #: adamax_eps 'in_max' (True) or 'after_max'


class Adamax(Optimizer):
    """Adamax.

    Hyperparameters
    ---------------
    lr : float or schedule
    beta1, beta2 : float in [0, 1)
    eps : float >= 0
    adamax_eps : 'in_max' | 'after_max'
    weight_decay : float >= 0
    weight_decay_form : 'l2' | 'decoupled'
    """

    HYPER = ("lr", "beta1", "beta2", "eps", "adamax_eps", "weight_decay", "weight_decay_form")
    SLOTS = ("m", "u")

    @property
    def form(self) -> str:
        return "adamax"

    def step_form(self, k: int) -> AdamaxStep:
        h = self.hyper
        return self._step_form(AdamaxStep, k, beta1=h["beta1"], beta2=h["beta2"], eps=h["eps"],
                               eps_in_max=h["adamax_eps"] == "in_max")

    def _rule(self, g, slots, k, lr):
        h = self.hyper
        beta1, beta2, eps = h["beta1"], h["beta2"], h["eps"]
        m = beta1 * slots["m"] + (1.0 - beta1) * g
        if h["adamax_eps"] == "in_max":
            u = np.maximum(beta2 * slots["u"], np.abs(g) + eps)
            denom = u
        else:
            u = np.maximum(beta2 * slots["u"], np.abs(g))
            denom = u + eps
        m_hat = m / (1.0 - beta1 ** (k + 1))
        step_size = lr / denom
        return -step_size * m_hat, {"m": m, "u": u}, {"moments": {"m_hat": m_hat}, "step_size": step_size}
