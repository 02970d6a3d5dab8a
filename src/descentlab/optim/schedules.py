"""Learning-rate schedules: pure functions of the step.

A schedule maps ``t``, the number of updates done before the one about to be made
(0 for the first update), to the learning rate of that update. It holds no state and
never changes an optimizer, so

* any schedule can be evaluated or plotted before training (``sched.values(range(100))``);
* resuming from a checkpoint at step ``k`` gives exactly the learning rates of an
  uninterrupted run, because ``sched(k)`` depends on ``k`` alone;
* ``to_config()`` is plain JSON and :func:`from_config` rebuilds the same schedule,
  nested ones included.

The lecture's three decays (chapter 4, "Learning rate decay over time")::

    step decay          alpha = alpha0 * gamma ** floor(t / s)     (halve every s steps: gamma = 1/2)
    exponential decay   alpha = alpha0 * exp(-k t)
    1/t decay           alpha = alpha0 / (1 + k t)

and the schedules users meet in the frameworks: constant, multi-step, the
rate form ``alpha0 * r ** (t / T)`` of Keras and optax, cosine, linear (warm-up),
polynomial, and :class:`Join`, which chains schedules at step boundaries.

Examples
--------
>>> sched = StepDecay(lr=0.1, every=10, gamma=0.5)
>>> sched(0), sched(9), sched(10), sched(25)
(0.1, 0.1, 0.05, 0.025)
>>> from_config(sched.to_config()) == sched
True
>>> parse_schedule("warmup:steps=5+cosine:total=100", lr=0.1).describe()
'join: linear from 0 to 0.1 over 5 steps, then 0.1 for t < 5; then cosine from 0.1 to 0 over 100 steps, then 0 (t counted from 5)'
"""
from __future__ import annotations

import bisect
import dataclasses
import math
import numbers
import re
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..errors import ConfigError, expected

__all__ = [
    "Schedule",
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
    "as_schedule",
    "from_config",
    "parse_schedule",
    "SCHEDULES",
]


# ----------------------------------------------------------------------------------------
# Validation at construction: each check names the schedule, the parameter, its value
# and the allowed range.


def _fail(owner: str, what: str, got: object, fix: str) -> ConfigError:
    return ConfigError(f"{owner}: " + expected(what, got, fix))


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _real(owner: str, name: str, value: object, *, lo: float | None = None, hi: float | None = None,
          lo_open: bool = False, hi_open: bool = False, fix: str | None = None) -> float:
    """``value`` as a float in the interval given by ``lo``/``hi`` (closed unless ``*_open``)."""
    left = "(" if lo_open else "["
    right = ")" if hi_open else "]"
    span = f"{left}{'-inf' if lo is None else f'{lo:g}'}, {'inf' if hi is None else f'{hi:g}'}{right}"
    if not _is_number(value) or not math.isfinite(float(value)):
        raise _fail(owner, f"{name} a finite number in {span}", value, fix or f"pass a number for {name}")
    x = float(value)
    too_low = lo is not None and (x <= lo if lo_open else x < lo)
    too_high = hi is not None and (x >= hi if hi_open else x > hi)
    if too_low or too_high:
        raise _fail(owner, f"{name} in {span}", x, fix or f"choose {name} in {span}")
    return x


def _count(owner: str, name: str, value: object, *, minimum: int = 1, fix: str | None = None) -> int:
    """``value`` as an int >= ``minimum`` (integral floats such as 10.0 are accepted)."""
    ok = _is_number(value) and math.isfinite(float(value)) and float(value) == int(value)
    if not ok or int(value) < minimum:
        raise _fail(owner, f"{name} an integer >= {minimum}", value, fix or f"pass a whole number of steps >= {minimum}")
    return int(value)


def _fmt(x: float) -> str:
    return f"{x:g}"


