"""The schedule contract: a pure function of the step, checked at construction, stored as JSON.

A subclass is a frozen dataclass that sets ``kind`` (its name in configs), declares its
parameters' constraints in ``_constraints`` (the table of :mod:`descentlab.validation`)
and implements ``_lr(t)``. Defining it registers it in :data:`SCHEDULES`, so
:func:`from_config` rebuilds it with no further code.
"""
from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np

from ...errors import ConfigError, expected
from ...validation import NONNEGATIVE, check_params, is_real

__all__ = ["Schedule", "SCHEDULES", "from_config", "as_schedule", "LR"]

#: The constraint every learning rate in a schedule shares.
LR = [NONNEGATIVE]

#: kind -> schedule class; filled as the classes are defined.
SCHEDULES: dict[str, type[Schedule]] = {}


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
    #: parameter name -> allowed forms (see descentlab.validation); checked in __post_init__
    _constraints: ClassVar[dict[str, list[Any]]] = {}
    #: parameter name -> the advice an error about it gives
    _fixes: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("kind"):
            SCHEDULES[cls.kind] = cls

    def __post_init__(self) -> None:
        values = {name: getattr(self, name) for name in self._constraints}
        for name, value in check_params(type(self).__name__, values, self._constraints, fixes=self._fixes).items():
            object.__setattr__(self, name, value)  # frozen: store the normalised value

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

    @classmethod
    def _args_from_config(cls, args: dict[str, Any]) -> dict[str, Any]:
        """The constructor arguments from a config's entries (a nesting schedule rebuilds its parts)."""
        return args

    def describe(self) -> str:  # pragma: no cover - every subclass overrides
        return repr(self)


def from_config(cfg: dict[str, Any]) -> Schedule:
    """Rebuild a schedule from :meth:`Schedule.to_config` output (nested joins included)."""
    if not isinstance(cfg, dict):
        raise ConfigError(expected("a schedule config dict with a 'kind'", f"{type(cfg).__name__} {cfg!r:.60}",
                                   "pass the output of schedule.to_config()"))
    kind = cfg.get("kind")
    if kind not in SCHEDULES:
        raise ConfigError(expected(f"kind one of {sorted(SCHEDULES)}", kind, "use a known schedule kind"))
    cls = SCHEDULES[kind]
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    allowed = [f.name for f in fields]
    args = {k: v for k, v in cfg.items() if k != "kind"}
    unknown = sorted(set(args) - set(allowed))
    if unknown:
        raise ConfigError(expected(f"keys of a '{kind}' schedule among {allowed}", unknown, "remove the unknown keys"))
    required = [f.name for f in fields if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    missing = [k for k in required if k not in args]
    if missing:
        raise ConfigError(expected(f"keys {required} in a '{kind}' schedule", f"no {missing}", "add the missing keys"))
    return cls(**cls._args_from_config(args))


def as_schedule(lr: float | Schedule) -> Schedule:
    """A learning rate given as a number or a schedule, as a schedule."""
    if isinstance(lr, Schedule):
        return lr
    if is_real(lr):
        return SCHEDULES["constant"](float(lr))  # type: ignore[call-arg]
    raise ConfigError(expected("lr a number or a Schedule", f"{type(lr).__name__} {lr!r:.60}",
                               "pass e.g. lr=0.1 or lr=Cosine(0.1, total=100)"))
