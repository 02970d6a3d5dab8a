"""The schedules' formulas, simplest first.

The lecture's three decays (chapter 4, "Learning rate decay over time")::

    step decay          alpha = alpha0 * gamma ** floor(t / s)     (halve every s steps: gamma = 1/2)
    exponential decay   alpha = alpha0 * exp(-k t)
    1/t decay           alpha = alpha0 / (1 + k t)

and the schedules users meet in the frameworks: constant, multi-step, the
rate form ``alpha0 * r ** (t / T)`` of Keras and optax, cosine, linear (warm-up),
polynomial, and :class:`Join`, which chains schedules at step boundaries.

Each class is a frozen dataclass: its fields are its parameters, ``_constraints`` their
allowed values (checked at construction by :mod:`descentlab.validation`), ``_lr(t)``
the formula.
"""
from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Any, ClassVar

from ...errors import ConfigError, expected
from ...validation import COUNT, NONNEGATIVE, POSITIVE, POSITIVE_COUNT, Interval, Real, check, check_params
from .base import LR, Schedule, _fmt, from_config

__all__ = [
    "Constant",
    "StepDecay",
    "MultiStep",
    "Exponential",
    "ExponentialRate",
    "InverseTime",
    "Cosine",
    "Linear",
    "Polynomial",
    "Join",
    "linear_warmup",
    "warmup_cosine",
]

_LR_FIX = {"lr": "pass a non-negative learning rate"}
#: a factor that multiplies the rate at each decay: in (0, 1]
_FACTOR = Interval(Real, 0, 1, closed="right")


def _fail(owner: str, what: str, got: object, fix: str) -> ConfigError:
    return ConfigError(f"{owner}: " + expected(what, got, fix))


def _increasing_steps(owner: str, name: str, each: str, value: Any, example: str) -> tuple[int, ...]:
    """``value`` as a tuple of strictly increasing steps >= 1 (milestones, boundaries)."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise _fail(owner, f"{name} a list of steps", value, f"pass e.g. {example}")
    steps = tuple(check(owner, each, s, [POSITIVE_COUNT]) for s in value)
    if any(b <= a for a, b in zip(steps, steps[1:])):
        raise _fail(owner, f"{name} strictly increasing", list(steps), f"sort them and drop repeats: {sorted(set(steps))}")
    return steps


def _final_rate(sched: Schedule, name: str) -> None:
    """Check the rate a decay ends at: between 0 and the schedule's lr."""
    value = check(type(sched).__name__, name, getattr(sched, name), [Interval(Real, 0, sched.lr)],  # type: ignore[attr-defined]
                  fix=f"{name} is the final rate, between 0 and lr")
    object.__setattr__(sched, name, value)


#: decay_steps and staircase, shared by the exponential and 1/t decays
_OVER_DECAY_STEPS = {"decay_steps": [POSITIVE_COUNT], "staircase": ["boolean"]}


class _OverDecaySteps(Schedule):
    """The power ``p = t / decay_steps`` (or ``floor(t / decay_steps)`` with ``staircase``)."""

    decay_steps: int
    staircase: bool

    def _p(self, t: int) -> float:
        return t // self.decay_steps if self.staircase else t / self.decay_steps

    def _p_text(self) -> str:
        if self.staircase:
            return f"floor(t/{self.decay_steps})"
        return "t" if self.decay_steps == 1 else f"t/{self.decay_steps}"


@dataclass(frozen=True)
class _KDecay(_OverDecaySteps):
    """The parameters of the lecture's exponential and 1/t decays: alpha0, k, and the power's form."""

    lr: float
    k: float
    decay_steps: int = 1
    staircase: bool = False

    _constraints = {"lr": LR, "k": [NONNEGATIVE], **_OVER_DECAY_STEPS}
    _fixes = {**_LR_FIX, "k": "k >= 0 is a decay constant; k=0 keeps the rate"}


