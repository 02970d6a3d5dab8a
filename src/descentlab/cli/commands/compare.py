"""``descentlab compare batching|optimizers``: the lecture's comparisons, as a plot and a JSON table."""
from __future__ import annotations

import argparse
import math

from .._status import diverged
from .._common import MAX_STEPS, add_count_flag
from .._common import (add_epochs_flag, add_json_flag, add_name_lr_flag, add_out_flag, add_quiet_flag, add_seed_flag, emit,
                       hidden_sizes, name_lrs, progress, say)

NAME = "compare"
HELP = "compare batch GD vs SGD vs mini-batch, or SGD/momentum/Nesterov/AdaGrad/RMSProp/Adam"


_BATCHING_DESCRIPTION = """\
Batch GD, SGD (one sample a step) and mini-batch GD on the same data, from the same
weights, for the same number of epochs; a table of steps, time and loss, and a plot of
the loss against epochs and seconds.

examples:
  descentlab compare batching
  descentlab compare batching --batchings full,minibatch:8,minibatch:64 --epochs 30
  descentlab compare batching digits --hidden 32 --lr minibatch=0.05 -o batching.png --json
"""

_OPTIMIZERS_DESCRIPTION = """\
SGD, momentum, Nesterov, AdaGrad, RMSProp and Adam train the same MLP from the same
weights on the same batches; a table of loss and validation accuracy, and a plot.
Without --protocol each optimizer runs at one fixed lr that is not tuned (the output
says "untuned"); with --protocol each lr is tuned on the tune seeds and scored on the
test seeds.

examples:
  descentlab compare optimizers
  descentlab compare optimizers iris --optimizers sgd,adam --lr adam=0.01 --epochs 30
  descentlab compare optimizers --preset keras -o optimizers.png --json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    fmt = argparse.RawDescriptionHelpFormatter
    sub = parser.add_subparsers(dest="what", required=True, metavar="{batching,optimizers}")
    b = sub.add_parser("batching", help="batch GD vs SGD vs mini-batch GD, same data and epochs",
                       description=_BATCHING_DESCRIPTION, formatter_class=fmt)
    b.add_argument("dataset", nargs="?", default="linear_regression",
                   help="a dataset name or .npz/.csv path (default: the chapter's linear regression)")
    b.add_argument("--batchings", default="full,stochastic,minibatch:16",
                   help="comma-separated batchings (default full,stochastic,minibatch:16)")
    add_epochs_flag(b, 20)
    b.add_argument("--hidden", type=hidden_sizes, default="", help="hidden sizes for an MLP (default none: f_w(x) = wᵀx)")
    add_out_flag(b, "compare_batching.png", "plot file")
    o = sub.add_parser("optimizers", help="SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam on a real dataset",
                       description=_OPTIMIZERS_DESCRIPTION, formatter_class=fmt)
    o.add_argument("dataset", nargs="?", default="digits", help="a dataset name or .npz/.csv path (default digits)")
    o.add_argument("--optimizers", default="sgd,momentum,nesterov,adagrad,rmsprop,adam",
                   help="comma-separated optimizer names (default: the lecture's six)")
    add_epochs_flag(o, 15)
    o.add_argument("--batching", default="minibatch:32", help="full, stochastic, minibatch:K (default minibatch:32)")
    o.add_argument("--hidden", type=hidden_sizes, default="32", help="hidden layer sizes (default 32)")
    o.add_argument("--preset", default="pytorch",
                   help="convention preset: pytorch (default), keras, optax, cs231n, lecture")
    o.add_argument("--protocol", choices=["halving", "grid", "random", "deepobs"],
                   help="compare as a sweep: tune each lr by this protocol on the tune seeds, score on the test seeds "
                        "(DATASET digits or mnist_5k, or any sweep problem name, e.g. logistic)")
    add_count_flag(o, "--budget", what="lrs tried per optimizer", default=8, help="with --protocol: lrs tried per optimizer (default 8)")
    add_count_flag(o, "--steps", cap=MAX_STEPS, what="updates per run", optional=True, default=None, help="with --protocol: steps per run (default: the problem's)")
    o.add_argument("--tune-seeds", default="0,1", help="with --protocol: tuning seeds (default 0,1)")
    o.add_argument("--test-seeds", default="10,11,12", help="with --protocol: scoring seeds (default 10,11,12)")
    add_out_flag(o, "compare_optimizers.png", "plot file")
    for p in (b, o):
        add_name_lr_flag(p, "learning rate for one run, e.g. adam=0.003 or minibatch=0.05 (repeatable)")
        p.add_argument("--quick", action="store_true", help="a small, fast run")
        p.add_argument("--no-plot", action="store_true", help="skip the plot")
        add_seed_flag(p)
        add_json_flag(p)
        add_quiet_flag(p)


def _num(value, fmt: str, width: int) -> str:
    """``value`` in ``fmt``, or '-' (right-aligned) for a missing or non-finite value: never 'nan'."""
    if value is None or isinstance(value, str) or not math.isfinite(value):
        return f"{'-':>{width}}"
    return f"{value:{width}{fmt}}"


def _stop(row: dict) -> str:
    if row["stop"] == "diverged":
        return f"diverged at step {row['stop_step']}"
    return "all epochs" if row["stop"] == "max_steps" else row["stop"]


def _table(result: dict) -> str:
    """The rows as text; a diverged run shows its step, and '-' instead of its losses."""
    rows = result["rows"]
    lines = []
    if result["kind"] == "batching":
        head = (f"{'batching':34} {'lr':>7} {'steps':>6} {'wall s':>7} {'train loss':>11} {'epochs→target':>14}  "
                f"stop")
        for r in rows:
            ok = r["stop"] != "diverged"
            lines.append(f"{r['batching']:34} {r['lr']:7.3g} {r['steps']:6d} {r['wall_s']:7.3f} "
                         f"{_num(r['final_train_loss'] if ok else None, '.4g', 11)} "
                         f"{_num(r['epochs_to_target'], 'd', 14)}  {_stop(r)}")
    else:
        head = f"{'optimizer':10} {'lr':>7} {'wall s':>7} {'train loss':>11} {'val acc':>8} {'best':>6}  stop"
        for r in rows:
            ok = r["stop"] != "diverged"
            lines.append(f"{r['optimizer']:10} {r['lr']:7.3g} {r['wall_s']:7.3f} "
                         f"{_num(r['final_train_loss'] if ok else None, '.4g', 11)} "
                         f"{_num(r['final_val_accuracy'] if ok else None, '.4f', 8)} "
                         f"{_num(r['best_val_accuracy'], '.4f', 6)}  {_stop(r)}")
    if any(r["stop"] == "diverged" for r in rows):
        lines.append("a diverged run's losses are left out ('-'); lower its lr with --lr NAME=LR")
    if result["kind"] == "optimizers" and not result.get("tuned", True):
        head = "optimizers, untuned (one fixed lr each)\n" + head
        lines.append(result["note"])
    return "\n".join([head, *lines])


_SWEEP_PROBLEMS = {"digits": "digits-mlp", "mnist_5k": "mnist-mlp", "mnist": "mnist-mlp"}


def _compare_sweep(args: argparse.Namespace) -> int:
    """``compare optimizers --protocol P``: :func:`descentlab.sweep.race.compare_on_sweep`."""
    from ...errors import ConfigError, expected
    from ...sweep import make_executor, problem_names
    from ...sweep.race import compare_on_sweep
    from .race import _seeds

    problem = _SWEEP_PROBLEMS.get(args.dataset.lower().replace("-", "_"), args.dataset)
    if problem.partition(":")[0].lower().replace("_", "-") not in problem_names():
        raise ConfigError(expected("digits, mnist_5k or a sweep problem with --protocol", repr(args.dataset),
                                   f"pick one of {', '.join(problem_names())}"))
    executor = make_executor()
    try:
        with progress(args, f"compare optimizers ({args.protocol})", unit="runs") as line:
            res = compare_on_sweep(problem, [s for s in args.optimizers.split(",") if s], steps=args.steps,
                                   protocol=args.protocol, budget=args.budget,
                                   tune_seeds=_seeds(args.tune_seeds, "--tune-seeds"),
                                   test_seeds=_seeds(args.test_seeds, "--test-seeds"), preset=args.preset,
                                   executor=executor, progress=line)
    finally:
        executor.close()
    emit(args, res.to_dict(), res.table)
    return 0


def run(args: argparse.Namespace) -> int:
    from ...train.compare import compare_batching, compare_optimizers

    if args.what == "optimizers" and args.protocol:
        return _compare_sweep(args)
    if not args.no_plot:
        from ...viz._mpl import out_path

        out_path(args.out, (".png",))  # a bad plot path is refused before the runs, not after
    names = [s.strip() for s in (args.batchings if args.what == "batching" else args.optimizers).split(",") if s.strip()]
    if not names:
        from ...errors import ConfigError, expected

        flag = "--batchings" if args.what == "batching" else "--optimizers"
        raise ConfigError(expected(f"at least one name in {flag}", "none", f"e.g. {flag} "
                                   + ("full,minibatch:16" if args.what == "batching" else "sgd,adam")))
    with progress(args, f"compare {args.what}") as line:
        if args.what == "batching":
            result = compare_batching(args.dataset, batchings=names,
                                      lrs=name_lrs(args.lr), epochs=args.epochs, hidden=args.hidden, seed=args.seed,
                                      quick=args.quick, progress=line)
        else:
            result = compare_optimizers(args.dataset, optimizers=names,
                                        lrs=name_lrs(args.lr), epochs=args.epochs, batching=args.batching,
                                        hidden=args.hidden, preset=args.preset, seed=args.seed, quick=args.quick,
                                        progress=line)
    if not args.no_plot:
        from ...data.registry import dataset_title
        from ...viz.training import plot_comparison

        title = None
        if result["kind"] == "optimizers" and not result.get("tuned", True):
            title = (f"optimizers on {dataset_title(result['config']['data'])}, untuned: one fixed lr each "
                     "(--protocol tunes them)")
        result["plot"] = str(plot_comparison(result, args.out, title=title))
        say(args, f"wrote {result['plot']}")
    emit(args, result, lambda: _table(result))
    return diverged(args, [f"{r.get('batching') or r.get('optimizer')} at lr {r['lr']:.3g}: diverged at step {r['stop_step']}"
                           for r in result["rows"] if r["stop"] == "diverged"])
