"""Running optimizers: ``minimize`` on surfaces, ``fit`` on networks.

Names are resolved lazily from their modules so that importing one part does not load
the others.
"""
from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "minimize": "descentlab.train.minimize",
    "Trajectory": "descentlab.train.minimize",
    "fit": "descentlab.train.fit",
    "History": "descentlab.train.fit",
    "train_mlp": "descentlab.train.fit",
    "lr_find": "descentlab.train.lr_finder",
    "LRFinderResult": "descentlab.train.lr_finder",
    "compare_batching": "descentlab.train.compare",
    "compare_optimizers": "descentlab.train.compare",
    "save_checkpoint": "descentlab.train.checkpoint",
    "load_checkpoint": "descentlab.train.checkpoint",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'descentlab.train' has no attribute {name!r}")
