"""Every hyperparameter's allowed values, declared once as a table.

Each optimizer accepts a subset of these names. :func:`check` validates one value at
construction and raises :class:`~descentlab.errors.ConfigError` with a sentence that
names the parameter, the value and the allowed range.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ConfigError, expected

__all__ = ["Constraint", "CONSTRAINTS", "CONVENTION_CHOICES", "check", "FRAMEWORK_NAMES"]


@dataclass(frozen=True)
class Constraint:
    """A numeric interval ``[low, high)`` or ``[low, high]``, or a set of choices."""

    low: float | None = None
    high: float | None = None
    high_open: bool = True
    choices: tuple[Any, ...] | None = None
    kind: str = "number"  # number | choice | bool | lr
    none_ok: bool = False  # None also allowed (a framework's "derive it" default, e.g. Adafactor's eps1)

    def describe(self) -> str:
        if self.none_ok:
            return Constraint(self.low, self.high, self.high_open, self.choices, self.kind).describe() + " or None"
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "bool":
            return "True or False"
        if self.high is None:
            return f">= {self.low:g}"
        right = ")" if self.high_open else "]"
        return f"in [{self.low:g}, {self.high:g}{right}"

    def allows(self, value: Any) -> bool:
        if value is None:
            return self.none_ok
        if self.choices is not None:
            return value in self.choices
        if self.kind == "bool":
            return isinstance(value, (bool, np.bool_))
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            return False
        v = float(value)
        if not math.isfinite(v) or v < self.low:
            return False
        if self.high is not None and (v > self.high or (self.high_open and v == self.high)):
            return False
        return True


_UNIT = Constraint(0.0, 1.0)            # [0, 1): decay rates and momentum
_NONNEG = Constraint(0.0)              # [0, inf)

#: The named conventions (where frameworks disagree) and their allowed forms.
CONVENTION_CHOICES: dict[str, tuple[str, ...]] = {
    "eps_placement": ("outside", "inside", "hat"),
    "momentum_form": ("lr_outside", "lr_inside"),
    "nesterov_form": ("transformed", "lookahead"),
    "weight_decay_form": ("l2", "decoupled"),
    "nadam_schedule": ("pytorch", "keras", "constant"),
    "amsgrad_form": ("max_raw", "max_corrected"),
    "fallback": ("regularize", "gradient", "none"),
    "adamax_eps": ("in_max", "after_max"),
    "adafactor_eps": ("clamp", "add"),
}

#: Hyperparameter name -> allowed values.
CONSTRAINTS: dict[str, Constraint] = {
    "lr": Constraint(0.0, kind="lr"),
    "momentum": _UNIT,
    "dampening": Constraint(0.0, 1.0, high_open=False),
    "nesterov": Constraint(kind="bool"),
    "weight_decay": _NONNEG,
    "lr_decay": _NONNEG,
    "initial_accumulator": _NONNEG,
    "eps": _NONNEG,
    "beta": _UNIT,
    "beta1": _UNIT,
    "beta2": _UNIT,
    "centered": Constraint(kind="bool"),
    "amsgrad": Constraint(kind="bool"),
    "momentum_decay": _NONNEG,
    "regularization": _NONNEG,
    "min_curvature": Constraint(0.0),
    "fallback_lr": _NONNEG,
    # Rprop
    "eta_minus": Constraint(0.0, 1.0),
    "eta_plus": Constraint(1.0),
    "step_size_min": _NONNEG,
    "step_size_max": _NONNEG,
    # Adafactor
    "beta2_decay": Constraint(-1.0, 0.0, high_open=False),
    "eps1": Constraint(0.0, none_ok=True),
    "eps2": _NONNEG,
    "clip_threshold": Constraint(0.0),
    **{name: Constraint(choices=forms, kind="choice") for name, forms in CONVENTION_CHOICES.items()},
}

#: Names other frameworks use, so an error can point to ours.
FRAMEWORK_NAMES = {
    "alpha": "beta (PyTorch's RMSprop 'alpha' is the decay of the squared-gradient average)",
    "rho": "beta (the 'rho' of Keras's RMSprop and of every framework's Adadelta)",
    "decay": "beta (optax's rmsprop 'decay')",
    "decay_rate": "beta (CS231n's rmsprop 'decay_rate')",
    "betas": "beta1=..., beta2=...",
    "b1": "beta1", "b2": "beta2",
    "beta_1": "beta1", "beta_2": "beta2",
    "learning_rate": "lr",
    "initial_accumulator_value": "initial_accumulator",
    "initial_scale": "initial_accumulator",
    "epsilon": "eps",
    "mu": "momentum",
    "centred": "centered",
    "eps_in_sqrt": "eps_placement='inside'",
    "decoupled_weight_decay": "weight_decay_form='decoupled'",
    "etas": "eta_minus=..., eta_plus=... (PyTorch's Rprop etas)",
    "etaminus": "eta_minus", "etaplus": "eta_plus",
    "step_sizes": "step_size_min=..., step_size_max=... (PyTorch's Rprop step_sizes)",
    "min_step_size": "step_size_min", "max_step_size": "step_size_max",
    "epsilon_1": "eps1", "epsilon_2": "eps2",
    "d": "clip_threshold (PyTorch's Adafactor d)",
    "beta_2_decay": "beta2_decay",
    "weight_decay_rate": "weight_decay",
}


def check(name: str, value: Any, optimizer: str) -> Any:
    """Return ``value`` if ``name`` allows it, else raise ConfigError naming all three.

    A learning rate may also be a schedule: any callable ``step -> lr``.
    """
    c = CONSTRAINTS[name]
    if c.kind == "lr" and callable(value):
        return value
    if value is None and c.none_ok:
        return None
    got = repr(value) if isinstance(value, str) else value  # quote strings: '0.1' is not 0.1
    if c.kind == "choice" and value not in c.choices:
        raise ConfigError(expected(f"{name} {c.describe()} for {optimizer}", got,
                                   f"choose {name} from: {', '.join(c.choices)}"))
    if not c.allows(value):
        what = f"{name} {c.describe()} for {optimizer}"
        fix = "pass a number or a schedule (a callable step -> lr)" if c.kind == "lr" else f"pass {name} {c.describe()}"
        raise ConfigError(expected(what, got, fix))
    if c.kind == "number" or c.kind == "lr":
        return float(value)
    if c.kind == "bool":
        return bool(value)
    return value
