"""Checkpoints: everything a training run needs to continue bit-identically, in one file.

One ``.npz`` written by :func:`descentlab._io.save_arrays` (no pickle) holds

* ``model/<name>``            every parameter, by dotted name;
* ``opt/<name>/<buffer>``     the optimizer's buffers (``m``, ``v``, ``b`` …), in the
  layout of :func:`descentlab.optim.statefile.pack_state` (listed under ``opt_state``
  in the manifest: the one file format for optimizer state);
* ``history/...``             the per-step and per-epoch records;
* ``best/<name>``             with ``restore_best``: the weights of the best epoch so far;
* the JSON manifest:          optimizer config and step (the schedule's step: a
  schedule is a pure function of it), the batching config, the batching generator's
  ``bit_generator.state`` now and at the start of the current epoch, the loop's
  :class:`LoopPosition` (epoch, batch inside the epoch, running sums) and the stopping
  rules' state (early stopping's best loss and wait, divergence's first loss).

Safety: a new checkpoint is first written beside the target (atomically), read back
and checked; only then does a copy of the current file (a hard link where the file
system has them) become ``<path>.prev`` and the new one replace ``<path>``, each step
an atomic rename. A bad write therefore never replaces a good checkpoint, the previous
good one survives as ``.prev``, and a kill at any moment leaves a readable ``<path>``. :func:`load_checkpoint` detects a truncated
file (``StateFileError``) and, with ``fallback=True``, says so and uses ``.prev``.
"""
from __future__ import annotations

import glob
import os
import shutil
import warnings
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .._io import ensure_parent, load_arrays, replace_file, resolve_link, save_arrays
from ..errors import ConfigError, StateFileError, expected
from ..optim.config import optimizer_config
from ..optim.statefile import pack_state, unpack_state
from .history import History

__all__ = ["save_checkpoint", "load_checkpoint", "Checkpoint", "LoopPosition", "checkpoint_exists", "previous_path",
           "remove_leftovers", "checkpoint_lock", "check_overwrite"]

FORMAT = "descentlab-checkpoint"
VERSION = 2


def previous_path(path) -> Path:
    p = Path(path)
    return p.with_name(p.name + ".prev")


def checkpoint_exists(path) -> bool:
    return Path(path).is_file() or previous_path(path).is_file()


def remove_leftovers(path) -> list[Path]:
    """Delete the temporary files a save killed half-way leaves beside ``path``; return them.

    They are ``<path>.new`` and ``<path>.prev.new`` (written before their renames) and the
    atomic writer's ``.<name>.new.*.tmp``. Call it only while holding :func:`checkpoint_lock`.
    """
    p = Path(path)
    found = [p.with_name(p.name + ".new"), p.with_name(p.name + ".prev.new"),
             *p.parent.glob(f".{glob.escape(p.name)}.new.*.tmp")]
    removed = []
    for f in found:
        if f.is_file() and not f.is_symlink():
            f.unlink(missing_ok=True)
            removed.append(f)
    return removed


