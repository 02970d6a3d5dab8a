"""Your own data from ``.npz`` or ``.csv`` files (read with NumPy, never with pickle)."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from .._io import npz_failure
from ..errors import DataError, expected
from .dataset import Dataset, Task

__all__ = ["load_npz", "load_csv"]


def _exists(path) -> Path:
    p = Path(path)
    if not p.is_file():
        raise DataError(expected("an existing data file", str(p), "check the path"))
    return p


def load_npz(path, x_key: str = "X", y_key: str = "y", task: Task = "classification",
             n_classes: int | None = None) -> Dataset:
    """Load ``X`` and ``y`` from a ``.npz`` (``allow_pickle=False``) and validate them."""
    p = _exists(path)
    try:
        with np.load(p, allow_pickle=False) as z:
            missing = [k for k in (x_key, y_key) if k not in z.files]
            if missing:
                raise DataError(expected(f"arrays {x_key!r} and {y_key!r} in {p.name}", f"keys {sorted(z.files)}",
                                         "pass x_key= and y_key= to name them"))
            X, y = z[x_key], z[y_key]
    except DataError:
        raise
    except Exception as exc:
        raise DataError(expected("a readable .npz file", f"{p.name} ({npz_failure(exc)})",
                                 "save the data with numpy.savez(path, X=..., y=...)")) from exc
    return Dataset.from_arrays(X, y, task, n_classes, name=p.stem, info={"source": p.name})


def load_csv(path, target: int | str = -1, task: Task = "classification", n_classes: int | None = None,
             delimiter: str = ",", header: bool | None = None) -> Dataset:
    """Load a numeric CSV; ``target`` is the column index or header name of ``y``.

    A first line that does not parse as numbers is taken as the header (or say so with
    ``header=True``). Empty cells become NaN and are reported by row.
    """
    p = _exists(path)
    raw = p.read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DataError(expected("a CSV file in UTF-8 text", f"byte 0x{raw[exc.start]:02x} on line {line} of {p.name}, "
                                 "which is not UTF-8", "save the file as UTF-8 text (a spreadsheet's 'CSV UTF-8'), "
                                 "or check that it is a CSV at all")) from None
    first = raw.decode("utf-8").split("\n", 1)[0]
    names = [c.strip() for c in first.strip().split(delimiter)]
    if header is None:
        try:
            [float(c) for c in names if c]
            header = False
        except ValueError:
            header = True
    try:
        with warnings.catch_warnings():  # an empty file is refused below, as an empty dataset
            warnings.simplefilter("ignore", UserWarning)
            table = np.genfromtxt(p, delimiter=delimiter, skip_header=1 if header else 0, dtype=np.float64, ndmin=2)
    except ValueError as exc:
        why = " ".join(str(exc).split())  # genfromtxt's message spans lines; the sentence is one
        raise DataError(expected("a numeric CSV file with the same number of cells on every line", f"{p.name} ({why})",
                                 "make every row as long as the first, and encode text columns as numbers")) from exc
    _refuse_text_cells(p, table, delimiter, header, names)
    if isinstance(target, str):
        if not header or target not in names:
            raise DataError(expected(f"a column named {target!r}", f"columns {names if header else 'without header'}"))
        col = names.index(target)
    else:
        n_cols = table.shape[1]
        if isinstance(target, bool) or not isinstance(target, (int, np.integer)) or not -n_cols <= target < n_cols:
            raise DataError(expected(f"a target column index in -{n_cols} .. {n_cols - 1} ({n_cols} columns in {p.name})",
                                     repr(target), "count columns from 0, or from the end with -1"))
        col = int(target) % n_cols
    X = np.delete(table, col, axis=1)
    y = table[:, col]
    return Dataset.from_arrays(X, y, task, n_classes, name=p.stem, info={"source": p.name})


def _refuse_text_cells(p: Path, table: np.ndarray, delimiter: str, header: bool, names: list[str]) -> None:
    """genfromtxt reads a text cell as NaN; name it as text rather than let it pass for a missing value."""
    bad = np.argwhere(np.isnan(table))
    if not bad.size:
        return
    raw = np.genfromtxt(p, delimiter=delimiter, skip_header=1 if header else 0, dtype=str, ndmin=2)
    if raw.shape != table.shape:
        return
    for r, c in bad:
        cell = raw[r, c].strip()
        if cell and cell.lower().lstrip("+-") != "nan":
            column = repr(names[c]) if header and c < len(names) else str(c + 1)
            raise DataError(expected("numbers in every cell", f"text {cell!r} on line {r + 1 + int(header)}, "
                                     f"column {column} of {p.name}", "encode text columns as numbers, or drop them"))
