"""Rprop (Riedmiller & Braun 1993), in PyTorch's iRprop⁻ form.

Rprop throws away the size of the gradient and keeps its sign: every coordinate has
its own step size ``s``, which grows while the gradient keeps its sign and shrinks
when it flips. At update t, with ``p`` the previous step's (masked) gradient::

    c  = sign(g * p)
    s <- clip(s * eta_plus,  step_size_min, step_size_max)   where c > 0
    s <- clip(s * eta_minus, step_size_min, step_size_max)   where c < 0
    s <- s                                                     where c = 0
    g  = 0                                                     where c < 0
    x <- x - sign(g) * s
    p <- g

Setting ``g = 0`` after a sign flip is the iRprop⁻ variant (Igel & Hüsken 2000) as
``torch.optim.Rprop`` 2.13 computes it: a coordinate whose gradient flipped does not
move this step, and, its stored gradient being 0, is neither grown nor shrunk on the
next. ``s`` starts at ``lr``: the learning rate is only the first step size, so a
schedule has nothing to act on and is refused.

The lecture's point (section 3, "rmsprop: a mini-batch version of rprop"): using the
sign is dividing the gradient by its own size, ``g / |g|``; with mini-batches that
number changes from batch to batch, so nine batches with gradient +0.1 and one with
-0.9 move the weight by +8 steps when the sum of the gradients says not to move.
RMSProp divides by a moving average of ``g**2`` instead (see docs/lecture/rprop.md).

Sources: Riedmiller & Braun, "A direct adaptive method for faster backpropagation
learning: the RPROP algorithm" (1993); Igel & Hüsken, "Improving the Rprop learning
algorithm" (2000); torch.optim.Rprop 2.13 (defaults lr=0.01, etas=(0.5, 1.2),
step_sizes=(1e-6, 50)). optax's ``rprop`` applies each step's update one step late
(its first update is 0), so it is a different trajectory and has no preset here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError, expected
from .base import Optimizer
from .dispatch import StepForm

__all__ = ["Rprop", "RpropStep"]


@dataclass(frozen=True)
class RpropStep(StepForm):
    """One update of :class:`Rprop` (form ``rprop``)."""

    eta_minus: float
    eta_plus: float
    step_size_min: float
    step_size_max: float


class Rprop(Optimizer):
    """Rprop (iRprop⁻ as PyTorch computes it).

    Hyperparameters
    ---------------
    lr : float                          the initial step size of every coordinate
    eta_minus : float in (0, 1)         shrink factor after a sign flip
    eta_plus : float > 1                growth factor while the sign holds
    step_size_min, step_size_max : float >= 0
    """

    HYPER = ("lr", "eta_minus", "eta_plus", "step_size_min", "step_size_max")
    SLOTS = ("prev", "step_size")

    def _check_combination(self) -> None:
        h = self.hyper
        if callable(h["lr"]):
            raise ConfigError(expected(f"a number for lr of {self.name} (the initial step size)", "a schedule",
                                       "pass lr=0.01: Rprop adapts its own step sizes and would ignore a schedule"))
        if not (0.0 < h["eta_minus"] < 1.0 < h["eta_plus"]):
            raise ConfigError(expected(f"0 < eta_minus < 1 < eta_plus for {self.name}",
                                       f"eta_minus={h['eta_minus']:g}, eta_plus={h['eta_plus']:g}",
                                       "pass e.g. eta_minus=0.5, eta_plus=1.2 (PyTorch refuses other values too)"))
        if h["step_size_min"] > h["step_size_max"]:
            raise ConfigError(expected(f"step_size_min <= step_size_max for {self.name}",
                                       f"{h['step_size_min']:g} > {h['step_size_max']:g}", "swap them"))

    def _init_slots(self, theta):
        return {"prev": np.zeros_like(theta), "step_size": np.full_like(theta, self.hyper["lr"])}

    @property
    def form(self) -> str:
        return "rprop"

    def step_form(self, k: int) -> RpropStep:
        h = self.hyper
        return self._step_form(RpropStep, k, eta_minus=h["eta_minus"], eta_plus=h["eta_plus"],
                               step_size_min=h["step_size_min"], step_size_max=h["step_size_max"])

    def _rule(self, g, slots, k, lr):
        h = self.hyper
        c = np.sign(g * slots["prev"])
        one = g.dtype.type
        factor = np.where(c > 0, one(h["eta_plus"]), np.where(c < 0, one(h["eta_minus"]), one(1.0)))
        s = np.clip(slots["step_size"] * factor, h["step_size_min"], h["step_size_max"]).astype(g.dtype, copy=False)
        g = g.copy()
        g[c < 0] = 0  # iRprop⁻: after a flip, no move and no memory of the gradient
        direction = np.sign(g)
        return -direction * s, {"prev": g, "step_size": s}, {"moments": {"direction": direction}, "step_size": s}
