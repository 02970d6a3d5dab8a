"""The optimizer interface every update rule shares.

An optimizer is a pair of pure functions in the optax manner,
``init(params) -> state`` and ``update(grads, state, params) -> (updates, state)``,
held by a small object that validated its hyperparameters at construction
(PyTorch's habit). ``step`` applies the update in place and can record it.

A subclass writes one rule for one array, :meth:`Optimizer._rule`, in the symbols of
its equations; this module does the bookkeeping around it (learning rate at step k,
weight decay, records).
"""
from __future__ import annotations

import numbers
from typing import Any, Callable, Mapping

import numpy as np

from ..errors import ConfigError, DTypeError, ShapeError, expected
from . import dispatch, hyperparams
from .dispatch import StepForm
from .state import OptState, StepRecord

__all__ = ["Optimizer", "Params", "LR", "denom"]

Params = dict[str, np.ndarray]
LR = float | Callable[[int], float]


class Optimizer:
    """Base class. Subclasses set ``SLOTS``, ``HYPER`` (the names they accept) and ``_rule``.

    Parameters
    ----------
    name : str
        The registry name this optimizer was built under (``"adam"``, ``"adamw"``...).
    preset : str
        The preset its defaults came from.
    **hyper
        Every hyperparameter in ``HYPER``, already merged with the preset's defaults.
    """

    #: buffer names created by :meth:`init` for every parameter
    SLOTS: tuple[str, ...] = ()
    #: hyperparameter names this rule accepts
    HYPER: tuple[str, ...] = ("lr",)
    needs_hessian: bool = False
    #: True for rules that read the parameter itself (LAMB's trust ratio, Adafactor's
    #: relative step): ``_rule`` is then called with ``theta=`` as well
    READS_PARAMS: bool = False

    def __init__(self, name: str, preset: str, **hyper: Any) -> None:
        unknown = sorted(set(hyper) - set(self.HYPER))
        if unknown:
            hints = [f"{u} -> {hyperparams.FRAMEWORK_NAMES[u]}" for u in unknown if u in hyperparams.FRAMEWORK_NAMES]
            fix = f"use only: {', '.join(self.HYPER)}" + (f" (here: {'; '.join(hints)})" if hints else "")
            raise ConfigError(expected(f"hyperparameters of {name}", ", ".join(unknown), fix))
        missing = sorted(set(self.HYPER) - set(hyper))
        if missing:
            raise ConfigError(expected(f"a value for {', '.join(missing)} of {name}", "none",
                                       f"pass {missing[0]}=... (preset {preset!r} has no default for it)"))
        self.name = name
        self.preset = preset
        self.hyper: dict[str, Any] = {k: hyperparams.check(k, hyper[k], name) for k in self.HYPER}
        self._check_combination()

    # -- hooks for subclasses -------------------------------------------------------
    def _check_combination(self) -> None:
        """Reject combinations of valid values that do not make one rule."""
        _check_momentum_limit(self)
        if self.hyper.get("eps_placement") == "hat" and "hat" not in getattr(self, "EPS_FORMS", ("hat",)):
            raise ConfigError(expected(f"eps_placement in {self.EPS_FORMS} for {self.name}", "hat",
                                       "the eps-hat form exists only for Adam"))

    def _check_slots(self, state: OptState) -> None:
        """Every parameter's buffers must be the ones :meth:`init` makes (a state from
        another optimizer or setting would fail later, inside NumPy)."""
        want = set(self.SLOTS)
        for name, bufs in state.slots.items():
            if set(bufs) != want:
                raise ConfigError(expected(f"buffers {sorted(want)} for parameter {name!r} ({self.name})", sorted(bufs),
                                           "use the state made by this optimizer's init() (or load_state)"))

    def _init_slots(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        return {s: np.zeros_like(theta) for s in self.SLOTS}

    def _rule(self, g: np.ndarray, slots: dict[str, np.ndarray], k: int, lr: float
              ) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, Any]]:
        """One parameter's update ``u`` from its gradient ``g`` at step ``k``.

        Returns ``(u, new_slots, extras)`` where ``extras`` may hold ``"moments"``
        (dict of bias-corrected arrays) and ``"step_size"`` (per-coordinate array).
        Must not modify ``slots`` in place.
        """
        raise NotImplementedError

    # -- the rule as data, for fused kernels (see .dispatch) ---------------------------
    @property
    def form(self) -> str | None:
        """The written form this configuration runs, as a short key (``"lr_outside"``...);
        None for a rule that no kernel could run. A kernel is registered per
        ``(rule class, form)`` in :mod:`.dispatch`."""
        return None

    def step_form(self, k: int) -> StepForm:
        """Update ``k`` as a kernel needs it: :attr:`form`, the step, its lr and weight decay.

        A rule with a :attr:`form` returns its own subclass of :class:`StepForm` with the
        numbers of its equations (built with :meth:`_step_form`).
        """
        return self._step_form(StepForm, k)

    def _step_form(self, cls: type, k: int, lr: float | None = None, **fields: Any) -> Any:
        lr = self.lr_at(k) if lr is None else lr
        return cls(key=self.form or "", step=k, lr=lr, weight_decay=self.hyper.get("weight_decay", 0.0),
                   decoupled=self.hyper.get("weight_decay_form") == "decoupled", **fields)

    # -- learning rate --------------------------------------------------------------
    @property
    def lr(self) -> LR:
        """The learning rate as given: a number or a schedule."""
        return self.hyper["lr"]

    def lr_at(self, k: int) -> float:
        """The learning rate of the update that takes the step counter from ``k`` to ``k+1``."""
        lr = self.hyper["lr"]
        if not callable(lr):
            return lr
        raw = lr(k)
        if isinstance(raw, np.ndarray) and raw.ndim == 0:
            raw = raw.item()
        if not isinstance(raw, numbers.Real) or isinstance(raw, (bool, np.bool_)):
            raise ConfigError(expected(f"a schedule giving one number at step {k}", f"{type(raw).__name__} {raw!r:.60}",
                                       "make the schedule return a float, e.g. lambda k: 0.1 / (1 + k)"))
        value = float(raw)
        if not (value >= 0.0 and np.isfinite(value)):
            raise ConfigError(expected(f"a schedule giving lr >= 0 at step {k}", value, "check the schedule's parameters"))
        return value

    # -- the interface ---------------------------------------------------------------
    def init(self, params: Mapping[str, np.ndarray]) -> OptState:
        """Fresh state for ``params``: step 0 and zeroed buffers shaped like each parameter."""
        _check_params(params)
        return OptState(0, {name: self._init_slots(np.asarray(theta)) for name, theta in params.items()})

    def eval_params(self, params: Params, state: OptState) -> Params:
        """Where the gradient of the next update must be taken: ``params`` itself for all
        rules except look-ahead Nesterov."""
        return params

    def update(self, grads: Mapping[str, np.ndarray], state: OptState, params: Mapping[str, np.ndarray],
               hessian: Any = None) -> tuple[Params, OptState]:
        """The pure reference: ``(updates, new_state)``; nothing given is modified.

        ``hessian`` is for Newton's method only (see :mod:`.newton`).
        """
        updates, new_state, _, _ = self._update(grads, state, params, hessian=hessian)
        return updates, new_state

    def step(self, params: Params, grads: Mapping[str, np.ndarray], state: OptState, record: bool = False,
             hessian: Any = None) -> StepRecord | None:
        """Apply one update in place: ``params[k] += updates[k]``, and advance ``state``.

        Returns a :class:`StepRecord` when ``record`` is true, else ``None``.

        Large parameter sets (at least ``FUSED_MIN_SIZE`` elements in all) go through
        a fused in-place kernel when one is registered for this rule and its
        :attr:`form` (:mod:`.dispatch`; :mod:`descentlab.fast` registers them); the
        kernels do the same operations in the same order as :meth:`update`, so the
        result is the same to the bit, and the tests check it. Small problems (a 2-D
        surface) stay on the reference path, which then costs neither the kernels'
        import nor a JIT compilation.
        """
        if not record and hessian is None and _total_size(params) >= FUSED_MIN_SIZE:
            checked = _check_grads(grads, state, params)  # the reference's checks and messages
            self._check_slots(state)
            kernel = dispatch.fused_kernel(type(self), self.form)
            if kernel is not None and kernel(self, params, checked, state):
                return None
        updates, new_state, extras, lr = self._update(grads, state, params, hessian=hessian)
        k = new_state.step - 1
        _warn_if_finite_grads_broke(self, k, grads, updates, new_state)
        for name, u in updates.items():
            params[name] += u
        state.slots = new_state.slots
        state.step = new_state.step
        if not record:
            return None
        return self._record(k, lr, grads, updates, state, extras)

    # -- configuration ---------------------------------------------------------------
    def to_config(self) -> dict[str, Any]:
        """A JSON-ready description from which :func:`~descentlab.optim.from_config` rebuilds it.

        A schedule learning rate is stored as ``{"schedule": schedule.to_config()}``;
        a plain callable without ``to_config`` cannot be stored and raises ConfigError.
        """
        hyper = dict(self.hyper)
        lr = hyper["lr"]
        if callable(lr):
            if not hasattr(lr, "to_config"):
                raise ConfigError(expected("a learning rate that can be saved (a number or a descentlab schedule)",
                                           f"the callable {lr!r}", "use a schedule from descentlab.optim.schedules"))
            hyper["lr"] = {"schedule": lr.to_config()}
        return {"name": self.name, "preset": self.preset, "hyper": hyper}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyper.items())
        return f"{type(self).__name__}(name={self.name!r}, preset={self.preset!r}, {args})"

    # -- internals --------------------------------------------------------------------
    def _update(self, grads, state, params, hessian=None):
        """``(updates, new_state, extras, lr)``: the schedule is asked once per update."""
        if hessian is not None:  # Newton overrides _update; first-order rules have no use for it
            raise ConfigError(expected(f"no hessian for {self.name}", "a hessian", "only newton uses one; drop the argument"))
        grads = _check_grads(grads, state, params)
        self._check_slots(state)
        k = state.step
        lr = self.lr_at(k)
        # weight decay beside the rule, in one of the two forms; a rule without a
        # weight_decay_form (LAMB) applies its own weight decay inside _rule
        wd = self.hyper.get("weight_decay", 0.0) if "weight_decay_form" in self.HYPER else 0.0
        decoupled = self.hyper.get("weight_decay_form") == "decoupled"
        # L2 is part of the objective, so its gradient is taken where g was: the look-ahead
        # point for look-ahead Nesterov, the parameters themselves for every other rule
        at = self.eval_params(params, state) if wd and not decoupled else params
        updates, slots, extras = {}, {}, {}
        for name, g in grads.items():
            theta = params[name]
            if wd and not decoupled:
                g = g + wd * at[name]  # L2: the penalty's gradient joins g before the rule sees it
            if self.READS_PARAMS:
                u, slots[name], extras[name] = self._rule(g, state.slots[name], k, lr, theta=theta)
            else:
                u, slots[name], extras[name] = self._rule(g, state.slots[name], k, lr)
            if wd and decoupled:
                u = u - lr * wd * theta  # decoupled (AdamW): theta <- theta - lr*wd*theta beside the rule
            updates[name] = u
        return updates, OptState(k + 1, slots), extras, lr

    def _record(self, k, lr, grads, updates, state, extras) -> StepRecord:
        grad = {n: np.array(g, copy=True) for n, g in grads.items()}
        norm = float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grad.values())))
        note = None
        for e in extras.values():
            note = note or e.get("note")
        bad = [n for n, u in updates.items() if not np.all(np.isfinite(u))]
        if bad:  # the record says so; stopping.Divergence stops the run that carries on
            note = (note + "; " if note else "") + f"non-finite update of {', '.join(map(repr, bad))} at step {k}"
        return StepRecord(
            step=k, lr=lr, grad=grad, grad_norm=norm,
            buffers={n: {b: np.array(a, copy=True) for b, a in bufs.items()} for n, bufs in state.slots.items()},
            moments={n: e.get("moments", {}) for n, e in extras.items()},
            step_size={n: np.broadcast_to(np.asarray(e.get("step_size", lr), dtype=float), np.shape(grads[n])).copy()
                       for n, e in extras.items()},
            update={n: np.array(u, copy=True) for n, u in updates.items()},
            note=note,
        )


