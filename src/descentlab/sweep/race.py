"""The optimizer race, and ``compare optimizers``, as sweeps: tuned on some seeds, scored on others.

:func:`sweep_race` races on a lab surface (a seed picks a start); :func:`compare_on_sweep`
compares on any registered problem, e.g. ``digits-mlp`` (a seed picks the initial
weights and the batches). Both return a :class:`Comparison`.

Each optimizer's learning rate is tuned by a sweep protocol (halving by default) on the
*tune* seeds, whose starts are drawn from the surface's window; the tuned lr is then run
from the *test* seeds' starts, which tuning never saw. The table reports, over the test
runs, three things that answer different questions and so can disagree:

* **final f − f*** (median): where a run ended: the score, and the order of the table;
* **best f − f*** (median): the lowest a run got, even if it wandered off later;
* **steps to target** (median over the runs that reached f − f* <= target, and how many did).

An optimizer that reached the target and then drifted shows a small best and steps to
target but a larger final; the caption of :meth:`SweepRace.caption` says which optimizer
leads on each, so the table and its caption cannot contradict each other.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..errors import ConfigError, expected
from ..progress import silent
from .analysis import Analysis, analyse
from .coordinator import run_study
from .problems import get_problem, surface_start
from .store import Store
from .study import Study

__all__ = ["sweep_race", "SweepRace", "Comparison", "compare_on_sweep", "DEFAULT_RACERS"]

DEFAULT_RACERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


@dataclass
class Comparison:
    """Tuned optimizers on one problem, scored on the test seeds: rows, a table, and the caption of both."""

    name: str                 # what the table is about, e.g. the surface or the problem's name
    analysis: Analysis
    target: float | None
    study: Study
    metric: str = "f − f*"
    where: str = "starts"     # what a seed picks: starts on a surface, initial weights and batches on a network

    def rows(self) -> list[dict]:
        """One row per optimizer, ordered by median final f − f* (the score)."""
        out = []
        for c in sorted(self.analysis.cells, key=lambda c: c.tuned.score):
            t = c.tuned
            out.append({"optimizer": c.optimizer, "lr": t.hyper.get("lr"), "final": t.final, "best": t.best,
                        "steps_to_target": t.steps_to_target, "reached": f"{t.reached}/{t.n}",
                        "diverged": t.diverged, "score_ci": list(t.ci)})
        return out

    def leaders(self) -> dict:
        rows = self.rows()
        fin = min(rows, key=lambda r: r["final"])
        best = min(rows, key=lambda r: r["best"])
        hit = [r for r in rows if r["steps_to_target"] is not None]
        fast = min(hit, key=lambda r: (-int(r["reached"].split("/")[0]), r["steps_to_target"])) if hit else None
        return {"final": fin, "best": best, "fastest": fast}

    def caption(self) -> str:
        """One paragraph that names the leader on each column (it is computed from the same rows)."""
        s = self.study
        lead = self.leaders()
        m, w = self.metric, self.where
        text = (f"lr tuned by {s.protocol} ({s.budget} configurations each) on the {w} of seeds {s.tune_seeds}; "
                f"scored on the {w} of seeds {s.test_seeds}, which tuning never saw. Lowest median final "
                f"{m}: {lead['final']['optimizer']} ({lead['final']['final']:.3g}); lowest median best {m}: "
                f"{lead['best']['optimizer']} ({lead['best']['best']:.3g}). ")
        if self.target is None:
            return text + "The problem has no target."
        if lead["fastest"] is None:
            text += f"No optimizer reached {m} <= {self.target:g} on a test seed."
        else:
            f = lead["fastest"]
            text += (f"Reaching {m} <= {self.target:g}: {f['optimizer']} on {f['reached']} test seeds, in a "
                     f"median {f['steps_to_target']:g} steps. An optimizer with a small best but a larger final got "
                     "close and then moved away.")
        return text

    def table(self) -> str:
        m = self.metric.replace(" ", "")
        head = ["optimizer", "tuned lr", f"final {m}", f"best {m}",
                f"steps to {self.target:g}" if self.target is not None else "steps to target", "reached", "diverged"]
        lines = [[r["optimizer"], f"{r['lr']:.3g}", _g(r["final"]), _g(r["best"]),
                  "-" if r["steps_to_target"] is None else f"{r['steps_to_target']:g}", r["reached"], str(r["diverged"])]
                 for r in self.rows()]
        widths = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(head)]
        fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
        title = f"{self.name}: {self.study.steps} steps, medians over the test seeds"
        return "\n".join([title, fmt.format(*head), *(fmt.format(*l) for l in lines), self.caption()])

    def to_dict(self) -> dict:
        return {"name": self.name, "metric": self.metric, "target": self.target, "tuned": True, "held_out": True,
                "rows": self.rows(),
                "caption": self.caption(), "study": self.study.to_dict()}


@dataclass
class SweepRace(Comparison):
    """The race: a :class:`Comparison` on a surface, plus a RaceResult of the test-start paths for the pictures."""

    surface: object = None
    result: object = None     # RaceResult: one Racer per optimizer, runs from the test starts at the tuned lr

    def to_dict(self) -> dict:
        return {**super().to_dict(), "surface": self.surface.name, "test_starts": self.result.starts.tolist()}


def _tuned(spec: str, optimizers, steps, protocol, budget, tune_seeds, test_seeds, preset, lr_range, executor,
           store, progress, after: int = 0) -> tuple[Study, Analysis]:
    """The study's runs into ``store``, counted on ``progress`` (``after`` more runs follow them)."""
    study = Study(f"compare-{spec}", [spec], list(optimizers), {"lr": {"log_uniform": list(lr_range)}},
                  protocol=protocol, budget=budget, tune_seeds=tune_seeds, test_seeds=test_seeds, preset=preset,
                  steps=steps)
    st = Store(store, study)
    progress.start()
    try:
        done = run_study(study, st, executor, on_progress=lambda p: progress.update(p.done, total=p.total + after))
        progress.update(done.done, total=done.total + after)  # the plan's estimate, now exact
        return study, analyse(study, st)
    finally:
        st.close()


