"""Checking arguments at the edge: one table of constraints per callable, one checker.

A constraint table maps each parameter's name to a list of allowed forms, and a value
is valid when one of them allows it (scikit-learn's ``_parameter_constraints``)::

    Interval(Real, 0, None, closed="left")     a finite real number >= 0
    Interval(Integral, 1, None, closed="left") a whole number >= 1
    StrOptions({"l2", "decoupled"})            one of these strings
    Options({1, 2, math.inf})                  one of these values
    "boolean"                                  True or False (NumPy's bool too)
    "callable"                                 anything callable (a schedule, a loss)
    None                                       the value None
    a class                                    an instance of it

:func:`check` validates one value and :func:`check_params` a dict of them. Both return
the values normalised (a real as ``float``, a whole number as ``int``, a flag as
``bool``) and raise :class:`~descentlab.errors.ConfigError` with a sentence that names
the owner and the parameter, then says what was expected, what came and how to fix it.

Whole numbers
-------------
A count (steps, epochs, a batch size, a period in steps, a seed) must be an ``int``
or a NumPy integer. ``2.0`` is refused like ``2.5``, and ``True``/``False`` are refused
wherever a number is expected. The reason: a float count is nearly always the result of
arithmetic (``n / 2``), and accepting ``2.0`` while refusing ``2.5`` would make one call
pass or fail depending on the data that reached it. Python (``range(2.0)``), NumPy
(shapes and indices) and scikit-learn (``Interval(Integral, ...)``) draw the same line,
and the fix, ``int(n)`` or ``n // 2``, is one word. Real-valued parameters take ints
(``lr=1`` is ``1.0``) but never bools, and never NaN or infinity.

Examples
--------
>>> check("Cosine", "total", 100, [Interval(Integral, 1, None, closed="left")])
100
>>> check("Cosine", "total", 100.0, [Interval(Integral, 1, None, closed="left")])
Traceback (most recent call last):
...
descentlab.errors.ConfigError: Cosine: expected total an integer >= 1, got 100.0. Fix: pass total as a whole number (an int, not a float), e.g. total=100.
>>> check_params("sgd", {"lr": 1}, {"lr": [Interval(Real, 0, None, closed="left"), "callable"]})
{'lr': 1.0}
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from numbers import Integral, Real
from typing import Any

import numpy as np

from .errors import ConfigError, expected

__all__ = [
    "Integral",
    "Real",
    "Interval",
    "Options",
    "StrOptions",
    "check",
    "check_params",
    "is_integer",
    "is_real",
    "COUNT",
    "POSITIVE_COUNT",
    "NONNEGATIVE",
    "POSITIVE",
    "UNIT",
    "SEED",
    "as_rng",
    "describe",
]


def is_real(value: object) -> bool:
    """A real number that is not a bool (NaN and infinity included)."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def is_integer(value: object) -> bool:
    """An ``int`` or NumPy integer that is not a bool; ``2.0`` is not one."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _num(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


class Interval:
    """Real or whole numbers between ``left`` and ``right`` (None: unbounded).

    ``closed`` is ``"both"``, ``"left"``, ``"right"`` or ``"neither"``, as in
    scikit-learn. A real interval never holds NaN or infinity.
    """

    def __init__(self, type: type, left: float | None, right: float | None, *, closed: str = "both") -> None:
        if type not in (Real, Integral):
            raise TypeError("Interval type must be numbers.Real or numbers.Integral")
        if closed not in ("both", "left", "right", "neither"):
            raise ValueError(f"closed must be 'both', 'left', 'right' or 'neither', not {closed!r}")
        self.type, self.left, self.right, self.closed = type, left, right, closed

    def allows(self, value: object) -> bool:
        if self.type is Integral:
            if not is_integer(value):
                return False
        elif not is_real(value) or not math.isfinite(float(value)):  # type: ignore[arg-type]
            return False
        x = value
        left_in = self.closed in ("both", "left")
        right_in = self.closed in ("both", "right")
        if self.left is not None and (x < self.left or (x == self.left and not left_in)):  # type: ignore[operator]
            return False
        if self.right is not None and (x > self.right or (x == self.right and not right_in)):  # type: ignore[operator]
            return False
        return True

    def normalise(self, value: Any) -> Any:
        return int(value) if self.type is Integral else float(value)

    def describe(self) -> str:
        lo, hi = self.left, self.right
        left_in = self.closed in ("both", "left")
        right_in = self.closed in ("both", "right")
        kind = "an integer " if self.type is Integral else ""
        if lo is None and hi is None:
            return "an integer" if self.type is Integral else "a finite number"
        if hi is None:
            return f"{kind}{'>=' if left_in else '>'} {_num(lo)}"  # type: ignore[arg-type]
        if lo is None:
            return f"{kind}{'<=' if right_in else '<'} {_num(hi)}"
        return f"{kind}in {'[' if left_in else '('}{_num(lo)}, {_num(hi)}{']' if right_in else ')'}"

    def example(self) -> float | int:
        """A value inside the interval, for a message's fix."""
        if self.left is not None:
            step = 1 if self.type is Integral else 0.1
            x = self.left if self.closed in ("both", "left") and self.left != 0 else self.left + step
            return x if self.right is None or x < self.right else self.left
        return 0 if self.right is None or self.right > 0 else self.right

    def __repr__(self) -> str:
        return f"Interval({self.type.__name__}, {self.left!r}, {self.right!r}, closed={self.closed!r})"


