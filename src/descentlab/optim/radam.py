"""RAdam (Liu et al. 2020): Adam whose adaptive step is switched on when its variance is finite.

At update t = k + 1, with m, v, m_hat, v_hat as in Adam::

    rho_inf = 2 / (1 - beta2) - 1
    rho_t   = rho_inf - 2 t beta2**t / (1 - beta2**t)      length of the SMA of g**2
    r_t     = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
    x      <- x - lr * r_t * m_hat / (sqrt(v_hat) + eps)    if rho_t > 5
    x      <- x - lr * m_hat                                  otherwise (momentum SGD)

``eps_placement`` as for Adam: PyTorch computes ``sqrt(1 - beta2**t) / (sqrt(v) + eps)``,
eps on the raw v (the 'hat' form), optax ``sqrt(v_hat) + eps`` ('outside'), or inside
the root with its ``eps_root`` ('inside'). With the default beta2 = 0.999 the first
five updates are plain momentum steps (rho_t <= 5). optax tests ``rho_t >= 5``, PyTorch
``rho_t > 5``; rho_t is never exactly 5 for an integer t and the usual beta2, so the
two agree.

Sources: Liu et al., "On the variance of the adaptive learning rate and beyond"
(ICLR 2020), Algorithm 2; torch.optim.RAdam 2.13 (lr=1e-3, L2 weight decay or
decoupled_weight_decay=True); optax.radam.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .base import Optimizer, denom
from .dispatch import StepForm

__all__ = ["RAdam", "RAdamStep"]


@dataclass(frozen=True)
class RAdamStep(StepForm):
    """One update of :class:`RAdam` (form ``radam``); the branch and r_t follow from ``step``."""

    beta1: float
    beta2: float
    eps: float
    eps_placement: str


class RAdam(Optimizer):
    """Rectified Adam.

    Hyperparameters
    ---------------
    lr : float or schedule
    beta1, beta2 : float in [0, 1)
    eps : float >= 0
    eps_placement : 'hat' | 'outside' | 'inside'
    weight_decay : float >= 0
    weight_decay_form : 'l2' | 'decoupled'
    """

    HYPER = ("lr", "beta1", "beta2", "eps", "eps_placement", "weight_decay", "weight_decay_form")
    SLOTS = ("m", "v")
    EPS_FORMS = ("outside", "inside", "hat")

    @property
    def form(self) -> str:
        return "radam"

    def step_form(self, k: int) -> RAdamStep:
        h = self.hyper
        return self._step_form(RAdamStep, k, beta1=h["beta1"], beta2=h["beta2"], eps=h["eps"],
                               eps_placement=h["eps_placement"])

    def _rule(self, g, slots, k, lr):
        h = self.hyper
        beta1, beta2, eps = h["beta1"], h["beta2"], h["eps"]
        t = k + 1
        m = beta1 * slots["m"] + (1.0 - beta1) * g
        v = beta2 * slots["v"] + (1.0 - beta2) * g * g
        bc1, bc2 = 1.0 - beta1 ** t, 1.0 - beta2 ** t
        m_hat = m / bc1
        v_hat = v / bc2
        rho_inf = 2.0 / (1.0 - beta2) - 1.0
        rho_t = rho_inf - 2.0 * t * beta2 ** t / bc2
        moments = {"m_hat": m_hat, "v_hat": v_hat}
        if not rho_t > 5.0:
            return -lr * m_hat, {"m": m, "v": v}, {"moments": moments, "step_size": lr}
        r = math.sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
        if h["eps_placement"] == "hat":
            step_size = lr * r * math.sqrt(bc2) / denom(v, eps, "outside")
        else:
            step_size = lr * r / denom(v_hat, eps, h["eps_placement"])
        return -step_size * m_hat, {"m": m, "v": v}, {"moments": moments, "step_size": step_size}
