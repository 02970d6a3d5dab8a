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
:mod:`.rmsprop`, :mod:`.adam` (Adam, AMSGrad, AdamW), :mod:`.nadam`, :mod:`.newton`;
:mod:`.conventions` (presets and the table of defaults), :mod:`.hyperparams`
(allowed values), :mod:`.state` and :mod:`.statefile` (state as data, on disk).
"""
from __future__ import annotations

from .adagrad import AdaGrad
from .adam import Adam
from .base import Optimizer
from .conventions import DEFAULT_PRESET, PRESETS, conventions_table, format_conventions_table
from .hyperparams import CONVENTION_CHOICES
from .nadam import NAdam
from .newton import Newton, NewtonFallbackWarning
from .registry import ALIASES, OPTIMIZERS, from_config, make_optimizer, optimizer_names
from .rmsprop import RMSProp
from .sgd import SGD
from .state import OptState, StepRecord
from .statefile import LoadedState, load_state, save_state

__all__ = [
    "make_optimizer", "from_config", "optimizer_names", "OPTIMIZERS", "ALIASES",
    "Optimizer", "OptState", "StepRecord",
    "SGD", "AdaGrad", "RMSProp", "Adam", "NAdam", "Newton", "NewtonFallbackWarning",
    "PRESETS", "DEFAULT_PRESET", "CONVENTION_CHOICES", "conventions_table", "format_conventions_table",
    "save_state", "load_state", "LoadedState",
]
