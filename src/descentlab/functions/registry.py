"""Surfaces by name: :func:`get_surface` and :func:`list_surfaces`."""
from __future__ import annotations

import difflib
import math
import inspect

from ..errors import ConfigError, expected
from . import surfaces as _s
from .base import Surface

__all__ = ["SURFACES", "get_surface", "list_surfaces"]

# name -> (factory, one-line description)
SURFACES = {
    "x2": (_s.make_x2, "the lecture's f(x) = x² (1-D)"),
    "quadratic": (_s.make_quadratic, "ill-conditioned quadratic ½xᵀAx with chosen eigenvalues"),
    "saddle": (_s.make_saddle, "saddle x² − y² (no minimum)"),
    "valley": (_s.make_valley, "long narrow valley a·x² + b·y²"),
    "rosenbrock": (_s.make_rosenbrock, "Rosenbrock's banana valley, minimum (1, 1)"),
    "beale": (_s.make_beale, "Beale's function, minimum (3, 0.5)"),
    "himmelblau": (_s.make_himmelblau, "Himmelblau's function, four minima"),
    "booth": (_s.make_booth, "Booth's function, minimum (1, 3)"),
    "rastrigin": (_s.make_rastrigin, "Rastrigin's function, many local minima"),
    "linreg": (_s.make_linreg, "the chapter's linear-regression loss over (w, b)"),
}


def list_surfaces() -> list[str]:
    """The registered surface names, in the order of the lecture."""
    return list(SURFACES)


def get_surface(name: str | Surface, **kw) -> Surface:
    """Build a registered surface by name; keyword arguments go to its factory.

    >>> get_surface("rosenbrock").minima[0].tolist()
    [1.0, 1.0]
    >>> get_surface("quadratic", eigenvalues=(1, 100)).hess([0, 0]).round(6).tolist()  # doctest: +SKIP
    """
    if isinstance(name, Surface):
        if kw:
            raise ConfigError(expected("no options with a ready Surface", sorted(kw), "pass the name instead"))
        return name
    key = str(name).strip().lower().replace("-", "_").replace("²", "2")
    if key not in SURFACES:
        close = difflib.get_close_matches(key, SURFACES, n=1)
        hint = f"did you mean {close[0]!r}? Otherwise " if close else ""
        raise ConfigError(expected(f"a surface name, one of {', '.join(SURFACES)}", repr(name),
                                   f"{hint}pick a listed name, or pass a Python function as module:function"))
    factory = SURFACES[key][0]
    allowed = set(inspect.signature(factory).parameters)
    bad = sorted(set(kw) - allowed)
    if bad:
        raise ConfigError(expected(f"options of {key!r} among {sorted(allowed) or 'none'}", bad,
                                   "drop or rename them"))
    for k, v in kw.items():
        flat = v if isinstance(v, (list, tuple)) else [v]
        if any(isinstance(x, float) and not math.isfinite(x) for x in flat):
            raise ConfigError(expected(f"finite numbers for the options of {key!r}", f"{k}={v!r}",
                                       "pass finite numbers (nan and inf make every f and gradient meaningless)"))
    try:
        return factory(**kw)
    except ConfigError:  # the factory's own sentence (e.g. a negative eigenvalue) is already the right one
        raise
    except (TypeError, ValueError) as exc:  # e.g. --surface-opt a=x: text where a number belongs
        shown = ", ".join(f"{k}={v!r}" for k, v in kw.items())
        raise ConfigError(expected(f"numbers for the options of {key!r}", shown,
                                   f"pass numbers, e.g. eigenvalues=1,100 or a=0.02 ({exc})")) from exc
