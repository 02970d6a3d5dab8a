"""The tour: the whole chapter, computed, into one self-contained HTML report.

``run_tour(out_dir, seed, quick)`` runs, in the chapter's order,

1. Gradient descent: the derivative examples, GD on x², the learning-rate figures and
   Newton's method;
2. Batch size: the linear-regression derivation, then batch GD vs SGD vs mini-batch on
   real data;
3. Optimizers: the five update rules step by step, the fair optimizer race (picture and
   animation), the optimizer comparison on a real dataset, learning-rate decay;
4. Back-propagation: the slides' 2-2-1 example number by number and the 2-3-2-1
   network,

and writes ``index.html`` (figures embedded, no network needed) and ``results.json``
(every number, for comparing runs) into ``out_dir``.

Guarantees:

* the output folder is checked (created, written to and cleaned) **before** any work,
  so an unwritable folder fails at once with a sentence;
* the files are published as one pair (:mod:`.publish`: a fresh folder, then one
  atomic switch), so a kill leaves the old report or the new one, never a mix; an existing report
  is replaced whole or not at all, never half-written;
* the same seed gives the same numbers (``results.json``) on the same machine;
* a section that needs an optional package that is not installed (matplotlib, Pillow,
  scikit-learn, mlxtend: the ``lab`` extra) is reported as "not available: …" with the
  install hint, and the rest of the report is still written.
"""
from __future__ import annotations

import os
import platform
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from .. import __version__
from .._io import dumps_json
from .publish import publish
from ..errors import ConfigError, expected
from ..progress import Progress, silent
from .html import Account as AccountBlock
from .html import Figure, Note, Report, Section, TableBlock, Text, render

__all__ = ["run_tour", "prepare_output", "TourContext", "SECTIONS", "FIGURES"]


#: third-party packages of the ``lab`` extra; a missing one gets an install hint
_EXTRAS = ("matplotlib", "PIL", "sklearn", "mlxtend")
_EXTRAS_HINT = "; install the report's dependencies with: pip install 'descentlab[lab]'"


def prepare_output(out_dir: str | os.PathLike) -> Path:
    """Create ``out_dir`` if needed and prove it writable, before any work is done.

    Raises :class:`~descentlab.errors.ConfigError` with a sentence when the path is a
    file, cannot be created, or cannot be written.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ConfigError(expected("an output folder", f"{out} (an existing file)", "pass a folder with --out"))
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".descentlab-probe.", dir=out)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ConfigError(expected("a writable output folder", f"{out} ({exc.strerror or exc})",
                                   "choose another folder with --out, or fix its permissions")) from None
    return out


@dataclass
class TourContext:
    """What every section sees: the seed, the mode, a scratch folder and the results."""

    seed: int
    quick: bool
    scratch: Path
    results: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)

    _lectures: dict = field(default_factory=dict)

    def lecture(self, name: str, **params: Any):
        """A worked example's account, computed once per tour."""
        from ..lecture import run_example

    
        key = (name, tuple(sorted(params.items())))
        if key not in self._lectures:
            self._lectures[key] = run_example(name, **params)
        return self._lectures[key]

    def viz(self, fn: Callable, name: str, *args: Any, suffix: str = ".png", **kw: Any) -> bytes:
        """Run a descentlab.viz function that writes a file; return the file's bytes."""
        path = self.scratch / f"{name}{suffix}"
        return Path(fn(*args, out=path, **kw)).read_bytes()


def _account_block(acc, title: str = "the step-by-step account", options: str = "") -> AccountBlock:
    command = f"descentlab lecture {acc.example}" + (f" {options}" if options else "")
    return AccountBlock(f"Show {title} (as printed by: {command})", acc.text(),
                        [(c.claim, c.passed, c.detail) for c in acc.checks])


# -- 0. overview -------------------------------------------------------------------------
def _overview(ctx: TourContext, sec: Section) -> None:
    from ..lecture import list_examples

    rows = []
    for name in list_examples():
        acc = ctx.lecture(name)
        passed = sum(c.passed for c in acc.checks)
        rows.append([name, acc.title, f"{passed}/{len(acc.checks)}"])
    sec.add(Text("Each section follows the chapter: the lecture's worked example first, computed and explained "
                 "number by number, then the figures that show what the method does. Every worked example is "
                 "also a command: `descentlab lecture <example>` prints the same account, `--json` its numbers."))
    sec.add(TableBlock("lecture-checks", ["example", "what it computes", "claims checked"], rows,
                       "The worked examples and the lecture's claims they check",
                       "A claim is a statement of the slides (e.g. RMSProp's weights sum to 1) or an agreement with "
                       "an independent computation (central differences, descentlab.optim, descentlab.autodiff)."))
    ctx.results["overview"] = {r[0]: r[2] for r in rows}