class Options:
    """One of a fixed set of values (compared with ``==``; bools never match numbers)."""

    def __init__(self, values: Iterable[Any]) -> None:
        self.values = tuple(values)

    def allows(self, value: object) -> bool:
        if isinstance(value, (bool, np.bool_)):
            return any(v is value or (isinstance(v, bool) and v == value) for v in self.values)
        try:
            return any(value == v and not isinstance(v, bool) for v in self.values)
        except Exception:  # an array compared with ==
            return False

    def describe(self) -> str:
        return "one of " + ", ".join(_num(v) if is_real(v) else repr(v) for v in self.values)


class StrOptions(Options):
    """One of a set of strings; listed in the order given."""

    def allows(self, value: object) -> bool:
        return isinstance(value, str) and value in self.values

    def describe(self) -> str:
        return "one of " + ", ".join(repr(v) for v in self.values)


def _allows(c: Any, value: object) -> bool:
    if c is None:
        return value is None
    if c == "boolean":
        return isinstance(value, (bool, np.bool_))
    if c == "callable":
        return callable(value)
    if isinstance(c, type):
        return isinstance(value, c)
    return c.allows(value)


def _describe_one(c: Any) -> str:
    if c is None:
        return "None"
    if c == "boolean":
        return "True or False"
    if c == "callable":
        return "a callable"
    if isinstance(c, type):
        return f"a {c.__name__}"
    return c.describe()


def describe(constraints: Iterable[Any]) -> str:
    """The allowed forms in words, joined by "or"."""
    return " or ".join(_describe_one(c) for c in constraints)


def _assign(name: str, value: object) -> str:
    """``name=value`` for a parameter, ``--flag value`` for a flag, ``value`` alone for a phrase."""
    if name.startswith("--"):
        return f"{name} {value}"
    return f"{name}={value}" if name.isidentifier() else str(value)


def _whole_number_fix(name: str, constraints: list[Any], value: object) -> str | None:
    """The advice for a float given as a count: the rule, not the range, is what was missed."""
    interval = next((c for c in constraints if isinstance(c, Interval) and c.type is Integral), None)
    if interval is None or not is_real(value) or isinstance(value, numbers.Integral):
        return None
    x = float(value)  # type: ignore[arg-type]
    if interval.right is not None and not x <= interval.right:
        return None  # 1e11 for a count capped at 10000: the range is what was missed, not the whole-number rule
    example = int(x) if math.isfinite(x) and x.is_integer() and interval.allows(int(x)) else interval.example()
    return f"pass {name} as a whole number (an int, not a float), e.g. {_assign(name, example)}"


def _default_fix(name: str, constraints: list[Any], value: object) -> str:
    interval = next((c for c in constraints if isinstance(c, Interval)), None)
    if interval is not None:
        if isinstance(value, (bool, np.bool_)):
            return f"True and False are not numbers here; pass e.g. {_assign(name, interval.example())}"
        return f"pass {name} {interval.describe()}"
    if "boolean" in constraints:
        return f"pass {name}=True or {name}=False"
    options = next((c for c in constraints if isinstance(c, Options)), None)
    if options is not None:
        return f"choose {name} from: {', '.join(str(v) for v in options.values)}"
    return f"pass {name} as {describe(constraints)}"


def _normalise(c: Any, value: Any) -> Any:
    if isinstance(c, Interval):
        return c.normalise(value)
    if c == "boolean":
        return bool(value)
    return value


def check(owner: str, name: str, value: Any, constraints: list[Any], *, fix: str | None = None) -> Any:
    """``value`` normalised if one of ``constraints`` allows it, else ConfigError.

    The message reads ``"<owner>: expected <name> <allowed>, got <value>. Fix: ..."``
    (no ``<owner>:`` when ``owner`` is empty); ``fix`` replaces the default advice,
    except for a float given as a count, which is told the whole-number rule.
    """
    for c in constraints:
        if _allows(c, value):
            return _normalise(c, value)
    got = repr(value) if isinstance(value, str) else value  # quote strings: '0.1' is not 0.1
    if isinstance(got, np.ndarray):
        got = f"an array of shape {got.shape}"
    elif not isinstance(got, (str, numbers.Number, type(None))):
        got = f"{type(value).__name__} {value!r:.60}"
    advice = _whole_number_fix(name, constraints, value) or fix or _default_fix(name, constraints, value)
    raise ConfigError((f"{owner}: " if owner else "") + expected(f"{name} {describe(constraints)}", got, advice))


def check_params(owner: str, params: Mapping[str, Any], table: Mapping[str, list[Any]], *,
                 fixes: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Check every entry of ``params`` that ``table`` names; return them normalised.

    Parameters missing from the table pass through unchanged, so a caller may check a
    subset of its arguments.
    """
    fixes = fixes or {}
    return {k: check(owner, k, v, table[k], fix=fixes.get(k)) if k in table else v for k, v in params.items()}


#: Shared forms: a count of steps/epochs (>= 0 or >= 1), and the usual real ranges.
COUNT = Interval(Integral, 0, None, closed="left")
POSITIVE_COUNT = Interval(Integral, 1, None, closed="left")
NONNEGATIVE = Interval(Real, 0, None, closed="left")
POSITIVE = Interval(Real, 0, None, closed="neither")
UNIT = Interval(Real, 0, 1, closed="left")  # [0, 1): decay rates and momentum
#: A seed: what numpy.random.default_rng takes (an int >= 0), a Generator, or None for fresh entropy.
SEED = [COUNT, np.random.Generator, None]


def as_rng(owner: str, seed: Any, name: str = "seed") -> np.random.Generator:
    """``seed`` checked against :data:`SEED` and turned into a Generator (a Generator as itself)."""
    seed = check(owner, name, seed, SEED, fix=f"pass {name} as a whole number >= 0, e.g. {name}=0")
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
