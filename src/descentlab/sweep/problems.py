"""Named, parameterised problems for sweeps, and a registry users can extend.

A :class:`Problem` builds an :class:`Instance` for a seed: the starting parameters, a
step's loss and gradients (stochastic where the problem is), and the metric a run is
judged by. Each problem declares its metric, the target for "steps to target" (the
first step whose metric is at or below it, as AlgoPerf counts time to a target) and its
step budget.

Built in:

* every lab surface by its name (``rosenbrock``, ``beale``, ``quadratic`` …), started
  from a point drawn uniformly from the surface's plot window with the run's seed;
  metric f(x) − f*, target 1e-4;
* ``lstsq``: the lecture's least squares over (w, b) with SGD's noise: each step's
  gradient comes from ``batch`` random samples (one by default);
* ``noisy-quadratic``: ½xᵀAx with Gaussian noise of standard deviation ``noise`` on
  every gradient;
* ``logistic``: L2-regularised logistic regression on the two-moons data, gap to its
  optimum (found by Newton's method when the instance is built);
* ``digits-mlp`` and ``mnist-mlp``: small ReLU MLPs on scikit-learn's digits and on
  MNIST-5000 (the ``data`` extra), cross-entropy on the training set.

Write a problem as ``name`` or ``name:key=value,...``, e.g.
``quadratic:eigenvalues=1,100`` or ``noisy-quadratic:noise=0.5,eigenvalues=1,10``.
Register one of your own with :func:`register_problem`; for process pools and Dask
workers, register it in a module the study names in ``imports``.
"""
from __future__ import annotations

import difflib
import functools
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..errors import ConfigError, expected
from ..keyvalue import parse_value

__all__ = ["Problem", "Instance", "PROBLEMS", "register_problem", "get_problem", "parse_problem",
           "problem_names", "surface_start"]

Params = dict  # str -> ndarray

#: |x|_inf beyond which a surface run counts as diverged (train.minimize uses the same)
SURFACE_BOUND = 1e6


@dataclass
class Instance:
    """One seeded instance of a problem.

    ``loss_and_grads(params, rng) -> (loss, grads)`` is what the optimizer sees (noisy
    or on a batch where the problem is stochastic); ``metric(params) -> float`` is what
    the run is judged by (exact). ``hessian(params) -> grads-like dict`` is given where
    Newton's method can use it. ``bound``: a parameter beyond it in absolute value
    means the run diverged.
    """

    params: Params
    loss_and_grads: Callable[[Params, np.random.Generator], tuple[float, Params]]
    metric: Callable[[Params], float]
    hessian: Callable[[Params], Params] | None = None
    bound: float = math.inf


@dataclass(frozen=True)
class Problem:
    """A named problem: ``build(seed, **options) -> Instance`` and what a run of it is judged by."""

    name: str
    build: Callable[..., Instance]
    metric: str
    target: float | None
    steps: int
    options: dict = field(default_factory=dict)
    eval_every: int = 1
    description: str = ""

    def instance(self, seed: int, options: dict | None = None) -> Instance:
        opts = {**self.options, **{k: _like(self.options.get(k), v) for k, v in (options or {}).items()}}
        return self.build(int(seed), **opts)

    def describe(self) -> dict:
        return {"name": self.name, "metric": self.metric, "target": self.target, "steps": self.steps,
                "eval_every": self.eval_every, "options": dict(self.options), "description": self.description}


def _like(default: Any, v: Any) -> Any:
    """``v`` in the type of the option's default: configs hold numbers as floats, a count stays an int."""
    if isinstance(v, list):
        v = tuple(v)
    if isinstance(default, int) and not isinstance(default, bool) and isinstance(v, float) and v.is_integer():
        return int(v)
    return v


PROBLEMS: dict[str, Problem] = {}


