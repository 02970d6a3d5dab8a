"""descentlab's update rules as an optax gradient transformation, in pure NumPy.

:func:`transform` returns the pair optax is built on, ``init(params) -> state`` and
``update(updates, state, params) -> (updates, state)``, over pytrees: nested dicts,
lists and tuples (named tuples too) of arrays, with ``None`` for an empty subtree::

    import optax
    from descentlab.interop.optax import transform

    tx = optax.chain(optax.clip_by_global_norm(1.0), transform("adam", preset="keras", lr=1e-3))
    state = tx.init(params)
    grads = jax.grad(loss)(params)
    updates, state = tx.update(grads, state, params)
    params = optax.apply_updates(params, updates)

With optax installed the result is an ``optax.GradientTransformation``; without it, a
:class:`GradientTransformation` named tuple of the same shape, and nothing but NumPy
is needed. The arithmetic is NumPy's on the host (the arrays are converted with
``np.asarray``), so the update is not traced by ``jax.jit``: call it outside jitted code.

The state is data: :class:`TransformState` holds the update count and, per leaf (named
by its path, ``"dense/w"``, ``"layers/0/b"``), the rule's buffers.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, NamedTuple

import numpy as np

from ..errors import ConfigError, ShapeError, expected
from ..optim.groups import decays
from ..optim.registry import make_optimizer
from ..optim.state import OptState

__all__ = ["transform", "TransformState", "GradientTransformation", "flatten", "unflatten"]


class GradientTransformation(NamedTuple):
    """optax's shape without optax: ``init(params)`` and ``update(updates, state, params)``."""

    init: Callable[..., Any]
    update: Callable[..., Any]


class TransformState(NamedTuple):
    """The update count and, per leaf path, the rule's buffers."""

    count: int
    slots: dict[str, dict[str, np.ndarray]]


# -- pytrees ------------------------------------------------------------------------
def flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    """``{path: leaf}`` in the tree's own order; ``None`` subtrees are left out."""
    out: dict[str, Any] = {}
    if tree is None:
        return out
    if isinstance(tree, Mapping):
        items = tree.items()
    elif isinstance(tree, (list, tuple)):
        items = enumerate(tree)
    else:
        return {prefix or "": tree}
    for key, sub in items:
        out.update(flatten(sub, f"{prefix}/{key}" if prefix else str(key)))
    return out


def unflatten(like: Any, leaves: Mapping[str, Any], prefix: str = "") -> Any:
    """A tree shaped like ``like`` whose leaves are ``leaves[path]``."""
    if like is None:
        return None
    if isinstance(like, Mapping):
        d = {k: unflatten(v, leaves, f"{prefix}/{k}" if prefix else str(k)) for k, v in like.items()}
        return d if type(like) is dict else type(like)(d)
    if isinstance(like, (list, tuple)):
        items = [unflatten(v, leaves, f"{prefix}/{i}" if prefix else str(i)) for i, v in enumerate(like)]
        if isinstance(like, tuple) and hasattr(like, "_fields"):  # a named tuple
            return type(like)(*items)
        return type(like)(items)
    return leaves[prefix or ""]


def _arrays(tree: Any, what: str) -> dict[str, np.ndarray]:
    out = {}
    for path, leaf in flatten(tree).items():
        a = np.asarray(leaf)
        if a.dtype.kind not in "fiu":
            raise ConfigError(expected(f"{what} leaves as real arrays", f"{a.dtype} at {path!r}",
                                       "pass a pytree of float arrays"))
        out[path] = a
    return out


# -- the transformation ---------------------------------------------------------------
def transform(optimizer: str, preset: str | None = None, *, decay_mask: Any = None, **hyper: Any) -> Any:
    """descentlab's rule ``optimizer`` under ``preset`` as an optax gradient transformation.

    Parameters
    ----------
    optimizer : str
        A registry name: ``"sgd"``, ``"momentum"``, ``"nesterov"``, ``"adagrad"``,
        ``"rmsprop"``, ``"adam"``, ``"amsgrad"``, ``"adamw"``, ``"nadam"``.
    preset : str, optional
        ``"pytorch"`` (default), ``"keras"``, ``"optax"``, ``"cs231n"`` or ``"lecture"``.
    decay_mask : pytree of bools, callable or None
        Where weight decay applies, as optax's ``mask``: a tree shaped like the
        params, or a function of the leaf's path (``"dense/b"``) returning a bool.
    **hyper
        The rule's hyperparameters (descentlab's names: ``lr``, ``beta1``, ``eps``...).

    The update returned is the change to add, as optax's: ``params + updates``.
    """
    opt = make_optimizer(optimizer, preset=preset, **hyper)
    wd = opt.hyper.get("weight_decay", 0.0)
    plain = make_optimizer(optimizer, preset=preset, **{**hyper, "weight_decay": 0.0}) if wd else opt
    lookahead = opt.hyper.get("nesterov") and opt.hyper.get("nesterov_form") == "lookahead"
    mask_fn: Any = decay_mask
    if decay_mask is not None and not callable(decay_mask):
        mask_fn = {p: bool(v) for p, v in flatten(decay_mask).items()}

    def init(params: Any) -> TransformState:
        return TransformState(0, opt.init(_arrays(params, "params")).slots)

    def update(updates: Any, state: TransformState, params: Any = None) -> tuple[Any, TransformState]:
        if not isinstance(state, TransformState):
            raise ConfigError(expected("the state made by this transformation's init()", type(state).__name__,
                                       "call state = tx.init(params) and pass it back each step"))
        grads = _arrays(updates, "updates")
        if grads.keys() != state.slots.keys():
            raise ShapeError(expected(f"updates with the leaves {sorted(state.slots)}", sorted(grads),
                                      "pass gradients shaped like the params given to init()"))
        if params is None:
            if wd or lookahead:
                raise ConfigError(expected(f"params for {opt.name} (weight decay or look-ahead reads them)", "None",
                                           "call tx.update(grads, state, params)"))
            at = {p: np.zeros_like(g, dtype=float) if g.dtype.kind != "f" else np.zeros_like(g)
                  for p, g in grads.items()}
        else:
            at = _arrays(params, "params")
        parts: dict[int, tuple[Any, list[str]]] = {}
        for path in grads:
            rule = opt if not wd or decays(mask_fn, path) else plain
            parts.setdefault(id(rule), (rule, []))[1].append(path)
        out, slots = {}, {}
        for rule, paths in parts.values():
            u, new = rule.update({p: grads[p] for p in paths}, OptState(state.count, {p: state.slots[p] for p in paths}),
                                 {p: at[p] for p in paths})
            out.update(u)
            slots.update(new.slots)
        return unflatten(updates, out), TransformState(state.count + 1, {p: slots[p] for p in grads})

    try:
        import optax  # optional: only to hand back optax's own named tuple
    except ImportError:
        return GradientTransformation(init, update)
    return optax.GradientTransformation(init, update)
