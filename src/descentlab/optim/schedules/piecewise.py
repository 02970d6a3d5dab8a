"""Piecewise-linear interpolation between (step, rate) points, and products of schedules.

:class:`PiecewiseLinear` goes through the points ``(steps[i], rates[i])``: before the
first step it holds the first value, after the last the last one, and between two
points it moves on the straight line, ``v_i + (v_{i+1} - v_i) * (t - s_i) / (s_{i+1} - s_i)``.
optax's ``piecewise_interpolate_schedule('linear', init_value, {boundary: scale})``
is the same curve with ``steps = (0, b_1, ...)`` and ``rates`` the running products
of ``init_value`` and the scales.

:class:`Product` multiplies: ``alpha_t = lr * f_1(t) * f_2(t) * ...``, each factor a
schedule (usually with lr 1). That is PyTorch's ``ChainedScheduler`` of multiplicative
schedulers, ``ChainedScheduler([ExponentialLR(g1), StepLR(s, g2)])`` being
``Product(lr, (ExponentialRate(1, g1), StepDecay(1, s, g2)))``; unlike a chain of
callables it is data, so it is saved and resumed with the optimizer.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any, ClassVar

from ...errors import ConfigError, expected
from ...validation import COUNT, NONNEGATIVE, check
from .base import LR, Schedule, _fmt, from_config
from .formulas import _fail

__all__ = ["PiecewiseLinear", "Product"]


@dataclass(frozen=True)
class PiecewiseLinear(Schedule):
    """Linear interpolation through ``(steps[i], rates[i])``, constant outside them."""

    steps: tuple[int, ...]
    rates: tuple[float, ...]
    kind: ClassVar[str] = "piecewise"

    def __post_init__(self) -> None:
        for name in ("steps", "rates"):
            v = getattr(self, name)
            if isinstance(v, (str, bytes)) or not hasattr(v, "__iter__"):
                raise _fail("PiecewiseLinear", f"{name} a list", v, "pass e.g. steps=[0, 100], rates=[0.1, 0.01]")
        steps = tuple(check("PiecewiseLinear", "each step", s, [COUNT]) for s in self.steps)
        values = tuple(check("PiecewiseLinear", "each rate", v, [NONNEGATIVE]) for v in self.rates)
        if len(steps) != len(values) or not steps:
            raise _fail("PiecewiseLinear", "as many rates as steps (at least one)", f"{len(steps)} steps, "
                        f"{len(values)} rates", "give one rate per step")
        if any(b <= a for a, b in zip(steps, steps[1:])):
            raise _fail("PiecewiseLinear", "steps strictly increasing", list(steps), "sort the points by step")
        object.__setattr__(self, "steps", steps)
        object.__setattr__(self, "rates", values)

    def _lr(self, t: int) -> float:
        i = bisect.bisect_right(self.steps, t)
        if i == 0:
            return self.rates[0]
        if i == len(self.steps):
            return self.rates[-1]
        s0, s1, v0, v1 = self.steps[i - 1], self.steps[i], self.rates[i - 1], self.rates[i]
        return v0 + (v1 - v0) * ((t - s0) / (s1 - s0))

    def describe(self) -> str:
        pts = ", ".join(f"({s}, {_fmt(v)})" for s, v in zip(self.steps, self.rates))
        return f"piecewise linear through {pts}"


@dataclass(frozen=True)
class Product(Schedule):
    """``lr`` times every factor's value at t."""

    lr: float
    factors: tuple[Schedule, ...]
    kind: ClassVar[str] = "product"

    _constraints = {"lr": LR}

    def __post_init__(self) -> None:
        super().__post_init__()
        fs = self.factors
        if isinstance(fs, Schedule) or not hasattr(fs, "__iter__") or not all(isinstance(f, Schedule) for f in fs):
            raise _fail("Product", "factors a list of Schedule objects", fs,
                        "pass e.g. Product(0.1, [ExponentialRate(1.0, 0.99), StepDecay(1.0, 30, 0.5)])")
        object.__setattr__(self, "factors", tuple(fs))

    def _lr(self, t: int) -> float:
        value = self.lr
        for f in self.factors:
            value = value * f._lr(t)
        return value

    def to_config(self) -> dict[str, Any]:
        return {"kind": self.kind, "lr": self.lr, "factors": [f.to_config() for f in self.factors]}

    @classmethod
    def _args_from_config(cls, args: dict[str, Any]) -> dict[str, Any]:
        parts = args["factors"]
        if not isinstance(parts, list):
            raise ConfigError(expected("'factors' a list of configs", parts, "pass the output of to_config()"))
        return {**args, "factors": [from_config(p) for p in parts]}

    def describe(self) -> str:
        return f"{_fmt(self.lr)} times " + " times ".join(f"[{f.describe()}]" for f in self.factors)
