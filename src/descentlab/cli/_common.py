"""The command line's one vocabulary: shared flags, how a flag's text is read and checked, output.

* **Reading.** A flag's text is read by :mod:`descentlab.keyvalue`, the grammar that
  ``--set KEY=VALUE``, ``--surface-opt``, ``--lr NAME=LR`` and the schedules' text form
  share: ``0.5`` is a float, ``10`` an int, ``true`` a bool.
* **Checking.** A flag added with :func:`add_flag` carries its constraints in the
  vocabulary of :mod:`descentlab.validation`; :func:`check_flags` (called by ``main``
  before a command runs) refuses a bad value with one sentence and exit status 2, e.g.
  ``expected --epochs an integer >= 1, got 2.5. Fix: ...``.
* **Caps on counts.** A count costs no memory up front, so ``--starts 100000000000`` or
  ``--epochs 10**20`` would be accepted and then run for ever. Every count flag has a
  generous upper bound instead, refused with the same sentence and status 2:
  :data:`MAX_STEPS` (10^7 updates per run: minutes on a 2-D surface, and a trajectory of
  about 0.6 GB; also the bound of ``--checkpoint-every``), :data:`MAX_EPOCHS` (10^6; also
  ``--early-stopping`` patience), :data:`MAX_REPEATS` (10^4 starts, seeds, lrs per
  optimizer, frames), :data:`MAX_WORKERS` (1024
  processes), and for a race :data:`MAX_RACE_UPDATES` (10^10 updates in all: steps ×
  starts × seeds × lrs tried × optimizers, days of work at ~10 µs an update).
* **Shared flags.** Every flag more than one command takes is defined here once:
  ``--optimizer``/``--preset``/``--set``, ``--lr``, ``--schedule``, ``--steps``,
  ``--seed``, the dataset and model flags of train, lr-find and compare, ``--json``,
  ``-q`` and ``-o``.
"""
from __future__ import annotations

import argparse
import sys
from numbers import Integral
from typing import Any, Callable, Iterable

from .._io import dumps_json
from ..errors import ConfigError, expected
from ..keyvalue import parse_pairs, parse_value
from ..progress import Progress
from ..validation import COUNT, NONNEGATIVE, Interval, Real, check

__all__ = [
    "value", "add_flag", "check_flags", "add_count_flag", "count",
    "MAX_STEPS", "MAX_EPOCHS", "MAX_REPEATS", "MAX_WORKERS", "MAX_RACE_UPDATES",
    "add_json_flag", "add_seed_flag", "add_out_flag", "add_quiet_flag", "add_steps_flag", "add_epochs_flag",
    "add_lr_flag", "add_schedule_flag", "add_optimizer_flags", "add_name_lr_flag", "add_model_arguments",
    "hidden_sizes", "key_values", "name_lrs", "numbers", "base_lr",
    "emit", "progress", "say",
]

#: upper bounds of the count flags (see the module docstring)
MAX_STEPS = 10_000_000
MAX_EPOCHS = 1_000_000
MAX_REPEATS = 10_000
MAX_WORKERS = 1024
MAX_RACE_UPDATES = 10 ** 10


def count(low: int, cap: int) -> Interval:
    """A whole number in ``[low, cap]``: a count flag's constraint."""
    return Interval(Integral, low, cap, closed="both")


def cap_fix(flag: str, low: int, cap: int, what: str, why: str = "more would run for days") -> str:
    """The fix of a refused count: the range, and why there is a cap."""
    return f"pass {flag} a whole number from {low} to {cap} (at most {cap} {what}: {why})"


_PRESETS_HELP = "convention preset: pytorch (default), keras, optax, cs231n, lecture"


# ----------------------------------------------------------------------------------------
# Reading and checking a flag


def value(text: str) -> Any:
    """A flag's text as a value of the one grammar (an argparse ``type``; it never fails)."""
    return parse_value(text, lists=False)


def add_flag(parser: argparse.ArgumentParser, *names: str, constraints: list[Any], fix: str | None = None,
             **kw: Any) -> argparse.Action:
    """``parser.add_argument`` for a flag whose value :func:`check_flags` checks (``fix``: the advice when refused)."""
    action = parser.add_argument(*names, type=value, **kw)
    flag = next((n for n in action.option_strings if n.startswith("--")), action.option_strings[0])
    checks = dict(parser.get_default("_flag_checks") or {})
    checks[action.dest] = (flag, constraints, fix)
    parser.set_defaults(_flag_checks=checks)
    return action


