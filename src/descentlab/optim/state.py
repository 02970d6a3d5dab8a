"""Optimizer state as plain data, and the optional record of one step.

:class:`OptState` is a step counter plus named arrays keyed by parameter name
(``state.slots["w"]["m"]``), so it can be printed, compared, saved and resumed.
:class:`StepRecord` is what ``opt.step(..., record=True)`` returns: everything a
reader needs to see what the update did.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["OptState", "StepRecord"]


@dataclass
class OptState:
    """The optimizer's memory between steps.

    Attributes
    ----------
    step : int
        Number of updates applied so far. The next update is the one that takes
        ``step`` from ``k`` to ``k + 1``, and it uses ``lr = schedule(k)``.
    slots : dict[str, dict[str, numpy.ndarray]]
        Per parameter, its named buffers: ``m`` and ``v`` for Adam, ``b`` (lr outside)
        or ``v`` (lr inside) for momentum, ``S`` for AdaGrad, and so on.
    """

    step: int = 0
    slots: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)

    def copy(self) -> "OptState":
        """A deep copy: new arrays, same values (L-BFGS's memory included)."""
        out = OptState(self.step, {p: {b: np.array(a, copy=True) for b, a in bufs.items()}
                                   for p, bufs in self.slots.items()})
        if getattr(self, "lbfgs", None) is not None:
            out.lbfgs = self.lbfgs.copy()
        return out

    def equals(self, other: "OptState") -> bool:
        """True when both states hold the same step and bit-identical buffers (and L-BFGS memories)."""
        if self.step != other.step or self.slots.keys() != other.slots.keys():
            return False
        mine, theirs = getattr(self, "lbfgs", None), getattr(other, "lbfgs", None)
        if (mine is None) != (theirs is None) or (mine is not None and not mine.equals(theirs)):
            return False
        for p, bufs in self.slots.items():
            if bufs.keys() != other.slots[p].keys():
                return False
            for b, a in bufs.items():
                o = other.slots[p][b]
                if a.shape != o.shape or a.dtype != o.dtype or not np.array_equal(a, o, equal_nan=True):
                    return False
        return True


@dataclass
class StepRecord:
    """What one update did, for reading, plotting or printing.

    Attributes
    ----------
    step : int
        Index ``k`` of the update (the state went from ``k`` to ``k + 1``).
    lr : float
        The learning rate used, ``schedule(k)``.
    grad : dict[str, ndarray]
        The gradient ``g`` as given (before any L2 weight decay).
    grad_norm : float
        Euclidean norm of all gradients together, ``sqrt(sum_k ||g_k||^2)``.
    buffers : dict[str, dict[str, ndarray]]
        The state buffers after the update.
    moments : dict[str, dict[str, ndarray]]
        Bias-corrected moments where the rule has them (``m_hat``, ``v_hat``).
    step_size : dict[str, ndarray]
        The effective per-coordinate step size: the factor that multiplies the
        rule's direction (the gradient, momentum buffer or bias-corrected moment),
        e.g. ``lr / (sqrt(v_hat) + eps)`` for Adam, ``lr`` for plain SGD and momentum.
        For RMSProp with momentum it is ``lr / denom``, the scale the current gradient
        gets as it enters the momentum buffer.
    update : dict[str, ndarray]
        The change applied, ``params[k] += update[k]``.
    note : str or None
        What the rule decided on its own, e.g. a Newton fallback, and which
        parameters got a non-finite update (a NaN or infinite gradient goes through;
        :class:`~descentlab.optim.stopping.Divergence` is what stops a run).
    details : dict or None
        Rule-specific numbers that are not per coordinate; L-BFGS's step gives its step
        length t, closure evaluations, iterations, direction norm and history length
        (see :meth:`descentlab.optim.LBFGS.step_closure`). None for the other rules.
    """

    step: int
    lr: float
    grad: dict[str, np.ndarray]
    grad_norm: float
    buffers: dict[str, dict[str, np.ndarray]]
    moments: dict[str, dict[str, np.ndarray]]
    step_size: dict[str, np.ndarray]
    update: dict[str, np.ndarray]
    note: str | None = None
    details: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain Python types (lists, floats), ready for :func:`descentlab._io.dumps_json`."""
        def arrays(d):
            return {k: (arrays(v) if isinstance(v, dict) else np.asarray(v).tolist()) for k, v in d.items()}
        return {
            "step": self.step,
            "lr": float(self.lr),
            "grad": arrays(self.grad),
            "grad_norm": float(self.grad_norm),
            "buffers": arrays(self.buffers),
            "moments": arrays(self.moments),
            "step_size": arrays(self.step_size),
            "update": arrays(self.update),
            "note": self.note,
            **({"details": dict(self.details)} if self.details is not None else {}),
        }
