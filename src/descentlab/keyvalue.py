"""The one ``KEY=VALUE`` grammar, shared by the command line and the schedules' text form.

A value is read as, in this order:

* a flag: ``true``/``false`` (also ``yes``/``no``, ``on``/``off``; any case) -> bool;
* a whole number written with digits only: ``30``, ``-2`` -> int;
* a number Python's ``float`` reads: ``0.5``, ``1e-3``, ``1e+3``, ``inf`` -> float;
* a list: ``[a,b]``, ``a,b`` or ``a;b`` (and ``a/b`` when every item is a number),
  each item read as above -> list;
* anything else stays text.

A list is only read where a caller allows one (``lists=True``): inside a schedule,
commas separate the parts' keys, so a list there is written ``[30,60]`` or ``30/60``.

>>> parse_value("0.9"), parse_value("10"), parse_value("1e+3"), parse_value("TRUE")
(0.9, 10, 1000.0, True)
>>> parse_value("1,100"), parse_value("30/60"), parse_value("adam")
([1, 100], [30, 60], 'adam')
>>> parse_pairs(["momentum=0.9", "nesterov=true"], "--set")
{'momentum': 0.9, 'nesterov': True}
>>> split_top_level("milestones=[30,60],gamma=0.5")
['milestones=[30,60]', 'gamma=0.5']
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .errors import ConfigError, expected

__all__ = ["parse_value", "parse_item", "parse_pairs", "split_top_level"]

_TRUE = ("true", "yes", "on")
_FALSE = ("false", "no", "off")
_INT = re.compile(r"[+-]?\d+")


def _scalar(text: str) -> Any:
    t = text.strip()
    low = t.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    if _INT.fullmatch(t):
        return int(t)
    try:
        return float(t)
    except ValueError:
        return t


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def parse_value(text: str, *, lists: bool = True) -> Any:
    """One value of the grammar (see the module docstring)."""
    t = text.strip()
    if not lists:
        return _scalar(t)
    if t.startswith("[") and t.endswith("]"):
        return [_scalar(s) for s in re.split(r"[,;]", t[1:-1]) if s.strip()]
    if "," in t or ";" in t:
        return [_scalar(s) for s in re.split(r"[,;]", t) if s.strip()]
    if "/" in t:
        items = [_scalar(s) for s in t.split("/")]
        if all(_is_number(x) for x in items):
            return items
    return _scalar(t)


def parse_item(item: str, what: str, *, example: str = "momentum=0.9", lists: bool = True) -> tuple[str, Any]:
    """``"key=value"`` -> ``(key, value)``; dashes in the key become underscores."""
    key, eq, value = str(item).partition("=")
    key = key.strip().replace("-", "_")
    if not eq or not key:
        raise ConfigError(expected(f"{what} as KEY=VALUE", repr(item), f"write e.g. {example}"))
    return key, parse_value(value, lists=lists)


def parse_pairs(items: Iterable[str] | None, what: str, *, example: str = "momentum=0.9",
                lists: bool = True) -> dict[str, Any]:
    """``["momentum=0.9", "nesterov=true"]`` -> a dict; each key at most once."""
    out: dict[str, Any] = {}
    for item in items or []:
        key, value = parse_item(item, what, example=example, lists=lists)
        if key in out:
            raise ConfigError(expected(f"each key of {what} once", key, "remove the repeat"))
        out[key] = value
    return out


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """Split ``text`` on ``sep`` outside square brackets; empty pieces are dropped."""
    out, depth, cur = [], 0, []
    for ch in text:
        depth += ch == "["
        depth -= ch == "]"
        if ch == sep and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return [s for s in (p.strip() for p in out) if s]