@dataclass(frozen=True)
class Constant(Schedule):
    """alpha_t = alpha0 for every t."""

    lr: float
    kind: ClassVar[str] = "constant"

    _constraints = {"lr": LR}
    _fixes = _LR_FIX

    def _lr(self, t: int) -> float:
        return self.lr

    def describe(self) -> str:
        return f"constant {_fmt(self.lr)}"


@dataclass(frozen=True)
class StepDecay(Schedule):
    """Step decay: alpha_t = alpha0 * gamma ** floor(t / every).

    The lecture's "decay learning rate by half every few epochs" is ``gamma=0.5``
    (the default). PyTorch's ``StepLR(step_size=every, gamma)`` gives the same values
    (its default gamma is 0.1). If the optimizer is stepped per batch, ``every`` counts
    batches; for "every n epochs" pass ``every = n * batches_per_epoch``.
    """

    lr: float
    every: int
    gamma: float = 0.5
    kind: ClassVar[str] = "step"

    _constraints = {"lr": LR, "every": [POSITIVE_COUNT], "gamma": [_FACTOR]}
    _fixes = {**_LR_FIX, "every": "decay every n >= 1 updates, e.g. every=10",
              "gamma": "gamma multiplies the rate at each decay; 0.5 halves it"}

    def _lr(self, t: int) -> float:
        return self.lr * self.gamma ** (t // self.every)

    def describe(self) -> str:
        return f"step decay {_fmt(self.lr)} * {_fmt(self.gamma)}^floor(t/{self.every})"


@dataclass(frozen=True)
class MultiStep(Schedule):
    """Multi-step decay: alpha_t = alpha0 * gamma ** (number of milestones m with m <= t).

    The rate drops by ``gamma`` at each milestone, as PyTorch's ``MultiStepLR``, which
    counts a milestone given twice twice: ``milestones=(10, 10, 20)`` multiplies by
    ``gamma**2`` at step 10 (PyTorch keeps a Counter of them). Milestones are positive
    steps in any order, repeats included; they are stored sorted.
    """

    lr: float
    milestones: tuple[int, ...]
    gamma: float = 0.1
    kind: ClassVar[str] = "multistep"

    _constraints = {"lr": LR, "gamma": [_FACTOR]}
    _fixes = {**_LR_FIX, "gamma": "gamma multiplies the rate at each milestone, e.g. 0.1"}

    def __post_init__(self) -> None:
        super().__post_init__()
        ms = self.milestones
        if isinstance(ms, (str, bytes)) or not hasattr(ms, "__iter__"):
            raise _fail("MultiStep", "milestones a list of steps", ms, "pass e.g. milestones=[30, 60, 90]")
        ms = tuple(sorted(check("MultiStep", "each milestone", m, [POSITIVE_COUNT]) for m in ms))
        object.__setattr__(self, "milestones", ms)

    def _lr(self, t: int) -> float:
        passed = bisect.bisect_right(self.milestones, t)  # milestones m <= t
        return self.lr * self.gamma ** passed

    def describe(self) -> str:
        return f"multi-step {_fmt(self.lr)} * {_fmt(self.gamma)}^(milestones <= t), milestones {list(self.milestones)}"


@dataclass(frozen=True)
class Exponential(_KDecay):
    """Exponential decay as in the lecture: alpha_t = alpha0 * exp(-k * t / decay_steps).

    With the defaults (``decay_steps=1``, no staircase) this is ``alpha0 e^{-kt}``.
    ``staircase=True`` uses ``floor(t / decay_steps)``. The same curve in rate form is
    :class:`ExponentialRate` with ``rate = e^{-k}``; PyTorch's ``ExponentialLR(gamma)``
    is ``rate = gamma``.
    """

    kind: ClassVar[str] = "exp"

    def _lr(self, t: int) -> float:
        return self.lr * math.exp(-self.k * self._p(t))

    def describe(self) -> str:
        return f"exponential {_fmt(self.lr)} * exp(-{_fmt(self.k)}*{self._p_text()})"


@dataclass(frozen=True)
class ExponentialRate(_OverDecaySteps):
    """Exponential decay (or growth) in rate form: alpha_t = alpha0 * rate ** ((t - begin) / decay_steps).

    This is Keras's ``ExponentialDecay(initial_learning_rate, decay_steps, decay_rate,
    staircase)`` and optax's ``exponential_decay(init_value, transition_steps,
    decay_rate, transition_begin, staircase, end_value)``: the rate holds alpha0 until
    step ``begin``; ``staircase=True`` uses ``floor((t - begin) / decay_steps)``;
    ``rate > 1`` is growth (optax allows it); ``end``, when given, is where the rate
    stops: a floor for a decay, a ceiling for a growth (optax's ``end_value``).
    """

    lr: float
    rate: float
    decay_steps: int = 1
    staircase: bool = False
    begin: int = 0
    end: float | None = None
    kind: ClassVar[str] = "exp_rate"

    _constraints = {"lr": LR, "rate": [POSITIVE], **_OVER_DECAY_STEPS, "begin": [COUNT], "end": [NONNEGATIVE, None]}
    _fixes = {**_LR_FIX, "rate": "rate is the factor per decay_steps, e.g. 0.96 (or 1.05 to grow)",
              "begin": "begin is the step the decay starts from, e.g. begin=100"}

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.end is not None and (self.end > self.lr if self.rate < 1.0 else self.end < self.lr):
            side = "<= lr for a decay (rate < 1)" if self.rate < 1.0 else ">= lr for a growth (rate >= 1)"
            raise _fail("ExponentialRate", f"end {side}", self.end, "end is the value the rate stops at")

    def _lr(self, t: int) -> float:
        count = t - self.begin
        if count <= 0:
            return self.lr
        value = self.lr * self.rate ** self._p(count)
        if self.end is not None:
            value = max(value, self.end) if self.rate < 1.0 else min(value, self.end)
        return value

    def describe(self) -> str:
        p = self._p_text() if not self.begin else self._p_text().replace("t", f"(t-{self.begin})", 1)
        text = f"exponential {_fmt(self.lr)} * {_fmt(self.rate)}^({p})"
        if self.begin:
            text += f" from step {self.begin}"
        if self.end is not None:
            text += f", {'floor' if self.rate < 1.0 else 'ceiling'} {_fmt(self.end)}"
        return text


@dataclass(frozen=True)
class InverseTime(_KDecay):
    """1/t decay as in the lecture: alpha_t = alpha0 / (1 + k * t / decay_steps).

    With ``decay_steps=1`` this is ``alpha0 / (1 + kt)``; with ``k = decay_rate`` it is
    Keras's ``InverseTimeDecay`` (``staircase=True`` uses ``floor(t / decay_steps)``).
    PyTorch's ``Adagrad(lr_decay=k)`` applies the same factor inside the optimizer.
    """

    kind: ClassVar[str] = "inv"

    def _lr(self, t: int) -> float:
        return self.lr / (1.0 + self.k * self._p(t))

    def describe(self) -> str:
        return f"1/t decay {_fmt(self.lr)} / (1 + {_fmt(self.k)}*{self._p_text()})"


@dataclass(frozen=True)
class Cosine(Schedule):
    """Cosine decay from ``lr`` to ``floor`` over ``total`` steps, then ``floor``.

    alpha_t = floor + (alpha0 - floor) * (1 + cos(pi * min(t, total) / total)) / 2

    This is PyTorch's ``CosineAnnealingLR(T_max=total, eta_min=floor)`` for
    ``t <= total`` and optax's ``cosine_decay_schedule``. Unlike PyTorch, which keeps
    following the cosine back up after ``T_max``, the rate stays at ``floor`` (as optax
    and Keras do).
    """

    lr: float
    total: int
    floor: float = 0.0
    kind: ClassVar[str] = "cosine"

    _constraints = {"lr": LR, "total": [POSITIVE_COUNT]}
    _fixes = {**_LR_FIX, "total": "decay over total >= 1 steps"}

    def __post_init__(self) -> None:
        super().__post_init__()
        _final_rate(self, "floor")

    def _lr(self, t: int) -> float:
        frac = min(t, self.total) / self.total
        w = (1.0 + math.cos(math.pi * frac)) / 2.0  # 1 at t = 0, 0 at t = total
        # written as a weighted mean so both ends are exact: floor + (lr - floor) * 1 can
        # round to one ulp above lr, and a decay must never start above its lr
        return self.lr * w + self.floor * (1.0 - w)

    def describe(self) -> str:
        return f"cosine from {_fmt(self.lr)} to {_fmt(self.floor)} over {self.total} steps, then {_fmt(self.floor)}"


@dataclass(frozen=True)
class Linear(Schedule):
    """Linear ramp from ``start`` to ``end`` over ``steps`` steps, then ``end``.

    alpha_t = start + (end - start) * min(t, steps) / steps

    A warm-up is ``start < end`` (see :func:`linear_warmup`), a linear decay
    ``start > end``. PyTorch's ``LinearLR(start_factor, end_factor, total_iters)`` is
    ``start = base_lr * start_factor``, ``end = base_lr * end_factor``.
    """

    start: float
    end: float
    steps: int
    kind: ClassVar[str] = "linear"

    _constraints = {"start": LR, "end": LR, "steps": [POSITIVE_COUNT]}
    _fixes = {"start": _LR_FIX["lr"], "end": _LR_FIX["lr"], "steps": "ramp over steps >= 1 updates"}

    def _lr(self, t: int) -> float:
        return self.start + (self.end - self.start) * (min(t, self.steps) / self.steps)

    def describe(self) -> str:
        return f"linear from {_fmt(self.start)} to {_fmt(self.end)} over {self.steps} steps, then {_fmt(self.end)}"


@dataclass(frozen=True)
class Polynomial(Schedule):
    """Polynomial decay: alpha_t = end + (alpha0 - end) * (1 - min(t, total) / total) ** power.

    PyTorch's ``PolynomialLR(total_iters, power)`` is ``end = 0``; Keras's
    ``PolynomialDecay`` (``cycle=False``) and optax's ``polynomial_schedule`` allow an
    ``end`` value. ``power=1`` is a linear decay.
    """

    lr: float
    total: int
    power: float = 1.0
    end: float = 0.0
    kind: ClassVar[str] = "poly"

    _constraints = {"lr": LR, "total": [POSITIVE_COUNT], "power": [POSITIVE]}
    _fixes = {**_LR_FIX, "total": "decay over total >= 1 steps", "power": "e.g. power=1 (linear) or 2"}

    def __post_init__(self) -> None:
        super().__post_init__()
        _final_rate(self, "end")

    def _lr(self, t: int) -> float:
        remaining = 1.0 - min(t, self.total) / self.total
        return self.end + (self.lr - self.end) * remaining ** self.power

    def describe(self) -> str:
        return (f"polynomial from {_fmt(self.lr)} to {_fmt(self.end)} over {self.total} steps, "
                f"power {_fmt(self.power)}")


@dataclass(frozen=True)
class Join(Schedule):
    """Schedules chained at step boundaries.

    For ``boundaries = [b1, ..., bn]`` and ``schedules = [s0, ..., sn]``::

        alpha_t = s0(t)               for t < b1
        alpha_t = si(t - bi)          for bi <= t < b(i+1)

    Each later schedule sees the steps **counted from its own boundary**, so it starts
    at its own step 0 (as optax's ``join_schedules`` and PyTorch's ``SequentialLR``
    do). A warm-up of 5 steps followed by ``Cosine(total=100)`` therefore decays over
    steps 5..105.
    """

    schedules: tuple[Schedule, ...]
    boundaries: tuple[int, ...]
    kind: ClassVar[str] = "join"

    def __post_init__(self) -> None:
        if isinstance(self.schedules, Schedule) or not hasattr(self.schedules, "__iter__"):
            raise _fail("Join", "schedules a list of Schedule objects", self.schedules,
                        "pass e.g. Join([Linear(0, 0.1, 5), Cosine(0.1, 100)], [5])")
        scheds = tuple(self.schedules)
        if not scheds or not all(isinstance(s, Schedule) for s in scheds):
            bad = next((s for s in scheds if not isinstance(s, Schedule)), scheds)
            raise _fail("Join", "a non-empty list of Schedule objects", bad, "build each part with a schedule class")
        bounds = _increasing_steps("Join", "boundaries", "each boundary", self.boundaries, "boundaries=[5]")
        if len(bounds) != len(scheds) - 1:
            raise _fail("Join", f"{len(scheds) - 1} boundaries for {len(scheds)} schedules", list(bounds),
                        "give one boundary between each pair of schedules")
        object.__setattr__(self, "schedules", scheds)
        object.__setattr__(self, "boundaries", bounds)

    def _lr(self, t: int) -> float:
        i = bisect.bisect_right(self.boundaries, t)  # the part that step t falls in
        start = self.boundaries[i - 1] if i else 0
        return self.schedules[i]._lr(t - start)

    def to_config(self) -> dict[str, Any]:
        return {"kind": self.kind, "schedules": [s.to_config() for s in self.schedules],
                "boundaries": list(self.boundaries)}

    @classmethod
    def _args_from_config(cls, args: dict[str, Any]) -> dict[str, Any]:
        parts = args["schedules"]
        if not isinstance(parts, list):
            raise ConfigError(expected("'schedules' a list of configs", parts, "pass the output of to_config()"))
        return {**args, "schedules": [from_config(p) for p in parts]}

    def describe(self) -> str:
        parts = [f"{self.schedules[0].describe()} for t < {self.boundaries[0]}" if self.boundaries
                 else self.schedules[0].describe()]
        for i, (b, s) in enumerate(zip(self.boundaries, self.schedules[1:]), start=1):
            until = f" until t = {self.boundaries[i]}" if i < len(self.boundaries) else ""
            parts.append(f"then {s.describe()} (t counted from {b}){until}")
        return "join: " + "; ".join(parts)


# ----------------------------------------------------------------------------------------
# Conveniences


def linear_warmup(lr: float, steps: int, start: float = 0.0) -> Linear:
    """A linear warm-up from ``start`` to ``lr`` over ``steps`` updates, then ``lr``.

    With ``start=0`` (optax's ``linear_schedule`` habit) the first update has lr 0; pass
    a small ``start`` to make it count.
    """
    return Linear(start=start, end=lr, steps=steps)


def warmup_cosine(lr: float, warmup: int, total: int, floor: float = 0.0, start: float = 0.0) -> Join:
    """Linear warm-up to ``lr`` over ``warmup`` steps, then cosine decay to ``floor``.

    ``total`` counts **all** steps, warm-up included (as optax's
    ``warmup_cosine_decay_schedule``): the cosine runs over ``total - warmup`` steps
    and reaches ``floor`` at step ``total``.
    """
    args = check_params("warmup_cosine", {"warmup": warmup, "total": total},
                        {"warmup": [POSITIVE_COUNT], "total": [POSITIVE_COUNT]})
    warmup, total = args["warmup"], args["total"]
    if total <= warmup:
        raise _fail("warmup_cosine", f"total > warmup = {warmup}", total,
                    "total counts all steps, warm-up included")
    return Join((linear_warmup(lr, warmup, start), Cosine(lr, total - warmup, floor)), (warmup,))
