"""The shape every worked example returns: numbers for JSON, steps for people.

An :class:`Account` is what a student reads beside the slide: parts in the slide's
order, each a list of :class:`Line` (what is computed, its formula, the formula with
the numbers put in, and the value), optional tables, and the lecture's claims as
:class:`Check` results. ``Account.data`` holds every number in plain JSON types, so
``descentlab lecture <example> --json`` and the tests read the same values the text
shows.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

from .._io import to_jsonable

__all__ = ["Line", "Table", "Part", "Check", "Account", "fmt"]


def fmt(value: Any, digits: int = 10) -> str:
    """A number as a person reads it: up to ``digits`` significant digits, no float noise.

    >>> fmt(0.30000000000000004), fmt(1e-12), fmt([0.5, 2.0])
    ('0.3', '1e-12', '[0.5, 2]')
    """
    if isinstance(value, (list, tuple)) or (hasattr(value, "tolist") and getattr(value, "ndim", 0) > 0):
        seq = value.tolist() if hasattr(value, "tolist") else value
        return "[" + ", ".join(fmt(v, digits) for v in seq) + "]"
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return str(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if x == 0:
        return "0"
    return f"{x:.{digits}g}"


@dataclass
class Line:
    """One computed quantity: ``label = formula = numbers = value``."""

    label: str
    formula: str = ""
    numbers: str = ""
    value: Any = None
    note: str = ""

    def render(self) -> str:
        parts = [self.label]
        if self.formula:
            parts.append(self.formula)
        if self.numbers:
            parts.append(self.numbers)
        if self.value is not None:
            parts.append(fmt(self.value))
        text = " = ".join(parts)
        if self.note:
            text += f"    ({self.note})"
        return text

    def to_dict(self) -> dict:
        return {"label": self.label, "formula": self.formula, "numbers": self.numbers,
                "value": to_jsonable(self.value), "note": self.note}


@dataclass
class Table:
    """A small table (header row plus rows of cells)."""

    headers: Sequence[str]
    rows: list[Sequence[Any]]
    caption: str = ""

    def render(self) -> str:
        cells = [[str(h) for h in self.headers]] + [[c if isinstance(c, str) else fmt(c) for c in r] for r in self.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.headers))]
        out = []
        if self.caption:
            out.append(self.caption)
        for j, row in enumerate(cells):
            out.append("  ".join(c.rjust(w) for c, w in zip(row, widths)).rstrip())
            if j == 0:
                out.append("  ".join("-" * w for w in widths))
        return "\n".join(out)

    def to_dict(self) -> dict:
        return {"caption": self.caption, "headers": list(self.headers), "rows": to_jsonable([list(r) for r in self.rows])}


@dataclass
class Part:
    """A titled piece of an account, in the slide's order."""

    title: str
    intro: str = ""
    lines: list[Line] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    outro: str = ""

    def add(self, label: str, formula: str = "", numbers: str = "", value: Any = None, note: str = "") -> Any:
        """Append a :class:`Line` and return its value (so code reads like the derivation)."""
        self.lines.append(Line(label, formula, numbers, value, note))
        return value

    def render(self) -> str:
        out = [self.title, "-" * len(self.title)]
        if self.intro:
            out.append(self.intro)
        out.extend("  " + line.render() for line in self.lines)
        for t in self.tables:
            out.append("")
            out.extend("  " + s for s in t.render().splitlines())
        if self.outro:
            out.append(self.outro)
        return "\n".join(out)

    def to_dict(self) -> dict:
        return {"title": self.title, "intro": self.intro, "lines": [ln.to_dict() for ln in self.lines],
                "tables": [t.to_dict() for t in self.tables], "outro": self.outro}


@dataclass
class Check:
    """One of the lecture's claims, tested on the numbers of the example."""

    claim: str
    passed: bool
    detail: str = ""

    def render(self) -> str:
        return f"[{'ok' if self.passed else 'FAILED'}] {self.claim}" + (f": {self.detail}" if self.detail else "")

    def to_dict(self) -> dict:
        return {"claim": self.claim, "passed": bool(self.passed), "detail": self.detail}


@dataclass
class Account:
    """A worked example, computed: the numbers (``data``) and the explained steps (``parts``)."""

    example: str
    title: str
    summary: str
    parts: list[Part] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    #: runs at the user's settings that diverged, one sentence each (``descentlab lecture`` exits 3)
    diverged: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        passed = sum(c.passed for c in self.checks)
        return (f"Account({self.example!r}: {self.title!r}, {len(self.parts)} parts, "
                f"checks {passed}/{len(self.checks)} passed; .text() prints it, .data holds the numbers)")

    def part(self, title: str, intro: str = "") -> Part:
        p = Part(title, intro)
        self.parts.append(p)
        return p

    def check(self, claim: str, passed: bool, detail: str = "") -> bool:
        self.checks.append(Check(claim, bool(passed), detail))
        return bool(passed)

    @property
    def ok(self) -> bool:
        """True when every check of the lecture's claims holds."""
        return all(c.passed for c in self.checks)

    def text(self) -> str:
        """The step-by-step account, as printed by ``descentlab lecture <example>``."""
        head = f"{self.title}\n{'=' * len(self.title)}\n{self.summary}"
        body = [head] + [p.render() for p in self.parts]
        if self.checks:
            body.append("Checks of the lecture's claims\n" + "-" * 30 + "\n" + "\n".join("  " + c.render() for c in self.checks))
        return "\n\n".join(body) + "\n"

    def to_dict(self) -> dict:
        """Plain JSON types: ``example``, ``title``, ``summary``, ``data``, ``checks``, ``parts``."""
        return {"example": self.example, "title": self.title, "summary": self.summary,
                "data": to_jsonable(self.data), "checks": [c.to_dict() for c in self.checks],
                "parts": [p.to_dict() for p in self.parts], "diverged": list(self.diverged)}
