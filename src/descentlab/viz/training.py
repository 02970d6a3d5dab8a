"""Training pictures: a history's curves, the LR finder's loss-vs-lr, the two comparisons.

Each function writes one PNG (Agg backend, matplotlib imported inside) and returns its path.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..data.registry import dataset_title
from ._mpl import check_size, color_for, pyplot, save_png

__all__ = ["plot_history", "plot_lr_finder", "plot_comparison"]


def _floats(seq) -> np.ndarray:
    return np.asarray(seq, dtype=float)


def _integer_ticks():
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def plot_history(history, out=None, *, title: str | None = None, size=(11.0, 3.6), dpi: int = 100):
    """Three panels: loss per step (with the epoch means and validation loss), accuracy per
    epoch, and the learning rate and ‖∇L‖ per step. A divergence is marked with a cross.

    Step ``k`` is the batch seen after ``k`` updates, as in ``history.stop.step``; an
    epoch's mean and validation values sit at the number of updates done by its end.
    """
    (w, h), dpi = check_size(size, dpi)
    plt = pyplot()
    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(w, h), dpi=dpi, layout="constrained")
    steps = np.arange(history.n_steps)
    a1.plot(steps, _floats(history.steps["loss"]), color="#999999", lw=0.6, label="batch loss")
    ends = np.asarray(history.epochs["steps"], dtype=float)
    if ends.size:
        a1.plot(ends, _floats(history.epochs["loss"]), "o-", color="#0072B2", ms=3, label="epoch mean")
        vl = _floats(history.epochs["val_loss"])
        if np.isfinite(vl).any():
            a1.plot(ends, vl, "s-", color="#D55E00", ms=3, label="validation")
    if history.stop is not None and history.stop.kind == "diverged" and history.n_steps:
        losses = _floats(history.steps["loss"])
        finite = losses[np.isfinite(losses) & (losses > 0)]
        # a non-finite loss has no place on the axis: mark it at the highest finite one
        y = losses[-1] if np.isfinite(losses[-1]) else (finite.max() if finite.size else 1.0)
        a1.plot(history.stop.step, y, "x", color="k", ms=9, label=f"diverged at step {history.stop.step}")
    a1.set_yscale("log")
    a1.set_xlabel("step")
    a1.set_ylabel("loss")
    a1.legend(fontsize=9)
    ep = np.arange(1, history.n_epochs + 1)
    acc = _floats(history.epochs["accuracy"])
    if np.isfinite(acc).any():
        a2.plot(ep, acc, "o-", color="#0072B2", ms=3, label="train (batches)")
        va = _floats(history.epochs["val_accuracy"])
        if np.isfinite(va).any():
            a2.plot(ep, va, "s-", color="#D55E00", ms=3, label="validation")
        a2.legend(fontsize=9)
    else:
        why = "no accuracy (regression)" if history.config.get("task") == "regression" or not np.isfinite(
            _floats(history.steps["accuracy"])).any() else "no completed epoch"
        a2.text(0.5, 0.5, why, ha="center", va="center", transform=a2.transAxes)
    a2.set_xlabel("epoch")
    a2.set_ylabel("accuracy")
    a2.xaxis.set_major_locator(_integer_ticks())
    a3.plot(steps, _floats(history.steps["grad_norm"]), color="#009E73", lw=0.8, label="‖∇L‖")
    a3.set_yscale("log")
    a3.set_xlabel("step")
    a3.set_ylabel("‖∇L‖", color="#009E73")
    a4 = a3.twinx()
    lrs = _floats(history.steps["lr"])
    a4.plot(steps, lrs, color="#CC79A7", lw=1.2)
    a4.set_ylabel("learning rate", color="#CC79A7")
    if lrs.size and lrs.min() > 0 and lrs.max() / lrs.min() > 10:  # a decay over decades
        a4.set_yscale("log")
    elif lrs.size and np.isfinite(lrs).all() and lrs.min() == lrs.max():  # constant: not a zoom on nothing
        a4.set_ylim(0.0, 2.0 * lrs[0] if lrs[0] > 0 else 1.0)
    if title:
        fig.suptitle(title)
    return save_png(fig, out)


def plot_lr_finder(result, out=None, *, title: str | None = None, size=(6.0, 4.0), dpi: int = 100):
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
    data = getattr(result, "config", {}).get("data")
    ax.set_title(title or f"learning-rate range test{f' on {dataset_title(data)}' if data else ''}")
    ax.legend(fontsize=9)
    return save_png(fig, out)


def plot_comparison(result: dict, out=None, *, title: str | None = None, size=(10.0, 4.0), dpi: int = 100):
    """Training loss against epochs and against wall time, one line per run.

    ``result`` is what :func:`descentlab.train.compare.compare_batching` or
    :func:`~descentlab.train.compare.compare_optimizers` returned.
    """
    (w, h), dpi = check_size(size, dpi)
    plt = pyplot()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(w, h), dpi=dpi, layout="constrained")
    rows = result.get("rows", [])
    lrs = {r.get("batching", r.get("optimizer")): r.get("lr") for r in rows}
    # a diverged run may have no finished epoch to draw: its legend entry says where it stopped
    diverged = {r.get("batching", r.get("optimizer")): r.get("stop_step") for r in rows if r.get("stop") == "diverged"}
    ends = [c["time"][-1] for c in result["curves"].values() if c["time"][-1] > 0]
    # runs that differ in speed by decades get a log time axis, without their t = 0 points
    log_time = bool(ends) and max(ends) / min(ends) > 10
    for i, (label, c) in enumerate(result["curves"].items()):
        col = color_for(label, i)
        lr = lrs.get(label)
        name = f"{label}, lr {lr:.3g}" if isinstance(lr, (int, float)) else label
        if label in diverged:
            name += f" (diverged at step {diverged[label]})"
        loss, t = _floats(c["train_loss"]), _floats(c["time"])
        a1.plot(c["epoch"], loss, "o-", ms=2.5, color=col, label=name)
        keep = t > 0 if log_time else np.ones(t.shape, bool)
        a2.plot(t[keep], loss[keep], "o-", ms=2.5, color=col, label=name)
    for a, xl in ((a1, "epoch"), (a2, "wall time (s, log scale)" if log_time else "wall time (s)")):
        a.set_yscale("log")
        a.set_xlabel(xl)
        a.set_ylabel("training loss (whole set)")
    if log_time:
        a2.set_xscale("log")
    a1.xaxis.set_major_locator(_integer_ticks())
    a1.legend(fontsize=9)
    cfg = result.get("config", {})
    fig.suptitle(title or f"{'batch size' if result.get('kind') == 'batching' else 'optimizers'} on {dataset_title(cfg.get('data', ''))}")
    return save_png(fig, out)
