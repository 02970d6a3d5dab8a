"""The tour: every part of the chapter, computed, into one self-contained HTML report.

Sections register here as the layers they need exist.
"""
from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Callable

from .. import __version__
from .._io import atomic_write_text, ensure_parent


def run_tour(out_dir: str | os.PathLike = "descentlab-report", seed: int = 0, quick: bool = False,
             progress: Callable[[str], None] = lambda s: None) -> Path:
    """Run the tour and return the path of ``index.html`` in ``out_dir``."""
    out = Path(out_dir)
    ensure_parent(out / "index.html")
    progress("descentlab tour: writing report")
    body = f"<h1>descentlab {html.escape(__version__)}: Chapter 4, Optimization</h1>\n"
    page = f"<!doctype html><html><head><meta charset='utf-8'><title>descentlab report</title></head><body>{body}</body></html>\n"
    return atomic_write_text(out / "index.html", page)
