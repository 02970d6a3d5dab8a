"""``descentlab lecture <example>``: one worked example of the chapter, computed and explained."""
from __future__ import annotations

import argparse
import textwrap

from .._status import diverged
from .._common import MAX_EPOCHS, MAX_REPEATS, MAX_STEPS, add_count_flag, add_json_flag, add_seed_flag, emit
from .._types import finite_float, finite_floats

NAME = "lecture"
HELP = "run one of the chapter's worked examples step by step (derivatives, gd-x2, newton, ...)"
DESCRIPTION = """Run one of the chapter's worked examples and print every step with its formula.

examples:
  derivatives   limit definitions as h shrinks; partial, directional derivative, gradient
  gd-x2         gradient descent on f(x) = x^2: step sizes and the |grad f| <= eps stop
  newton        Newton's method on a quadratic and on Rosenbrock's function
  batch-size    SGD, batch GD and mini-batch GD on the linear-regression derivation
  optimizers    momentum, Nesterov, AdaGrad, RMSProp and Adam one step at a time
  rprop         rprop with mini-batches drifts; RMSProp's moving average repairs it
  decay         step, exponential and 1/t learning-rate decay
  backprop      the slides' 2-2-1 example number by number (and --network 2-3-2-1)

With --json the numbers are printed as JSON on stdout. The exit status is 1 when one of
the lecture's claims checked by the example fails."""


_HELPS = {
    "derivatives": "The derivative as a limit, partial and directional derivatives, and the gradient",
    "gd-x2": "Gradient descent on f(x) = x²: step sizes and the ‖∇f‖ ≤ ε stop",
    "newton": "Newton's method on a quadratic and on Rosenbrock's function",
    "batch-size": "SGD, batch GD and mini-batch GD on the slides' linear regression",
    "optimizers": "Momentum, Nesterov, AdaGrad, RMSProp and Adam, one step at a time with their state",
    "rprop": "Rprop with mini-batches (dividing by each batch's gradient size) drifts; RMSProp repairs it",
    "decay": "Step, exponential and 1/t learning-rate decay",
    "backprop": "The slides' back-propagation examples, number by number, each slide figure checked",
}
_EXAMPLES = {
    "derivatives": "--x0 2 --point 1,-1 --json",
    "gd-x2": "--lr 0.9 --lrs 0.1,0.5,1.05",
    "newton": "--steps 12 --json",
    "batch-size": "--lr 0.05 -k 3 --seed 1",
    "optimizers": "--steps 5 --json",
    "rprop": "--lr 0.001 --epochs 50 --beta 0.95",
    "decay": "--lr 0.5 -k 0.05 --at 0,10,100",
    "backprop": "--network 2-3-2-1",
}


def _floats(text: str) -> tuple[float, ...]:
    return finite_floats(text)


