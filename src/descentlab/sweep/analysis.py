"""What a finished study says, scored on its test seeds only.

For each (problem, optimizer) cell, :func:`analyse` gives:

* the tuned configuration and its test runs: median final and best metric, steps to the
  problem's target (median over the runs that reached it, and how many did), how many
  diverged, and the *score*: the median over test seeds of log10 of the final metric,
  with a seeded percentile-bootstrap 95% confidence interval;
* the same for the default configuration (the preset's hyperparameters), so tuned and
  default can be compared on the same seeds;
* the learning-rate sensitivity curve (DeepOBS): tuning score against lr for every
  configuration tried (for halving: its first round, at that round's steps);

and across cells:

* Dolan–Moré performance profiles (as AlgoPerf scores): for each optimizer s, ρ_s(τ) is
  the fraction of problems on which its steps to target are within a factor τ of the
  fastest optimizer's (a problem it never solves counts against it for every τ);
* a rank table per problem: optimizers ordered by score, each marked ``tied`` with the
  one ranked above it when the bootstrap CI of their score difference contains 0.

A run that diverged or failed scores :data:`DIVERGED_SCORE` (worse than any finite
metric up to 1e300), so medians and differences stay defined; the tables say "diverged".
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from .protocol import SCORE_FLOOR, cells, plan_cell
from .run import run_key
from .store import Store
from .study import Study

__all__ = ["analyse", "Analysis", "CellSummary", "RunStats", "bootstrap_ci", "performance_profile",
           "DIVERGED_SCORE"]

#: the score of a run that diverged or failed (log10 of a metric past 1e300)
DIVERGED_SCORE = 400.0
#: bootstrap resamples
RESAMPLES = 2000


def run_score(record: dict) -> float:
    if record["status"] != "ok" or not math.isfinite(record["final"]):
        return DIVERGED_SCORE
    return math.log10(max(float(record["final"]), SCORE_FLOOR))


def bootstrap_ci(values: Sequence[float], seed: int = 0, level: float = 0.95,
                 resamples: int = RESAMPLES) -> tuple[float, float]:
    """Percentile bootstrap CI of the median of ``values`` (seeded: the same numbers every time)."""
    x = np.asarray(values, dtype=np.float64)
    if x.size == 0:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    meds = np.median(x[rng.integers(x.size, size=(resamples, x.size))], axis=1)
    a = (1 - level) / 2
    return float(np.quantile(meds, a)), float(np.quantile(meds, 1 - a))


def difference_ci(a: Sequence[float], b: Sequence[float], seed: int = 0, level: float = 0.95,
                  resamples: int = RESAMPLES) -> tuple[float, float]:
    """Bootstrap CI of median(b) − median(a), each group resampled on its own."""
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    rng = np.random.default_rng(seed)
    d = (np.median(y[rng.integers(y.size, size=(resamples, y.size))], axis=1)
         - np.median(x[rng.integers(x.size, size=(resamples, x.size))], axis=1))
    q = (1 - level) / 2
    return float(np.quantile(d, q)), float(np.quantile(d, 1 - q))


def _median(values: list[float]) -> float:
    """The median, with +inf counted as the largest value (np.median would give nan with two infs averaged)."""
    v = sorted(values)
    n = len(v)
    if n == 0:
        return math.inf
    a, b = v[(n - 1) // 2], v[n // 2]
    return a if a == b or math.isinf(b) else 0.5 * (a + b)


@dataclass
class RunStats:
    """A configuration's test runs, summarised."""

    hyper: dict
    n: int
    scores: list
    score: float
    ci: tuple
    final: float          # median final metric, a diverged or failed run counting +inf
    best: float           # median of each run's lowest metric (before it diverged, if it did)
    steps_to_target: float | None
    reached: int
    diverged: int
    failed: int
    curves: list = field(default_factory=list)

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d.pop("curves")
        return d


def _stats(hyper: dict, recs: list[dict], seed: int) -> RunStats:
    scores = [run_score(r) for r in recs]
    hits = [r["steps_to_target"] for r in recs if r["steps_to_target"] is not None]
    # every test run counts: a diverged or failed run's final is +inf, so the median says "diverged" when half
    # or more did; a run's best is never above its final, so neither are their medians
    finals = [float(r["final"]) if r["status"] == "ok" else math.inf for r in recs]
    return RunStats(
        hyper=hyper, n=len(recs), scores=scores, score=float(np.median(scores)), ci=bootstrap_ci(scores, seed),
        final=_median(finals), best=_median([float(r["best"]) for r in recs]),
        steps_to_target=float(np.median(hits)) if hits else None, reached=len(hits),
        diverged=sum(r["status"] == "diverged" for r in recs), failed=sum(r["status"] == "failed" for r in recs),
        curves=[r["curve"] for r in recs])


@dataclass
class CellSummary:
    problem: str
    optimizer: str
    tuned: RunStats
    default: RunStats
    sensitivity: list            # [(hyper, tuning score)], in the order tried
    sensitivity_steps: int
    target: float | None
    metric: str

    def to_dict(self) -> dict:
        return {"problem": self.problem, "optimizer": self.optimizer, "tuned": self.tuned.to_dict(),
                "default": self.default.to_dict(), "target": self.target, "metric": self.metric,
                "sensitivity": [{"hyper": h, "score": s} for h, s in self.sensitivity],
                "sensitivity_steps": self.sensitivity_steps}


