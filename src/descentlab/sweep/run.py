"""One run of a sweep: a pure function of its configuration and seed.

``run_config(config) -> record``. The configuration names the problem (and its
options), the optimizer, its preset and hyperparameters, the step budget and the seed;
the same configuration gives the same record, bit for bit, on any executor and any
machine of the same kind (wall time aside). The loop::

    m_t = metric(θ_t)                       every eval_every steps and at the end
    stop if m_t is not finite               -> diverged at t
    L_t, g_t = loss_and_grads(θ̃_t, rng)    θ̃_t = opt.eval_params(θ_t): θ_t, or the look-ahead point
    stop if L_t or g_t is not finite        -> diverged at t
    θ_{t+1} = θ_t + update_t                 the optimizer's rule
    stop if θ_{t+1} is not finite or |θ_{t+1}|_inf > bound   -> diverged at t + 1

The record holds the final and the best metric (the final is +inf when the run
diverged, the best is the best seen before), the first step whose metric is at or
below the problem's target, the step it diverged at, a thinned learning curve
``[[t, m_t], ...]`` (at most :data:`CURVE_POINTS` points, the last one included), the
wall time, and the error's message when the run raised (status ``failed``).
"""
from __future__ import annotations

import hashlib
import importlib
import json
import math
import time
from typing import Any, Iterable, Mapping

import numpy as np

from ..errors import ConfigError, expected
from .problems import get_problem

__all__ = ["run_config", "run_chunk", "run_key", "make_config", "CURVE_POINTS", "IDENTITY_FIELDS"]

#: most points kept of a learning curve
CURVE_POINTS = 40
#: the record fields that must agree, bit for bit, between two runs of one configuration
IDENTITY_FIELDS = ("status", "final", "best", "steps_to_target", "diverged_at", "steps", "curve", "error")


def _version() -> str:
    from .. import __version__

    return __version__


def _plain(v):
    """Numbers as floats (so 30 and 30.0 hash alike), lists for tuples."""
    if isinstance(v, (tuple, list)):
        return [_plain(x) for x in v]
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)):
        return float(v)
    return v


def make_config(problem: str | Mapping, optimizer: str, preset: str | None, hyper: Mapping[str, Any],
                steps: int, seed: int) -> dict:
    """A run's configuration as plain JSON data, with the problem's options resolved."""
    if isinstance(problem, Mapping):
        prob = {"name": problem["name"], "options": dict(problem.get("options", {}))}
    else:
        p, opts = get_problem(problem)
        merged = {**p.options, **opts}
        prob = {"name": p.name, "options": {k: _plain(v) for k, v in sorted(merged.items())}}
    return {"problem": prob, "optimizer": str(optimizer), "preset": preset,
            "hyper": {k: _plain(hyper[k]) for k in sorted(hyper)}, "steps": int(steps), "seed": int(seed)}


def run_key(config: Mapping) -> str:
    """The content hash of ``config`` and the descentlab version: the run's key in a store."""
    text = json.dumps({"config": config, "version": _version()}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _finite(grads: Mapping[str, np.ndarray]) -> bool:
    return all(np.all(np.isfinite(g)) for g in grads.values())


def _thin(curve: list) -> list:
    if len(curve) <= CURVE_POINTS:
        return curve
    idx = np.unique(np.linspace(0, len(curve) - 1, CURVE_POINTS).round().astype(int))
    return [curve[i] for i in idx]


def run_config(config: Mapping) -> dict:
    """Run one configuration and return its record (never raises: a failure is a record)."""
    t0 = time.perf_counter()
    try:
        record = _run(config)
    except Exception as exc:  # a run that raises is a result of the sweep, not its end
        record = {"status": "failed", "final": math.inf, "best": math.inf, "steps_to_target": None,
                  "diverged_at": None, "steps": 0, "curve": [], "error": f"{type(exc).__name__}: {exc}"}
    record["wall_time"] = time.perf_counter() - t0
    return record


def _run(config: Mapping) -> dict:
    from ..optim import make_optimizer

    problem, _ = get_problem(config["problem"]["name"])
    steps, seed = int(config["steps"]), int(config["seed"])
    inst = problem.instance(seed, config["problem"]["options"])
    opt = make_optimizer(config["optimizer"], preset=config["preset"], **config["hyper"])
    newton = getattr(opt, "needs_hessian", False)
    closure = getattr(opt, "needs_closure", False)
    if newton and inst.hessian is None:
        raise ConfigError(expected(f"a problem with a Hessian for {config['optimizer']}",
                                   f"{problem.name} (no Hessian)", "use a first-order optimizer on it"))
    params = inst.params
    state = opt.init(params)
    rng = np.random.default_rng([seed, 1])  # batches and gradient noise; the instance drew its start from seed
    every, target, bound = max(1, problem.eval_every), problem.target, inst.bound
    best, hit, diverged, curve, final = math.inf, None, None, [], math.inf
    with np.errstate(all="ignore"):
        for t in range(steps + 1):
            if t % every == 0 or t == steps:
                m = inst.metric(params)
                if not math.isfinite(m):
                    diverged = t
                    break
                curve.append([t, m])
                best = min(best, m)
                if hit is None and target is not None and m <= target:
                    hit = t
                final = m
            if t == steps:
                break
            if closure:  # L-BFGS evaluates the loss where its line search chooses; one step = one outer iteration
                loss = opt.step_closure(params, lambda p: inst.loss_and_grads(p, rng), state)
                if not math.isfinite(loss):
                    diverged = t
                    break
                if bound != math.inf and not all(float(np.max(np.abs(p))) <= bound for p in params.values()):
                    diverged = t + 1
                    break
                continue
            loss, grads = inst.loss_and_grads(opt.eval_params(params, state), rng)
            if not (math.isfinite(loss) and _finite(grads)):
                diverged = t
                break
            if newton:
                opt.step(params, grads, state, hessian=inst.hessian(params))
            else:
                opt.step(params, grads, state)
            if bound != math.inf and not all(float(np.max(np.abs(p))) <= bound for p in params.values()):
                diverged = t + 1   # also catches NaN: the comparison is False
                break
    if diverged is not None:
        final = math.inf
    return {"status": "diverged" if diverged is not None else "ok", "final": final, "best": best,
            "steps_to_target": hit, "diverged_at": diverged, "steps": t, "curve": _thin(curve), "error": None}


def run_chunk(configs: Iterable[Mapping], imports: Iterable[str] = ()) -> list[dict]:
    """Run several configurations in one task (so scheduling costs per chunk, not per run).

    ``imports`` are modules to import first, e.g. the one that registers a user's problems.
    """
    for name in imports:
        importlib.import_module(name)
    return [run_config(c) for c in configs]
