"""One self-contained HTML page: sections, figures as data URIs, tables, notes.

Nothing here computes; the tour builds :class:`Section` objects and :func:`render`
turns them into a single page that needs no network (figures are embedded as base64
PNG or GIF, the style sheet and the one small script are inline). Every figure and
table carries a short explanation that is laid out beside it, or below a wide figure.
Figures are shown at their size in inches × :data:`CSS_PX_PER_INCH`, so their text reads
at the size the figure chose for it; a click (or Enter) shows a figure enlarged, Esc
or a click closes it. The step-by-step accounts wrap their long lines.
"""
from __future__ import annotations

import base64
import html
import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Sequence

from ..lecture._account import fmt

__all__ = ["CSS_PX_PER_INCH", "picture_info", "Figure", "TableBlock", "table_cell", "Text", "Account", "Note", "Section", "Report", "render", "data_uri"]


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
    ``98.67 %``. Floats from 10,000 to 10^12 show as grouped digits
    (``123,500``), not in exponent form. Integers, text (``"-"``) and non-finite values pass through.

    >>> table_cell(0.001196543), table_cell(0.98667, "val accuracy"), table_cell(60000), table_cell(123456.7)
    ('0.001197', '98.67 %', '60000', '123,500')
    """
    if isinstance(value, str) or isinstance(value, (bool, numbers.Integral)) or value is None:
        return str(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return fmt(value, TABLE_DIGITS)
    if math.isfinite(x) and "accuracy" in header.lower():
        return f"{fmt(100.0 * x, TABLE_DIGITS)} %"
    rounded = float(f"{x:.{TABLE_DIGITS}g}") if math.isfinite(x) else x
    if 10.0 ** TABLE_DIGITS <= abs(rounded) < 1e12:
        # a large number reads as digits, not as 1.235e+04: 4 significant digits, grouped
        return f"{rounded:,.0f}"
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


#: CSS pixels per inch of a figure: a picture of size (w, h) inches is shown w·100 × h·100 CSS px
#: wide (at the page's full width), whatever dpi it was rendered at, so a font of p points
#: reads as p·100/72 CSS px (9 pt: 12.5 px). The viz functions choose their fonts for this.
CSS_PX_PER_INCH = 100


def picture_info(data: bytes) -> dict:
    """Width, height (pixels) and the text notes of a PNG (tEXt chunks) or GIF (its comment).

    The notes are those :func:`descentlab.viz._mpl.picture_notes` writes: the dpi the
    picture was rendered at and the size of its smallest text, in its own pixels. Only
    the file's headers are read; a file of another kind gives ``{}``.
    """
    data = bytes(data)
    notes: dict[str, str] = {}
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        i = 8
        while i + 8 <= len(data):
            n, kind = int.from_bytes(data[i:i + 4], "big"), data[i + 4:i + 8]
            if kind == b"tEXt":
                key, _, value = data[i + 8:i + 8 + n].partition(b"\0")
                notes[key.decode("latin-1")] = value.decode("latin-1")
            elif kind in (b"IDAT", b"IEND"):
                break
            i += 12 + n
        return {"width": width, "height": height, "notes": notes}
    if data[:6] in (b"GIF87a", b"GIF89a"):
        width, height = int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
        i = 13 + (3 * 2 ** ((data[10] & 7) + 1) if data[10] & 0x80 else 0)
        while i + 1 < len(data) and data[i] == 0x21:      # extensions before the first image
            label, i, text = data[i + 1], i + 2, b""
            while i < len(data) and data[i]:
                text += data[i + 1:i + 1 + data[i]]
                i += 1 + data[i]
            i += 1
            if label == 0xFE:
                for part in text.decode("latin-1").split(";"):
                    key, _, value = part.partition("=")
                    notes[key] = value
        return {"width": width, "height": height, "notes": notes}
    return {}


def _img(data: bytes, mime: str, alt: str) -> str:
    """An <img> at its size in CSS px (see :data:`CSS_PX_PER_INCH`), with the text notes as data- attributes,
    in a button that enlarges it."""
    info = picture_info(data)
    attrs = ""
    if info:
        notes = info["notes"]
        try:
            scale = CSS_PX_PER_INCH / float(notes["descentlab.dpi"])
        except (KeyError, ValueError, ZeroDivisionError):
            scale = 1.0
        attrs = f' width="{round(info["width"] * scale)}" height="{round(info["height"] * scale)}"'
        for key, name in (("descentlab.dpi", "dpi"), ("descentlab.min_text_px", "min-text-px"),
                          ("descentlab.min_script_px", "min-script-px")):
            if key in notes:
                attrs += f' data-{name}="{_esc(notes[key])}"'
    return (f'<button type="button" class="zoom" aria-label="Enlarge: {alt}">'
            f'<img alt="{alt}" src="{data_uri(data, mime)}"{attrs}></button>')


@dataclass
class Figure:
    """An image (PNG or GIF bytes) with a caption and an explanation beside it (or below, when it is wide).

    Each image is shown at its size in inches × :data:`CSS_PX_PER_INCH` (never wider than
    the page) and enlarges when clicked; a figure wider than about half the page gets a
    row of its own with the caption below it.
    """

    key: str
    data: bytes | Sequence[bytes]
    caption: str
    explanation: str = ""
    mime: str = "image/png"

    def html(self) -> str:
        alt = _esc(self.caption)
        images = [self.data] if isinstance(self.data, (bytes, bytearray)) else list(self.data)
        imgs = "".join(_img(d, self.mime, alt) for d in images)
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
figure.fig { display: flex; flex-wrap: wrap; gap: 14px 22px; align-items: flex-start; margin: 14px 0; padding: 12px;
             background: #fff; border: 1px solid var(--line); border-radius: 6px; }
figure.fig .img { flex: 0 1 auto; max-width: 100%; min-width: 0; }
figure.fig .img.row { display: flex; gap: 8px; }
figure.fig img { max-width: 100%; height: auto; display: block; }
figure.fig .img.row button.zoom { flex: 0 1 auto; min-width: 0; }
button.zoom { display: block; padding: 0; border: 0; margin: 0; background: none; cursor: zoom-in; max-width: 100%; }
button.zoom:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
figcaption { flex: 1 1 300px; max-width: 52em; font-size: 14px; color: var(--ink); }
figcaption strong { display: block; margin-bottom: 6px; }
dialog.lightbox { border: 0; padding: 0; background: transparent; max-width: 100vw; max-height: 100vh; overflow: visible;
                  cursor: zoom-out; }
dialog.lightbox::backdrop { background: rgba(10, 14, 24, 0.85); }
dialog.lightbox img { display: block; background: #fff; max-width: 96vw; max-height: 88vh; width: auto; height: auto; }
dialog.lightbox p { margin: 6px 0 0; color: #fff; font-size: 14px; text-align: center; }
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
      line-height: 1.35; white-space: pre-wrap; overflow-wrap: anywhere; }
details summary { cursor: pointer; color: var(--accent); margin: 6px 0; }
ul.checks { list-style: none; padding-left: 0; font-size: 14px; margin: 8px 0; }
ul.checks li.ok { color: var(--ok); }
ul.checks li.bad { color: var(--bad); font-weight: 600; }
.note { border-left: 4px solid var(--accent); background: #eef3fb; padding: 6px 12px; margin: 12px 0; font-size: 14px; }
.note.missing { border-color: var(--bad); background: #fdecea; }
.note.warn { border-color: #c98a00; background: #fff6e0; }
code { background: #eef1f6; padding: 0 3px; border-radius: 3px; font-size: 90%; }
footer { color: var(--muted); font-size: 13px; padding: 20px 40px; }
@media (max-width: 900px) { main, header, nav, footer { padding-left: 16px; padding-right: 16px; } }
"""

