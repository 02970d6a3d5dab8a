"""descentlab's update rules inside a PyTorch training loop.

:class:`Optimizer` is a real :class:`torch.optim.Optimizer`: param groups, ``zero_grad``,
``step(closure)``, ``state_dict`` / ``load_state_dict`` and torch's own
``lr_scheduler`` classes (which change ``group["lr"]``) work as with any torch
optimizer. The update itself is descentlab's rule, with any preset's conventions::

    import torch
    from descentlab.interop.torch import Optimizer

    model = torch.nn.Linear(4, 2)
    opt = Optimizer(model.parameters(), "adam", preset="keras", lr=1e-3)
    for x, y in batches:
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()

How a step runs: every CPU parameter and its gradient are seen through zero-copy
NumPy views (``tensor.numpy()`` shares the memory), and each group goes through
:func:`descentlab.optim.groups.step_params`, so 64K elements or more take the fused
kernels. Buffers stay torch tensors in ``self.state[p]`` (``"step"`` and the rule's
buffer names, ``m``/``v`` for Adam), so the state dict saves with ``torch.save``. A
parameter whose ``.grad`` is ``None`` is skipped, as torch does; ``missing="error"``
refuses the step instead. The dtype is kept: float32 parameters get float32 buffers.

torch is imported by this module only; ``import descentlab`` never loads it.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np
import torch

from ..errors import ConfigError, DTypeError, ShapeError, expected
from ..optim import hyperparams
from ..optim.base import Optimizer as _Rule
from ..optim.conventions import REQUIRED, preset_defaults
from ..optim.groups import check_missing_policy, decays, step_params
from ..optim.registry import _canonical, make_optimizer

__all__ = ["Optimizer"]

#: group keys that are torch's or the adapter's, not the rule's
_OWN_KEYS = ("params", "param_names", "maximize", "initial_lr")
_DTYPES = (torch.float16, torch.float32, torch.float64)


def _check_tensor(p: torch.Tensor, where: str) -> None:
    if p.device.type != "cpu":
        raise ConfigError(expected(f"{where} on the CPU (descentlab updates it through a NumPy view)",
                                   f"a tensor on {p.device}", "move the model with model.cpu(), or use a torch.optim "
                                   "optimizer on that device"))
    if p.layout != torch.strided:
        raise ConfigError(expected(f"{where} as a dense tensor", f"layout {p.layout}",
                                   "convert it with .to_dense()"))
    if p.dtype not in _DTYPES:
        raise DTypeError(expected(f"{where} of dtype float16, float32 or float64", f"dtype {p.dtype}",
                                  "convert the model with model.double() or model.float()"))


class Optimizer(torch.optim.Optimizer):
    """A torch optimizer that runs descentlab's rule ``optimizer`` under ``preset``.

    Parameters
    ----------
    params : iterable of tensors, of (name, tensor) pairs, or of param-group dicts
        As for any torch optimizer. A group dict may set its own ``lr``, ``maximize``
        and any of the rule's hyperparameters (descentlab's names: ``beta1``, ``beta2``,
        ``eps``, ``eps_placement``...).
    optimizer : str
        ``"sgd"``, ``"momentum"``, ``"nesterov"``, ``"adagrad"``, ``"rmsprop"``,
        ``"adam"``, ``"amsgrad"``, ``"adamw"``, ``"nadam"``.
    preset : str, optional
        ``"pytorch"`` (default), ``"keras"``, ``"optax"``, ``"cs231n"`` or ``"lecture"``.
    maximize : bool
        Climb the objective (the gradient's sign is flipped before the rule).
    decay_mask : callable, optional
        ``decay_mask(name) -> bool``: which parameters weight decay applies to; names are
        those of ``model.named_parameters()`` when given, else ``"<group>.<index>"``.
    missing : 'skip' | 'error'
        A parameter without ``.grad``: skipped (as torch) or refused.
    **hyper
        The rule's hyperparameters, overriding the preset's defaults.
    """

    def __init__(self, params: Iterable[Any], optimizer: str = "adam", preset: str | None = None, *,
                 maximize: bool = False, decay_mask: Callable[[str], bool] | None = None, missing: str = "skip",
                 **hyper: Any) -> None:
        self.rule_name = _canonical(optimizer)
        self.preset, defaults = preset_defaults(preset, self.rule_name)
        defaults.update(hyper)
        make_optimizer(self.rule_name, preset=self.preset, **{k: v for k, v in defaults.items()
                                                              if v is not REQUIRED})  # checks every value now
        if not isinstance(maximize, (bool, np.bool_)):
            raise ConfigError(expected("maximize True or False", maximize, "pass maximize=True to climb"))
        self.missing = check_missing_policy(missing)
        self.decay_mask = decay_mask
        self._hyper_names = tuple(defaults)
        self._rules: dict[tuple, _Rule] = {}
        defaults = {k: (torch.optim.optimizer.required if v is REQUIRED else v) for k, v in defaults.items()}
        super().__init__(params, {**defaults, "maximize": bool(maximize)})

    # -- groups ---------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """torch's ``add_param_group``, plus a check of the group's settings and tensors."""
        unknown = sorted(k for k in param_group if k not in _OWN_KEYS and k not in self._hyper_names)
        if unknown:
            hints = [f"{u} -> {hyperparams.FRAMEWORK_NAMES[u]}" for u in unknown if u in hyperparams.FRAMEWORK_NAMES]
            raise ConfigError(expected(f"group settings of {self.rule_name} among {', '.join(self._hyper_names)}",
                                       ", ".join(unknown), "use descentlab's names" + (f" ({'; '.join(hints)})"
                                                                                       if hints else "")))
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        for i, p in enumerate(group["params"]):
            _check_tensor(p, f"parameter {i} of group {len(self.param_groups) - 1}")
        self._rule_for(group)  # a bad value in the group is refused here, not at the first step

    def _rule_for(self, group: dict[str, Any], decay: bool = True) -> _Rule:
        """The descentlab optimizer for ``group``'s settings (built once per setting), at its current lr."""
        hyper = {k: group[k] for k in self._hyper_names if k != "lr"}
        if not decay and "weight_decay" in hyper:
            hyper["weight_decay"] = 0.0
        key = tuple(sorted((k, repr(v)) for k, v in hyper.items()))
        lr = group["lr"]
        rule = self._rules.get(key)
        if rule is None:
            rule = self._rules[key] = make_optimizer(self.rule_name, preset=self.preset, lr=0.0, **hyper)
        if isinstance(lr, torch.Tensor):
            lr = lr.item()
        rule.hyper["lr"] = lr if callable(lr) else hyperparams.check("lr", lr, self.rule_name)
        return rule

    # -- the step --------------------------------------------------------------------
    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns ``closure()`` if given."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for gi, group in enumerate(self.param_groups):
            names = group.get("param_names") or [f"{gi}.{i}" for i in range(len(group["params"]))]
            work: dict[int, tuple[_Rule, dict, dict, dict, dict, dict]] = {}
            rules: dict[bool, _Rule] = {True: self._rule_for(group)}
            absent = []
            for name, p in zip(names, group["params"]):
                if p.grad is None:
                    absent.append(name)
                    continue
                _check_tensor(p, f"parameter {name!r}")
                if p.grad.device.type != "cpu" or p.grad.is_sparse:
                    raise ConfigError(expected(f"a dense CPU gradient for parameter {name!r}",
                                               f"{p.grad.layout} on {p.grad.device}",
                                               "keep the model on the CPU and use dense gradients"))
                decay = decays(self.decay_mask, name)
                rule = rules[decay] if decay in rules else rules.setdefault(decay, self._rule_for(group, decay))
                st = self.state[p]
                theta = p.detach().numpy()
                if not st:
                    st["step"] = 0
                    for b, a in rule.init({name: theta}).slots[name].items():
                        st[b] = torch.from_numpy(a)
                _, params, grads, steps, slots, views = work.setdefault(id(rule), (rule, {}, {}, {}, {}, {}))
                params[name] = theta
                grads[name] = p.grad.detach().numpy()
                steps[name] = int(st["step"])
                slots[name] = {b: st[b].numpy() for b in st if b != "step"}
                views[name] = (st, dict(slots[name]))
            if absent and self.missing == "error":
                raise ShapeError(expected("a gradient for every parameter (missing='error')",
                                          f"none for {absent}", "call loss.backward() first, or build the optimizer "
                                          "with missing='skip' to leave those parameters alone"))
            for rule, params, grads, steps, slots, views in work.values():
                step_params(rule, params, grads, steps, slots, maximize=group["maximize"])
                for name, (st, before) in views.items():
                    st["step"] = steps[name]
                    for b, a in slots[name].items():
                        if a is not before[b]:  # the reference path made a new array: wrap it, no copy
                            st[b] = torch.from_numpy(np.ascontiguousarray(a))
        return loss

    def __repr__(self) -> str:
        return f"descentlab.interop.torch.Optimizer({self.rule_name!r}, preset={self.preset!r}, " \
               f"{len(self.param_groups)} group(s))"
