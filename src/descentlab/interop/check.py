"""Grade an implementation of an optimizer: which preset and conventions it follows.

A submission is either a function in CS231n's signature,
``update(w, dw, config) -> (next_w, config)``, reading its hyperparameters from
``config`` (``learning_rate``, ``momentum``, ``decay_rate``, ``beta1``, ``beta2``,
``epsilon``; Rprop's ``eta_minus``, ``eta_plus``, ``step_size_min``, ``step_size_max``;
Lion's and LAMB's ``weight_decay``; Adafactor's ``beta2_decay``, ``eps1``, ``eps2``,
``clip_threshold`` and ``weight_decay``) and keeping its buffers there, or a class with
torch's interface, ``Cls(params, lr=..., ...)`` whose ``step()`` reads ``p.grad``
(Adadelta's ``rho``, RMSProp's ``alpha``, ``betas``, ``eps``, Rprop's ``etas`` and
``step_sizes``, Adafactor's ``beta2_decay``, ``eps=(eps1, eps2)`` and ``d``).

:func:`check` drives it on two small problems (a vector and a matrix, 30 updates, the
learning rate halved halfway so that lr-inside and lr-outside momentum part; not for
Rprop, whose lr is only the first step size), records its trajectory and hands it to
:func:`~descentlab.interop.identify.identify`. The matrix problem is what exercises
Adafactor's factored second moment (rows and columns); the vector its unfactored one.
The optimizers it knows are the keys of :data:`HYPER`: sgd, momentum, nesterov,
adagrad, rmsprop, adam, rprop, adamax, adadelta, radam, lion, lamb and adafactor.
"""
from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..errors import ConfigError, ShapeError, expected
from ..optim.registry import _canonical
from .identify import identify
from .space import INITIAL_LR_ONLY, SEARCHED, Recording

__all__ = ["check", "load_submission", "drive", "PROBLEMS", "HYPER"]

STEPS = 30

#: the hyperparameters a submission is run with (eps large enough to show where it sits)
HYPER: dict[str, dict[str, float]] = {
    "sgd": {"lr": 0.05},
    "momentum": {"lr": 0.05, "momentum": 0.9},
    "nesterov": {"lr": 0.05, "momentum": 0.9},
    "adagrad": {"lr": 0.1, "eps": 1e-3},
    "rmsprop": {"lr": 0.01, "beta": 0.9, "eps": 1e-3},
    "adam": {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-3},
    # step sizes bounded close enough that the vector problem reaches both bounds in 30 updates
    "rprop": {"lr": 0.05, "eta_minus": 0.5, "eta_plus": 1.2, "step_size_min": 1e-3, "step_size_max": 0.2},
    "adamax": {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-2},
    "adadelta": {"lr": 1.0, "beta": 0.9, "eps": 1e-3},
    "radam": {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-3},
    "lion": {"lr": 0.05, "beta1": 0.9, "beta2": 0.99, "weight_decay": 0.0},
    "lamb": {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-3, "weight_decay": 0.01},
    # lr above 1/sqrt(t) from t = 12 to the halving, so the relative step's cap acts; eps1 large
    # enough that the floor (PyTorch) and the addition (the paper, Keras) part
    "adafactor": {"lr": 0.3, "beta2_decay": -0.8, "eps1": 1e-3, "eps2": 1e-3, "clip_threshold": 1.0,
                  "weight_decay": 0.01},
}

# descentlab name -> CS231n config key (the names CS231n has no key for keep descentlab's)
_CS231N = {"lr": "learning_rate", "momentum": "momentum", "beta": "decay_rate", "beta1": "beta1", "beta2": "beta2",
           "eps": "epsilon", "eta_minus": "eta_minus", "eta_plus": "eta_plus", "step_size_min": "step_size_min",
           "step_size_max": "step_size_max", "weight_decay": "weight_decay", "beta2_decay": "beta2_decay",
           "eps1": "eps1", "eps2": "eps2", "clip_threshold": "clip_threshold"}


def _vector_grad(w):
    c = np.array([0.5, 1.0, 2.0, 4.0, 8.0, 0.25])
    return c * w + np.sin(2.0 * w) - 0.2


def _matrix_grad(w):
    return 1.5 * w - 0.4 * np.sum(w, axis=0, keepdims=True) + 0.3 * np.cos(w)


#: name -> (start, gradient)
PROBLEMS: dict[str, tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]] = {
    "vector": (np.array([1.0, -1.5, 0.8, 0.3, -0.2, 2.0]), _vector_grad),
    "matrix": (np.array([[0.5, -1.0, 2.0], [1.2, 0.1, -0.7]]), _matrix_grad),
}


