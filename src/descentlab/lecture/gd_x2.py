r"""Gradient descent on f(x) = x²: the update, the step size, and the ‖∇f‖ ≤ ε stop.

The slides' algorithm (chapter 4, "Gradient Descent Algorithm")::

    pick x0;  repeat  x_{t+1} = x_t − γ ∇f(x_t)   until ‖∇f(x_t)‖ ≤ ε

On f(x) = x², ∇f = 2x, so each step multiplies x by (1 − 2γ)::

    x_t = (1 − 2γ)^t · x0

which explains every picture of "the effects of step size":

* 0 < γ < ½: x shrinks without changing sign (small γ: slowly);
* γ = ½: one step lands on the minimum (for x² this step is Newton's step);
* ½ < γ < 1: x flips sign every step but still shrinks (oscillating convergence);
* γ = 1: x flips between ±x0 for ever;
* γ > 1: |x| grows every step: divergence.

The stop ‖∇f(x_t)‖ = 2|x_t| ≤ ε first holds at t* = ⌈ln(ε / 2|x0|) / ln|1 − 2γ|⌉ for
0 < |1 − 2γ| < 1, the formula the tests check against the loop.
"""
from __future__ import annotations

import math

import numpy as np

from ._account import Account, Table, fmt

__all__ = ["X0", "LRS", "EPS", "descend", "steps_to_stop", "regime", "run"]

X0 = 3.0
LRS = (0.01, 0.1, 0.5, 0.9, 1.0, 1.05)
EPS = 1e-3
MAX_STEPS = 1000
DIVERGED_ABOVE = 1e12   # |f| above this ends the run as 'diverged', at that step


def regime(lr: float) -> str:
    """Which of the slide's step-size pictures ``lr`` belongs to, on f(x) = x²."""
    r = 1.0 - 2.0 * lr
    if lr <= 0:
        return "no descent"
    if lr < 0.05:
        return "too small: slow"
    if r > 0:
        return "good: monotone convergence"
    if r == 0:
        return "exact in one step"
    if r > -1:
        return "oscillating, converging"
    if r == -1:
        return "oscillating for ever"
    return "too large: diverging"


def steps_to_stop(x0: float, lr: float, eps: float) -> int | None:
    """The first t with 2|x_t| ≤ ε, from x_t = (1 − 2γ)^t x0; ``None`` if it never comes."""
    g0 = 2.0 * abs(x0)
    if g0 <= eps:
        return 0
    r = abs(1.0 - 2.0 * lr)
    if r == 0:
        return 1
    if r >= 1:
        return None
    return math.ceil(math.log(eps / g0) / math.log(r) - 1e-12)


def descend(x0: float = X0, lr: float = 0.1, eps: float = EPS, max_steps: int = MAX_STEPS) -> dict:
    """Run x ← x − γ·2x from ``x0`` until 2|x| ≤ ε, ``max_steps``, or divergence.

    Returns ``steps`` (one dict per iterate: t, x, f, grad, grad_norm, update) and ``stop``
    (``converged`` with the norm, ``max_steps``, or ``diverged`` with the step).
    """
    x = float(x0)
    steps = []
    for t in range(max_steps + 1):
        f, g = x * x, 2.0 * x
        row = {"t": t, "x": x, "f": f, "grad": g, "grad_norm": abs(g)}
        if not math.isfinite(f) or f > DIVERGED_ABOVE:
            steps.append(row)
            return {"steps": steps, "stop": {"kind": "diverged", "step": t, "detail": f"f = {fmt(f)} > {fmt(DIVERGED_ABOVE)}"}}
        if abs(g) <= eps:
            steps.append(row)
            return {"steps": steps, "stop": {"kind": "converged", "step": t, "norm": "|.|", "grad_norm": abs(g), "eps": eps}}
        if t == max_steps:
            steps.append(row)
            break
        row["update"] = -lr * g
        steps.append(row)
        x = x - lr * g          # x_{t+1} = x_t − γ ∇f(x_t)
    return {"steps": steps, "stop": {"kind": "max_steps", "step": max_steps}}


def _minimize_check(x0: float, lr: float, eps: float, ours: dict) -> tuple[bool, str]:
    """The same run through descentlab.train.minimize."""
    from ..train.minimize import minimize

    traj = minimize("x2", [x0], "sgd", lr=lr, steps=MAX_STEPS, tol=eps)
    xs = np.asarray(traj.x, dtype=float)[:, 0]
    mine = np.array([s["x"] for s in ours["steps"]])
    same_len = xs.shape == mine.shape
    err = float(np.max(np.abs(xs - mine))) if same_len else float("inf")
    return (same_len and err <= 1e-15 * max(1.0, abs(x0)) and traj.stop.kind == ours["stop"]["kind"],
            f"descentlab.train.minimize: {xs.size} iterates, stop '{traj.stop}', largest difference {fmt(err, 3)}")


