"""Where frameworks disagree on the "same" optimizer: named conventions and presets.

Each disagreement is a named hyperparameter with named forms (see
:data:`~descentlab.optim.hyperparams.CONVENTION_CHOICES`):

==================  ==========================================================
eps_placement       'outside'  g / (sqrt(v) + eps)       PyTorch, paper Adam, CS231n
                    'inside'   g / sqrt(v + eps)         Keras/optax AdaGrad & RMSprop
                    'hat'      Adam's eps-hat            Keras/TF Adam
momentum_form       'lr_outside'  b = mu*b + g; x -= lr*b     PyTorch, optax
                    'lr_inside'   v = mu*v - lr*g; x += v     lecture, CS231n, Keras
nesterov_form       'transformed' gradient at the stored point phi = x + mu*v
                    'lookahead'   gradient at x + mu*v (the lecture's slide)
initial_accumulator AdaGrad's S_0 (and RMSprop's v_0): 0 PyTorch, 0.1 Keras/optax
weight_decay_form   'l2' (added to g) | 'decoupled' (AdamW, every Keras optimizer)
amsgrad_form        'max_raw'  max of v, then bias-corrected       PyTorch, Keras
                    'max_corrected'  max of bias-corrected v       optax
nadam_schedule      'pytorch'  mu_t = beta1*(1 - 0.5*0.96**(t*momentum_decay))
                    'keras'    mu_t = beta1*(1 - 0.5*0.96**t)
                    'constant' mu_t = beta1 (optax)
adamax_eps          'in_max'   u = max(beta2*u, |g| + eps)             PyTorch, optax
                    'after_max' u = max(beta2*u, |g|); divide by u + eps  Keras
adafactor_eps       'clamp'    V >= eps1**2, eps1 = machine eps         PyTorch
                    'add'      eps1 = 1e-30 added to g**2                Keras, the paper
==================  ==========================================================

A **preset** is one framework's forms and default values for each optimizer it has.
The default preset is ``pytorch``: it is what most people port from or to, its
defaults are the ones printed in most tutorials and papers' code, and its Adam is the
paper's Algorithm 1 (eps outside the root). Choose ``lecture`` for the forms written
on the chapter's slides.

Values marked in :data:`CHOICES` are descentlab's own where a framework has no
default (e.g. PyTorch has no default momentum for "momentum", so 0.9 is used).
"""
from __future__ import annotations

from typing import Any

from ..errors import ConfigError, expected

__all__ = ["PRESETS", "DEFAULT_PRESET", "PRESET_SOURCES", "CHOICES", "REQUIRED", "preset_defaults",
           "conventions_table", "format_conventions_table"]

DEFAULT_PRESET = "pytorch"


class _Required:
    """Marks a hyperparameter a framework has no default for (optax's lr)."""

    def __repr__(self) -> str:
        return "required"


REQUIRED: Any = _Required()

# -- building blocks -------------------------------------------------------------------
_SGD = dict(momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0, weight_decay_form="l2",
            momentum_form="lr_outside", nesterov_form="transformed")
_ADAM = dict(beta1=0.9, beta2=0.999, eps=1e-8, eps_placement="outside", weight_decay=0.0,
             weight_decay_form="l2", amsgrad=False, amsgrad_form="max_raw")
_NADAM = dict(beta1=0.9, beta2=0.999, eps=1e-8, eps_placement="outside", weight_decay=0.0,
              weight_decay_form="l2", nadam_schedule="pytorch", momentum_decay=4e-3)
_ADAGRAD = dict(lr_decay=0.0, weight_decay=0.0, weight_decay_form="l2", initial_accumulator=0.0,
                eps=1e-10, eps_placement="outside")
_RMSPROP = dict(beta=0.99, eps=1e-8, eps_placement="outside", weight_decay=0.0, weight_decay_form="l2",
                momentum=0.0, momentum_form="lr_outside", centered=False, initial_accumulator=0.0)
_RPROP = dict(eta_minus=0.5, eta_plus=1.2, step_size_min=1e-6, step_size_max=50.0)
_ADADELTA = dict(beta=0.9, eps=1e-6, weight_decay=0.0, weight_decay_form="l2")
_ADAMAX = dict(beta1=0.9, beta2=0.999, eps=1e-8, adamax_eps="in_max", weight_decay=0.0, weight_decay_form="l2")
_RADAM = dict(beta1=0.9, beta2=0.999, eps=1e-8, eps_placement="hat", weight_decay=0.0, weight_decay_form="l2")
_LION = dict(beta1=0.9, beta2=0.99, weight_decay=0.0, weight_decay_form="decoupled")
_LAMB = dict(beta1=0.9, beta2=0.999, eps=1e-6, eps_placement="outside", weight_decay=0.0)
_ADAFACTOR = dict(beta2_decay=-0.8, eps1=None, eps2=1e-3, clip_threshold=1.0, adafactor_eps="clamp",
                  weight_decay=0.0, weight_decay_form="decoupled")
