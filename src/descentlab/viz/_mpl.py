"""matplotlib, headless: the Agg backend, one palette, and atomic PNG writing."""
from __future__ import annotations

import io
import numbers
import os
from pathlib import Path

from .._io import atomic_write_bytes, ensure_parent
from ..errors import ConfigError, expected

# one colour per optimizer, stable across every picture (colour-blind-safe Okabe–Ito order)
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
_BY_NAME = {"sgd": 0, "gd": 0, "momentum": 1, "nesterov": 2, "adagrad": 3, "rmsprop": 4, "adam": 5,
            "newton": 7, "amsgrad": 6, "adamw": 6, "nadam": 6}


def color_for(label: str, i: int) -> str:
    """The optimizer's colour when the label starts with a known name, else the i-th."""
    key = str(label).split()[0].lower()
    return PALETTE[_BY_NAME.get(key, i) % len(PALETTE)]


def pyplot():
    """matplotlib.pyplot with the non-interactive Agg backend (works without a display)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def check_size(size, dpi) -> tuple[tuple[float, float], int]:
    try:
        w, h = (float(v) for v in size)
    except (TypeError, ValueError):
        raise ConfigError(expected("size as (width, height) in inches", size)) from None
    if not (w > 0 and h > 0):
        raise ConfigError(expected("a positive size (width, height) in inches", size, "e.g. (8, 5)"))
    if isinstance(dpi, bool) or not isinstance(dpi, numbers.Real) or int(dpi) != dpi or dpi < 10:
        raise ConfigError(expected("an integer dpi >= 10", dpi, "e.g. dpi=100 (--dpi 100)"))
    return (w, h), int(dpi)


def refuse_path_as_data(value, what: str, fn: str) -> None:
    """The data argument comes first: a path there is an old-order call, said plainly."""
    if isinstance(value, (os.PathLike, str)) and Path(os.fspath(value)).suffix.lower() in (".png", ".gif", ".mp4"):
        raise ConfigError(expected(f"{what} as the first argument of {fn}", f"the path {os.fspath(value)!r}",
                                   f"pass the file as out=: {fn}(..., out={os.fspath(value)!r})"))


def out_path(out, suffixes: tuple[str, ...]) -> Path:
    """``out`` as a Path with one of ``suffixes``; its folder is created."""
    p = Path(os.fspath(out))
    if p.suffix.lower() not in suffixes:
        raise ConfigError(expected(f"an output file ending in {' or '.join(suffixes)}", str(p),
                                   f"name it e.g. {p.with_suffix(suffixes[0]).name}"))
    return ensure_parent(p)


def save_png(fig, out):
    """Render ``fig`` to PNG at its own size and dpi, write it atomically, close it.

    With ``out=None`` nothing is written and the open Figure is returned (a notebook shows it).
    """
    if out is None:
        return fig
    plt = pyplot()
    p = out_path(out, (".png",))
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=fig.dpi)
    finally:
        plt.close(fig)
    return atomic_write_bytes(p, buf.getvalue())