def run(x0: float = X0, lrs: tuple[float, ...] = LRS, eps: float = EPS, lr: float = 0.1, show: int = 6) -> Account:
    """GD on x² from ``x0``: the step-by-step run at ``lr``, then every step size in ``lrs``."""
    from ..errors import ConfigError, expected

    if not eps > 0:
        raise ConfigError(expected("eps > 0", eps, "the stop is ‖∇f‖ ≤ eps with a positive eps, e.g. 1e-3"))
    for g in (lr, *lrs):
        if not g > 0:
            raise ConfigError(expected("learning rates > 0", g, "pass positive step sizes"))
    x0 = float(x0)
    acc = Account("gd-x2", "Gradient descent on f(x) = x²",
                  f"x_(t+1) = x_t − γ·∇f(x_t) with ∇f(x) = 2x, from x0 = {fmt(x0)}, stopping when ‖∇f(x_t)‖ = 2|x_t| ≤ ε = {fmt(eps)}.")
    main = descend(x0, lr, eps)
    r = fmt(1 - 2 * lr)
    p = acc.part(f"Step by step with γ = {fmt(lr)}",
                 f"each step multiplies x by 1 − 2γ = {r}, so x_t = {f'({r})' if 1 - 2 * lr < 0 else r}^t · {fmt(x0)}")
    rows = []
    steps = main["steps"]
    shown = steps if len(steps) <= 2 * show else steps[:show] + steps[-show:]
    for s in shown:
        rows.append([s["t"], s["x"], s["f"], s["grad"], s["grad_norm"] <= eps, s.get("update", "")])
    p.tables.append(Table(["t", "x_t", "f(x_t)", "∇f = 2x_t", "‖∇f‖ ≤ ε", "−γ∇f"], rows,
                          caption=f"{len(steps)} iterates" + (" (first and last shown)" if len(steps) > 2 * show else "")))
    s1 = steps[1] if len(steps) > 1 else steps[0]
    p.add("x_1", "x_0 − γ·2x_0", f"{fmt(x0)} − {fmt(lr)}·2·{fmt(x0)}", s1["x"])
    p.add("stop", "", "", f"{main['stop']['kind']} at t = {main['stop']['step']}")
    if main["stop"]["kind"] == "diverged":
        acc.diverged.append(f"GD with γ = {fmt(lr)}: diverged at t = {main['stop']['step']} ({main['stop']['detail']})")
    t_formula = steps_to_stop(x0, lr, eps)
    p.add("t* (formula)", "⌈ln(ε / 2|x0|) / ln|1 − 2γ|⌉", f"⌈ln({fmt(eps)} / {fmt(2 * abs(x0))}) / ln|{fmt(1 - 2 * lr)}|⌉",
          t_formula if t_formula is not None else "never: |1 − 2γ| ≥ 1, so |x_t| never shrinks")
    # relative to the closed form: a diverging run's iterates reach 1e6, where 1e-12 absolute is below rounding
    acc.check("every iterate equals the closed form x_t = (1 − 2γ)^t x0",
              all(abs(s["x"] - (1 - 2 * lr) ** s["t"] * x0) <= 1e-12 * max(1.0, abs(x0), abs(s["x"])) for s in steps))
    if t_formula is not None:
        acc.check("the loop stops at the step the formula predicts", main["stop"]["step"] == t_formula,
                  f"loop {main['stop']['step']}, formula {t_formula}")
    else:
        want = "diverged" if abs(1 - 2 * lr) > 1 else "max_steps"
        acc.check("the formula says the stop never comes, and the loop never converges", main["stop"]["kind"] == want,
                  f"loop: {main['stop']['kind']} at t = {main['stop']['step']}; formula: never")

    p = acc.part("The effects of step size", "the same start, several γ; x_t = (1 − 2γ)^t x0")
    runs = {}
    rows = []
    for g in lrs:
        r = descend(x0, g, eps)
        runs[fmt(g)] = r
        last = r["steps"][-1]
        rows.append([fmt(g), fmt(1 - 2 * g), regime(g), f"{r['stop']['kind']} at t = {r['stop']['step']}",
                     last["x"], steps_to_stop(x0, g, eps) if steps_to_stop(x0, g, eps) is not None else "never"])
    p.tables.append(Table(["γ", "1 − 2γ", "regime", "stop", "last x", "t* (formula)"], rows))
    for g in lrs:
        r = runs[fmt(g)]
        t_f = steps_to_stop(x0, g, eps)
        if t_f is not None:
            acc.check(f"γ = {fmt(g)} stops after the predicted {t_f} steps", r["stop"]["kind"] == "converged"
                      and r["stop"]["step"] == t_f, f"{r['stop']['kind']} at t = {r['stop']['step']}")
        elif abs(1 - 2 * g) > 1:
            acc.check(f"γ = {fmt(g)} diverges and the run names the step", r["stop"]["kind"] == "diverged",
                      f"diverged at t = {r['stop']['step']}")
    acc.check("descentlab.train.minimize takes the same steps", *_minimize_check(x0, lr, eps, main))
    acc.data = {"x0": x0, "eps": eps, "lr": lr, "run": main, "steps_to_stop": t_formula,
                "step_sizes": {k: {"lr": float(k), "regime": regime(float(k)), "stop": v["stop"],
                                   "x": [s["x"] for s in v["steps"]],
                                   "steps_to_stop": steps_to_stop(x0, float(k), eps)} for k, v in runs.items()}}
    return acc
