"""Reduce the learning rate when a metric stops improving: the one schedule with state.

PyTorch's ``ReduceLROnPlateau``: after each evaluation of a metric (a validation
loss, say), :meth:`Plateau.step` compares it with the best so far::

    better:  metric < best * (1 - threshold)     mode 'min', threshold_mode 'rel'
             metric < best - threshold           mode 'min', threshold_mode 'abs'
             metric > best * (1 + threshold)     mode 'max', 'rel'
             metric > best + threshold           mode 'max', 'abs'
    better -> best = metric, bad = 0;  else bad += 1
    in cooldown -> cooldown_left -= 1, bad = 0
    bad > patience -> lr = max(lr * factor, min_lr) (if that changes it by more than eps),
                      cooldown_left = cooldown, bad = 0

Unlike every other schedule its rate is not a function of the step but of the metrics
seen, so its state (the current rate, the best metric, the counters) is part of its
config: ``to_config()`` records it, and an optimizer saved with ``save_state`` (or a
training checkpoint, which stores the optimizer's config) resumes with the same rate
and counters. ``plateau(t)`` is the current rate for any t.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from ...errors import ConfigError, expected
from ...validation import COUNT, NONNEGATIVE, Interval, Real, StrOptions, is_real
from .base import LR, Schedule, _fmt

__all__ = ["Plateau", "STATE_FIELDS", "without_plateau_state", "restore_plateau_state"]

#: the fields of a Plateau config that are its state, not its settings
STATE_FIELDS = ("current", "best", "bad_epochs", "cooldown_left", "epochs")


@dataclass(eq=False)
class Plateau(Schedule):
    """ReduceLROnPlateau as data: its parameters, then its state (``current``, ``best``, ...)."""

    lr: float
    mode: str = "min"
    factor: float = 0.1
    patience: int = 10
    threshold: float = 1e-4
    threshold_mode: str = "rel"
    cooldown: int = 0
    min_lr: float = 0.0
    eps: float = 1e-8
    # state: None means "as at the start"
    current: float | None = None
    best: float | None = None
    bad_epochs: int = 0
    cooldown_left: int = 0
    epochs: int = 0
    kind: ClassVar[str] = "plateau"

    _constraints = {"lr": LR, "mode": [StrOptions(("min", "max"))], "factor": [Interval(Real, 0, 1, closed="neither")],
                    "patience": [COUNT], "threshold": [NONNEGATIVE], "threshold_mode": [StrOptions(("rel", "abs"))],
                    "cooldown": [COUNT], "min_lr": LR, "eps": [NONNEGATIVE], "bad_epochs": [COUNT],
                    "cooldown_left": [COUNT], "epochs": [COUNT]}
    _fixes = {"factor": "factor multiplies the rate on a plateau: in (0, 1), e.g. 0.1 (PyTorch refuses 1.0 too)"}

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.current is None:
            self.current = self.lr
        if self.best is None:
            self.best = math.inf if self.mode == "min" else -math.inf
        self.current, self.best = float(self.current), float(self.best)

    def _better(self, a: float) -> bool:
        if self.mode == "min":
            return a < (self.best * (1.0 - self.threshold) if self.threshold_mode == "rel" else self.best - self.threshold)
        return a > (self.best * (self.threshold + 1.0) if self.threshold_mode == "rel" else self.best + self.threshold)

    def step(self, metric: Any) -> float:
        """Take one evaluation of the metric into account; returns the rate from now on."""
        if not is_real(metric) and not (hasattr(metric, "item") and is_real(metric.item())):
            raise ConfigError(f"Plateau: " + expected("a number for the metric", f"{type(metric).__name__} {metric!r:.60}",
                                                     "pass the validation loss (or the metric) as a float"))
        a = float(metric)
        if math.isnan(a):
            raise ConfigError("Plateau: " + expected("a metric that is not NaN", a,
                                                     "stop the run: the loss diverged (see optim.stopping.Divergence)"))
        self.epochs += 1
        if self._better(a):
            self.best, self.bad_epochs = a, 0
        else:
            self.bad_epochs += 1
        if self.cooldown_left > 0:
            self.cooldown_left -= 1
            self.bad_epochs = 0
        if self.bad_epochs > self.patience:
            new = max(self.current * self.factor, self.min_lr)
            if self.current - new > self.eps:
                self.current = new
            self.cooldown_left = self.cooldown
            self.bad_epochs = 0
        return self.current

    def _lr(self, t: int) -> float:
        return self.current  # type: ignore[return-value]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Plateau) and self.to_config() == other.to_config()

    def to_config(self) -> dict[str, Any]:
        cfg = super().to_config()
        for k in ("best",):  # JSON has no infinity: write it as a string, as stopping's reasons do
            if math.isinf(cfg[k]):
                cfg[k] = "inf" if cfg[k] > 0 else "-inf"
        return cfg

    @classmethod
    def _args_from_config(cls, args: dict[str, Any]) -> dict[str, Any]:
        best = args.get("best")
        if isinstance(best, str):
            if best not in ("inf", "-inf"):
                raise ConfigError(expected("best a number, 'inf' or '-inf'", best, "pass the output of to_config()"))
            args = {**args, "best": float(best)}
        return args

    def describe(self) -> str:
        return (f"reduce on plateau: {_fmt(self.current)} (from {_fmt(self.lr)}), x{_fmt(self.factor)} after "
                f"{self.patience} evaluations without a {self.threshold_mode} {self.mode} improvement of "
                f"{_fmt(self.threshold)}, floor {_fmt(self.min_lr)}")


def without_plateau_state(config: Any) -> Any:
    """An optimizer config (``optimizer_config(opt)``) with a Plateau lr's state left out.

    Two runs with the same settings then compare equal however far each has gone; a
    checkpoint compares the settings, then restores the state with
    :func:`restore_plateau_state`.
    """
    lr = config.get("hyper", {}).get("lr") if isinstance(config, dict) else None
    sched = lr.get("schedule") if isinstance(lr, dict) else None
    if not (isinstance(sched, dict) and sched.get("kind") == Plateau.kind):
        return config
    bare = {k: v for k, v in sched.items() if k not in STATE_FIELDS}
    return {**config, "hyper": {**config["hyper"], "lr": {**lr, "schedule": bare}}}


def restore_plateau_state(opt: Any, config: Any) -> None:
    """Put the Plateau state saved in ``config`` into ``opt``'s Plateau lr (nothing for other lrs)."""
    lr = getattr(opt, "hyper", {}).get("lr")
    saved = config.get("hyper", {}).get("lr", {}) if isinstance(config, dict) else {}
    sched = saved.get("schedule") if isinstance(saved, dict) else None
    if not isinstance(lr, Plateau) or not isinstance(sched, dict):
        return
    state = Plateau._args_from_config({k: sched[k] for k in STATE_FIELDS if k in sched})
    for k, v in state.items():
        setattr(lr, k, v)
