"""Running optimizers: ``minimize`` on surfaces, ``fit`` on networks.

``minimize`` and ``fit`` are bound eagerly: they share their names with their modules,
and a lazy name would be shadowed by the submodule as soon as anything imported it
(``descentlab.train.minimize`` would then be the module, not the function). The other
names are resolved lazily from their modules.
"""
from __future__ import annotations

import importlib
from typing import Any

from .fit import History, fit
from .minimize import Trajectory, minimize

_LAZY = {
    "race": "descentlab.train.race",
    "RaceResult": "descentlab.train.race",
    "train_mlp": "descentlab.train.fit",
    "lr_find": "descentlab.train.lr_finder",
    "LRFinderResult": "descentlab.train.lr_finder",
    "compare_batching": "descentlab.train.compare",
    "compare_optimizers": "descentlab.train.compare",
    "save_checkpoint": "descentlab.train.checkpoint",
    "load_checkpoint": "descentlab.train.checkpoint",
}

__all__ = sorted(["minimize", "Trajectory", "fit", "History", *_LAZY])


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'descentlab.train' has no attribute {name!r}")