@dataclass
class Analysis:
    study: Study
    cells: list
    complete: bool
    missing: int

    def problems(self) -> list[str]:
        return list(self.study.problems)

    def optimizers(self) -> list[str]:
        return [o.label for o in self.study.optimizers]

    def cell(self, problem: str, optimizer: str) -> CellSummary | None:
        return next((c for c in self.cells if c.problem == problem and c.optimizer == optimizer), None)

    def ranks(self, seed: int = 0) -> dict[str, list[dict]]:
        """Per problem, best first: ``{"optimizer", "rank", "score", "ci", "tied_with_best", "tied_with_above"}``.

        ``rank`` is the position by median score; ``tied_with_*`` is true when the bootstrap
        CI of the score difference to the best / to the one above contains 0 (the order
        between them is then not significant at the 95% level).
        """
        out = {}
        for p in self.problems():
            rows = sorted((c for c in self.cells if c.problem == p), key=lambda c: c.tuned.score)
            table = []
            for i, c in enumerate(rows):
                def tied(other, k):
                    lo, hi = difference_ci(other.tuned.scores, c.tuned.scores, seed + k)
                    return bool(lo <= 0.0 <= hi)
                table.append({"optimizer": c.optimizer, "rank": i + 1, "score": c.tuned.score, "ci": c.tuned.ci,
                              "tied_with_best": i > 0 and tied(rows[0], 2 * i),
                              "tied_with_above": i > 0 and tied(rows[i - 1], 2 * i + 1)})
            out[p] = table
        return out

    def mean_ranks(self) -> dict[str, float]:
        ranks = self.ranks()
        return {o: float(np.mean([next(r["rank"] for r in rows if r["optimizer"] == o) for rows in ranks.values()
                                  if any(r["optimizer"] == o for r in rows)])) for o in self.optimizers()}

    def profile(self, taus: Sequence[float] | None = None) -> dict:
        """Performance profile on steps to target (see :func:`performance_profile`)."""
        costs = {o: [self._cost(p, o) for p in self.problems()] for o in self.optimizers()}
        return performance_profile(costs, taus)

    def _cost(self, problem: str, optimizer: str) -> float:
        c = self.cell(problem, optimizer)
        # solved when at least half the test runs reached the target; the cost is their median steps
        if c is None or c.tuned.steps_to_target is None or c.tuned.reached * 2 < c.tuned.n:
            return math.inf
        return max(1.0, c.tuned.steps_to_target)

    def to_dict(self) -> dict:
        return {"study": self.study.name, "complete": self.complete, "missing": self.missing,
                "cells": [c.to_dict() for c in self.cells], "ranks": self.ranks(), "mean_ranks": self.mean_ranks(),
                "profile": self.profile()}


def performance_profile(costs: dict[str, Sequence[float]], taus: Sequence[float] | None = None) -> dict:
    """Dolan & Moré (2002): ρ_s(τ) = share of problems p with t_{p,s} <= τ · min_s t_{p,s}.

    ``costs[s][p]`` is solver s's cost on problem p (+inf: not solved). Problems no solver
    solves count as unsolved for all. Returns ``{"tau": [...], "rho": {s: [...]}}``.
    """
    names = list(costs)
    t = np.array([costs[s] for s in names], dtype=np.float64)          # (solvers, problems)
    if t.size == 0:
        return {"tau": [], "rho": {}}
    best = np.min(t, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(np.isfinite(t) & np.isfinite(best), t / best, np.inf)
    finite = ratio[np.isfinite(ratio)]
    if taus is None:
        top = max(2.0, float(finite.max()) * 1.05) if finite.size else 2.0
        taus = np.unique(np.concatenate([[1.0], np.geomspace(1.0, top, 60), finite]))
    taus = [float(x) for x in taus]
    n_p = t.shape[1]
    return {"tau": taus, "rho": {s: [float(np.sum(ratio[i] <= tau)) / n_p for tau in taus] for i, s in enumerate(names)}}


def analyse(study: Study, store: Store, seed: int = 0) -> Analysis:
    """Summarise every finished cell of ``study`` from ``store`` (unfinished cells are left out)."""
    from .problems import get_problem

    out, missing = [], 0
    for cell in cells(study):
        plan = plan_cell(study, cell, store.get)
        if not plan.done:
            missing += sum(store.get(run_key(c)) is None for c in plan.configs()) + plan.pending
            continue
        recs = lambda stage: [store.get(run_key(c)) for c in plan.stages[stage]]
        if study.protocol == "halving":
            sens, steps = plan.rounds[0], plan.stages["round 1"][0]["steps"]
        else:
            sens, steps = plan.tuning, study.steps_for(cell.problem)
        problem = get_problem(cell.problem)[0]
        out.append(CellSummary(cell.problem, cell.optimizer.label, _stats(plan.tuned, recs("test"), seed),
                               _stats({}, recs("default"), seed), list(sens), steps, problem.target, problem.metric))
    return Analysis(study, out, missing == 0, missing)