# -- 1. gradient descent -----------------------------------------------------------------
def _derivatives(ctx: TourContext, sec: Section) -> None:
    from .figures import derivative_limits

    acc = ctx.lecture("derivatives")
    d = acc.data
    sec.add(Figure("derivative-limits", derivative_limits(acc), "The derivative as a limit; the gradient as steepest ascent",
                   "Left: the forward quotient [f(x+h) − f(x)]/h of f(x) = x³ at x0 = 1 approaches f'(1) = 3 with an "
                   "error proportional to h, until floating-point round-off (about ε/h) takes over below h ≈ 1e-8; "
                   "the central quotient's error falls like h².\n\n"
                   f"Right: the directional derivative of g = x² + xy + 2y² at (1, 1) over 360 directions. Its largest "
                   f"value, {d['directions']['best_value']:.4f}, is ‖∇g‖ = √34 = {d['gradient_norm']:.4f}, reached in the "
                   f"direction of ∇g = (3, 5) ({d['directions']['gradient_angle_deg']:.2f}°); the opposite direction "
                   "is steepest descent, and along the level curve (90° away) the derivative is 0."))
    sec.add(_account_block(acc))
    ctx.results["derivatives"] = {"gradient": d["gradient"], "gradient_norm": d["gradient_norm"],
                                  "best_angle_deg": d["directions"]["best_angle_deg"],
                                  "forward_at_h": {f"{r['h']:g}": r["forward"] for r in d["limit"]}}


def _gd_x2(ctx: TourContext, sec: Section) -> None:
    from ..viz import plot_descent_1d
    from .figures import gd_x2_runs

    acc = ctx.lecture("gd-x2")
    d = acc.data
    sec.add(Figure("gd-x2-runs", gd_x2_runs(acc), "Gradient descent on x²: the effect of the step size",
                   "On f(x) = x², each step multiplies x by (1 − 2γ). Below γ = ½ the iterates keep their sign "
                   "(γ = 0.01 crawls: 431 steps to reach the stop); γ = ½ lands on 0 in one step; between ½ and 1 they "
                   "flip sign but shrink; γ = 1 bounces between ±3 for ever; above 1 they grow and the run reports "
                   "the step at which it diverged. The dashed line is the stop ‖∇f‖ = 2|x| ≤ ε."))
    rows = [[k, v["regime"], v["stop"]["kind"], v["stop"]["step"],
             "never" if v["steps_to_stop"] is None else v["steps_to_stop"]] for k, v in d["step_sizes"].items()]
    sec.add(TableBlock("gd-x2-table", ["γ", "regime", "stop", "at step", "predicted t*"], rows,
                       f"Stops from x0 = {d['x0']:g} with ε = {d['eps']:g}",
                       "The predicted t* = ⌈ln(ε/2|x0|) / ln|1 − 2γ|⌉ comes from the closed form; the loop and "
                       "descentlab.train.minimize stop at exactly that step. Where |1 − 2γ| ≥ 1 the stop never "
                       "comes: γ = 1 runs out of steps, and a larger γ is stopped as diverged at the step shown."))
    pngs = [ctx.viz(plot_descent_1d, f"descent1d-{lr}", lr=lr, x0=3.0, steps=8, size=(5.0, 3.8)) for lr in (0.1, 0.9)]
    sec.add(Figure("descent-1d", pngs, "Steps on the curve: γ = 0.1 and γ = 0.9",
                   "Left, γ = 0.1: each step moves down the same side of the parabola, by a fifth of the distance "
                   "to the minimum. Right, γ = 0.9: each step jumps across the minimum and lands a little lower on "
                   "the other side; |x| shrinks by the same factor 0.8 as on the left."))
    sec.add(_account_block(acc))
    ctx.results["gd-x2"] = {k: {"stop": v["stop"], "x_last": v["x"][-1]} for k, v in d["step_sizes"].items()}


def _lr_figures(ctx: TourContext, sec: Section) -> None:
    from ..train.lr_analysis import compare_rates
    from ..viz import plot_lr_effects

    png = ctx.viz(plot_lr_effects, "lr-effects", steps=10 if ctx.quick else 12, steps_2d=15 if ctx.quick else 25,
                  size=(10.8, 7.6))  # the page's width: shown at 1:1
    sec.add(Figure("lr-effects", png, "Too small, good, too large, divergent",
                   "Top row: the four step-size regimes on x². Bottom row: the same regimes on an ill-conditioned "
                   "quadratic ½xᵀAx (eigenvalues 1 and 10): the step size that suits the steep direction is too small "
                   "for the flat one, and anything above 2/λ_max diverges. Each panel states γ and the predicted rate "
                   "ρ = max|1 − γλ|."))
    checks = compare_rates("quadratic", steps=60 if ctx.quick else 200)
    rows = [[c.method, c.lr, c.mu, c.predicted, c.measured, c.stop] for c in checks]
    sec.add(TableBlock("lr-rates", ["method", "γ", "μ", "predicted rate", "measured rate", "stop"], rows,
                       "Predicted against measured convergence rates on the quadratic",
                       "Gradient descent contracts the error by ρ = max_i |1 − γλ_i| per step, best at γ* = 2/(λ_min + "
                       "λ_max); heavy-ball momentum at Polyak's tuning does better, (√κ − 1)/(√κ + 1). The measured rate is "
                       "the geometric mean of ‖x_t − x*‖ ratios over the second half of the run."))
    ctx.results["lr-figures"] = {"rates": [c.to_dict() for c in checks]}
    _lr_range_test(ctx, sec)