def compare_on_sweep(problem: str = "digits-mlp", optimizers: Sequence[str] = DEFAULT_RACERS, *, steps: int | None = None,
                     protocol: str = "halving", budget: int = 8, tune_seeds: Sequence[int] = (0, 1),
                     test_seeds: Sequence[int] = (10, 11, 12), preset: str | None = "pytorch",
                     lr_range: tuple = (1e-4, 1.0), executor=None, store: str = ":memory:",
                     progress=None) -> Comparison:
    """Tune every optimizer's lr on ``problem`` with the tune seeds and score it on the test seeds.

    ``progress`` (a :class:`descentlab.progress.Progress`) counts the runs; none by default.
    """
    p, _ = get_problem(problem)
    steps = int(steps or p.steps)
    study, a = _tuned(problem, optimizers, steps, protocol, budget, tune_seeds, test_seeds, preset, lr_range,
                      executor, store, progress or silent())
    return Comparison(problem, a, p.target, study, metric=p.metric, where="initial weights and batches")


def _g(v: float) -> str:
    return "diverged" if not math.isfinite(v) else f"{v:.3e}"


def sweep_race(surface: str = "rosenbrock", optimizers: Sequence[str] = DEFAULT_RACERS, *, steps: int = 500,
               protocol: str = "halving", budget: int = 16, tune_seeds: Sequence[int] = (0, 1, 2),
               test_seeds: Sequence[int] = (10, 11, 12, 13, 14), preset: str | None = "pytorch",
               lr_range: tuple = (1e-4, 10.0), executor=None, store: str = ":memory:",
               progress=None) -> SweepRace:
    """Race ``optimizers`` on a lab surface: tune lr on the tune seeds' starts, score on the test seeds'.

    ``executor`` is any sweep executor (in-process by default); ``store`` a path to keep the
    runs (an in-memory store by default); ``progress`` (a
    :class:`descentlab.progress.Progress`) counts the runs, the sweep's and then the
    paths drawn from the test starts.
    """
    from ..train.minimize import minimize
    from ..train.race import Racer, RaceResult

    problem, options = get_problem(surface)
    if problem.name not in _surfaces():
        raise ConfigError(expected("a lab surface for the race", repr(surface), "e.g. rosenbrock, beale, booth"))
    progress = progress or silent()
    study, a = _tuned(surface, optimizers, steps, protocol, budget, tune_seeds, test_seeds, preset, lr_range,
                      executor, store, progress, after=len(optimizers) * len(test_seeds))
    inst_surface = _surface_of(surface)
    starts = np.array([surface_start(inst_surface, s) for s in study.test_seeds])
    racers = []
    for o in study.optimizers:
        c = a.cell(surface, o.label)
        lr = float(c.tuned.hyper["lr"])
        progress.detail = f"paths of {o.label}"
        runs = []
        for x0 in starts:
            runs.append(minimize(inst_surface, x0, o.name, preset=o.preset, lr=lr, steps=steps, tol=None, **o.hyper))
            progress.advance()
        racers.append(Racer(name=o.label, lr=lr, runs=runs))
    progress.detail = None
    settings = {"steps": steps, "tune": protocol, "starts": len(starts), "seeds": 1, "f_tol": problem.target,
                "preset": preset, "optimizers": [o.label for o in study.optimizers]}
    result = RaceResult(surface=inst_surface, racers=racers, starts=starts, settings=settings)
    return SweepRace(f"race on {inst_surface.name}", a, problem.target, study, metric="f − f*", where="starts",
                     surface=inst_surface, result=result)


def _surfaces() -> set:
    from ..functions import SURFACES

    return set(SURFACES)


def _surface_of(spec: str):
    from ..functions import get_surface

    problem, options = get_problem(spec)
    merged = {**problem.options, **options}
    return get_surface(problem.name, **{k: tuple(v) if isinstance(v, list) else v for k, v in merged.items()})