def register_problem(problem: Problem, *, replace: bool = False) -> Problem:
    """Add ``problem`` to the registry under its name (``replace=True`` to overwrite one)."""
    key = _key(problem.name)
    if key in PROBLEMS and not replace:
        raise ConfigError(expected(f"a new problem name", repr(problem.name),
                                   "choose another name, or pass replace=True"))
    if int(problem.steps) != problem.steps or problem.steps < 1:
        raise ConfigError(expected(f"a step budget >= 1 for problem {problem.name!r}", problem.steps))
    PROBLEMS[key] = problem
    return problem


def problem_names() -> list[str]:
    return list(PROBLEMS)


def _key(name: str) -> str:
    return str(name).strip().lower().replace("_", "-")


def parse_problem(spec: str) -> tuple[str, dict]:
    """``"quadratic:eigenvalues=1,100,angle=0"`` -> ``("quadratic", {"eigenvalues": (1, 100), "angle": 0})``.

    Options are ``key=value`` separated by commas; a comma-separated item without ``=``
    continues the previous value as a list.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise ConfigError(expected("a problem name such as 'rosenbrock' or 'quadratic:eigenvalues=1,100'", repr(spec)))
    name, _, rest = spec.partition(":")
    options: dict[str, list] = {}
    last = None
    for item in filter(None, (s.strip() for s in rest.split(","))):
        if "=" in item:
            k, _, v = item.partition("=")
            last = k.strip()
            options[last] = [parse_value(v, lists=False)]
        elif last is None:
            raise ConfigError(expected("options written key=value after the problem's ':'", repr(spec),
                                       "write e.g. quadratic:eigenvalues=1,100"))
        else:
            options[last].append(parse_value(item, lists=False))
    return _key(name), {k: (v[0] if len(v) == 1 else tuple(v)) for k, v in options.items()}


def get_problem(spec: str) -> tuple[Problem, dict]:
    """The registered problem named in ``spec`` and the options it gives, checked against the problem's."""
    name, options = parse_problem(spec)
    if name not in PROBLEMS:
        close = difflib.get_close_matches(name, PROBLEMS, n=1)
        hint = f"did you mean {close[0]!r}? Otherwise " if close else ""
        raise ConfigError(expected(f"a problem among {', '.join(PROBLEMS)}", repr(name),
                                   f"{hint}pick a listed name, or register your own with register_problem"))
    problem = PROBLEMS[name]
    bad = sorted(set(options) - set(problem.options))
    if bad:
        raise ConfigError(expected(f"options of problem {name!r} among {sorted(problem.options) or 'none'}",
                                   ", ".join(bad), "drop or rename them"))
    return problem, options


# -- surfaces ------------------------------------------------------------------------------

def surface_start(surface, seed: int) -> np.ndarray:
    """A start drawn uniformly from the surface's window with ``seed`` (the same for every optimizer)."""
    rng = np.random.default_rng(seed)
    window = list(surface.window)
    if len(window) != surface.dim:
        window = [window[0]] * surface.dim
    return np.array([rng.uniform(lo, hi) for lo, hi in window], dtype=np.float64)


@functools.lru_cache(maxsize=64)
def _surface(name: str, options: tuple):
    from ..functions import get_surface

    return get_surface(name, **dict(options))


def _frozen(options: dict) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in options.items()))


def _surface_instance(surface, seed: int, noise: float = 0.0) -> Instance:
    f_min = surface.f_min if surface.f_min is not None else 0.0
    value, gradient, n = surface.value, surface.gradient, surface.dim

    def loss_and_grads(params, rng):
        x = params["x"]
        g = np.asarray(gradient(x), dtype=np.float64).reshape(n)
        if noise:
            g = g + noise * rng.standard_normal(n)
        return float(value(x)), {"x": g}

    return Instance(
        params={"x": surface_start(surface, seed)},
        loss_and_grads=loss_and_grads,
        metric=lambda params: float(value(params["x"])) - f_min,
        hessian=lambda params: {"x": np.asarray(surface.hessian(params["x"]), dtype=np.float64).reshape(n, n)},
        bound=SURFACE_BOUND,
    )


