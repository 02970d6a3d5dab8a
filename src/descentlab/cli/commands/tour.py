"""``descentlab tour``: run the whole chapter and write the HTML report."""
from __future__ import annotations

import argparse

from .._common import add_out_flag, add_quiet_flag, add_seed_flag, progress

NAME = "tour"
HELP = "run the whole chapter and write the HTML report (the main job)"
DESCRIPTION = """\
Run every part of the chapter (worked examples, step-size figures, the optimizer race and
its animation, batching and optimizers on real data, back-propagation) and write one
self-contained HTML page, with results.json beside it; prints the page's path. It takes
a few tens of seconds.

examples:
  descentlab tour
  descentlab tour -o report --seed 3
  descentlab tour --quick --only race,backprop -o quick-report
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_out_flag(parser, "descentlab-report", "output folder")
    add_seed_flag(parser)
    add_quiet_flag(parser)
    parser.add_argument("--quick", action="store_true", help="a fast, smaller run (for tests)")
    parser.add_argument("--only", default=None,
                        help="comma-separated sections to run, e.g. race,backprop (default: all); "
                             "names: " + ", ".join(_section_keys()))


def _section_keys() -> list[str]:
    from ...report.tour import SECTIONS

    return [k for k, _, _, builder, _ in SECTIONS if builder is not None]


def run(args: argparse.Namespace) -> int:
    from ...report.tour import run_tour

    only = [k.strip() for k in args.only.split(",") if k.strip()] if args.only is not None else None
    with progress(args, "tour", unit=None) as line:
        path = run_tour(out_dir=args.out, seed=args.seed, quick=args.quick, progress=line, only=only)
    print(path)
    return 0
