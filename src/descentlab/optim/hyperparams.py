"""Every hyperparameter's allowed values, declared once as a table.

Each optimizer accepts a subset of these names. :func:`check` validates one value at
construction and raises :class:`~descentlab.errors.ConfigError` with a sentence that
names the optimizer, the parameter, the value and the allowed range. The table is in
the vocabulary of :mod:`descentlab.validation`, shared by every check in the package.
"""
from __future__ import annotations

from typing import Any

from ..validation import NONNEGATIVE, POSITIVE_COUNT, UNIT, Interval, Real, StrOptions
from ..validation import check as _check

__all__ = ["CONSTRAINTS", "CONVENTION_CHOICES", "check", "FRAMEWORK_NAMES"]

_UNIT = [UNIT]            # [0, 1): decay rates and momentum
_NONNEG = [NONNEGATIVE]   # [0, inf)
_FLAG = ["boolean"]

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
CONSTRAINTS: dict[str, list[Any]] = {
    "lr": [NONNEGATIVE, "callable"],  # a number or a schedule: any callable step -> lr
    "momentum": _NONNEG,  # its upper bound is the preset's: see base.MOMENTUM_LIMITS
    "dampening": [Interval(Real, 0, 1, closed="both")],
    "nesterov": _FLAG,
    "weight_decay": _NONNEG,
    "lr_decay": _NONNEG,
    "initial_accumulator": _NONNEG,
    "eps": _NONNEG,
    "beta": _UNIT,
    "beta1": _UNIT,
    "beta2": _UNIT,
    "centered": _FLAG,
    "amsgrad": _FLAG,
    "momentum_decay": _NONNEG,
    "regularization": _NONNEG,
    "min_curvature": _NONNEG,
    "fallback_lr": _NONNEG,
    # Rprop
    "eta_minus": [Interval(Real, 0, 1, closed="neither")],
    "eta_plus": [Interval(Real, 1, None, closed="neither")],
    "step_size_min": _NONNEG,
    "step_size_max": _NONNEG,
    # Adafactor
    "beta2_decay": [Interval(Real, -1, 0, closed="both")],
    "eps1": [NONNEGATIVE, None],          # None: the dtype's machine epsilon (PyTorch)
    "eps2": _NONNEG,
    "clip_threshold": [Interval(Real, 0, None, closed="neither")],
    # L-BFGS
    "max_iter": [POSITIVE_COUNT],
    "max_eval": [POSITIVE_COUNT, None],   # None: max_iter * 5 // 4 (PyTorch)
    "tolerance_grad": _NONNEG,
    "tolerance_change": _NONNEG,
    "history_size": [POSITIVE_COUNT],
    "line_search": [StrOptions(("none", "strong_wolfe"))],
    **{name: [StrOptions(forms)] for name, forms in CONVENTION_CHOICES.items()},
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
    "line_search_fn": "line_search ('strong_wolfe' or 'none'; PyTorch's None is 'none')",
}


def check(name: str, value: Any, optimizer: str) -> Any:
    """``value`` normalised if ``name`` allows it, else ConfigError naming all three.

    A learning rate may also be a schedule: any callable ``step -> lr``.
    """
    fix = "pass a number or a schedule (a callable step -> lr)" if name == "lr" else None
    return _check(optimizer, name, value, CONSTRAINTS[name], fix=fix)
