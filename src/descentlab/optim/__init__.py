"""Update rules on plain NumPy arrays, named conventions and framework presets.

>>> import numpy as np
>>> from descentlab.optim import make_optimizer
>>> opt = make_optimizer("adam", lr=0.1)               # preset "pytorch" by default
>>> params = {"x": np.array([1.0, 2.0])}
>>> state = opt.init(params)
>>> rec = opt.step(params, {"x": 2 * params["x"]}, state, record=True)
>>> state.step, rec.update["x"].round(6).tolist()
(1, [-0.1, -0.1])

Modules, simplest first: :mod:`.sgd` (GD, momentum, Nesterov), :mod:`.adagrad`,
:mod:`.rmsprop`, :mod:`.adam` (Adam, AMSGrad, AdamW), :mod:`.nadam`, :mod:`.rprop`,
:mod:`.adadelta`, :mod:`.adamax`, :mod:`.radam`, :mod:`.lion`, :mod:`.lamb`,
:mod:`.adafactor`, :mod:`.newton`, :mod:`.lbfgs` (closure-based);
:mod:`.conventions` (presets and the table of defaults), :mod:`.hyperparams`
(allowed values), :mod:`.state` and :mod:`.statefile` (state as data, on disk);
:mod:`.groups` (parameter groups, maximize, weight-decay masks) and
:mod:`.clipping` (gradient clipping); :mod:`.schedules` (learning rate as a function of the step) and :mod:`.stopping`
(when to stop).
"""
from __future__ import annotations

from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import AdaGrad
from .adam import Adam
from .adamax import Adamax
from .base import Optimizer
from .clipping import clip_by_global_norm, clip_by_value, global_norm
from .conventions import DEFAULT_PRESET, PRESETS, conventions_table, format_conventions_table
from .groups import GroupState, ParamGroups
from .hyperparams import CONVENTION_CHOICES
from .lamb import LAMB
from .lbfgs import LBFGS
from .lion import Lion
from .nadam import NAdam
from .newton import Newton, NewtonFallbackWarning
from .radam import RAdam
from .registry import ALIASES, OPTIMIZERS, default_hyper, from_config, make_optimizer, optimizer_names
from .rmsprop import RMSProp
from .rprop import Rprop
from .schedules import (Constant, Cosine, CosineRestarts, Cyclic, Exponential, ExponentialRate, InverseTime, Join,
                        Linear, MultiStep, OneCycle, PiecewiseLinear, Plateau, Polynomial, Product, Schedule, StepDecay,
                        as_schedule, linear_warmup, parse_schedule, warmup_cosine)
from .schedules import from_config as schedule_from_config
from .sgd import SGD
from .state import OptState, StepRecord
from .statefile import LoadedState, load_state, save_state
from .stopping import (STOP_KINDS, Divergence, GradNorm, MaxSteps, NoImprovement, StopReason, StopRule, StopRules,
                       rule_from_config,
                       grad_norm)

__all__ = [
    "make_optimizer", "default_hyper", "from_config", "optimizer_names", "OPTIMIZERS", "ALIASES",
    "Optimizer", "OptState", "StepRecord",
    "ParamGroups", "GroupState", "clip_by_global_norm", "clip_by_value", "global_norm",
    "SGD", "AdaGrad", "RMSProp", "Adam", "NAdam", "Newton", "NewtonFallbackWarning",
    "Rprop", "Adadelta", "Adamax", "RAdam", "Lion", "LAMB", "Adafactor", "LBFGS",
    "PRESETS", "DEFAULT_PRESET", "CONVENTION_CHOICES", "conventions_table", "format_conventions_table",
    "save_state", "load_state", "LoadedState",
    # schedules (descentlab.optim.schedules)
    "Schedule", "Constant", "StepDecay", "MultiStep", "Exponential", "ExponentialRate", "InverseTime", "Cosine",
    "Linear", "Polynomial", "Join", "OneCycle", "CosineRestarts", "Cyclic", "PiecewiseLinear", "Product", "Plateau",
    "linear_warmup", "warmup_cosine", "as_schedule", "parse_schedule",
    "schedule_from_config",
    # stopping rules (descentlab.optim.stopping)
    "StopReason", "StopRule", "GradNorm", "MaxSteps", "NoImprovement", "Divergence", "StopRules", "grad_norm",
    "rule_from_config",
    "STOP_KINDS",
]
