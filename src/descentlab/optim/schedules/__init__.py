"""Learning-rate schedules: pure functions of the step.

A schedule maps ``t``, the number of updates done before the one about to be made
(0 for the first update), to the learning rate of that update. It holds no state and
never changes an optimizer, so

* any schedule can be evaluated or plotted before training (``sched.values(range(100))``);
* resuming from a checkpoint at step ``k`` gives exactly the learning rates of an
  uninterrupted run, because ``sched(k)`` depends on ``k`` alone;
* ``to_config()`` is plain JSON and :func:`from_config` rebuilds the same schedule,
  nested ones included.

The package holds these, one module each:

* :mod:`.base`: the :class:`Schedule` contract, the registry :data:`SCHEDULES`,
  :func:`from_config` and :func:`as_schedule`;
* :mod:`.formulas`: the schedules themselves, simplest first (the lecture's step,
  exponential and 1/t decays, and the frameworks' constant, multi-step, rate-form
  exponential, cosine, linear, polynomial and :class:`Join`);
* :mod:`.cyclic`: one-cycle, cosine with warm restarts (SGDR) and cyclic rates;
  :mod:`.piecewise`: piecewise-linear interpolation and :class:`Product`;
  :mod:`.plateau`: :class:`Plateau`, the one schedule with state (it reads a metric);
* :mod:`.grammar`: the text form of the command line, :func:`parse_schedule`
  (``"warmup:steps=5+cosine:total=100"``).

Adding a schedule
-----------------
One class and one registration:

1. In :mod:`.formulas` (or a module of its own that :mod:`.grammar` imports), a frozen
   dataclass deriving from :class:`Schedule`, with ``kind`` (its name in configs), its
   parameters as fields, their allowed values in ``_constraints`` (the vocabulary of
   :mod:`descentlab.validation`, e.g. ``{"lr": LR, "total": [POSITIVE_COUNT]}``), the
   formula in ``_lr(t)`` and a ``describe()``. Defining the class registers its
   ``kind``, so ``to_config``/``from_config`` work with no more code.
2. In :mod:`.grammar`, one line ``text_form("name", TheClass, example="name:key=1",
   length="total")``: the keys are the fields, and ``lr`` comes from the base rate.
3. Export it here and from :mod:`descentlab.optim`, and add one instance to the
   catalogue of tests/optim/test_schedules.py (the round-trip, scalar/array and
   resume tests then cover it).

Examples
--------
>>> sched = StepDecay(lr=0.1, every=10, gamma=0.5)
>>> sched(0), sched(9), sched(10), sched(25)
(0.1, 0.1, 0.05, 0.025)
>>> from_config(sched.to_config()) == sched
True
>>> parse_schedule("warmup:steps=5+cosine:total=100", lr=0.1).describe()
'join: linear from 0 to 0.1 over 5 steps, then 0.1 for t < 5; then cosine from 0.1 to 0 over 100 steps, then 0 (t counted from 5)'
>>> Cosine(0.1, total=10).values([0, 5, 10]).round(4).tolist()
[0.1, 0.05, 0.0]
>>> sorted(SCHEDULES)[:4]
['constant', 'cosine', 'cyclic', 'exp']
"""
from __future__ import annotations

from . import formulas as _formulas
from .base import SCHEDULES, Schedule, as_schedule, from_config
from . import cyclic as _cyclic
from . import piecewise as _piecewise
from . import plateau as _plateau
from .cyclic import CosineRestarts, Cyclic, OneCycle
from .formulas import (Constant, Cosine, Exponential, ExponentialRate, InverseTime, Join, Linear, MultiStep, Polynomial,
                       StepDecay, linear_warmup, warmup_cosine)
from .piecewise import PiecewiseLinear, Product
from .plateau import Plateau
from .grammar import _EXAMPLE, TEXT_FORMS, parse_schedule, text_form  # noqa: F401  (_EXAMPLE: for error-message tests)

__all__ = [
    "Schedule",
    *_formulas.__all__,
    *_cyclic.__all__,
    *_piecewise.__all__,
    *_plateau.__all__,
    "as_schedule",
    "from_config",
    "parse_schedule",
    "text_form",
    "TEXT_FORMS",
    "SCHEDULES",
]
