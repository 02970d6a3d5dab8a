"""Checkpoints: everything a training run needs to continue bit-identically, in one file.

One ``.npz`` written by :func:`descentlab._io.save_arrays` (no pickle) holds

* ``model/<name>``            every parameter, by dotted name;
* ``opt/<name>/<buffer>``     the optimizer's buffers (``m``, ``v``, ``b`` …), by name;
* ``history/...``             the per-step and per-epoch records;
* ``best/<name>``             with ``restore_best``: the weights of the best epoch so far;
* the JSON manifest:          optimizer config and step (the schedule's step: a
  schedule is a pure function of it), the batching config, the batching generator's
  ``bit_generator.state`` now and at the start of the current epoch, the loop's
  position (epoch, batch inside the epoch, running sums), early-stopping state.

Safety: a new checkpoint is first written beside the target (atomically), read back
and checked; only then does a copy of the current file (a hard link where the file
system has them) become ``<path>.prev`` and the new one replace ``<path>``, each step
an atomic rename. A bad write therefore never replaces a good checkpoint, the previous
good one survives as ``.prev``, and a kill at any moment leaves a readable ``<path>``. :func:`load_checkpoint` detects a truncated
file (``StateFileError``) and, with ``fallback=True``, says so and uses ``.prev``.
"""
from __future__ import annotations

import os
import shutil
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .._io import ensure_parent, load_arrays, save_arrays
from ..errors import ConfigError, StateFileError, expected

__all__ = ["save_checkpoint", "load_checkpoint", "Checkpoint", "checkpoint_exists", "previous_path"]

FORMAT = "descentlab-checkpoint"
VERSION = 1


def previous_path(path) -> Path:
    p = Path(path)
    return p.with_name(p.name + ".prev")


def checkpoint_exists(path) -> bool:
    return Path(path).is_file() or previous_path(path).is_file()


def _readable(path: Path) -> bool:
    try:
        load_arrays(path)
        return True
    except StateFileError:
        return False


def save_checkpoint(path, model, opt, state, batcher, loop, history, done: bool = False,
                    best: dict | None = None) -> Path:
    """Write a checkpoint atomically, keeping the previous good one as ``<path>.prev``.

    ``best`` holds the early-stopping copy of the best weights (``fit(restore_best=True)``).
    """
    from .fit import _opt_config

    path = ensure_parent(path)  # refused under its own name, not as the ".new" file written first
    arrays: dict[str, np.ndarray] = {f"model/{k}": v for k, v in model.params().items()}
    for name, bufs in state.slots.items():
        for buf, a in bufs.items():
            arrays[f"opt/{name}/{buf}"] = a
    arrays.update(history.to_arrays())
    arrays.update({f"best/{k}": v for k, v in (best or {}).items()})
    manifest = {
        "format": FORMAT, "version": VERSION, "done": bool(done),
        "optimizer": _opt_config(opt), "opt_step": int(state.step), "schedule_step": int(state.step),
        "opt_slots": {n: sorted(b) for n, b in state.slots.items()},
        "batching": batcher.config(), "rng_state": batcher.rng_state(),
        "loop": {k: (v if k != "best" or np.isfinite(v) else None) for k, v in asdict(loop).items()},
        "stop": history.stop.to_dict() if history.stop else None, "config": history.config,
    }
    tmp = path.with_name(path.name + ".new")
    save_arrays(tmp, arrays, manifest)
    load_arrays(tmp)  # read back before it replaces anything
    if path.is_file() and _readable(path):
        _keep_as_previous(path)
    os.replace(tmp, path)
    return path


def _keep_as_previous(path: Path) -> None:
    """Make ``<path>.prev`` a copy of ``path`` while ``path`` itself stays in place.

    Trap: moving ``path`` to ``.prev`` and then the new file to ``path`` leaves a moment
    with no ``path`` at all; a kill there loses the newest good checkpoint.
    """
    prev = previous_path(path)
    staged = prev.with_name(prev.name + ".new")
    staged.unlink(missing_ok=True)
    try:
        os.link(path, staged)
    except OSError:  # a file system without hard links
        shutil.copyfile(path, staged)
    os.replace(staged, prev)


@dataclass
class Checkpoint:
    """A loaded checkpoint; :meth:`restore` puts it into live objects."""

    path: Path
    arrays: dict
    meta: dict
    note: str = ""

    @property
    def done(self) -> bool:
        return bool(self.meta.get("done"))

    @property
    def step(self) -> int:
        return int(self.meta["opt_step"])

    @property
    def params(self) -> dict[str, np.ndarray]:
        return {k[len("model/"):]: v for k, v in self.arrays.items() if k.startswith("model/")}

    @property
    def best_params(self) -> dict[str, np.ndarray]:
        """The early-stopping copy of the best weights (empty unless ``restore_best``)."""
        return {k[len("best/"):]: v.copy() for k, v in self.arrays.items() if k.startswith("best/")}

    @property
    def history(self):
        from .fit import History

        return History.from_arrays(self.arrays, self.meta)

    def restore(self, model, opt, state, batcher, loop) -> None:
        """Load parameters, optimizer state, RNG state and loop position in place."""
        from .fit import _opt_config

        saved, now = self.meta["optimizer"], _opt_config(opt)
        if saved != now:
            raise ConfigError(expected(f"the optimizer the checkpoint was made with ({saved})", now,
                                       "resume with the same optimizer settings"))
        if self.meta["batching"] != batcher.config():
            raise ConfigError(expected(f"batching {self.meta['batching']} as in the checkpoint", batcher.config(),
                                       "resume with the same batching"))
        model.load_state_dict(self.params)
        slots = {}
        for name, bufs in self.meta["opt_slots"].items():
            slots[name] = {b: self.arrays[f"opt/{name}/{b}"].copy() for b in bufs}
        if slots.keys() != state.slots.keys():
            raise StateFileError(expected(f"optimizer state for {sorted(state.slots)}", sorted(slots)))
        state.slots = slots
        state.step = int(self.meta["opt_step"])
        batcher.restore(self.meta["rng_state"])
        lp = dict(self.meta["loop"])
        if lp.get("best") is None:
            lp["best"] = float("inf")
        for k, v in lp.items():
            setattr(loop, k, v)


def load_checkpoint(path, fallback: bool = True) -> Checkpoint:
    """Read a checkpoint; a truncated or corrupt file raises :class:`StateFileError`.

    With ``fallback=True`` and a readable ``<path>.prev``, a bad file is reported with
    a warning and the previous good checkpoint is returned instead (``note`` says so).
    """
    path = Path(path)
    try:
        arrays, meta = load_arrays(path)
        _check_meta(path, meta)
        return Checkpoint(path, arrays, meta)
    except StateFileError as exc:
        prev = previous_path(path)
        if not fallback or not prev.is_file():
            raise
        arrays, meta = load_arrays(prev)
        _check_meta(prev, meta)
        note = f"{path.name} is unreadable ({exc}); resumed from the previous good checkpoint {prev.name}"
        warnings.warn(note, RuntimeWarning, stacklevel=2)
        return Checkpoint(prev, arrays, meta, note)


def _check_meta(path: Path, meta: dict) -> None:
    if meta.get("format") != FORMAT:
        raise StateFileError(expected("a descentlab training checkpoint", f"{path.name} ({meta.get('format')})",
                                      "pass a file written by fit(checkpoint=...) or descentlab train --checkpoint"))