def _lr_range_test(ctx: TourContext, sec: Section) -> None:
    """The learning-rate range test on digits: a practical way to pick the step size."""
    from ..data import load_dataset, standardize, train_val_split
    from ..nn import mlp
    from ..train.lr_finder import lr_find
    from ..viz import plot_lr_finder

    data = load_dataset("digits", seed=ctx.seed)
    train, _ = standardize(*train_val_split(data, 0.2, seed=ctx.seed))
    model = mlp([train.n_features, 32, train.n_outputs], "relu", seed=ctx.seed)
    res = lr_find(model, train, optimizer="sgd", steps=60 if ctx.quick else 200, lr_min=1e-4, lr_max=10.0,
                  seed=ctx.seed)
    png = ctx.viz(plot_lr_finder, "lr-finder", res, title="learning-rate range test: MLP on digits, SGD")
    sec.add(Figure("lr-finder", png, "Finding a good learning rate on real data",
                   "The range test trains for a few hundred mini-batch steps while the learning rate grows "
                   "exponentially, and records the loss: too small a rate barely moves it, a good one makes it fall "
                   "fastest, too large a one makes it blow up (the same four regimes as on x², now on a network). "
                   f"Here the loss falls fastest at lr ≈ {res.suggested_lr:.3g}; a tenth of the lr at the lowest loss "
                   f"is {res.min_loss_lr / 10:.3g}."))
    ctx.results["lr-figures"]["lr_finder"] = {"suggested_lr": res.suggested_lr, "min_loss_lr": res.min_loss_lr,
                                              "stopped_early": res.stopped_early}


def _newton(ctx: TourContext, sec: Section) -> None:
    from ..train.minimize import minimize
    from ..viz import plot_contours

    acc = ctx.lecture("newton")
    d = acc.data["rosenbrock"]
    newton = minimize("rosenbrock", [-1.2, 1.0], "newton", steps=20, tol=1e-10)
    gd = minimize("rosenbrock", [-1.2, 1.0], "sgd", lr=1e-3, steps=200 if ctx.quick else 2000, tol=1e-10)
    png = ctx.viz(plot_contours, "newton", "rosenbrock", {"Newton": newton, f"GD γ = 0.001 ({gd.steps} steps)": gd})
    sec.add(Figure("newton-rosenbrock", png, "Newton against gradient descent on Rosenbrock's function",
                   f"Newton's method x ← x − H⁻¹∇f reaches (1, 1) from (−1.2, 1) in {newton.steps} steps ({newton.stop}); "
                   f"gradient descent with γ = 0.001 is still crawling along the curved valley after {gd.steps} "
                   f"steps (f = {gd.f_final:.3g}). Newton's path leaves the valley on its second "
                   "step, where the local quadratic model is poor, and still converges quadratically once close."))
    ctx.results["newton"] = {"newton_steps": newton.steps, "newton_x": newton.x_final.tolist(), "gd_f": gd.f_final}
    rows = [[r["n"], r["x"].tolist(), r["grad_norm"]] for r in d["iterates"]]
    sec.add(TableBlock("newton-table", ["n", "x_n", "‖∇f(x_n)‖"], rows, "Pure Newton iterates on Rosenbrock's function",
                       "Far from the minimum the gradient norm can grow (Newton is not a descent method there); near it "
                       "the norm roughly squares each step: quadratic convergence. On a quadratic one step is exact "
                       "(first part of the account)."))
    sec.add(_account_block(acc))
    ctx.results["newton"]["lecture_x_last"] = d["iterates"][-1]["x"].tolist()


# -- 2. batch size -----------------------------------------------------------------------
def _batch_lecture(ctx: TourContext, sec: Section) -> None:
    from .figures import batch_size_paths

    acc = ctx.lecture("batch-size", seed=ctx.seed)
    d = acc.data
    sec.add(Note("The slides' BGD and MBGD losses are written without the ½ but their gradients without the 2; "
                 "descentlab uses L = 1/(2M) Σ (f − y)², whose gradient is exactly the printed one "
                 "(see part 4 of the account).", "warn"))
    sec.add(Figure("batch-size-paths", batch_size_paths(ctx.seed, epochs=6), "SGD, batch GD and mini-batch GD on the example",
                   "The same six points and learning rate. Batch GD takes one smooth step per epoch; SGD takes six noisy "
                   "steps per epoch, each on one sample; mini-batch GD (k = 2) sits between. With a constant η the "
                   "stochastic methods keep fluctuating around the least-squares solution w* instead of settling on it."))
    rows = [[m.upper(), [i + 1 for i in st["samples"]], st["grad"].tolist(), st["w_new"].tolist()]
            for m, st in d["steps"].items()]
    sec.add(TableBlock("batch-size-steps", ["method", "samples i", "gradient", "w after one step"], rows,
                       "One step of each from w = (0, 0)", "The formulas and every intermediate number are in the account."))
    sec.add(_account_block(acc))
    ctx.results["batch-size"] = {m: {"samples": st["samples"], "w_new": st["w_new"]} for m, st in d["steps"].items()}


