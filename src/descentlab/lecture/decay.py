r"""Learning-rate decay: the slides' three schedules, evaluated at chosen steps.

The slide "Learning rate decay over time!" lists::

    step decay          e.g. halve the rate every few epochs:  α_t = α0 · ½^⌊t / s⌋
    exponential decay   α_t = α0 · e^(−k t)
    1/t decay           α_t = α0 / (1 + k t)

Here α0 = 0.1, s = 10 and k = 0.1 (the slide gives no numbers). Each value is computed
from the formula in the text and by descentlab's schedules
(:class:`~descentlab.optim.schedules.StepDecay`, ``Exponential``, ``InverseTime``),
which are pure functions of the step t (t = 0 for the first update); the two must
agree. The schedules differ in their tails: exponential decay becomes negligible
(α_100 = α0·e⁻¹⁰ ≈ 4.5e−6), 1/t decay shrinks only like 1/t, and step decay halves in
jumps.
"""
from __future__ import annotations

import math

from ._account import Account, Table, fmt

__all__ = ["LR0", "EVERY", "K", "STEPS", "step_decay", "exp_decay", "inv_decay", "run"]

LR0 = 0.1
EVERY = 10
K = 0.1
STEPS = (0, 1, 5, 9, 10, 20, 30, 50, 100)


def step_decay(t: int, lr0: float = LR0, every: int = EVERY, gamma: float = 0.5) -> float:
    """α0 · γ^⌊t / every⌋ (the slides' "halve every few epochs" is γ = ½)."""
    return lr0 * gamma ** (t // every)


def exp_decay(t: int, lr0: float = LR0, k: float = K) -> float:
    """α0 · e^(−k t)."""
    return lr0 * math.exp(-k * t)


def inv_decay(t: int, lr0: float = LR0, k: float = K) -> float:
    """α0 / (1 + k t)."""
    return lr0 / (1.0 + k * t)


def _library(lr0: float, every: int, k: float) -> dict:
    from ..optim.schedules import Exponential, InverseTime, StepDecay

    return {"step": StepDecay(lr=lr0, every=every, gamma=0.5), "exponential": Exponential(lr=lr0, k=k),
            "1/t": InverseTime(lr=lr0, k=k)}


def run(lr0: float = LR0, every: int = EVERY, k: float = K, steps: tuple[int, ...] = STEPS) -> Account:
    """The three schedules at ``steps``, by formula and by descentlab.optim.schedules."""
    from ..errors import ConfigError, expected

    if not lr0 > 0:
        raise ConfigError(expected("lr0 > 0", lr0, "pass a positive initial learning rate, e.g. 0.1"))
    if int(every) < 1:
        raise ConfigError(expected("every >= 1", every, "decay every n >= 1 steps"))
    if not k >= 0:
        raise ConfigError(expected("k >= 0", k, "k is a decay constant"))
    if any(int(t) < 0 for t in steps):
        raise ConfigError(expected("steps >= 0", list(steps), "steps count updates from 0"))
    steps = tuple(int(t) for t in steps)
    acc = Account("decay", "Learning-rate decay: step, exponential and 1/t",
                  f"α0 = {fmt(lr0)}; step decay halves every {every} steps; exponential and 1/t use k = {fmt(k)}. "
                  "t counts the updates made before this one (t = 0 for the first).")
    ours = {"step": [step_decay(t, lr0, every) for t in steps], "exponential": [exp_decay(t, lr0, k) for t in steps],
            "1/t": [inv_decay(t, lr0, k) for t in steps]}
    p = acc.part("The three schedules")
    t1 = steps[min(len(steps) - 1, 5)]
    p.add(f"step decay at t = {t1}", "α0·½^⌊t/s⌋", f"{fmt(lr0)}·½^⌊{t1}/{every}⌋", step_decay(t1, lr0, every))
    p.add(f"exponential at t = {t1}", "α0·e^(−kt)", f"{fmt(lr0)}·e^(−{fmt(k)}·{t1})", exp_decay(t1, lr0, k))
    p.add(f"1/t at t = {t1}", "α0/(1 + kt)", f"{fmt(lr0)}/(1 + {fmt(k)}·{t1})", inv_decay(t1, lr0, k))
    p.tables.append(Table(["t", "step decay", "exponential", "1/t"],
                          [[t, ours["step"][i], ours["exponential"][i], ours["1/t"][i]] for i, t in enumerate(steps)]))
    lib = _library(lr0, every, k)
    lib_values = {name: [float(s(t)) for t in steps] for name, s in lib.items()}
    err = max(abs(a - b) for name in ours for a, b in zip(ours[name], lib_values[name]))
    acc.check("descentlab.optim.schedules gives the same values", err <= 1e-15,
              f"largest difference {fmt(err, 3)}; " + "; ".join(s.describe() for s in lib.values()))
    order = sorted(range(len(steps)), key=steps.__getitem__)
    never_grows = all(v[b] <= v[a] for v in ours.values() for a, b in zip(order, order[1:]))
    starts = all(v[steps.index(0)] == lr0 for v in ours.values()) if 0 in steps else True
    acc.check("every schedule starts at α0 and never grows", starts and never_grows)
    acc.data = {"lr0": lr0, "every": every, "k": k, "steps": list(steps), "values": ours, "library": lib_values}
    return acc