def _warn_if_finite_grads_broke(opt: "Optimizer", k: int, grads, updates, new_state, stacklevel: int = 3) -> None:
    """Say so the moment a finite gradient gives a non-finite update or buffer.

    Two traps, both silent otherwise: ``eps=0`` turns a zero gradient into 0/0 = NaN,
    and a finite but huge gradient (1e308) overflows g*g to inf, after which m/sqrt(v)
    is a zero update. A non-finite gradient is left to the divergence rule.

    A fused kernel (:mod:`descentlab.fast`) has no update arrays: it passes the updated
    parameters as ``updates`` (non-finite exactly where the update was, for finite
    parameters) and the state it updated in place, and gets the same sentence.
    """
    for name, g in grads.items():
        if not np.all(np.isfinite(g)):
            return
    bad_u = [n for n, u in updates.items() if not np.all(np.isfinite(u))]
    bad_s = [f"{n}.{b}" for n, bufs in new_state.slots.items() for b, a in bufs.items()
             if isinstance(a, np.ndarray) and a.dtype.kind == "f" and not np.all(np.isfinite(a))]
    if not bad_u and not bad_s:
        return
    import warnings
    from builtins import max as builtins_max

    from ..errors import NumericalWarning

    eps = opt.hyper.get("eps")
    if bad_u:
        what = f"the update of {', '.join(map(repr, bad_u))} is not finite"
    else:
        what = f"the buffer {', '.join(map(repr, bad_s))} overflowed to infinity (the update it gives is 0)"
    huge = builtins_max(float(np.max(np.abs(g), initial=0.0)) for g in grads.values())
    if eps == 0 and bad_u:
        cause, fix = "eps=0 divides a zero gradient by zero", "pass eps > 0, e.g. eps=1e-8"
    elif huge > np.sqrt(np.finfo(np.float64).max) or not bad_u:
        cause, fix = f"the gradient is so large ({huge:.3g}) that g*g overflows", "rescale the problem or clip the gradient"
    else:
        cause, fix = ("the rule's own arithmetic gave 0/0, inf - inf or the square root of a negative (e.g. centred RMSProp's v - m^2 rounding below 0 "
                      "on a constant gradient)"), "see the step's record (step(..., record=True)), or raise eps"
    warnings.warn(f"{opt.name}: at step {k} {what} although the gradient is finite: {cause}. Fix: {fix}.",
                  NumericalWarning, stacklevel=stacklevel)