def lr_schedule(lr: float, steps: int = STEPS, optimizer: str | None = None) -> np.ndarray:
    """The learning rate of each update: ``lr``, halved from the middle on.

    Rprop's lr is only its initial step size, so for it the rate stays ``lr``.
    """
    if optimizer in INITIAL_LR_ONLY:
        return np.full(steps, float(lr))
    return np.where(np.arange(steps) < steps // 2, lr, lr / 2)


# -- loading ------------------------------------------------------------------------------
def load_submission(spec: str) -> Any:
    """``FILE.py:NAME`` or ``MODULE:NAME`` -> the function or class it names."""
    if ":" not in spec:
        raise ConfigError(expected("FILE.py:FUNCTION or MODULE:FUNCTION", spec,
                                   "name the function after a colon, e.g. student.py:adam"))
    where, _, name = spec.rpartition(":")
    if where.endswith(".py") or "/" in where or "\\" in where:
        path = Path(where)
        if not path.is_file():
            raise ConfigError(expected("a Python file that exists", where, "check the path"))
        mod_name = f"_descentlab_submission_{abs(hash(str(path.resolve())))}"
        spec_obj = importlib.util.spec_from_file_location(mod_name, path)
        module = importlib.util.module_from_spec(spec_obj)
        try:
            sys.modules[mod_name] = module
            spec_obj.loader.exec_module(module)
        except Exception as exc:  # the student's code may raise anything
            sys.modules.pop(mod_name, None)
            raise ConfigError(expected(f"{where} to import", f"{type(exc).__name__}: {exc}",
                                       "run `python " + where + "` and fix the error it shows")) from None
    else:
        try:
            module = importlib.import_module(where)
        except Exception as exc:
            raise ConfigError(expected(f"module {where} to import", f"{type(exc).__name__}: {exc}",
                                       "check the module name and that it is on PYTHONPATH")) from None
    obj = getattr(module, name, None)
    if obj is None:
        names = sorted(n for n, v in vars(module).items() if callable(v) and not n.startswith("_"))
        raise ConfigError(expected(f"a function or class {name!r} in {where}", f"names {names}",
                                   "use one of those names after the colon"))
    if not callable(obj):
        raise ConfigError(expected(f"{name} to be a function or class", type(obj).__name__,
                                   "name an update function or an optimizer class"))
    if not inspect.isclass(obj):
        try:
            inspect.signature(obj).bind(np.zeros(1), np.zeros(1), {})
        except TypeError:
            raise ConfigError(expected(f"{name}(w, dw, config) -> (next_w, config), CS231n's signature",
                                       f"{name}{inspect.signature(obj)}",
                                       "take the weights, their gradient and a config dict")) from None
        except ValueError:  # a builtin without a signature: try it
            pass
    return obj


# -- driving --------------------------------------------------------------------------
def _returned(out: Any, w: np.ndarray, k: int, name: str) -> tuple[np.ndarray, dict]:
    if not (isinstance(out, tuple) and len(out) == 2 and isinstance(out[1], dict)):
        raise ShapeError(expected(f"{name} to return (next_w, config)", f"{type(out).__name__} at step {k}",
                                  "end the function with `return next_w, config`"))
    nw = np.asarray(out[0])
    if nw.shape != w.shape:
        raise ShapeError(expected(f"next_w of shape {w.shape} (the weights' shape)", f"shape {nw.shape} at step {k}",
                                  "return an array shaped like w"))
    return np.array(nw, dtype=np.float64), out[1]


def drive(fn: Any, optimizer: str, problem: str) -> Recording:
    """Run the submission on one problem; its parameters and gradients per step."""
    hyper = HYPER[optimizer]
    w0, grad = PROBLEMS[problem]
    lrs = lr_schedule(hyper["lr"], optimizer=optimizer)
    ws, gs = [w0.copy()], []
    if inspect.isclass(fn):
        return _drive_torch(fn, optimizer, problem, hyper, lrs)
    config = {_CS231N[k]: v for k, v in hyper.items()}
    name = getattr(fn, "__name__", "update")
    w = w0.copy()
    for k in range(STEPS):
        g = grad(w)
        config["learning_rate"] = float(lrs[k])
        try:
            out = fn(w.copy(), g.copy(), config)
        except Exception as exc:
            raise ConfigError(expected(f"{name}(w, dw, config) to run", f"{type(exc).__name__}: {exc} at step {k}",
                                       "call it by hand on small arrays and fix the error")) from None
        w, config = _returned(out, w, k, name)
        ws.append(w.copy())
        gs.append(g)
    return Recording({"w": np.stack(ws)}, {"w": np.stack(gs)}, lrs, problem)


def _drive_torch(cls, optimizer, problem, hyper, lrs) -> Recording:
    try:
        import torch
    except ImportError:
        raise ConfigError(expected("torch installed to check an optimizer class", "no torch",
                                   "pip install torch==2.13.0, or submit a function update(w, dw, config)")) from None
    w0, grad = PROBLEMS[problem]
    kw = {"lr": float(lrs[0])}
    if "momentum" in hyper:
        kw["momentum"] = hyper["momentum"]
    if optimizer == "nesterov":
        kw["nesterov"] = True
    if "beta" in hyper:
        kw["rho" if optimizer == "adadelta" else "alpha"] = hyper["beta"]
    if "beta1" in hyper:
        kw["betas"] = (hyper["beta1"], hyper["beta2"])
    if "eps" in hyper:
        kw["eps"] = hyper["eps"]
    if "eta_minus" in hyper:
        kw["etas"] = (hyper["eta_minus"], hyper["eta_plus"])
        kw["step_sizes"] = (hyper["step_size_min"], hyper["step_size_max"])
    if "weight_decay" in hyper:
        kw["weight_decay"] = hyper["weight_decay"]
    if optimizer == "adafactor":
        kw.update(beta2_decay=hyper["beta2_decay"], eps=(hyper["eps1"], hyper["eps2"]), d=hyper["clip_threshold"])
    p = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    try:
        opt = cls([p], **kw)
    except TypeError as exc:
        raise ConfigError(expected(f"{cls.__name__}(params, {', '.join(f'{k}=...' for k in kw)}), torch's interface",
                                   f"TypeError: {exc}", "accept torch's keyword names")) from None
    ws, gs = [w0.copy()], []
    for k in range(STEPS):
        w = p.detach().numpy().copy()
        g = grad(w)
        p.grad = torch.tensor(g)
        for group in getattr(opt, "param_groups", []):
            group["lr"] = float(lrs[k])
        if p.device.type != "cpu":
            raise ConfigError(expected("the parameter to stay on the CPU", f"a tensor on {p.device}",
                                       "do not move parameters inside step()"))
        opt.step()
        nw = p.detach().numpy()
        if nw.shape != w.shape:
            raise ShapeError(expected(f"the parameter's shape {w.shape} after step()", f"shape {nw.shape} at step {k}",
                                      "update the parameter in place"))
        ws.append(nw.astype(np.float64).copy())
        gs.append(g)
    return Recording({"w": np.stack(ws)}, {"w": np.stack(gs)}, lrs, problem)


def check(spec: str | Any, optimizer: str, preset: str | None = None) -> dict[str, Any]:
    """Drive the submission ``spec`` and name the rule it implements (see the module docstring)."""
    name = _canonical(optimizer)
    if name not in HYPER:
        raise ConfigError(expected(f"an optimizer check knows ({', '.join(HYPER)})", optimizer,
                                   f"choose one of: {', '.join(HYPER)}"))
    fn = load_submission(spec) if isinstance(spec, str) else spec
    recs = [drive(fn, name, problem) for problem in PROBLEMS]
    # the driver takes the gradient at w, so look-ahead Nesterov is out of reach of this signature
    result = identify(recs, name, HYPER[name], preset=preset, fixed={"nesterov_form": "transformed"})
    nan = _first_nan(recs)
    if nan is not None:
        nearest = result["nearest"]
        if nearest["max_rel_error"] > result["tol"]:  # no variant explains the NaN: bad output, not a convention
            raise ConfigError(expected("finite weights from the update", f"NaN or infinity at step {nan[1]} "
                                       f"on the {nan[0]} problem", "look for a division by zero or the root of a "
                                       "negative number"))
    result["submission"] = spec if isinstance(spec, str) else getattr(spec, "__name__", repr(spec))
    result["hyper"] = dict(HYPER[name])
    return result


def _first_nan(recs):
    for rec in recs:
        for n, p in rec.params.items():
            bad = np.argwhere(~np.isfinite(p.reshape(len(p), -1)).all(axis=1))
            if len(bad):
                return rec.name, int(bad[0][0]) - 1
    return None


def searched() -> list[str]:
    return [n for n in SEARCHED if n in HYPER]
