"""f and ‖∇f‖ against the step, on log scales."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ._mpl import check_size, color_for, pyplot, save_png
from ._traj import as_labelled, stop_note

__all__ = ["plot_curves"]

# f within ±1e-3 of 0 is drawn linearly, beyond it on a log scale (symlog)
_LINTHRESH = 1e-3


def _sparse_symlog_ticks(ax, most: int = 5) -> None:
    """At most ``most`` decades on each side of 0: matplotlib's symlog labels every decade,
    which piles up to 20 or more labels when f runs away to −10¹², as it does on the saddle."""
    lo, hi = ax.get_ylim()
    top = max(abs(lo), abs(hi), 10 * _LINTHRESH)
    exps = np.arange(int(np.log10(_LINTHRESH)), int(np.floor(np.log10(top))) + 1)
    step = int(np.ceil(len(exps) / most))
    exps = exps[::-1][::step]                         # keep the outermost decade in range
    ticks = [0.0] + [sign * 10.0 ** e for e in exps for sign in (1.0, -1.0) if lo <= sign * 10.0 ** e <= hi]
    ax.set_yticks(sorted(ticks))
    ax.set_ylim(lo, hi)


def plot_curves(trajectories, out=None, *, surface=None, title: str | None = None, size=(10.0, 4.0),
                dpi: int = 100) -> Path:
    """Two panels: f(x_t) − f* and ‖∇f(x_t)‖ against t, both on a log scale.

    ``surface`` (or its name) supplies f*; without it, or when the surface has no
    minimum, f itself is drawn (on a symmetric-log scale when it goes negative).
    A diverged run ends in a cross at its divergence step; a value of exactly 0 (no
    place on a log axis) is a ▼ a decade under the smallest positive value drawn.
    """
    paths = as_labelled(trajectories)
    f_min = None
    if surface is not None:
        from ..train.minimize import resolve_surface

        f_min = resolve_surface(surface).f_min
    (w, h), dpi = check_size(size, dpi)
    plt = pyplot()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(w, h), dpi=dpi, layout="constrained")
    series = []
    for i, (label, tr) in enumerate(paths.items()):
        y = tr.f - f_min if f_min is not None else tr.f
        series.append((label, tr, color_for(label, i), np.arange(len(tr.f)), y))
    negative = f_min is None and any(np.any(y <= 0) for *_, y in series)
    # A log axis drops exact zeros (Newton lands on a quadratic's minimum, GD at γ = ½ on
    # x²), which would end a curve one point early in silence. They are drawn at a floor a
    # decade under the smallest positive value, as a ▼ meaning "exactly 0".
    values = [y for *_, y in series if not negative] + [tr.grad_norm for _, tr, *_ in series]
    positive = np.concatenate([v[np.isfinite(v) & (v > 0)] for v in values])
    floor = 0.1 * float(np.min(positive)) if positive.size else 1e-16
    zeros = False
    for label, tr, c, t, y in series:
        panels = [(a2, tr.grad_norm)] if negative else [(a1, y), (a2, tr.grad_norm)]
        for ax, v in panels:
            at_zero = v == 0
            zeros |= bool(np.any(at_zero))
            v = np.where(at_zero, floor, v)
            ax.plot(t, v, color=c, lw=1.4, label=label + stop_note(tr) if ax is a1 else None)
            ax.plot(t[at_zero], v[at_zero], "v", color=c, ms=6)
            if tr.stop.kind == "diverged":
                ax.plot(t[-1], v[-1], "x", color=c, ms=8)
        if negative:
            a1.plot(t, y, color=c, lw=1.4, label=label + stop_note(tr))
            if tr.stop.kind == "diverged":
                a1.plot(t[-1], y[-1], "x", color=c, ms=8)
    if negative:
        a1.set_yscale("symlog", linthresh=_LINTHRESH)
        _sparse_symlog_ticks(a1)
    else:
        a1.set_yscale("log")
    a2.set_yscale("log")
    if zeros:
        a2.text(0.99, 0.98, "▼ exactly 0", transform=a2.transAxes, ha="right", va="top", fontsize=9)
    a1.set_ylabel("f(x_t) − f*" if f_min is not None else "f(x_t)")
    a2.set_ylabel("‖∇f(x_t)‖")
    for a in (a1, a2):
        a.set_xlabel("step t")
        a.grid(True, which="major", alpha=0.3)
    a1.legend(fontsize=9, loc="best")
    fig.suptitle(title or "loss and gradient norm", fontsize=10)
    return save_png(fig, out)
