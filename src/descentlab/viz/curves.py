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


def plot_curves(trajectories, out, *, surface=None, title: str | None = None, size=(10.0, 4.0),
                dpi: int = 100) -> Path:
    """Two panels: f(x_t) − f* and ‖∇f(x_t)‖ against t, both on a log scale.

    ``surface`` (or its name) supplies f*; without it, or when the surface has no
    minimum, f itself is drawn (on a symmetric-log scale when it goes negative).
    A diverged run ends in a cross at its divergence step.
    """
    paths = as_labelled(trajectories)
    f_min = None
    if surface is not None:
        from ..train.minimize import resolve_surface

        f_min = resolve_surface(surface).f_min
    (w, h), dpi = check_size(size, dpi)
    plt = pyplot()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(w, h), dpi=dpi, layout="constrained")
    negative = False
    for i, (label, tr) in enumerate(paths.items()):
        c = color_for(label, i)
        t = np.arange(len(tr.f))
        y = tr.f - f_min if f_min is not None else tr.f
        negative |= bool(np.any(y <= 0))
        a1.plot(t, y, color=c, lw=1.4, label=label + stop_note(tr))
        a2.plot(t, tr.grad_norm, color=c, lw=1.4)
        if tr.stop.kind == "diverged":
            a1.plot(t[-1], y[-1], "x", color=c, ms=8)
            a2.plot(t[-1], tr.grad_norm[-1], "x", color=c, ms=8)
    if negative and f_min is None:
        a1.set_yscale("symlog", linthresh=_LINTHRESH)
        _sparse_symlog_ticks(a1)
    else:
        a1.set_yscale("log")
    a2.set_yscale("log")
    a1.set_ylabel("f(x_t) − f*" if f_min is not None else "f(x_t)")
    a2.set_ylabel("‖∇f(x_t)‖")
    for a in (a1, a2):
        a.set_xlabel("step t")
        a.grid(True, which="major", alpha=0.3)
    a1.legend(fontsize=8, loc="best")
    fig.suptitle(title or "loss and gradient norm", fontsize=10)
    return save_png(fig, out)