def _batch_real(ctx: TourContext, sec: Section) -> None:
    from ..train.compare import compare_batching

    res = compare_batching("linear_regression", seed=ctx.seed, quick=ctx.quick)
    _comparison_blocks(ctx, sec, res, "batching", "Batch GD, SGD and mini-batch GD: the chapter's linear regression",
                       "The same model f_w(x) = wᵀx, the same data and the same number of epochs (passes over the data) "
                       "for each batching, with plain SGD updates at one fixed learning rate each (the table's lr column, "
                       "smaller for noisier gradients, not tuned per batching). Per epoch, SGD makes M updates and batch GD one, so "
                       "SGD gets far per epoch but each step is noisy; mini-batches average k gradients.")
    if not ctx.quick:
        res2 = compare_batching("digits", batchings=("full", "stochastic", "minibatch:32"), hidden=(32,),
                                epochs=6, seed=ctx.seed)
        _comparison_blocks(ctx, sec, res2, "batching-digits", "Batch GD, SGD and mini-batch GD: an MLP on digits",
                           "scikit-learn's 8×8 digits (1797 real images), an MLP with 32 hidden ReLU units, softmax "
                           "cross-entropy, plain SGD updates, 6 epochs each. Per epoch SGD makes "
                           f"{res2['config']['samples']} updates and batch GD "
                           "one, so with these step sizes SGD is far ahead per epoch; the right-hand panel puts the same "
                           "runs against wall-clock time, where SGD pays for its many small updates.")


# -- 3. optimizers -----------------------------------------------------------------------
def _optimizers(ctx: TourContext, sec: Section) -> None:
    from ..functions import Surface, get_surface
    from ..lecture.optimizers import HYPER, START
    from ..train.minimize import minimize
    from ..viz import plot_contours

    acc = ctx.lecture("optimizers")
    q = get_surface("quadratic", eigenvalues=(2.0, 20.0), angle=0.0, start=START)   # f = ½xᵀAx = x² + 10y²
    s = Surface(name="valley", dim=2, value=q.value, gradient=q.gradient, hessian=q.hessian, minima=q.minima,
                start=START, window=((-1.2, 1.2), (-1.2, 1.2)), formula="x² + 10y²")
    trajs = {}
    for name, h in HYPER.items():
        trajs[f"{name}"] = minimize(s, START, name, preset="lecture", steps=30, tol=None, **h)
    png = ctx.viz(plot_contours, "optimizers-steps", s, trajs, title="f = x² + 10y² from (1, 1): 30 steps, lecture preset")
    sec.add(Figure("optimizers-paths", png, "The five update rules on the valley f = x² + 10y²",
                   "The same start and the hyperparameters of the step-by-step account, for 30 steps. Momentum "
                   "overshoots across the steep y direction and swings back; Nesterov's look-ahead damps the swing; "
                   "AdaGrad and RMSProp divide each coordinate by its own gradient scale, so x and y shrink at the same "
                   "pace; Adam moves about η per coordinate per step at first. These three all normalise each "
                   "coordinate, so their first steps run along the same diagonal and their paths overlap here; the "
                   "table below tells them apart."))
    ctx.results["optimizers"] = {k: t.x_final.tolist() for k, t in trajs.items()}
    r = acc.data["runs"]
    rows = [[name, r[name][0]["x_new"].tolist(), r[name][-1]["x_new"].tolist(), r[name][-1]["f_new"]] for name in r]
    sec.add(TableBlock("optimizers-steps", ["optimizer", "x after step 1", f"x after step {len(r['adam'])}", f"f after step {len(r['adam'])}"], rows,
                       "The first steps, computed by the slides' equations",
                       "Each agrees with descentlab.optim under its `lecture` preset to the last bit (see the checks). "
                       "The account shows the state (v, S, m, v, m̂, v̂) after every step, and the lecture's claims: "
                       "AdaGrad's effective learning rate goes to 0, RMSProp's weights (1 − β)βⁱ sum to 1."))
    sec.add(_account_block(acc))
    ctx.results["optimizers"]["lecture_first_steps"] = {n: r[n][0]["x_new"].tolist() for n in r}
    _rprop(ctx, sec)


def _rprop(ctx: TourContext, sec: Section) -> None:
    """Beside RMSProp: the slide's "a mini-batch version of rprop", on numbers."""
    from ..viz.rprop import plot_minibatch_rprop

    acc = ctx.lecture("rprop")
    png = ctx.viz(plot_minibatch_rprop, "rprop-minibatch", acc.data["weights"], lr=acc.data["lr"])
    last = acc.data["drift_last_epoch"]
    sec.add(Figure("rprop-minibatch", png, "rprop with mini-batches, and how RMSProp repairs it",
                   "Ten mini-batches per epoch, nine with gradient +0.1 and one with −0.9: their sum is 0, so the full "
                   f"batch does not move. Dividing each by its own size (the sign) drifts {last['sign g/|g|']:.3g} per "
                   "epoch, rprop's growing steps far more; RMSProp divides every batch by the same √MeanSquare and "
                   f"drifts {last['rmsprop β=0.9']:.2g} per epoch (β = 0.9). See docs/lecture/rprop.md."))
    sec.add(_account_block(acc, "the rprop example"))
    ctx.results["rprop"] = last


