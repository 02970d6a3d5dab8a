"""descentlab: neural-network optimization from the derivative to Adam.

The public API is re-exported here lazily, so ``import descentlab`` loads NumPy and
nothing else heavy; each name is imported from its layer on first use::

    arrays (NumPy)
      autodiff   Tensor, no_grad, gradcheck          descentlab.autodiff
      calculus   derivatives by central differences  descentlab.calculus
      functions  test surfaces                       descentlab.functions
      optim      update rules, presets, schedules    descentlab.optim
      fast       flat buffers, fused kernels, lean MLP  descentlab.fast
      nn         layers, losses, initialisers        descentlab.nn
      data       offline datasets, batching          descentlab.data
      train      minimize(), fit(), histories        descentlab.train
      sweep      studies, executors, SQLite store    descentlab.sweep
      viz        figures and animations (matplotlib) descentlab.viz
      lecture    the chapter's worked examples       descentlab.lecture
      report     the HTML report of `descentlab tour` descentlab.report

(docs/architecture.md has the full layer list; tests/test_architecture.py enforces it.)
"""
from __future__ import annotations

from ._lazy import lazy_exports

__version__ = "0.1.0"

_SUBPACKAGES = ("autodiff", "calculus", "functions", "optim", "nn", "data", "train", "sweep", "viz", "lecture", "report", "fast",
                "errors")

# public name -> module that defines it
_LAZY = {
    "Tensor": "descentlab.autodiff",
    "no_grad": "descentlab.autodiff",
    "gradcheck": "descentlab.autodiff",
    "derivative": "descentlab.calculus",
    "partial_derivative": "descentlab.calculus",
    "directional_derivative": "descentlab.calculus",
    "numerical_gradient": "descentlab.calculus",
    "numerical_hessian": "descentlab.calculus",
    "make_optimizer": "descentlab.optim",
    "OptState": "descentlab.optim",
    "StepRecord": "descentlab.optim",
    "save_state": "descentlab.optim",
    "load_state": "descentlab.optim",
    "parse_schedule": "descentlab.optim",
    "get_surface": "descentlab.functions",
    "from_function": "descentlab.functions",
    "race": "descentlab.train",
    "mlp": "descentlab.nn",
    "load_dataset": "descentlab.data",
    "prepare_dataset": "descentlab.data",
    "minimize": "descentlab.train",
    "fit": "descentlab.train",
    "run_example": "descentlab.lecture",
    "run_tour": "descentlab.report",
}

__all__ = ["__version__", *_SUBPACKAGES, *_LAZY]


__getattr__, __dir__ = lazy_exports(__name__, {**{n: f"descentlab.{n}" for n in _SUBPACKAGES}, **_LAZY}, globals())
