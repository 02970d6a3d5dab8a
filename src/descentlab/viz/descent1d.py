"""The lecture's picture: gradient descent on f(x) = x², each step drawn on the curve."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ConfigError, expected
from ._mpl import check_size, pyplot, refuse_path_as_data, save_png

__all__ = ["plot_descent_1d", "draw_descent_1d"]


def draw_descent_1d(ax, tr, surface, *, color: str = "C3", numbers: bool = True, span: float | None = None) -> None:
    """Draw f over the trajectory's range and the points x_t on it, joined by arrows."""
    xs = tr.x[:, 0]
    fs = tr.f
    finite = np.isfinite(xs) & np.isfinite(fs)
    xs, fs = xs[finite], fs[finite]
    lo, hi = surface.window[0]
    r = max(abs(lo), abs(hi), float(np.max(np.abs(xs))) * 1.08) if span is None else span
    grid = np.linspace(-r, r, 300)
    ax.plot(grid, [surface.value(np.array([g])) for g in grid], color="0.35", lw=1.5, zorder=1)
    for t in range(len(xs) - 1):
        ax.annotate("", xy=(xs[t + 1], fs[t + 1]), xytext=(xs[t], fs[t]),
                    arrowprops=dict(arrowstyle="->", color=color, lw=1.1, shrinkA=2, shrinkB=2), zorder=2)
    ax.plot(xs, fs, "o", color=color, ms=5, mec="k", mew=0.6, zorder=3)
    if numbers:
        # name the first few points, skipping any that would print over the last named one
        last = None
        for t in range(min(len(xs), 6)):
            if last is not None and abs(xs[t] - xs[last]) < 0.12 * r and abs(fs[t] - fs[last]) < 0.08 * r * r:
                continue
            ax.annotate(f"x{_sub(t)}", (xs[t], fs[t]), textcoords="offset points", xytext=(5, 5), fontsize=9)
            last = t
    for m in surface.minima:
        ax.plot(m[0], surface.value(np.asarray(m)), marker="*", ms=13, color="gold", mec="k", zorder=4)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")


def _sub(t: int) -> str:
    return str(t).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def plot_descent_1d(trajectory=None, out=None, *, surface="x2", lr: float = 0.1, x0: float = 2.0, steps: int = 10,
                    optimizer: str = "sgd", size=(6.0, 4.5), dpi: int = 100, **hyper):
    """Gradient descent on the 1-D surface (default the lecture's x²), steps drawn on the curve.

    On x², x_t = (1 − 2γ)^t x₀: the title states γ and that factor. Pass ``trajectory``
    (from :func:`~descentlab.train.minimize.minimize`) to draw a run you already have.

    Returns
    -------
    Path of the written PNG (the Figure when ``out`` is None).
    """
    from ..train.minimize import minimize, resolve_surface

    refuse_path_as_data(trajectory, "the trajectory (or None)", "plot_descent_1d")
    s = resolve_surface(surface)
    if s.dim != 1:
        raise ConfigError(expected("a 1-D surface", f"{s.name} with {s.dim} coordinates", "use plot_contours"))
    tr = minimize(s, [x0], optimizer, lr=lr, steps=steps, tol=None, **hyper) if trajectory is None else trajectory
    # what the run really used, from its settings (a passed trajectory may carry momentum)
    opt = tr.meta.get("optimizer", {})
    optimizer = opt.get("name", optimizer)
    used = opt.get("hyper") if isinstance(opt.get("hyper"), dict) else {}
    lr = used["lr"] if isinstance(used.get("lr"), (int, float)) else float("nan")
    (w, h), dpi = check_size(size, dpi)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(w, h), dpi=dpi, layout="constrained")
    draw_descent_1d(ax, tr, s)
    # the closed form x_t = (1 − 2γ)^t x₀ holds for plain GD only: constant lr, no
    # momentum, no weight decay
    plain_gd = optimizer in ("sgd", "gd") and not used.get("momentum") and not used.get("weight_decay")
    if optimizer in ("sgd", "gd"):  # full-batch steps on a surface: gradient descent, not stochastic
        optimizer = f"gradient descent with momentum {used['momentum']:g}" if used.get("momentum") else "gradient descent"
    factor = f", x_t = ({1 - 2 * lr:.3g})^t·x₀" if s.name == "x2" and plain_gd and lr == lr else ""
    note = f"; diverged at step {tr.stop.step}" if tr.stop.kind == "diverged" else ""
    step = f"γ = {lr:g}" if lr == lr else "γ from a schedule"
    ax.set_title(f"{optimizer} on f(x) = {s.formula}: {step}{factor}{note}", fontsize=10)
    return save_png(fig, out)
