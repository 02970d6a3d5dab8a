"""``descentlab check``: grade an implementation of an optimizer, by the conventions it follows."""
from __future__ import annotations

import argparse

from .._common import add_json_flag, emit
from ._interop import departure_text

NAME = "check"
HELP = "name the preset and conventions an update function implements, or where it departs"
DESCRIPTION = """\
Drive a submission on two small problems (30 updates, the learning rate halved
halfway) and search the convention space (eps placement, bias correction, momentum
and Nesterov forms, the initial accumulator, when t is incremented, Adamax's eps, and
the common mistakes) for the rule it implements.

A submission is FILE.py:NAME or MODULE:NAME, naming either a function in CS231n's
signature, update(w, dw, config) -> (next_w, config), that reads learning_rate,
momentum, decay_rate, beta1, beta2 and epsilon from config (Rprop also eta_minus,
eta_plus, step_size_min and step_size_max; Lion and LAMB weight_decay; Adafactor
beta2_decay, eps1, eps2, clip_threshold and weight_decay), or a class with torch's
interface, Cls(params, lr=..., ...) whose step() reads p.grad. Rprop's learning rate is
its first step size and is not halved. One problem is a 2 x 3 matrix, so Adafactor's
factored second moment (row and column averages) is graded as well as its plain one.

  descentlab check student.py:adam --optimizer adam
  descentlab check student.py:rmsprop --optimizer rmsprop --preset cs231n --json
  for f in submissions/*.py; do descentlab check "$f:adam" -O adam --json; done

--preset names the rule the submission should follow; the first departure is
reported against it (else against the nearest framework's rule). The JSON holds
optimizer, match {preset, presets, conventions} or null, nearest, first_departure
{step, index, got, expected, param, run}, max_rel_error and likely_mistake.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submission", metavar="FILE.py:FUNCTION", help="the update function or optimizer class")
    parser.add_argument("-O", "--optimizer", required=True,
                        help="sgd, momentum, nesterov, adagrad, rmsprop, adam, rprop, adamax, adadelta, radam, "
                             "lion, lamb or adafactor")
    parser.add_argument("-p", "--preset", help="the preset the submission should follow (e.g. cs231n, pytorch)")
    add_json_flag(parser)


def run(args: argparse.Namespace) -> int:
    from ...interop.check import check

    result = check(args.submission, args.optimizer, preset=args.preset)
    emit(args, result, lambda: "\n".join([f"{args.submission} ({result['optimizer']}):"] + departure_text(result)))
    return 0
