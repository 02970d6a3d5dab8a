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


# one marker per optimizer too, so paths stay apart in grey; none is the start's square,
# the minimum's star or a diverged run's cross
PATH_MARKERS = ["o", "^", "D", "v", "P", "h", "p", "<"]


def _index_for(label: str, i: int) -> int:
    words = str(label).split()
    return _BY_NAME.get(words[0].lower(), i) if words else i


def color_for(label: str, i: int) -> str:
    """The optimizer's colour when the label starts with a known name, else the i-th."""
    return PALETTE[_index_for(label, i) % len(PALETTE)]


def marker_for(label: str, i: int) -> str:
    """The optimizer's marker when the label starts with a known name, else the i-th (same order as the colours)."""
    return PATH_MARKERS[_index_for(label, i) % len(PATH_MARKERS)]


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


#: text keys a saved picture carries (PNG tEXt chunks, the GIF's comment): its dpi and its smallest text
DPI_KEY, TEXT_KEY, SCRIPT_KEY = "descentlab.dpi", "descentlab.min_text_px", "descentlab.min_script_px"


def text_sizes(fig) -> dict[str, float]:
    """The smallest text ``fig`` draws, in pixels of the picture saved at ``fig.dpi``.

    The figure is drawn once with a renderer that records the font of every non-empty
    string it is asked to draw (titles, labels, tick labels, legends, annotations), so
    hidden artists and texts outside the canvas logic do not count. ``min_text_px`` is
    the smallest font size × dpi / 72; ``min_script_px`` the same for superscripts and
    subscripts of math text (``10^{-3}`` on a log axis), which matplotlib draws at
    0.7 of their font size. A figure without text gives an empty dict.
    """
    from matplotlib.backends.backend_agg import RendererAgg

    try:
        from matplotlib._mathtext import SHRINK_FACTOR as shrink
    except ImportError:  # a private name; its value has been 0.7 for every matplotlib 3
        shrink = 0.7
    sizes: list[float] = []
    scripts: list[float] = []

    class _Recorder(RendererAgg):
        def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
            if str(s).strip():
                pt = float(prop.get_size_in_points())
                sizes.append(pt)
                if ismath and ("^" in s or "_" in s):
                    scripts.append(pt * shrink)

    w, h = fig.bbox.size
    fig.draw(_Recorder(int(round(w)), int(round(h)), fig.dpi))
    out = {}
    if sizes:
        out[TEXT_KEY] = round(min(sizes) * fig.dpi / 72.0, 2)
        out[SCRIPT_KEY] = round(min(scripts + sizes) * fig.dpi / 72.0, 2)
    return out


#: tick labels of a log axis, in points: matplotlib draws their exponents (``10^{-3}``) at
#: 0.7 of the font, and 11.5 pt keeps those at 11 px on a figure shown at 100 px per inch
LOG_TICK_PT = 11.5


def legible_log_ticks(fig) -> None:
    """Enlarge the tick labels of every log axis of ``fig`` to :data:`LOG_TICK_PT`, never shrink them.

    Called when a picture is saved; the figures use constrained layout, which makes room
    for the larger labels when the figure is drawn.
    """
    for ax in fig.axes:
        for axis, scale in ((ax.xaxis, ax.get_xscale()), (ax.yaxis, ax.get_yscale())):
            if scale not in ("log", "symlog"):
                continue
            for which in ("major", "minor"):
                labels = axis.get_ticklabels(which=which)
                size = max([LOG_TICK_PT, *(t.get_fontsize() for t in labels)])
                axis.set_tick_params(which=which, labelsize=size)


def picture_notes(fig) -> dict[str, str]:
    """The text keys for a saved picture of ``fig``: its dpi and :func:`text_sizes`."""
    notes = {DPI_KEY: f"{fig.dpi:g}"}
    notes.update({k: f"{v:g}" for k, v in text_sizes(fig).items()})
    return notes


def png_of(fig, **savefig) -> bytes:
    """``fig`` as PNG bytes at its own dpi, with :func:`picture_notes` as text chunks (no timestamp)."""
    buf = io.BytesIO()
    legible_log_ticks(fig)
    meta = {"Software": None, **picture_notes(fig)}
    fig.savefig(buf, format="png", dpi=fig.dpi, metadata=meta, **savefig)
    return buf.getvalue()


def save_png(fig, out):
    """Render ``fig`` to PNG at its own size and dpi, write it atomically, close it.

    The PNG carries its dpi and the size of its smallest text (:func:`picture_notes`),
    so a page that shows it can tell how large its text appears.
    With ``out=None`` nothing is written and the open Figure is returned (a notebook shows it).
    """
    if out is None:
        return fig
    plt = pyplot()
    p = out_path(out, (".png",))
    try:
        data = png_of(fig)
    finally:
        plt.close(fig)
    return atomic_write_bytes(p, data)
