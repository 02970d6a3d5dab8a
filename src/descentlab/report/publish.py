"""Publish a report's files as one pair: a kill at any moment leaves all old or all new.

Two renames (``results.json`` then ``index.html``) cannot be atomic together. So the
files of one run are written into a fresh folder ``.report-<id>/``, and the names the
reader opens are fixed symbolic links through one switch::

    index.html   -> .current/index.html
    results.json -> .current/results.json
    .current     -> .report-<id>          (replaced by one rename: the commit point)

Renaming one symbolic link over another is atomic, so ``index.html`` and
``results.json`` always come from the same run. A folder written by an older version
(regular files) is first moved, as it is, into a generation of its own, so each step
of that conversion shows the old pair too. Generations that are no longer current are
removed after the switch.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Mapping

from .._io import atomic_write_bytes

__all__ = ["publish", "CURRENT"]

CURRENT = ".current"
_PREFIX = ".report-"


def _link(out: Path, name: str, target: str) -> None:
    """``out/name -> target``, by one rename of a new link over the old name."""
    path = out / name
    if path.is_symlink() and os.readlink(path) == target:
        return
    tmp = out / f".{name}.link-{os.getpid()}.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(target, tmp)
    try:
        os.replace(tmp, path)
    except BaseException:  # interrupted: leave no temporary link (after a SIGKILL, the next run removes it)
        if tmp.is_symlink():
            tmp.unlink()
        raise


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _adopt_old_files(out: Path, names) -> None:
    """An older report (regular files, no switch): move it into a generation first."""
    if (out / CURRENT).is_symlink():
        return
    old = [n for n in names if (out / n).is_file() and not (out / n).is_symlink()]
    if not old:
        return
    gen = Path(tempfile.mkdtemp(prefix=_PREFIX, dir=out))
    for n in old:
        shutil.copy2(out / n, gen / n)
    _fsync_dir(gen)
    _link(out, CURRENT, gen.name)
    for n in old:  # each still shows the old file, now through the switch
        _link(out, n, f"{CURRENT}/{n}")


def publish(out: str | os.PathLike, files: Mapping[str, bytes]) -> dict[str, Path]:
    """Write ``files`` (name -> bytes) into ``out`` so that readers see all of them or none.

    Returns the reader's paths, ``out/name`` for each name.
    """
    out = Path(out)
    names = list(files)
    _adopt_old_files(out, names)
    gen = Path(tempfile.mkdtemp(prefix=_PREFIX, dir=out))
    for name, data in files.items():
        atomic_write_bytes(gen / name, data)
    _fsync_dir(gen)
    for name in names:  # new names point through the switch (at the old generation until it flips)
        _link(out, name, f"{CURRENT}/{name}")
    _link(out, CURRENT, gen.name)   # the commit point: one rename
    _fsync_dir(out)
    for old in out.glob(f"{_PREFIX}*"):
        if old.name != gen.name and old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
    for tmp in out.glob(".*.link-*.tmp"):
        if tmp.is_symlink():
            tmp.unlink()
    return {name: out / name for name in names}
