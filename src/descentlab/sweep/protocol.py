"""Tuning protocols: which runs a study makes, stage by stage, and what it concludes.

Each (problem, optimizer) pair is a *cell*, tuned and scored on its own:

* ``grid``: the search space's lattice of at most ``budget`` configurations, each run
  on every tune seed; every configuration is rerun on the test seeds too, so the
  sensitivity curves can be drawn on seeds tuning never saw;
* ``random``: ``budget`` configurations drawn from the space with the study's seed
  (and the cell's name), each on every tune seed;
* ``halving``: successive halving (Jamieson & Talwalkar 2016): ``budget`` random
  configurations; round i of R = ⌈log2 budget⌉ runs the survivors for
  ``steps · 2^(i − R + 1)`` steps on the tune seeds and keeps the better half;
* ``deepobs``: the DeepOBS protocol (Schneider et al. 2019): the lattice, tuned on the
  tune seeds; only the best configuration is rerun, on the test seeds.

In every protocol the chosen configuration then runs on the test seeds, and so does the
default configuration (the preset's hyperparameters, no search values): scoring and the
comparison of tuned against default use only test seeds.

A configuration's tuning score is the mean over tune seeds of log10 of its final metric
(floored at 1e-16; +inf when a run diverged or failed): lower is better, and a run that
got close and wandered off is judged where it ended. Ties go to the first in order.

The plan of a cell is recomputed from what is stored (:func:`plan_cell`), so a sweep
killed at any moment resumes by asking again: stored runs are never rerun.
"""
from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from .run import make_config, run_key
from .study import OptimizerEntry, Study

__all__ = ["Cell", "CellPlan", "cells", "plan_cell", "tune_score", "SCORE_FLOOR"]

#: metrics below this count as this in log10 scores (exact zeros would give -inf)
SCORE_FLOOR = 1e-16

Lookup = Callable[[str], "dict | None"]


@dataclass(frozen=True)
class Cell:
    problem: str
    optimizer: OptimizerEntry

    @property
    def label(self) -> str:
        return f"{self.problem} / {self.optimizer.label}"


@dataclass
class CellPlan:
    """The stages of a cell known so far: ``stages[name] = [config, ...]``.

    ``pending`` counts the runs of stages that wait on earlier results; ``done`` is true
    once every stage is known and stored. Then ``tuned`` is the chosen hyperparameters,
    ``tuning`` lists ``(hyper, score)`` per configuration of the last tuning round, and
    ``rounds`` all rounds (halving).
    """

    cell: Cell
    stages: dict = field(default_factory=dict)
    pending: int = 0
    done: bool = False
    tuned: dict | None = None
    tuning: list = field(default_factory=list)
    rounds: list = field(default_factory=list)

    def configs(self) -> list[dict]:
        return [c for stage in self.stages.values() for c in stage]


def cells(study: Study) -> list[Cell]:
    return [Cell(p, o) for p in study.problems for o in study.optimizers]


def tune_score(records: list) -> float:
    """Mean over seeds of log10(max(final, SCORE_FLOOR)); +inf if any run diverged or failed."""
    if not records or any(r is None or r["status"] != "ok" for r in records):
        return math.inf
    return float(np.mean([math.log10(max(float(r["final"]), SCORE_FLOOR)) if r["final"] > 0
                          else math.log10(SCORE_FLOOR) for r in records]))


def _candidates(study: Study, cell: Cell) -> list[dict]:
    space = study.space
    if study.protocol in ("grid", "deepobs"):
        return space.grid(study.budget)
    # a stable, distinct stream per cell: the same draws on every machine and every rerun
    salt = zlib.crc32(f"{cell.problem}|{cell.optimizer.label}".encode("utf-8"))
    return space.sample(study.budget, np.random.default_rng([study.seed, salt]))


def _configs(study: Study, cell: Cell, hypers: list[dict], seeds, steps: int) -> list[dict]:
    o = cell.optimizer
    return [make_config(cell.problem, o.name, o.preset, {**o.hyper, **h}, steps, s) for h in hypers for s in seeds]


def _scores(study: Study, cell: Cell, hypers: list[dict], steps: int, lookup: Lookup) -> list[float] | None:
    out = []
    for h in hypers:
        recs = [lookup(run_key(c)) for c in _configs(study, cell, [h], study.tune_seeds, steps)]
        if any(r is None for r in recs):
            return None
        out.append(tune_score(recs))
    return out


def _best(hypers: list[dict], scores: list[float]) -> dict:
    return hypers[int(np.argmin(scores))] if hypers else {}


def plan_cell(study: Study, cell: Cell, lookup: Lookup) -> CellPlan:
    """The cell's stages given what ``lookup(key)`` finds stored (None where nothing is)."""
    plan = CellPlan(cell)
    steps = study.steps_for(cell.problem)
    T, S = len(study.tune_seeds), len(study.test_seeds)
    plan.stages["default"] = _configs(study, cell, [{}], study.test_seeds, steps)
    hypers = _candidates(study, cell)

    if study.protocol == "halving":
        R = max(1, math.ceil(math.log2(len(hypers)))) if len(hypers) > 1 else 1
        alive = list(hypers)
        for i in range(R):
            round_steps = max(1, int(steps * 2.0 ** (i - R + 1)))
            plan.stages[f"round {i + 1}"] = _configs(study, cell, alive, study.tune_seeds, round_steps)
            scores = _scores(study, cell, alive, round_steps, lookup)
            if scores is None:  # later rounds wait on this one
                n = len(alive)
                for _ in range(i + 1, R):
                    n = math.ceil(n / 2)
                    plan.pending += n * T
                plan.pending += S
                return plan
            plan.rounds.append(list(zip(alive, scores)))
            keep = max(1, math.ceil(len(alive) / 2))
            order = np.argsort(scores, kind="stable")[:keep]
            alive = [alive[j] for j in sorted(order)]
            if i == R - 1:
                plan.tuning = plan.rounds[-1]
                plan.tuned = _best(*zip(*plan.rounds[-1])) if plan.rounds[-1] else {}
    else:
        plan.stages["tune"] = _configs(study, cell, hypers, study.tune_seeds, steps)
        if study.protocol == "grid":
            plan.stages["test grid"] = _configs(study, cell, hypers, study.test_seeds, steps)
        scores = _scores(study, cell, hypers, steps, lookup)
        if scores is None:
            plan.pending += S
            return plan
        plan.tuning = list(zip(hypers, scores))
        plan.tuned = _best(hypers, scores)
    plan.stages["test"] = _configs(study, cell, [plan.tuned], study.test_seeds, steps)
    plan.done = all(lookup(run_key(c)) is not None for c in plan.configs())
    return plan
