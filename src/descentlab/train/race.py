"""A fair optimizer race: every optimizer gets its learning rate tuned with the same budget.

Comparing optimizers at one hand-picked learning rate mostly measures how well that
rate suits each of them. Here each optimizer's lr is chosen by the same procedure and
the same number of optimizer steps, from the same starts:

* ``tune="grid"``: every lr of a log grid runs ``steps`` steps from every start;
* ``tune="halving"``: successive halving over a finer log grid. Round i runs the
  surviving lrs for ``steps · 2^(i − R + 1)`` steps (the last round the full ``steps``)
  and keeps the better half (Jamieson & Talwalkar 2016; Li et al., Hyperband, 2017);
* ``tune="none"``: the lr given (or the preset's default).

The score of a run is log10(f(x_T) − f_min) (floored at 1e-16, +inf when it diverged;
f(x_T) itself on surfaces without a minimum); an lr's score is the mean over the starts
(+inf if any of them diverged). A tuned lr at either end of the grid is flagged
(``Racer.grid_edge``, a ``*`` in the table, "grid edge" in the pictures): the best lr
may then lie outside the grid.

The race then reports, at each optimizer's tuned lr and over all starts and seeds: the
median final f and distance to the nearest known minimum over the runs that did not
diverge (+inf when all did), the number of steps until f − f_min <= ``f_tol``, and how
many runs diverged.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..errors import ConfigError, expected
from .minimize import DEFAULT_BOUND, Trajectory, minimize, resolve_surface

__all__ = ["race", "RaceResult", "Racer", "DEFAULT_RACERS", "race_starts"]

#: the lecture's six optimizers
DEFAULT_RACERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
_TUNES = ("grid", "halving", "none")


@dataclass
class Racer:
    """One optimizer's result: its tuned lr, the tuning record and the evaluation runs."""

    name: str
    lr: float
    tuning: list = field(default_factory=list)      # [(lr, score, steps)] in the order tried
    runs: list = field(default_factory=list)        # Trajectory per (start, seed)
    budget: int = 0                                 # optimizer steps spent on tuning
    grid_edge: str | None = None                    # "low"/"high" when the tuned lr ends the grid

    @property
    def trajectory(self) -> Trajectory:
        """The run from the first start (the surface's default start): the one drawn."""
        return self.runs[0]

    @property
    def label(self) -> str:
        """``"adam (lr=0.1)"``, with ``", grid edge"`` when the tuned lr is the grid's end."""
        return f"{self.name} (lr={self.lr:.3g}{', grid edge' if self.grid_edge else ''})"