def _as_steps(step: Any) -> int | np.ndarray:
    """A step as an int, or steps as an int64 array; whole numbers >= 0 only."""
    if isinstance(step, (int, np.integer)) and not isinstance(step, (bool, np.bool_)):
        if step < 0:
            raise ConfigError(expected("step >= 0", int(step), "steps count the updates already done, from 0"))
        return int(step)
    arr = np.asarray(step)
    if arr.dtype.kind not in "iuf":
        raise ConfigError(expected("an integer step or an array of them", f"{arr.dtype} {step!r:.60}",
                                   "pass e.g. 10 or np.arange(100)"))
    t = arr.astype(np.float64)
    if t.size and not (np.all(np.isfinite(t)) and np.all(t >= 0) and np.all(t == np.floor(t))):
        bad = float(t[~(np.isfinite(t) & (t >= 0) & (t == np.floor(t)))].ravel()[0])
        raise ConfigError(expected("steps that are whole numbers >= 0", bad, "steps count the updates already done, from 0"))
    return int(t) if arr.ndim == 0 else t.astype(np.int64)


# ----------------------------------------------------------------------------------------
# The base class


class Schedule:
    """A learning rate as a pure function of the step ``t`` (updates done so far).

    Subclasses are frozen dataclasses that implement ``_lr(t)``: the formula for one
    step ``t`` (an int), written with Python floats and :mod:`math`. A curve is the same
    function applied step by step, so a plotted rate and the rate used in training are
    the same float, bit for bit. (NumPy's vectorised ``power``/``exp``/``cos`` may use
    SIMD routines that differ from the scalar ones in the last bit, and would break
    that.) One step costs about a microsecond.
    """

    kind: ClassVar[str] = ""

    def __call__(self, step: Any) -> Any:
        """The learning rate of the update made after ``step`` updates.

        ``step`` may be an int (returns a float) or an array of them (returns a float64
        array of the same shape).
        """
        if type(step) is not int or step < 0:  # the common case goes straight through
            step = _as_steps(step)
            if isinstance(step, np.ndarray):
                lrs = [self._lr(t) for t in step.ravel().tolist()]
                return np.array(lrs, dtype=np.float64).reshape(step.shape)
        return self._lr(step)

    def values(self, steps: Any) -> np.ndarray:
        """The learning rates at ``steps`` (array-like of ints), e.g. for a plot."""
        return np.asarray(self(np.asarray(steps)), dtype=np.float64).reshape(np.shape(steps))

    def _lr(self, t: int) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_config(self) -> dict[str, Any]:
        """A JSON-ready dict; :func:`from_config` rebuilds an equal schedule from it."""
        cfg: dict[str, Any] = {"kind": self.kind}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            cfg[f.name] = list(value) if isinstance(value, tuple) else value
        return cfg

    def describe(self) -> str:  # pragma: no cover - every subclass overrides
        return repr(self)


def _frozen_set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


# ----------------------------------------------------------------------------------------
# The schedules, simplest first


