"""Running optimizers: ``minimize`` on surfaces, ``fit`` on networks.

``minimize``, ``fit`` and ``race`` are bound eagerly: they share their names with their modules,
and a lazy name would be shadowed by the submodule as soon as anything imported it
(``descentlab.train.minimize`` would then be the module, not the function). The other
names are resolved lazily from their modules.
"""
from __future__ import annotations

from .._lazy import lazy_exports
from .fit import fit
from .history import History
from .minimize import Trajectory, minimize
from .race import RaceResult, race

_LAZY = {
    "train_mlp": "descentlab.train.fit",
    "lr_find": "descentlab.train.lr_finder",
    "LRFinderResult": "descentlab.train.lr_finder",
    "compare_batching": "descentlab.train.compare",
    "compare_optimizers": "descentlab.train.compare",
    "save_checkpoint": "descentlab.train.checkpoint",
    "load_checkpoint": "descentlab.train.checkpoint",
}

__all__ = sorted(["minimize", "Trajectory", "fit", "History", "race", "RaceResult", *_LAZY])


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
