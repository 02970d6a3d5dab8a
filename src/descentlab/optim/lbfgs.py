"""L-BFGS (Nocedal 1980; Liu & Nocedal 1989) as ``torch.optim.LBFGS`` 2.13 computes it.

A quasi-Newton method: instead of Newton's ``H^{-1} g`` it applies an approximation of
the inverse Hessian built from the last ``history_size`` pairs of steps and gradient
changes, ``s_k = x_{k+1} - x_k`` and ``y_k = g_{k+1} - g_k``, by the two-loop recursion::

    q = -g
    for i = newest .. oldest:   a_i = rho_i s_i.q;   q = q - a_i y_i        (rho_i = 1 / y_i.s_i)
    r = H_0 q,  H_0 = s.y / y.y of the newest pair
    for i = oldest .. newest:   b_i = rho_i y_i.r;   r = r + (a_i - b_i) s_i
    d = r                          the search direction

A pair is kept only when ``y.s > 1e-10`` (the curvature condition; otherwise the
approximation would stop being positive definite). The step along d is ``t = lr``
(the very first one ``min(1, 1/||g||_1) * lr``), or, with ``line_search="strong_wolfe"``,
the t found by a bracketing cubic-interpolation search that meets the strong Wolfe
conditions ``f(x + t d) <= f + c1 t g.d`` and ``|g(x + t d).d| <= c2 |g.d|``
(c1 = 1e-4, c2 = 0.9), as in Nocedal & Wright, Algorithm 3.5-3.6.

Like PyTorch's, one :meth:`LBFGS.step_closure` runs up to ``max_iter`` iterations and
``max_eval`` evaluations of the closure, and stops early when ``max|g| <= tolerance_grad``,
when ``max|t d| <= tolerance_change``, or when the loss changed by less than
``tolerance_change``. It needs the loss and the gradient at points it chooses, so it
takes a closure ``closure(params) -> (loss, grads)`` instead of a gradient.

Sources: Nocedal & Wright, *Numerical Optimization* (2nd ed.), Algorithms 7.4 (two-loop
recursion), 3.5-3.6 (line search); torch.optim.LBFGS 2.13 (lr=1, max_iter=20,
max_eval=max_iter*5/4, tolerance_grad=1e-7, tolerance_change=1e-9, history_size=100,
line_search_fn=None).
"""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import numpy as np

from ..errors import ConfigError, expected
from .base import Optimizer, Params, _check_params
from .state import OptState, StepRecord

__all__ = ["LBFGS", "Closure"]

#: ``closure(params) -> (loss, grads)``: the loss and its gradient at ``params`` as it is now
Closure = Callable[[Params], "tuple[float, Mapping[str, np.ndarray]]"]


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """a.b as a sum of products (PyTorch's dot on small vectors; BLAS's ddot may fuse them and differ by an ulp,
    which L-BFGS on an ill-conditioned problem turns into visibly different points)."""
    return float(np.sum(a * b))


_SPLIT = 134217729.0  # 2**27 + 1: Dekker's splitter for float64


def _axpy(x: np.ndarray, alpha: float, y: np.ndarray) -> np.ndarray:
    """``x + alpha * y`` rounded once, as a fused multiply-add (PyTorch's ``x.add_(y, alpha=...)``).

    Written with error-free transformations (Dekker's product, Knuth's sum): the exact
    ``alpha*y = p + ep`` and ``x + p = s + es`` give ``s + (es + ep)``. Rounding
    ``alpha*y`` first instead would differ from PyTorch by an ulp in about half the
    entries, and L-BFGS on Rosenbrock's valley turns that into 1e-8 apart in 60 calls.
    """
    alpha = float(alpha)
    p = alpha * y
    c = _SPLIT * alpha
    ah = c - (c - alpha)
    al = alpha - ah
    c = _SPLIT * y
    yh = c - (c - y)
    yl = y - yh
    ep = ((ah * yh - p) + ah * yl + al * yh) + al * yl
    s = x + p
    bp = s - x
    es = (x - (s - bp)) + (p - bp)
    return s + (es + ep)


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clipped to ``bounds``."""
    if bounds is not None:
        lo, hi = bounds
    else:
        lo, hi = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = math.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, lo), hi)
    return (lo + hi) / 2.0


def _strong_wolfe(obj, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Nocedal & Wright's bracketing and zoom, in PyTorch's order; ``(f, g, t, evaluations)``."""
    d_norm = float(np.max(np.abs(d)))
    g = g.copy()
    f_new, g_new = obj(x, t, d)
    evals = 1
    gtd_new = _dot(g_new, d)
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f, bracket_g, bracket_gtd = [t_prev, t], [f_prev, f_new], [g_prev, g_new.copy()], \
                [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f, bracket_g, bracket_gtd = [t_prev, t], [f_prev, f_new], [g_prev, g_new.copy()], \
                [gtd_prev, gtd_new]
            break
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj(x, t, d)
        evals += 1
        gtd_new = _dot(g_new, d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0.0, t], [f, f_new], [g, g_new]
        bracket_gtd = [gtd, gtd_new]  # PyTorch leaves these unset here; the zoom below does not run
    insuf_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1])
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                t = max(bracket) - eps if abs(t - max(bracket)) < abs(t - min(bracket)) else min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj(x, t, d)
        evals += 1
        gtd_new = _dot(g_new, d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low]:
            bracket[high], bracket_f[high], bracket_g[high], bracket_gtd[high] = t, f_new, g_new.copy(), gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low], bracket_g[low], bracket_gtd[low] = t, f_new, g_new.copy(), gtd_new
    return bracket_f[low], bracket_g[low], bracket[low], evals