@dataclass
class RaceResult:
    surface: object
    racers: list
    starts: np.ndarray
    settings: dict

    def summary(self) -> list[dict]:
        """One row per optimizer: lr, final f, distance, steps to tolerance, reached, diverged
        (how many runs) and ``diverged_at`` (the step each diverged run stopped at)."""
        s = self.surface
        f_min = s.f_min
        rows = []
        for r in self.racers:
            # medians over the runs that did not diverge: a diverged run's last f may be
            # NaN or astronomically large, and it is counted in "diverged" instead;
            # when every run diverged, final f and distance are +inf, never NaN
            kept = [t for t in r.runs if t.stop.kind != "diverged"]
            finals = [t.f_final for t in kept]
            dists = [s.nearest_minimum(t.x_final)[1] for t in kept]
            reached = [t.steps_to(self.settings["f_tol"], f_min) for t in r.runs] if f_min is not None else []
            hit = [k for k in reached if k is not None]
            rows.append({
                "optimizer": r.name, "lr": r.lr, "lr_at_grid_edge": r.grid_edge,
                "final_f": float(np.median(finals)) if kept else math.inf,
                "distance": (float(np.median(dists)) if kept else math.inf) if s.minima else None,
                "steps_to_tol": float(np.median(hit)) if hit else None,
                "reached": f"{len(hit)}/{len(r.runs)}" if f_min is not None else None,
                "diverged": sum(t.stop.kind == "diverged" for t in r.runs),
                "diverged_at": sorted(t.stop.step for t in r.runs if t.stop.kind == "diverged"),
                "tuning_budget": r.budget,
            })
        return rows

    def table(self) -> str:
        """The summary as a fixed-width text table."""
        head = ["optimizer", "lr", "final f", "dist to min", f"steps to f-f*<={self.settings['f_tol']:g}",
                "reached", "diverged"]
        lines, notes = [], []
        for row in self.summary():
            all_diverged = row["diverged"] == len(self.starts) * self.settings["seeds"]
            edge = "*" if row["lr_at_grid_edge"] else ""
            at = row["diverged_at"]
            where = (f"step {at[0]}" if len(set(at)) == 1 else f"steps {at[0]}-{at[-1]}") if at else ""
            lines.append([row["optimizer"], f"{row['lr']:.3g}{edge}",
                          f"diverged at {where}" if all_diverged else f"{row['final_f']:.3e}",
                          "-" if row["distance"] is None or all_diverged else f"{row['distance']:.3e}",
                          "-" if row["steps_to_tol"] is None else f"{row['steps_to_tol']:g}",
                          row["reached"] or "-", str(row["diverged"])])
            if edge:
                notes.append(f"{row['optimizer']} ({row['lr_at_grid_edge']} end)")
        widths = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(head)]
        fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
        st = self.settings
        tuning = (f"lr tuned by {st['tune']} (budget {self.racers[0].budget} steps each) on the starts it is "
                  "scored on" if st["tune"] != "none" else "untuned: one fixed lr each")
        title = (f"race on {self.surface.name}: {st['steps']} steps, {len(self.starts)} start(s) x {st['seeds']} seed(s), "
                 f"{tuning}")
        foot = []
        if notes:
            foot.append(f"* best lr at the grid's edge for {', '.join(notes)}: a better lr may lie beyond "
                        "it; widen --lr-grid")
        if self.surface.f_min is None and st["tune"] != "none":
            foot.append(f"{self.surface.name} has no known minimum: each lr was scored by its final f, which on an "
                        "unbounded surface favours the lr that runs furthest without passing the bound")
        for row in self.summary():
            if not row["diverged"] or row["diverged"] == len(self.starts) * st["seeds"]:
                continue  # none diverged, or all did and the row itself says where
            foot.append(f"{row['optimizer']}: {row['diverged']} run(s) diverged, at step(s) "
                        f"{', '.join(map(str, row['diverged_at']))}")
        if any(row["diverged"] for row in self.summary()):
            foot.append("final f and distance are medians over the runs that did not diverge")
        foot.append(self.note())
        return "\n".join([title, fmt.format(*head), *(fmt.format(*l) for l in lines), *foot])

    @property
    def tuned(self) -> bool:
        return self.settings["tune"] != "none"

    def note(self) -> str:
        """What the race's lrs are worth, and how to get a comparison tuned on starts it is not scored on."""
        how = ("add --protocol halving: each lr is then tuned on some starts and scored on others "
               "(descentlab.sweep.race.sweep_race, docs/sweeps.md).")
        if not self.tuned:
            return ("untuned: each optimizer ran at one fixed learning rate, not tuned for it, so the ranking partly "
                    f"measures how well that rate suits each one. For a tuned race {how}")
        return ("each lr was tuned on the same starts it is scored on, so the scores flatter lrs fitted to these "
                f"starts. For scores on starts tuning never saw {how}")

    def to_dict(self, trajectories: bool = False) -> dict:
        out = {
            "surface": self.surface.describe() if hasattr(self.surface, "describe") else str(self.surface),
            "settings": self.settings,
            "starts": self.starts.tolist(),
            "tuned": self.tuned, "held_out": False, "note": self.note(),
            "results": self.summary(),
            "tuning": {r.name: [{"lr": lr, "score": sc, "steps": k} for lr, sc, k in r.tuning] for r in self.racers},
        }
        if trajectories:
            out["trajectories"] = {r.name: r.trajectory.to_dict() for r in self.racers}
        return out


