"""``descentlab race``: a fair optimizer race on a surface, as a table, a picture and an animation."""
from __future__ import annotations

import argparse
import sys
import time

from .._status import diverged
from ...validation import NONNEGATIVE
from .._common import MAX_RACE_UPDATES, MAX_REPEATS, add_count_flag
from .._common import (add_flag, add_json_flag, add_name_lr_flag, add_quiet_flag, add_seed_flag, add_steps_flag, emit,
                       key_values, name_lrs, progress)

NAME = "race"
HELP = "race optimizers on a surface with equal-budget lr tuning; table, contour PNG and animated GIF"
DESCRIPTION = """Race optimizers on a test surface. Each optimizer's learning rate is tuned with
the same budget (a log grid, or successive halving), from the same starts; the table
reports final f, distance to the nearest minimum and steps to a tolerance, and the
pictures show each path with the lr it got.

examples:
  descentlab race rosenbrock --steps 500
  descentlab race beale --tune halving --starts 3 --gif beale.gif
  descentlab race saddle --tune none --lr sgd=0.05 --lr adam=0.05 --steps 120
  descentlab race valley --optimizers sgd,momentum,adam --json
  descentlab race quadratic --surface-opt eigenvalues=1,100 --lr-grid 1e-3:1:13

A tuned lr at either end of the grid is marked (* in the table, "grid edge" in the
legends): the best lr may lie outside the grid, so widen --lr-grid.
Without --protocol each lr is tuned on the same starts it is scored on (and with
--tune none not tuned at all: the output says "untuned"); --protocol halving tunes on
the tune seeds' starts and scores on the test seeds' starts, which tuning never saw.
Surfaces without a minimum (the saddle) are scored by their final f.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("surface", nargs="?", default="rosenbrock", help="a 2-D surface (default rosenbrock)")
    parser.add_argument("--optimizers", default="sgd,momentum,nesterov,adagrad,rmsprop,adam",
                        help="comma-separated optimizer names (default: the lecture's six)")
    add_steps_flag(parser, 500, "steps per run (default 500)")
    parser.add_argument("--tune", default="grid", choices=["grid", "halving", "none"], help="how to pick each lr (default grid)")
    parser.add_argument("--lr-grid", default=None, metavar="LO:HI:N or A,B,...",
                        help="candidate lrs: log-spaced LO:HI:N or a list (default 1e-4:10:11; "
                             "1e-4:10:21 with --tune halving)")
    add_name_lr_flag(parser, "fixed lr for --tune none, e.g. --lr adam=0.05")
    add_count_flag(parser, "--starts", what="starts", default=1,
                   help="number of starts (the default one plus seeded random ones)")
    add_count_flag(parser, "--seeds", what="noise seeds per start", default=1, help="noise seeds per start (with --grad-noise)")
    add_flag(parser, "--grad-noise", constraints=[NONNEGATIVE], default=0.0, help="std of Gaussian noise added to each gradient")
    add_flag(parser, "--f-tol", constraints=[NONNEGATIVE], default=1e-6, help="tolerance on f - f* for 'steps to tolerance'")
    parser.add_argument("--preset", default=None, help="convention preset for every optimizer")
    parser.add_argument("--surface-opt", action="append", metavar="KEY=VALUE",
                        help="surface option, e.g. --surface-opt eigenvalues=1,100 (repeatable)")
    parser.add_argument("--protocol", choices=["halving", "grid", "random", "deepobs"],
                        help="race as a sweep: tune lr by this protocol on the tune seeds' starts, score on the test "
                             "seeds' starts (final and best f - f*, steps to target)")
    add_count_flag(parser, "--budget", what="lrs tried per optimizer", default=16, help="with --protocol: lrs tried per optimizer (default 16)")
    parser.add_argument("--tune-seeds", default="0,1,2", help="with --protocol: seeds of the tuning starts (default 0,1,2)")
    parser.add_argument("--test-seeds", default="10,11,12,13,14",
                        help="with --protocol: seeds of the scoring starts (default 10,11,12,13,14)")
    parser.add_argument("-o", "--out", default="race.png", help="contour picture (default race.png); '' for none")
    parser.add_argument("--gif", default="race.gif", help="animation, .gif (or .mp4 with ffmpeg); '' for none")
    parser.add_argument("--curves", default="", help="also draw f - f* and the gradient norm against the step to this PNG")
    add_count_flag(parser, "--frames", what="frames of the animation", default=60, help="frames of the animation (default 60)")
    parser.add_argument("--dpi", type=int, default=80, help="resolution of the pictures (default 80)")
    add_seed_flag(parser)
    add_json_flag(parser)
    add_quiet_flag(parser)


def _grid(text: str | None):
    from ...errors import ConfigError, expected

    if not text:
        return None
    import numpy as np

    try:
        if ":" in text:
            lo, hi, n = text.split(":")
            lo, hi, n = float(lo), float(hi), int(n)
        else:
            return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ConfigError(expected("--lr-grid as LO:HI:N or a comma list", repr(text), "e.g. 1e-4:10:11")) from None
    if not (0 < lo <= hi < float("inf")) or not 1 <= n <= MAX_REPEATS:
        raise ConfigError(expected(f"--lr-grid LO:HI:N with 0 < LO <= HI and N from 1 to {MAX_REPEATS}", repr(text),
                                   "e.g. 1e-4:10:11 (11 log-spaced rates from 1e-4 to 10)"))
    return np.logspace(np.log10(lo), np.log10(hi), n).tolist()


def _check_work(args, names) -> None:
    """Refuse a race of more than MAX_RACE_UPDATES updates in all before it starts (it would run for days)."""
    from ...errors import ConfigError, expected

    if args.protocol:
        runs = args.budget * (len(_seeds(args.tune_seeds, "--tune-seeds")) + len(_seeds(args.test_seeds, "--test-seeds")))
        what = "steps × budget × (tune + test seeds) × optimizers"
    else:
        lrs = 1 if args.tune == "none" else len(_grid(args.lr_grid) or ()) or (21 if args.tune == "halving" else 11)
        runs = args.starts * args.seeds * lrs
        what = "steps × starts × seeds × lrs tried × optimizers"
    total = args.steps * runs * max(len(names), 1)
    if total > MAX_RACE_UPDATES:
        raise ConfigError(expected(f"a race of at most {MAX_RACE_UPDATES:.0e} updates in all ({what})",
                                   f"{total:.3g} updates", "lower --steps, --starts, --seeds or the number of lrs "
                                   "(a race of 1e10 updates already takes about a day)"))


def run(args: argparse.Namespace) -> int:
    from ...train.race import race

    from ...errors import ConfigError, expected
    from ...functions import get_surface

    from ...viz._mpl import out_path

    names = [n.strip() for n in args.optimizers.split(",") if n.strip()]
    surface = get_surface(args.surface, **key_values(args.surface_opt, "--surface-opt", "eigenvalues=1,100"))
    if surface.dim != 2 and (args.out or args.gif or args.curves):
        raise ConfigError(expected("a 2-D surface for the race pictures",
                                   f"{args.surface} with {surface.dim} coordinate(s)",
                                   "pick a 2-D surface, or pass -o '' --gif '' for the table only"))
    if (args.out or args.gif or args.curves) and args.dpi < 10:  # before the race runs, not after
        raise ConfigError(expected("--dpi >= 10", args.dpi, "e.g. --dpi 80"))
    if args.gif and args.frames < 2:
        raise ConfigError(expected("--frames >= 2", args.frames, "e.g. --frames 40"))
    # check the output names before the race runs, not after
    for path, suffixes in ((args.out, (".png",)), (args.curves, (".png",)), (args.gif, (".gif", ".mp4"))):
        if path:
            out_path(path, suffixes)
    if args.gif and args.gif.lower().endswith(".mp4"):
        from ...viz.animation import mp4_available

        if not mp4_available():
            raise ConfigError(expected("ffmpeg for an .mp4", "no ffmpeg writer", "write a .gif instead (Pillow)"))
    _check_work(args, names)
    t0 = time.perf_counter()
    if args.protocol:
        return _sweep_race(args, names, t0)
    with progress(args, "race") as line:
        res = race(surface, names, steps=args.steps, tune=args.tune, lrs=name_lrs(args.lr),
                   lr_grid=_grid(args.lr_grid), starts=args.starts, seeds=args.seeds, seed=args.seed,
                   f_tol=args.f_tol, preset=args.preset, grad_noise=args.grad_noise, progress=line)
    t_race = time.perf_counter() - t0
    untuned = "" if res.tuned else f"{res.surface.name}: {args.steps} steps, untuned: one fixed lr each"
    n = len(res.starts)
    drawn = f"\n(paths from the first of {n} starts)" if n > 1 else ""
    written = _pictures(args, res, untuned and f"{untuned} (--protocol tunes them){drawn}",
                        untuned or f"{res.surface.name}: each optimizer at its tuned lr", untuned or None)
    out = res.to_dict()
    out["files"] = [str(p) for p in written]
    out["seconds"] = {"race": t_race, "total": time.perf_counter() - t0}
    emit(args, out, lambda: "\n".join([res.table(), *map(str, written)]))
    if args.json:
        for p in written:
            print(p, file=sys.stderr)
    return diverged(args, [f"{row['optimizer']} at lr {row['lr']:.3g}: {row['diverged']} run(s), at step(s) "
                           f"{', '.join(map(str, row['diverged_at']))}" for row in res.summary() if row["diverged"]])


def _pictures(args, res, title: str | None, curves_title: str | None, gif_title: str | None = None) -> list:
    """The contour picture, the curves and the animation the flags ask for, counted on a progress line."""
    wanted = [f for f in (args.out, args.curves, args.gif) if f]
    written = []
    if not wanted:
        return written
    with progress(args, "race pictures", unit="files", pace=False).start(len(wanted)) as line:
        if args.out:
            from ...viz import plot_race

            line.update(detail=args.out)
            written.append(plot_race(res, args.out, dpi=args.dpi, title=title))
            line.advance()
        if args.curves:
            from ...viz import plot_curves

            line.update(detail=args.curves)
            written.append(plot_curves(res, args.curves, surface=res.surface, dpi=args.dpi, title=curves_title))
            line.advance()
        if args.gif:
            from ...viz import animate_race

            line.update(detail=args.gif)
            kw = {"title": gif_title} if gif_title else {}
            written.append(animate_race(res, args.gif, frames=args.frames, dpi=args.dpi, **kw))
            line.advance()
        line.detail = None
    return written


def _seeds(text: str, flag: str) -> list[int]:
    from ...errors import ConfigError, expected

    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ConfigError(expected(f"{flag} as comma-separated integers", repr(text), f"e.g. {flag} 0,1,2")) from None


def _sweep_race(args, names, t0) -> int:
    """``race --protocol P``: the race as a sweep (:func:`descentlab.sweep.race.sweep_race`)."""
    from ...sweep.race import sweep_race

    spec = args.surface + ("" if not args.surface_opt else ":" + ",".join(args.surface_opt))
    with progress(args, f"race ({args.protocol})", unit="runs") as line:
        sr = sweep_race(spec, names, steps=args.steps, protocol=args.protocol, budget=args.budget,
                        tune_seeds=_seeds(args.tune_seeds, "--tune-seeds"),
                        test_seeds=_seeds(args.test_seeds, "--test-seeds"), preset=args.preset or "pytorch",
                        progress=line)
    t_race = time.perf_counter() - t0
    res = sr.result
    title = f"{res.surface.name}: {args.steps} steps, tuned lrs\n(paths from the first test start)"
    written = _pictures(args, res, title, title)
    out = sr.to_dict()
    out["files"] = [str(p) for p in written]
    out["seconds"] = {"race": t_race, "total": time.perf_counter() - t0}
    emit(args, out, lambda: "\n".join([sr.table(), *map(str, written)]))
    return 0
