"""The lecture's "effects of step size": too small, good, too large (oscillating), divergent."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ConfigError, expected
from ._mpl import check_size, pyplot, save_png
from .contours import draw_surface
from .descent1d import draw_descent_1d

__all__ = ["plot_lr_effects"]

_COLORS = {"too small": "#0072B2", "good": "#009E73", "too large": "#E69F00", "divergent": "#D55E00"}


def plot_lr_effects(out=None, *, x0: float = 2.0, steps: int = 12, eigenvalues=(1.0, 10.0), angle: float = 30.0,
                    steps_2d: int = 25, size=(14.0, 7.0), dpi: int = 100):
    """Two rows of four panels: GD at the four step-size regimes on x² (top) and on an
    ill-conditioned quadratic ½xᵀAx with ``eigenvalues`` (bottom).

    The learning rates come from :func:`descentlab.train.lr_analysis.step_size_regimes`
    (on x²: 0.05, 0.4, 0.875, 1.05); each panel states γ, the predicted rate
    ρ = max|1 − γλ| and what happened.

    Returns
    -------
    Path of the written PNG (the Figure when ``out`` is None).
    """
    from ..functions import get_surface
    from ..train import lr_analysis as la
    from ..train.minimize import minimize

    if np.size(eigenvalues) != 2:
        raise ConfigError(expected("two eigenvalues (the bottom row is a 2-D contour plot)", list(eigenvalues),
                                   "pass e.g. eigenvalues=(1, 10)"))
    x2 = get_surface("x2")
    quad = get_surface("quadratic", eigenvalues=eigenvalues, angle=angle)
    A = quad.hess(np.zeros(quad.dim))
    (w, h), dpi = check_size(size, dpi)
    plt = pyplot()
    fig, axes = plt.subplots(2, 4, figsize=(w, h), dpi=dpi, layout="constrained")
    for col, (name, lr) in enumerate(la.step_size_regimes([[2.0]]).items()):
        tr = minimize(x2, [x0], "sgd", lr=lr, steps=steps, tol=None)
        ax = axes[0, col]
        draw_descent_1d(ax, tr, x2, color=_COLORS[name], numbers=False, span=max(2.5, 1.15 * float(np.max(np.abs(tr.x)))))
        ax.set_title(f"{name}: γ = {lr:.3g}\nρ = |1 − 2γ| = {la.gd_rate([[2.0]], lr):.2f}\n{_what(tr)}", fontsize=9)
        if col == 0:
            ax.set_ylabel("f(x) = x²")
    for col, (name, lr) in enumerate(la.step_size_regimes(A).items()):
        tr = minimize(quad, None, "sgd", lr=lr, steps=steps_2d, tol=None)
        ax = axes[1, col]
        draw_surface(ax, quad, n=90, levels=18)
        ax.plot(tr.x[:, 0], tr.x[:, 1], "-o", color=_COLORS[name], ms=2.5, lw=1.2)
        ax.plot(*tr.x[0], "s", color="k", ms=5)
        ax.set_title(f"{name}: γ = {lr:.3g}\nρ = max|1 − γλ| = {la.gd_rate(A, lr):.2f}\n{_what(tr)}", fontsize=9)
        if col == 0:
            ax.set_ylabel(f"½xᵀAx, eig(A) = {', '.join(f'{v:g}' for v in eigenvalues)}\ny")
    fig.suptitle("The effect of the step size γ: stable iff γ < 2/λ_max "
                 f"(x²: γ < 1; the quadratic: γ < {la.max_stable_lr(A):.3g})", fontsize=11)
    return save_png(fig, out)


def _what(tr) -> str:
    if tr.stop.kind == "diverged":
        return f"diverged at step {tr.stop.step}"
    return f"f = {tr.f_final:.2g} after {tr.steps} steps"
