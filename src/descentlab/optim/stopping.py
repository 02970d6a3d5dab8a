"""Stopping rules: when gradient descent should stop, and why.

Each rule has ``check(step, loss, grad=None, params=None)``, which returns a
:class:`StopReason` or ``None``. ``step`` is the number of updates done so far, so the
loss, gradient and parameters passed are those of the iterate ``x_step`` (``step=0``:
the starting point).

* :class:`GradNorm` -- the lecture's criterion ``||grad f(x)|| <= eps``, with a choice
  of norm (2, 1 or inf; PyTorch's L-BFGS uses the inf-norm, ``max |g_i|``).
* :class:`MaxSteps` -- stop once ``step >= n``.
* :class:`NoImprovement` -- no new best loss (by more than ``min_delta``) for
  ``patience`` checks in a row.
* :class:`Divergence` -- a non-finite loss, gradient or parameter, or a loss above a
  bound or above a factor of the first loss. It names the step and the quantity.

:class:`StopRules` checks several rules in order, divergence first, and carries their
state for a checkpoint. Rules with state (``NoImprovement``, ``Divergence`` with a
``factor``) expose it as plain data with ``state_dict()`` / ``load_state_dict()``.

Examples
--------
>>> import numpy as np
>>> rules = StopRules([GradNorm(1e-6), MaxSteps(100), Divergence()])
>>> rules.check(3, loss=0.5, grad={"x": np.array([3.0, 4.0])}) is None
True
>>> rules.check(4, loss=float("nan"), grad={"x": np.array([3.0, 4.0])}).message
'diverged at step 4: loss is nan'
>>> GradNorm(1e-3).check(7, loss=0.0, grad=np.array([1e-4, -2e-4])).kind
'converged'
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import ConfigError, StateFileError, expected
from ..validation import COUNT, NONNEGATIVE, POSITIVE_COUNT, Interval, Real, check_params

__all__ = [
    "StopReason",
    "StopRule",
    "GradNorm",
    "MaxSteps",
    "NoImprovement",
    "Divergence",
    "StopRules",
    "grad_norm",
    "rule_from_config",
    "STOP_KINDS",
    "RULE_KINDS",
]

#: the kinds the rules below return, and the two a training loop adds: ``callback``
#: (a callback asked to stop: the run is finished) and ``interrupted`` (stopped so that
#: a resume continues it, e.g. on SIGTERM)
RULE_KINDS = ("converged", "max_steps", "no_improvement", "diverged")
STOP_KINDS = (*RULE_KINDS, "callback", "interrupted")

Arrays = Mapping[str, np.ndarray] | np.ndarray


@dataclass(frozen=True)
class StopReason:
    """Why a run stopped.

    Attributes
    ----------
    kind : str
        One of ``"converged"``, ``"max_steps"``, ``"no_improvement"``, ``"diverged"``
        (the rules' kinds), ``"callback"`` or ``"interrupted"`` (see :data:`STOP_KINDS`).
    step : int
        Updates done when the rule fired (the iterate ``x_step`` was checked).
    message : str
        One sentence for people.
    details : dict
        Plain data for programs: the norm and its value, the quantity that diverged, ...
    """

    kind: str
    step: int
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in STOP_KINDS:
            raise ConfigError(expected(f"kind one of {list(STOP_KINDS)}", self.kind, "use a known stop kind"))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (non-finite floats stay floats; ``_io.dumps_json`` words them)."""
        return {"kind": self.kind, "step": self.step, "message": self.message, "details": dict(self.details)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "StopReason":
        """Rebuild from :meth:`to_dict` output, also after JSON: ``"nan"``/``"inf"`` details are floats again."""
        details = _unword(dict(data.get("details", {})))
        return cls(str(data["kind"]), int(data["step"]), str(data["message"]), details)

    def __str__(self) -> str:
        return self.message


def _unword(v: Any) -> Any:
    """Undo ``_io.dumps_json``'s wording of non-finite floats."""
    if isinstance(v, str) and v in ("nan", "inf", "-inf"):
        return float(v)
    if isinstance(v, dict):
        return {k: _unword(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_unword(x) for x in v]
    return v


# ----------------------------------------------------------------------------------------
# Norms over one array or a dict of arrays


_ORDS = {2: 2, "2": 2, 1: 1, "1": 1, math.inf: math.inf, "inf": math.inf, "max": math.inf}


def _norm_order(ord: object) -> float:
    try:
        return _ORDS[ord]  # type: ignore[index]
    except (KeyError, TypeError):
        raise ConfigError(expected("ord one of 2, 1, inf", ord, "2 is the Euclidean norm, inf the largest |g_i|")) from None


def _arrays(x: Arrays, what: str) -> list[np.ndarray]:
    if isinstance(x, Mapping):
        arrs = [np.asarray(v) for v in x.values()]
    else:
        arrs = [np.asarray(x)]
    if not arrs or sum(a.size for a in arrs) == 0:
        raise ConfigError(expected(f"a non-empty {what}", x, f"pass the {what} as an array or a dict of arrays"))
    return arrs


def grad_norm(grad: Arrays, ord: object = 2) -> float:
    """The norm of a gradient given as one array or a dict of arrays (all entries together).

    ``ord=2``: ``sqrt(sum g_i^2)``; ``ord=1``: ``sum |g_i|``; ``ord=inf``: ``max |g_i|``,
    over every entry of every array, as if they were concatenated.

    >>> grad_norm({"w": np.array([[3.0]]), "b": np.array([4.0])})
    5.0
    """
    p = _norm_order(ord)
    arrs = _arrays(grad, "gradient")
    if p == 2:
        return float(math.sqrt(sum(float(np.vdot(a, a).real) for a in arrs)))
    if p == 1:
        return float(sum(float(np.abs(a).sum()) for a in arrs))
    return float(max(float(np.abs(a).max()) for a in arrs if a.size))


def _fmt(x: float) -> str:
    return f"{x:.6g}"


# ----------------------------------------------------------------------------------------
# The rules


class StopRule:
    """Base of the stopping rules: ``check``, ``reset``, and state as plain data."""

    def check(self, step: int, loss: float, grad: Arrays | None = None,
              params: Arrays | None = None) -> StopReason | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def reset(self) -> None:
        """Forget what earlier checks saw (stateless rules have nothing to forget)."""

    def state_dict(self) -> dict[str, Any]:
        """The rule's state as JSON-ready data (empty for stateless rules)."""
        return {}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore :meth:`state_dict` output."""
        _expect_keys(type(self).__name__, state, ())

    def to_config(self) -> dict[str, Any]:
        """The rule's settings as JSON-ready data; :func:`rule_from_config` rebuilds it."""
        return {"rule": type(self).__name__, **self._settings()}

    def _settings(self) -> dict[str, Any]:
        raise ConfigError(expected("a rule that can be saved", type(self).__name__,
                                   "define _settings() returning its constructor arguments"))


def _expect_keys(owner: str, state: Mapping[str, Any], keys: Sequence[str]) -> None:
    if not isinstance(state, Mapping) or set(state) != set(keys):
        got = sorted(state) if isinstance(state, Mapping) else type(state).__name__
        raise StateFileError(f"{owner}: " + expected(f"a state with keys {sorted(keys)}", got,
                                                     "load the state saved by the same kind of rule"))


#: Each rule's settings, in the vocabulary of descentlab.validation.
_SETTINGS: dict[str, dict[str, list[Any]]] = {
    "GradNorm": {"eps": [NONNEGATIVE]},
    "MaxSteps": {"n": [COUNT]},
    "NoImprovement": {"patience": [POSITIVE_COUNT], "min_delta": [NONNEGATIVE]},
    "Divergence": {"max_loss": [Interval(Real, None, None), None], "factor": [Interval(Real, 1, None), None],
                   "check_grad": ["boolean"], "check_params": ["boolean"]},
}
_FIXES = {"eps": "pass e.g. eps=1e-6", "n": "pass e.g. n=100", "patience": "pass e.g. patience=10",
          "min_delta": "pass e.g. min_delta=1e-6", "max_loss": "pass e.g. max_loss=1e10",
          "factor": "factor is how many times the first loss counts as exploding, e.g. 1e6"}


def _checked(owner: str, **values: Any) -> dict[str, Any]:
    return check_params(owner, values, _SETTINGS[owner], fixes=_FIXES)


class GradNorm(StopRule):
    """Converged when ``||grad f(x)|| <= eps`` (the lecture's stopping rule).

    Parameters
    ----------
    eps : float
        Tolerance, >= 0.
    ord : {2, 1, inf}
        The norm over all entries of the gradient (a dict of arrays counts as one
        vector). ``inf`` is ``max |g_i|``, PyTorch L-BFGS's ``tolerance_grad`` test.
    """

    def __init__(self, eps: float = 1e-6, ord: object = 2) -> None:
        self.eps = _checked("GradNorm", eps=eps)["eps"]
        self.ord = _norm_order(ord)

    def check(self, step: int, loss: float, grad: Arrays | None = None,
              params: Arrays | None = None) -> StopReason | None:
        if grad is None:
            raise ConfigError(expected("GradNorm.check to get the gradient", None, "pass grad= (an array or a dict of arrays)"))
        norm = grad_norm(grad, self.ord)
        if not norm <= self.eps:  # a nan norm never counts as converged
            return None
        name = {2: "2-norm", 1: "1-norm", math.inf: "inf-norm"}[self.ord]
        return StopReason("converged", int(step),
                          f"converged at step {step}: gradient {name} {_fmt(norm)} <= eps {_fmt(self.eps)}",
                          {"norm": _ord_label(self.ord), "grad_norm": norm, "eps": self.eps})

    def _settings(self) -> dict[str, Any]:
        return {"eps": self.eps, "ord": _ord_label(self.ord)}

    def __repr__(self) -> str:
        return f"GradNorm(eps={self.eps!r}, ord={_ord_label(self.ord)!r})"


def _ord_label(p: float) -> int | str:
    return "inf" if p == math.inf else int(p)


class MaxSteps(StopRule):
    """Stop once ``step >= n`` updates have been done."""

    def __init__(self, n: int) -> None:
        self.n = _checked("MaxSteps", n=n)["n"]

    def check(self, step: int, loss: float, grad: Arrays | None = None,
              params: Arrays | None = None) -> StopReason | None:
        if step < self.n:
            return None
        return StopReason("max_steps", int(step), f"stopped at step {step}: reached the maximum of {self.n} steps",
                          {"max_steps": self.n})

    def _settings(self) -> dict[str, Any]:
        return {"n": self.n}

    def __repr__(self) -> str:
        return f"MaxSteps({self.n})"


class NoImprovement(StopRule):
    """Stop when the loss has not improved for ``patience`` checks in a row.

    A check improves when ``loss < best - min_delta`` (Keras ``EarlyStopping`` with
    ``mode="min"``). The first check sets ``best``. A non-finite loss never improves.

    State: ``best`` (None before the first check), ``best_step`` and ``wait`` (checks
    since the last improvement).
    """

    def __init__(self, patience: int = 10, min_delta: float = 0.0) -> None:
        args = _checked("NoImprovement", patience=patience, min_delta=min_delta)
        self.patience, self.min_delta = args["patience"], args["min_delta"]
        self.reset()

    def reset(self) -> None:
        self.best: float | None = None
        self.best_step: int | None = None
        self.wait = 0

    def check(self, step: int, loss: float, grad: Arrays | None = None,
              params: Arrays | None = None) -> StopReason | None:
        loss = float(loss)
        if self.best is None or loss < self.best - self.min_delta:
            if math.isfinite(loss):
                self.best, self.best_step, self.wait = loss, int(step), 0
                return None
        self.wait += 1
        if self.wait < self.patience:
            return None
        return StopReason(
            "no_improvement", int(step),
            f"stopped at step {step}: no improvement of the loss by more than {_fmt(self.min_delta)} "
            f"for {self.wait} steps (best {_fmt(self.best) if self.best is not None else 'none'} "
            f"at step {self.best_step})",
            {"patience": self.patience, "min_delta": self.min_delta, "best": self.best,
             "best_step": self.best_step, "wait": self.wait},
        )

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "best_step": self.best_step, "wait": self.wait}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        _expect_keys("NoImprovement", state, ("best", "best_step", "wait"))
        try:
            best = None if state["best"] is None else float(state["best"])
            best_step = None if state["best_step"] is None else int(state["best_step"])
            wait = int(state["wait"])
        except (TypeError, ValueError) as exc:
            raise StateFileError("NoImprovement: " + expected("best a number or null, best_step and wait integers",
                                                              dict(state), "load the state this rule saved")) from exc
        self.best, self.best_step, self.wait = best, best_step, wait

    def _settings(self) -> dict[str, Any]:
        return {"patience": self.patience, "min_delta": self.min_delta}

    def __repr__(self) -> str:
        return f"NoImprovement(patience={self.patience}, min_delta={self.min_delta!r})"


class Divergence(StopRule):
    """Diverged when the loss, a gradient or a parameter is non-finite, or the loss explodes.

    Parameters
    ----------
    max_loss : float, optional
        Diverged when ``loss > max_loss``.
    factor : float, optional
        Diverged when ``loss > factor * |loss_0|``, where ``loss_0`` is the loss at the
        first check (kept as state). Ignored while ``loss_0 == 0``.
    check_grad, check_params : bool
        Also look for non-finite entries in ``grad`` and ``params`` when given.

    The reason names the step and the quantity (``loss``, ``grad`` or ``params``, with
    the parameter name for a dict), so a NaN never passes silently.
    """

    def __init__(self, max_loss: float | None = None, factor: float | None = None,
                 check_grad: bool = True, check_params: bool = True) -> None:
        args = _checked("Divergence", max_loss=max_loss, factor=factor, check_grad=check_grad,
                         check_params=check_params)
        self.max_loss, self.factor = args["max_loss"], args["factor"]
        self.check_grad, self.check_params = args["check_grad"], args["check_params"]
        self.reset()

    def reset(self) -> None:
        self.initial_loss: float | None = None

    def check(self, step: int, loss: float, grad: Arrays | None = None,
              params: Arrays | None = None) -> StopReason | None:
        loss = float(loss)
        if not math.isfinite(loss):
            return self._diverged(step, "loss", None, loss, f"loss is {loss}")
        if self.initial_loss is None:
            self.initial_loss = loss
        if self.max_loss is not None and loss > self.max_loss:
            return self._diverged(step, "loss", None, loss, f"loss {_fmt(loss)} > max_loss {_fmt(self.max_loss)}",
                                  bound=self.max_loss)
        if self.factor is not None and self.initial_loss != 0:
            bound = self.factor * abs(self.initial_loss)
            if loss > bound:
                return self._diverged(step, "loss", None, loss,
                                      f"loss {_fmt(loss)} > {_fmt(self.factor)} x |initial loss {_fmt(self.initial_loss)}|",
                                      bound=bound)
        for quantity, arrays, on in (("grad", grad, self.check_grad), ("params", params, self.check_params)):
            if on and arrays is not None:
                found = _first_non_finite(arrays)
                if found is not None:
                    name, index, value = found
                    where = f"{quantity}[{name!r}]" if name is not None else quantity
                    at = f" at index {', '.join(map(str, index))}" if index else ""
                    return self._diverged(step, quantity, name, value, f"{where} has {value}{at}", index=list(index))
        return None

    def _diverged(self, step: int, quantity: str, name: str | None, value: float, what: str,
                  **extra: Any) -> StopReason:
        details = {"quantity": quantity, "value": value, **extra}
        if name is not None:
            details["name"] = name
        return StopReason("diverged", int(step), f"diverged at step {step}: {what}", details)

    def state_dict(self) -> dict[str, Any]:
        return {"initial_loss": self.initial_loss}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        _expect_keys("Divergence", state, ("initial_loss",))
        value = state["initial_loss"]
        if value is not None and not (isinstance(value, numbers.Real) and not isinstance(value, bool)):
            raise StateFileError("Divergence: " + expected("initial_loss a number or null", value,
                                                           "load the state this rule saved"))
        self.initial_loss = None if value is None else float(value)

    def _settings(self) -> dict[str, Any]:
        return {"max_loss": self.max_loss, "factor": self.factor,
                "check_grad": self.check_grad, "check_params": self.check_params}

    def __repr__(self) -> str:
        return (f"Divergence(max_loss={self.max_loss!r}, factor={self.factor!r}, "
                f"check_grad={self.check_grad}, check_params={self.check_params})")


def _first_non_finite(x: Arrays) -> tuple[str | None, tuple[int, ...], float] | None:
    """(name or None, index, value) of the first nan/inf entry, or None."""
    items = x.items() if isinstance(x, Mapping) else [(None, x)]
    for name, arr in items:
        a = np.asarray(arr)
        if a.dtype.kind not in "fc":
            continue  # integers cannot hold nan or inf
        finite = np.isfinite(a)
        if not finite.all():
            bad = ~finite
            index = tuple(int(i) for i in np.unravel_index(int(np.argmax(bad)), a.shape))
            return name, index, float(a[index].real if a.dtype.kind == "c" else a[index])
    return None


# ----------------------------------------------------------------------------------------
# Several rules together


class StopRules(StopRule):
    """Check rules in order, divergence first; the first reason wins.

    :class:`Divergence` rules are moved to the front (keeping the order of the others),
    so a NaN is reported as divergence even when a max-steps or a gradient rule would
    also fire. The state of all rules travels together in :meth:`state_dict`.
    """

    def __init__(self, rules: Sequence[StopRule]) -> None:
        rules = list(rules)
        bad = [r for r in rules if not isinstance(r, StopRule)]
        if bad:
            raise ConfigError(expected("stopping rules (GradNorm, MaxSteps, NoImprovement, Divergence)", bad[0],
                                       "build each rule with its class"))
        self.rules = [r for r in rules if isinstance(r, Divergence)] + [r for r in rules if not isinstance(r, Divergence)]

    def check(self, step: int, loss: float, grad: Arrays | None = None,
              params: Arrays | None = None) -> StopReason | None:
        for rule in self.rules:
            reason = rule.check(step, loss, grad, params)
            if reason is not None:
                return reason
        return None

    def reset(self) -> None:
        for rule in self.rules:
            rule.reset()

    def state_dict(self) -> dict[str, Any]:
        return {"rules": [{"rule": type(r).__name__, "state": r.state_dict()} for r in self.rules]}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        _expect_keys("StopRules", state, ("rules",))
        saved = state["rules"]
        names = [type(r).__name__ for r in self.rules]
        got = [s.get("rule") if isinstance(s, Mapping) else s for s in saved] if isinstance(saved, list) else saved
        if got != names:
            raise StateFileError("StopRules: " + expected(f"states for the rules {names}", got,
                                                          "resume with the same stopping rules as the saved run"))
        for rule, s in zip(self.rules, saved):
            rule.load_state_dict(s["state"])

    def _settings(self) -> dict[str, Any]:
        return {"rules": [r.to_config() for r in self.rules]}

    def __repr__(self) -> str:
        return f"StopRules({self.rules!r})"


_RULES: dict[str, type[StopRule]] = {c.__name__: c for c in (GradNorm, MaxSteps, NoImprovement, Divergence, StopRules)}


def rule_from_config(cfg: Mapping[str, Any]) -> StopRule:
    """Rebuild a rule (or a :class:`StopRules`) from its :meth:`StopRule.to_config` output."""
    if not isinstance(cfg, Mapping) or cfg.get("rule") not in _RULES:
        got = cfg.get("rule") if isinstance(cfg, Mapping) else cfg
        raise ConfigError(expected(f"a rule config with 'rule' one of {sorted(_RULES)}", got,
                                   "pass the output of rule.to_config()"))
    cls = _RULES[cfg["rule"]]
    args = {k: v for k, v in cfg.items() if k != "rule"}
    if cls is StopRules:
        rules = args.get("rules")
        if not isinstance(rules, list) or set(args) != {"rules"}:
            raise ConfigError(expected("{'rule': 'StopRules', 'rules': [rule configs]}", dict(cfg),
                                       "pass the output of StopRules.to_config()"))
        return StopRules([rule_from_config(r) for r in rules])
    try:
        return cls(**args)
    except TypeError:
        raise ConfigError(expected(f"the settings of {cls.__name__}", sorted(args),
                                   f"use the keys that {cls.__name__}.to_config() writes")) from None
