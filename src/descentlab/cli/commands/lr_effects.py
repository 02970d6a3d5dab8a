"""``descentlab lr-effects``: the lecture's effects of the step size, drawn and predicted."""
from __future__ import annotations

import argparse
import sys

from .._common import MAX_STEPS, add_count_flag, add_json_flag, add_quiet_flag, emit, numbers

NAME = "lr-effects"
HELP = "the four step-size regimes on x² and an ill-conditioned quadratic; 2/λ_max and predicted vs measured rates"
DESCRIPTION = """Draw gradient descent with a too small, a good, a too large (oscillating) and a
divergent step size, on f(x) = x² and on ½xᵀAx with chosen eigenvalues, and compare
the predicted convergence rates of GD and heavy-ball momentum with measured ones.

examples:
  descentlab lr-effects
  descentlab lr-effects --eigenvalues 1,100 -o lr100.png --json"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--out", default="lr-effects.png", help="the picture (default lr-effects.png)")
    parser.add_argument("--eigenvalues", default="1,10", help="the two eigenvalues of the 2-D A (default 1,10)")
    parser.add_argument("--angle", type=float, default=30.0, help="rotation of A's eigenvectors in degrees (default 30)")
    add_count_flag(parser, "--steps", low=0, cap=MAX_STEPS, what="steps", default=12, help="steps drawn on x² (default 12)")
    add_count_flag(parser, "--steps-2d", low=0, cap=MAX_STEPS, what="steps", default=25, help="steps drawn on the quadratic (default 25)")
    add_count_flag(parser, "--rate-steps", low=4, cap=MAX_STEPS, what="steps", default=300, help="steps of the runs that measure rates (default 300)")
    parser.add_argument("--dpi", type=int, default=100, help="resolution (default 100)")
    add_json_flag(parser)
    add_quiet_flag(parser)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from ...functions import get_surface
    from ...train import lr_analysis as la
    from ...viz import plot_lr_effects

    eig = numbers(args.eigenvalues, "--eigenvalues", "1,10")
    quad = get_surface("quadratic", eigenvalues=eig, angle=args.angle)
    A = quad.hess(np.zeros(quad.dim))
    checks = la.compare_rates(quad, steps=args.rate_steps)  # before drawing: bad settings fail fast
    path = plot_lr_effects(args.out, eigenvalues=eig, angle=args.angle, steps=args.steps,
                           steps_2d=args.steps_2d, dpi=args.dpi)
    best_lr, best_rate = la.best_gd(A)
    result = {
        "eigenvalues": list(map(float, la.eigenvalues(A))),
        "max_stable_lr": la.max_stable_lr(A),
        "best_gd": {"lr": best_lr, "rate": best_rate},
        "regimes": {"x2": la.step_size_regimes([[2.0]]), "quadratic": la.step_size_regimes(A)},
        "rates": [c.to_dict() for c in checks],
        "file": str(path),
    }

    def text() -> str:
        lines = [f"½xᵀAx with eigenvalues {', '.join(f'{v:g}' for v in result['eigenvalues'])}: "
                 f"stable iff lr < 2/λ_max = {result['max_stable_lr']:.4g}; "
                 f"best GD lr 2/(λ_min+λ_max) = {best_lr:.4g}, rate {best_rate:.4g}",
                 "regimes (x², quadratic): " + "; ".join(
                     f"{k} {result['regimes']['x2'][k]:.3g}, {result['regimes']['quadratic'][k]:.3g}" for k in la.REGIMES),
                 f"{'method':<9} {'lr':>9} {'mu':>7} {'predicted':>10} {'measured':>10}"]
        for c in checks:
            lines.append(f"{c.method:<9} {c.lr:>9.4g} {c.mu:>7.3g} {c.predicted:>10.6f} {c.measured:>10.6f}")
        return "\n".join(lines + [str(path)])

    emit(args, result, text)
    if args.json:
        print(path, file=sys.stderr)
    return 0