#: preset -> (largest momentum, whether it is allowed, why): a preset accepts what its
#: framework accepts. PyTorch (SGD, RMSprop) and optax only ask for momentum >= 0, so
#: momentum=1.0 (no friction: every past gradient kept) and above run there, as they do
#: in those frameworks; Keras's SGD takes [0, 1]; the lecture and CS231n keep mu below 1.
MOMENTUM_LIMITS = {
    "keras": (1.0, True, "Keras's SGD refuses momentum outside [0, 1]"),
    "cs231n": (1.0, False, "momentum 1 never forgets a gradient (no friction); CS231n's mu is below 1"),
    "lecture": (1.0, False, "momentum 1 never forgets a gradient (no friction); the lecture's mu is below 1"),
}


def _check_momentum_limit(opt: "Optimizer") -> None:
    mu = opt.hyper.get("momentum")
    if mu is None or opt.preset not in MOMENTUM_LIMITS:
        return
    top, closed, why = MOMENTUM_LIMITS[opt.preset]
    if mu > top or (mu == top and not closed):
        span = f"[0, {top:g}]" if closed else f"[0, {top:g})"
        raise ConfigError(f"{opt.name}: " + expected(f"momentum in {span} with preset {opt.preset!r}", mu,
                                                     f"{why}; pass e.g. momentum=0.9, or use preset='pytorch', "
                                                     "which accepts any momentum >= 0"))


