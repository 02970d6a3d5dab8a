"""Parameter groups: one rule, several sets of parameters, each with its own settings.

PyTorch's ``param_groups`` and optax's masks, on descentlab's rules::

    opt = ParamGroups("adam", [{"params": ["W1", "W2"], "lr": 1e-3},
                               {"params": ["b1", "b2"], "lr": 1e-2}],
                      preset="pytorch", weight_decay=1e-2,
                      decay_mask=lambda name: not name.startswith("b"),
                      maximize=False, missing="skip", clip_norm=1.0)
    state = opt.init(params)
    opt.step(params, grads, state)

What each option means, in the order a step applies it:

1. ``missing``: a parameter whose gradient is absent (or ``None``) is skipped, its
   buffers and its step count untouched, as PyTorch skips a parameter whose ``.grad``
   is ``None`` (``"skip"``); or the step is refused (``"error"``).
2. ``clip_norm`` / ``clip_value``: the gradients present are clipped together
   (:mod:`.clipping`), as ``clip_grad_norm_`` over ``model.parameters()`` does.
3. ``maximize``: ``g <- -g``, so the rule climbs ``f``; weight decay still shrinks
   (PyTorch negates the gradient before it adds the L2 term).
4. Each group's rule runs with that group's lr (a number or a schedule) and
   hyperparameters; ``decay_mask(name)`` false gives the parameter ``weight_decay=0``.

Every parameter counts its own steps (:class:`GroupState`), as PyTorch's per-parameter
``state["step"]``: bias corrections and schedules read the parameter's own count.
Parameters at the same count go through one :meth:`Optimizer.step` call together, so
large groups still take the fused kernels.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..errors import ConfigError, ShapeError, expected
from . import clipping
from .base import Optimizer
from .state import OptState

__all__ = ["ParamGroups", "GroupState", "step_params", "MISSING_POLICIES"]

MISSING_POLICIES = ("skip", "error")


@dataclass
class GroupState:
    """Per parameter: its step count and its buffers (``slots[name][buffer]``)."""

    steps: dict[str, int] = field(default_factory=dict)
    slots: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)

    def copy(self) -> "GroupState":
        return GroupState(dict(self.steps), {p: {b: np.array(a, copy=True) for b, a in bufs.items()}
                                             for p, bufs in self.slots.items()})


def step_params(opt: Optimizer, params: dict[str, np.ndarray], grads: Mapping[str, np.ndarray],
                steps: dict[str, int], slots: dict[str, dict[str, np.ndarray]], maximize: bool = False) -> None:
    """Apply ``opt`` in place to every parameter in ``grads``, each at its own step count.

    ``steps`` and ``slots`` are updated in place. Parameters at the same count share one
    ``opt.step`` call (and so, when large enough, one fused kernel pass).
    """
    buckets: dict[int, list[str]] = {}
    for name in grads:
        buckets.setdefault(steps[name], []).append(name)
    for k, names in buckets.items():
        sub = OptState(k, {n: slots[n] for n in names})
        g = {n: (-np.asarray(grads[n]) if maximize else grads[n]) for n in names}
        opt.step({n: params[n] for n in names}, g, sub)
        for n in names:
            slots[n] = sub.slots[n]
            steps[n] = sub.step


def check_missing_policy(missing: str) -> str:
    if missing not in MISSING_POLICIES:
        raise ConfigError(expected(f"missing in {MISSING_POLICIES}", repr(missing),
                                   "pass missing='skip' (as PyTorch) or missing='error'"))
    return missing


def decays(decay_mask: Callable[[str], bool] | Mapping[str, bool] | Collection[str] | None, name: str) -> bool:
    """Whether weight decay applies to parameter ``name`` under ``decay_mask``.

    ``None``: every parameter; a callable: its answer; a mapping: its value (absent names
    decay); any other collection: the names that decay.
    """
    if decay_mask is None:
        return True
    if callable(decay_mask):
        return bool(decay_mask(name))
    if isinstance(decay_mask, Mapping):
        return bool(decay_mask.get(name, True))
    return name in decay_mask


class ParamGroups:
    """One update rule over groups of named parameters, each group with its own settings.

    Parameters
    ----------
    optimizer : str
        A registry name (``"adam"``, ``"momentum"``...).
    groups : list of dict, optional
        ``[{"params": [names], **overrides}, ...]``; every parameter given to
        :meth:`init` must be in exactly one group. None: one group of all parameters.
    preset : str, optional
        The preset of every group's defaults.
    maximize : bool
        Climb instead of descend (the gradient's sign is flipped before the rule).
    decay_mask : callable, mapping or collection of names, optional
        Which parameters weight decay applies to (see :func:`decays`).
    missing : 'skip' | 'error'
        What a step does with a parameter that has no gradient.
    clip_norm, clip_value : float, optional
        Clip all gradients by their global 2-norm, or each coordinate by value.
    **hyper
        Settings of every group, which a group's own entries override.
    """

    def __init__(self, optimizer: str, groups: Sequence[Mapping[str, Any]] | None = None, *,
                 preset: str | None = None, maximize: bool = False,
                 decay_mask: Callable[[str], bool] | Mapping[str, bool] | Collection[str] | None = None,
                 missing: str = "skip", clip_norm: float | None = None, clip_value: float | None = None,
                 **hyper: Any) -> None:
        from .registry import make_optimizer  # the registry sits beside this module

        self.missing = check_missing_policy(missing)
        if not isinstance(maximize, (bool, np.bool_)):
            raise ConfigError(expected("maximize True or False", maximize, "pass maximize=True to climb"))
        self.maximize = bool(maximize)
        self.decay_mask = decay_mask
        self.clip_norm = None if clip_norm is None else clipping._check_positive("clip_norm", clip_norm)
        self.clip_value = None if clip_value is None else clipping._check_positive("clip_value", clip_value)
        self._spec = [dict(g) for g in groups] if groups is not None else None
        seen: dict[str, int] = {}
        for i, g in enumerate(self._spec or []):
            if "params" not in g or isinstance(g["params"], str):
                raise ConfigError(expected(f"group {i} as {{'params': [names], ...}}", g,
                                           "list the group's parameter names under 'params'"))
            for n in g["params"]:
                if n in seen:
                    raise ConfigError(expected("each parameter in one group", f"{n!r} in groups {seen[n]} and {i}",
                                               "list it in one group only"))
                seen[n] = i
        self._owner = seen
        # one optimizer per group, and its twin without weight decay for masked-out parameters
        self.optimizers: list[Optimizer] = []
        self._undecayed: list[Optimizer] = []
        for g in self._spec or [{}]:
            over = {k: v for k, v in g.items() if k != "params"}
            opt = make_optimizer(optimizer, preset=preset, **{**hyper, **over})
            self.optimizers.append(opt)
            if "weight_decay" in opt.hyper:
                self._undecayed.append(make_optimizer(optimizer, preset=preset, **{**hyper, **over, "weight_decay": 0.0}))
            else:
                self._undecayed.append(opt)

    def group_of(self, name: str) -> int:
        if self._spec is None:
            return 0
        if name not in self._owner:
            raise ConfigError(expected(f"parameter {name!r} in one of the groups", "in none",
                                       "add it to a group's 'params' list"))
        return self._owner[name]

    def init(self, params: Mapping[str, np.ndarray]) -> GroupState:
        """Step 0 and fresh buffers for every parameter, from its group's rule."""
        slots = {}
        for name, theta in params.items():
            slots.update(self.optimizers[self.group_of(name)].init({name: theta}).slots)
        return GroupState({n: 0 for n in params}, slots)

    def _present(self, grads: Mapping[str, Any], state: GroupState) -> dict[str, np.ndarray]:
        unknown = sorted(set(grads) - set(state.slots))
        if unknown:
            raise ShapeError(expected(f"gradients for parameters among {sorted(state.slots)}", f"extra {unknown}",
                                      "pass gradients under the names given to init()"))
        present = {n: g for n, g in grads.items() if g is not None}
        absent = [n for n in state.slots if n not in present]
        if absent and self.missing == "error":
            raise ShapeError(expected("a gradient for every parameter (missing='error')", f"none for {absent}",
                                      "pass one, or build with missing='skip' to leave those parameters alone"))
        return present

    def step(self, params: dict[str, np.ndarray], grads: Mapping[str, np.ndarray | None], state: GroupState) -> None:
        """Apply one update in place to every parameter that has a gradient."""
        grads = self._present(grads, state)
        if self.clip_norm is not None:
            grads, _ = clipping.clip_by_global_norm(grads, self.clip_norm)
        if self.clip_value is not None:
            grads = clipping.clip_by_value(grads, self.clip_value)
        by_opt: dict[int, tuple[Optimizer, dict[str, np.ndarray]]] = {}
        for name, g in grads.items():
            i = self.group_of(name)
            opt = self.optimizers[i] if decays(self.decay_mask, name) else self._undecayed[i]
            by_opt.setdefault(id(opt), (opt, {}))[1][name] = g
        for opt, sub in by_opt.values():
            step_params(opt, params, sub, state.steps, state.slots, maximize=self.maximize)

    def update(self, grads: Mapping[str, np.ndarray | None], state: GroupState, params: Mapping[str, np.ndarray]
               ) -> tuple[dict[str, np.ndarray], GroupState]:
        """The pure form: ``(new_params - params, new_state)``, nothing given modified."""
        work = {n: np.array(p, copy=True) for n, p in params.items()}
        new = state.copy()
        self.step(work, grads, new)
        return {n: work[n] - np.asarray(params[n]) for n in params}, new
