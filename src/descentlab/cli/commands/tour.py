"""``descentlab tour``: run the whole chapter and write the HTML report."""
from __future__ import annotations

import argparse

from .._common import add_out_flag, add_quiet_flag, add_seed_flag, say

NAME = "tour"
HELP = "run the whole chapter and write the HTML report (the main job)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_out_flag(parser, "descentlab-report", "output folder")
    add_seed_flag(parser)
    add_quiet_flag(parser)
    parser.add_argument("--quick", action="store_true", help="a fast, smaller run (for tests)")


def run(args: argparse.Namespace) -> int:
    from ...report.tour import run_tour

    path = run_tour(out_dir=args.out, seed=args.seed, quick=args.quick, progress=lambda s: say(args, s))
    print(path)
    return 0
