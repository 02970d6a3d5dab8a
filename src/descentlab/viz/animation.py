"""Animated optimizer races on a 2-D surface (GIF through Pillow; MP4 if ffmpeg is present)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .._io import atomic_path
from ..errors import ConfigError, expected
from ._mpl import PATH_MARKERS, check_size, color_for, marker_for, out_path, pyplot
from ._traj import as_labelled

__all__ = ["animate_trajectories", "animate_race", "mp4_available"]


def mp4_available() -> bool:
    """True when matplotlib finds an ffmpeg writer."""
    from matplotlib import animation

    return animation.writers.is_available("ffmpeg")


def animate_trajectories(surface, trajectories, out, *, frames: int = 60, fps: int = 15, size=(6.0, 4.8),
                         dpi: int = 80, grid: int = 120, title: str | None = None, tail: int | None = None) -> Path:
    """Animate trajectories moving over the contours of ``surface``, all advancing one step per step.

    Frame k shows steps 0 … t_k with t_k spread evenly over the longest run, so
    ``frames`` sets both the length and the file size. Each optimizer's current point
    is a dot at the head of its path; the legend gives each label (e.g. the tuned lr).

    Parameters
    ----------
    out : path ending in .gif (Pillow) or .mp4 (needs ffmpeg)
    frames, fps : length and speed of the animation
    size, dpi : each frame is size·dpi pixels
    tail : draw only the last ``tail`` steps of each path (None: the whole path)

    Returns
    -------
    Path of the written file.
    """
    from matplotlib import animation

    from .contours import _surface_2d, draw_surface, view_limits

    s = _surface_2d(surface)
    paths = as_labelled(trajectories)
    p = out_path(out, (".gif", ".mp4"))
    if int(frames) != frames or frames < 2 or int(fps) != fps or fps < 1:
        raise ConfigError(expected("frames >= 2 and fps >= 1 (integers)", (frames, fps)))
    if p.suffix.lower() == ".mp4" and not mp4_available():
        raise ConfigError(expected("ffmpeg for an .mp4", "no ffmpeg writer", "write a .gif instead (Pillow)"))
    (w, h), dpi = check_size(size, dpi)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(w, h), dpi=dpi, layout="constrained")
    draw_surface(ax, s, grid, 25, view=view_limits(s, paths.values()))
    longest = max(len(tr.x) for tr in paths.values())
    ticks = np.unique(np.linspace(0, longest - 1, int(frames)).round().astype(int))
    lines, heads = [], []
    handles, names = [], []
    used: list[str] = []
    for i, (label, tr) in enumerate(paths.items()):
        c, m = color_for(label, i), marker_for(label, i)
        if m in used:  # as in plot_contours: each path its own marker, so they stay apart in grey
            m = next((k for k in PATH_MARKERS if k not in used), m)
        used.append(m)
        (line,) = ax.plot([], [], "-", color=c, lw=1.6)
        (head,) = ax.plot([], [], m, color=c, ms=7, mec="k", mew=0.8, zorder=5)
        lines.append((line, tr))
        heads.append(head)
        handles.append((line, head))  # the legend shows the line with its head's marker
        names.append(label)
    first = next(iter(paths.values()))
    ax.plot(first.x[0, 0], first.x[0, 1], "s", color="k", ms=6, label="start", zorder=4)
    known, known_names = ax.get_legend_handles_labels()   # the minimum and the start
    fig.legend(known[:-1] + handles + known[-1:], known_names[:-1] + names + known_names[-1:],
               loc="outside right upper", fontsize=9, framealpha=0.9)
    base = title or f"{s.name}"
    # full-length text now, so the layout leaves room for the changing title
    heading = ax.set_title(f"{base} — step {longest - 1}", fontsize=9)

    def draw(k):
        t = int(ticks[k])
        for (line, tr), head in zip(lines, heads):
            j = min(t, len(tr.x) - 1)
            lo = 0 if tail is None else max(0, j - tail)
            line.set_data(tr.x[lo:j + 1, 0], tr.x[lo:j + 1, 1])
            head.set_data([tr.x[j, 0]], [tr.x[j, 1]])
        heading.set_text(f"{base} — step {t}")
        return [ln for ln, _ in lines] + heads + [heading]

    try:
        if p.suffix.lower() == ".gif":
            _save_gif_blitted(fig, ax, [ln for ln, _ in lines] + heads, heading, draw, len(ticks), int(fps), p)
        else:
            anim = animation.FuncAnimation(fig, draw, frames=len(ticks), blit=False)
            # ffmpeg needs a file name: a temporary one beside the real target (through a link), renamed at the end
            with atomic_path(p, p.suffix) as tmp:
                anim.save(str(tmp), writer=animation.FFMpegWriter(fps=int(fps)), dpi=dpi)
    finally:
        plt.close(fig)
    return p


def _save_gif_blitted(fig, ax, artists, heading, draw, n_frames: int, fps: int, p: Path) -> None:
    """Render the static background once, then per frame only the moving artists (blitting),
    and let Pillow write the GIF with one shared palette.

    Re-rendering the filled contours for every frame, as ``FuncAnimation`` with
    ``PillowWriter`` does, costs about a second per frame on a small CPU; this costs a
    few milliseconds.
    """
    from PIL import Image

    from .._io import atomic_write_bytes
    from ._mpl import legible_log_ticks, picture_notes

    legible_log_ticks(fig)
    notes = picture_notes(fig)  # before the moving artists leave the ordinary drawing
    for a in artists + [heading]:
        a.set_animated(True)
    canvas = fig.canvas
    canvas.draw()
    background = canvas.copy_from_bbox(fig.bbox)
    frames = []
    for k in range(n_frames):
        draw(k)
        canvas.restore_region(background)
        for a in artists:
            ax.draw_artist(a)
        fig.draw_artist(heading)
        rgb = np.asarray(canvas.buffer_rgba())[..., :3].copy()
        frames.append(Image.fromarray(rgb))
    # one fixed palette for all frames and no dithering: stable colours and small
    # frame-to-frame differences, so the GIF stays small. An adaptive palette (median cut)
    # spends its colours on the grey background and shifts the optimizers' colours.
    palette = Image.new("P", (1, 1))
    palette.putpalette(_gif_palette())
    frames = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
    import io

    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=int(round(1000 / fps)),
                   loop=0, optimize=False, comment=";".join(f"{k}={v}" for k, v in notes.items()))
    atomic_write_bytes(p, buf.getvalue())


def _gif_palette() -> list[int]:
    """256 RGB entries: the line colours and their tints over white and grey, greys, gold."""
    from matplotlib.colors import to_rgb

    from ._mpl import PALETTE

    base = [tuple(int(round(255 * v)) for v in to_rgb(c)) for c in PALETTE + ["gold", "white", "black"]]
    cols = list(base)
    for c in base[: len(PALETTE)]:
        for bg in (255, 200, 150):
            for a in (0.3, 0.6):
                cols.append(tuple(int(round(a * v + (1 - a) * bg)) for v in c))
    cols += [(g, g, g) for g in range(0, 256, 3)]
    cols = cols[:256]
    cols += [cols[-1]] * (256 - len(cols))
    return [v for rgb in cols for v in rgb]


def animate_race(result, out, **kw) -> Path:
    """Animate a :class:`~descentlab.train.race.RaceResult`: each optimizer at its tuned lr."""
    st = result.settings
    kw.setdefault("title", f"{result.surface.name}, lr tuned by {st['tune']}" if st["tune"] != "none"
                  else f"{result.surface.name}")
    return animate_trajectories(result.surface, result, out, **kw)
