"""The Module base: a tree of layers whose parameters are addressed by dotted names.

A parameter's name is its path in the tree, e.g. ``"0.W"`` for the weight of the first
layer of a :class:`~descentlab.nn.Sequential`. Optimizer state and checkpoints key on
these names, never on positions, so a saved state cannot land on the wrong array.

``model.params()`` returns ``{name: ndarray}``: the very arrays inside the parameter
tensors (``tensor.data``), so an optimizer that updates that dict in place updates the
model.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

from ..autodiff import Tensor
from ..errors import ShapeError, StateFileError, expected

__all__ = ["Module", "Parameter"]


def Parameter(data: np.ndarray) -> Tensor:
    """A trainable tensor: ``Tensor(data, requires_grad=True)``."""
    return Tensor(data, requires_grad=True)


class Module:
    """Base class: subclasses set parameters and sub-modules as attributes and define ``forward``."""

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, Module):
            self._modules[name] = value
        elif isinstance(value, Tensor) and value.requires_grad:
            self._parameters[name] = value
        object.__setattr__(self, name, value)

    # -- naming -----------------------------------------------------------------
    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        for name, p in self._parameters.items():
            yield prefix + name, p
        for name, m in self._modules.items():
            yield from m.named_parameters(f"{prefix}{name}.")

    def parameters(self) -> dict[str, Tensor]:
        """``{dotted name: parameter tensor}`` in definition order."""
        return dict(self.named_parameters())

    def params(self) -> dict[str, np.ndarray]:
        """``{dotted name: tensor.data}``: the live arrays an optimizer updates in place."""
        return {k: p.data for k, p in self.named_parameters()}

    def grads(self) -> dict[str, np.ndarray]:
        """``{dotted name: tensor.grad}`` after ``backward`` (zeros where no gradient flowed)."""
        return {k: (p.grad if p.grad is not None else np.zeros_like(p.data)) for k, p in self.named_parameters()}

    def zero_grad(self) -> None:
        for _, p in self.named_parameters():
            p.zero_grad()

    def num_parameters(self) -> int:
        return int(sum(p.data.size for _, p in self.named_parameters()))

    # -- state ------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter, by name."""
        return {k: np.array(v, copy=True) for k, v in self.params().items()}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Copy ``state`` into the parameters in place (names and shapes must match)."""
        own = self.params()
        missing = sorted(set(own) - set(state))
        extra = sorted(set(state) - set(own))
        if missing or extra:
            raise StateFileError(expected(f"parameters named {sorted(own)}", f"missing {missing}, unexpected {extra}",
                                          "load a state saved from the same architecture"))
        for k, arr in own.items():
            src = np.asarray(state[k])
            if src.shape != arr.shape:
                raise ShapeError(expected(f"{k!r} with shape {arr.shape}", f"shape {src.shape}",
                                          "load a state saved from the same architecture"))
            np.copyto(arr, src)

    # -- calling ------------------------------------------------------------------
    def forward(self, x: Tensor) -> Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, x) -> Tensor:
        if not isinstance(x, Tensor):
            x = Tensor(np.asarray(x))
        return self.forward(x)

    @property
    def in_features(self) -> int | None:
        """Width of the input this module expects, where it is fixed."""
        return None

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        if not self._modules:
            return f"{type(self).__name__}({self.extra_repr()})"
        inner = "\n".join(f"  ({k}): " + repr(m).replace("\n", "\n  ") for k, m in self._modules.items())
        return f"{type(self).__name__}(\n{inner}\n)"