@dataclass(frozen=True)
class Constant(Schedule):
    """alpha_t = alpha0 for every t."""

    lr: float
    kind: ClassVar[str] = "constant"

    def __post_init__(self) -> None:
        _frozen_set(self, "lr", _real("Constant", "lr", self.lr, lo=0, fix="pass a non-negative learning rate"))

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

    def __post_init__(self) -> None:
        _frozen_set(self, "lr", _real("StepDecay", "lr", self.lr, lo=0, fix="pass a non-negative learning rate"))
        _frozen_set(self, "every", _count("StepDecay", "every", self.every,
                                          fix="decay every n >= 1 updates, e.g. every=10"))
        _frozen_set(self, "gamma", _real("StepDecay", "gamma", self.gamma, lo=0, hi=1, lo_open=True,
                                         fix="gamma multiplies the rate at each decay; 0.5 halves it"))

    def _lr(self, t: int) -> float:
        return self.lr * self.gamma ** (t // self.every)

    def describe(self) -> str:
        return f"step decay {_fmt(self.lr)} * {_fmt(self.gamma)}^floor(t/{self.every})"


@dataclass(frozen=True)
class MultiStep(Schedule):
    """Multi-step decay: alpha_t = alpha0 * gamma ** (number of milestones m with m <= t).

    The rate drops by ``gamma`` at each milestone, as PyTorch's ``MultiStepLR``.
    Milestones must be strictly increasing positive steps.
    """

    lr: float
    milestones: tuple[int, ...]
    gamma: float = 0.1
    kind: ClassVar[str] = "multistep"

    def __post_init__(self) -> None:
        _frozen_set(self, "lr", _real("MultiStep", "lr", self.lr, lo=0, fix="pass a non-negative learning rate"))
        if isinstance(self.milestones, (str, bytes)) or not hasattr(self.milestones, "__iter__"):
            raise _fail("MultiStep", "milestones a list of steps", self.milestones, "pass e.g. milestones=[30, 60, 90]")
        ms = tuple(_count("MultiStep", "each milestone", m) for m in self.milestones)
        if any(b <= a for a, b in zip(ms, ms[1:])):
            raise _fail("MultiStep", "milestones strictly increasing", list(ms),
                        f"sort them and drop repeats: {sorted(set(ms))}")
        _frozen_set(self, "milestones", ms)
        _frozen_set(self, "gamma", _real("MultiStep", "gamma", self.gamma, lo=0, hi=1, lo_open=True,
                                         fix="gamma multiplies the rate at each milestone, e.g. 0.1"))

    def _lr(self, t: int) -> float:
        passed = bisect.bisect_right(self.milestones, t)  # milestones m <= t
        return self.lr * self.gamma ** passed

    def describe(self) -> str:
        return f"multi-step {_fmt(self.lr)} * {_fmt(self.gamma)}^(milestones <= t), milestones {list(self.milestones)}"


@dataclass(frozen=True)
class Exponential(Schedule):
    """Exponential decay as in the lecture: alpha_t = alpha0 * exp(-k * t / decay_steps).

    With the defaults (``decay_steps=1``, no staircase) this is ``alpha0 e^{-kt}``.
    ``staircase=True`` uses ``floor(t / decay_steps)``. The same curve in rate form is
    :class:`ExponentialRate` with ``rate = e^{-k}``; PyTorch's ``ExponentialLR(gamma)``
    is ``rate = gamma``.
    """

    lr: float
    k: float
    decay_steps: int = 1
    staircase: bool = False
    kind: ClassVar[str] = "exp"

    def __post_init__(self) -> None:
        _frozen_set(self, "lr", _real("Exponential", "lr", self.lr, lo=0, fix="pass a non-negative learning rate"))
        _frozen_set(self, "k", _real("Exponential", "k", self.k, lo=0, fix="k >= 0 is a decay constant; k=0 keeps the rate"))
        _frozen_set(self, "decay_steps", _count("Exponential", "decay_steps", self.decay_steps))
        _frozen_set(self, "staircase", _flag("Exponential", "staircase", self.staircase))

    def _lr(self, t: int) -> float:
        p = t // self.decay_steps if self.staircase else t / self.decay_steps
        return self.lr * math.exp(-self.k * p)

    def describe(self) -> str:
        return f"exponential {_fmt(self.lr)} * exp(-{_fmt(self.k)}*{_power_text(self.decay_steps, self.staircase)})"


@dataclass(frozen=True)
class ExponentialRate(Schedule):
    """Exponential decay in rate form: alpha_t = alpha0 * rate ** (t / decay_steps).

    This is Keras's ``ExponentialDecay(initial_learning_rate, decay_steps, decay_rate,
    staircase)`` and optax's ``exponential_decay`` (without ``transition_begin``);
    ``staircase=True`` uses ``floor(t / decay_steps)``. ``rate`` is in (0, 1].
    """

    lr: float
    rate: float
    decay_steps: int = 1
    staircase: bool = False
    kind: ClassVar[str] = "exp_rate"

    def __post_init__(self) -> None:
        _frozen_set(self, "lr", _real("ExponentialRate", "lr", self.lr, lo=0, fix="pass a non-negative learning rate"))
        _frozen_set(self, "rate", _real("ExponentialRate", "rate", self.rate, lo=0, hi=1, lo_open=True,
                                        fix="rate is the factor per decay_steps, e.g. 0.96"))
        _frozen_set(self, "decay_steps", _count("ExponentialRate", "decay_steps", self.decay_steps))
        _frozen_set(self, "staircase", _flag("ExponentialRate", "staircase", self.staircase))

    def _lr(self, t: int) -> float:
        p = t // self.decay_steps if self.staircase else t / self.decay_steps
        return self.lr * self.rate ** p

    def describe(self) -> str:
        return f"exponential {_fmt(self.lr)} * {_fmt(self.rate)}^({_power_text(self.decay_steps, self.staircase)})"


@dataclass(frozen=True)
class InverseTime(Schedule):
    """1/t decay as in the lecture: alpha_t = alpha0 / (1 + k * t / decay_steps).

    With ``decay_steps=1`` this is ``alpha0 / (1 + kt)``; with ``k = decay_rate`` it is
    Keras's ``InverseTimeDecay`` (``staircase=True`` uses ``floor(t / decay_steps)``).
    PyTorch's ``Adagrad(lr_decay=k)`` applies the same factor inside the optimizer.
    """

    lr: float
    k: float
    decay_steps: int = 1
    staircase: bool = False
    kind: ClassVar[str] = "inv"

    def __post_init__(self) -> None:
        _frozen_set(self, "lr", _real("InverseTime", "lr", self.lr, lo=0, fix="pass a non-negative learning rate"))
        _frozen_set(self, "k", _real("InverseTime", "k", self.k, lo=0, fix="k >= 0 is a decay constant; k=0 keeps the rate"))
        _frozen_set(self, "decay_steps", _count("InverseTime", "decay_steps", self.decay_steps))
        _frozen_set(self, "staircase", _flag("InverseTime", "staircase", self.staircase))

    def _lr(self, t: int) -> float:
        p = t // self.decay_steps if self.staircase else t / self.decay_steps
        return self.lr / (1.0 + self.k * p)

    def describe(self) -> str:
        return f"1/t decay {_fmt(self.lr)} / (1 + {_fmt(self.k)}*{_power_text(self.decay_steps, self.staircase)})"


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

    def __post_init__(self) -> None:
        _frozen_set(self, "lr", _real("Cosine", "lr", self.lr, lo=0, fix="pass a non-negative learning rate"))
        _frozen_set(self, "total", _count("Cosine", "total", self.total, fix="decay over total >= 1 steps"))
        _frozen_set(self, "floor", _real("Cosine", "floor", self.floor, lo=0, hi=self.lr,
                                         fix="floor is the final rate, between 0 and lr"))

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

    def __post_init__(self) -> None:
        _frozen_set(self, "start", _real("Linear", "start", self.start, lo=0, fix="pass a non-negative learning rate"))
        _frozen_set(self, "end", _real("Linear", "end", self.end, lo=0, fix="pass a non-negative learning rate"))
        _frozen_set(self, "steps", _count("Linear", "steps", self.steps, fix="ramp over steps >= 1 updates"))

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

    def __post_init__(self) -> None:
        _frozen_set(self, "lr", _real("Polynomial", "lr", self.lr, lo=0, fix="pass a non-negative learning rate"))
        _frozen_set(self, "total", _count("Polynomial", "total", self.total, fix="decay over total >= 1 steps"))
        _frozen_set(self, "power", _real("Polynomial", "power", self.power, lo=0, lo_open=True, fix="e.g. power=1 (linear) or 2"))
        _frozen_set(self, "end", _real("Polynomial", "end", self.end, lo=0, hi=self.lr,
                                       fix="end is the final rate, between 0 and lr"))

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
        if isinstance(self.boundaries, (str, bytes)) or not hasattr(self.boundaries, "__iter__"):
            raise _fail("Join", "boundaries a list of steps", self.boundaries, "pass e.g. boundaries=[5]")
        bounds = tuple(_count("Join", "each boundary", b) for b in self.boundaries)
        if len(bounds) != len(scheds) - 1:
            raise _fail("Join", f"{len(scheds) - 1} boundaries for {len(scheds)} schedules", list(bounds),
                        "give one boundary between each pair of schedules")
        if any(b <= a for a, b in zip(bounds, bounds[1:])):
            raise _fail("Join", "boundaries strictly increasing", list(bounds), "sort them and drop repeats")
        _frozen_set(self, "schedules", scheds)
        _frozen_set(self, "boundaries", bounds)

    def _lr(self, t: int) -> float:
        i = bisect.bisect_right(self.boundaries, t)  # the part that step t falls in
        start = self.boundaries[i - 1] if i else 0
        return self.schedules[i]._lr(t - start)

    def to_config(self) -> dict[str, Any]:
        return {"kind": self.kind, "schedules": [s.to_config() for s in self.schedules],
                "boundaries": list(self.boundaries)}

    def describe(self) -> str:
        parts = [f"{self.schedules[0].describe()} for t < {self.boundaries[0]}" if self.boundaries
                 else self.schedules[0].describe()]
        for i, (b, s) in enumerate(zip(self.boundaries, self.schedules[1:]), start=1):
            until = f" until t = {self.boundaries[i]}" if i < len(self.boundaries) else ""
            parts.append(f"then {s.describe()} (t counted from {b}){until}")
        return "join: " + "; ".join(parts)


def _flag(owner: str, name: str, value: object) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if _is_number(value) and value in (0, 1):
        return bool(value)
    raise _fail(owner, f"{name} true or false", value, f"pass {name}=True or {name}=False")


def _power_text(decay_steps: int, staircase: bool) -> str:
    if staircase:
        return f"floor(t/{decay_steps})"
    return "t" if decay_steps == 1 else f"t/{decay_steps}"


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
    warmup = _count("warmup_cosine", "warmup", warmup)
    total = _count("warmup_cosine", "total", total)
    if total <= warmup:
        raise _fail("warmup_cosine", f"total > warmup = {warmup}", total,
                    "total counts all steps, warm-up included")
    return Join((linear_warmup(lr, warmup, start), Cosine(lr, total - warmup, floor)), (warmup,))


def as_schedule(lr: float | Schedule) -> Schedule:
    """A learning rate given as a number or a schedule, as a schedule."""
    if isinstance(lr, Schedule):
        return lr
    if _is_number(lr):
        return Constant(float(lr))  # type: ignore[arg-type]
    raise ConfigError(expected("lr a number or a Schedule", f"{type(lr).__name__} {lr!r:.60}",
                               "pass e.g. lr=0.1 or lr=Cosine(0.1, total=100)"))


SCHEDULES: dict[str, type[Schedule]] = {
    cls.kind: cls for cls in (Constant, StepDecay, MultiStep, Exponential, ExponentialRate,
                              InverseTime, Cosine, Linear, Polynomial, Join)
}


def from_config(cfg: dict[str, Any]) -> Schedule:
    """Rebuild a schedule from :meth:`Schedule.to_config` output (nested joins included)."""
    if not isinstance(cfg, dict):
        raise ConfigError(expected("a schedule config dict with a 'kind'", f"{type(cfg).__name__} {cfg!r:.60}",
                                   "pass the output of schedule.to_config()"))
    kind = cfg.get("kind")
    if kind not in SCHEDULES:
        raise ConfigError(expected(f"kind one of {sorted(SCHEDULES)}", kind, "use a known schedule kind"))
    cls = SCHEDULES[kind]
    allowed = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    args = {k: v for k, v in cfg.items() if k != "kind"}
    unknown = sorted(set(args) - set(allowed))
    if unknown:
        raise ConfigError(expected(f"keys of a '{kind}' schedule among {allowed}", unknown, "remove the unknown keys"))
    required = [f.name for f in dataclasses.fields(cls)  # type: ignore[arg-type]
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    missing = [k for k in required if k not in args]
    if missing:
        raise ConfigError(expected(f"keys {required} in a '{kind}' schedule", f"no {missing}", "add the missing keys"))
    if cls is Join:
        parts = args["schedules"]
        if not isinstance(parts, list):
            raise ConfigError(expected("'schedules' a list of configs", parts, "pass the output of to_config()"))
        args["schedules"] = [from_config(p) for p in parts]
    return cls(**args)


# ----------------------------------------------------------------------------------------
# Text form for the command line


def _needs_lr(name: str, kw: dict[str, Any], lr: float | None) -> float:
    if "lr" in kw:
        return kw.pop("lr")
    if lr is None:
        raise ConfigError(expected(f"an lr for '{name}'", "none", f"write {name}:lr=0.1,... or give a base learning rate"))
    return lr


def _build_exp(kw: dict[str, Any], lr: float | None) -> Schedule:
    base = _needs_lr("exp", kw, lr)
    if "rate" in kw and "k" in kw:
        raise ConfigError(expected("either k (alpha0*exp(-k t)) or rate (alpha0*rate^(t/T))", "both", "keep one"))
    if "rate" in kw:
        return ExponentialRate(lr=base, **kw)
    return Exponential(lr=base, **kw)


def _build_linear(kw: dict[str, Any], lr: float | None) -> Schedule:
    # ``lr`` is a synonym of ``start`` here: a linear decay starts from the base rate.
    if "start" in kw and "lr" in kw:
        raise ConfigError(expected("either start or lr for 'linear'", "both", "keep one"))
    start = kw.pop("start") if "start" in kw else _needs_lr("linear", kw, lr)
    return Linear(start=start, **kw)


# name -> (builder, allowed keys, the attribute that gives the part's length or None).
# Builders take the parsed keys and the base lr; ``for`` (a part's length inside a
# chain) is handled by the parser.
_PARSERS: dict[str, tuple[Any, tuple[str, ...], str | None]] = {
    "constant": (lambda kw, lr: Constant(lr=_needs_lr("constant", kw, lr)), ("lr",), None),
    "step": (lambda kw, lr: StepDecay(lr=_needs_lr("step", kw, lr), **kw), ("lr", "every", "gamma"), None),
    "multistep": (lambda kw, lr: MultiStep(lr=_needs_lr("multistep", kw, lr), **kw), ("lr", "milestones", "gamma"), None),
    "exp": (_build_exp, ("lr", "k", "rate", "decay_steps", "staircase"), None),
    "inv": (lambda kw, lr: InverseTime(lr=_needs_lr("inv", kw, lr), **kw), ("lr", "k", "decay_steps", "staircase"), None),
    "cosine": (lambda kw, lr: Cosine(lr=_needs_lr("cosine", kw, lr), **kw), ("lr", "total", "floor"), "total"),
    "linear": (lambda kw, lr: _build_linear(kw, lr), ("start", "end", "steps", "lr"), "steps"),
    "warmup": (lambda kw, lr: linear_warmup(_needs_lr("warmup", kw, lr), **kw), ("lr", "steps", "start"), "steps"),
    "poly": (lambda kw, lr: Polynomial(lr=_needs_lr("poly", kw, lr), **kw), ("lr", "total", "power", "end"), "total"),
}
_ALIASES = {"const": "constant", "exponential": "exp", "inverse": "inv", "invtime": "inv", "1/t": "inv",
            "cos": "cosine", "polynomial": "poly", "multi": "multistep", "milestones": "multistep"}

# one valid text form per kind, for error messages
_EXAMPLE = {"constant": "constant:lr=0.1", "step": "step:every=10,gamma=0.5",
            "multistep": "multistep:milestones=30;60,gamma=0.1", "exp": "exp:k=0.01", "inv": "inv:k=0.1", "cosine": "cosine:total=100,floor=0",
            "linear": "linear:end=0,steps=100", "warmup": "warmup:steps=5", "poly": "poly:total=100,power=2"}

_PART = re.compile(r"^\s*(?P<name>[A-Za-z0-9_/]+)\s*(?::(?P<args>.*))?$")


def _parse_value(key: str, text: str, where: str) -> Any:
    text = text.strip()
    if key == "milestones":
        items = [s for s in re.split(r"[/;\s]+", text.strip("[]").replace(",", "/")) if s]
        return [_parse_value("milestone", s, where) for s in items]
    if text.lower() in ("true", "yes", "on"):
        return True
    if text.lower() in ("false", "no", "off"):
        return False
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(expected(f"a number for {key} in '{where}'", text, f"write e.g. {key}=0.5")) from None
    return int(value) if value.is_integer() and re.fullmatch(r"[+-]?\d+", text) else value


def _split_args(text: str) -> list[str]:
    """Split ``a=1,b=[2,3]`` on the commas outside brackets."""
    out, depth, cur = [], 0, ""
    for ch in text:
        depth += ch == "["
        depth -= ch == "]"
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [s for s in (p.strip() for p in out) if s]


def _parse_part(text: str, lr: float | None) -> tuple[Schedule, int | None]:
    m = _PART.match(text)
    known = sorted(_PARSERS)
    if not m:
        raise ConfigError(expected("a schedule written name:key=value,...", text,
                                   f"use one of {known}, e.g. 'step:every=10,gamma=0.5'"))
    name = _ALIASES.get(m["name"].lower(), m["name"].lower())
    if name not in _PARSERS:
        raise ConfigError(expected(f"a schedule name among {known}", m["name"],
                                   "write e.g. 'exp:k=0.01', 'step:every=10,gamma=0.5', 'inv:k=0.1', "
                                   "'cosine:total=100,floor=0', 'warmup:steps=5+cosine:total=100'"))
    build, keys, length_key = _PARSERS[name]
    kw: dict[str, Any] = {}
    for item in _split_args(m["args"] or ""):
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq or key not in keys + ("for",):
            raise ConfigError(expected(f"key=value with a key among {list(keys) + ['for']} for '{name}'", item,
                                       f"write e.g. '{_EXAMPLE[name]}'"))
        if key in kw:
            raise ConfigError(expected(f"each key once in '{text.strip()}'", key, "remove the repeat"))
        kw[key] = _parse_value(key, value, text.strip())
    length = kw.pop("for", None)
    try:
        sched = build(kw, lr)
    except TypeError as exc:  # a required key is missing
        needed = [k for k in keys if k != "lr"]
        raise ConfigError(expected(f"the keys {needed} for '{name}'", repr(text.strip()),
                                   f"add the missing key, e.g. '{_EXAMPLE[name]}'")) from None
    if length is None and length_key is not None:
        length = getattr(sched, length_key)
    return sched, length


def parse_schedule(text: str, lr: float | None = None) -> Schedule:
    """Build a schedule from its command-line form.

    ``text`` is ``name:key=value,...``; several parts joined with ``+`` run one after
    another (a :class:`Join`), each counting its steps from its own start. A part
    that is not the last needs a length: ``warmup``/``linear`` last ``steps``,
    ``cosine``/``poly`` last ``total``, any other takes ``for=N``. ``lr`` is the base
    learning rate each part starts from unless the part sets ``lr=``.

    Names: constant, step (every, gamma), multistep (milestones=30/60, gamma),
    exp (k, or rate; decay_steps, staircase), inv (k, decay_steps, staircase),
    cosine (total, floor), linear (start, end, steps), warmup (steps, start), poly
    (total, power, end).

    >>> parse_schedule("step:every=10,gamma=0.5", lr=0.1)
    StepDecay(lr=0.1, every=10, gamma=0.5)
    >>> parse_schedule("constant:for=10+exp:k=0.01", lr=0.1).boundaries
    (10,)
    """
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(expected("a schedule such as 'exp:k=0.01'", text, f"use one of {sorted(_PARSERS)}"))
    if lr is not None:
        lr = _real("parse_schedule", "lr", lr, lo=0, fix="pass a non-negative learning rate")
    parts = [p for p in text.split("+")]
    built = [_parse_part(p, lr) for p in parts]
    if len(built) == 1:
        return built[0][0]
    boundaries, at = [], 0
    for (sched, length), part in zip(built[:-1], parts[:-1]):
        if length is None:
            raise ConfigError(expected(f"a length for '{part.strip()}' before '+'", "none",
                                       f"add for=N, e.g. '{part.strip()},for=10'" if ":" in part
                                       else f"add :for=N, e.g. '{part.strip()}:for=10'"))
        at += _count("parse_schedule", "each part's length", length)
        boundaries.append(at)
    return Join(tuple(s for s, _ in built), tuple(boundaries))
