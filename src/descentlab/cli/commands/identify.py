"""``descentlab identify``: name the preset and conventions of a recorded trajectory."""
from __future__ import annotations

import argparse

from .._common import add_json_flag, emit
from ._interop import add_hyper_flags, departure_text, hyper_from

NAME = "identify"
HELP = "name the optimizer preset and conventions a recorded run (params and grads per step) follows"
DESCRIPTION = """\
Replay every variant of the optimizer (each preset's forms, each convention changed,
the common mistakes) on the recorded gradients and compare with the recorded
parameters: the one that reproduces the run is named, or the nearest and where the
run departs from it.

The .npz file holds, for one parameter, params (T+1, ...) and grads (T, ...), or for
several, params/NAME and grads/NAME; optionally lr (T,), the learning rate of each
update, and hyper, a JSON string of the other hyperparameters. Flags override it.

  descentlab identify run.npz --optimizer adam --lr 1e-3
  descentlab identify run.npz -O rmsprop --set beta=0.9 --json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", metavar="RUN.npz", help="the recorded trajectory")
    parser.add_argument("-O", "--optimizer", help="the optimizer (default: search all)")
    parser.add_argument("-p", "--preset", help="the preset the run should follow")
    add_hyper_flags(parser)
    add_json_flag(parser)


def run(args: argparse.Namespace) -> int:
    from ...interop.identify import identify, load_recording

    rec, hyper = load_recording(args.run)
    hyper.update(hyper_from(args))
    result = identify([rec], args.optimizer, hyper, preset=args.preset)
    emit(args, result, lambda: "\n".join([f"{args.run}:"] + departure_text(result)))
    return 0
