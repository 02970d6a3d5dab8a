"""argparse types that refuse a bad value at the command line, with a sentence.

``float("nan")`` and ``float("inf")`` parse, and ``int("-1")`` is a whole number, so
``type=float`` / ``type=int`` let such values through to places where they either fail
deep inside NumPy or give a silent wrong result. These types refuse them where they are
typed.
"""
from __future__ import annotations

import argparse
import math

__all__ = ["finite_float", "nonnegative_float", "finite_floats"]


def finite_float(text: str) -> float:
    """A finite number (no nan, inf)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def nonnegative_float(text: str) -> float:
    """A finite number >= 0."""
    value = finite_float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text!r}")
    return value


def finite_floats(text: str) -> tuple[float, ...]:
    """At least one comma-separated finite number: ``"0.1,0.5"`` -> ``(0.1, 0.5)``."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if not values or not all(math.isfinite(v) for v in values):
        raise argparse.ArgumentTypeError(f"expected comma-separated finite numbers such as 0.1,0.5, got {text!r}")
    return values
