"""Plots of learning-rate schedules, drawn before any training (they are functions of the step)."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..errors import ConfigError, expected
from ._mpl import check_size, pyplot, refuse_path_as_data, save_png

__all__ = ["plot_schedules", "DEFAULT_SCHEDULES"]

#: one of every schedule kind, in the command-line form of ``parse_schedule`` (base lr given apart)
DEFAULT_SCHEDULES = (
    "constant",
    "step:every=25,gamma=0.5",
    "multistep:milestones=30/60/85,gamma=0.3",
    "exp:k=0.03",
    "exp:rate=0.5,decay_steps=20,staircase=true",
    "inv:k=0.05",
    "cosine:total=100",
    "linear:start=0.1,end=0.01,steps=100",
    "poly:total=100,power=2",
    "warmup:steps=10+cosine:total=90",
    "onecycle:total=100",
    "sgdr:T_0=20,T_mult=2",
    "cyclic:max_lr=0.3,step_size_up=15,mode=triangular2",
    "piecewise:steps=0/20/100,rates=0/0.1/0.01",
)


def plot_schedules(schedules=None, out=None, *, lr: float = 0.1, steps: int = 100, size=None, dpi: int = 100,
                   columns: int = 5):
    """Small multiples: each schedule's learning rate against the step t = 0 … steps − 1.

    Parameters
    ----------
    schedules : sequence of str or Schedule, or dict label -> Schedule, optional
        Text forms (``"exp:k=0.03"``, parsed with base ``lr``) or schedule objects;
        default :data:`DEFAULT_SCHEDULES`, one of every kind.
    out : path of the PNG, or None for the Figure
    lr : float
        The base learning rate α₀ of text forms.
    steps : int
        How many steps to draw.
    size : (w, h) inches, optional
        Default 3 × 2.4 inches per panel.

    Returns
    -------
    Path of the written PNG (the Figure when ``out`` is None).
    """
    from ..optim.schedules import Schedule, parse_schedule

    refuse_path_as_data(schedules, "the schedules (or None)", "plot_schedules")
    items = schedules if schedules is not None else DEFAULT_SCHEDULES
    if isinstance(items, (str, Schedule)):
        items = [items]
    pairs = list(items.items()) if isinstance(items, dict) else [(None, s) for s in items]
    if not pairs:
        raise ConfigError(expected("at least one schedule", "none", "e.g. 'exp:k=0.03'"))
    if int(steps) != steps or steps < 2:
        raise ConfigError(expected("steps >= 2", steps))
    built = []
    for label, s in pairs:
        sched = parse_schedule(s, lr=lr) if isinstance(s, str) else s
        if not callable(sched):
            raise ConfigError(expected("a schedule (text or object)", repr(s)))
        built.append((label or (s if isinstance(s, str) else getattr(sched, "kind", "schedule")), sched))
    cols = max(1, min(int(columns), len(built)))
    rows = math.ceil(len(built) / cols)
    (w, h), dpi = check_size(size or (3.0 * cols, 2.4 * rows), dpi)
    plt = pyplot()
    fig, axes = plt.subplots(rows, cols, figsize=(w, h), dpi=dpi, layout="constrained", squeeze=False)
    t = np.arange(int(steps))
    for ax, (label, sched) in zip(axes.ravel(), built):
        values = sched.values(t) if hasattr(sched, "values") else np.array([sched(int(k)) for k in t])
        ax.plot(t, values, color="#0072B2", lw=1.6, drawstyle="steps-post")
        ax.set_title(label, fontsize=9)
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        ax.tick_params(labelsize=9)
    for ax in axes.ravel()[len(built):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("step t", fontsize=9)
    for ax in axes[:, 0]:
        ax.set_ylabel("lr", fontsize=9)
    fig.suptitle(f"learning-rate schedules (base lr α₀ = {lr:g})", fontsize=10)
    return save_png(fig, out)