def _race(ctx: TourContext, sec: Section) -> None:
    from ..sweep.race import sweep_race
    from ..viz import animate_race, plot_race

    k = ctx.seed
    steps, budget, tune, test = (60, 4, [k], [k + 10, k + 11]) if ctx.quick else \
        (500, 16, [k, k + 1, k + 2], [k + 10, k + 11, k + 12, k + 13, k + 14])
    sr = sweep_race("rosenbrock", steps=steps, protocol="halving", budget=budget, tune_seeds=tune, test_seeds=test)
    res = sr.result
    cmd = (f"descentlab race rosenbrock --protocol halving --steps {steps} --budget {budget} "
           f"--tune-seeds {','.join(map(str, tune))} --test-seeds {','.join(map(str, test))}")
    png = ctx.viz(plot_race, "race", res,
                  title=f"Rosenbrock: {steps} steps at each optimizer's tuned lr\n(paths from the first test start)")
    sec.add(Figure("race", png, "A fair race on Rosenbrock's function",
                   f"Six optimizers, each with its learning rate tuned by successive halving over {budget} learning "
                   f"rates, on the starts of seeds {tune}; then run {steps} steps from {len(test)} other starts that "
                   "tuning never saw, drawn from the plot window. Tuning and scoring on the same starts would reward "
                   "an lr fitted to those starts; the test starts measure how it carries over.\n\n"
                   f"{sr.caption()}\n\nThe drawn paths start at ({res.starts[0][0]:.3g}, {res.starts[0][1]:.3g}), "
                   f"the first test start. Command: `{cmd}`"))
    gif = ctx.viz(animate_race, "race", res, suffix=".gif", frames=12 if ctx.quick else 48, fps=8 if ctx.quick else 12,
                  dpi=100)
    sec.add(Figure("race-animation", gif, "The race, animated", "All optimizers advance one step per step; the markers (one shape each) are "
                   "the current points. Watch momentum-type methods overshoot the valley's bend and adaptive methods "
                   f"take near-constant-size steps. Command: `{cmd} --gif race.gif`", mime="image/gif"))
    rows = [[r["optimizer"], r["lr"], r["final"], r["best"], "-" if r["steps_to_target"] is None else r["steps_to_target"],
             r["reached"], r["diverged"]] for r in sr.rows()]
    sec.add(TableBlock("race-table", ["optimizer", "tuned lr", "final f − f* (median)", "best f − f* (median)",
                                      f"steps to f − f* ≤ {sr.target:g}", "reached", "diverged"], rows,
                       "Race results on the test starts, at each optimizer's tuned learning rate",
                       "Medians over the test starts, ordered by the final f − f* (a diverged run counts as +inf). "
                       "'best' is the lowest f − f* a run reached, 'steps to' the first step at or below the target "
                       "over the runs that got there ('reached' counts them): an optimizer can reach the target and "
                       f"end above it, and then leads on these columns but not on the final one. {sr.caption()}"))
    ctx.results["race"] = sr.to_dict()


def _compare_real(ctx: TourContext, sec: Section) -> None:
    from ..train.compare import compare_optimizers

    res = compare_optimizers("digits", seed=ctx.seed, quick=ctx.quick)
    _comparison_blocks(ctx, sec, res, "optimizers-real", "The six optimizers training an MLP on digits",
                       "scikit-learn's digits (1797 real 8×8 images of handwritten digits, 10 classes), an MLP with 32 "
                       "hidden ReLU units, mini-batches of 32, the same initial weights and the same batches for every "
                       "optimizer, each at one fixed PyTorch-convention learning rate picked by hand, not tuned here (the "
                       "ranking partly measures how well that rate suits each; the race above tunes on held-out "
                       "starts). Training loss on the whole training "
                       "set after each epoch; accuracy on the held-out quarter.")


