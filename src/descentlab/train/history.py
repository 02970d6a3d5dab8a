"""``History``: the per-step and per-epoch records of one training run, and why it stopped."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..optim.stopping import StopReason

__all__ = ["History", "STEP_KEYS", "EPOCH_KEYS"]

STEP_KEYS = ("loss", "accuracy", "lr", "grad_norm", "epoch")
EPOCH_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy", "lr", "grad_norm", "time", "steps")


@dataclass
class History:
    """Per-step and per-epoch records of one training run.

    ``steps[key][i]`` is the value at update ``i``: ``loss`` and ``accuracy`` of the
    batch before the update (accuracy NaN for regression), the ``lr`` used, the
    Euclidean norm ``grad_norm`` of the loss's gradient (before any weight decay the
    optimizer adds), the ``epoch``.
    ``epochs[key][e]``: the epoch's training ``loss`` and ``accuracy``, per-sample means
    over the batches as seen (so a loss summed over the batch, ``mse_half``, is divided
    by the batch size here and the epochs of any batching compare), ``val_loss`` and ``val_accuracy`` (NaN without validation data),
    the ``lr`` of its last step, its mean ``grad_norm``, wall ``time`` and the number of
    ``steps`` done by its end.
    ``stop`` is a :class:`~descentlab.optim.stopping.StopReason` (``kind``, ``step``,
    ``message``, and ``details`` with the ``epoch`` it stopped in), None before a run.
    """

    steps: dict[str, list] = field(default_factory=lambda: {k: [] for k in STEP_KEYS})
    epochs: dict[str, list] = field(default_factory=lambda: {k: [] for k in EPOCH_KEYS})
    stop: StopReason | None = None
    config: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        # one line for a REPL: the per-step and per-epoch lists are in .steps and .epochs
        opt = self.config.get("optimizer")
        name = opt.get("name", "?") if isinstance(opt, dict) else (opt or "?")
        stop = f"stop={self.stop.kind!r} at step {self.stop.step}" if self.stop else "not run"
        last = [f"{k}={self.last(k):.4g}" for k in ("loss", "val_loss", "val_accuracy")
                if self.epochs.get(k) and np.isfinite(self.last(k))]
        return (f"History({self.config.get('dataset', 'data')!r}, {name}: {self.n_epochs} epochs, "
                f"{self.n_steps} steps, {stop}{''.join(', ' + v for v in last)})")

    def _repr_html_(self) -> str:
        """A small table for notebooks: dataset, optimizer, epochs, steps, final losses, how it stopped."""
        from ._html import summary_table

        opt = self.config.get("optimizer")
        name = opt.get("name", "?") if isinstance(opt, dict) else (opt or "?")
        rows = [("dataset", self.config.get("dataset", "data")), ("optimizer", name),
                ("epochs", self.n_epochs), ("steps", self.n_steps)]
        rows += [(f"final {k.replace('_', ' ')}", float(self.last(k))) for k in ("loss", "val_loss", "val_accuracy")
                 if self.epochs.get(k)]
        rows += [("stop", self.stop.kind), ("message", self.stop.message)] if self.stop else [("stop", "not run")]
        return summary_table("History", rows)

    @property
    def n_steps(self) -> int:
        return len(self.steps["loss"])

    @property
    def n_epochs(self) -> int:
        return len(self.epochs["loss"])

    def last(self, key: str, per: str = "epoch") -> float:
        seq = (self.epochs if per == "epoch" else self.steps)[key]
        return float(seq[-1]) if seq else float("nan")

    def to_dict(self) -> dict:
        """Plain lists and numbers, for JSON."""
        return {"steps": {k: list(v) for k, v in self.steps.items()},
                "epochs": {k: list(v) for k, v in self.epochs.items()},
                "stop": self.stop.to_dict() if self.stop else None, "config": dict(self.config)}

    def to_arrays(self, prefix: str = "history/") -> dict[str, np.ndarray]:
        out = {f"{prefix}steps/{k}": np.asarray(v, dtype=np.float64) for k, v in self.steps.items()}
        out.update({f"{prefix}epochs/{k}": np.asarray(v, dtype=np.float64) for k, v in self.epochs.items()})
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], meta: dict, prefix: str = "history/") -> "History":
        h = cls(config=dict(meta.get("config", {})))
        for k in STEP_KEYS:
            h.steps[k] = arrays[f"{prefix}steps/{k}"].tolist()
        for k in EPOCH_KEYS:
            h.epochs[k] = arrays[f"{prefix}epochs/{k}"].tolist()
        h.steps["epoch"] = [int(e) for e in h.steps["epoch"]]
        h.epochs["steps"] = [int(e) for e in h.epochs["steps"]]
        if meta.get("stop"):
            h.stop = StopReason.from_dict(meta["stop"])
        return h
