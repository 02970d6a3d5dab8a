"""A search space: named hyperparameters, each a log-uniform or uniform range or a choice.

::

    lr       = { log_uniform = [1e-4, 10.0] }    # log10(lr) uniform on [-4, 1]
    beta1    = { uniform = [0.8, 0.99] }
    momentum = { choice = [0.5, 0.9, 0.99] }

Two ways to draw ``budget`` configurations from it:

* :meth:`SearchSpace.grid`: a lattice. Ranges get ``k`` points each (log-spaced for
  log-uniform ones, ends included), with ``k`` the largest count for which the lattice,
  choices included, holds at most ``budget`` points (at least 2 per range);
* :meth:`SearchSpace.sample`: ``budget`` independent draws from a seeded Generator.

Configurations are plain ``dict[str, float | str | bool]``, in the space's key order.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from ..errors import ConfigError, expected

__all__ = ["Dimension", "SearchSpace", "KINDS"]

KINDS = ("log_uniform", "uniform", "choice")


@dataclass(frozen=True)
class Dimension:
    """One hyperparameter: ``kind`` in KINDS; ``low, high`` for ranges, ``values`` for a choice."""

    name: str
    kind: str
    low: float = 0.0
    high: float = 0.0
    values: tuple = ()

    def grid(self, k: int) -> list:
        """``k`` points of a range (ends included), or every value of a choice."""
        if self.kind == "choice":
            return list(self.values)
        if k == 1 or self.low == self.high:
            return [self.low] if self.kind == "uniform" else [math.sqrt(self.low * self.high)]
        if self.kind == "log_uniform":
            return [float(v) for v in np.logspace(math.log10(self.low), math.log10(self.high), k)]
        return [float(v) for v in np.linspace(self.low, self.high, k)]

    def draw(self, rng: np.random.Generator):
        if self.kind == "choice":
            return self.values[int(rng.integers(len(self.values)))]
        if self.kind == "log_uniform":
            return float(10.0 ** rng.uniform(math.log10(self.low), math.log10(self.high)))
        return float(rng.uniform(self.low, self.high))

    def to_dict(self) -> dict:
        return {self.kind: list(self.values) if self.kind == "choice" else [self.low, self.high]}


def _dimension(name: str, spec: Any) -> Dimension:
    fix = f'write {name} = {{ log_uniform = [1e-4, 1.0] }}, {{ uniform = [0.0, 1.0] }} or {{ choice = [0.5, 0.9] }}'
    if not isinstance(spec, Mapping) or len(spec) != 1:
        raise ConfigError(expected(f"one of {', '.join(KINDS)} for search key {name!r}", repr(spec), fix))
    (kind, arg), = spec.items()
    if kind not in KINDS:
        raise ConfigError(expected(f"one of {', '.join(KINDS)} for search key {name!r}", repr(kind), fix))
    if kind == "choice":
        if not isinstance(arg, (list, tuple)) or not arg:
            raise ConfigError(expected(f"a non-empty list of values for {name}.choice", repr(arg), fix))
        return Dimension(name, kind, values=tuple(arg))
    if (not isinstance(arg, (list, tuple)) or len(arg) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in arg)):
        raise ConfigError(expected(f"two finite numbers [low, high] for {name}.{kind}", repr(arg), fix))
    low, high = float(arg[0]), float(arg[1])
    if low > high:
        raise ConfigError(expected(f"low <= high in {name}.{kind}", f"[{low:g}, {high:g}]", "swap the two numbers"))
    if kind == "log_uniform" and low <= 0:
        raise ConfigError(expected(f"low > 0 in {name}.log_uniform", f"[{low:g}, {high:g}]",
                                   "a log scale needs positive ends, e.g. [1e-4, 1.0]"))
    return Dimension(name, kind, low, high)


class SearchSpace:
    """Hyperparameter name -> :class:`Dimension`, built from a mapping such as TOML's ``[search]``.

    >>> s = SearchSpace({"lr": {"log_uniform": [1e-3, 1e-1]}, "momentum": {"choice": [0.5, 0.9]}})
    >>> [round(c["lr"], 4) for c in s.grid(6)]
    [0.001, 0.001, 0.01, 0.01, 0.1, 0.1]
    """

    def __init__(self, spec: Mapping[str, Any]) -> None:
        if not isinstance(spec, Mapping) or not spec:
            raise ConfigError(expected("a search space with at least one hyperparameter", repr(dict(spec or {})),
                                       "add e.g. [search] lr = { log_uniform = [1e-4, 10.0] }"))
        self.dims = [_dimension(str(k), v) for k, v in spec.items()]

    @property
    def names(self) -> list[str]:
        return [d.name for d in self.dims]

    def to_dict(self) -> dict:
        return {d.name: d.to_dict() for d in self.dims}

    def grid_points(self, budget: int) -> int:
        """Points per range dimension for a lattice of at most ``budget`` configurations."""
        ranges = [d for d in self.dims if d.kind != "choice"]
        fixed = math.prod(len(d.values) for d in self.dims if d.kind == "choice")
        if not ranges:
            return 0
        k = 2
        while fixed * (k + 1) ** len(ranges) <= budget:
            k += 1
        return k

    def grid(self, budget: int) -> list[dict]:
        """The lattice of at most ``budget`` configurations (at least 2 points per range)."""
        k = self.grid_points(budget)
        axes = [d.grid(k) for d in self.dims]
        return [dict(zip(self.names, combo)) for combo in itertools.product(*axes)]

    def sample(self, budget: int, seed) -> list[dict]:
        """``budget`` random configurations from ``seed`` (an int or a Generator)."""
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        return [{d.name: d.draw(rng) for d in self.dims} for _ in range(int(budget))]
