"""Figures and animations with matplotlib (imported only when a function runs).

Every function takes one argument order: its data first (positional: a surface and
trajectories, a race, a history...), then ``out``, the file to write, then keyword-only
options. It writes the file (headless, with the Agg backend) and returns its path; the
output folder is created when missing. A ``plot_*`` function given ``out=None`` writes
nothing and returns the matplotlib Figure instead, which a notebook shows. Sizes are ``size`` in inches times ``dpi``,
so a picture of ``size=(8, 5), dpi=100`` is exactly 800 × 500 pixels.

Names are resolved lazily from their modules, so ``import descentlab.viz`` does not
import matplotlib.
"""
from __future__ import annotations

from .._lazy import lazy_exports

# public name -> module that defines it
_LAZY = {
    "plot_contours": "descentlab.viz.contours",
    "plot_race": "descentlab.viz.contours",
    "plot_curves": "descentlab.viz.curves",
    "plot_descent_1d": "descentlab.viz.descent1d",
    "plot_lr_effects": "descentlab.viz.lr_effects",
    "plot_schedules": "descentlab.viz.schedules",
    "animate_race": "descentlab.viz.animation",
    "animate_trajectories": "descentlab.viz.animation",
    "plot_history": "descentlab.viz.training",
    "plot_lr_finder": "descentlab.viz.training",
    "plot_comparison": "descentlab.viz.training",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
