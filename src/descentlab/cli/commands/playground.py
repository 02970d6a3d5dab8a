"""``descentlab playground``: write the interactive, offline playground page."""
from __future__ import annotations

import argparse

from .._common import add_json_flag, add_quiet_flag, emit

NAME = "playground"
HELP = "write the interactive playground: one offline HTML page with sliders, surfaces and the lecture's examples"
DESCRIPTION = """Write one self-contained HTML page (no network, works from file://): the surfaces
with click-to-start and live trajectories of every optimizer, the quadratic's (lr, momentum)
plane, the step sizes on f(x) = x² and the 2-2-1 back-propagation step by step. The page
computes what `descentlab minimize` computes, with the same rules and conventions.

examples:
  descentlab playground -o playground.html
  descentlab playground -o report/playground.html --json"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--out", default="playground.html", help="the page to write (default playground.html)")
    add_json_flag(parser)
    add_quiet_flag(parser)


def run(args: argparse.Namespace) -> int:
    from ...report.playground import write_playground

    path = write_playground(args.out)
    size = path.stat().st_size
    emit(args, {"file": str(path), "bytes": size},
         lambda: f"{path} ({size / 1024:.0f} KiB; open it in a browser, no network needed)")
    return 0