def denom(v: np.ndarray, eps: float, placement: str) -> np.ndarray:
    """The adaptive rules' denominator: ``sqrt(v) + eps`` ('outside') or ``sqrt(v + eps)`` ('inside').

    The one place the ``eps_placement`` convention is applied (AdaGrad, RMSProp, Adam,
    NAdam); Adam's 'hat' form is 'outside' on the raw ``v``.
    """
    return np.sqrt(v) + eps if placement == "outside" else np.sqrt(v + eps)


def _check_params(params: Mapping[str, np.ndarray]) -> None:
    if not isinstance(params, Mapping):
        raise ConfigError(expected("params as a dict of name -> array", type(params).__name__,
                                   "wrap a single array as {'x': x}"))
    for name, theta in params.items():
        dtype = np.asarray(theta).dtype
        if not np.issubdtype(dtype, np.floating):
            raise DTypeError(expected(f"a floating-point array for parameter {name!r}", f"dtype {dtype}",
                                      "convert it with np.asarray(x, dtype=float)"))


# Below this many parameter elements the reference path is used (see Optimizer.step).
FUSED_MIN_SIZE = 1 << 16


def _total_size(params) -> int:
    try:
        return sum(int(np.size(p)) for p in params.values())
    except AttributeError:  # not a dict: let the reference path say what was expected
        return 0


