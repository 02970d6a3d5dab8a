"""``descentlab schedule``: plot learning-rate schedules before training with them."""
from __future__ import annotations

import argparse
import sys

from ...validation import NONNEGATIVE
from .._common import MAX_STEPS, add_count_flag
from .._common import add_flag, add_json_flag, add_quiet_flag, emit

NAME = "schedule"
HELP = "plot learning-rate schedules (every kind by default) and print their values"
DESCRIPTION = """Plot learning-rate schedules given in their text form; with none, one of every
kind. Schedules are functions of the step, so they can be seen before any training.

examples:
  descentlab schedule
  descentlab schedule "exp:k=0.05" "inv:k=0.1" "step:every=10,gamma=0.5" --lr 0.1 --steps 60
  descentlab schedule "warmup:steps=5+cosine:total=95" --json"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("schedules", nargs="*", help="schedules such as 'exp:k=0.01' (default: one of every kind)")
    add_flag(parser, "--lr", constraints=[NONNEGATIVE], default=0.1, help="base learning rate α₀ (default 0.1)")
    add_count_flag(parser, "--steps", cap=MAX_STEPS, what="steps drawn", default=100, help="steps to draw (default 100)")
    parser.add_argument("-o", "--out", default="schedules.png", help="the picture (default schedules.png)")
    parser.add_argument("--dpi", type=int, default=100, help="resolution (default 100)")
    add_json_flag(parser)
    add_quiet_flag(parser)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from ...optim.schedules import parse_schedule
    from ...viz import plot_schedules
    from ...viz.schedules import DEFAULT_SCHEDULES

    specs = list(args.schedules) or list(DEFAULT_SCHEDULES)
    scheds = {s: parse_schedule(s, lr=args.lr) for s in specs}
    path = plot_schedules(scheds, args.out, lr=args.lr, steps=args.steps, dpi=args.dpi)
    t = np.arange(args.steps)
    result = {"file": str(path), "lr": args.lr, "steps": args.steps,
              "schedules": [{"spec": s, "describe": sc.describe(), "config": sc.to_config(),
                             "values": sc.values(t).tolist()} for s, sc in scheds.items()]}

    def text() -> str:
        marks = [k for k in (0, 1, 10, args.steps // 2, args.steps - 1) if k < args.steps]
        marks = sorted(set(marks))
        lines = [f"{'schedule':<45} " + " ".join(f"{'t=' + str(k):>10}" for k in marks)]
        for s, sc in scheds.items():
            lines.append(f"{s:<45} " + " ".join(f"{sc(int(k)):>10.4g}" for k in marks))
        return "\n".join(lines + [str(path)])

    emit(args, result, text)
    if args.json:
        print(path, file=sys.stderr)
    return 0
