"""A small HTML table of a run's summary, for notebooks (``_repr_html_``)."""
from __future__ import annotations

import html
import math
from typing import Any, Sequence


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.6g}"
    return str(value)


def summary_table(title: str, rows: Sequence[tuple[str, Any]]) -> str:
    """``<table>`` with a caption and one escaped ``name | value`` row per item."""
    esc = lambda v: html.escape(_cell(v), quote=True)  # noqa: E731
    body = "".join(f"<tr><th style=\"text-align:left\">{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return f"<table><caption>{esc(title)}</caption><tbody>{body}</tbody></table>"
