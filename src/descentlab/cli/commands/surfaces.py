"""``descentlab surfaces``: the test surfaces, with formulas, minima, starts and windows."""
from __future__ import annotations

import argparse

from .._common import add_json_flag, emit

NAME = "surfaces"
HELP = "list the test surfaces (formula, minima, default start, plot window)"
DESCRIPTION = """List the test surfaces with their formula, known minima and default start.
Each has an exact gradient and Hessian; options go to `minimize` and `race` as
--surface-opt KEY=VALUE.

examples:
  descentlab surfaces
  descentlab surfaces --json
  descentlab minimize quadratic --surface-opt eigenvalues=1,100 --surface-opt angle=0 --optimizer newton
  descentlab race rastrigin --surface-opt A=5 --steps 200"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_json_flag(parser)


def run(args: argparse.Namespace) -> int:
    from ...functions import SURFACES, get_surface

    rows = []
    for name in SURFACES:
        d = get_surface(name).describe()
        d.pop("params", None)
        d["about"] = SURFACES[name][1]
        rows.append(d)

    def text() -> str:
        lines = []
        for d in rows:
            mins = "; ".join("(" + ", ".join(f"{v:.4g}" for v in m) + ")" for m in d["minima"]) or "none"
            start = ", ".join(f"{v:g}" for v in d["start"])
            lines.append(f"{d['name']:<11} {d['formula']}\n{'':<11} {d['about']}; minima {mins}; start ({start})")
        return "\n".join(lines)

    emit(args, {"surfaces": rows}, text)
    return 0
