"""The table through which a faster layer runs optim's rules as fused kernels.

optim knows nothing of how a kernel is written. A rule says which written form its
configuration runs (:attr:`Optimizer.form <descentlab.optim.base.Optimizer.form>`, a
short key such as ``"lr_outside"``) and, for one update, the numbers that form needs
(:meth:`Optimizer.step_form <descentlab.optim.base.Optimizer.step_form>`, a frozen
dataclass such as :class:`~descentlab.optim.sgd.SGDStep`). A layer above optim
registers a kernel for a ``(rule class, form key)`` pair with :func:`register_fused`
when it is imported; :mod:`descentlab.fast.fused` does so for every form it has a
kernel for.

:meth:`Optimizer.step` looks the pair up for large parameter sets. The modules named
in ``descentlab._wiring.FUSED_KERNEL_MODULES`` are imported on the first lookup, so
optim never imports them itself and a small problem never loads them. The class is
matched exactly: a subclass has its own forms and gets no kernel it did not register.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable

from .._wiring import FUSED_KERNEL_MODULES
from ..errors import ConfigError, expected

__all__ = ["StepForm", "FusedKernel", "register_fused", "fused_kernel", "registered"]


@dataclass(frozen=True)
class StepForm:
    """One update of a rule as a kernel needs it; each rule adds the numbers of its equations."""

    key: str             #: the written form that runs (the rule's ``form``)
    step: int            #: k: this update takes the step counter from k to k + 1
    lr: float            #: the learning rate of this update (the schedule asked once)
    weight_decay: float
    decoupled: bool      #: weight decay beside the rule (AdamW) rather than added to g (L2)


#: ``kernel(opt, params, grads, state) -> bool``: update ``params`` and ``state`` in place
#: as ``opt.step`` would and return True, or return False having touched nothing. It is
#: given the checked gradients and asks ``opt.step_form(state.step)`` for its numbers.
FusedKernel = Callable[[Any, dict, dict, Any], bool]

_TABLE: dict[tuple[type, str], FusedKernel] = {}
_pending: list[str] = list(FUSED_KERNEL_MODULES)


def register_fused(rule_cls: type, form_key: str, kernel: FusedKernel) -> None:
    """Run ``rule_cls`` in form ``form_key`` with ``kernel`` (replacing any kernel registered before)."""
    if not isinstance(rule_cls, type) or not isinstance(form_key, str) or not callable(kernel):
        raise ConfigError(expected("register_fused(rule class, form key, kernel)",
                                   f"({type(rule_cls).__name__}, {type(form_key).__name__}, {type(kernel).__name__})",
                                   "pass the Optimizer subclass, its form string and a callable"))
    _TABLE[(rule_cls, form_key)] = kernel


def _load_pending() -> None:
    while _pending:
        importlib.import_module(_pending.pop(0))


def fused_kernel(rule_cls: type, form_key: str | None) -> FusedKernel | None:
    """The kernel registered for ``(rule_cls, form_key)``, or None."""
    if form_key is None:
        return None
    _load_pending()
    return _TABLE.get((rule_cls, form_key))


def registered() -> dict[tuple[type, str], FusedKernel]:
    """A copy of the whole table (after loading the modules that fill it)."""
    _load_pending()
    return dict(_TABLE)
