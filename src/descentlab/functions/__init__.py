"""Test surfaces: f(x) with exact gradient and Hessian, known minima, starts and windows.

>>> from descentlab.functions import get_surface
>>> s = get_surface("rosenbrock")
>>> s.f([1.0, 1.0]), s.minima[0].tolist()
(0.0, [1.0, 1.0])
"""
from __future__ import annotations

from .base import Surface, as_point
from .registry import SURFACES, get_surface, list_surfaces
from .surfaces import linreg_data
from .user import from_function, load_function

__all__ = [
    "Surface",
    "SURFACES",
    "get_surface",
    "list_surfaces",
    "from_function",
    "load_function",
    "linreg_data",
    "as_point",
]
