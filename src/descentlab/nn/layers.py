"""Layers: the dense (affine) layer, activations as modules, and Sequential."""
from __future__ import annotations

import os

import numpy as np

from ..autodiff import Tensor
from ..autodiff import functional as F
from ..errors import ConfigError, ShapeError, expected
from ..validation import POSITIVE_COUNT, as_rng, check_params
from .init import get_init, zeros
from .module import Module, Parameter

__all__ = ["Linear", "Sigmoid", "Tanh", "ReLU", "Softmax", "Identity", "Sequential", "ACTIVATIONS", "mlp"]


class Linear(Module):
    r"""Dense layer :math:`y = x W + b` with ``W`` of shape ``(in_features, out_features)``.

    ``x`` has shape ``(batch, in_features)``; each row is one sample, so the lecture's
    :math:`f_w(x) = w^T x` is ``Linear(d, 1, bias=False)`` with ``W = w[:, None]``.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, init="xavier", seed=0,
                 dtype=np.float64) -> None:
        super().__init__()
        check_params("Linear", {"in_features": in_features, "out_features": out_features},
                     {"in_features": [POSITIVE_COUNT], "out_features": [POSITIVE_COUNT]},
                     fixes={"in_features": "give every layer at least one unit",
                            "out_features": "give every layer at least one unit"})
        self._in, self._out = int(in_features), int(out_features)
        self.W = Parameter(get_init(init)((self._in, self._out), seed, dtype=dtype))
        self.b = Parameter(zeros((self._out,), dtype=dtype)) if bias else None

    @property
    def in_features(self) -> int:
        return self._in

    @property
    def out_features(self) -> int:
        return self._out

    def forward(self, x: Tensor) -> Tensor:
        if x.data.ndim != 2 or x.data.shape[1] != self._in:
            raise ShapeError(expected(f"input with shape (batch, {self._in})", f"shape {x.data.shape}",
                                      f"give the layer {self._in} features per sample"))
        out = x @ self.W  # (B, in) @ (in, out) -> (B, out)
        return out + self.b if self.b is not None else out

    def extra_repr(self) -> str:
        return f"{self._in} -> {self._out}, bias={self.b is not None}"


class Sigmoid(Module):
    r""":math:`\sigma(z) = 1/(1+e^{-z})`, with :math:`\sigma' = \sigma(1-\sigma)` (the chapter's form)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.sigmoid(x)


class Tanh(Module):
    def forward(self, x: Tensor) -> Tensor:
        return F.tanh(x)


class ReLU(Module):
    r""":math:`\max(0, z)`."""

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x)


class Softmax(Module):
    r""":math:`\mathrm{softmax}(z)_j = e^{z_j} / \sum_k e^{z_k}` over the last axis.

    For training, prefer the cross-entropy loss on logits: it contains the softmax and
    is numerically stable.
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.softmax(x)


class Identity(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x


ACTIVATIONS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "softmax": Softmax, "identity": Identity,
               "linear": Identity}


class Sequential(Module):
    """Layers applied in order; the i-th layer's parameters are named ``"{i}.W"``, ``"{i}.b"``."""

    def __init__(self, *layers: Module) -> None:
        super().__init__()
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise ConfigError(expected("Module instances", type(layer).__name__, "pass layers such as Linear(2, 3) or Tanh()"))
            setattr(self, str(i), layer)
        self.layers = list(layers)

    def forward(self, x: Tensor) -> Tensor:
        for layer in self.layers:
            x = layer(x)
        return x

    @property
    def in_features(self) -> int | None:
        for layer in self.layers:
            if layer.in_features is not None:
                return layer.in_features
        return None

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i: int) -> Module:
        return self.layers[i]

    def dense_layers(self) -> list[tuple[str, str, str]]:
        """``[(W name, b name, activation after it), ...]``: this model as a stack of dense
        layers (what :class:`descentlab.fast.MLP` runs), or ConfigError if it is not one.

        Each ``Linear`` (with a bias) may be followed by at most one of ReLU, Sigmoid, Tanh,
        Identity; a ``Linear`` with none after it gets ``"identity"``.
        """
        acts = {ReLU: "relu", Sigmoid: "sigmoid", Tanh: "tanh", Identity: "identity"}
        layers: list[list[str]] = []
        for i, layer in enumerate(self.layers):
            if isinstance(layer, Linear):
                if layer.b is None:
                    raise ConfigError(expected("Linear layers with a bias", f"layer {i} without one",
                                               "use the autodiff path for bias-free layers"))
                layers.append([f"{i}.W", f"{i}.b", "identity"])
            elif type(layer) in acts and layers and layers[-1][2] == "identity":
                layers[-1][2] = acts[type(layer)]
            else:
                raise ConfigError(expected("a Sequential of Linear layers, each followed by at most one of "
                                           "ReLU, Sigmoid, Tanh, Identity", f"{type(layer).__name__} at position {i}",
                                           "use the autodiff path (fit without the fast step) for other models"))
        if not layers:
            raise ConfigError(expected("a Sequential with at least one Linear layer", type(self).__name__))
        return [tuple(x) for x in layers]


def _physical_memory() -> int | None:
    """Bytes of RAM on this machine, or None where the system does not say."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, OSError, ValueError):  # pragma: no cover - non-POSIX
        return None


def _bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.3g} {unit}"
        n /= 1024
    return f"{n:.3g} PiB"  # pragma: no cover


def _check_fits_in_memory(sizes: list[int], dtype: np.dtype) -> None:
    """Refuse, before allocating, a network whose training could not fit in this machine's memory.

    Training holds the weights, their gradients and up to two optimizer buffers (Adam's
    m and v): about four times the weights, which is what is compared with the RAM.
    """
    n = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))  # weights and biases
    need = 4 * n * dtype.itemsize
    ram = _physical_memory()
    if ram is not None and need > ram:
        raise ConfigError(expected(
            "a network whose weights, gradients and optimizer state fit in memory",
            f"sizes {sizes}: {n:,} parameters, {_bytes(n * dtype.itemsize)} of weights and about {_bytes(need)} "
            f"to train, on a machine with {_bytes(ram)}",
            "use smaller hidden sizes (e.g. --hidden 128), or fewer classes"))


def mlp(sizes, activation: str = "relu", init: str | None = None, seed=0, output_activation: str | None = None,
        dtype=np.float64) -> Sequential:
    """A multi-layer perceptron ``sizes = [d_in, h1, ..., d_out]``.

    Hidden layers use ``activation``; the last layer is linear (logits) unless
    ``output_activation`` is given. ``init`` defaults to He for ReLU and Xavier
    otherwise. Each layer draws from one Generator made from ``seed``.
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2:
        raise ConfigError(expected("sizes [d_in, ..., d_out] with at least two entries", sizes, "e.g. mlp([64, 32, 10])"))
    if min(sizes) < 1:
        raise ConfigError(expected("layer sizes >= 1", sizes, "every layer needs at least one unit"))
    _check_fits_in_memory(sizes, np.dtype(dtype))
    act = activation.lower()
    if act not in ACTIVATIONS:
        raise ConfigError(expected(f"an activation in {sorted(ACTIVATIONS)}", activation))
    init = init or ("he" if act == "relu" else "xavier")
    rng = as_rng("mlp", seed)
    layers: list[Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(a, b, init=init, seed=rng, dtype=dtype))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[act]())
    if output_activation:
        layers.append(ACTIVATIONS[output_activation.lower()]())
    return Sequential(*layers)