_LBFGS = dict(lr=1.0, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9, history_size=100,
              line_search="none")
_NEWTON = dict(lr=1.0, regularization=0.0, fallback="regularize", min_curvature=1e-8, fallback_lr=1e-3)


def _with(base: dict, **changes: Any) -> dict:
    out = {"lr": changes.pop("lr")} if "lr" in changes else {}  # lr first: it is read first
    out.update(base)
    out.update(changes)
    return out


#: preset -> optimizer -> every hyperparameter's default (forms included)
PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    "pytorch": {
        "sgd": _with(_SGD, lr=1e-3),
        "momentum": _with(_SGD, lr=1e-3, momentum=0.9),
        "nesterov": _with(_SGD, lr=1e-3, momentum=0.9, nesterov=True),
        "adagrad": _with(_ADAGRAD, lr=1e-2),
        "rmsprop": _with(_RMSPROP, lr=1e-2),
        "adam": _with(_ADAM, lr=1e-3),
        "amsgrad": _with(_ADAM, lr=1e-3, amsgrad=True),
        "adamw": _with(_ADAM, lr=1e-3, weight_decay=1e-2, weight_decay_form="decoupled"),
        "nadam": _with(_NADAM, lr=2e-3),
        "rprop": _with(_RPROP, lr=1e-2),
        "adadelta": _with(_ADADELTA, lr=1.0),
        "adamax": _with(_ADAMAX, lr=2e-3),
        "radam": _with(_RADAM, lr=1e-3),
        "lion": _with(_LION, lr=1e-4),
        "lamb": _with(_LAMB, lr=1e-3),
        "adafactor": _with(_ADAFACTOR, lr=1e-2),
        "lbfgs": dict(_LBFGS),
        "newton": dict(_NEWTON),
    },
    "keras": {
        "sgd": _with(_SGD, lr=1e-2, momentum_form="lr_inside", weight_decay_form="decoupled"),
        "momentum": _with(_SGD, lr=1e-2, momentum=0.9, momentum_form="lr_inside", weight_decay_form="decoupled"),
        "nesterov": _with(_SGD, lr=1e-2, momentum=0.9, nesterov=True, momentum_form="lr_inside",
                          weight_decay_form="decoupled"),
        "adagrad": _with(_ADAGRAD, lr=1e-3, initial_accumulator=0.1, eps=1e-7, eps_placement="inside",
                         weight_decay_form="decoupled"),
        "rmsprop": _with(_RMSPROP, lr=1e-3, beta=0.9, eps=1e-7, eps_placement="inside", momentum_form="lr_inside",
                         weight_decay_form="decoupled"),
        "adam": _with(_ADAM, lr=1e-3, eps=1e-7, eps_placement="hat", weight_decay_form="decoupled"),
        "amsgrad": _with(_ADAM, lr=1e-3, eps=1e-7, eps_placement="hat", weight_decay_form="decoupled", amsgrad=True),
        "adamw": _with(_ADAM, lr=1e-3, eps=1e-7, eps_placement="hat", weight_decay=0.004,
                       weight_decay_form="decoupled"),
        "nadam": _with(_NADAM, lr=1e-3, eps=1e-7, nadam_schedule="keras", weight_decay_form="decoupled"),
        "adadelta": _with(_ADADELTA, lr=1e-3, beta=0.95, eps=1e-7, weight_decay_form="decoupled"),
        "adamax": _with(_ADAMAX, lr=1e-3, eps=1e-7, adamax_eps="after_max", weight_decay_form="decoupled"),
        "lion": _with(_LION, lr=1e-3),
        "lamb": _with(_LAMB, lr=1e-3, eps=1e-7),
        "adafactor": _with(_ADAFACTOR, lr=1e-3, eps1=1e-30, adafactor_eps="add"),
        "newton": dict(_NEWTON),
    },
    "optax": {
        "sgd": _with(_SGD, lr=REQUIRED),
        "momentum": _with(_SGD, lr=REQUIRED, momentum=0.9),
        "nesterov": _with(_SGD, lr=REQUIRED, momentum=0.9, nesterov=True),
        "adagrad": _with(_ADAGRAD, lr=REQUIRED, initial_accumulator=0.1, eps=1e-7, eps_placement="inside"),
        "rmsprop": _with(_RMSPROP, lr=REQUIRED, beta=0.9, eps=1e-8, eps_placement="inside",
                         momentum_form="lr_inside"),
        "adam": _with(_ADAM, lr=REQUIRED, amsgrad_form="max_corrected"),
        "amsgrad": _with(_ADAM, lr=REQUIRED, amsgrad=True, amsgrad_form="max_corrected"),
        "adamw": _with(_ADAM, lr=REQUIRED, weight_decay=1e-4, weight_decay_form="decoupled",
                       amsgrad_form="max_corrected"),
        "nadam": _with(_NADAM, lr=REQUIRED, nadam_schedule="constant"),
        "adadelta": _with(_ADADELTA, lr=REQUIRED),
        "adamax": _with(_ADAMAX, lr=REQUIRED),
        "radam": _with(_RADAM, lr=REQUIRED, eps_placement="outside"),
        "lion": _with(_LION, lr=REQUIRED, weight_decay=1e-3),
        "lamb": _with(_LAMB, lr=REQUIRED),
        "newton": dict(_NEWTON),
    },
    "cs231n": {
        "sgd": _with(_SGD, lr=1e-2, momentum_form="lr_inside"),
        "momentum": _with(_SGD, lr=1e-2, momentum=0.9, momentum_form="lr_inside"),
        "nesterov": _with(_SGD, lr=1e-2, momentum=0.9, nesterov=True, momentum_form="lr_inside"),
        "adagrad": _with(_ADAGRAD, lr=1e-2, eps=1e-7),
        "rmsprop": _with(_RMSPROP, lr=1e-2, beta=0.99, eps=1e-8, momentum_form="lr_inside"),
        "adam": _with(_ADAM, lr=1e-3),
        "newton": dict(_NEWTON),
    },
    "lecture": {
        "sgd": _with(_SGD, lr=1e-2, momentum_form="lr_inside", nesterov_form="lookahead"),
        "momentum": _with(_SGD, lr=1e-2, momentum=0.9, momentum_form="lr_inside", nesterov_form="lookahead"),
        "nesterov": _with(_SGD, lr=1e-2, momentum=0.9, nesterov=True, momentum_form="lr_inside",
                          nesterov_form="lookahead"),
        "adagrad": _with(_ADAGRAD, lr=1e-2, eps=1e-7),
        "rmsprop": _with(_RMSPROP, lr=1e-2, beta=0.9, eps=1e-6, eps_placement="inside", momentum_form="lr_inside"),
        "adam": _with(_ADAM, lr=1e-3),
        "newton": dict(_NEWTON),
    },
}