def _decay(ctx: TourContext, sec: Section) -> None:
    from ..optim.schedules import Exponential, InverseTime, StepDecay
    from ..viz import plot_schedules

    acc = ctx.lecture("decay")
    d = acc.data
    scheds = {"step decay (halve every 10)": StepDecay(lr=d["lr0"], every=d["every"], gamma=0.5),
              f"exponential α0·e^(−{d['k']:g}t)": Exponential(lr=d["lr0"], k=d["k"]),
              f"1/t α0/(1 + {d['k']:g}t)": InverseTime(lr=d["lr0"], k=d["k"])}
    png = ctx.viz(plot_schedules, "schedules", scheds, steps=100, columns=3)
    sec.add(Figure("decay-schedules", png, "The slides' three learning-rate decays",
                   "Schedules are pure functions of the step, so they can be drawn before training. Step decay "
                   "halves in jumps; exponential decay becomes negligible (α_100 ≈ 4.5e-6); 1/t decay keeps a long "
                   "tail (α_100 = α0/11)."))
    rows = [[t, d["values"]["step"][i], d["values"]["exponential"][i], d["values"]["1/t"][i]] for i, t in enumerate(d["steps"])]
    sec.add(TableBlock("decay-table", ["t", "step", "exponential", "1/t"], rows, "The schedules at chosen steps",
                       f"α0 = {d['lr0']:g}, k = {d['k']:g}; the formulas and descentlab.optim.schedules agree exactly."))
    sec.add(_account_block(acc))
    ctx.results["decay"] = d["values"]


# -- 4. back-propagation -----------------------------------------------------------------
def _backprop(ctx: TourContext, sec: Section) -> None:
    from .figures import backprop_network, slide_comparison

    acc = ctx.lecture("backprop")
    d = acc.data
    sec.add(Figure("backprop-network", backprop_network(acc), "Example II: one forward and one backward pass",
                   "The slides' 2-2-1 sigmoid network with x = (0.35, 0.9), target 0.5 and E = ½(y5 − ya)². Each weight "
                   "is shown with its value after one step of w ← w − η ∂E/∂w (η = 1, all weights updated from the same "
                   "gradients); the error falls from 0.018104 to 0.016565."))
    rows, hl = [], {}
    for i, r in enumerate(d["slide"]):
        rows.append([r["quantity"], r["slide"], f"{r['value']:.10g}", r["status"]])
        if r["status"] in ("wrong", "truncated"):
            hl[i] = r["status"]
    notes = []
    seen = set()
    for r in d["slide"]:
        if r["explanation"] and r["explanation"] not in seen:
            seen.add(r["explanation"])
            notes.append(f"{r['quantity']}: {r['explanation']}")
    sec.add(TableBlock("backprop-slide", ["quantity", "slide", "float64", "status"], rows,
                       "Every number on the slides beside the exact value", "\n\n".join(notes), highlight=hl))
    sec.add(Figure("backprop-slide-errors", slide_comparison(acc), "How far each slide figure is from the exact value",
                   "Relative difference, log scale. Rounded figures sit near 1e-4 to 1e-3 (three or four digits); the "
                   "wrong ones are the y3 = 0.682 slip, the error from the rounded y5, the gradient of w53 that uses y4, "
                   "and the new weights (the hidden ones all come from one dot-product mix-up, reproduced to the "
                   "eight printed decimals in the notes above)."))
    sec.add(_account_block(acc))
    ctx.results["backprop"] = {"forward": d["forward"], "gradients": d["gradients"], "new_weights": d["new_weights"],
                               "E_new": d["after"]["E"], "slide": {r["quantity"]: r["status"] for r in d["slide"]}}


def _backprop_2321(ctx: TourContext, sec: Section) -> None:

    acc = ctx.lecture("backprop", network="2-3-2-1")
    d = acc.data
    g = d["gradients"]
    rows = [[k, np.asarray(g[k]).round(10).tolist()] for k in ("W3", "b3", "W2", "b2", "W1", "b1")]
    sec.add(TableBlock("backprop-2321", ["parameter", "∂E/∂parameter"], rows,
                       f"The 2-3-2-1 network: gradients (E = {d['E']:.8f} → {d['E_new']:.8f} after one step)",
                       "The slides define this network but print no numbers, so the weights are illustrative. The "
                       "hand-written generalised delta rule agrees with descentlab's autodiff (largest difference "
                       f"{_num(d['check']['autodiff_max_error'])}) and with float64 central differences "
                       f"({_num(d['check']['central_difference_max_error'])})."))
    sec.add(_account_block(acc, options="--network 2-3-2-1"))
    ctx.results["backprop-2321"] = {"E": d["E"], "E_new": d["E_new"], "check": d["check"]}


# -- helpers for the comparisons built by descentlab.train.compare -------------------------
def _num(v) -> str:
    return "n/a" if v is None else f"{v:.2g}"


_TIMING_KEYS = ("wall_s", "steps_per_s", "seconds_to_target", "time")


def _without_timings(obj):
    """The same structure without wall-clock values (they differ from run to run)."""
    if isinstance(obj, dict):
        return {k: _without_timings(v) for k, v in obj.items() if k not in _TIMING_KEYS}
    if isinstance(obj, (list, tuple)):
        return [_without_timings(v) for v in obj]
    return obj


