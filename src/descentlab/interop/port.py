"""Port an optimizer from one framework to another: the settings that reproduce it.

:func:`port` takes descentlab's rule ``optimizer`` under preset ``source`` (with any
hyperparameters given) and finds, among the target framework's own optimizers and
arguments (:data:`FRAMEWORK_ARGS`), the call that gives the same rule. Where the
target has no such call (Keras's eps-hat has no torch equivalent; eps inside the root
has no torch Adagrad), it gives the nearest call and the largest deviation measured
over a test trajectory, and, either way, the descentlab line that reproduces the
source exactly inside the target framework through an adapter.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ConfigError, expected
from ..optim.conventions import PRESETS, preset_defaults
from ..optim.registry import _canonical, make_optimizer
from .space import _rule_key

__all__ = ["port", "FRAMEWORK_ARGS", "trajectory_deviation"]

_SGD_T = ("torch.optim.SGD", {"lr": "lr", "momentum": "momentum", "dampening": "dampening", "nesterov": "nesterov",
                              "weight_decay": "weight_decay"})
_ADAM_T = {"lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]", "eps": "eps", "weight_decay": "weight_decay",
           "amsgrad": "amsgrad"}
_SGD_K = ("keras.optimizers.SGD", {"lr": "learning_rate", "momentum": "momentum", "nesterov": "nesterov",
                                   "weight_decay": "weight_decay"})
_ADAM_K = {"lr": "learning_rate", "beta1": "beta_1", "beta2": "beta_2", "eps": "epsilon", "amsgrad": "amsgrad",
           "weight_decay": "weight_decay"}
_SGD_O = ("optax.sgd", {"lr": "learning_rate", "momentum": "momentum", "nesterov": "nesterov"})
_ADAM_O = {"lr": "learning_rate", "beta1": "b1", "beta2": "b2", "eps": "eps"}

#: framework -> descentlab optimizer -> (the framework's call, {descentlab hyperparameter: its argument})
FRAMEWORK_ARGS: dict[str, dict[str, tuple[str, dict[str, str]]]] = {
    "pytorch": {
        "sgd": _SGD_T, "momentum": _SGD_T, "nesterov": _SGD_T,
        "adagrad": ("torch.optim.Adagrad", {"lr": "lr", "lr_decay": "lr_decay", "weight_decay": "weight_decay",
                                            "initial_accumulator": "initial_accumulator_value", "eps": "eps"}),
        "rmsprop": ("torch.optim.RMSprop", {"lr": "lr", "beta": "alpha", "eps": "eps", "weight_decay": "weight_decay",
                                            "momentum": "momentum", "centered": "centered"}),
        "adam": ("torch.optim.Adam", _ADAM_T), "amsgrad": ("torch.optim.Adam", _ADAM_T),
        "adamw": ("torch.optim.AdamW", _ADAM_T),
        "nadam": ("torch.optim.NAdam", {"lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]", "eps": "eps",
                                        "weight_decay": "weight_decay", "momentum_decay": "momentum_decay"}),
    },
    "keras": {
        "sgd": _SGD_K, "momentum": _SGD_K, "nesterov": _SGD_K,
        "adagrad": ("keras.optimizers.Adagrad", {"lr": "learning_rate", "initial_accumulator": "initial_accumulator_value",
                                                 "eps": "epsilon", "weight_decay": "weight_decay"}),
        "rmsprop": ("keras.optimizers.RMSprop", {"lr": "learning_rate", "beta": "rho", "momentum": "momentum",
                                                 "eps": "epsilon", "centered": "centered",
                                                 "weight_decay": "weight_decay"}),
        "adam": ("keras.optimizers.Adam", _ADAM_K), "amsgrad": ("keras.optimizers.Adam", _ADAM_K),
        "adamw": ("keras.optimizers.AdamW", _ADAM_K),
        "nadam": ("keras.optimizers.Nadam", {"lr": "learning_rate", "beta1": "beta_1", "beta2": "beta_2",
                                             "eps": "epsilon", "weight_decay": "weight_decay"}),
    },
    "optax": {
        "sgd": _SGD_O, "momentum": _SGD_O, "nesterov": _SGD_O,
        "adagrad": ("optax.adagrad", {"lr": "learning_rate", "initial_accumulator": "initial_accumulator_value",
                                      "eps": "eps"}),
        "rmsprop": ("optax.rmsprop", {"lr": "learning_rate", "beta": "decay", "eps": "eps",
                                      "initial_accumulator": "initial_scale", "centered": "centered",
                                      "momentum": "momentum"}),
        "adam": ("optax.adam", _ADAM_O), "amsgrad": ("optax.amsgrad", _ADAM_O),
        "adamw": ("optax.adamw", {**_ADAM_O, "weight_decay": "weight_decay"}),
        "nadam": ("optax.nadam", _ADAM_O),
    },
}

#: optimizers a port may switch to in the target (decoupled decay is AdamW in torch and optax)
_SIBLINGS = {"adam": ("adam", "adamw"), "adamw": ("adamw", "adam")}
_ADAPTER = {"pytorch": 'descentlab.interop.torch.Optimizer(model.parameters(), "{o}", preset="{p}"{kw})',
            "optax": 'descentlab.interop.optax.transform("{o}", preset="{p}"{kw})'}


def trajectory_deviation(a, b, steps: int = 200) -> float:
    """The largest relative difference between the iterates of two optimizers on one test problem."""
    from .check import PROBLEMS

    w0, grad = PROBLEMS["vector"]
    pa, pb = {"w": w0.copy()}, {"w": w0.copy()}
    sa, sb = a.init(pa), b.init(pb)
    worst = 0.0
    with np.errstate(all="ignore"):
        for _ in range(steps):
            a.step(pa, {"w": grad(pa["w"])}, sa)
            b.step(pb, {"w": grad(pb["w"])}, sb)
            d = float(np.max(np.abs(pa["w"] - pb["w"])) / max(np.max(np.abs(pb["w"])), 1e-300))
            worst = max(worst, d if np.isfinite(d) else np.inf)
    return worst


def _call(name: str, args: dict[str, str], hyper: dict[str, Any], defaults: dict[str, Any]) -> str:
    parts, betas = [], {}
    for ours, theirs in args.items():
        if ours not in hyper or (ours in defaults and defaults[ours] == hyper[ours] and ours != "lr"):
            continue
        if theirs.startswith("betas["):
            betas[int(theirs[6])] = hyper[ours]
            continue
        parts.append(f"{theirs}={hyper[ours]!r}")
    if betas:
        b = (betas.get(0, hyper.get("beta1")), betas.get(1, hyper.get("beta2")))
        parts.append(f"betas=({b[0]!r}, {b[1]!r})")
    first = "params, " if name.startswith("torch") else ""
    return f"{name}({first}{', '.join(parts)})"


def port(optimizer: str, source: str, target: str, **hyper: Any) -> dict[str, Any]:
    """The target framework's settings that reproduce ``optimizer`` of ``source`` (see the module docstring)."""
    name = _canonical(optimizer)
    if target not in FRAMEWORK_ARGS:
        raise ConfigError(expected(f"a target framework among {', '.join(FRAMEWORK_ARGS)}", repr(target),
                                   "port to pytorch, keras or optax (cs231n and lecture have no library)"))
    src = make_optimizer(name, preset=source, **hyper)
    candidates = []
    for cand in _SIBLINGS.get(name, (name,)):
        if cand not in FRAMEWORK_ARGS[target]:
            continue
        call, args = FRAMEWORK_ARGS[target][cand]
        _, defaults = preset_defaults(target, cand)
        settable = {k: src.hyper[k] for k in args if k in src.hyper}
        if target == "optax" and "lr" not in settable:
            settable["lr"] = src.hyper["lr"]
        try:
            tgt = make_optimizer(cand, preset=target, **settable)
        except ConfigError:
            continue
        exact = _rule_key(tgt) == _rule_key(src)
        dev = 0.0 if exact else trajectory_deviation(tgt, src)
        candidates.append((not exact, dev, cand, call, args, defaults, tgt))
    if not candidates:
        raise ConfigError(expected(f"an optimizer {target} has for {name}", "none",
                                   f"{target} has: {', '.join(FRAMEWORK_ARGS[target])}"))
    candidates.sort(key=lambda c: (c[0], c[1]))
    inexact, dev, cand, call, args, defaults, tgt = candidates[0]
    live = {k for k, _ in _rule_key(src)} & {k for k, _ in _rule_key(tgt)}  # settings that act here
    differs = {k: {"source": src.hyper[k], "target": tgt.hyper[k]} for k in sorted(live)
               if src.hyper[k] != tgt.hyper[k]}
    status = "exact" if not inexact else ("exact while lr is constant" if dev <= 1e-12 else "nearest")
    kw = "".join(f", {k}={v!r}" for k, v in hyper.items())
    adapter = _ADAPTER.get(target)
    result = {
        "optimizer": name, "from": src.preset, "to": target, "status": status,
        "call": _call(call, args, tgt.hyper, defaults), "target_optimizer": cand,
        "max_rel_deviation": dev, "deviation_test": "200 steps on descentlab check's vector problem",
        "differs": differs,
        "descentlab": (adapter.format(o=name, p=src.preset, kw=kw) if adapter else
                       f'descentlab.optim.make_optimizer("{name}", preset="{src.preset}"{kw})  # no Keras adapter'),
        "source_hyper": dict(src.hyper),
    }
    return result


def format_port(r: dict[str, Any]) -> str:
    lines = [f"{r['optimizer']} from {r['from']} to {r['to']}: {r['status']}", "", "  " + r["call"], ""]
    if r["status"] != "exact":
        lines.append(f"largest relative deviation: {r['max_rel_deviation']:.3g} ({r['deviation_test']})")
        for k, d in r["differs"].items():
            lines.append(f"  {k}: {r['from']} {d['source']!r}, {r['to']} {d['target']!r}")
        lines.append("")
    lines += ["exactly the source's rule, inside the target framework:", "", "  " + r["descentlab"]]
    return "\n".join(lines)