def check_flags(args: argparse.Namespace) -> None:
    """Check (and normalise) every flag added with :func:`add_flag`; ConfigError on a bad one."""
    for dest, (flag, constraints, fix) in (getattr(args, "_flag_checks", None) or {}).items():
        setattr(args, dest, check("", flag, getattr(args, dest), constraints, fix=fix))


def add_count_flag(parser: argparse.ArgumentParser, *names: str, low: int = 1, cap: int = MAX_REPEATS,
                   what: str = "of them", why: str = "more would run for days", optional: bool = False,
                   **kw: Any) -> argparse.Action:
    """A whole-number flag in ``[low, cap]`` (None too with ``optional``), refused beyond with a sentence."""
    flag = next(n for n in names if n.startswith("--"))
    return add_flag(parser, *names, constraints=[count(low, cap)] + ([None] if optional else []),
                    fix=cap_fix(flag, low, cap, what, why), **kw)


def key_values(items: Iterable[str] | None, flag: str, example: str = "momentum=0.9") -> dict[str, Any]:
    """Repeated ``KEY=VALUE`` flags as a dict (``--set``, ``--surface-opt``); each key once."""
    return parse_pairs(items, flag, example=f"{flag} {example}")


def name_lrs(items: Iterable[str] | None, flag: str = "--lr") -> dict[str, float]:
    """Repeated ``NAME=LR`` flags as a dict of learning rates, each a number >= 0."""
    pairs = parse_pairs(items, flag, example=f"{flag} adam=0.003", lists=False)
    return {name: check("", f"{flag} {name}", lr, [NONNEGATIVE], fix=f"e.g. {flag} {name}=0.01")
            for name, lr in pairs.items()}


def numbers(text: str | None, flag: str, example: str = "1,2") -> list[float] | None:
    """``"1,2"`` -> ``[1.0, 2.0]``: a flag that takes numbers separated by commas."""
    if text is None:
        return None
    items = parse_value(text.replace(" ", ""))
    items = items if isinstance(items, list) else [items]
    if not items or any(isinstance(x, (str, bool)) for x in items):
        raise ConfigError(expected("numbers separated by commas", repr(text), f"e.g. {flag}={example}"))
    return [float(x) for x in items]


def hidden_sizes(text: str) -> list[int]:
    """``"64,32"`` (or ``"64-32"``) -> ``[64, 32]``; ``""`` -> no hidden layer. An argparse type."""
    parts = [p.strip() for p in text.strip().replace("-", ",").split(",") if p.strip()]
    if not all(p.isdigit() and int(p) > 0 for p in parts):
        raise argparse.ArgumentTypeError(f"expected hidden sizes like 64,32 (positive integers), got {text!r}")
    return [int(p) for p in parts]


def base_lr(args: argparse.Namespace, hyper: dict[str, Any]) -> float:
    """The learning rate a run starts from: ``--lr``, else ``--set lr=``, else the preset's."""
    if args.lr is not None:
        return args.lr
    if "lr" in hyper:
        return hyper.pop("lr")
    from ..optim import default_hyper

    return default_hyper(args.optimizer, args.preset)["lr"]


# ----------------------------------------------------------------------------------------
# The shared flags


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable results (JSON) on stdout")


def add_seed_flag(parser: argparse.ArgumentParser, default: int = 0) -> None:
    add_flag(parser, "--seed", constraints=[COUNT], default=default,
             help=f"random seed, a whole number >= 0 (default {default})")


def add_out_flag(parser: argparse.ArgumentParser, default: str, what: str = "output file") -> None:
    parser.add_argument("-o", "--out", default=default, help=f"{what} (default {default}); its folder is created")


def add_quiet_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress output")


def add_steps_flag(parser: argparse.ArgumentParser, default: int, help: str) -> None:
    add_count_flag(parser, "--steps", low=0, cap=MAX_STEPS, what="updates per run", default=default, help=help)


