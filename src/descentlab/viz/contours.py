"""Contour plot of a 2-D surface with optimizer trajectories drawn on it."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ConfigError, expected
from ._mpl import PATH_MARKERS, check_size, color_for, marker_for, pyplot, save_png
from ._traj import as_labelled, stop_note

__all__ = ["plot_contours", "plot_race", "surface_grid", "draw_surface", "view_limits"]


def view_limits(surface, paths=(), grow: float = 1.0) -> tuple:
    """The surface's plot window, widened to hold every point of every path.

    No run starts, ends or wanders out of sight: AdaGrad at lr 3.16 ends Rosenbrock's
    race at (2, 4), above the window's y = 3, and pure Newton from (−1.2, 1) visits
    y ≈ −3.2 on its second step. The window grows by at most ``grow`` times its span on
    each side, so a run that flew far away does not shrink the picture to a dot (only
    such a run can leave the view); non-finite points are skipped.
    On a surface without a minimum (the saddle) runs are meant to leave: the window stays.
    """
    if not surface.minima:
        return tuple(tuple(map(float, w)) for w in surface.window[:2])
    lims = []
    for i, (lo, hi) in enumerate(surface.window[:2]):
        seen = [tr.x[np.all(np.isfinite(tr.x), axis=1), i] for tr in paths]
        seen = np.concatenate(seen) if seen else np.empty(0)
        span = hi - lo
        a, b = min([lo, *seen.tolist()]), max([hi, *seen.tolist()])
        pad = 0.05 * (b - a)                         # a margin only on a side that grew
        a = lo if a >= lo else max(a - pad, lo - grow * span)
        b = hi if b <= hi else min(b + pad, hi + grow * span)
        lims.append((float(a), float(b)))
    return tuple(lims)


def surface_grid(surface, n: int = 160, view=None):
    """(X, Y, Z) on an n × n grid over ``view`` ((x0, x1), (y0, y1)), default the plot window.

    Most surfaces' formulas broadcast, so ``value`` is first tried on all points at
    once (a (2, n·n) array); the result is used only if its shape is right and it
    equals the point-by-point values at a few grid points. Otherwise each point is
    evaluated on its own.
    """
    (x0, x1), (y0, y1) = view or (surface.window[0], surface.window[1])
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    P = np.stack([X.ravel(), Y.ravel()])                      # (2, n·n)
    try:
        with np.errstate(all="ignore"):
            Z = np.asarray(surface.value(P), dtype=np.float64)
        ok = Z.shape == (P.shape[1],)
        if ok:
            probe = np.linspace(0, P.shape[1] - 1, 7).astype(int)
            ref = np.array([surface.value(P[:, k].copy()) for k in probe])
            ok = bool(np.allclose(Z[probe], ref, rtol=1e-12, atol=1e-12, equal_nan=True))
    except Exception:  # a formula that does not broadcast: evaluate point by point
        ok = False
    if not ok:
        with np.errstate(all="ignore"):  # a user f may be undefined in part of the window
            Z = np.array([surface.value(P[:, k].copy()) for k in range(P.shape[1])])
    return X, Y, Z.reshape(X.shape)


def draw_surface(ax, surface, n: int = 160, levels: int = 30, view=None) -> None:
    """Grey filled contours (log-spaced above the minimum when it is known) and the minima as stars,
    over ``view`` ((x0, x1), (y0, y1)), by default the surface's plot window."""
    view = view or (surface.window[0], surface.window[1])
    X, Y, Z = surface_grid(surface, n, view)
    f_min = surface.f_min
    if f_min is not None:
        gap = Z - f_min
        eps = 1e-6 * float(np.max(gap)) + 1e-12
        L = np.log10(np.maximum(gap, 0.0) + eps)
        lo, hi = float(np.min(L)), float(np.max(L))
        # the colour scale runs on past the highest value, so the walls stay light grey
        # and coloured paths read well over them
        ax.contourf(X, Y, L, levels=levels, cmap="Greys", vmin=lo, vmax=hi + 0.8 * (hi - lo), alpha=0.6)
        ax.contour(X, Y, L, levels=levels, colors="k", linewidths=0.35, alpha=0.35)
    else:
        # no minimum (the saddle): linear levels in the same greys, low f light as above,
        # so the optimizers' colours read the same as everywhere else and in the GIF's
        # palette; matplotlib dashes the contour lines of negative f
        lo, hi = float(np.nanmin(Z)), float(np.nanmax(Z))
        ax.contourf(X, Y, Z, levels=levels, cmap="Greys", vmin=lo, vmax=hi + 0.8 * (hi - lo), alpha=0.6)
        ax.contour(X, Y, Z, levels=levels, colors="k", linewidths=0.35, alpha=0.35)
    for k, m in enumerate(surface.minima):
        ax.plot(m[0], m[1], marker="*", ms=16, color="gold", mec="k", mew=1.0, ls="none", zorder=5,
                label="minimum" if k == 0 else None)
    ax.set_xlim(*view[0])
    ax.set_ylim(*view[1])
    ax.set_xlabel("x" if surface.name != "linreg" else "w")
    ax.set_ylabel("y" if surface.name != "linreg" else "b")


