"""Fused kernels for optim's rules, registered in :mod:`descentlab.optim.dispatch`.

Importing this module registers one kernel per ``(rule class, form)`` that
:mod:`descentlab.fast.kernels` can compute in the reference's order: SGD in its
``plain``, ``lr_outside`` and ``lr_inside`` forms, Adam (``adam``, with any eps
placement and either weight decay), RMSProp (``rmsprop``) and AdaGrad (``adagrad``).
Forms without a kernel (look-ahead Nesterov, AMSGrad, NAdam, Newton, centred RMSProp,
AdaGrad with lr_decay beside decoupled weight decay) are not registered, and
``Optimizer.step`` runs the reference. A kernel reads the rule's numbers from
``opt.step_form(k)``, a typed record, never from the hyperparameters by name.

A registered kernel also declines (returns False, touching nothing) for mixed dtypes
and for integer, non-contiguous or read-only arrays. When ``params``, ``grads`` and each
state buffer are views of one flat buffer each
(:class:`~descentlab.fast.flat.FlatArrays`, laid out in the same order), one kernel
call updates every parameter; otherwise it runs once per parameter.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np

from ..errors import ShapeError, expected
from ..optim import dispatch
from ..optim.adagrad import AdaGrad, AdaGradStep
from ..optim.adam import Adam, AdamStep
from ..optim.base import _warn_if_finite_grads_broke
from ..optim.rmsprop import RMSProp, RMSPropStep
from ..optim.sgd import SGD, SGDStep
from . import kernels
from .flat import flat_base

__all__ = ["fused_plan", "try_fused_step", "fused_step", "FusedRule"]

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _decay(f) -> dict[str, Any]:
    return dict(weight_decay=f.weight_decay, decoupled=f.decoupled)


class FusedRule:
    """A kernel of :mod:`.kernels` as the dispatch table calls it.

    ``kernel`` names the function in :mod:`.kernels` (looked up at each call, so it can be
    swapped); ``args(form)`` turns the rule's step record into its keyword arguments.

    After the step the parameters and the ``watch`` buffers (None: every buffer) are
    checked for a NaN or an infinity: by the kernel itself when it returns True/False (every
    numba loop does), by a sum per array when it returns None (the NumPy backend). A
    finite gradient that broke the step gets the reference's :class:`~descentlab.errors.NumericalWarning`, word for word. ``watch``
    names the buffers that can break while the parameters stay finite: a denominator
    such as Adam's v, whose overflow makes the update 0. A buffer that feeds the update
    directly (a momentum, Adam's m) shows in the parameters, so it need not be read again.
    """

    def __init__(self, kernel: str, describe: str, args: Callable[[Any], dict[str, Any]],
                 module: Any = None, watch: tuple[str, ...] | None = None) -> None:
        self.kernel, self.describe, self.args = kernel, describe, args
        self.module = module  #: where ``kernel`` is defined; None: :mod:`.kernels`
        self.watch = watch

    def __call__(self, opt: Any, params: dict[str, np.ndarray], grads: Mapping[str, np.ndarray], state: Any) -> bool:
        if not params:
            return False
        if grads.keys() != params.keys() or state.slots.keys() != params.keys():
            raise ShapeError(expected(f"gradients and state for the parameters {sorted(params)}",
                                      f"gradients for {sorted(grads)}, state for {sorted(state.slots)}",
                                      "pass one gradient per parameter, under the same names as in init()"))
        first = next(iter(params.values()))
        dtype = first.dtype if isinstance(first, np.ndarray) else None
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

        run = getattr(self.module or kernels, self.kernel)
        k = state.step
        args = self.args(opt.step_form(k))
        buffers = [{n: state.slots[n][b] for n in params} for b in slot_names]
        flat = [flat_base(d) for d in (params, grads, *buffers)]
        watched = [i for i, b in enumerate(slot_names) if self.watch is None or b in self.watch]
        if all(f is not None for f in flat) and len({f.size for f in flat}) == 1:
            seen = [run(*flat, **args)]
            written = [flat[0], *(flat[2 + i] for i in watched)]
        else:
            seen = [run(params[n], grads[n], *(state.slots[n][b] for b in slot_names), **args) for n in params]
            written = [*params.values(), *(a for i in watched for a in buffers[i].values())]
        state.step += 1
        # a compiled loop says whether what it wrote is finite (for free); otherwise sum the arrays
        finite = all(seen) if all(s is not None for s in seen) else _all_finite(written)
        if not finite:
            _warn_if_finite_grads_broke(opt, k, grads, params, state, stacklevel=4)
        return True


def _sgd(f: SGDStep) -> dict[str, Any]:
    return dict(lr=f.lr, **_decay(f))


def _momentum(f: SGDStep) -> dict[str, Any]:
    return dict(lr=f.lr, mu=f.momentum, dampening=f.dampening, nesterov=f.nesterov, first=f.step == 0, **_decay(f))


def _momentum_lr_inside(f: SGDStep) -> dict[str, Any]:
    return dict(lr=f.lr, mu=f.momentum, nesterov=f.nesterov, **_decay(f))


def _adam(f: AdamStep) -> dict[str, Any]:
    return dict(lr=f.lr, beta1=f.beta1, beta2=f.beta2, eps=f.eps, step=f.step + 1, eps_placement=f.eps_placement,
                **_decay(f))


def _rmsprop(f: RMSPropStep) -> dict[str, Any]:
    return dict(lr=f.lr, beta=f.beta, eps=f.eps, eps_placement=f.eps_placement, momentum=f.momentum,
                momentum_form=f.momentum_form, **_decay(f))


def _adagrad(f: AdaGradStep) -> dict[str, Any]:
    return dict(lr=f.lr_k, eps=f.eps, eps_placement=f.eps_placement, **_decay(f))


_RULES: dict[tuple[type, str], FusedRule] = {
    (SGD, "plain"): FusedRule("sgd_", "plain gradient descent", _sgd, watch=()),
    (SGD, "lr_outside"): FusedRule("momentum_", "momentum, lr outside the buffer", _momentum, watch=()),
    (SGD, "lr_inside"): FusedRule("momentum_lr_inside_", "momentum, lr inside the buffer", _momentum_lr_inside,
                                  watch=()),
    (Adam, "adam"): FusedRule("adam_", "Adam", _adam, watch=("v",)),
    (RMSProp, "rmsprop"): FusedRule("rmsprop_", "RMSProp", _rmsprop, watch=("S",)),
    (AdaGrad, "adagrad"): FusedRule("adagrad_", "AdaGrad", _adagrad, watch=("S",)),
}
for (_cls, _key), _rule in _RULES.items():
    dispatch.register_fused(_cls, _key, _rule)

#: why a form has no kernel, for :func:`fused_plan`
_DECLINED = {
    "lookahead": "look-ahead Nesterov takes the gradient at another point",
    "amsgrad": "AMSGrad has no fused kernel",
    "centered": "centred RMSProp has no fused kernel",
    "decayed_lr_decoupled": "AdaGrad's lr_decay beside decoupled weight decay has no fused kernel",
}


def fused_plan(opt: Any) -> tuple[str | None, str]:
    """``(kernel name, reason)``: which kernel would run for ``opt``, or None and why not."""
    form = getattr(opt, "form", None)
    kernel = dispatch.fused_kernel(type(opt), form)
    if kernel is None:
        return None, _DECLINED.get(form, f"{type(opt).__name__} ({form or 'no form'}) has no fused kernel")
    if isinstance(kernel, FusedRule):
        return kernel.kernel.rstrip("_"), kernel.describe
    return getattr(kernel, "__name__", repr(kernel)), "a registered kernel"


def _all_finite(arrays) -> bool:
    """True when every entry of ``arrays`` is finite, as a sum per array (no temporary array).

    A NaN or an infinity makes the sum non-finite, so True is exact; a sum can also
    overflow on finite entries, so False only says to look closer (the warning below
    checks each array itself). It is what lets a fused step raise the reference's
    NumericalWarning for a few milliseconds per 10M elements (docs/performance.md).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        for a in arrays:
            if not np.isfinite(np.add.reduce(a, axis=None)):
                return False
    return True


def _usable(arrays: Mapping[str, Any], dtype) -> bool:
    for a in arrays.values():
        if not isinstance(a, np.ndarray) or a.dtype != dtype or not a.flags.c_contiguous or not a.flags.writeable:
            return False
    return True


def try_fused_step(opt: Any, params: dict[str, np.ndarray], grads: Mapping[str, np.ndarray], state: Any) -> bool:
    """One in-place step of ``opt`` with its registered kernel; False (nothing changed) if none applies.

    The result equals ``opt.step(params, grads, state)`` bit for bit, in float64 and float32.
    """
    kernel = dispatch.fused_kernel(type(opt), getattr(opt, "form", None))
    return kernel is not None and kernel(opt, params, grads, state)


def fused_step(opt: Any, params: dict[str, np.ndarray], grads: Mapping[str, np.ndarray], state: Any) -> None:
    """``opt.step(params, grads, state)``, through a fused kernel when one applies."""
    if not try_fused_step(opt, params, grads, state):
        opt.step(params, grads, state)