def _check_grads(grads, state: OptState, params) -> dict[str, np.ndarray]:
    """Check what ``update``/``step`` were given; return the gradients as real arrays."""
    if not isinstance(state, OptState):
        raise ConfigError(expected("the OptState made by opt.init(params)", type(state).__name__,
                                   "call state = opt.init(params) once and pass it to every step"))
    if not isinstance(grads, Mapping):
        raise ConfigError(expected("gradients as a dict of name -> array", type(grads).__name__,
                                   "pass {'x': g} with the names used in init()"))
    if grads.keys() != state.slots.keys():
        missing, extra = sorted(state.slots.keys() - grads.keys()), sorted(grads.keys() - state.slots.keys())
        got = ", ".join(f"{what} {names}" for what, names in (("missing", missing), ("extra", extra)) if names)
        raise ShapeError(expected(f"gradients for the parameters {sorted(state.slots)}", got or sorted(grads),
                                  "pass one gradient per parameter, under the same names as in init()"))
    _check_params(params)
    if params.keys() != state.slots.keys():
        raise ShapeError(expected(f"parameters {sorted(state.slots)} (as in init())", sorted(params),
                                  "pass the same params dict that init() was given"))
    out = {}
    for name, g in grads.items():
        g = np.asarray(g)
        if g.dtype.kind not in "fiu":
            raise DTypeError(expected(f"a real-valued gradient for {name!r}", f"dtype {g.dtype}",
                                      "pass the gradient as a float array"))
        theta = np.asarray(params[name])
        if g.shape != theta.shape:
            raise ShapeError(expected(f"gradient of {name!r} with shape {theta.shape}", f"shape {g.shape}",
                                      "the gradient must have the parameter's shape"))
        out[name] = g.astype(theta.dtype, copy=False)  # buffers keep the parameter's dtype
    return out
