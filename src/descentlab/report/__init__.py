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

from .._lazy import lazy_exports

__all__ = ["run_tour", "prepare_output", "SECTIONS", "FIGURES"]

__getattr__, __dir__ = lazy_exports(__name__, {name: "descentlab.report.tour" for name in __all__}, globals())