class LBFGS(Optimizer):
    """L-BFGS with PyTorch's stopping tests and optional strong-Wolfe line search.

    Hyperparameters
    ---------------
    lr : float                        the step along d (the line search's first trial)
    max_iter : int >= 1               iterations per step_closure
    max_eval : int >= 1 or None       closure evaluations per step_closure (None: max_iter * 5 // 4)
    tolerance_grad, tolerance_change : float >= 0
    history_size : int >= 1           pairs (s, y) kept
    line_search : 'none' | 'strong_wolfe'
    """

    HYPER = ("lr", "max_iter", "max_eval", "tolerance_grad", "tolerance_change", "history_size", "line_search")
    needs_closure = True

    def _check_combination(self) -> None:
        if callable(self.hyper["lr"]):
            raise ConfigError(expected(f"a number for lr of {self.name}", "a schedule",
                                       "pass lr=1.0: L-BFGS's lr is the trial step of every iteration"))

    @property
    def max_eval(self) -> int:
        """Closure evaluations allowed per step_closure (PyTorch's default: max_iter * 5 // 4)."""
        m = self.hyper["max_eval"]
        return self.hyper["max_iter"] * 5 // 4 if m is None else m

    def init(self, params: Mapping[str, np.ndarray]) -> OptState:
        _check_params(params)
        state = OptState(0, {name: {} for name in params})
        state.lbfgs = _Memory()  # the history is global over all parameters, flattened in order
        return state

    def step(self, params, grads, state, record=False, hessian=None):
        raise ConfigError(expected(f"a closure for {self.name}", "a gradient",
                                   "L-BFGS evaluates the loss where it chooses: call "
                                   "opt.step_closure(params, closure, state), closure(params) -> (loss, grads)"))

    def update(self, grads, state, params, hessian=None):
        self.step(params, grads, state)

    def step_closure(self, params: Params, closure: Closure, state: OptState, record: bool = False
                     ) -> "float | StepRecord":
        """Run one L-BFGS step in place (up to ``max_iter`` iterations); returns the loss at the start.

        With ``record=True`` it returns a :class:`~descentlab.optim.StepRecord` instead: the
        gradient at the start, the change made (``update``), the direction ``d`` and the
        last ``prev_flat_grad`` as per-parameter ``buffers``, the history pairs (``s`` and
        ``y``, one row per pair), ``step_size`` the final t, and ``details``: ``loss`` (at
        the start), ``t`` (the final step along d), ``t_per_iteration``, ``iterations``,
        ``evaluations`` (closure calls made by this step), ``direction_norm`` (‖d‖₂),
        ``history`` (pairs held), ``H_diag``, and the run's totals ``func_evals``, ``n_iter``.
        """
        h = self.hyper
        mem = getattr(state, "lbfgs", None)
        if mem is None or set(state.slots) != set(params):
            raise ConfigError(expected(f"the state made by {self.name}'s init(params)", type(state).__name__,
                                       "call state = opt.init(params) once and pass it to every step_closure"))
        names = list(params)
        sizes = [int(np.size(params[n])) for n in names]

        def flat_grad_at() -> tuple[float, np.ndarray]:
            loss, grads = closure(params)
            if set(grads) != set(names):
                raise ConfigError(expected(f"the closure's gradients for {sorted(names)}", sorted(grads),
                                           "return (loss, {name: gradient}) for every parameter"))
            return float(loss), np.concatenate([np.asarray(grads[n], dtype=np.float64).ravel() for n in names])

        def add(step: float, v: np.ndarray) -> None:
            at = 0
            for n, size in zip(names, sizes):
                p = params[n]
                p[...] = _axpy(np.asarray(p, dtype=np.float64).ravel(), step, v[at:at + size]).reshape(np.shape(p))
                at += size

        def directional(x0, t, d):
            add(t, d)
            out = flat_grad_at()
            for n, a in zip(names, x0):
                params[n][...] = a
            return out

        lr, max_iter, max_eval = h["lr"], h["max_iter"], self.max_eval
        tol_grad, tol_change = h["tolerance_grad"], h["tolerance_change"]
        k_step = state.step
        before = [np.array(params[n], copy=True) for n in names] if record else None
        orig_loss, flat_grad = flat_grad_at()
        grad0 = flat_grad.copy() if record else None
        loss = orig_loss
        evals = 1
        mem.func_evals += 1
        ts: list[float] = []
        if np.max(np.abs(flat_grad)) <= tol_grad:  # as PyTorch: no iteration, the memory is left as it was
            state.step += 1  # the step still counts, so a run's step numbers keep going
            if record:
                return self._record(k_step, names, params, before, grad0, mem, orig_loss, 0, evals, ts,
                                    note="max|g| <= tolerance_grad at the start: no iteration")
            return orig_loss
        d, t = mem.d, mem.t
        prev_loss, al = mem.prev_loss, mem.al
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            mem.n_iter += 1
            if mem.n_iter == 1:
                d = -flat_grad
                mem.old_dirs, mem.old_stps, mem.ro, mem.H_diag = [], [], [], 1.0
            else:
                y = flat_grad - mem.prev_flat_grad
                s = d * t
                ys = _dot(y, s)
                if ys > 1e-10:
                    if len(mem.old_dirs) == h["history_size"]:
                        mem.old_dirs.pop(0)
                        mem.old_stps.pop(0)
                        mem.ro.pop(0)
                    mem.old_dirs.append(y)
                    mem.old_stps.append(s)
                    mem.ro.append(1.0 / ys)
                    mem.H_diag = ys / _dot(y, y)
                k = len(mem.old_dirs)
                al = [0.0] * k
                q = -flat_grad
                for i in range(k - 1, -1, -1):
                    al[i] = _dot(mem.old_stps[i], q) * mem.ro[i]
                    q = _axpy(q, -al[i], mem.old_dirs[i])
                r = q * mem.H_diag
                for i in range(k):
                    be_i = _dot(mem.old_dirs[i], r) * mem.ro[i]
                    r = _axpy(r, al[i] - be_i, mem.old_stps[i])
                d = r
            mem.prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            t = min(1.0, 1.0 / float(np.sum(np.abs(flat_grad)))) * lr if mem.n_iter == 1 else lr
            gtd = _dot(flat_grad, d)
            if gtd > -tol_change:
                break
            ls_evals = 0
            if h["line_search"] == "strong_wolfe":
                x0 = [np.array(params[n], copy=True) for n in names]
                loss, flat_grad, t, ls_evals = _strong_wolfe(directional, x0, t, d, loss, flat_grad, gtd,
                                                             max_ls=max_eval - evals)
                add(t, d)
                opt_cond = np.max(np.abs(flat_grad)) <= tol_grad
            else:
                add(t, d)
                opt_cond = False
                if n_iter != max_iter:
                    loss, flat_grad = flat_grad_at()
                    opt_cond = np.max(np.abs(flat_grad)) <= tol_grad
                    ls_evals = 1
            ts.append(t)  # the step taken along d (the line search's when there is one)
            evals += ls_evals
            mem.func_evals += ls_evals
            if n_iter == max_iter or evals >= max_eval or opt_cond:
                break
            if np.max(np.abs(d * t)) <= tol_change or abs(loss - prev_loss) < tol_change:
                break
        mem.d, mem.t, mem.prev_loss, mem.al = d, t, prev_loss, list(al)
        state.step += 1
        if record:
            return self._record(k_step, names, params, before, grad0, mem, orig_loss, n_iter, evals, ts)
        return orig_loss

    def _record(self, k, names, params, before, grad0, mem, loss, iterations, evals, ts, note=None) -> StepRecord:
        """The StepRecord of one step_closure (see its docstring)."""
        shapes = [np.shape(params[n]) for n in names]
        sizes = [int(np.prod(s, dtype=np.int64)) for s in shapes]

        def split(v):
            out, at = {}, 0
            for n, shape, size in zip(names, shapes, sizes):
                out[n] = (np.full(size, np.nan) if v is None else np.asarray(v[at:at + size])).reshape(shape).copy()
                at += size
            return out

        def split_rows(rows):
            out, at = {}, 0
            for n, size in zip(names, sizes):
                out[n] = np.array([r[at:at + size] for r in rows], dtype=np.float64).reshape(len(rows), size)
                at += size
            return out

        d, g, ss, ys = split(mem.d), split(mem.prev_flat_grad), split_rows(mem.old_stps), split_rows(mem.old_dirs)
        update = {n: np.asarray(params[n], dtype=np.float64) - b for n, b in zip(names, before)}
        bad = [n for n, u in update.items() if not np.all(np.isfinite(u))]
        if bad:
            note = (note + "; " if note else "") + f"non-finite update of {', '.join(map(repr, bad))} at step {k}"
        t = float("nan") if mem.t is None else float(mem.t)
        details = {"loss": float(loss), "t": t, "t_per_iteration": [float(v) for v in ts], "iterations": int(iterations),
                   "evaluations": int(evals),
                   "direction_norm": float("nan") if mem.d is None else float(np.linalg.norm(mem.d)),
                   "history": mem.history, "H_diag": float(mem.H_diag), "func_evals": int(mem.func_evals),
                   "n_iter": int(mem.n_iter)}
        return StepRecord(
            step=k, lr=float(self.hyper["lr"]), grad=split(grad0), grad_norm=float(np.linalg.norm(grad0)),
            buffers={n: {"d": d[n], "prev_flat_grad": g[n], "s": ss[n], "y": ys[n]} for n in names},
            moments={n: {} for n in names},
            step_size={n: np.full(shape, t) for n, shape in zip(names, shapes)},
            update=update, note=note, details=details)


