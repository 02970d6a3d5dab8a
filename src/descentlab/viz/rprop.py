"""The rprop-with-mini-batches figure: the weight per epoch under g/|g|, rprop and RMSProp."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ConfigError, expected
from ._mpl import check_size, pyplot, save_png

__all__ = ["plot_minibatch_rprop"]


def plot_minibatch_rprop(weights: dict, out, *, lr: float, size=(6.4, 3.6), dpi: int = 100) -> Path:
    """One line per rule: the weight after each epoch (``weights[rule]`` from w = 0).

    ``weights`` is the ``data["weights"]`` of ``descentlab lecture rprop``; the y axis is
    in units of the step η (``lr``) and symmetric-log, so the sign rule's −8η per epoch,
    rprop's growing steps and RMSProp's near-cancellation fit in one picture.
    """
    if not weights:
        raise ConfigError(expected("at least one rule's weights", "none", "pass data['weights'] of the example"))
    if not lr > 0:
        raise ConfigError(expected("lr > 0", lr, "pass the step the example ran with"))
    (w, h), dpi = check_size(size, dpi)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(w, h), dpi=dpi, layout="constrained")
    palette = ("#0072B2", "#E69F00", "#CC79A7", "#009E73", "#D55E00", "#56B4E9")
    for i, (label, ws) in enumerate(weights.items()):
        ws = np.asarray(ws, dtype=float) / lr
        ax.plot(np.arange(len(ws)), ws, marker="o", ms=2.5, lw=1.4, label=label, color=palette[i % len(palette)])
    ax.axhline(0.0, color="0.3", lw=0.8, ls="--", label="full batch (sum of gradients = 0)")
    ax.set_yscale("symlog", linthresh=1.0)
    ax.set_xlabel("epoch (10 mini-batches: nine +0.1, one −0.9)")
    ax.set_ylabel("weight / η")
    ax.set_title("dividing by the size of each mini-batch's gradient drifts; RMSProp's average does not")
    ax.title.set_fontsize(10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=9)
    return save_png(fig, out)
