"""Save and load optimizer state: one ``.npz`` of named arrays plus a JSON manifest.

No pickle is involved (:func:`descentlab._io.save_arrays`). The manifest holds the
step counter, the optimizer's config (so the optimizer can be rebuilt, schedule
included) and the list of buffers, which :func:`load_state` checks so that a
truncated or mismatched file fails with a sentence.

Array names in the file are ``"<param>/<buffer>"``; a parameter name may itself
contain ``/``, since the manifest keeps the pairs. L-BFGS, whose memory is global over
the flattened parameters rather than per parameter, stores it as ``"lbfgs.<field>"``
arrays (the history pairs stacked, one row per pair; the floats t, H_diag, prev_loss
as one float64 vector, so NaN and inf survive) and its counters under the manifest's
``"lbfgs"`` entry; the per-parameter buffer list is then empty.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, NamedTuple

import numpy as np

from .._io import load_arrays, save_arrays
from ..errors import DescentlabError, StateFileError, expected
from .base import Optimizer
from .config import optimizer_config, rebuildable
from .state import OptState

__all__ = ["save_state", "load_state", "LoadedState", "check_state", "pack_state", "unpack_state"]

_KIND = "descentlab-optimizer-state"
_VERSION = 1


class LoadedState(NamedTuple):
    """What :func:`load_state` returns: ``state, opt = load_state(path)``."""

    state: OptState
    optimizer: Optimizer | None


def save_state(path: str | os.PathLike, state: OptState, opt: Optimizer | None = None) -> Path:
    """Write ``state`` (and ``opt``'s config when given) to ``path`` atomically.

    An optimizer whose lr is a plain callable (not a descentlab schedule) cannot be
    rebuilt from a file; its config is then left out and :func:`load_state` needs the
    optimizer passed back in.
    """
    arrays, manifest = pack_state(state, opt)
    return save_arrays(path, arrays, {"kind": _KIND, "version": _VERSION, **manifest})


def pack_state(state: OptState, opt: Optimizer | None = None, prefix: str = "") -> tuple[dict[str, np.ndarray], dict]:
    """``state`` as named arrays (``<prefix><param>/<buffer>``) and the manifest entries that list them.

    The one layout of optimizer state on disk: :func:`save_state` writes it alone, a
    training checkpoint writes it beside the model (``prefix="opt/"``) and reads it back
    with :func:`unpack_state`.
    """
    arrays: dict[str, np.ndarray] = {}
    buffers = []
    for p, bufs in state.slots.items():
        for b, a in bufs.items():
            key = f"{prefix}{p}/{b}"
            arrays[key] = np.asarray(a)
            buffers.append([p, b, key])
    config = optimizer_config(opt) if opt is not None else None
    manifest = {"step": int(state.step), "params": list(state.slots), "buffers": buffers,
                "optimizer": config if rebuildable(config) else None}
    memory = getattr(state, "lbfgs", None)
    if memory is not None:
        more, manifest["lbfgs"] = memory.pack(f"{prefix}lbfgs.")
        arrays.update(more)
    return arrays, manifest


def load_state(path: str | os.PathLike, opt: Optimizer | None = None,
               params: Mapping[str, np.ndarray] | None = None) -> LoadedState:
    """Read a state written by :func:`save_state`.

    Parameters
    ----------
    path : path of the ``.npz`` file
    opt : Optimizer, optional
        When given, the file's optimizer config must match it, and it is returned;
        otherwise the optimizer is rebuilt from the file.
    params : dict of arrays, optional
        When given, the state must have buffers for exactly these parameters, with
        their shapes.

    Raises
    ------
    StateFileError
        When the file is missing, truncated, not an optimizer state, or does not
        match ``opt`` or ``params``.
    """
    arrays, meta = load_arrays(path)
    if meta.get("kind") != _KIND:
        raise StateFileError(expected(f"an optimizer state file (kind {_KIND!r})", f"{path} of kind {meta.get('kind')!r}",
                                      "save it with descentlab.optim.save_state"))
    if meta.get("version") != _VERSION:
        raise StateFileError(expected(f"state file version {_VERSION}", meta.get("version"),
                                      "save it again with this version of descentlab"))
    return unpack_state(arrays, meta, opt, params, where=str(path))


def unpack_state(arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any], opt: Optimizer | None = None,
                 params: Mapping[str, np.ndarray] | None = None, where: str = "the file") -> LoadedState:
    """The state :func:`pack_state` wrote, checked against ``opt`` and ``params`` as :func:`load_state` does."""
    step = meta.get("step")
    if not isinstance(step, int) or isinstance(step, bool) or step < 0:
        raise StateFileError(expected("a step counter >= 0 in the state file", step, "the file is corrupt"))
    try:
        slots: dict[str, dict[str, np.ndarray]] = {p: {} for p in meta.get("params", [])}
    except TypeError as exc:
        raise StateFileError(expected("a list of parameter names", meta.get("params"), "the file is corrupt")) from exc
    for entry in meta.get("buffers", []):
        try:
            p, b, key = entry
            slots[p][b] = arrays[key]
        except (ValueError, KeyError, TypeError) as exc:
            raise StateFileError(expected("buffers listed in the manifest", entry, "the file is corrupt")) from exc
    state = OptState(step, slots)
    if "lbfgs" in meta:
        from .lbfgs import _Memory

        if not isinstance(meta["lbfgs"], Mapping):
            raise StateFileError(expected(f"L-BFGS's memory in {where}", meta["lbfgs"], "the file is corrupt"))
        size = sum(int(np.size(a)) for a in params.values()) if params is not None else None
        state.lbfgs = _Memory.unpack(arrays, meta["lbfgs"], size, where)
    opt = _the_optimizer(meta.get("optimizer"), opt, where)
    check_state(state, opt, params)
    return LoadedState(state, opt)


def _the_optimizer(config: Any, opt: Optimizer | None, where: str) -> Optimizer:
    """``opt`` checked against the saved ``config``, or the optimizer rebuilt from it."""
    if opt is None:
        if config is None:
            raise StateFileError(expected(f"an optimizer config in {where}", "none (its lr was a plain callable)",
                                          "pass the optimizer: load_state(path, opt=...)"))
        from .registry import from_config

        try:
            return from_config(config)
        except DescentlabError as exc:
            raise StateFileError(expected(f"an optimizer config that builds, in {where}", config.get("name"),
                                          f"the file is corrupt or from another version ({exc})")) from exc
    if config is not None:
        mine = optimizer_config(opt)
        mine = _comparable(mine) if rebuildable(mine) else None  # a plain-callable lr: the buffers are checked
        theirs = _comparable(config)
        if mine is not None and mine != theirs:
            diff = sorted(k for k in set(mine["hyper"]) | set(theirs["hyper"])
                          if mine["hyper"].get(k) != theirs["hyper"].get(k))
            what = f"name {theirs['name']!r}" if mine["name"] != theirs["name"] else f"hyperparameters {diff}"
            raise StateFileError(expected(f"a state saved by {opt.name} with the same hyperparameters",
                                          f"a file whose {what} differ",
                                          "build the optimizer from the file: load_state(path) without opt="))
        from .schedules.plateau import restore_plateau_state

        restore_plateau_state(opt, config)  # the optimizer given back takes the saved Plateau state
    return opt


def check_state(state: OptState, opt: Optimizer, params: Mapping[str, np.ndarray] | None = None) -> None:
    """Raise StateFileError unless ``state`` has the buffers ``opt`` makes for ``params``."""
    closure = bool(getattr(opt, "needs_closure", False))
    if closure != (getattr(state, "lbfgs", None) is not None):
        raise StateFileError(expected(f"a state saved by {opt.name}",
                                      "per-parameter buffers without L-BFGS's memory" if closure
                                      else "L-BFGS's memory", "load the state saved with this optimizer"))
    if params is None:
        return
    if set(params) != set(state.slots):
        raise StateFileError(expected(f"state for the parameters {sorted(params)}", sorted(state.slots),
                                      "load the state saved for this model"))
    fresh = opt.init({p: np.asarray(a) for p, a in params.items()})
    for p, bufs in fresh.slots.items():
        got = state.slots[p]
        if set(bufs) != set(got):
            raise StateFileError(expected(f"buffers {sorted(bufs)} for parameter {p!r}", sorted(got),
                                          f"the state was saved by another optimizer or setting than {opt.name}"))
        for b, a in bufs.items():
            if got[b].shape != a.shape:
                raise StateFileError(expected(f"buffer {p}/{b} of shape {a.shape}", f"shape {got[b].shape}",
                                              "the parameters changed shape since the state was saved"))


def _comparable(config: Any) -> Any:
    if config is None:
        return None
    from .._io import to_jsonable
    import json

    from .schedules.plateau import without_plateau_state

    # a Plateau lr's state moves with the run; its settings are what must agree
    return without_plateau_state(json.loads(json.dumps(to_jsonable(config))))
