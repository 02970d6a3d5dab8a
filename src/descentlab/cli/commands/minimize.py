"""``descentlab minimize``: run one optimizer on a test surface or your own function."""
from __future__ import annotations

import argparse
import math
import sys

from .._status import diverged
from ...validation import NONNEGATIVE, POSITIVE
from .._common import (add_flag, add_json_flag, add_lr_flag, add_optimizer_flags, add_quiet_flag, add_schedule_flag,
                       add_seed_flag, add_steps_flag, base_lr, emit, key_values, numbers, say)

NAME = "minimize"
HELP = "run an optimizer on a test surface or module:function and print (or save) its trajectory"
DESCRIPTION = """Run an optimizer on a test surface (see `descentlab surfaces`) or on a Python
function given as module:function or path/to/file.py:function.

examples:
  descentlab minimize x2 --optimizer gd --lr 0.25 --start 2 --steps 10
  descentlab minimize rosenbrock --optimizer adam --lr 0.05 --steps 2000 --tol 1e-6
  descentlab minimize quadratic --surface-opt eigenvalues=1,100 --optimizer newton
  descentlab minimize rosenbrock --optimizer momentum --preset lecture --lr 1e-3 --set momentum=0.9
  descentlab minimize booth --optimizer sgd --lr 0.05 --schedule exp:k=0.01 --json
  descentlab minimize mylosses.py:f --start=-1,2 --diff fd --plot run.png

A negative start needs the = form: --start=-1.5,2."""


def surface_from_args(args):
    """The surface named on the command line, with its --surface-opt options and the --start."""
    from ...functions import get_surface
    from ...train.minimize import resolve_surface

    start = numbers(getattr(args, "start", None), "--start", "-1.5,2")
    opts = key_values(getattr(args, "surface_opt", None), "--surface-opt", "eigenvalues=1,100")
    if ":" in args.surface:
        return resolve_surface(args.surface, start, diff=getattr(args, "diff", "autodiff")), start
    return get_surface(args.surface, **opts), start


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("surface", help="a surface name (descentlab surfaces) or module:function / file.py:function")
    add_optimizer_flags(parser)
    add_lr_flag(parser)
    add_schedule_flag(parser, "'exp:k=0.01', 'step:every=50,gamma=0.5', 'warmup:steps=5+cosine:total=100'")
    parser.add_argument("--start", default=None, help="start x0, comma-separated (default: the surface's)")
    add_steps_flag(parser, 100, "maximum number of updates (default 100)")
    add_flag(parser, "--tol", constraints=[NONNEGATIVE], default=1e-8,
             help="stop when the gradient norm <= TOL (default 1e-8; 0 to disable)")
    parser.add_argument("--norm", default="2", choices=["2", "inf", "1"], help="norm of the stopping rule (default 2)")
    add_flag(parser, "--bound", constraints=[POSITIVE, None], default=None, help="diverged when |x| exceeds this (default 1e6)")
    add_flag(parser, "--grad-noise", constraints=[NONNEGATIVE], default=0.0,
             help="std of Gaussian noise added to each gradient")
    parser.add_argument("--surface-opt", action="append", metavar="KEY=VALUE",
                        help="surface option, e.g. --surface-opt eigenvalues=1,100 (repeatable)")
    parser.add_argument("--record", action="store_true",
                        help="also keep the optimizer's record of each update (buffers, moments, step sizes) in the JSON")
    parser.add_argument("--diff", default="autodiff", choices=["autodiff", "fd"],
                        help="how to differentiate a user function (default autodiff)")
    parser.add_argument("-o", "--out", default=None, help="also write the trajectory JSON here")
    parser.add_argument("--plot", default=None, help="also draw the run (contours, or the curve for 1-D) to this PNG")
    parser.add_argument("--curves", default=None, help="also draw f and the gradient norm against the step to this PNG")
    add_seed_flag(parser)
    add_json_flag(parser)
    add_quiet_flag(parser)


def build_call(args) -> tuple:
    """(surface, x0, optimizer name, keyword arguments) of the minimize() call the options describe."""
    from ...train.minimize import DEFAULT_BOUND

    surface, start = surface_from_args(args)
    hyper = key_values(args.hyper, "--set")
    if args.schedule:
        from ...optim.schedules import parse_schedule

        # the schedule starts from the preset's lr, as a run without --schedule would
        hyper["lr"] = parse_schedule(args.schedule, lr=base_lr(args, hyper))
    elif args.lr is not None:
        hyper["lr"] = args.lr
    kw = dict(preset=args.preset, steps=args.steps, tol=args.tol if args.tol else None, norm=args.norm,
              bound=args.bound if args.bound is not None else DEFAULT_BOUND, grad_noise=args.grad_noise,
              seed=args.seed, record=args.record, diff=args.diff, **hyper)
    return surface, start, args.optimizer, kw


