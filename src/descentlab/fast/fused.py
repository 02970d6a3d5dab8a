"""Apply an optimizer's step with a fused kernel when its configuration has one.

:func:`try_fused_step` reads the optimizer's name and hyperparameters (the same
``make_optimizer`` object the reference uses), picks the kernel of
:mod:`descentlab.fast.kernels` that computes the same equations in the same order,
and updates ``params`` and ``state`` in place. It declines (returns False, touching
nothing) for what has no kernel: look-ahead Nesterov, AMSGrad, NAdam, Newton, centred
RMSProp, mixed dtypes, integer or non-contiguous arrays. :func:`fused_step` then
falls back to the reference ``opt.step``.

When ``params``, ``grads`` and each state buffer are views of one flat buffer each
(:class:`~descentlab.fast.flat.FlatArrays`, laid out in the same order), one kernel
call updates every parameter; otherwise it runs once per parameter.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..errors import ShapeError, expected
from . import kernels
from .flat import flat_base

__all__ = ["fused_plan", "try_fused_step", "fused_step"]

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def fused_plan(opt: Any) -> tuple[str | None, str]:
    """``(kernel name, reason)``: which kernel would run for ``opt``, or None and why not."""
    h = getattr(opt, "hyper", {})
    name = getattr(opt, "name", "")
    if name in ("sgd", "momentum", "nesterov"):
        if h.get("momentum", 0.0) == 0.0:
            return "sgd", "plain gradient descent"
        if h.get("nesterov") and h.get("nesterov_form") == "lookahead":
            return None, "look-ahead Nesterov takes the gradient at another point"
        if h.get("momentum_form") == "lr_inside":
            return "momentum_lr_inside", "momentum, lr inside the buffer"
        return "momentum", "momentum, lr outside the buffer"
    if name in ("adam", "adamw", "amsgrad"):
        if h.get("amsgrad"):
            return None, "AMSGrad has no fused kernel"
        return "adam", "Adam" + (" (decoupled weight decay)" if h.get("weight_decay_form") == "decoupled" else "")
    if name == "rmsprop":
        if h.get("centered"):
            return None, "centred RMSProp has no fused kernel"
        return "rmsprop", "RMSProp"
    if name == "adagrad":
        return "adagrad", "AdaGrad"
    return None, f"{name or type(opt).__name__} has no fused kernel"


def _usable(arrays: Mapping[str, Any], dtype) -> bool:
    for a in arrays.values():
        if not isinstance(a, np.ndarray) or a.dtype != dtype or not a.flags.c_contiguous or not a.flags.writeable:
            return False
    return True


def try_fused_step(opt: Any, params: dict[str, np.ndarray], grads: Mapping[str, np.ndarray], state: Any) -> bool:
    """One in-place step of ``opt`` with a fused kernel; False (nothing changed) if none applies.

    The result equals ``opt.step(params, grads, state)`` bit for bit, in float64 and float32.
    """
    kernel, _ = fused_plan(opt)
    if kernel is None or not params:
        return False
    if grads.keys() != params.keys() or state.slots.keys() != params.keys():
        raise ShapeError(expected(f"gradients and state for the parameters {sorted(params)}",
                                  f"gradients for {sorted(grads)}, state for {sorted(state.slots)}",
                                  "pass one gradient per parameter, under the same names as in init()"))
    dtype = next(iter(params.values())).dtype if isinstance(next(iter(params.values())), np.ndarray) else None
    if dtype not in _FLOATS or not _usable(params, dtype) or not _usable(grads, dtype):
        return False
    for name, p in params.items():
        if grads[name].shape != p.shape:
            raise ShapeError(expected(f"gradient of {name!r} with shape {p.shape}", f"shape {grads[name].shape}",
                                      "the gradient must have the parameter's shape"))
    slot_names = list(next(iter(state.slots.values())).keys())
    for name, bufs in state.slots.items():
        if list(bufs.keys()) != slot_names or not _usable(bufs, dtype):
            return False
        if any(b.shape != params[name].shape for b in bufs.values()):
            return False

    k = state.step
    lr = opt.lr_at(k)
    h = opt.hyper
    wd = h.get("weight_decay", 0.0)
    common = dict(weight_decay=wd, decoupled=h.get("weight_decay_form") == "decoupled")
    if kernel == "sgd":
        run, args = kernels.sgd_, dict(lr=lr, **common)
    elif kernel == "momentum":
        run, args = kernels.momentum_, dict(lr=lr, mu=h["momentum"], dampening=h["dampening"],
                                            nesterov=h["nesterov"], first=k == 0, **common)
    elif kernel == "momentum_lr_inside":
        run, args = kernels.momentum_lr_inside_, dict(lr=lr, mu=h["momentum"], nesterov=h["nesterov"], **common)
    elif kernel == "adam":
        run, args = kernels.adam_, dict(lr=lr, beta1=h["beta1"], beta2=h["beta2"], eps=h["eps"], step=k + 1,
                                        eps_placement=h["eps_placement"], **common)
    elif kernel == "rmsprop":
        run, args = kernels.rmsprop_, dict(lr=lr, beta=h["beta"], eps=h["eps"], eps_placement=h["eps_placement"],
                                           momentum=h["momentum"], momentum_form=h["momentum_form"], **common)
    else:  # adagrad: the step's lr after PyTorch's lr_decay, computed as the reference does
        run, args = kernels.adagrad_, dict(lr=lr / (1.0 + k * h["lr_decay"]), eps=h["eps"],
                                           eps_placement=h["eps_placement"], **common)

    buffers = [{n: state.slots[n][b] for n in params} for b in slot_names]
    flat = [flat_base(d) for d in (params, grads, *buffers)]
    if all(f is not None for f in flat) and len({f.size for f in flat}) == 1:
        run(*flat, **args)
    else:
        for n in params:
            run(params[n], grads[n], *(state.slots[n][b] for b in slot_names), **args)
    state.step = k + 1
    return True


def fused_step(opt: Any, params: dict[str, np.ndarray], grads: Mapping[str, np.ndarray], state: Any) -> None:
    """``opt.step(params, grads, state)``, through a fused kernel when one applies."""
    if not try_fused_step(opt, params, grads, state):
        opt.step(params, grads, state)