def _comparison_blocks(ctx: TourContext, sec: Section, res: dict, key: str, caption: str, explanation: str) -> None:
    """A comparison result from descentlab.train.compare: its curves (drawn by descentlab.viz) and its table."""
    from ..viz import plot_comparison

    sec.add(Figure(key, ctx.viz(plot_comparison, key, res), caption, explanation))
    rows = res["rows"]
    if res.get("kind") == "batching":
        head = ["batching", "lr", "updates", "final train loss", "final val loss", "epochs to target", "wall s"]
        body = [[r["batching"], r["lr"], r["steps"], r["final_train_loss"], r["final_val_loss"],
                 "-" if r["epochs_to_target"] is None else r["epochs_to_target"], r["wall_s"]] for r in rows]
        why = (f"Target: training loss ≤ {res['config']['target_loss']:.4g} (1.1 × the best final loss). Wall time "
               "excludes the end-of-epoch measurement; it varies from run to run, the losses do not.")
    else:
        head = ["optimizer", "lr", "final train loss", "final val accuracy", "best val accuracy", "best epoch", "wall s"]
        body = [[r["optimizer"], r["lr"], r["final_train_loss"], r["final_val_accuracy"], r["best_val_accuracy"],
                 r["best_epoch"], r["wall_s"]] for r in rows]
        why = (f"{res['config']['epochs']} epochs on {res['config']['samples']} training samples, preset "
               f"{res['config']['preset']}. Wall time varies from run to run; losses and accuracies do not.")
    sec.add(TableBlock(f"{key}-table", head, body, caption, why))
    ctx.results[key] = _without_timings(res)
    ctx.timings[key] = {r.get("batching", r.get("optimizer")): r["wall_s"] for r in rows}


def _playground(ctx: TourContext, sec: Section) -> None:
    from .playground import PAGE_NAME, PlaygroundBlock

    sec.add(PlaygroundBlock())
    ctx.results["playground"] = {"file": PAGE_NAME}  # run_tour writes it beside index.html


# -- the table of contents ---------------------------------------------------------------
#: (key, title, level, builder, intro); level-2 entries without a builder are part headings
SECTIONS: list[tuple[str, str, int, Callable | None, str]] = [
    ("overview", "What this report contains", 2, _overview, ""),
    ("part-gd", "1. Gradient descent", 2, None,
     "The derivative, the gradient as the direction of steepest ascent, the update x ← x − γ∇f with its stopping "
     "rule ‖∇f‖ ≤ ε, the effect of the step size, and Newton's method."),
    ("derivatives", "Derivative, partial and directional derivatives, gradient", 3, _derivatives, ""),
    ("gd-x2", "Gradient descent on f(x) = x²", 3, _gd_x2, ""),
    ("lr-figures", "The effect of the learning rate", 3, _lr_figures, ""),
    ("newton", "Newton's method", 3, _newton, ""),
    ("part-batch", "2. Batch size: batch GD, SGD, mini-batch GD", 2, None,
     "How many samples each gradient step uses: all of them (batch GD), one chosen at random (SGD) or k of them "
     "(mini-batch GD)."),
    ("batch-size", "The linear-regression derivation", 3, _batch_lecture, ""),
    ("batch-real", "Batch GD vs SGD vs mini-batch on real data", 3, _batch_real, ""),
    ("part-opt", "3. Optimizers", 2, None,
     "Momentum, Nesterov, AdaGrad, RMSProp and Adam; a fair race between them; a comparison on a real dataset; "
     "learning-rate decay."),
    ("optimizers", "The update rules, step by step", 3, _optimizers, ""),
    ("race", "The optimizer race", 3, _race, ""),
    ("compare-real", "The optimizers on a real dataset", 3, _compare_real, ""),
    ("decay", "Learning-rate decay", 3, _decay, ""),
    ("part-bp", "4. Back-propagation", 2, None,
     "The error is sent back through the network with the chain rule; each weight moves by −η ∂E/∂w (the "
     "generalised delta rule)."),
    ("backprop", "The slides' Example II (2-2-1), number by number", 3, _backprop, ""),
    ("backprop-2321", "The 2-3-2-1 network", 3, _backprop_2321, ""),
    ("playground", "5. The playground: move the sliders yourself", 2, _playground, ""),
]

#: every figure the full report must contain (the tests check them)
FIGURES = ["derivative-limits", "gd-x2-runs", "descent-1d", "lr-effects", "lr-finder", "newton-rosenbrock",
           "batch-size-paths", "batching", "optimizers-paths", "race", "race-animation", "optimizers-real",
           "decay-schedules", "backprop-network", "backprop-slide-errors"]


def _shown_keys(only: Sequence[str] | None) -> set[str]:
    """The sections the page shows: the chosen ones, and a part heading when one of its sections runs."""
    if only is None:
        return {s[0] for s in SECTIONS}
    shown: set[str] = set()
    heading = None
    for key, _, level, builder, _ in SECTIONS:
        if level <= 2:
            heading = key if builder is None else None
        if builder is not None and key in only:
            shown.add(key)
            if heading is not None:
                shown.add(heading)
    return shown


#: each section's cost in seconds, (quick, full), measured on the 2-vCPU development machine: the ETA starts
#: from these and follows the measured pace (seconds taken per estimated second) once a section is done
SECTION_COST_S = {"overview": (0.7, 0.5), "derivatives": (0.9, 0.9), "gd-x2": (0.8, 0.8), "lr-figures": (1.4, 1.4),
                  "newton": (0.2, 0.3), "batch-size": (1.0, 0.6), "batch-real": (0.4, 2.0), "optimizers": (0.5, 0.6),
                  "race": (0.9, 5.8), "compare-real": (0.4, 1.2), "decay": (0.4, 0.2), "backprop": (0.4, 0.3),
                  "backprop-2321": (0.05, 0.05), "playground": (0.05, 0.05)}


