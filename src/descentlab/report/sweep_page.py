"""The HTML page of a sweep: ``descentlab sweep report --store S.db -o DIR`` writes DIR/index.html.

It shows, scored on the test seeds only: the tuned configuration of every optimizer on
every problem with bootstrap confidence intervals, tuned against default
hyperparameters, the learning-rate sensitivity curves, the test learning curves, the
performance profile and a rank table that marks where an order is not significant.
Numbers come from :mod:`descentlab.sweep.analysis`, pictures from :mod:`descentlab.viz.sweeps`.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

from .._io import atomic_write_text, dumps_json
from .html import Figure, Note, Report, Section, TableBlock, Text, render

__all__ = ["write_sweep_report", "sweep_report"]


def _num(x) -> str:
    if x is None:
        return "-"
    if isinstance(x, float) and not math.isfinite(x):
        return "diverged" if x > 0 else "-inf"
    return f"{x:.3g}"


def _hyper(h: dict) -> str:
    return ", ".join(f"{k}={_num(v) if isinstance(v, float) else v}" for k, v in h.items()) or "preset defaults"


def _score(stats) -> str:
    from ..sweep.analysis import DIVERGED_SCORE

    if stats.score >= DIVERGED_SCORE:
        return "diverged"
    lo, hi = stats.ci
    show = lambda v: "div." if v >= DIVERGED_SCORE else f"{v:.2f}"
    return f"{stats.score:.2f} [{show(lo)}, {show(hi)}]"


def _steps(stats) -> str:
    if stats.steps_to_target is None:
        return f"- (0/{stats.n})"
    return f"{stats.steps_to_target:g} ({stats.reached}/{stats.n})"


def _command(store: str, out: str) -> str:
    return f"`descentlab sweep report --store {store} -o {out}`"


def sweep_report(study, store, out: str = "sweep-report") -> Report:
    """The page as a :class:`~descentlab.report.html.Report` (nothing written)."""
    from ..sweep import study_status
    from ..sweep.analysis import analyse, difference_ci
    from ..viz.sweeps import profile_png, sensitivity_png, test_curves_png

    a = analyse(study, store)
    st = study_status(study, store)
    cmd = _command(os.fspath(store.path), out)
    opts = ", ".join(o.label for o in study.optimizers)
    rep = Report(
        title=f"Sweep {study.name}",
        subtitle=(f"{len(study.problems)} problems x {len(study.optimizers)} optimizers ({opts}); protocol "
                  f"{study.protocol}, budget {study.budget} configurations each; tuned on seeds {study.tune_seeds}, "
                  f"scored on seeds {study.test_seeds} only. Runs: {st['done']} done, {st['failed']} failed, "
                  f"{st['left']} left of {st['total']}."),
        footer=f"Rebuild this page with {cmd}; rerun the study with "
               f"`descentlab sweep run STUDY.toml --store {os.fspath(store.path)}` (stored runs are skipped).")
    if not a.complete:
        rep.sections.append(Section("incomplete", "Unfinished", blocks=[Note(
            f"{a.missing} runs are still missing; cells without all their runs are left out. "
            f"Finish them with `descentlab sweep run STUDY.toml --store {os.fspath(store.path)}`.", "missing")]))
    explain = ("Columns, all on the test seeds at the tuned configuration: score = median over seeds of "
               "log10(final metric), with its 95% bootstrap interval; final = median metric at the last step "
               "(a diverged run counts as +inf, so the cell says 'diverged' when half or more did); best = median of the lowest metric each run reached; steps to target = "
               "median first step with metric <= target, over the runs that reached it (how many did in brackets). "
               "An optimizer that reached the target and then wandered off has a good best and steps to target but a "
               "worse final: the table shows all three, and ranks by the final.")
    best = Section("best", "Tuned optimizers on the test seeds", intro=explain)
    ranks = a.ranks()
    for p in a.problems():
        rows, cells = [], {c.optimizer: c for c in a.cells if c.problem == p}
        if not cells:
            continue
        for r in ranks[p]:
            c = cells[r["optimizer"]]
            mark = "≈ best" if r["tied_with_best"] else ("best" if r["rank"] == 1 else "")
            rows.append([r["rank"], c.optimizer, _hyper(c.tuned.hyper), _score(c.tuned), _num(c.tuned.final),
                         _num(c.tuned.best), _steps(c.tuned), f"{c.tuned.diverged}/{c.tuned.n}", mark])
        c0 = next(iter(cells.values()))
        best.add(TableBlock(f"best-{p}", ["rank", "optimizer", "tuned", "score [95% CI]", "final", "best",
                                          "steps to target", "diverged", "vs best"], rows,
                            caption=f"{p}: metric {c0.metric}, target {_num(c0.target)}",
                            explanation=("'≈ best': the bootstrap interval of the score difference to rank 1 "
                                         "contains 0, so that order is not significant. " + f"Command: {cmd}")))
    rep.sections.append(best)

    tvd = Section("default", "Tuned against default hyperparameters",
                  intro="The default configuration is the preset's, with no search values; both run on the same "
                        "test seeds. Δ = tuned score − default score (negative: tuning helped), with its 95% interval.")
    rows = []
    for c in a.cells:
        lo, hi = difference_ci(c.default.scores, c.tuned.scores)
        rows.append([c.problem, c.optimizer, _score(c.default), _score(c.tuned),
                     f"{c.tuned.score - c.default.score:+.2f} [{lo:+.2f}, {hi:+.2f}]"
                     if max(c.tuned.score, c.default.score) < 400 else "-",
                     "yes" if hi < 0 else ("no" if lo <= 0 <= hi else "worse")])
    tvd.add(TableBlock("tuned-vs-default", ["problem", "optimizer", "default score", "tuned score", "Δ [95% CI]",
                                            "tuning helped"], rows, caption="tuned vs default, test seeds",
                       explanation=f"Command: {cmd}"))
    rep.sections.append(tvd)

    sens = Section("sensitivity", "Learning-rate sensitivity (tune seeds)",
                   intro="Each configuration tried, its tuning score against its learning rate (DeepOBS's "
                         "sensitivity plot). A flat, wide valley is an optimizer that is easy to tune; crosses on the "
                         "top edge diverged. Dotted lines mark the tuned lr.")
    for p in a.problems():
        if any(c.problem == p for c in a.cells) and "lr" in study.space.names:
            sens.add(Figure(f"sens-{p}", sensitivity_png(a, p), f"{p}: score against lr",
                            f"Command: {cmd}"))
    rep.sections.append(sens)

    curves = Section("curves", "Learning curves of the tuned optimizers (test seeds)")
    for p in a.problems():
        if any(c.problem == p for c in a.cells):
            curves.add(Figure(f"curves-{p}", test_curves_png(a, p), f"{p}: median metric per step",
                              f"The dashed line is the target that 'steps to target' counts. Command: {cmd}"))
    rep.sections.append(curves)

    prof = Section("profile", "Performance profile and ranks across problems",
                   intro="ρ(τ): the share of problems on which an optimizer reached the target (on at least half "
                         "of the test seeds) within τ times the steps of the fastest. Higher and further left is "
                         "better; the height at the right end is the share of problems solved at all.")
    if a.cells:
        prof.add(Figure("profile", profile_png(a), "Dolan–Moré performance profile on steps to target",
                        f"Command: {cmd}"))
        mr = a.mean_ranks()
        prof.add(TableBlock("mean-ranks", ["optimizer", "mean rank"],
                            [[o, f"{r:.2f}"] for o, r in sorted(mr.items(), key=lambda kv: kv[1])],
                            caption="mean rank over problems (by score; 1 = best)",
                            explanation="Ranks follow the tables above; ties in significance are marked there."))
    rep.sections.append(prof)
    rep.sections.append(Section("data", "Data", blocks=[Text(
        f"Every run is in the store; `descentlab sweep export --store {os.fspath(store.path)} -o runs.csv` "
        "(or runs.json) writes them all, with config, seed, final and best metric, steps to target, the step a "
        "run diverged at, and a thinned learning curve.")]))
    return rep


def write_sweep_report(study, store, out: str | os.PathLike = "sweep-report") -> Path:
    """Write ``out/index.html`` (self-contained) and ``out/analysis.json``; return the page's path."""
    from ..sweep.analysis import analyse

    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(20, "Not a directory", str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    page = render(sweep_report(study, store, os.fspath(out)))
    atomic_write_text(folder / "analysis.json", dumps_json(analyse(study, store).to_dict(), indent=1) + "\n")
    return atomic_write_text(folder / "index.html", page)
