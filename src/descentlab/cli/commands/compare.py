"""``descentlab compare batching|optimizers``: the lecture's comparisons, as a plot and a JSON table."""
from __future__ import annotations

import argparse

from .._common import add_json_flag, add_out_flag, add_quiet_flag, add_seed_flag, emit, say
from .train import hidden_sizes

NAME = "compare"
HELP = "compare batch GD vs SGD vs mini-batch, or SGD/momentum/Nesterov/AdaGrad/RMSProp/Adam"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="what", required=True, metavar="{batching,optimizers}")
    b = sub.add_parser("batching", help="batch GD vs SGD vs mini-batch GD, same data and epochs")
    b.add_argument("dataset", nargs="?", default="linear_regression", help="default: the chapter's linear regression")
    b.add_argument("--batchings", default="full,stochastic,minibatch:16", help="comma-separated batchings")
    b.add_argument("--epochs", type=int, default=20)
    b.add_argument("--hidden", type=hidden_sizes, default="", help="hidden sizes for an MLP (default none: f_w(x) = wᵀx)")
    add_out_flag(b, "compare_batching.png", "plot file")
    o = sub.add_parser("optimizers", help="SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam on a real dataset")
    o.add_argument("dataset", nargs="?", default="digits")
    o.add_argument("--optimizers", default="sgd,momentum,nesterov,adagrad,rmsprop,adam")
    o.add_argument("--epochs", type=int, default=15)
    o.add_argument("--batching", default="minibatch:32")
    o.add_argument("--hidden", type=hidden_sizes, default="32", help="hidden layer sizes (default 32)")
    o.add_argument("--preset", default="pytorch")
    add_out_flag(o, "compare_optimizers.png", "plot file")
    for p in (b, o):
        p.add_argument("--lr", action="append", type=_name_lr, metavar="NAME=LR",
                       help="learning rate for one run, e.g. adam=0.003 or minibatch=0.05 (repeatable)")
        p.add_argument("--quick", action="store_true", help="a small, fast run")
        p.add_argument("--no-plot", action="store_true")
        add_seed_flag(p)
        add_json_flag(p)
        add_quiet_flag(p)


def _name_lr(item: str) -> tuple[str, float]:
    """``"adam=0.003"`` -> ``("adam", 0.003)``. An argparse type."""
    name, sep, value = item.partition("=")
    try:
        lr = float(value)
    except ValueError:
        lr = None
    if not sep or not name.strip() or lr is None:
        raise argparse.ArgumentTypeError(f"expected NAME=LR such as adam=0.003, got {item!r}")
    return name.strip(), lr


def _table(result: dict) -> str:
    rows = result["rows"]
    if result["kind"] == "batching":
        head = f"{'batching':34} {'lr':>7} {'steps':>6} {'wall s':>7} {'train loss':>11} {'epochs→target':>14}"
        lines = [f"{r['batching']:34} {r['lr']:7.3g} {r['steps']:6d} {r['wall_s']:7.3f} {r['final_train_loss']:11.4g} "
                 f"{str(r['epochs_to_target']):>14}" for r in rows]
    else:
        head = f"{'optimizer':10} {'lr':>7} {'wall s':>7} {'train loss':>11} {'val acc':>8} {'best':>6}"
        lines = [f"{r['optimizer']:10} {r['lr']:7.3g} {r['wall_s']:7.3f} {r['final_train_loss']:11.4g} "
                 f"{r['final_val_accuracy']:8.4f} {r['best_val_accuracy']:6.4f}" for r in rows]
    return "\n".join([head, *lines])


def run(args: argparse.Namespace) -> int:
    from ...train.compare import compare_batching, compare_optimizers
    if args.what == "batching":
        result = compare_batching(args.dataset, batchings=[s for s in args.batchings.split(",") if s],
                                  lrs=dict(args.lr or []), epochs=args.epochs, hidden=args.hidden, seed=args.seed,
                                  quick=args.quick)
    else:
        result = compare_optimizers(args.dataset, optimizers=[s for s in args.optimizers.split(",") if s],
                                    lrs=dict(args.lr or []), epochs=args.epochs, batching=args.batching,
                                    hidden=args.hidden, preset=args.preset, seed=args.seed, quick=args.quick)
    if not args.no_plot:
        from ...viz.training import plot_comparison

        result["plot"] = str(plot_comparison(result, args.out))
        say(args, f"wrote {result['plot']}")
    emit(args, result, lambda: _table(result))
    return 0
