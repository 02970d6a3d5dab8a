"""LAMB (You et al. 2020): Adam's direction, rescaled per parameter by a trust ratio.

At update t = k + 1, per parameter array x (one layer), with m_hat, v_hat as in Adam::

    r      = m_hat / (sqrt(v_hat) + eps) + weight_decay * x
    trust  = ||x|| / ||r||           (1 when either norm is 0)
    x     <- x - lr * trust * r

The trust ratio makes the step of each layer proportional to the layer's size, which
is what lets LAMB train with very large batches. Weight decay is inside the ratio, as
in the paper and optax; there is no weight_decay_form. ``eps_placement`` 'outside'
(both frameworks) or 'inside' (optax's eps_root).

Sources: You et al., "Large batch optimization for deep learning: training BERT in 76
minutes" (ICLR 2020), Algorithm 2 with phi = identity; optax.lamb (eps=1e-6);
keras.optimizers.Lamb (epsilon=1e-7). Keras decays the weights outside the trust
ratio, so the ``keras`` preset refuses weight decay. PyTorch has no LAMB: preset
``pytorch`` takes optax's values with lr=1e-3.
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import ConfigError, expected
from .base import Optimizer, denom

__all__ = ["LAMB"]


class LAMB(Optimizer):
    """LAMB.

    Hyperparameters
    ---------------
    lr : float or schedule
    beta1, beta2 : float in [0, 1)
    eps : float >= 0
    eps_placement : 'outside' | 'inside'
    weight_decay : float >= 0          inside the trust ratio
    """

    HYPER = ("lr", "beta1", "beta2", "eps", "eps_placement", "weight_decay")
    SLOTS = ("m", "v")
    EPS_FORMS = ("outside", "inside")
    READS_PARAMS = True

    def _check_combination(self) -> None:
        super()._check_combination()
        if self.preset == "keras" and self.hyper["weight_decay"] != 0.0:
            raise ConfigError(expected(f"weight_decay = 0 for {self.name} with preset 'keras'",
                                       self.hyper["weight_decay"],
                                       "Keras decays the weights outside the trust ratio, which descentlab does not "
                                       "have; use preset='optax' (decay inside the ratio, as the paper)"))

    def _rule(self, g, slots, k, lr, theta):
        h = self.hyper
        beta1, beta2, eps, wd = h["beta1"], h["beta2"], h["eps"], h["weight_decay"]
        t = k + 1
        m = beta1 * slots["m"] + (1.0 - beta1) * g
        v = beta2 * slots["v"] + (1.0 - beta2) * g * g
        m_hat = m / (1.0 - beta1 ** t)
        v_hat = v / (1.0 - beta2 ** t)
        r = m_hat / denom(v_hat, eps, h["eps_placement"])
        if wd:
            r = r + wd * theta
        x_norm = math.sqrt(float(np.sum(np.square(theta, dtype=np.float64))))
        r_norm = math.sqrt(float(np.sum(np.square(r, dtype=np.float64))))
        trust = x_norm / r_norm if x_norm > 0.0 and r_norm > 0.0 else 1.0
        step = lr * trust
        return -step * r, {"m": m, "v": v}, {"moments": {"direction": r, "m_hat": m_hat, "v_hat": v_hat},
                                            "step_size": step}
