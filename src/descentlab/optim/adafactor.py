"""Adafactor (Shazeer & Stern 2018): second moments stored as row and column averages.

For a matrix parameter (any array with 2 or more axes: the last two are factored),
Adafactor keeps the average of ``g**2`` over each row (R) and each column (C) instead
of every entry, and estimates ``V ~ R C / mean(R)``, a rank-1 fit; vectors and
scalars keep the full average V. At update t = k + 1::

    w      = t ** beta2_decay                       (1 - beta2_t; beta2_decay = -0.8)
    R     <- (1 - w) R + w * mean(g**2 over the last axis)
    C     <- (1 - w) C + w * mean(g**2 over the second-to-last axis)
    V      = R C / mean(R)          (factored)   or   V <- (1 - w) V + w g**2
    u      = g / sqrt(V)
    u_hat  = u / max(1, rms(u) / clip_threshold)    update clipping
    rho_t  = min(lr, 1 / sqrt(t))                    relative step size
    alpha  = max(eps2, rms(x)) * rho_t
    x     <- x - alpha * u_hat

``adafactor_eps`` names where eps1 guards the divisions:

* 'clamp' (PyTorch): ``V`` is clamped below at ``eps1**2`` and ``mean(R)`` at eps1;
  eps1 None means the dtype's machine epsilon;
* 'add' (Keras, the paper): ``eps1`` (1e-30) is added to ``g**2`` before averaging.

Weight decay is decoupled, ``x <- x - lr * weight_decay * x`` (lr, not rho_t), in both.
optax's ``adafactor`` is a third variant (no relative step, lr times the parameter
scale, factoring only axes of at least 128, its decay computed in float32): it has no
preset here.

Sources: Shazeer & Stern, "Adafactor: adaptive learning rates with sublinear memory
cost" (ICML 2018), Algorithms 4-5; torch.optim.Adafactor 2.13 (lr=1e-2,
beta2_decay=-0.8, eps=(None, 1e-3), d=1); keras.optimizers.Adafactor (lr=1e-3,
epsilon_1=1e-30, epsilon_2=1e-3, clip_threshold=1).
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import ConfigError, expected
from .base import Optimizer
from .state import OptState

__all__ = ["Adafactor"]


def _rms(a: np.ndarray) -> float:
    return math.sqrt(float(np.sum(np.square(a, dtype=np.float64))) / max(a.size, 1))


class Adafactor(Optimizer):
    """Adafactor (no first moment, as PyTorch and Keras).

    Hyperparameters
    ---------------
    lr : float or schedule             caps the relative step size 1/sqrt(t)
    beta2_decay : float in [-1, 0]
    eps1 : float >= 0 or None          None: the dtype's machine epsilon
    eps2 : float >= 0                  floor of rms(x) in alpha
    clip_threshold : float > 0         the frameworks' d / clip_threshold
    adafactor_eps : 'clamp' | 'add'
    weight_decay : float >= 0
    weight_decay_form : 'decoupled' | 'l2'
    """

    HYPER = ("lr", "beta2_decay", "eps1", "eps2", "clip_threshold", "adafactor_eps", "weight_decay",
             "weight_decay_form")
    READS_PARAMS = True

    @property
    def SLOTS(self):  # noqa: N802 - per parameter: see _slots_for
        return ("row_var", "col_var", "variance")

    def _check_combination(self) -> None:
        if self.hyper["clip_threshold"] <= 0.0:
            raise ConfigError(expected(f"clip_threshold > 0 for {self.name}", self.hyper["clip_threshold"],
                                       "pass clip_threshold=1.0"))
        if self.hyper["eps1"] is None and self.hyper["adafactor_eps"] == "add":
            raise ConfigError(expected(f"a number for eps1 with adafactor_eps='add' ({self.name})", None,
                                       "pass eps1=1e-30 (Keras's epsilon_1)"))

    @staticmethod
    def _slots_for(ndim: int) -> tuple[str, ...]:
        return ("row_var", "col_var") if ndim >= 2 else ("variance",)

    def _init_slots(self, theta):
        if theta.ndim >= 2:
            return {"row_var": np.zeros(theta.shape[:-1] + (1,), dtype=theta.dtype),
                    "col_var": np.zeros(theta.shape[:-2] + (1,) + theta.shape[-1:], dtype=theta.dtype)}
        return {"variance": np.zeros_like(theta)}

    def _check_slots(self, state: OptState) -> None:
        for name, bufs in state.slots.items():
            want = set(self._slots_for(bufs["variance"].ndim if "variance" in bufs else 2))
            if set(bufs) != want:
                raise ConfigError(expected(f"Adafactor buffers for parameter {name!r}", sorted(bufs),
                                           "use the state made by this optimizer's init() (or load_state)"))

    def _rule(self, g, slots, k, lr, theta):
        h = self.hyper
        t = k + 1
        w = float(t) ** h["beta2_decay"]
        rho_t = min(lr, 1.0 / math.sqrt(t))
        alpha = max(h["eps2"], _rms(theta)) * rho_t
        clamp = h["adafactor_eps"] == "clamp"
        eps1 = (float(np.finfo(theta.dtype).eps) if h["eps1"] is None else h["eps1"])
        gsq = g * g if clamp else g * g + eps1
        if g.ndim >= 2:
            R = slots["row_var"] + w * (np.mean(gsq, axis=-1, keepdims=True) - slots["row_var"])
            C = slots["col_var"] + w * (np.mean(gsq, axis=-2, keepdims=True) - slots["col_var"])
            row_mean = np.mean(R, axis=-2, keepdims=True)
            if clamp:
                row_mean = np.maximum(row_mean, eps1)
            V = (R / row_mean) * C
            new = {"row_var": R, "col_var": C}
        else:
            V = slots["variance"] + w * (gsq - slots["variance"])
            new = {"variance": V}
        if clamp:
            V = np.maximum(V, eps1 * eps1)
        u = g / np.sqrt(V)
        u_hat = u / max(1.0, _rms(u) / h["clip_threshold"])
        return -alpha * u_hat, new, {"moments": {"direction": u_hat}, "step_size": alpha}