PRESET_SOURCES = {
    "pytorch": "torch.optim 2.13 signatures and update rules",
    "keras": "Keras 3 optimizers (weight decay is decoupled in every Keras optimizer)",
    "optax": "optax aliases; optax has no default learning rate, so lr must be given",
    "cs231n": "CS231n assignment 2 optim.py (sgd, sgd_momentum, rmsprop, adam) and the course notes "
              "(Nesterov, AdaGrad)",
    "lecture": "the chapter's slides: momentum v = alpha*v - eta*g, look-ahead Nesterov, "
               "AdaGrad with eps outside (the code slide), RMSProp with eps = 1e-6 inside",
}

#: (preset, optimizer, hyperparameter) whose value is descentlab's choice, not the framework's
CHOICES = {
    ("pytorch", "momentum", "momentum"): "PyTorch's SGD defaults to momentum=0; 0.9 is the usual choice",
    ("pytorch", "nesterov", "momentum"): "PyTorch's SGD defaults to momentum=0; 0.9 is the usual choice",
    ("keras", "momentum", "momentum"): "Keras's SGD defaults to momentum=0; 0.9 is the usual choice",
    ("keras", "nesterov", "momentum"): "Keras's SGD defaults to momentum=0; 0.9 is the usual choice",
    ("optax", "momentum", "momentum"): "optax's sgd defaults to momentum=None; 0.9 is the usual choice",
    ("optax", "nesterov", "momentum"): "optax's sgd defaults to momentum=None; 0.9 is the usual choice",
    ("cs231n", "nesterov", "momentum"): "the notes' Nesterov has no default; 0.9 as in sgd_momentum",
    ("cs231n", "adagrad", "eps"): "the notes suggest 1e-4 to 1e-8; 1e-7 is the value in the slides' code",
    ("cs231n", "nesterov", "lr"): "the notes' Nesterov has no default; 1e-2 as in sgd_momentum",
    ("cs231n", "adagrad", "lr"): "AdaGrad is in the notes, not in optim.py; 1e-2 as the other rules",
    ("lecture", "sgd", "lr"): "the slides give no learning rate; 1e-2 as CS231n",
    ("lecture", "momentum", "lr"): "the slides give no learning rate; 1e-2 as CS231n",
    ("lecture", "nesterov", "lr"): "the slides give no learning rate; 1e-2 as CS231n",
    ("lecture", "adagrad", "lr"): "the slides give no learning rate; 1e-2 as CS231n",
    ("lecture", "rmsprop", "lr"): "the slides give no learning rate; 1e-2 as CS231n",
    ("lecture", "momentum", "momentum"): "the slides: mu usually 0.5, 0.9 or 0.99",
    ("lecture", "rmsprop", "beta"): "Hinton's slide uses 0.9; the eps-inside slide writes beta = 0.999",
    ("lecture", "adam", "lr"): "Adam is not on the slides; the paper's defaults",
    ("pytorch", "lion", "lr"): "PyTorch has no Lion; 1e-4, the value in the paper's code (3-10x below AdamW's)",
    ("pytorch", "lion", "weight_decay"): "PyTorch has no Lion; the paper's code has no decay by default",
    ("pytorch", "lamb", "lr"): "PyTorch has no LAMB; 1e-3 as Keras (optax has no default lr)",
    ("pytorch", "lamb", "eps"): "PyTorch has no LAMB; optax's 1e-6",
}


