"""The chapter's worked examples as runnable, explained programs.

Each example is one module with a ``run(...)`` function returning an
:class:`~descentlab.lecture._account.Account`: the numbers (``.data``, JSON-able), a
step-by-step account with the formula of each step (``.text()``), and the lecture's
claims checked on those numbers (``.checks``).

==============  ==============================================================
``derivatives``  limit definitions as h shrinks; partial, directional derivative, gradient
``gd-x2``        gradient descent on f(x) = x²: step sizes and the ‖∇f‖ ≤ ε stop
``newton``       x ← x − H⁻¹∇f on a quadratic and on Rosenbrock's function
``batch-size``   SGD, batch GD and mini-batch GD on the linear-regression derivation
``optimizers``   momentum, Nesterov, AdaGrad, RMSProp, Adam one step at a time
``rprop``        rprop with mini-batches drifts; RMSProp's moving average repairs it
``decay``        step, exponential and 1/t learning-rate decay
``backprop``     the 2-2-1 example number by number, and the 2-3-2-1 network
==============  ==============================================================

>>> from descentlab.lecture import run_example
>>> acc = run_example("backprop")
>>> round(acc.data["forward"]["y5"], 6)
0.690283
"""
from __future__ import annotations

import importlib
from typing import Any

from ._account import Account, Check, Line, Part, Table, fmt

__all__ = ["EXAMPLES", "list_examples", "run_example", "Account", "Check", "Line", "Part", "Table", "fmt"]

#: example name (as on the command line) -> module
EXAMPLES = {
    "derivatives": "descentlab.lecture.derivatives",
    "gd-x2": "descentlab.lecture.gd_x2",
    "newton": "descentlab.lecture.newton",
    "batch-size": "descentlab.lecture.batch_size",
    "optimizers": "descentlab.lecture.optimizers",
    "rprop": "descentlab.lecture.rprop",
    "decay": "descentlab.lecture.decay",
    "backprop": "descentlab.lecture.backprop",
}


def list_examples() -> list[str]:
    """The worked examples, in the chapter's order."""
    return list(EXAMPLES)


def run_example(name: str, **params: Any) -> Account:
    """Run one worked example by name (``"gd-x2"`` or ``"gd_x2"``) and return its account."""
    from ..errors import ConfigError, expected

    key = name.replace("_", "-")
    if key not in EXAMPLES:
        raise ConfigError(expected(f"one of {', '.join(EXAMPLES)}", name, "run `descentlab lecture --help` for the list"))
    return importlib.import_module(EXAMPLES[key]).run(**params)
