"""The exceptions descentlab raises, and one way to word them.

Every message says what was expected, what came, and how to fix it
(scikit-learn's habit). Use :func:`expected` to build such a sentence so the
wording stays the same across the package.
"""
from __future__ import annotations

__all__ = [
    "DescentlabError",
    "ConfigError",
    "ShapeError",
    "DTypeError",
    "StateFileError",
    "DataError",
    "GraphError",
    "NonFiniteGradientError",
    "NumericalWarning",
    "expected",
]


class DescentlabError(Exception):
    """Base class of every error descentlab raises on purpose."""


class ConfigError(DescentlabError, ValueError):
    """A hyperparameter, preset, convention or option is not allowed."""


class ShapeError(DescentlabError, ValueError):
    """Arrays whose shapes do not fit together."""


class DTypeError(DescentlabError, TypeError):
    """An array of a dtype descentlab cannot differentiate or update."""


class StateFileError(DescentlabError, ValueError):
    """A saved state, checkpoint or fixture file is truncated, corrupt or mismatched."""


class DataError(DescentlabError, ValueError):
    """A dataset that is inconsistent: lengths, labels, NaNs."""


class GraphError(DescentlabError, RuntimeError):
    """``backward()`` asked of a graph that cannot give it (freed, or not recorded)."""


class NonFiniteGradientError(DescentlabError, ValueError):
    """A seed gradient passed to ``backward()`` holds NaN or infinity."""


class NumericalWarning(RuntimeWarning):
    """A finite gradient gave a non-finite update or state (eps=0 on a zero gradient, g*g overflowing)."""


def expected(what: str, got: object, fix: str | None = None) -> str:
    """Word an error as ``expected <what>, got <got>. <fix>``.

    >>> expected("lr >= 0", -0.1, "pass a non-negative learning rate")
    'expected lr >= 0, got -0.1. Fix: pass a non-negative learning rate.'
    """
    msg = f"expected {what}, got {got!r}" if not isinstance(got, str) else f"expected {what}, got {got}"
    if fix:
        msg += f". Fix: {fix.rstrip('.')}."
    return msg
