"""Save and load optimizer state: one ``.npz`` of named arrays plus a JSON manifest.

No pickle is involved (:func:`descentlab._io.save_arrays`). The manifest holds the
step counter, the optimizer's config (so the optimizer can be rebuilt, schedule
included) and the list of buffers, which :func:`load_state` checks so that a
truncated or mismatched file fails with a sentence.

Array names in the file are ``"<param>/<buffer>"``; a parameter name may itself
contain ``/``, since the manifest keeps the pairs.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, NamedTuple

import numpy as np

from .._io import load_arrays, save_arrays
from ..errors import ConfigError, DescentlabError, StateFileError, expected
from .base import Optimizer
from .state import OptState

__all__ = ["save_state", "load_state", "LoadedState", "check_state"]

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
    arrays: dict[str, np.ndarray] = {}
    buffers = []
    for p, bufs in state.slots.items():
        for b, a in bufs.items():
            key = f"{p}/{b}"
            arrays[key] = np.asarray(a)
            buffers.append([p, b, key])
    config = None
    if opt is not None:
        try:
            config = opt.to_config()
        except ConfigError:
            config = None
    manifest = {"kind": _KIND, "version": _VERSION, "step": int(state.step), "params": list(state.slots),
                "buffers": buffers, "optimizer": config}
    return save_arrays(path, arrays, manifest)


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
    step = meta.get("step")
    if not isinstance(step, int) or step < 0:
        raise StateFileError(expected("a step counter >= 0 in the state file", step, "the file is corrupt"))
    slots: dict[str, dict[str, np.ndarray]] = {p: {} for p in meta.get("params", [])}
    for entry in meta.get("buffers", []):
        try:
            p, b, key = entry
            slots[p][b] = arrays[key]
        except (ValueError, KeyError, TypeError) as exc:
            raise StateFileError(expected("buffers listed in the manifest", entry, "the file is corrupt")) from exc
    state = OptState(step, slots)

    config = meta.get("optimizer")
    if opt is None:
        if config is None:
            raise StateFileError(expected(f"an optimizer config in {path}", "none (its lr was a plain callable)",
                                          "pass the optimizer: load_state(path, opt=...)"))
        from .registry import from_config

        try:
            opt = from_config(config)
        except DescentlabError as exc:
            raise StateFileError(expected(f"an optimizer config that builds, in {path}", config.get("name"),
                                          f"the file is corrupt or from another version ({exc})")) from exc
    elif config is not None:
        try:
            mine = _comparable(opt.to_config())
        except ConfigError:  # a plain-callable lr: nothing to compare, the buffers are checked below
            mine = None
        theirs = _comparable(config)
        if mine is not None and mine != theirs:
            diff = sorted(k for k in set(mine["hyper"]) | set(theirs["hyper"])
                          if mine["hyper"].get(k) != theirs["hyper"].get(k))
            what = f"name {theirs['name']!r}" if mine["name"] != theirs["name"] else f"hyperparameters {diff}"
            raise StateFileError(expected(f"a state saved by {opt.name} with the same hyperparameters",
                                          f"a file whose {what} differ",
                                          "build the optimizer from the file: load_state(path) without opt="))
    check_state(state, opt, params)
    return LoadedState(state, opt)


def check_state(state: OptState, opt: Optimizer, params: Mapping[str, np.ndarray] | None = None) -> None:
    """Raise StateFileError unless ``state`` has the buffers ``opt`` makes for ``params``."""
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

    return json.loads(json.dumps(to_jsonable(config)))
