"""The schedules' text form, as the command line writes them: ``warmup:steps=5+cosine:total=100``.

A part is ``name:key=value,...`` (the values in the :mod:`descentlab.keyvalue`
grammar); parts joined with ``+`` run one after another as a :class:`~.formulas.Join`.
Each name is registered once with :func:`text_form`; the registration says which
class it builds, the key (if any) that gives the part's length inside a chain, and a
valid example for error messages.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...errors import ConfigError, expected
from ...keyvalue import parse_value, split_top_level
from ...validation import NONNEGATIVE, POSITIVE_COUNT, check
from .base import Schedule
from .cyclic import CosineRestarts, Cyclic, OneCycle
from .formulas import (Constant, Cosine, Exponential, ExponentialRate, InverseTime, Join, Linear, MultiStep, Polynomial,
                       StepDecay, linear_warmup)
from .piecewise import PiecewiseLinear, Product  # noqa: F401  (Product registers its kind; it has no text form)
from .plateau import Plateau

__all__ = ["parse_schedule", "text_form", "TEXT_FORMS"]

Builder = Callable[[dict[str, Any], "float | None"], Schedule]


@dataclass(frozen=True)
class TextForm:
    """How one schedule name reads: its keys, its builder, its length key, an example."""

    name: str
    keys: tuple[str, ...]
    build: Builder
    example: str
    length: str | None = None  # the key that gives the part's length inside a '+' chain
    lists: tuple[str, ...] = ()  # keys whose value is a list of steps
    words: tuple[str, ...] = ()  # keys whose value is a word (a form's name: mode=triangular2)


#: name -> its text form; aliases point at the same entry.
TEXT_FORMS: dict[str, TextForm] = {}
_ALIASES: dict[str, str] = {}


def _needs_lr(name: str, kw: dict[str, Any], lr: float | None) -> float:
    if "lr" in kw:
        return kw.pop("lr")
    if lr is None:
        raise ConfigError(expected(f"an lr for '{name}'", "none", f"write {name}:lr=0.1,... or give a base learning rate"))
    return lr


def text_form(name: str, cls: type[Schedule] | None = None, *, example: str, build: Builder | None = None,
              keys: tuple[str, ...] | None = None, length: str | None = None, lists: tuple[str, ...] = (),
              aliases: tuple[str, ...] = (), words: tuple[str, ...] = ()) -> None:
    """Register ``name`` as the text form of a schedule.

    By default the keys are ``cls``'s fields and the builder passes them to ``cls``,
    taking ``lr`` from the base learning rate unless the text sets it. Give ``build``
    and ``keys`` for a name that is not one class's fields (``warmup``, ``exp``).
    """
    if build is None:
        assert cls is not None, "text_form needs a class or a builder"
        fields = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]

        def build(kw: dict[str, Any], lr: float | None, _cls: type[Schedule] = cls) -> Schedule:
            if "lr" in fields:
                kw = {"lr": _needs_lr(name, kw, lr), **kw}
            return _cls(**kw)

        keys = keys or fields
    TEXT_FORMS[name] = TextForm(name, tuple(keys or ()), build, example, length, lists, words)
    for alias in aliases:
        _ALIASES[alias] = name


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


text_form("constant", Constant, example="constant:lr=0.1", aliases=("const",))
text_form("step", StepDecay, example="step:every=10,gamma=0.5")
text_form("multistep", MultiStep, example="multistep:milestones=30;60,gamma=0.1", lists=("milestones",),
          aliases=("multi", "milestones"))
text_form("exp", build=_build_exp, keys=("lr", "k", "rate", "decay_steps", "staircase", "begin", "end"),
          example="exp:k=0.01",
          aliases=("exponential",))
text_form("inv", InverseTime, example="inv:k=0.1", aliases=("inverse", "invtime", "1/t"))
text_form("cosine", Cosine, example="cosine:total=100,floor=0", length="total", aliases=("cos",))
text_form("linear", build=_build_linear, keys=("start", "end", "steps", "lr"), example="linear:end=0,steps=100",
          length="steps")
text_form("warmup", build=lambda kw, lr: linear_warmup(_needs_lr("warmup", kw, lr), **kw), keys=("lr", "steps", "start"),
          example="warmup:steps=5", length="steps")
text_form("poly", Polynomial, example="poly:total=100,power=2", length="total", aliases=("polynomial",))
text_form("onecycle", OneCycle, example="onecycle:total=1000,pct_start=0.3", length="total", words=("anneal",),
          aliases=("one_cycle", "1cycle"))
text_form("sgdr", CosineRestarts, example="sgdr:T_0=100,T_mult=2", aliases=("restarts", "cosine_restarts"))
text_form("cyclic", Cyclic, example="cyclic:max_lr=0.1,step_size_up=100,mode=triangular2", words=("mode",),
          aliases=("clr",))
text_form("piecewise", PiecewiseLinear, example="piecewise:steps=0/100/200,rates=0.1/1/0.01",
          lists=("steps", "rates"), aliases=("interp",))
text_form("plateau", Plateau, example="plateau:factor=0.5,patience=5",
          keys=("lr", "mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps"),
          words=("mode", "threshold_mode"), aliases=("reduce_on_plateau",))

# one valid text form per name, for error messages
_EXAMPLE = {name: form.example for name, form in TEXT_FORMS.items()}

_PART = re.compile(r"^\s*(?P<name>[A-Za-z0-9_/]+)\s*(?::(?P<args>.*))?$")
# '+' chains parts, except inside a number's exponent (1e+3) or as a value's sign (k=+0.5)
_CHAIN = re.compile(r"(?<![0-9.][eE])(?<!=)\+")


def _value(form: TextForm, key: str, text: str, where: str) -> Any:
    if key in form.lists:
        value = parse_value(text.replace("/", ";"), lists=True)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, str):
                raise ConfigError(expected(f"a number for {key} in '{where}'", item, f"write e.g. {form.example}"))
        return items
    value = parse_value(text, lists=False)
    if key in form.words:
        return value.strip() if isinstance(value, str) else value
    if isinstance(value, str):
        raise ConfigError(expected(f"a number for {key} in '{where}'", value.strip(), f"write e.g. {key}=0.5"))
    return value


def _parse_part(text: str, lr: float | None) -> tuple[Schedule, int | None]:
    m = _PART.match(text)
    known = sorted(TEXT_FORMS)
    if not m:
        raise ConfigError(expected("a schedule written name:key=value,...", text,
                                   f"use one of {known}, e.g. 'step:every=10,gamma=0.5'"))
    name = _ALIASES.get(m["name"].lower(), m["name"].lower())
    if name not in TEXT_FORMS:
        raise ConfigError(expected(f"a schedule name among {known}", m["name"],
                                   "write e.g. 'exp:k=0.01', 'step:every=10,gamma=0.5', 'inv:k=0.1', "
                                   "'cosine:total=100,floor=0', 'warmup:steps=5+cosine:total=100'"))
    form = TEXT_FORMS[name]
    kw: dict[str, Any] = {}
    for item in split_top_level(m["args"] or ""):
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq or key not in form.keys + ("for",):
            raise ConfigError(expected(f"key=value with a key among {list(form.keys) + ['for']} for '{name}'", item,
                                       f"write e.g. '{form.example}'"))
        if key in kw:
            raise ConfigError(expected(f"each key once in '{text.strip()}'", key, "remove the repeat"))
        kw[key] = _value(form, key, value, text.strip())
    length = kw.pop("for", None)
    try:
        sched = form.build(kw, lr)
    except TypeError:  # a required key is missing
        needed = [k for k in form.keys if k != "lr"]
        raise ConfigError(expected(f"the keys {needed} for '{name}'", repr(text.strip()),
                                   f"add the missing key, e.g. '{form.example}'")) from None
    if length is None and form.length is not None:
        length = getattr(sched, form.length)
    return sched, length


def parse_schedule(text: str, lr: float | None = None) -> Schedule:
    """Build a schedule from its command-line form.

    ``text`` is ``name:key=value,...``; several parts joined with ``+`` run one after
    another (a :class:`~.formulas.Join`), each counting its steps from its own start. A
    part that is not the last needs a length: ``warmup``/``linear`` last ``steps``,
    ``cosine``/``poly`` last ``total``, any other takes ``for=N``. ``lr`` is the base
    learning rate each part starts from unless the part sets ``lr=``. A ``+`` inside a
    number (``exp:k=1e+3``) is the number's.

    Names: constant, step (every, gamma), multistep (milestones=30/60, gamma),
    exp (k, or rate; decay_steps, staircase), inv (k, decay_steps, staircase),
    cosine (total, floor), linear (start, end, steps), warmup (steps, start), poly
    (total, power, end), onecycle (total, pct_start, anneal, div_factor,
    final_div_factor, three_phase), sgdr (T_0, T_mult, floor), cyclic (max_lr,
    step_size_up, step_size_down, mode, gamma), piecewise (steps, rates), plateau
    (factor, patience, threshold, threshold_mode, cooldown, min_lr, mode).

    >>> parse_schedule("step:every=10,gamma=0.5", lr=0.1)
    StepDecay(lr=0.1, every=10, gamma=0.5)
    >>> parse_schedule("constant:for=10+exp:k=0.01", lr=0.1).boundaries
    (10,)
    >>> parse_schedule("exp:k=1e+3", lr=0.1)
    Exponential(lr=0.1, k=1000.0, decay_steps=1, staircase=False)
    """
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(expected("a schedule such as 'exp:k=0.01'", text, f"use one of {sorted(TEXT_FORMS)}"))
    if lr is not None:
        lr = check("parse_schedule", "lr", lr, [NONNEGATIVE], fix="pass a non-negative learning rate")
    parts = _CHAIN.split(text)
    built = [_parse_part(p, lr) for p in parts]
    if len(built) == 1:
        return built[0][0]
    boundaries, at = [], 0
    for (sched, length), part in zip(built[:-1], parts[:-1]):
        if length is None:
            raise ConfigError(expected(f"a length for '{part.strip()}' before '+'", "none",
                                       f"add for=N, e.g. '{part.strip()},for=10'" if ":" in part
                                       else f"add :for=N, e.g. '{part.strip()}:for=10'"))
        at += check("parse_schedule", "each part's length", length, [POSITIVE_COUNT])
        boundaries.append(at)
    return Join(tuple(s for s, _ in built), tuple(boundaries))
