"""Training pictures: a history's curves, the LR finder's loss-vs-lr, the two comparisons.

Each function writes one PNG (Agg backend, matplotlib imported inside) and returns its path.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ._mpl import check_size, color_for, pyplot, save_png

__all__ = ["plot_history", "plot_lr_finder", "plot_comparison"]


def _finite(seq) -> np.ndarray:
    a = np.asarray(seq, dtype=float)
    return a


def plot_history(history, out, *, title: str | None = None, size=(11.0, 3.6), dpi: int = 100) -> Path:
    """Three panels: loss per step (with the epoch means and validation loss), accuracy per
    epoch, and the learning rate and ‖∇L‖ per step. A divergence is marked with a cross."""
    (w, h), dpi = check_size(size, dpi)
    plt = pyplot()
    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(w, h), dpi=dpi, layout="constrained")
    steps = np.arange(1, history.n_steps + 1)
    a1.plot(steps, _finite(history.steps["loss"]), color="#999999", lw=0.6, label="batch loss")
    ends = np.asarray(history.epochs["steps"], dtype=float)
    if ends.size:
        a1.plot(ends, _finite(history.epochs["loss"]), "o-", color="#0072B2", ms=3, label="epoch mean")
        vl = _finite(history.epochs["val_loss"])
        if np.isfinite(vl).any():
            a1.plot(ends, vl, "s-", color="#D55E00", ms=3, label="validation")
    if history.stop is not None and history.stop.kind == "diverged" and history.n_steps:
        a1.plot(steps[-1], np.nan_to_num(history.steps["loss"][-1], nan=0.0, posinf=0.0), "x", color="k", ms=9,
                label=f"diverged at step {history.stop.step}")
    a1.set_yscale("log")
    a1.set_xlabel("step")
    a1.set_ylabel("loss")
    a1.legend(fontsize=8)
    ep = np.arange(1, history.n_epochs + 1)
    acc = _finite(history.epochs["accuracy"])
    if np.isfinite(acc).any():
        a2.plot(ep, acc, "o-", color="#0072B2", ms=3, label="train (batches)")
        va = _finite(history.epochs["val_accuracy"])
        if np.isfinite(va).any():
            a2.plot(ep, va, "s-", color="#D55E00", ms=3, label="validation")
        a2.legend(fontsize=8)
    else:
        a2.text(0.5, 0.5, "no accuracy (regression)", ha="center", va="center", transform=a2.transAxes)
    a2.set_xlabel("epoch")
    a2.set_ylabel("accuracy")
    a3.plot(steps, _finite(history.steps["grad_norm"]), color="#009E73", lw=0.8, label="‖∇L‖")
    a3.set_yscale("log")
    a3.set_xlabel("step")
    a3.set_ylabel("‖∇L‖", color="#009E73")
    a4 = a3.twinx()
    a4.plot(steps, _finite(history.steps["lr"]), color="#CC79A7", lw=1.2)
    a4.set_ylabel("learning rate", color="#CC79A7")
    if title:
        fig.suptitle(title)
    return save_png(fig, out)


def plot_lr_finder(result, out, *, title: str | None = None, size=(6.0, 4.0), dpi: int = 100) -> Path:
    """Loss against lr (log scale), raw and smoothed, with the suggested lr marked."""
    (w, h), dpi = check_size(size, dpi)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(w, h), dpi=dpi, layout="constrained")
    ax.plot(result.lrs, result.losses, color="#BBBBBB", lw=0.8, label="loss")
    ax.plot(result.lrs, result.smoothed, color="#0072B2", lw=1.6, label="smoothed")
    ax.axvline(result.suggested_lr, color="#D55E00", ls="--", label=f"steepest: {result.suggested_lr:.3g}")
    ax.axvline(result.min_loss_lr / 10, color="#009E73", ls=":", label=f"min/10: {result.min_loss_lr / 10:.3g}")
    ax.set_xscale("log")
    lo, hi = np.nanmin(result.smoothed), np.nanmax(result.smoothed[: max(3, len(result.smoothed) // 2)])
    ax.set_ylim(lo - 0.1 * abs(lo), hi + 0.5 * abs(hi - lo) + 1e-12)
    ax.set_xlabel("learning rate")
    ax.set_ylabel("training loss")
    ax.set_title(title or "learning-rate range test")
    ax.legend(fontsize=8)
    return save_png(fig, out)


def plot_comparison(result: dict, out, *, title: str | None = None, size=(10.0, 4.0), dpi: int = 100) -> Path:
    """Training loss against epochs and against wall time, one line per run.

    ``result`` is what :func:`descentlab.train.compare.compare_batching` or
    :func:`~descentlab.train.compare.compare_optimizers` returned.
    """
    (w, h), dpi = check_size(size, dpi)
    plt = pyplot()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(w, h), dpi=dpi, layout="constrained")
    for i, (label, c) in enumerate(result["curves"].items()):
        col = color_for(label, i)
        a1.plot(c["epoch"], _finite(c["train_loss"]), "o-", ms=2.5, color=col, label=label)
        a2.plot(c["time"], _finite(c["train_loss"]), "o-", ms=2.5, color=col, label=label)
    for a, xl in ((a1, "epoch"), (a2, "wall time (s)")):
        a.set_yscale("log")
        a.set_xlabel(xl)
        a.set_ylabel("training loss (whole set)")
    a1.legend(fontsize=8)
    cfg = result.get("config", {})
    fig.suptitle(title or f"{'batch size' if result.get('kind') == 'batching' else 'optimizers'} on {cfg.get('data', '')}")
    return save_png(fig, out)