def _check_outputs(args, surface) -> None:
    """Refuse a picture that cannot be drawn, or a wrong file name, before the run, not after it."""
    from ...errors import ConfigError, expected
    from ...viz._mpl import out_path

    if args.plot and surface.dim > 2:
        raise ConfigError(expected("a 1-D or 2-D surface for --plot", f"{surface.name} with {surface.dim} coordinates",
                                   "drop --plot; --curves draws f and the gradient norm in any dimension"))
    for path in (args.plot, args.curves):
        if path:
            out_path(path, (".png",))


def _minimize_noting_newton_fallbacks(args, minimize, surface, start, optimizer, kw):
    """Run minimize; Newton's fallback warnings become one progress line, not a Python warning with its source line."""
    import warnings

    from ...optim import NewtonFallbackWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", NewtonFallbackWarning)
        tr = minimize(surface, start, optimizer, **kw)
    fallbacks = [w for w in caught if issubclass(w.category, NewtonFallbackWarning)]
    for w in caught:
        if w not in fallbacks:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if fallbacks:
        more = f" (the first of {len(fallbacks)} such steps; --record shows each)" if len(fallbacks) > 1 else ""
        say(args, f"note: {fallbacks[0].message}{more}")
    return tr


def _what_ran(tr, scheduled: bool) -> str:
    """One line naming the optimizer, preset and learning rate that ran, e.g. ``adam (preset keras), lr 0.001``."""
    opt = tr.meta.get("optimizer")
    opt = opt if isinstance(opt, dict) else {"name": opt or "?"}
    preset = f" (preset {opt['preset']})" if opt.get("preset") else ""
    lr = ""
    if tr.lr.size:
        lr = f", lr {tr.lr[0]:.6g}" + (" at step 0, scheduled" if scheduled else "")
    return f"{opt.get('name', '?')}{preset}{lr}"


def run(args: argparse.Namespace) -> int:
    from ...train.minimize import minimize

    surface, start, optimizer, kw = build_call(args)
    _check_outputs(args, surface)
    tr = _minimize_noting_newton_fallbacks(args, minimize, surface, start, optimizer, kw)
    written = []
    if args.out:
        written.append(tr.to_json(args.out, indent=None) and args.out)
    if args.plot:
        if surface.dim == 1:
            from ...viz import plot_descent_1d

            written.append(plot_descent_1d(tr, args.plot, surface=surface))
        else:
            from ...viz import plot_contours

            written.append(plot_contours(surface, [tr], args.plot))
    if args.curves:
        from ...viz import plot_curves

        written.append(plot_curves([tr], args.curves, surface=surface))

    def text() -> str:
        x = ", ".join(f"{v:.6g}" for v in tr.x_final)
        lines = [f"{surface.name}: {tr.stop.message}", _what_ran(tr, bool(args.schedule))]
        if math.isfinite(tr.f_final) and math.isfinite(tr.grad_norm[-1]):
            lines.append(f"x = ({x}), f = {tr.f_final:.6g}, ‖∇f‖ = {tr.grad_norm[-1]:.3g} after {tr.steps} updates")
        else:  # diverged to a NaN/inf: say where, and show the last point where f and ∇f were finite
            ok = [t for t in range(len(tr.f)) if math.isfinite(tr.f[t]) and math.isfinite(tr.grad_norm[t])]
            lines.append(f"f or ∇f is not finite at x = ({x}), after {tr.steps} updates")
            if ok:
                k = ok[-1]
                lines.append(f"last finite: step {k}, x = ({', '.join(f'{v:.6g}' for v in tr.x[k])}), "
                             f"f = {tr.f[k]:.6g}, ‖∇f‖ = {tr.grad_norm[k]:.3g}")
        if surface.minima and all(math.isfinite(v) for v in tr.x_final):
            m, d = surface.nearest_minimum(tr.x_final)
            lines.append(f"distance to the nearest minimum {tuple(float(v) for v in m)}: {d:.3g}")
        return "\n".join(lines + [str(p) for p in written])

    emit(args, tr.to_dict(), text)
    if args.json:
        for p in written:
            print(p, file=sys.stderr)
    return diverged(args, [f"{surface.name}: {tr.stop.message}"] if tr.stop.kind == "diverged" else [])
