"""Schedules that go up as well as down: one-cycle, cosine with warm restarts, cyclic.

One-cycle (Smith & Topin 2019; PyTorch's ``OneCycleLR``), with ``total`` updates,
``initial = lr / div_factor`` and ``final = initial / final_div_factor``::

    phase 1, t in [0, pct_start*total - 1]:         anneal initial -> lr
    phase 2, t up to total - 1:                      anneal lr -> final
    (three_phase: lr -> initial up to 2*pct_start*total - 2, then initial -> final)
    pct = (t - phase start) / (phase end - phase start)
    'cos':    end + (start - end) / 2 * (cos(pi * pct) + 1)
    'linear': (end - start) * pct + start

The phase ends are PyTorch's floats (``pct_start * total - 1``), so the peak is at
that step exactly as PyTorch computes it. After ``total - 1`` the rate holds ``final``
(PyTorch refuses to step past ``total``). The first rate is PyTorch's too: the cosine
at pct = 0 rounds ``initial`` by an ulp (0.04000000000000004 for lr 1, div_factor 25).

Cosine with warm restarts (SGDR, Loshchilov & Hutter 2017; PyTorch's
``CosineAnnealingWarmRestarts``): cycles of length ``T_i = T_0 * T_mult**i``, and
within a cycle, at ``T_cur`` steps into it::

    alpha = floor + (lr - floor) * (1 + cos(pi * T_cur / T_i)) / 2

Cyclic (Smith 2017; PyTorch's ``CyclicLR``), between ``lr`` (the base) and
``max_lr``, up for ``step_size_up`` steps and down for ``step_size_down``::

    cycle = floor(1 + t / (up + down));  x = 1 + t / (up + down) - cycle
    scale = x / r  if x <= r  else (x - 1) / (r - 1),     r = up / (up + down)
    alpha = lr + (max_lr - lr) * scale * s
    s = 1 ('triangular'), 1 / 2**(cycle - 1) ('triangular2'), gamma**t ('exp_range')

Every one is a pure function of t, written in the same floating-point operations as
PyTorch's own closed forms.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from ...validation import POSITIVE, POSITIVE_COUNT, Interval, Real, StrOptions
from .base import LR, Schedule, _fmt
from .formulas import _fail

__all__ = ["OneCycle", "CosineRestarts", "Cyclic"]


def _anneal(kind: str, start: float, end: float, pct: float) -> float:
    if kind == "cos":
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
    return (end - start) * pct + start


@dataclass(frozen=True)
class OneCycle(Schedule):
    """PyTorch's ``OneCycleLR(max_lr=lr, total_steps=total, ...)`` as a function of t."""

    lr: float
    total: int
    pct_start: float = 0.3
    anneal: str = "cos"
    div_factor: float = 25.0
    final_div_factor: float = 1e4
    three_phase: bool = False
    kind: ClassVar[str] = "onecycle"

    _constraints = {"lr": LR, "total": [POSITIVE_COUNT], "pct_start": [Interval(Real, 0, 1, closed="both")],
                    "anneal": [StrOptions(("cos", "linear"))], "div_factor": [POSITIVE],
                    "final_div_factor": [POSITIVE], "three_phase": ["boolean"]}
    _fixes = {"lr": "lr is the peak rate (PyTorch's max_lr)", "total": "the run's length in updates, e.g. total=1000"}

    def __post_init__(self) -> None:
        super().__post_init__()
        ends = [e for e, _, _ in self._phases()]
        if any(b <= a for a, b in zip([0.0] + ends, ends)):
            raise _fail("OneCycle", "phases of at least one step each", f"phase ends {ends}",
                        "raise total or move pct_start away from 0 and 1")

    def _phases(self) -> list[tuple[float, float, float]]:
        """(end step, start rate, end rate) per phase, PyTorch's floats."""
        initial = self.lr / self.div_factor
        final = initial / self.final_div_factor
        if self.three_phase:
            return [(float(self.pct_start * self.total) - 1, initial, self.lr),
                    (float(2 * self.pct_start * self.total) - 2, self.lr, initial),
                    (self.total - 1, initial, final)]
        return [(float(self.pct_start * self.total) - 1, initial, self.lr), (self.total - 1, self.lr, final)]

    def _lr(self, t: int) -> float:
        phases = self._phases()
        t = min(t, self.total - 1)  # PyTorch stops at total; the last rate holds
        start = 0.0
        for i, (end, a, b) in enumerate(phases):
            if t <= end or i == len(phases) - 1:
                return _anneal(self.anneal, a, b, (t - start) / (end - start))
            start = end
        raise AssertionError("unreachable")  # pragma: no cover

    def describe(self) -> str:
        initial = self.lr / self.div_factor
        return (f"one-cycle ({self.anneal}) {_fmt(initial)} -> {_fmt(self.lr)} -> "
                f"{_fmt(initial / self.final_div_factor)} over {self.total} steps, peak at "
                f"{_fmt(self.pct_start)} of them" + (" (three phases)" if self.three_phase else ""))


