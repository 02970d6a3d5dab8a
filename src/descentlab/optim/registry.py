"""Build an optimizer by name: ``make_optimizer("adam", preset="keras", lr=1e-2)``.

Names are case-insensitive, and ``-`` or spaces count as ``_``. The preset supplies
every default and every form (see :mod:`descentlab.optim.conventions`); keyword
arguments override them and are validated at construction.
"""
from __future__ import annotations

from typing import Any, Mapping

from ..errors import ConfigError, expected
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import AdaGrad
from .adam import Adam
from .adamax import Adamax
from .base import Optimizer
from .conventions import REQUIRED, preset_defaults
from .lamb import LAMB
from .lbfgs import LBFGS
from .lion import Lion
from .nadam import NAdam
from .newton import Newton
from .radam import RAdam
from .rmsprop import RMSProp
from .rprop import Rprop
from .sgd import SGD

__all__ = ["make_optimizer", "default_hyper", "from_config", "OPTIMIZERS", "ALIASES", "optimizer_names"]

#: registry name -> class
OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": SGD,
    "nesterov": SGD,
    "adagrad": AdaGrad,
    "rmsprop": RMSProp,
    "adam": Adam,
    "amsgrad": Adam,
    "adamw": Adam,
    "nadam": NAdam,
    "rprop": Rprop,
    "adadelta": Adadelta,
    "adamax": Adamax,
    "radam": RAdam,
    "lion": Lion,
    "lamb": LAMB,
    "adafactor": Adafactor,
    "lbfgs": LBFGS,
    "newton": Newton,
}

#: other spellings -> registry name
ALIASES = {
    "gd": "sgd",
    "gradient_descent": "sgd",
    "sgd_momentum": "momentum",
    "heavy_ball": "momentum",
    "nag": "nesterov",
    "sgd_nesterov": "nesterov",
    "ada_grad": "adagrad",
    "rms_prop": "rmsprop",
    "adam_w": "adamw",
    "ams_grad": "amsgrad",
    "newtons_method": "newton",
    "irprop": "rprop",
    "irprop_minus": "rprop",
    "ada_delta": "adadelta",
    "ada_max": "adamax",
    "rectified_adam": "radam",
    "ada_factor": "adafactor",
    "l_bfgs": "lbfgs",
}


def optimizer_names() -> list[str]:
    """The registry names, simplest first."""
    return list(OPTIMIZERS)


def _canonical(name: str) -> str:
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    key = ALIASES.get(key, key)
    if key not in OPTIMIZERS:
        raise ConfigError(expected("an optimizer name among " + ", ".join(OPTIMIZERS), repr(name),
                                   f"choose one of: {', '.join(OPTIMIZERS)} (aliases: {', '.join(ALIASES)})"))
    return key


def make_optimizer(name: str, preset: str | None = None, **hyper: Any) -> Optimizer:
    """Build the optimizer ``name`` with ``preset``'s defaults and forms, overridden by ``hyper``.

    Parameters
    ----------
    name : str
        ``sgd``, ``momentum``, ``nesterov``, ``adagrad``, ``rmsprop``, ``adam``,
        ``amsgrad``, ``adamw``, ``nadam``, ``rprop``, ``adadelta``, ``adamax``,
        ``radam``, ``lion``, ``lamb``, ``adafactor``, ``lbfgs`` (closure-based) or ``newton`` (or an alias such
        as ``gd``, ``nag``, ``sgd_momentum``).
    preset : str, optional
        ``pytorch`` (default), ``keras``, ``optax``, ``cs231n`` or ``lecture``.
    **hyper
        Hyperparameters and convention forms, e.g. ``lr=0.1``, ``momentum=0.9``,
        ``eps_placement="inside"``. ``lr`` may be a schedule (a callable ``step -> lr``).

    Raises
    ------
    ConfigError
        For an unknown name, preset or hyperparameter, or a value out of range.

    Examples
    --------
    >>> import numpy as np
    >>> opt = make_optimizer("momentum", preset="lecture", lr=0.1)
    >>> params = {"x": np.array([1.0, -2.0])}
    >>> state = opt.init(params)
    >>> opt.step(params, {"x": 2 * params["x"]}, state)
    >>> params["x"]
    array([ 0.8, -1.6])
    """
    key, preset_name, values = _resolve(name, preset, hyper)
    return OPTIMIZERS[key](key, preset_name, **values)


def default_hyper(name: str, preset: str | None = None) -> dict[str, Any]:
    """The hyperparameters and forms ``make_optimizer(name, preset)`` would use, without building it.

    Raises ConfigError for an unknown name or preset, and where the preset leaves a
    value to the user (optax has no default learning rate).

    >>> default_hyper("adam", "keras")["lr"], default_hyper("adam", "keras")["eps_placement"]
    (0.001, 'hat')
    >>> default_hyper("gd")["lr"]
    0.001
    """
    return _resolve(name, preset, {})[2]


def _resolve(name: str, preset: str | None, hyper: Mapping[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """``(registry name, preset name, preset defaults overridden by hyper)``; every value present."""
    key = _canonical(name)
    preset_name, values = preset_defaults(preset, key)
    values.update(hyper)
    missing = [k for k, v in values.items() if v is REQUIRED]
    if missing:
        raise ConfigError(expected(f"{', '.join(missing)} for {key} with preset {preset_name!r}", "no value",
                                   f"pass {missing[0]}=... ({preset_name} has no default for it)"))
    return key, preset_name, values


def from_config(config: Mapping[str, Any]) -> Optimizer:
    """Rebuild an optimizer from :meth:`Optimizer.to_config`'s output."""
    try:
        name, preset, hyper = config["name"], config["preset"], dict(config["hyper"])
    except (KeyError, TypeError) as exc:
        raise ConfigError(expected("an optimizer config with name, preset and hyper", config,
                                   "build it with opt.to_config()")) from exc
    lr = hyper.get("lr")
    if isinstance(lr, Mapping) and "schedule" in lr:
        from . import schedules  # the schedules module owns its config format

        hyper["lr"] = schedules.from_config(lr["schedule"])
    return make_optimizer(name, preset=preset, **hyper)
