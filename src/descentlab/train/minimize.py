"""``minimize(f, x0, optimizer)``: run any optimizer on a surface and keep its trajectory.

The loop, for t = 0, 1, …::

    f_t, g_t = f(x_t), ∇f(x_t)                 # recorded
    stop if f_t or g_t is not finite, or ‖x_t‖_∞ > bound        -> diverged at step t
    stop if ‖g_t‖ <= tol (the lecture's rule ‖∇f(x_t)‖ <= ε)    -> converged at step t
    stop if any extra rule fires, or t = steps                  -> its reason / max_steps
    x_{t+1} = x_t + update_t                    # the optimizer's rule with lr_t = schedule(t)

so ``x``, ``f``, ``grad`` and ``grad_norm`` hold T + 1 rows (x_0 … x_T) and ``lr`` and
``update`` hold T rows, the T updates made. Divergence is a result with a step number,
never a silent NaN: on f(x) = x² with γ > 1, |x_t| = |1 − 2γ|^t |x_0| grows and the run
stops at the first t with |x_t| > bound.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from .._io import atomic_write_text, dumps_json
from ..errors import ConfigError, expected
from ..optim.config import optimizer_config
from ..optim.lookahead import at_eval_params
from ..optim.stopping import Divergence, GradNorm, MaxSteps, StopReason, StopRule
from ..validation import COUNT, NONNEGATIVE, POSITIVE, as_rng, check_params

__all__ = ["minimize", "Trajectory", "resolve_surface", "DEFAULT_BOUND"]

#: |x| beyond which a run counts as diverged (far outside every surface's window)
DEFAULT_BOUND = 1e6

_NORMS = {"2": 2, "l2": 2, "inf": np.inf, "max": np.inf, "linf": np.inf, "1": 1, "l1": 1}


def _norm_order(norm) -> float:
    key = str(norm).strip().lower()
    if key in _NORMS:
        return _NORMS[key]
    if norm in (1, 2) or norm == np.inf:
        return norm
    raise ConfigError(expected("norm 2, 'inf' or 1", repr(norm), "the lecture uses the Euclidean norm, 2"))


def _norm_name(order) -> str:
    return "inf" if order == np.inf else str(int(order))


@dataclass
class Trajectory:
    """What a run visited. Rows t = 0 … T for the points, 0 … T−1 for the updates.

    Attributes
    ----------
    x : ndarray, shape (T+1, n)      iterates x_t
    f : ndarray, shape (T+1,)        f(x_t)
    grad : ndarray, shape (T+1, n)   ∇f(x_t)
    grad_norm : ndarray, shape (T+1,)  ‖∇f(x_t)‖ in the norm of the stopping rule
    lr : ndarray, shape (T,)         learning rate of update t, schedule(t)
    update : ndarray, shape (T, n)   x_{t+1} − x_t
    stop : StopReason                why it ended (kind, step, message, details)
    meta : dict                      surface, optimizer config, settings
    records : list of StepRecord or None
        With ``minimize(..., record=True)``: the optimizer's own record of each update
        (state buffers, bias-corrected moments, effective per-coordinate step size).
    """

    x: np.ndarray
    f: np.ndarray
    grad: np.ndarray
    grad_norm: np.ndarray
    lr: np.ndarray
    update: np.ndarray
    stop: "StopReason"
    meta: dict = field(default_factory=dict)
    records: list | None = None

    def __repr__(self) -> str:
        # one line for a REPL: the per-step arrays are attributes (x, f, grad, grad_norm, lr, update)
        opt = self.meta.get("optimizer")
        name = opt.get("name", "?") if isinstance(opt, dict) else (opt or "?")
        lr = f", lr={self.lr[0]:g}" if self.lr.size else ""
        x = "[" + ", ".join(f"{v:.6g}" for v in self.x[-1]) + "]" if self.x.size else "[]"
        return (f"Trajectory({self.meta.get('surface', '?')!r}, {name}{lr}: {self.steps} steps, "
                f"stop={self.stop.kind!r} at step {self.stop.step}, x_final={x}, "
                f"f_final={float(self.f[-1]) if self.f.size else float('nan'):.6g}, "
                f"grad_norm={float(self.grad_norm[-1]) if self.grad_norm.size else float('nan'):.3g})")

    def _repr_html_(self) -> str:
        """A small table for notebooks: surface, optimizer, steps, final f, how it stopped."""
        from ._html import summary_table

        opt = self.meta.get("optimizer")
        opt = opt if isinstance(opt, dict) else {"name": opt or "?"}
        rows = [("surface", self.meta.get("surface", "?")), ("optimizer", opt.get("name", "?")),
                ("preset", opt.get("preset") or "-"), ("steps", self.steps),
                ("final f", float(self.f[-1]) if self.f.size else float("nan")),
                ("final ‖∇f‖", float(self.grad_norm[-1]) if self.grad_norm.size else float("nan")),
                ("stop", self.stop.kind), ("message", self.stop.message)]
        return summary_table("Trajectory", rows)

    @property
    def steps(self) -> int:
        """Number of updates made, T."""
        return int(self.lr.shape[0])

    @property
    def x_final(self) -> np.ndarray:
        return self.x[-1]

    @property
    def f_final(self) -> float:
        return float(self.f[-1])

    def steps_to(self, f_tol: float, f_min: float = 0.0) -> int | None:
        """The first t with f(x_t) − f_min <= f_tol, or None if never reached."""
        hit = np.nonzero(self.f - f_min <= f_tol)[0]
        return int(hit[0]) if hit.size else None

    def to_dict(self) -> dict:
        """Plain JSON types: per-step columns, the stop reason and the run's settings."""
        out = {
            "x": self.x.tolist(), "f": self.f.tolist(), "grad": self.grad.tolist(),
            "grad_norm": self.grad_norm.tolist(), "lr": self.lr.tolist(), "update": self.update.tolist(),
            "stop": self.stop.to_dict(), "meta": self.meta,
        }
        if self.records is not None:
            out["records"] = [r.to_dict() for r in self.records]
        return out

    def to_json(self, path=None, indent: int | None = None) -> str:
        """The JSON text of :meth:`to_dict` (non-finite floats as "nan"/"inf"); written atomically to ``path`` if given."""
        text = dumps_json(self.to_dict(), indent=indent)
        if path is not None:
            atomic_write_text(path, text + "\n")
        return text

    @classmethod
    def from_dict(cls, d: dict) -> "Trajectory":
        def arr(key):
            # float() also reads back dumps_json's "nan"/"inf" words
            return np.array([[float(v) for v in row] if isinstance(row, list) else float(row) for row in d[key]],
                            dtype=np.float64)
        n = len(d["x"][0]) if d["x"] else 0
        upd = arr("update")
        return cls(arr("x"), arr("f"), arr("grad"), arr("grad_norm"), arr("lr"),
                   upd.reshape(-1, n) if upd.size == 0 else upd, StopReason.from_dict(d["stop"]),
                   dict(d.get("meta", {})))

    @classmethod
    def from_json(cls, text: str) -> "Trajectory":
        return cls.from_dict(json.loads(text))


