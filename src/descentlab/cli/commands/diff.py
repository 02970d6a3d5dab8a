"""``descentlab diff``: two "same" optimizers on one problem, and which convention makes the gap."""
from __future__ import annotations

import argparse

from .._common import MAX_STEPS, add_count_flag
from .._common import add_json_flag, emit, say
from ._interop import add_hyper_flags, hyper_from

NAME = "diff"
HELP = "run two optimizer:preset pairs on one problem: first difference, final gap, ablation, picture"
DESCRIPTION = """\
Run A and B (OPTIMIZER:PRESET each) from the same start on a test surface, report the
first update after which they differ beyond rounding and how far apart they end, and
an ablation: A rerun with one of B's settings at a time (a convention such as
eps_placement, or a default such as eps), with the share of the gap it removes.

  descentlab diff adam:keras adam:pytorch
  descentlab diff rmsprop:keras rmsprop:pytorch --problem beale --steps 500 -o gap.png
  descentlab diff adam:keras adam:pytorch --lr 0.01 --json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("a", metavar="A", help="optimizer:preset, e.g. adam:keras")
    parser.add_argument("b", metavar="B", help="optimizer:preset, e.g. adam:pytorch")
    parser.add_argument("--problem", default="rosenbrock", help="a test surface (default rosenbrock)")
    add_count_flag(parser, "--steps", low=0, cap=MAX_STEPS, what="updates", default=200, help="updates (default 200)")
    parser.add_argument("-o", "--out", default=None, help="write the picture (PNG) here; its folder is created")
    add_hyper_flags(parser)
    add_json_flag(parser)


def _picture(r, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from ..._io import ensure_parent

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    pa, pb = np.array(r["path_a"]), np.array(r["path_b"])
    left.plot(pb[:, 0], pb[:, 1], "-", color="tab:blue", label=r["b"])
    left.plot(pa[:, 0], pa[:, 1], "--", color="tab:red", label=r["a"])
    left.plot(pa[0, 0], pa[0, 1], "ko", ms=4)
    left.set_title(f"paths on {r['problem']}")
    left.legend(fontsize=8)
    steps = np.arange(len(r["distance"]))
    floor = 1e-17
    right.semilogy(steps, np.maximum(r["distance"], floor), color="k", label=f"{r['a']} vs {r['b']}")
    for ab in r["ablation"]:
        right.semilogy(steps[:len(ab["distance"])], np.maximum(ab["distance"], floor), "--",
                       label=f"A with B's {ab['setting']} ({100 * ab['share_of_gap']:.0f}% of gap)")
    right.axhline(r["rounding"], color="0.6", lw=0.8)
    right.set_xlabel("update")
    right.set_ylabel("relative distance from B")
    right.set_title("how far apart, and which setting explains it")
    right.legend(fontsize=7)
    fig.tight_layout()
    target = ensure_parent(path)
    fig.savefig(target, dpi=110)
    plt.close(fig)


def run(args: argparse.Namespace) -> int:
    from ...interop.diff import diff, format_diff

    result = diff(args.a, args.b, problem=args.problem, steps=args.steps, **hyper_from(args))
    if args.out:
        from ..._io import ensure_parent

        ensure_parent(args.out)  # a bad path is refused before the picture is drawn
        _picture(result, args.out)
        say(args, f"wrote {args.out}")
    emit(args, result, lambda: format_diff(result))
    return 0