@contextmanager
def checkpoint_lock(path):
    """Hold ``<path>.lock`` (an ``fcntl`` lock) for a run's duration; a second run is refused.

    Where ``fcntl`` does not exist (Windows) nothing is locked.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    p = Path(path)
    lock = p.with_name(p.name + ".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(expected("a checkpoint that no other run is writing",
                                       f"{p} (another run holds {lock.name})",
                                       "wait for that run to finish, or choose another checkpoint path")) from None
        yield
    finally:
        os.close(fd)  # closing releases the lock; the empty lock file stays (removing it would race)


def check_overwrite(path, resume: bool, overwrite: bool) -> None:
    """Refuse to start a new run over an existing checkpoint unless told to (``overwrite``)."""
    if not resume and not overwrite and checkpoint_exists(path):
        raise ConfigError(expected("a checkpoint path with no earlier run in it", f"{path} (it holds a checkpoint)",
                                   "continue it with resume=True (--resume), replace it with overwrite=True "
                                   "(--overwrite), or choose another path"))


def _readable(path: Path) -> bool:
    try:
        load_arrays(path)
        return True
    except StateFileError:
        return False


@dataclass
class LoopPosition:
    """Where a training loop is: all of it goes into a checkpoint, so a resume is exact."""

    epoch: int = 0            # epochs completed
    batch: int = 0            # batches completed inside the current epoch
    epoch_loss_sum: float = 0.0
    epoch_correct: int = 0
    epoch_seen: int = 0
    epoch_time: float = 0.0
    epoch_gnorm_sum: float = 0.0
    epoch_steps: int = 0
    epoch_start_rng: dict | None = None

    def next_epoch(self) -> None:
        """Close the epoch: count it, and zero the running sums."""
        fresh = LoopPosition(epoch=self.epoch + 1)
        self.__dict__.update(fresh.__dict__)


def save_checkpoint(path, model, opt, state, batcher, position, history, done: bool = False,
                    best: dict | None = None, rules=None) -> Path:
    """Write a checkpoint atomically, keeping the previous good one as ``<path>.prev``.

    ``position`` is the loop's :class:`LoopPosition`; ``rules`` names the
    :class:`~descentlab.optim.stopping.StopRule` objects whose state a resume needs; ``best``
    the early-stopping copy of the best weights (``fit(restore_best=True)``).
    """
    # a link is written through: the target is replaced, its .prev and .new sit beside it
    path = ensure_parent(resolve_link(path), regular=True)  # refused under its own name, not as the ".new" file
    arrays: dict[str, np.ndarray] = {f"model/{k}": v for k, v in model.params().items()}
    opt_arrays, opt_state = pack_state(state, opt, prefix="opt/")
    arrays.update(opt_arrays)
    arrays.update(history.to_arrays())
    arrays.update({f"best/{k}": v for k, v in (best or {}).items()})
    manifest = {
        "format": FORMAT, "version": VERSION, "done": bool(done),
        "optimizer": optimizer_config(opt), "opt_state": opt_state,
        "batching": batcher.config(), "rng_state": batcher.rng_state(),
        "loop": asdict(position), "stop_rules": {k: r.state_dict() for k, r in (rules or {}).items()},
        "stop": history.stop.to_dict() if history.stop else None, "config": history.config,
    }
    tmp = path.with_name(path.name + ".new")
    save_arrays(tmp, arrays, manifest)
    load_arrays(tmp)  # read back before it replaces anything
    if path.is_file() and _readable(path):
        _keep_as_previous(path)
    replace_file(tmp, path)
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
    replace_file(staged, prev)


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
        return int(self.meta["opt_state"]["step"])

    @property
    def params(self) -> dict[str, np.ndarray]:
        return {k[len("model/"):]: v for k, v in self.arrays.items() if k.startswith("model/")}

    @property
    def best_params(self) -> dict[str, np.ndarray]:
        """The early-stopping copy of the best weights (empty unless ``restore_best``)."""
        return {k[len("best/"):]: v.copy() for k, v in self.arrays.items() if k.startswith("best/")}

    @property
    def history(self) -> History:
        return History.from_arrays(self.arrays, self.meta)

    def restore(self, model, opt, state, batcher, rules=None) -> LoopPosition:
        """Load parameters, optimizer state, RNG state and the state of ``rules`` (by name) in place.

        Returns the loop's :class:`LoopPosition`.
        """
        from ..optim.schedules.plateau import restore_plateau_state, without_plateau_state

        saved, now = self.meta["optimizer"], optimizer_config(opt)
        if without_plateau_state(saved) != without_plateau_state(now):  # a Plateau lr's state is restored below
            raise ConfigError(expected(f"the optimizer the checkpoint was made with ({saved})", now,
                                       "resume with the same optimizer settings"))
        if self.meta["batching"] != batcher.config():
            raise ConfigError(expected(f"batching {self.meta['batching']} as in the checkpoint", batcher.config(),
                                       "resume with the same batching"))
        model.load_state_dict(self.params)
        loaded = unpack_state(self.arrays, self.meta["opt_state"], opt, model.params(), where=self.path.name).state
        state.slots = {p: {b: a.copy() for b, a in bufs.items()} for p, bufs in loaded.slots.items()}
        state.step = loaded.step
        if getattr(loaded, "lbfgs", None) is not None:  # L-BFGS's history, direction and counters
            state.lbfgs = loaded.lbfgs.copy()
        batcher.restore(self.meta["rng_state"])
        restore_plateau_state(opt, saved)
        saved_rules = self.meta["stop_rules"]
        for name, rule in (rules or {}).items():  # a rule added on resume starts fresh
            if name in saved_rules:
                rule.load_state_dict(saved_rules[name])
        return LoopPosition(**self.meta["loop"])


def load_checkpoint(path, fallback: bool = True) -> Checkpoint:
    """Read a checkpoint; a truncated or corrupt file raises :class:`StateFileError`.

    With ``fallback=True`` and a readable ``<path>.prev``, a bad file is reported with
    a warning and the previous good checkpoint is returned instead (``note`` says so).
    """
    path = resolve_link(path)  # its .prev is beside the file the link names, where save_checkpoint put it
    try:
        arrays, meta = load_arrays(path)
        _check_meta(path, meta)
        return Checkpoint(path, arrays, meta)
    except StateFileError:
        prev = previous_path(path)
        if not fallback or not prev.is_file():
            raise
        arrays, meta = load_arrays(prev)
        _check_meta(prev, meta)
        note = f"{path.name} is damaged and cannot be read, so training resumes from the previous good checkpoint {prev.name}."
        warnings.warn(note, RuntimeWarning, stacklevel=2)
        return Checkpoint(prev, arrays, meta, note)


def _check_meta(path: Path, meta: dict) -> None:
    if meta.get("format") != FORMAT:
        raise StateFileError(expected("a descentlab training checkpoint", f"{path.name} ({meta.get('format')})",
                                      "pass a file written by fit(checkpoint=...) or descentlab train --checkpoint"))
    if meta.get("version") != VERSION:
        raise StateFileError(expected(f"checkpoint format version {VERSION}", f"{path.name} (version {meta.get('version')})",
                                      "start a new checkpoint: this one was written by another descentlab version"))
