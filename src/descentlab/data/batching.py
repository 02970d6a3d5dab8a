r"""The lecture's three ways to feed a gradient step, as one seeded object.

* ``full()`` — batch gradient descent: every step uses all M samples,
  :math:`\nabla L = \frac1M \sum_{i=1}^M \nabla L^{(i)}`.
* ``stochastic()`` — SGD: every step uses one sample, drawn at random
  (here: the next one of a seeded shuffle, so an epoch visits each sample once).
* ``minibatch(k)`` — k samples per step, :math:`\frac1k \sum_{i=1}^k \nabla L^{(i)}`.

Each epoch the sample order is a fresh permutation from the batching's own
``numpy.random.Generator``. When ``k`` does not divide ``M`` the last, smaller batch is
either kept (``last="keep"``) or dropped (``last="drop"``).

Resuming exactly: :meth:`Batching.epoch` takes the generator state at the start of
the epoch; a checkpoint stores that state (as JSON) and the position inside the epoch,
and :meth:`Batching.restore` replays the same permutation.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ..errors import ConfigError, DataError, expected
from ..validation import POSITIVE_COUNT, StrOptions, as_rng, check, check_params

__all__ = ["Batching", "full", "stochastic", "minibatch", "parse_batching"]

Last = Literal["keep", "drop"]


#: A batching's settings, in the vocabulary of descentlab.validation.
_SETTINGS = {"batch_size": [POSITIVE_COUNT, None], "last": [StrOptions(("keep", "drop"))], "shuffle": ["boolean"]}


@dataclass
class Batching:
    """How samples are grouped into steps.

    Parameters
    ----------
    kind : {"full", "stochastic", "minibatch"}
    batch_size : int or None
        ``None`` for full batch; 1 for stochastic.
    last : {"keep", "drop"}
        What to do with the final partial batch.
    shuffle : bool
        Permute the samples each epoch (full batch does not need to).
    seed : int or numpy.random.Generator
    """

    kind: str
    batch_size: int | None
    last: Last = "keep"
    shuffle: bool = True
    seed: object = 0
    rng: np.random.Generator = field(init=False, repr=False)
    epoch_start_state: dict | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        check_params("Batching", {"batch_size": self.batch_size, "last": self.last, "shuffle": self.shuffle},
                     _SETTINGS, fixes={"last": "keep runs the smaller final batch, drop skips it",
                                       "batch_size": "use minibatch(k) with k >= 1, or full()"})
        self.rng = as_rng("Batching", self.seed)

    # -- validation ---------------------------------------------------------------
    def check(self, n_samples: int) -> None:
        """Refuse a batch size of 0 or one larger than the data."""
        k = self.batch_size
        if k is None:
            return
        if k > n_samples:
            raise DataError(expected(f"batch size <= {n_samples} (the number of training samples)", k,
                                     "use a smaller k, or full() for batch gradient descent"))

    def steps_per_epoch(self, n_samples: int) -> int:
        self.check(n_samples)
        if self.batch_size is None:
            return 1
        q, r = divmod(n_samples, self.batch_size)
        return q + (1 if r and self.last == "keep" else 0)

    # -- iteration ------------------------------------------------------------------
    def epoch(self, n_samples: int) -> list[np.ndarray]:
        """The index arrays of one epoch's batches, in order; advances the generator."""
        self.check(n_samples)
        self.epoch_start_state = self.rng_state()
        if self.batch_size is None:
            order = self.rng.permutation(n_samples) if self.shuffle else np.arange(n_samples)
            return [order]
        order = self.rng.permutation(n_samples) if self.shuffle else np.arange(n_samples)
        k = self.batch_size
        stop = n_samples if self.last == "keep" else n_samples - n_samples % k
        return [order[i:i + k] for i in range(0, stop, k)]

    # -- state ------------------------------------------------------------------
    def rng_state(self) -> dict:
        """The generator's ``bit_generator.state`` (a JSON-able dict)."""
        return json.loads(json.dumps(self.rng.bit_generator.state))

    def restore(self, state: dict) -> None:
        """Put the generator back to ``state`` (from :meth:`rng_state`)."""
        bg = self.rng.bit_generator
        if state.get("bit_generator") != bg.state["bit_generator"]:
            raise ConfigError(expected(f"a {bg.state['bit_generator']} state", state.get("bit_generator")))
        bg.state = state

    def config(self) -> dict:
        return {"kind": self.kind, "batch_size": self.batch_size, "last": self.last, "shuffle": self.shuffle}

    def describe(self) -> str:
        if self.kind == "full":
            return "full batch (batch GD)"
        if self.kind == "stochastic":
            return "stochastic (one sample a step)"
        return f"mini-batch k={self.batch_size} (last: {self.last})"


def full(seed=0) -> Batching:
    """Batch gradient descent: all M samples every step."""
    return Batching("full", None, "keep", shuffle=False, seed=seed)


def stochastic(seed=0) -> Batching:
    """SGD: one sample per step, in a fresh seeded random order each epoch."""
    return Batching("stochastic", 1, "keep", shuffle=True, seed=seed)


def minibatch(k: int, last: Last = "keep", seed=0, shuffle: bool = True) -> Batching:
    """Mini-batch GD with ``k`` samples per step; the last partial batch kept or dropped."""
    k = check("minibatch", "batch size", k, [POSITIVE_COUNT], fix="use minibatch(k) with k >= 1, or full()")
    return Batching("minibatch", k, last, shuffle=shuffle, seed=seed)


def parse_batching(text: str, seed=0) -> Batching:
    """``"full"``, ``"stochastic"``/``"sgd"``, ``"minibatch:32"``, ``"32"``, ``"minibatch:32:drop"``."""
    t = str(text).strip().lower()
    if t in ("full", "batch", "bgd"):
        return full(seed)
    if t in ("stochastic", "sgd", "1"):
        return stochastic(seed)
    m = re.fullmatch(r"(?:minibatch|mb)?[:=]?(-?\d+)(?::(keep|drop))?", t)
    if m:
        return minibatch(int(m.group(1)), m.group(2) or "keep", seed)
    raise ConfigError(expected("batching 'full', 'stochastic' or 'minibatch:K[:keep|drop]'", text, "e.g. minibatch:32 or minibatch:32:drop"))
