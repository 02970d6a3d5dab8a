"""Figures of a sweep's analysis: lr sensitivity, performance profiles, test learning curves.

Each function takes a :class:`descentlab.sweep.analysis.Analysis` and returns PNG bytes
(for the report) — colours from the one optimizer palette, and a distinct marker per
optimizer so every line stays identifiable in grey too.
"""
from __future__ import annotations

import numpy as np

from ._mpl import color_for, png_of, pyplot

__all__ = ["sensitivity_png", "profile_png", "test_curves_png", "MARKERS"]

MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


def _png(fig) -> bytes:
    plt = pyplot()
    try:
        return png_of(fig)
    finally:
        plt.close(fig)


def sensitivity_png(analysis, problem: str, key: str = "lr") -> bytes:
    """Tuning score (median log10 final metric over tune seeds) against ``key`` for every optimizer."""
    from ..sweep.analysis import DIVERGED_SCORE

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    for i, name in enumerate(analysis.optimizers()):
        c = analysis.cell(problem, name)
        if c is None:
            continue
        pts = sorted((h[key], s) for h, s in c.sensitivity if key in h)
        if not pts:
            continue
        x = np.array([p[0] for p in pts])
        y = np.array([p[1] for p in pts])
        ok = np.isfinite(y) & (y < DIVERGED_SCORE)
        ax.plot(x[ok], y[ok], marker=MARKERS[i % len(MARKERS)], ms=4, lw=1.2, color=color_for(name, i), label=name)
        if (~ok).any():  # diverged or failed: crosses along the top edge
            ax.scatter(x[~ok], np.full((~ok).sum(), 0.98), marker="x", color=color_for(name, i), s=18, zorder=3,
                       transform=ax.get_xaxis_transform())
        tuned = c.tuned.hyper.get(key)
        if tuned is not None:
            ax.axvline(tuned, color=color_for(name, i), lw=0.6, ls=":")
    ax.set_xscale("log")
    ax.set_xlabel(key)
    steps = next((c.sensitivity_steps for c in analysis.cells if c.problem == problem), None)
    ax.set_ylabel("mean log10 final metric (tune seeds)")
    ax.set_title(f"{problem}: sensitivity to {key}" + (f" ({steps} steps)" if steps else ""), fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, ncol=2)
    fig.tight_layout()
    return _png(fig)


def profile_png(analysis) -> bytes:
    """Dolan–Moré profile ρ_s(τ) on steps to target, τ on a log axis."""
    plt = pyplot()
    prof = analysis.profile()
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    tau = np.array(prof["tau"])
    for i, (name, rho) in enumerate(prof["rho"].items()):
        ax.step(tau, rho, where="post", lw=1.6, color=color_for(name, i), label=name,
                marker=MARKERS[i % len(MARKERS)], markevery=max(1, len(tau) // 8), ms=4)
    ax.set_xscale("log")
    from matplotlib.ticker import FormatStrFormatter, NullFormatter

    ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("τ: steps to target within τ × the fastest")
    ax.set_ylabel("share of problems")
    ax.set_title("performance profile (tuned, test seeds)", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="lower right")
    fig.tight_layout()
    return _png(fig)


def test_curves_png(analysis, problem: str) -> bytes:
    """Median test learning curve of each tuned optimizer (metric on a log axis), the target dashed."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    target = None
    for i, name in enumerate(analysis.optimizers()):
        c = analysis.cell(problem, name)
        if c is None or not c.tuned.curves:
            continue
        target = c.target
        n = min(len(cv) for cv in c.tuned.curves)
        if n == 0:
            continue
        t = [p[0] for p in c.tuned.curves[0][:n]]
        m = np.median(np.array([[p[1] for p in cv[:n]] for cv in c.tuned.curves]), axis=0)
        ax.plot(t, np.maximum(m, 1e-16), lw=1.4, color=color_for(name, i), label=name,
                marker=MARKERS[i % len(MARKERS)], markevery=max(1, n // 6), ms=4)
    if target:
        ax.axhline(target, color="0.4", ls="--", lw=0.8, label=f"target {target:g}")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("metric (median over test seeds)")
    ax.set_title(f"{problem}: tuned optimizers on the test seeds", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, ncol=2)
    fig.tight_layout()
    return _png(fig)