def resolve_surface(f, x0=None, *, diff: str = "autodiff"):
    """A Surface from a Surface, a registered name, ``module:function``, or a callable (needs x0)."""
    from ..functions import Surface, from_function, get_surface, load_function

    if isinstance(f, Surface):
        return f
    if isinstance(f, str):
        if ":" in f:
            fn = load_function(f)
            if x0 is None:
                raise ConfigError(expected(f"a start x0 for the user function {f}", "none", "pass --start 1,2"))
            return from_function(fn, x0, method=diff, name=f.rpartition(":")[2])
        return get_surface(f)
    if callable(f):
        if x0 is None:
            raise ConfigError(expected("a start x0 for a user function", "none", "pass x0=[...]"))
        return from_function(f, x0, method=diff)
    raise ConfigError(expected("a surface name, a Surface or a function", type(f).__name__))


def _make_opt(optimizer, preset, hyper):
    from ..optim import make_optimizer

    if isinstance(optimizer, str):
        return make_optimizer(optimizer, preset=preset, **hyper)
    if preset is not None or hyper:
        raise ConfigError(expected("hyperparameters with an optimizer name", "a built optimizer plus hyperparameters",
                                   "pass the name, e.g. minimize(f, x0, 'adam', lr=0.1)"))
    return optimizer


