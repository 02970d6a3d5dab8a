"""``descentlab conventions``: each framework's forms and default hyperparameters, side by side."""
from __future__ import annotations

import argparse

from .._common import add_json_flag, emit

NAME = "conventions"
HELP = "print each framework's optimizer forms and defaults (the presets) as a table"
DESCRIPTION = """\
Print, for every optimizer, the forms (eps placement, momentum form, Nesterov form,
initial accumulator, weight decay form, AMSGrad form, NAdam schedule) and default
hyperparameters of each preset: pytorch (the default), keras, optax, cs231n and lecture.
Any of them can be overridden by name, e.g. make_optimizer("adam", preset="keras",
eps_placement="outside"); docs/conventions.md explains each form.

  descentlab conventions                      all optimizers, all presets
  descentlab conventions -O adam -O rmsprop   two optimizers
  descentlab conventions -p pytorch -p keras  two presets
  descentlab conventions --json               the same data as JSON

'-' marks an optimizer the framework lacks, 'required' a value it has no default
for (null in --json), '*' a value descentlab chose where the framework has no default
(listed under "choices" in --json, with the reason).
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-O", "--optimizer", action="append", metavar="NAME",
                        help="only this optimizer (repeatable); names as in make_optimizer")
    parser.add_argument("-p", "--preset", action="append", metavar="PRESET",
                        help="only this preset (repeatable): pytorch, keras, optax, cs231n, lecture")
    add_json_flag(parser)


def run(args: argparse.Namespace) -> int:
    from ...optim.conventions import conventions_table, format_conventions_table
    from ...optim.registry import _canonical

    names = list(dict.fromkeys(_canonical(n) for n in args.optimizer)) if args.optimizer else None
    presets = list(dict.fromkeys(p.strip().lower() for p in args.preset)) if args.preset else None
    text = format_conventions_table(names, presets)  # validates the preset names too
    table = conventions_table()
    if names or presets:
        keep_p = presets or list(table["presets"])
        table["presets"] = {p: {o: h for o, h in table["presets"][p].items() if not names or o in names}
                            for p in keep_p}
        table["sources"] = {p: s for p, s in table["sources"].items() if p in keep_p}
        table["choices"] = [c for c in table["choices"] if c["preset"] in keep_p and (not names or c["optimizer"] in names)]
    emit(args, table, text)
    return 0
