"""An optimizer's config as plain data: what a run records, a checkpoint compares and a state file stores.

:meth:`Optimizer.to_config` describes an optimizer so :func:`~descentlab.optim.from_config`
can rebuild it, and refuses one whose learning rate is a plain callable (it cannot be
written down). :func:`optimizer_config` never refuses: for such an optimizer it gives the
name and preset, with ``hyper`` set to :data:`NOT_SERIALISABLE`, which
:func:`rebuildable` tells apart from a full description.

>>> from descentlab.optim import make_optimizer
>>> optimizer_config(make_optimizer("sgd", lr=lambda t: 0.1))["hyper"]
'not serialisable (callable lr)'
>>> rebuildable(optimizer_config(make_optimizer("sgd", lr=0.1)))
True
"""
from __future__ import annotations

from typing import Any

from ..errors import ConfigError

__all__ = ["optimizer_config", "rebuildable", "NOT_SERIALISABLE"]

#: ``hyper`` of an optimizer that cannot be written down (its lr is a plain callable)
NOT_SERIALISABLE = "not serialisable (callable lr)"


def optimizer_config(opt: Any) -> dict[str, Any]:
    """``opt.to_config()``, or ``{"name", "preset", "hyper": NOT_SERIALISABLE}`` when it cannot be saved."""
    try:
        return opt.to_config()
    except (ConfigError, AttributeError):
        return {"name": getattr(opt, "name", type(opt).__name__), "preset": getattr(opt, "preset", None),
                "hyper": NOT_SERIALISABLE}


def rebuildable(config: Any) -> bool:
    """Whether ``config`` is a full description (``from_config`` can rebuild the optimizer from it)."""
    return isinstance(config, dict) and isinstance(config.get("hyper"), dict)