def _ints(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="example", metavar="EXAMPLE", required=True)

    p = sub.add_parser("derivatives", help="limits as h shrinks; partial and directional derivatives; the gradient")
    p.add_argument("--x0", type=finite_float, default=1.0, help="where to differentiate f(x) = x^3 (default 1)")
    p.add_argument("--point", type=_floats, default=(1.0, 1.0), help="x,y for g(x, y) = x^2 + xy + 2y^2 (default 1,1)")
    add_count_flag(p, "--directions", low=4, cap=10 ** 6, what="directions", default=360, help="directions compared (default 360)")

    p = sub.add_parser("gd-x2", help="gradient descent on f(x) = x^2 with several step sizes")
    p.add_argument("--x0", type=finite_float, default=3.0, help="start (default 3)")
    p.add_argument("--lr", type=finite_float, default=0.1, help="step size of the step-by-step run (default 0.1)")
    p.add_argument("--lrs", type=_floats, default=(0.01, 0.1, 0.5, 0.9, 1.0, 1.05),
                   help="step sizes to compare (default 0.01,0.1,0.5,0.9,1,1.05)")
    p.add_argument("--eps", type=finite_float, default=1e-3, help="stop when |grad f| <= eps (default 1e-3)")

    p = sub.add_parser("newton", help="Newton's method on a quadratic and on Rosenbrock's function")
    add_count_flag(p, "--steps", low=1, cap=MAX_REPEATS, what="Newton steps, each printed", default=8, help="Newton steps on Rosenbrock (default 8)")

    p = sub.add_parser("batch-size", help="SGD, batch GD and mini-batch GD on linear regression")
    add_seed_flag(p)
    p.add_argument("--lr", "--eta", dest="eta", type=finite_float, default=0.1, help="learning rate η (default 0.1)")
    p.add_argument("-k", "--batch", type=int, default=2, help="mini-batch size (default 2)")

    p = sub.add_parser("optimizers", help="momentum, Nesterov, AdaGrad, RMSProp, Adam one step at a time")
    add_count_flag(p, "--steps", low=1, cap=MAX_REPEATS, what="steps, each printed", default=3, help="steps shown per optimizer (default 3)")

    p = sub.add_parser("rprop", help="rprop with mini-batches drifts; RMSProp repairs it")
    p.add_argument("--lr", type=float, default=0.01, help="step size η (default 0.01)")
    add_count_flag(p, "--epochs", low=2, cap=MAX_EPOCHS, what="epochs", default=30, help="epochs of ten mini-batches (default 30)")
    p.add_argument("--beta", type=float, default=0.9, help="RMSProp's decay of MeanSquare (default 0.9, the slide's)")

    p = sub.add_parser("decay", help="step, exponential and 1/t learning-rate decay")
    p.add_argument("--lr", "--lr0", dest="lr0", type=finite_float, default=0.1, help="initial learning rate α0 (default 0.1)")
    add_count_flag(p, "--every", low=1, cap=MAX_STEPS, what="steps", default=10, help="step decay halves every N steps (default 10)")
    p.add_argument("-k", type=finite_float, default=0.1, help="decay constant of exponential and 1/t decay (default 0.1)")
    p.add_argument("--at", type=_ints, default=(0, 1, 5, 9, 10, 20, 30, 50, 100), help="steps to evaluate")

    p = sub.add_parser("backprop", help="the slides' back-propagation examples, number by number")
    p.add_argument("--network", choices=("2-2-1", "2-3-2-1"), default="2-2-1", help="which network (default 2-2-1)")

    for name, p in sub.choices.items():
        add_json_flag(p)
        p.formatter_class = argparse.RawDescriptionHelpFormatter
        p.description = (textwrap.fill(f"{_HELPS[name]}. Prints every step with its formula and checks the "
                                       "lecture's claims (exit status 1 if one fails).", 88) +
                         f"\n\nexamples:\n  descentlab lecture {name}\n"
                         f"  descentlab lecture {name} {_EXAMPLES[name]}")


def _params(args: argparse.Namespace) -> dict:
    ex = args.example
    if ex == "derivatives":
        return {"x0": args.x0, "point": args.point, "directions": args.directions}
    if ex == "gd-x2":
        return {"x0": args.x0, "lr": args.lr, "lrs": args.lrs, "eps": args.eps}
    if ex == "newton":
        return {"steps": args.steps}
    if ex == "batch-size":
        return {"seed": args.seed, "eta": args.eta, "k": args.batch}
    if ex == "optimizers":
        return {"steps": args.steps}
    if ex == "rprop":
        return {"lr": args.lr, "epochs": args.epochs, "beta": args.beta}
    if ex == "decay":
        return {"lr0": args.lr0, "every": args.every, "k": args.k, "steps": args.at}
    return {"network": args.network}


def run(args: argparse.Namespace) -> int:
    from ...errors import ConfigError, expected
    from ...lecture import run_example

    if args.example == "derivatives" and len(args.point) != 2:
        raise ConfigError(expected("--point x,y (two numbers)", ",".join(map(str, args.point)), "e.g. --point 1,1"))
    acc = run_example(args.example, **_params(args))
    emit(args, acc.to_dict(), acc.text)
    if acc.diverged:  # the run at the given settings diverged: that, not a claim, is the news
        return diverged(args, acc.diverged)
    return 0 if acc.ok else 1
