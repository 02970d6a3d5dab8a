r"""The learning-rate range test ("LR finder", Smith 2017, §3.3).

Train for a few hundred steps while the learning rate grows exponentially,

.. math::  \eta_k = \eta_{min} \, (\eta_{max} / \eta_{min})^{k / (n-1)},\qquad k = 0 \dots n-1,

and record the loss of each step. The loss is smoothed by a bias-corrected
exponential moving average, :math:`s_k = \beta s_{k-1} + (1-\beta) L_k`,
:math:`\hat s_k = s_k / (1 - \beta^{k+1})`. The sweep stops early once
:math:`\hat s_k > 4 \min_j \hat s_j` (the loss has blown up).

Two readings are reported: ``suggested_lr``, where the smoothed loss falls fastest
against :math:`\log \eta` (the steepest descent of the curve), and
``min_loss_lr / 10``, the usual rule of thumb (a tenth of the lr at the lowest loss).
The model's weights are restored after the sweep.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigError, expected
from ..validation import POSITIVE, Integral, Interval, check_params

__all__ = ["lr_find", "LRFinderResult"]


@dataclass
class LRFinderResult:
    lrs: list[float]
    losses: list[float]
    smoothed: list[float]
    suggested_lr: float
    min_loss_lr: float
    stopped_early: bool
    config: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"lrs": self.lrs, "losses": self.losses, "smoothed": self.smoothed,
                "suggested_lr": self.suggested_lr, "min_loss_lr": self.min_loss_lr,
                "rule_of_thumb_lr": self.min_loss_lr / 10, "stopped_early": self.stopped_early,
                "config": self.config}


def _smooth(losses: list[float], beta: float) -> list[float]:
    s, out = 0.0, []
    for k, L in enumerate(losses):
        s = beta * s + (1 - beta) * L
        out.append(s / (1 - beta ** (k + 1)))
    return out


#: lr_find's range and length, in the vocabulary of descentlab.validation
_ARGS = {"lr_min": [POSITIVE], "lr_max": [POSITIVE], "steps": [Interval(Integral, 5, None)]}


def lr_find(model, data, loss="auto", optimizer: str = "sgd", batching="minibatch:32", *, lr_min: float = 1e-6,
            lr_max: float = 1.0, steps: int = 200, beta: float = 0.98, blowup: float = 4.0, preset: str | None = None,
            seed: int = 0, progress=None, **hyper) -> LRFinderResult:
    """Sweep the learning rate from ``lr_min`` to ``lr_max`` over ``steps`` updates.

    ``optimizer`` is a name for :func:`descentlab.optim.make_optimizer`; ``hyper`` its
    other hyperparameters (``momentum=0.9``...). ``progress``, a
    :class:`descentlab.progress.Progress`, is advanced one unit an update (none by
    default). Returns an :class:`LRFinderResult`.
    """
    from ..optim import make_optimizer
    from .fit import fit

    args = check_params("lr_find", dict(lr_min=lr_min, lr_max=lr_max, steps=steps), _ARGS,
                        fixes={"steps": "a few hundred steps give a readable curve"})
    lr_min, lr_max, steps = args["lr_min"], args["lr_max"], args["steps"]
    if not lr_min < lr_max:
        raise ConfigError(expected("0 < lr_min < lr_max", f"lr_min={lr_min}, lr_max={lr_max}", "e.g. lr_min=1e-6, lr_max=1"))
    ratio = lr_max / lr_min

    def schedule(k: int) -> float:
        return lr_min * ratio ** (min(k, steps - 1) / (steps - 1))

    opt = make_optimizer(optimizer, preset=preset, lr=schedule, **hyper)
    saved = model.state_dict()
    best = [math.inf]
    sm = [0.0]

    def watch(event, info):
        if event != "step":
            return False
        k = info["step"]  # updates done; the loss seen was that of update k-1
        sm[0] = beta * sm[0] + (1 - beta) * info["loss"]
        s = sm[0] / (1 - beta ** k)
        best[0] = min(best[0], s)
        return k >= 10 and s > blowup * best[0]

    from ..data.batching import parse_batching, Batching

    b = batching if isinstance(batching, Batching) else parse_batching(str(batching), seed)
    per_epoch = b.steps_per_epoch(len(data))
    if progress is not None:
        progress.start(steps)
        progress.detail = lambda: f"lr {schedule(int(progress.done)):.3g}"
    try:
        h = fit(model, data, loss, opt, b, epochs=math.ceil(steps / per_epoch), max_steps=steps, callbacks=[watch],
                diverge_factor=math.inf, quiet=True, seed=seed, progress=progress)
    finally:
        model.load_state_dict(saved)
    lrs = list(h.steps["lr"])
    losses = list(h.steps["loss"])
    if h.stop and h.stop.kind == "diverged":  # a non-finite loss ends the curve
        lrs, losses = lrs[:-1], losses[:-1]
    smoothed = _smooth(losses, beta)
    if len(smoothed) < 3:
        raise ConfigError(expected("a loss curve of at least 3 finite points", len(smoothed), "lower lr_min"))
    i_min = int(np.argmin(smoothed))
    # steepest fall of the smoothed curve against log(lr), left of its minimum; the
    # first tenth is skipped because the moving average has barely started there
    slope = np.gradient(np.asarray(smoothed), np.log(np.asarray(lrs)))
    lo = len(smoothed) // 10
    i_steep = lo + int(np.argmin(slope[lo:i_min + 1])) if i_min > lo else i_min
    return LRFinderResult(lrs, losses, smoothed, float(lrs[i_steep]), float(lrs[i_min]),
                          bool(h.stop and h.stop.kind in ("callback", "diverged")),
                          {"optimizer": optimizer, "lr_min": lr_min, "lr_max": lr_max, "steps": steps, "beta": beta,
                           "batching": b.config(), "data": data.name})