def _cost(key: str, quick: bool) -> float:
    return SECTION_COST_S.get(key, (1.0, 2.0))[0 if quick else 1]


def run_tour(out_dir: str | os.PathLike = "descentlab-report", seed: int = 0, quick: bool = False,
             progress: Progress | None = None, only: Sequence[str] | None = None) -> Path:
    """Run the tour and return the path of ``index.html`` in ``out_dir``.

    Parameters
    ----------
    out_dir : path
        The output folder (created); ``index.html`` and ``results.json`` are written there.
    seed : int
        Seed of every random choice (batch sampling, race starts, data splits).
    quick : bool
        A small, fast run (fewer steps and epochs, short animation) for tests.
    progress : descentlab.progress.Progress, optional
        Counts the sections by their estimated cost (:data:`SECTION_COST_S`), so its ETA
        is the whole tour's; a section that cannot run is said on it. None: silent.
    only : sequence of str, optional
        Run only these sections (keys of :data:`SECTIONS`, e.g. ``["race"]``); a part
        heading is kept only when one of its sections runs.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ConfigError(expected("seed, an integer >= 0", seed, "pass --seed 0"))
    keys = [k for k, _, _, b, _ in SECTIONS if b is not None]
    if only is not None:
        unknown = [k for k in only if k not in keys]
        if unknown or not only:
            raise ConfigError(expected(f"section names among {', '.join(keys)}", ", ".join(unknown) or "none",
                                       "pass --only with names from that list"))
    out = prepare_output(out_dir)       # fails before any work when the folder is unusable
    t_start = time.perf_counter()
    report = Report("descentlab: Chapter 4, Optimization",
                    f"From the derivative to Adam: the chapter's worked examples computed number by number, and the "
                    f"figures that show each method at work. descentlab {__version__}, seed {seed}"
                    f"{', quick mode (small runs)' if quick else ''}.")
    runnable = [s for s in SECTIONS if s[3] is not None and (only is None or s[0] in only)]
    progress = progress or silent()
    progress.unit = None  # counted in estimated seconds: a percentage and the ETA, no counts
    progress.prior_rate = 1.0
    progress.start(sum(_cost(s[0], quick) for s in runnable))
    done = 0.0
    shown = _shown_keys(only)
    missing = []
    section_times: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="descentlab-tour-") as scratch:
        ctx = TourContext(seed=int(seed), quick=bool(quick), scratch=Path(scratch))
        i = 0
        for key, title, level, builder, intro in SECTIONS:
            sec = Section(key, title, intro, level=level)
            if key not in shown:
                continue
            report.sections.append(sec)
            if builder is None:
                continue
            i += 1
            progress.update(done, detail=f"[{i}/{len(runnable)}] {title}")
            t0 = time.perf_counter()
            try:
                builder(ctx, sec)
            except ImportError as exc:  # an optional package (matplotlib, Pillow, scikit-learn, mlxtend) is missing
                hint = _EXTRAS_HINT if (exc.name or "").split(".")[0] in _EXTRAS else ""
                m = f"{exc.name or 'a module'} ({exc}){hint}"
                sec.add(Note(f"not available: {m}. A package this section needs is not installed, so the section "
                             "could not be computed.", "missing"))
                missing.append(f"{key}: {m}")
                progress.message(f"{title}: not available: {m}")
            sec.seconds = time.perf_counter() - t0
            section_times[key] = sec.seconds
            done += _cost(key, quick)  # counted when the next section starts (or the tour ends)
        total = time.perf_counter() - t_start
        report.footer = (f"Written by `descentlab tour` (descentlab {__version__}, NumPy {np.__version__}, Python "
                         f"{platform.python_version()}), seed {seed}{', quick mode' if quick else ''}, in {total:.0f} s. "
                         "Every number in this page is also in results.json beside it. Regenerate with "
                         f"`descentlab tour --seed {seed}{' --quick' if quick else ''}`.")
        results = {"descentlab": __version__, "seed": int(seed), "quick": bool(quick), "missing": missing,
                   "sections": ctx.results, "timings_s": {"sections": section_times, "runs": ctx.timings}}
        page = render(report)
    files = {"results.json": (dumps_json(results) + "\n").encode("utf-8"), "index.html": page.encode("utf-8")}
    if "playground" in ctx.results:  # the interactive page the report links to
        from .playground import PAGE_NAME, build_page

        files[PAGE_NAME] = build_page().encode("utf-8")
    path = publish(out, files)["index.html"].absolute()
    progress.done = done  # no line of its own: the owner's final line follows
    progress.detail = (f"{len(runnable)} section{'s' if len(runnable) != 1 else ''}"
                       + (f", {len(missing)} not available" if missing else ""))
    return path