def add_epochs_flag(parser: argparse.ArgumentParser, default: int) -> None:
    add_count_flag(parser, "--epochs", cap=MAX_EPOCHS, what="passes over the data", default=default,
                   help=f"passes over the data (default {default})")


def add_lr_flag(parser: argparse.ArgumentParser, default: float | None = None,
                help: str = "learning rate (default: the preset's)") -> None:
    add_flag(parser, "--lr", constraints=[NONNEGATIVE, None], default=default, help=help)


def add_schedule_flag(parser: argparse.ArgumentParser, examples: str = "'exp:k=0.01', 'step:every=50,gamma=0.5'") -> None:
    parser.add_argument("--schedule", default=None,
                        help=f"lr schedule starting from --lr (default: the preset's lr), e.g. {examples}")


def add_optimizer_flags(parser: argparse.ArgumentParser, default: str = "sgd", preset: str | None = None,
                        hyper: bool = True) -> None:
    """``--optimizer``, ``--preset`` and (with ``hyper``) the repeatable ``--set KEY=VALUE``."""
    parser.add_argument("--optimizer", default=default,
                        help=f"sgd (gd), momentum, nesterov, adagrad, rmsprop, adam, amsgrad, adamw, nadam, newton "
                             f"(default {default})")
    parser.add_argument("--preset", default=preset, help=_PRESETS_HELP)
    if hyper:
        parser.add_argument("--set", dest="hyper", action="append", metavar="KEY=VALUE",
                            help="a hyperparameter or convention, e.g. --set momentum=0.9 --set eps_placement=inside")


def add_name_lr_flag(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument("--lr", action="append", metavar="NAME=LR", help=help)


def add_model_arguments(parser: argparse.ArgumentParser, epochs: int = 20) -> None:
    """The dataset and model flags of train, lr-find and compare."""
    parser.add_argument("dataset", nargs="?", default="digits",
                        help="digits, mnist_5k, iris, breast_cancer, two_moons, spirals, xor, linear_regression, "
                             "or a .npz/.csv path (default digits)")
    parser.add_argument("--hidden", type=hidden_sizes, default="32", help="hidden layer sizes, e.g. 64,32 ('' for none; default 32)")
    parser.add_argument("--activation", default="relu", choices=["relu", "tanh", "sigmoid"],
                        help="hidden activation (default relu)")
    parser.add_argument("--init", default=None, help="xavier, he, small_uniform (default: He for ReLU, else Xavier)")
    parser.add_argument("--loss", default="auto", help="auto, cross_entropy, mse, mse_half, bce (default auto)")
    parser.add_argument("--batching", default="minibatch:32", help="full, stochastic, minibatch:K[:keep|drop]")
    add_epochs_flag(parser, epochs)
    add_flag(parser, "--val-fraction", constraints=[Interval(Real, 0, 1, closed="left")], default=0.2,
             help="held-out fraction (default 0.2; 0 for none)")
    parser.add_argument("--no-standardize", action="store_true", help="do not standardise the features")
    add_seed_flag(parser)


# ----------------------------------------------------------------------------------------
# Output


def emit(args: argparse.Namespace, result: Any, text: str | Callable[[], str] | None = None) -> None:
    """Print ``result`` as JSON when ``--json`` was given, else the human text."""
    if getattr(args, "json", False):
        sys.stdout.write(dumps_json(result) + "\n")
    elif text is not None:
        sys.stdout.write((text() if callable(text) else text).rstrip("\n") + "\n")


def progress(args: argparse.Namespace, label: str, unit: str | None = "steps", **kw: Any) -> Progress:
    """The command's progress line on stderr (:mod:`descentlab.progress`), silent with --quiet.

    It is drawn with ``--json`` too: the JSON goes to stdout, the progress to stderr.
    """
    return Progress(label, unit=unit, enabled=not getattr(args, "quiet", False), stream=sys.stderr, **kw)


def say(args: argparse.Namespace, line: str) -> None:
    """A status line on stderr ("wrote plot.png"), silent with --quiet; progress goes through :func:`progress`.

    It goes to stderr, so it never mixes with the JSON that ``--json`` prints on stdout.
    """
    if not getattr(args, "quiet", False):
        print(line, file=sys.stderr)
