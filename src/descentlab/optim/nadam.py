"""NAdam (Dozat 2016): Adam with a Nesterov look-ahead on the first moment.

With a momentum schedule mu_t (t = k + 1) and ``P_t = mu_1 * ... * mu_t``::

    m     <- beta1 * m + (1 - beta1) * g
    v     <- beta2 * v + (1 - beta2) * g**2
    v_hat  = v / (1 - beta2**t)
    m_bar  = mu_{t+1} * m / (1 - P_t * mu_{t+1}) + (1 - mu_t) * g / (1 - P_t)
    x     <- x - lr * m_bar / (sqrt(v_hat) + eps)

Three frameworks, three schedules (the ``nadam_schedule`` convention):

* ``'pytorch'``:  mu_t = beta1 * (1 - 0.5 * 0.96**(t * momentum_decay)), momentum_decay = 4e-3
* ``'keras'``:    mu_t = beta1 * (1 - 0.5 * 0.96**t)
* ``'constant'``: mu_t = beta1 (optax), so P_t = beta1**t and m_bar is
  ``beta1 * m / (1 - beta1**(t+1)) + (1 - beta1) * g / (1 - beta1**t)``.
"""
from __future__ import annotations

import numpy as np

from .base import Optimizer, denom

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam.

    Hyperparameters
    ---------------
    lr : float or schedule
    beta1, beta2 : float in [0, 1)
    eps : float >= 0
    eps_placement : 'outside' | 'inside'
    nadam_schedule : 'pytorch' | 'keras' | 'constant'
    momentum_decay : float >= 0         psi of the 'pytorch' schedule
    weight_decay : float >= 0
    weight_decay_form : 'l2' | 'decoupled'
    """

    HYPER = ("lr", "beta1", "beta2", "eps", "eps_placement", "nadam_schedule", "momentum_decay",
             "weight_decay", "weight_decay_form")
    EPS_FORMS = ("outside", "inside")
    SLOTS = ("m", "v", "mu_product")

    def _init_slots(self, theta):
        # P_0 = 1: a 0-d array, so it saves and loads like every other buffer
        return {"m": np.zeros_like(theta), "v": np.zeros_like(theta), "mu_product": np.ones((), dtype=theta.dtype)}

    def mu(self, t: int) -> float:
        """The momentum coefficient mu_t of update t (1-based)."""
        h = self.hyper
        beta1 = h["beta1"]
        if h["nadam_schedule"] == "pytorch":
            return beta1 * (1.0 - 0.5 * 0.96 ** (t * h["momentum_decay"]))
        if h["nadam_schedule"] == "keras":
            return beta1 * (1.0 - 0.5 * 0.96 ** t)
        return beta1

    def _rule(self, g, slots, k, lr):
        h = self.hyper
        beta1, beta2, eps = h["beta1"], h["beta2"], h["eps"]
        t = k + 1
        mu_t, mu_next = self.mu(t), self.mu(t + 1)
        P = slots["mu_product"] * mu_t
        m = beta1 * slots["m"] + (1.0 - beta1) * g
        v = beta2 * slots["v"] + (1.0 - beta2) * g * g
        v_hat = v / (1.0 - beta2 ** t)
        m_bar = mu_next * m / (1.0 - P * mu_next) + (1.0 - mu_t) * g / (1.0 - P)
        step_size = lr / denom(v_hat, eps, h["eps_placement"])
        u = -step_size * m_bar
        return u, {"m": m, "v": v, "mu_product": np.asarray(P, dtype=slots["mu_product"].dtype)}, \
            {"moments": {"m_bar": m_bar, "v_hat": v_hat}, "step_size": step_size}
