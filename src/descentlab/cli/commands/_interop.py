"""Flags and text shared by the interop commands (port, diff, check, identify)."""
from __future__ import annotations

import argparse
from typing import Any

from ...validation import NONNEGATIVE
from .._common import add_flag, key_values

#: flag -> descentlab hyperparameter
HYPER_FLAGS = {"lr": "lr", "eps": "eps", "beta1": "beta1", "beta2": "beta2", "beta": "beta", "momentum": "momentum",
               "weight-decay": "weight_decay", "initial-accumulator": "initial_accumulator"}


def add_hyper_flags(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("hyperparameters (descentlab's names)")
    for flag, name in HYPER_FLAGS.items():
        add_flag(g, f"--{flag}", dest=f"h_{name}", constraints=[NONNEGATIVE, None], default=None, metavar="X", help=f"{name}")
    g.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="any other setting or form, e.g. --set eps_placement=inside (repeatable)")


def hyper_from(args: argparse.Namespace) -> dict[str, Any]:
    out = {name: getattr(args, f"h_{name}") for name in HYPER_FLAGS.values() if getattr(args, f"h_{name}") is not None}
    return {**out, **key_values(args.set, "--set", "eps_placement=inside")}


def departure_text(result: dict[str, Any]) -> list[str]:
    lines = []
    m = result["match"]
    if m:
        forms = ", ".join(f"{k}={v}" for k, v in m["conventions"].items()) or "no convention to choose"
        who = ", ".join(m["presets"]) if m["presets"] else "no framework's preset"
        lines.append(f"match: {result['optimizer']} as in {who} ({forms})")
    else:
        lines.append(f"match: none; nearest: {result['nearest']['name']} "
                     f"(max relative error {result['nearest']['max_rel_error']:.3g})")
    d = result["first_departure"]
    ref = result["reference"]["name"]
    if d:
        lines.append(f"first departure from {ref}: step {d['step']} ({d['run']} run), {d['param']}{d['index']}: "
                     f"got {d['got']!r}, expected {d['expected']!r}")
        lines.append(f"max relative error against {ref}: {result['max_rel_error']:.3g}")
    else:
        lines.append(f"no departure from {ref} beyond {result['tol']:g}")
    if result.get("likely_mistake"):
        lines.append(result["likely_mistake"])
    return lines
