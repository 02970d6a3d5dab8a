"""Named arrays that are views of one contiguous buffer.

A :class:`FlatArrays` holds one 1-D array, ``flat``, and a ``dict[str, ndarray]`` of
views into it, one per name, each with its own shape. The dict is an ordinary params
(or grads, or state-buffer) dict as :mod:`descentlab.optim` expects, so code that
works per name keeps working, while a fused kernel can update every parameter with
one call on ``flat``. Writing into a view writes into ``flat``; never rebind a view
(``params[k] = new_array``) or it leaves the buffer.

:func:`flat_base` recognises such a dict (views laid out end to end, in key order,
covering one buffer), which is how :func:`descentlab.fast.fused_step` decides to run
one kernel instead of one per tensor.
"""
from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np

from ..errors import DTypeError, ShapeError, expected

__all__ = ["FlatArrays", "flat_base", "flatten_state_slots"]


class FlatArrays:
    """One contiguous buffer and a named view per array.

    Parameters
    ----------
    shapes : mapping of name to shape
        The layout, in order: the first name's elements come first in ``flat``.
    dtype : float32 or float64
    fill : float
        Initial value of every element.

    Examples
    --------
    >>> fa = FlatArrays({"w": (2, 3), "b": (3,)}, np.float32)
    >>> fa.flat.size, fa.views["w"].shape
    (9, (2, 3))
    >>> fa.views["b"][:] = 1.0; float(fa.flat.sum())
    3.0
    """

    def __init__(self, shapes: Mapping[str, Iterable[int]], dtype=np.float64, *, fill: float = 0.0):
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise DTypeError(expected("dtype float32 or float64", str(dtype), "pass np.float32 or np.float64"))
        self.shapes = {name: tuple(int(d) for d in shape) for name, shape in shapes.items()}
        self.slices: dict[str, slice] = {}
        offset = 0
        for name, shape in self.shapes.items():
            n = int(np.prod(shape, dtype=np.int64))
            self.slices[name] = slice(offset, offset + n)
            offset += n
        self.flat = np.full(offset, fill, dtype=dtype)
        self.views = {name: self.flat[sl].reshape(self.shapes[name]) for name, sl in self.slices.items()}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], dtype=None) -> "FlatArrays":
        """Copy ``arrays`` into a new buffer (dtype of the first array unless given)."""
        if not arrays:
            raise ShapeError(expected("at least one array", "an empty mapping", "pass the model's parameters"))
        first = np.asarray(next(iter(arrays.values())))
        fa = cls({k: np.shape(a) for k, a in arrays.items()}, dtype or first.dtype)
        for k, a in arrays.items():
            fa.views[k][...] = a
        return fa

    def zeros_like(self) -> "FlatArrays":
        """A new zero buffer with the same names, shapes and dtype."""
        return FlatArrays(self.shapes, self.flat.dtype)

    def __repr__(self) -> str:
        return f"FlatArrays({len(self.shapes)} arrays, {self.flat.size} elements, {self.flat.dtype})"


# flat_base answers: identical array objects always give the same answer (a view never
# moves), so answers are kept by the arrays' ids. Each entry holds the arrays themselves,
# so an id cannot be reused by a new array while its entry exists.
_BASE_CACHE: dict[tuple[int, ...], tuple[np.ndarray | None, list]] = {}
_BASE_CACHE_SIZE = 64


def flat_base(arrays: Mapping[str, np.ndarray]) -> np.ndarray | None:
    """The 1-D buffer that ``arrays`` tile end to end in key order, or None.

    True for the ``views`` of a :class:`FlatArrays` (and for any dict laid out the same
    way); None as soon as one array is not such a view, so callers can fall back to
    per-array work. Zero-size arrays are ignored: they hold nothing to update.
    """
    values = list(arrays.values())
    key = tuple(map(id, values))
    hit = _BASE_CACHE.get(key)
    if hit is not None:
        return hit[0]
    base = _find_base(values)
    if len(_BASE_CACHE) >= _BASE_CACHE_SIZE:
        _BASE_CACHE.clear()
    _BASE_CACHE[key] = (base, values)
    return base


def _find_base(values: list) -> np.ndarray | None:
    values = [a for a in values if not (isinstance(a, np.ndarray) and a.size == 0)]
    if not values or not all(isinstance(a, np.ndarray) for a in values):
        return None
    base = values[0].base
    if base is None or not isinstance(base, np.ndarray) or base.ndim != 1 or not base.flags.c_contiguous:
        return None
    if base.size != sum(a.size for a in values):
        return None
    itemsize = base.itemsize
    address = base.__array_interface__["data"][0]
    for a in values:
        if a.base is not base or a.dtype != base.dtype or not a.flags.c_contiguous:
            return None
        if a.__array_interface__["data"][0] != address:
            return None
        address += a.size * itemsize
    return base


def flatten_state_slots(slots: dict[str, dict[str, np.ndarray]], order: Iterable[str]) -> dict[str, FlatArrays]:
    """Move an optimizer's per-parameter state buffers into one buffer per buffer name.

    ``slots[param][buffer]`` (the :class:`~descentlab.optim.OptState` layout) is
    rewritten in place so that, for each buffer name, the arrays of all parameters (in
    ``order``) are views of one :class:`FlatArrays`; the values are copied over. Returns
    the new buffers by buffer name. Parameters without slots are skipped.
    """
    order = [k for k in order if k in slots]
    names: list[str] = []
    for k in order:
        for b in slots[k]:
            if b not in names:
                names.append(b)
    out: dict[str, FlatArrays] = {}
    for b in names:
        holders = [k for k in order if b in slots[k] and isinstance(slots[k][b], np.ndarray)]
        if not holders:
            continue
        fa = FlatArrays.from_arrays({k: slots[k][b] for k in holders})
        for k in holders:
            slots[k][b] = fa.views[k]
        out[b] = fa
    return out
