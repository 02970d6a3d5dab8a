"""Whether operations record the graph: ``no_grad`` for inference.

Inside ``with no_grad():`` (or a function decorated with ``@no_grad()``) every
operation returns a plain tensor with ``requires_grad=False`` and no parents, so
nothing is kept for a backward pass. This is how a model is evaluated, and how
an optimizer changes parameters without the change becoming part of the graph.

The switch is one process-wide flag; the library itself is single-threaded.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

__all__ = ["no_grad", "enable_grad", "is_grad_enabled"]

_F = TypeVar("_F", bound=Callable[..., Any])


class _GradMode:
    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


_MODE = _GradMode()


def is_grad_enabled() -> bool:
    """Return True when new operations are recorded for backward."""
    return _MODE.enabled


class _SetGradMode:
    """Context manager and decorator that sets the recording flag, then restores it."""

    __slots__ = ("_enabled", "_previous")

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._previous: list[bool] = []  # a stack, so one object can be re-entered

    def __enter__(self) -> None:
        self._previous.append(_MODE.enabled)
        _MODE.enabled = self._enabled

    def __exit__(self, *exc: object) -> None:
        _MODE.enabled = self._previous.pop()

    def __call__(self, fn: _F) -> _F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__(self._enabled):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def no_grad() -> _SetGradMode:
    """Turn off graph recording inside a ``with`` block or a decorated function.

    Examples
    --------
    >>> from descentlab.autodiff import Tensor, no_grad
    >>> w = Tensor([1.0, 2.0], requires_grad=True)
    >>> with no_grad():
    ...     y = (w * 3.0).sum()
    >>> y.requires_grad
    False
    """
    return _SetGradMode(False)


def enable_grad() -> _SetGradMode:
    """Turn graph recording back on inside a ``no_grad`` region."""
    return _SetGradMode(True)