# click (or Enter / Space on the focused figure) shows it large in a modal <dialog>; Esc,
# a click or the button closes it and the focus goes back to the figure. No network.
_LIGHTBOX = """<dialog class="lightbox" id="lightbox" aria-label="Enlarged figure"><img alt="">
<p>Esc or click to close</p></dialog>
<script>
(function () {
  var box = document.getElementById("lightbox"), big = box.querySelector("img");
  if (!box.showModal) { return; }
  function fit() {
    var w = big.naturalWidth, h = big.naturalHeight;
    if (!w || !h) { return; }
    var s = Math.min(0.96 * window.innerWidth / w, 0.88 * window.innerHeight / h);
    big.style.width = Math.round(w * s) + "px";
    big.style.height = Math.round(h * s) + "px";
  }
  document.addEventListener("click", function (e) {
    var b = e.target.closest ? e.target.closest("button.zoom") : null;
    if (!b) { return; }
    var small = b.querySelector("img");
    big.style.width = big.style.height = "";
    big.onload = fit;
    big.src = small.src;
    big.alt = small.alt;
    box.showModal();
    fit();
  });
  box.addEventListener("click", function () { box.close(); });
  box.addEventListener("close", function () { big.removeAttribute("src"); });
  window.addEventListener("resize", function () { if (box.open) { fit(); } });
})();
</script>"""


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
            f"<footer>{_para(report.footer)}</footer>{_LIGHTBOX}</body></html>\n")
