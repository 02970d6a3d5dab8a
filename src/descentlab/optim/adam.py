"""Adam, with AMSGrad, L2 or decoupled weight decay (AdamW), and three eps placements.

Adam (Kingma & Ba 2015, Algorithm 1), at update t = k + 1::

    m     <- beta1 * m + (1 - beta1) * g
    v     <- beta2 * v + (1 - beta2) * g**2
    m_hat  = m / (1 - beta1**t)
    v_hat  = v / (1 - beta2**t)
    x     <- x - lr * m_hat / (sqrt(v_hat) + eps)          eps 'outside' (paper, PyTorch, optax, CS231n)
    x     <- x - lr * m_hat / sqrt(v_hat + eps)            eps 'inside'  (optax's eps_root)
    x     <- x - lr_t * m / (sqrt(v) + eps),               eps 'hat'     (Keras, TF)
             lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t)

The 'hat' form is the paper's form with eps replaced by ``eps / sqrt(1 - beta2**t)``,
which is larger early on.

AMSGrad (Reddi et al. 2018) divides by a running maximum instead of ``v``, and the
frameworks disagree on what is maximised (the ``amsgrad_form`` convention)::

    'max_raw'        v_max <- max(v_max, v);   v_hat = v_max / (1 - beta2**t)   PyTorch, Keras
    'max_corrected'  v_max <- max(v_max, v / (1 - beta2**t));   v_hat = v_max  optax

They differ because ``1 - beta2**t`` grows with t: a maximum of raw ``v`` taken early
is later divided by a larger number than it was when it was taken.

Weight decay: 'l2' adds ``weight_decay * x`` to g (PyTorch ``Adam``); 'decoupled'
(Loshchilov & Hutter 2019, PyTorch ``AdamW``, Keras) shrinks the parameters beside the
rule, ``x <- x - lr * weight_decay * x``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .base import Optimizer, denom
from .dispatch import StepForm

__all__ = ["Adam", "AdamStep"]


@dataclass(frozen=True)
class AdamStep(StepForm):
    """One update of :class:`Adam` (form ``adam`` or ``amsgrad``)."""

    beta1: float
    beta2: float
    eps: float
    eps_placement: str   #: 'outside' | 'inside' | 'hat'


class Adam(Optimizer):
    """Adam, AMSGrad and AdamW.

    Hyperparameters
    ---------------
    lr : float or schedule
    beta1, beta2 : float in [0, 1)
    eps : float >= 0
    eps_placement : 'outside' | 'inside' | 'hat'
    weight_decay : float >= 0
    weight_decay_form : 'l2' | 'decoupled'
    amsgrad : bool
    amsgrad_form : 'max_raw' | 'max_corrected'
    """

    HYPER = ("lr", "beta1", "beta2", "eps", "eps_placement", "weight_decay", "weight_decay_form", "amsgrad",
             "amsgrad_form")
    EPS_FORMS = ("outside", "inside", "hat")

    @property
    def SLOTS(self):  # noqa: N802
        return ("m", "v", "v_max") if self.hyper["amsgrad"] else ("m", "v")

    @property
    def form(self) -> str:
        return "amsgrad" if self.hyper["amsgrad"] else "adam"

    def step_form(self, k: int) -> AdamStep:
        h = self.hyper
        return self._step_form(AdamStep, k, beta1=h["beta1"], beta2=h["beta2"], eps=h["eps"],
                               eps_placement=h["eps_placement"])

    def _rule(self, g, slots, k, lr):
        h = self.hyper
        beta1, beta2, eps = h["beta1"], h["beta2"], h["eps"]
        t = k + 1
        m = beta1 * slots["m"] + (1.0 - beta1) * g
        v = beta2 * slots["v"] + (1.0 - beta2) * g * g
        new = {"m": m, "v": v}
        bc1 = 1.0 - beta1 ** t
        bc2 = 1.0 - beta2 ** t
        m_hat = m / bc1
        v_used = v  # what eps_placement 'hat' divides by, uncorrected
        if not h["amsgrad"]:
            v_hat = v / bc2
        elif h["amsgrad_form"] == "max_raw":
            v_used = new["v_max"] = np.maximum(slots["v_max"], v)
            v_hat = v_used / bc2
        else:
            v_hat = new["v_max"] = np.maximum(slots["v_max"], v / bc2)
            v_used = v_hat * bc2
        if h["eps_placement"] != "hat":
            step_size = lr / denom(v_hat, eps, h["eps_placement"])
        else:  # 'hat': lr_t * m / (sqrt(v) + eps), written per m_hat so step_size stays comparable
            lr_t = lr * math.sqrt(bc2) / bc1  # a Python float: a NumPy float64 scalar would promote float32 to float64
            step_size = lr_t * bc1 / denom(v_used, eps, "outside")
        u = -step_size * m_hat
        return u, new, {"moments": {"m_hat": m_hat, "v_hat": v_hat}, "step_size": step_size}
