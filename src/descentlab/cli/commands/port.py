"""``descentlab port``: the target framework's settings that reproduce an optimizer of another."""
from __future__ import annotations

import argparse

from .._common import add_json_flag, emit
from ._interop import add_hyper_flags, hyper_from

NAME = "port"
HELP = "print the settings of one framework that reproduce another framework's optimizer"
DESCRIPTION = """\
Find the target framework's call that gives the same update rule as the source
framework's optimizer (its defaults, overridden by the flags), with a code snippet.
Where none exists (Keras's eps-hat has no torch equivalent), print the nearest call
and the largest deviation measured over a 200-step test trajectory; either way,
print the descentlab line that reproduces the source exactly inside the target
framework through an adapter.

  descentlab port adam --from keras --to pytorch
  descentlab port adagrad --from keras --to pytorch --lr 0.01 --json
  descentlab port momentum --from keras --to optax --set nesterov=true
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("optimizer", help="sgd, momentum, nesterov, adagrad, rmsprop, adam, amsgrad, adamw, nadam")
    parser.add_argument("--from", dest="source", required=True, help="the source preset (pytorch, keras, optax, "
                        "cs231n, lecture)")
    parser.add_argument("--to", dest="target", required=True, help="the target framework (pytorch, keras, optax)")
    add_hyper_flags(parser)
    add_json_flag(parser)


def run(args: argparse.Namespace) -> int:
    from ...interop.port import format_port, port

    result = port(args.optimizer, args.source, args.target, **hyper_from(args))
    emit(args, result, lambda: format_port(result))
    return 0