class _Memory:
    """L-BFGS's memory between steps: what PyTorch keeps in ``optimizer.state[first param]``.

    ``func_evals`` and ``n_iter`` count closure calls and iterations over the whole run;
    ``d`` and ``t`` are the last direction and step; ``old_dirs`` (the y's), ``old_stps``
    (the s's), ``ro`` (1/y.s) and ``H_diag`` the curvature pairs; ``prev_flat_grad`` and
    ``prev_loss`` where the last iteration stood; ``al`` the two-loop coefficients of the
    last iteration (scratch, kept because PyTorch keeps it). All of it goes into a state
    file (:meth:`pack`), so a resumed run continues to the bit.
    """

    #: the float fields stored as arrays (NaN stands for "not yet set")
    _SCALARS = ("t", "H_diag", "prev_loss")

    def __init__(self) -> None:
        self.func_evals = 0
        self.n_iter = 0
        self.d: np.ndarray | None = None
        self.t: float | None = None
        self.old_dirs: list[np.ndarray] = []
        self.old_stps: list[np.ndarray] = []
        self.ro: list[float] = []
        self.H_diag = 1.0
        self.prev_flat_grad: np.ndarray | None = None
        self.prev_loss: float | None = None
        self.al: list[float] = []

    @property
    def history(self) -> int:
        """Number of (s, y) pairs held."""
        return len(self.old_dirs)

    def copy(self) -> "_Memory":
        out = _Memory()
        out.func_evals, out.n_iter, out.t, out.H_diag, out.prev_loss = (self.func_evals, self.n_iter, self.t,
                                                                        self.H_diag, self.prev_loss)
        out.d = None if self.d is None else self.d.copy()
        out.prev_flat_grad = None if self.prev_flat_grad is None else self.prev_flat_grad.copy()
        out.old_dirs = [a.copy() for a in self.old_dirs]
        out.old_stps = [a.copy() for a in self.old_stps]
        out.ro, out.al = list(self.ro), list(self.al)
        return out

    def equals(self, other: Any) -> bool:
        """Bit-identical memories (NaN equal to NaN)."""
        if not isinstance(other, _Memory):
            return False
        a, b = self.pack(), other.pack()
        return a[1] == b[1] and a[0].keys() == b[0].keys() and all(
            a[0][k].shape == b[0][k].shape and np.array_equal(a[0][k], b[0][k], equal_nan=True) for k in a[0])

    def pack(self, prefix: str = "") -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """``(arrays, manifest)``: the vectors and floats as float64 arrays (exact, NaN and inf included),
        the counters and which vectors exist in the manifest."""
        arrays: dict[str, np.ndarray] = {
            f"{prefix}scalars": np.array([np.nan if getattr(self, k) is None else float(getattr(self, k))
                                          for k in self._SCALARS], dtype=np.float64),
            f"{prefix}ro": np.array(self.ro, dtype=np.float64),
            f"{prefix}al": np.array(self.al, dtype=np.float64),
        }
        n = None
        for name in ("d", "prev_flat_grad"):
            v = getattr(self, name)
            if v is not None:
                arrays[f"{prefix}{name}"] = np.asarray(v, dtype=np.float64)
                n = v.size
        if self.old_dirs:
            n = self.old_dirs[0].size
        for name in ("old_dirs", "old_stps"):
            arrays[f"{prefix}{name}"] = (np.stack(getattr(self, name)) if getattr(self, name)
                                         else np.zeros((0, n or 0), dtype=np.float64))
        meta = {"func_evals": int(self.func_evals), "n_iter": int(self.n_iter),
                "none": [k for k in self._SCALARS if getattr(self, k) is None], "keys": sorted(arrays)}
        return arrays, meta

    @classmethod
    def unpack(cls, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any], size: int | None,
               where: str = "the file") -> "_Memory":
        """The memory :meth:`pack` wrote (its ``prefix`` already in the manifest's keys); ``size`` is the
        number of parameter elements it must match (None: not checked). Raises StateFileError."""
        from ..errors import StateFileError

        def bad(what, got, fix="the file is corrupt"):
            return StateFileError(expected(f"{what} in {where}", got, fix))

        keys = meta.get("keys")
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise bad("the list of L-BFGS arrays", keys)
        by_field = {}
        for key in keys:
            if key not in arrays:
                raise bad(f"the L-BFGS array {key!r} listed in the manifest", "none")
            by_field[key.rpartition(".")[2] if "." in key else key] = np.asarray(arrays[key])
        mem = cls()
        for name in ("func_evals", "n_iter"):
            v = meta.get(name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise bad(f"an L-BFGS counter {name} >= 0", v)
            setattr(mem, name, v)
        try:
            scalars, ro, al = by_field["scalars"], by_field["ro"], by_field["al"]
            dirs, stps = by_field["old_dirs"], by_field["old_stps"]
        except KeyError as exc:
            raise bad("L-BFGS's arrays scalars, ro, al, old_dirs and old_stps", sorted(by_field)) from exc
        if scalars.shape != (len(cls._SCALARS),) or ro.ndim != 1 or al.ndim != 1:
            raise bad("L-BFGS's scalars and ro/al as vectors", f"shapes {scalars.shape}, {ro.shape}, {al.shape}")
        if dirs.ndim != 2 or dirs.shape != stps.shape or dirs.shape[0] != ro.size:
            raise bad(f"{ro.size} pairs (s, y) of one length", f"shapes {dirs.shape} and {stps.shape}")
        none = meta.get("none", [])
        for name, v in zip(cls._SCALARS, scalars.tolist()):
            setattr(mem, name, None if name in none else v)
        mem.ro, mem.al = ro.tolist(), al.tolist()
        mem.old_dirs = [np.array(r, dtype=np.float64) for r in dirs]
        mem.old_stps = [np.array(r, dtype=np.float64) for r in stps]
        for name in ("d", "prev_flat_grad"):
            if name in by_field:
                setattr(mem, name, np.array(by_field[name], dtype=np.float64).ravel())
        lengths = {v.size for v in (mem.d, mem.prev_flat_grad) if v is not None}
        if mem.old_dirs:
            lengths.add(dirs.shape[1])
        if size is not None and lengths - {size}:
            raise bad(f"L-BFGS vectors of {size} entries (the parameters' size)", f"length {sorted(lengths)}",
                      "load the state saved for this model")
        if mem.n_iter > 0 and (mem.d is None or mem.prev_flat_grad is None):
            raise bad(f"L-BFGS's direction and gradient after {mem.n_iter} iterations", "none")
        return mem