def _surface_problem(name: str, options: dict) -> Problem:
    from ..functions import SURFACES

    def build(seed: int, **opts) -> Instance:
        return _surface_instance(_surface(name, _frozen(opts)), seed)

    has_min = name != "saddle"
    return Problem(name=name, build=build, metric="f(x) - f*" if has_min else "f(x)",
                   target=1e-4 if has_min else None, steps=300, options=options,
                   description=f"{SURFACES[name][1]}; start drawn from its window per seed")


def _noisy_quadratic(seed: int, eigenvalues=(1.0, 10.0), angle: float = 30.0, noise: float = 0.1) -> Instance:
    if not (isinstance(noise, (int, float)) and noise >= 0):
        raise ConfigError(expected("noise >= 0 for noisy-quadratic", noise))
    eig = eigenvalues if isinstance(eigenvalues, (tuple, list)) else (eigenvalues,)
    return _surface_instance(_surface("quadratic", _frozen({"eigenvalues": tuple(eig), "angle": angle})), seed,
                             noise=float(noise))


def _lstsq(seed: int, n: int = 50, batch: int = 1) -> Instance:
    """The lecture's L(w, b) = 1/(2M) Σ (w·xᵢ + b − yᵢ)²; each step sees ``batch`` random samples."""
    from ..functions import linreg_data

    if int(batch) != batch or not 1 <= batch <= n:
        raise ConfigError(expected(f"1 <= batch <= n={n} for lstsq", batch))
    xs, ys = linreg_data(int(n))
    X = np.stack([xs, np.ones(xs.size)], axis=1)          # (M, 2): columns x and 1
    theta_star = np.linalg.lstsq(X, ys, rcond=None)[0]
    r_star = X @ theta_star - ys
    L_star = 0.5 * float(r_star @ r_star) / xs.size
    M, k = xs.size, int(batch)

    def loss_and_grads(params, rng):
        idx = rng.integers(M, size=k)                     # samples drawn with replacement, as SGD does
        r = X[idx] @ params["x"] - ys[idx]
        return 0.5 * float(r @ r) / k, {"x": X[idx].T @ r / k}

    def metric(params):
        r = X @ params["x"] - ys
        return 0.5 * float(r @ r) / M - L_star

    start = np.random.default_rng(seed).uniform(-4.0, 4.0, size=2) + theta_star
    return Instance({"x": start}, loss_and_grads, metric, bound=SURFACE_BOUND)


@functools.lru_cache(maxsize=4)
def _moons(n: int):
    from ..data.synthetic import two_moons

    d = two_moons(n_samples=int(n), noise=0.2, seed=0)
    X = (d.X - d.X.mean(axis=0)) / d.X.std(axis=0)
    return np.concatenate([X, np.ones((X.shape[0], 1))], axis=1), d.y.astype(np.float64)


def _logistic_loss(X, y, w, l2):
    z = X @ w
    # log(1 + e^z) − y·z, computed without overflow
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z)) + 0.5 * l2 * float(w @ w)
    p = 0.5 * (1.0 + np.tanh(0.5 * z))                    # σ(z) without overflow
    return loss, X.T @ (p - y) / X.shape[0] + l2 * w, p


def _logistic(seed: int, n: int = 200, batch: int = 16, l2: float = 1e-3) -> Instance:
    """Mean log-loss of σ(Xw) plus ½·l2·‖w‖² on standardised two moons (a bias column included)."""
    X, y = _moons(int(n))
    w = np.zeros(X.shape[1])
    for _ in range(50):  # Newton's method: the loss is strongly convex, so this finds L* to rounding
        _, g, p = _logistic_loss(X, y, w, l2)
        H = (X * (p * (1 - p))[:, None]).T @ X / X.shape[0] + l2 * np.eye(X.shape[1])
        w = w - np.linalg.solve(H, g)
    L_star = _logistic_loss(X, y, w, l2)[0]
    k = int(batch)

    def loss_and_grads(params, rng):
        idx = rng.integers(X.shape[0], size=k)
        loss, g, _ = _logistic_loss(X[idx], y[idx], params["w"], l2)
        return loss, {"w": g}

    start = np.random.default_rng(seed).normal(0.0, 1.0, size=X.shape[1])
    return Instance({"w": start}, loss_and_grads, lambda p: _logistic_loss(X, y, p["w"], l2)[0] - L_star,
                    bound=SURFACE_BOUND)


