"""Gradient descent, momentum in both written forms, and Nesterov in both forms.

Plain gradient descent (the lecture, section 2)::

    x <- x - lr * g

Momentum, **lr inside the buffer** (the lecture, CS231n, Keras)::

    v <- mu * v - lr * g          # integrate velocity
    x <- x + v                    # integrate position

Momentum, **lr outside the buffer** (PyTorch ``SGD``, optax ``sgd``)::

    b <- mu * b + (1 - dampening) * g     (b <- g on the first step, as PyTorch does)
    x <- x - lr * b

With a constant lr both forms give the same iterates (``v = -lr * b``); once lr
changes they split, because the inside form keeps old learning rates baked into ``v``
while the outside form applies the new lr to the whole buffer.

Nesterov, **look-ahead** form (the lecture's slide, Sutskever et al. 2013)::

    v <- mu * v - lr * grad f(x + mu * v)
    x <- x + v

Nesterov, **transformed** form: with ``phi = x + mu * v`` the lecture rewrites the
update so the gradient is taken at the stored point phi::

    v_new <- mu * v - lr * grad f(phi)
    phi   <- phi - mu * v + (1 + mu) * v_new      ( = phi + mu * v_new - lr * g )

PyTorch and optax write the same transformed rule with lr outside:
``b <- mu*b + g; x <- x - lr*(g + mu*b)``. Its iterates are phi of the look-ahead
method, so the two forms visit different points but describe the same algorithm.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigError, expected
from .base import Optimizer, Params
from .dispatch import StepForm
from .state import OptState

__all__ = ["SGD", "SGDStep"]


@dataclass(frozen=True)
class SGDStep(StepForm):
    """One update of :class:`SGD` (form ``plain``, ``lr_outside``, ``lr_inside`` or ``lookahead``)."""

    momentum: float      #: mu
    dampening: float
    nesterov: bool       #: the transformed form (look-ahead Nesterov is its own form)


class SGD(Optimizer):
    """Gradient descent with optional momentum and Nesterov, in every written form.

    Hyperparameters
    ---------------
    lr : float or schedule
    momentum : float in [0, 1)            mu (the lecture's alpha)
    dampening : float in [0, 1]           PyTorch only; lr_outside form only
    nesterov : bool
    weight_decay : float >= 0
    weight_decay_form : 'l2' | 'decoupled'
    momentum_form : 'lr_outside' | 'lr_inside'
    nesterov_form : 'transformed' | 'lookahead'
    """

    HYPER = ("lr", "momentum", "dampening", "nesterov", "weight_decay", "weight_decay_form",
             "momentum_form", "nesterov_form")

    @property
    def SLOTS(self):  # noqa: N802 - a class-level name in the base class
        if self.hyper["momentum"] == 0.0:
            return ()
        return ("b",) if self.hyper["momentum_form"] == "lr_outside" else ("v",)

    #: presets whose framework runs nesterov=True with momentum 0 as plain gradient descent
    #: (Keras's SGD(nesterov=True) with its default momentum=0; optax's sgd); PyTorch refuses it
    NESTEROV_WITHOUT_MOMENTUM = ("keras", "optax")

    def _check_combination(self) -> None:
        super()._check_combination()
        h = self.hyper
        if h["nesterov"] and h["momentum"] == 0.0 and self.preset not in self.NESTEROV_WITHOUT_MOMENTUM:
            raise ConfigError(expected(f"momentum > 0 with nesterov=True for {self.name}", h["momentum"],
                                       "pass momentum=0.9 (Nesterov needs momentum; PyTorch refuses it too), or "
                                       "use preset='keras', where Nesterov with momentum 0 is plain SGD"))
        if h["nesterov"] and h["dampening"] != 0.0:
            raise ConfigError(expected(f"dampening = 0 with nesterov=True for {self.name}", h["dampening"],
                                       "drop dampening (PyTorch refuses it too)"))
        if h["dampening"] != 0.0 and h["momentum_form"] == "lr_inside":
            raise ConfigError(expected(f"dampening = 0 with momentum_form='lr_inside' for {self.name}", h["dampening"],
                                       "dampening exists only in PyTorch's lr_outside form"))

    @property
    def form(self) -> str:
        h = self.hyper
        if h["momentum"] == 0.0:
            return "plain"
        if h["nesterov"] and h["nesterov_form"] == "lookahead":
            return "lookahead"  # the gradient is taken at another point than params
        return h["momentum_form"]

    def step_form(self, k: int) -> SGDStep:
        h = self.hyper
        return self._step_form(SGDStep, k, momentum=h["momentum"], dampening=h["dampening"], nesterov=h["nesterov"])

    # -- look-ahead Nesterov takes the gradient elsewhere -----------------------------
    def eval_params(self, params: Params, state: OptState) -> Params:
        h = self.hyper
        if not (h["nesterov"] and h["nesterov_form"] == "lookahead"):
            return params
        mu = h["momentum"]
        if h["momentum_form"] == "lr_inside":
            return {n: params[n] + mu * state.slots[n]["v"] for n in params}
        # lr outside: the velocity is v = -lr * b, so the look-ahead point is x - lr*mu*b
        lr = self.lr_at(state.step)
        return {n: params[n] - lr * mu * state.slots[n]["b"] for n in params}

    def _rule(self, g, slots, k, lr):
        h = self.hyper
        mu = h["momentum"]
        if mu == 0.0:
            return -lr * g, {}, {"step_size": lr}
        lookahead = h["nesterov"] and h["nesterov_form"] == "lookahead"
        transformed = h["nesterov"] and not lookahead

        if h["momentum_form"] == "lr_outside":
            if k == 0:
                b = g.copy()  # PyTorch: the first step fills the buffer with g, without dampening
            else:
                b = mu * slots["b"] + (1.0 - h["dampening"]) * g
            direction = g + mu * b if transformed else b
            return -lr * direction, {"b": b}, {"step_size": lr}

        # lr inside the buffer
        v = mu * slots["v"] - lr * g
        u = mu * v - lr * g if transformed else v
        return u, {"v": v}, {"step_size": lr}