def race_starts(surface, starts: int, seed=0) -> np.ndarray:
    """The surface's default start, then ``starts − 1`` seeded random starts near it.

    The extra starts are drawn uniformly within ±15% of the plot window's span around
    the default start, and clipped to the window.
    """
    if int(starts) != starts or starts < 1:
        raise ConfigError(expected("starts >= 1", starts))
    rng = np.random.default_rng(seed)
    x0 = np.asarray(surface.start, dtype=np.float64)
    win = np.array([surface.window[i % len(surface.window)] for i in range(surface.dim)], dtype=np.float64)
    span = win[:, 1] - win[:, 0]
    out = [x0]
    for _ in range(int(starts) - 1):
        out.append(np.clip(x0 + rng.uniform(-0.15, 0.15, surface.dim) * span, win[:, 0], win[:, 1]))
    return np.array(out)


def _score(tr: Trajectory, f_min) -> float:
    if tr.stop.kind == "diverged" or not math.isfinite(tr.f_final):
        return math.inf
    if f_min is None:
        return tr.f_final
    return math.log10(max(tr.f_final - f_min, 1e-16))


def _runs(surface, name, lr, starts, seeds, steps, common) -> list[Trajectory]:
    return [minimize(surface, x0, name, lr=lr, steps=steps, seed=seed, **common)
            for x0 in starts for seed in range(seeds)]


def _mean_score(runs, f_min) -> float:
    scores = [_score(t, f_min) for t in runs]
    return math.inf if any(math.isinf(s) for s in scores) else float(np.mean(scores))