def _surface_2d(surface):
    from ..train.minimize import resolve_surface

    s = resolve_surface(surface)
    if s.dim != 2:
        raise ConfigError(expected("a 2-D surface for a contour plot", f"{s.name} with {s.dim} coordinate(s)",
                                   "use plot_descent_1d for x2, or a 2-D surface such as rosenbrock"))
    return s


def plot_contours(surface, trajectories, out=None, *, title: str | None = None, size=(7.0, 5.5), dpi: int = 100,
                  grid: int = 160, levels: int = 30):
    """Contours of ``surface`` with each trajectory as a coloured, labelled path.

    Parameters
    ----------
    surface : Surface or str
    trajectories : dict label -> Trajectory, list of Trajectory, or a RaceResult
        Labels default to "optimizer (lr=…)"; a RaceResult labels each path with its tuned lr.
    out : path
        The PNG to write (its folder is created).
    size, dpi : the picture is size·dpi pixels.
    grid, levels : resolution of the background.

    Returns
    -------
    Path of the written PNG (the Figure when ``out`` is None).
    """
    s = _surface_2d(surface)
    paths = as_labelled(trajectories)
    (w, h), dpi = check_size(size, dpi)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(w, h), dpi=dpi, layout="constrained")
    draw_surface(ax, s, grid, levels, view=view_limits(s, paths.values()))
    # the stop note goes on a second legend line, so the legend stays narrow beside the axes
    # each path has its colour and its marker (spaced evenly along the drawn line, and in
    # the legend), so the paths can be told apart in grey; the end is the marker, larger
    used: list[str] = []
    for i, (label, tr) in enumerate(paths.items()):
        c, m = color_for(label, i), marker_for(label, i)
        if m in used:  # two labels with the same optimizer name: the next free marker
            m = next((k for k in PATH_MARKERS if k not in used), m)
        used.append(m)
        xy = tr.x
        ax.plot(xy[:, 0], xy[:, 1], "-", color=c, lw=1.6, marker=m, ms=6, mec="k", mew=0.6, markevery=0.1,
                label=label + stop_note(tr, sep="\n  "), zorder=3)
        if len(xy) <= 60:
            ax.plot(xy[:, 0], xy[:, 1], "o", color=c, ms=2.5, zorder=3)
        end = "x" if tr.stop.kind == "diverged" else m
        ax.plot(xy[-1, 0], xy[-1, 1], end, color=c, ms=8, mec="k", mew=1.2 if end == "x" else 0.8, zorder=4)
    first = next(iter(paths.values()))
    ax.plot(first.x[0, 0], first.x[0, 1], "s", color="k", ms=6, label="start", zorder=4)
    # a user function's "formula" is its name: "f: f" says nothing twice
    ax.set_title(title or (s.name if s.formula in ("", s.name) else f"{s.name}: {s.formula}"), fontsize=10)
    fig.legend(loc="outside right upper", fontsize=9, framealpha=0.9)
    return save_png(fig, out)


def plot_race(result, out=None, *, title: str | None = None, **kw):
    """:func:`plot_contours` of a :class:`~descentlab.train.race.RaceResult`, titled with its tuning."""
    st = result.settings
    n = len(result.starts)
    drawn = f" (paths from the first of {n} starts)" if n > 1 else ""
    t = title or (f"{result.surface.name}: {st['steps']} steps at each optimizer's tuned lr{drawn}\n"
                  f"lr tuned by {st['tune']} over {n} start{'s' if n > 1 else ''}, "
                  f"equal budget of {result.racers[0].budget} steps each"
                  if st["tune"] != "none" else f"{result.surface.name}: {st['steps']} steps, fixed lr{drawn}")
    return plot_contours(result.surface, result, out, title=t, **kw)
