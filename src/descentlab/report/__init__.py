"""The HTML report written by ``descentlab tour``.

>>> from descentlab.report import run_tour
>>> path = run_tour("descentlab-report", seed=0, quick=True)   # doctest: +SKIP

* :mod:`.tour` — runs the chapter section by section (:data:`~.tour.SECTIONS`) and
  writes ``index.html`` and ``results.json`` atomically;
* :mod:`.html` — sections, figures (embedded PNG/GIF), tables and notes, rendered to one
  self-contained page;
* :mod:`.figures` — the worked examples' own pictures (matplotlib, imported lazily).
"""
from __future__ import annotations

from typing import Any

__all__ = ["run_tour", "prepare_output", "SECTIONS", "FIGURES"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import tour

        return getattr(tour, name)
    raise AttributeError(f"module 'descentlab.report' has no attribute {name!r}")