def race(surface="rosenbrock", optimizers: Sequence[str] = DEFAULT_RACERS, *, steps: int = 500,
         tune: str = "grid", lrs=None, lr_grid=None, starts: int = 1, seeds: int = 1, seed: int = 0,
         f_tol: float = 1e-6, preset: str | None = None, hyper: dict | None = None,
         grad_noise: float = 0.0, bound: float = DEFAULT_BOUND, progress=None) -> RaceResult:
    """Race ``optimizers`` on ``surface`` with a fair, equal-budget lr tuning.

    Parameters
    ----------
    surface : str or Surface
    optimizers : sequence of str
        Names for :func:`descentlab.optim.make_optimizer`.
    steps : int
        Steps of each evaluation run (and of each full-length tuning run).
    tune : {"grid", "halving", "none"}
    lrs : dict name -> lr, optional
        Fixed learning rates for ``tune="none"`` (default: the preset's lr).
    lr_grid : sequence of float, optional
        Candidate lrs; default 10^-4 … 10^1 in half decades, 11 points (grid), or in
        quarter decades, 21 points (halving). The top reaches past 1 because AdaGrad's
        best lr on these surfaces often does (3.16 on Rosenbrock and the valley).
    starts : int
        Number of starts (the default start plus seeded random ones).
    seeds : int
        Repeats per start with different gradient-noise seeds (matters when ``grad_noise > 0``).
    seed : int
        Seed of the random starts.
    f_tol : float
        Tolerance on f − f_min for "steps to tolerance".
    preset, hyper : optional
        Convention preset, and per-optimizer extra hyperparameters ``{name: {...}}``.
    grad_noise, bound : float
        Passed to :func:`~descentlab.train.minimize.minimize`.
    progress : descentlab.progress.Progress, optional
        Advanced by the optimizer steps of the tuning and the final runs (none by default).
    """
    s = resolve_surface(surface)
    if tune not in _TUNES:
        raise ConfigError(expected(f"tune one of {', '.join(_TUNES)}", repr(tune)))
    if not optimizers:
        raise ConfigError(expected("at least one optimizer", "none"))
    if int(seeds) != seeds or seeds < 1:
        raise ConfigError(expected("seeds >= 1", seeds))
    if not (f_tol > 0 and math.isfinite(f_tol)):
        raise ConfigError(expected("f_tol > 0 (the tolerance on f - f_min)", f_tol, "e.g. 1e-6"))
    hyper = dict(hyper or {})
    lrs = dict(lrs or {})
    if lrs and tune != "none":
        raise ConfigError(expected("fixed lrs only with tune='none'", f"lrs for {sorted(lrs)} with tune={tune!r}",
                                   "pass tune='none' (--tune none), or drop the fixed lrs to tune them"))
    for what, given in (("lrs", lrs), ("hyper", hyper)):
        unknown = sorted(set(given) - set(optimizers))
        if unknown:
            raise ConfigError(expected(f"{what} for the racing optimizers {', '.join(optimizers)}", unknown,
                                       "name an optimizer of the race"))
    x0s = race_starts(s, starts, seed)
    f_min = s.f_min
    if lr_grid is None:
        lr_grid = np.logspace(-4, 1, 21 if tune == "halving" else 11)
    lr_grid = [float(v) for v in lr_grid]
    if tune != "none" and (not lr_grid or not all(0 < v < np.inf for v in lr_grid)):
        raise ConfigError(expected("a non-empty lr grid of positive, finite values", lr_grid,
                                   "e.g. lr_grid=np.logspace(-4, 1, 11)"))
    from ..progress import silent

    per_lr = len(x0s) * int(seeds)  # runs of each lr tried
    progress = (progress or silent()).start(len(optimizers) * per_lr * _planned_steps(tune, len(lr_grid), steps))
    racers = []
    for name in optimizers:
        common = dict(tol=None, preset=preset, grad_noise=grad_noise, bound=bound, **hyper.get(name, {}))
        progress.detail = name
        r = Racer(name=name, lr=math.nan)
        if tune == "none":
            lr = lrs.get(name)
            if lr is None:
                from ..optim import default_hyper

                lr = default_hyper(name, preset)["lr"]
            r.lr = float(lr)
        elif tune == "grid":
            for lr in lr_grid:
                sc = _mean_score(_runs(s, name, lr, x0s, seeds, steps, common), f_min)
                r.tuning.append((lr, sc, steps))
                r.budget += steps * len(x0s) * seeds
                progress.advance(steps * per_lr)
            r.lr = _best(r.tuning)
            r.grid_edge = _edge(r.lr, lr_grid)
        else:
            alive = list(lr_grid)
            rounds = max(1, math.ceil(math.log2(len(alive))))
            for i in range(rounds):
                k = max(1, int(steps * 2.0 ** (i - rounds + 1)))
                scored = []
                for lr in alive:
                    sc = _mean_score(_runs(s, name, lr, x0s, seeds, k, common), f_min)
                    r.tuning.append((lr, sc, k))
                    r.budget += k * len(x0s) * seeds
                    scored.append((sc, lr))
                    progress.advance(k * per_lr)
                scored.sort(key=lambda p: (p[0], p[1]))
                alive = [lr for _, lr in scored[: max(1, len(scored) // 2)]]
            r.lr = alive[0]
            r.grid_edge = _edge(r.lr, lr_grid)
        r.runs = _runs(s, name, r.lr, x0s, seeds, steps, common)
        progress.advance(steps * per_lr)
        racers.append(r)
    progress.detail = None
    settings = {"steps": steps, "tune": tune, "lr_grid": lr_grid if tune != "none" else None,
                "starts": int(starts), "seeds": int(seeds), "seed": seed, "f_tol": f_tol, "preset": preset,
                "grad_noise": grad_noise, "bound": bound, "optimizers": list(optimizers)}
    return RaceResult(surface=s, racers=racers, starts=x0s, settings=settings)


def _planned_steps(tune: str, n_grid: int, steps: int) -> int:
    """Optimizer steps of one optimizer from one start: its tuning (as ``race`` runs it) and its final run."""
    if tune == "none":
        return steps
    if tune == "grid":
        return (n_grid + 1) * steps
    total, alive = steps, n_grid
    rounds = max(1, math.ceil(math.log2(n_grid)))
    for i in range(rounds):
        total += alive * max(1, int(steps * 2.0 ** (i - rounds + 1)))
        alive = max(1, alive // 2)
    return total


def _best(tuning) -> float:
    # lowest score; ties (e.g. several lrs reaching the 1e-16 floor) go to the smaller lr,
    # the safer choice
    finite = [(sc, lr) for lr, sc, _ in tuning if not math.isinf(sc)]
    if not finite:
        return min(lr for lr, _, _ in tuning)
    return min(finite)[1]


def _edge(lr: float, grid) -> str | None:
    # a best lr at either end of the grid says the optimum may lie outside it
    if len(grid) < 2:
        return None
    if lr == min(grid):
        return "low"
    if lr == max(grid):
        return "high"
    return None