@dataclass(frozen=True)
class CosineRestarts(Schedule):
    """SGDR: PyTorch's ``CosineAnnealingWarmRestarts(T_0, T_mult, eta_min=floor)``."""

    lr: float
    T_0: int
    T_mult: int = 1
    floor: float = 0.0
    kind: ClassVar[str] = "sgdr"

    _constraints = {"lr": LR, "T_0": [POSITIVE_COUNT], "T_mult": [POSITIVE_COUNT], "floor": LR}
    _fixes = {"T_0": "the first cycle's length in updates, e.g. T_0=100",
              "T_mult": "each cycle is T_mult times the previous one (a whole number >= 1)"}

    def _lr(self, t: int) -> float:
        T_i, T_cur = self.T_0, t
        if self.T_mult == 1:
            T_cur = t % self.T_0
        else:
            while T_cur >= T_i:
                T_cur -= T_i
                T_i *= self.T_mult
        return self.floor + (self.lr - self.floor) * (1 + math.cos(math.pi * T_cur / T_i)) / 2

    def describe(self) -> str:
        grow = f", each cycle x{self.T_mult}" if self.T_mult != 1 else ""
        return f"cosine with warm restarts {_fmt(self.lr)} -> {_fmt(self.floor)}, first cycle {self.T_0} steps{grow}"


@dataclass(frozen=True)
class Cyclic(Schedule):
    """PyTorch's ``CyclicLR(base_lr=lr, max_lr, step_size_up, step_size_down, mode, gamma)``."""

    lr: float
    max_lr: float
    step_size_up: int = 2000
    step_size_down: int | None = None
    mode: str = "triangular"
    gamma: float = 1.0
    kind: ClassVar[str] = "cyclic"

    _constraints = {"lr": LR, "max_lr": LR, "step_size_up": [POSITIVE_COUNT],
                    "step_size_down": [POSITIVE_COUNT, None],
                    "mode": [StrOptions(("triangular", "triangular2", "exp_range"))],
                    "gamma": [Interval(Real, 0, 1, closed="right")]}
    _fixes = {"lr": "lr is the bottom of the cycle (PyTorch's base_lr)"}

    def _lr(self, t: int) -> float:
        up = float(self.step_size_up)
        down = float(self.step_size_down) if self.step_size_down is not None else up
        total = up + down
        ratio = up / total
        cycle = math.floor(1 + t / total)
        x = 1.0 + t / total - cycle
        scale = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
        height = (self.max_lr - self.lr) * scale
        if self.mode == "triangular":
            return self.lr + height * 1.0
        if self.mode == "triangular2":
            return self.lr + height * (1 / (2.0 ** (cycle - 1)))
        return self.lr + height * self.gamma ** t

    def describe(self) -> str:
        down = self.step_size_down if self.step_size_down is not None else self.step_size_up
        extra = f", gamma {_fmt(self.gamma)}" if self.mode == "exp_range" else ""
        return (f"cyclic ({self.mode}) {_fmt(self.lr)} <-> {_fmt(self.max_lr)}, up {self.step_size_up} "
                f"and down {down} steps{extra}")