@functools.lru_cache(maxsize=4)
def _dataset(name: str, limit: int | None):
    from ..data import prepare_dataset

    train, _ = prepare_dataset(name, val_fraction=0.0, seed=0, standardize=True, limit=limit)
    return np.ascontiguousarray(train.X, dtype=np.float64), train.y.astype(np.int64), train.n_outputs


def _cross_entropy(logits: np.ndarray, y: np.ndarray) -> float:
    """Mean of −log softmax(z)_y over the samples (log-sum-exp shifted by the row maximum)."""
    z = logits - logits.max(axis=1, keepdims=True)
    return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y]))


def _mlp(dataset: str, limit: int | None):
    def build(seed: int, hidden: int = 32, batch: int = 32) -> Instance:
        from ..fast.mlp import MLP
        from ..nn import mlp

        X, y, k = _dataset(dataset, limit)
        net = MLP(mlp([X.shape[1], int(hidden), k], "relu", seed=seed), loss="cross_entropy")
        B = int(batch)

        def loss_and_grads(params, rng):
            idx = rng.integers(X.shape[0], size=B)
            if params is not net.params:  # look-ahead Nesterov asks for the gradient elsewhere
                saved = net.flat_params.copy()
                for name, v in params.items():
                    net.params[name][...] = v
                loss, g, _ = net.loss_and_grads(X[idx], y[idx])
                net.flat_params[...] = saved
            else:
                loss, g, _ = net.loss_and_grads(X[idx], y[idx])
            return loss, {n: a.copy() for n, a in g.items()}

        def metric(params):
            if params is not net.params:
                saved = net.flat_params.copy()
                for name, v in params.items():
                    net.params[name][...] = v
                out = _cross_entropy(net.forward(X), y)
                net.flat_params[...] = saved
                return out
            return _cross_entropy(net.forward(X), y)

        return Instance(net.params, loss_and_grads, metric)

    return build


def _builtins() -> None:
    from ..functions import SURFACES

    for name in SURFACES:
        import inspect

        opts = {k: p.default for k, p in inspect.signature(SURFACES[name][0]).parameters.items()
                if k != "start" and p.default is not inspect.Parameter.empty}
        opts = {k: (tuple(v) if isinstance(v, list) else v) for k, v in opts.items()}
        register_problem(_surface_problem(name, opts))
    register_problem(Problem("lstsq", _lstsq, "L(w, b) - L*", 1e-3, 300, {"n": 50, "batch": 1},
                             description="the lecture's least squares over (w, b), one random sample a step (SGD)"))
    register_problem(Problem("noisy-quadratic", _noisy_quadratic, "f(x) - f*", 1e-3, 300,
                             {"eigenvalues": (1.0, 10.0), "angle": 30.0, "noise": 0.1},
                             description="½xᵀAx with Gaussian noise on every gradient"))
    register_problem(Problem("logistic", _logistic, "L(w) - L*", 1e-3, 300, {"n": 200, "batch": 16, "l2": 1e-3},
                             description="L2-regularised logistic regression on two moons, minibatches of 16"))
    register_problem(Problem("digits-mlp", _mlp("digits", None), "training cross-entropy", 0.1, 300,
                             {"hidden": 32, "batch": 32}, eval_every=10,
                             description="64-32-10 ReLU MLP on scikit-learn's digits, minibatches of 32"))
    register_problem(Problem("mnist-mlp", _mlp("mnist_5k", None), "training cross-entropy", 0.3, 300,
                             {"hidden": 32, "batch": 64}, eval_every=25,
                             description="784-32-10 ReLU MLP on MNIST-5000, minibatches of 64"))


_builtins()
