"""One self-contained HTML page: sections, figures as data URIs, tables, notes.

Nothing here computes; the tour builds :class:`Section` objects and :func:`render`
turns them into a single page that needs no network (figures are embedded as base64
PNG or GIF, the style sheet is inline). Every figure and table carries a short
explanation that is laid out beside it.
"""
from __future__ import annotations

import base64
import html
import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Sequence

from ..lecture._account import fmt

__all__ = ["Figure", "TableBlock", "table_cell", "Text", "Account", "Note", "Section", "Report", "render", "data_uri"]


def data_uri(data: bytes, mime: str) -> str:
    """``data:<mime>;base64,…`` for embedding a file in the page."""
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def _esc(text: str) -> str:
    return html.escape(str(text), quote=True)


TABLE_DIGITS = 4


def table_cell(value: Any, header: str = "") -> str:
    """A table cell as a person reads it: 4 significant digits, accuracies as percent.

    Full precision stays in results.json and in the step-by-step accounts; only the
    tables round. A column whose header names an accuracy shows ``0.98667`` as
    ``98.67 %``. Integers, text (``"-"``) and non-finite values pass through.

    >>> table_cell(0.001196543), table_cell(0.98667, "val accuracy"), table_cell(60000)
    ('0.001197', '98.67 %', '60000')
    """
    if isinstance(value, str) or isinstance(value, (bool, numbers.Integral)) or value is None:
        return str(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return fmt(value, TABLE_DIGITS)
    if math.isfinite(x) and "accuracy" in header.lower():
        return f"{fmt(100.0 * x, TABLE_DIGITS)} %"
    return fmt(value, TABLE_DIGITS)


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _para(text: str) -> str:
    """Plain text to HTML paragraphs (blank line = new paragraph); `code` spans kept."""
    out = []
    for chunk in str(text).strip().split("\n\n"):
        parts = _esc(chunk).split("`")
        body = "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))
        out.append(f"<p>{body}</p>")
    return "\n".join(out)


@dataclass
class Figure:
    """An image (PNG or GIF bytes) with a caption and an explanation beside it."""

    key: str
    data: bytes | Sequence[bytes]
    caption: str
    explanation: str = ""
    mime: str = "image/png"

    def html(self) -> str:
        alt = _esc(self.caption)
        images = [self.data] if isinstance(self.data, (bytes, bytearray)) else list(self.data)
        imgs = "".join(f'<img alt="{alt}" src="{data_uri(d, self.mime)}">' for d in images)
        cls = "img row" if len(images) > 1 else "img"
        return (f'<figure class="fig" id="fig-{_esc(self.key)}" data-figure="{_esc(self.key)}">'
                f'<div class="{cls}">{imgs}</div>'
                f'<figcaption><strong>{_esc(self.caption)}</strong>{_para(self.explanation)}</figcaption></figure>')


@dataclass
class TableBlock:
    """A table of numbers with a caption and an explanation."""

    key: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    caption: str = ""
    explanation: str = ""
    highlight: dict[int, str] = field(default_factory=dict)   # row index -> css class

    def html(self) -> str:
        head = "".join(f"<th>{_esc(h)}</th>" for h in self.headers)
        body = []
        for i, row in enumerate(self.rows):
            cls = f' class="{self.highlight[i]}"' if i in self.highlight else ""
            heads = list(self.headers) + [""] * max(0, len(row) - len(self.headers))
            cells = "".join(f'<td class="t">{_esc(c)}</td>' if isinstance(c, str) and not _numeric(c)
                            else f"<td>{_esc(table_cell(c, h))}</td>" for c, h in zip(row, heads))
            body.append(f"<tr{cls}>{cells}</tr>")
        return (f'<div class="tbl" data-table="{_esc(self.key)}"><table><caption>{_esc(self.caption)}</caption>'
                f'<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
                f'<div class="why">{_para(self.explanation)}</div></div>')


@dataclass
class Text:
    """Explanatory text (paragraphs)."""

    text: str

    def html(self) -> str:
        return f'<div class="text">{_para(self.text)}</div>'


@dataclass
class Account:
    """A worked example's step-by-step text account, folded by default."""

    title: str
    text: str
    checks: Sequence[tuple[str, bool, str]] = ()
    open: bool = False

    def html(self) -> str:
        checks = ""
        if self.checks:
            items = "".join(f'<li class="{"ok" if ok else "bad"}">{"✔" if ok else "✘"} {_esc(c)}'
                            f'{": " + _esc(d) if d else ""}</li>' for c, ok, d in self.checks)
            checks = f'<ul class="checks">{items}</ul>'
        return (f'{checks}<details{" open" if self.open else ""}><summary>{_esc(self.title)}</summary>'
                f'<pre>{_esc(self.text)}</pre></details>')


@dataclass
class Note:
    """A visible remark; ``kind="missing"`` marks a part that could not run."""

    text: str
    kind: str = "info"

    def html(self) -> str:
        return f'<div class="note {_esc(self.kind)}">{_para(self.text)}</div>'


@dataclass
class Section:
    """A part of the report, in the chapter's order."""

    key: str
    title: str
    intro: str = ""
    blocks: list = field(default_factory=list)
    level: int = 2
    seconds: float | None = None

    def add(self, block) -> Any:
        self.blocks.append(block)
        return block

    def html(self) -> str:
        h = f"h{self.level}"
        timing = f'<span class="time">{self.seconds:.1f} s</span>' if self.seconds is not None else ""
        intro = _para(self.intro) if self.intro else ""
        return (f'<section id="{_esc(self.key)}" data-section="{_esc(self.key)}">'
                f'<{h}>{_esc(self.title)}{timing}</{h}>{intro}'
                + "\n".join(b.html() for b in self.blocks) + "</section>")


@dataclass
class Report:
    """The whole page."""

    title: str
    subtitle: str
    sections: list[Section] = field(default_factory=list)
    footer: str = ""


_CSS = """
:root { --ink:#1d2330; --muted:#5b6475; --line:#d9dee7; --accent:#2456a6; --ok:#23803b; --bad:#b3261e; --bg:#fbfcfe; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ink);
       background: var(--bg); margin: 0; }
header { background: #14213d; color: #fff; padding: 28px 40px; }
header h1 { margin: 0 0 6px; font-size: 28px; }
header p { margin: 0; color: #cfd8ea; max-width: 70em; }
nav { background: #fff; border-bottom: 1px solid var(--line); padding: 10px 40px; font-size: 14px;
      display: flex; flex-wrap: wrap; gap: 4px 14px; }
nav a { color: var(--accent); text-decoration: none; white-space: nowrap; }
nav a.part { font-weight: 600; }
nav a.sub { color: var(--muted); }
main { max-width: 1200px; margin: 0 auto; padding: 10px 40px 40px; }
section { border-bottom: 1px solid var(--line); padding: 6px 0 18px; }
h2 { font-size: 24px; margin: 28px 0 8px; color: #14213d; border-left: 5px solid var(--accent); padding-left: 10px; }
h3 { font-size: 19px; margin: 22px 0 6px; color: #14213d; }
.time { font-size: 12px; color: var(--muted); font-weight: normal; margin-left: 10px; }
figure.fig { display: flex; gap: 22px; align-items: flex-start; margin: 14px 0; padding: 12px; background: #fff;
             border: 1px solid var(--line); border-radius: 6px; }
figure.fig .img { flex: 0 0 auto; max-width: 62%; }
figure.fig img { max-width: 100%; height: auto; display: block; }
figure.fig .img.row { display: flex; gap: 8px; max-width: 68%; }
figure.fig .img.row img { min-width: 0; flex: 1 1 0; }
figcaption { flex: 1 1 auto; font-size: 14px; color: var(--ink); }
figcaption strong { display: block; margin-bottom: 6px; }
.tbl { margin: 14px 0; display: flex; gap: 22px; align-items: flex-start; flex-wrap: wrap; }
.tbl table { border-collapse: collapse; background: #fff; font-size: 13px; font-variant-numeric: tabular-nums; }
.tbl caption { text-align: left; font-weight: 600; padding: 4px 0; }
.tbl th, .tbl td { border: 1px solid var(--line); padding: 3px 8px; text-align: right; }
.tbl th { background: #eef2f8; }
.tbl td.t, .tbl th:first-child { text-align: left; }
.tbl tr.wrong td { background: #fdecea; }
.tbl tr.truncated td { background: #fff6e0; }
.tbl .why { flex: 1 1 280px; font-size: 14px; }
pre { background: #f3f5f9; border: 1px solid var(--line); padding: 12px; overflow-x: auto; font-size: 12px;
      line-height: 1.35; }
details summary { cursor: pointer; color: var(--accent); margin: 6px 0; }
ul.checks { list-style: none; padding-left: 0; font-size: 14px; margin: 8px 0; }
ul.checks li.ok { color: var(--ok); }
ul.checks li.bad { color: var(--bad); font-weight: 600; }
.note { border-left: 4px solid var(--accent); background: #eef3fb; padding: 6px 12px; margin: 12px 0; font-size: 14px; }
.note.missing { border-color: var(--bad); background: #fdecea; }
.note.warn { border-color: #c98a00; background: #fff6e0; }
code { background: #eef1f6; padding: 0 3px; border-radius: 3px; font-size: 90%; }
footer { color: var(--muted); font-size: 13px; padding: 20px 40px; }
@media (max-width: 900px) { figure.fig { flex-direction: column; } figure.fig .img { max-width: 100%; } }
"""


def render(report: Report) -> str:
    """The page as one string (UTF-8, no external resources)."""
    nav = []
    for s in report.sections:
        cls = ' class="sub"' if s.level > 2 else ' class="part"'
        nav.append(f'<a href="#{_esc(s.key)}"{cls}>{_esc(s.title)}</a>')
    body = "\n".join(s.html() for s in report.sections)
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_esc(report.title)}</title><style>{_CSS}</style></head><body>"
            f"<header><h1>{_esc(report.title)}</h1>{_para(report.subtitle)}</header>"
            f"<nav>{''.join(nav)}</nav><main>{body}</main>"
            f"<footer>{_para(report.footer)}</footer></body></html>\n")