def preset_defaults(preset: str | None, optimizer: str) -> tuple[str, dict[str, Any]]:
    """``(preset_name, defaults)`` for ``optimizer`` under ``preset`` (None: the default preset)."""
    name = DEFAULT_PRESET if preset is None else str(preset).strip().lower()
    if name not in PRESETS:
        raise ConfigError(expected("a preset among " + ", ".join(PRESETS), repr(preset),
                                   f"choose one of: {', '.join(PRESETS)}"))
    table = PRESETS[name]
    if optimizer not in table:
        raise ConfigError(expected(f"an optimizer that preset {name!r} defines ({', '.join(table)})", optimizer,
                                   f"use another preset, e.g. preset='{DEFAULT_PRESET}'"))
    return name, dict(table[optimizer])


def conventions_table() -> dict[str, Any]:
    """Every preset's defaults and forms, as JSON-ready data: ``{preset: {optimizer: {...}}}``."""
    return {
        "default_preset": DEFAULT_PRESET,
        "presets": {p: {o: {k: (None if v is REQUIRED else v) for k, v in h.items()} for o, h in t.items()}
                    for p, t in PRESETS.items()},
        "sources": dict(PRESET_SOURCES),
        "choices": [{"preset": p, "optimizer": o, "hyper": k, "why": why} for (p, o, k), why in CHOICES.items()],
    }


def format_conventions_table(optimizers: list[str] | None = None, presets: list[str] | None = None) -> str:
    """The table as text: one block per optimizer, one row per hyperparameter, one column per preset.

    ``-`` means the framework has no such optimizer; ``required`` that it has no default;
    ``*`` that the value is descentlab's choice (see :data:`CHOICES`).
    """
    for p in presets or []:
        if p not in PRESETS:
            raise ConfigError(expected("a preset among " + ", ".join(PRESETS), repr(p),
                                       f"choose from: {', '.join(PRESETS)}"))
    presets = list(dict.fromkeys(presets or PRESETS))  # in order, each once
    names = list(dict.fromkeys(optimizers or PRESETS[DEFAULT_PRESET]))
    lines = []
    for opt in names:
        if not any(opt in PRESETS[p] for p in presets):
            others = [p for p in PRESETS if opt in PRESETS[p]]
            lines += [f"{opt}: not in {', '.join(presets)} (it is in {', '.join(others)})", ""]
            continue
        keys: list[str] = []
        for p in presets:
            for k in PRESETS[p].get(opt, {}):
                if k not in keys:
                    keys.append(k)
        rows = [[opt] + presets]
        for k in keys:
            row = [k]
            for p in presets:
                if opt not in PRESETS[p]:
                    row.append("-")
                    continue
                v = PRESETS[p][opt].get(k, "-")
                if k == "momentum_decay" and PRESETS[p][opt].get("nadam_schedule") != "pytorch":
                    v = "(unused)"  # only the 'pytorch' NAdam schedule reads it
                cell = f"{v:g}" if isinstance(v, float) else str(v)
                row.append(cell + ("*" if (p, opt, k) in CHOICES else ""))
            rows.append(row)
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for i, r in enumerate(rows):
            lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
            if i == 0:
                lines.append("  ".join("-" * w for w in widths))
        lines.append("")
    lines.append(f"default preset: {DEFAULT_PRESET}.  * descentlab's choice where the framework has no default.")
    return "\n".join(lines)