#: minimize's own arguments, in the vocabulary of descentlab.validation
_ARGS: dict[str, list[Any]] = {"steps": [COUNT], "tol": [NONNEGATIVE, None], "bound": [POSITIVE],
                               "grad_noise": [NONNEGATIVE], "record": ["boolean"]}
_FIXES = {"tol": "pass e.g. 1e-8, or None to run all steps", "bound": "pass e.g. bound=1e6",
          "grad_noise": "pass the noise's standard deviation, e.g. 0.1, or 0 for none"}


def minimize(f, x0=None, optimizer="sgd", *, preset: str | None = None, steps: int = 100,
             tol: float | None = 1e-8, norm="2", bound: float = DEFAULT_BOUND,
             stop: Sequence = (), grad_noise: float = 0.0, seed=None, record: bool = False,
             diff: str = "autodiff", **hyper: Any) -> Trajectory:
    """Run ``optimizer`` on ``f`` from ``x0`` for at most ``steps`` updates.

    Parameters
    ----------
    f : Surface, str or callable
        A surface, its registered name (``"rosenbrock"``), ``"module:function"``, or a
        Python function of a NumPy vector (then ``x0`` is required).
    x0 : array_like, optional
        The start; default the surface's ``start``.
    optimizer : str or Optimizer
        A name for :func:`descentlab.optim.make_optimizer` (``"sgd"``, ``"momentum"``,
        ``"adam"``, ``"newton"`` …) or a built optimizer.
    preset : str, optional
        The convention preset (``pytorch``, ``keras``, ``optax``, ``cs231n``, ``lecture``).
    steps : int
        Maximum number of updates.
    tol : float or None
        Stop when ‖∇f(x_t)‖ <= tol (None: never).
    norm : {2, "inf", 1}
        The norm of that rule.
    bound : float
        Diverged when ‖x_t‖_∞ > bound (or f, ∇f not finite).
    stop : sequence of StopRule
        Extra rules from :mod:`descentlab.optim.stopping` (e.g. ``NoImprovement``),
        checked after divergence and the gradient rule, before max_steps.
    grad_noise : float
        Standard deviation of Gaussian noise added to each gradient the optimizer sees
        (a stand-in for a stochastic gradient); drawn from ``seed``.
    seed : int or numpy.random.Generator, optional
    record : bool
        Keep the optimizer's :class:`~descentlab.optim.StepRecord` of every update in
        ``Trajectory.records`` (buffers, moments, effective step sizes).
    diff : {"autodiff", "fd"}
        How to differentiate a user function.
    **hyper
        Hyperparameters (``lr``, ``momentum``, ``beta1`` …); ``lr`` may be a schedule.

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> tr = minimize("x2", [1.0], "sgd", lr=0.25, steps=3, tol=None)
    >>> tr.x[:, 0].tolist()          # x_t = (1 - 2*0.25)^t
    [1.0, 0.5, 0.25, 0.125]
    """
    args = check_params("minimize", dict(steps=steps, tol=tol, bound=bound, grad_noise=grad_noise, record=record),
                        _ARGS, fixes=_FIXES)
    steps, tol, bound, grad_noise = args["steps"], args["tol"], args["bound"], args["grad_noise"]
    surface = resolve_surface(f, x0, diff=diff)
    x = surface.check_start(x0)
    order = _norm_order(norm)
    opt = _make_opt(optimizer, preset, hyper)
    rng = as_rng("minimize", seed)
    n = surface.dim

    rules = [Divergence(), _Bound(bound)]
    if tol is not None:
        rules.append(GradNorm(tol, order))
    rules += list(stop)
    rules.append(MaxSteps(steps))
    for rule in rules:
        if not isinstance(rule, StopRule):
            raise ConfigError(expected("stopping rules from descentlab.optim.stopping", repr(rule),
                                       "e.g. stop=[NoImprovement(patience=20)]"))
        rule.reset()

    params = {"x": x.copy()}
    state = opt.init(params)
    xs, fs, gs, gn, lrs, ups, records = [], [], [], [], [], [], []
    reason = None
    for t in range(steps + 1):
        xt = params["x"]
        with np.errstate(all="ignore"):
            ft = float(surface.value(xt))
            gt = np.asarray(surface.gradient(xt), dtype=np.float64).reshape(n)
            norm_t = float(np.linalg.norm(gt, ord=order)) if np.all(np.isfinite(gt)) else math.inf
        xs.append(xt.copy())
        fs.append(ft)
        gs.append(gt)
        gn.append(norm_t)
        for rule in rules:  # divergence first, then ‖∇f‖ <= tol, extra rules, max steps
            reason = rule.check(t, ft, gt, xt)
            if reason is not None:
                break
        if reason is not None:
            break
        # the gradient the rule needs: at x_t, or where look-ahead Nesterov evaluates it
        with np.errstate(all="ignore"):  # a non-finite look-ahead gradient shows as divergence next step
            g_used = at_eval_params(opt, params, state, at_params=gt, compute=lambda: np.asarray(
                surface.gradient(params["x"]), dtype=np.float64).reshape(n))
        if grad_noise:
            g_used = g_used + grad_noise * rng.standard_normal(n)
        lr_t = opt.lr_at(state.step)
        hessian = {"x": surface.hess(xt)} if getattr(opt, "needs_hessian", False) else None
        with np.errstate(all="ignore"):
            if getattr(opt, "needs_closure", False):  # L-BFGS: one step evaluates f and ∇f where it chooses
                rec = opt.step_closure(params, lambda p: (float(surface.value(p["x"])), {"x": np.asarray(
                    surface.gradient(p["x"]), dtype=np.float64).reshape(n)}), state, record=record)
            elif hessian is None:
                rec = opt.step(params, {"x": g_used}, state, record=record)
            else:
                rec = opt.step(params, {"x": g_used}, state, record=record, hessian=hessian)
        if record:
            records.append(rec)
        lrs.append(lr_t)
        ups.append(params["x"] - xs[-1])  # xt is params["x"], updated in place; xs[-1] is its copy
    meta = {
        "surface": surface.name,
        "optimizer": optimizer_config(opt),
        "x0": x.tolist(),
        "steps": steps, "tol": tol, "norm": _norm_name(order), "bound": bound,
        "grad_noise": grad_noise, "seed": seed if isinstance(seed, (int, type(None))) else "generator",
    }
    return Trajectory(
        x=np.array(xs), f=np.array(fs), grad=np.array(gs), grad_norm=np.array(gn),
        lr=np.array(lrs, dtype=np.float64), update=np.array(ups).reshape(len(ups), n),
        stop=reason, meta=meta, records=records if record else None,
    )


class _Bound(StopRule):
    """Diverged when ‖x_t‖_∞ > bound: the run has left every sensible region."""

    def __init__(self, bound: float) -> None:
        self.bound = float(bound)

    def check(self, step, loss, grad=None, params=None):
        x_max = float(np.max(np.abs(params)))
        if x_max > self.bound:
            return StopReason("diverged", int(step), f"diverged at step {step}: |x| = {x_max:.6g} > bound {self.bound:g}",
                              {"quantity": "params", "value": x_max, "bound": self.bound})
        return None

