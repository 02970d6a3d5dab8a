"""The playground: one self-contained, offline HTML page to move the sliders and watch.

``write_playground(path)`` assembles the page from the hand-written sources in the
``playground/`` folder beside this module (``page.html``, ``page.css``, ``rules.js``,
``surfaces.js``, ``views.js``, ``ui.js``), inlined into one file with descentlab's own
numbers as JSON: every preset's defaults and forms (the conventions table), each
surface's window, start, minima and parameters, the 2-2-1 back-propagation account
with the slides' figures, and the step-size regimes of f(x) = x². Nothing is fetched:
the page works from ``file://``.

The page's ``window.descentlab.run({surface, optimizer, preset, hyper, start, steps,
tol, schedule})`` computes what :func:`descentlab.train.minimize` computes (the tests
drive it in a real browser and compare the two).
"""
from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

from .._io import atomic_write_text
from ..errors import ConfigError, expected

__all__ = ["page_data", "build_page", "write_playground", "PlaygroundBlock", "SOURCES", "PLAYGROUND_OPTIMIZERS",
           "PLAYGROUND_SURFACES", "PAGE_NAME"]

#: the page's file name beside the tour's index.html
PAGE_NAME = "playground.html"

#: the page's sources, in the order they are inlined
SOURCES = ("rules.js", "surfaces.js", "views.js", "ui.js")

#: optimizers the page's rules know; the page offers those the registry has
PLAYGROUND_OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "amsgrad", "adamw", "nadam",
                         "adamax", "radam", "lion", "adadelta", "rprop", "newton", "lamb")

#: surfaces the page knows (x2 is 1-D: run() takes it, the x² view draws it)
PLAYGROUND_SURFACES = ("x2", "quadratic", "saddle", "valley", "rosenbrock", "beale", "himmelblau", "booth",
                       "rastrigin", "linreg")


def _source(name: str) -> str:
    return resources.files("descentlab.report").joinpath("playground", name).read_text(encoding="utf-8")


def _surface_data(name: str) -> dict[str, Any]:
    from ..functions import get_surface

    s = get_surface(name)
    params = {k: v for k, v in (s.params or {}).items() if isinstance(v, (int, float, list))}
    return {"name": s.name, "dim": s.dim, "window": [list(map(float, w)) for w in s.window],
            "start": s.start.tolist(), "minima": [m.tolist() for m in s.minima], "formula": s.formula,
            "params": params}


def _backprop_data() -> dict[str, Any]:
    from ..lecture.backprop import LR, SLIDE, TARGET, W_HIDDEN, W_OUT, X, run_221

    acc = run_221()
    return {"inputs": dict(X), "weights": {**W_HIDDEN, **W_OUT}, "target": TARGET, "lr": LR,
            "slide_printed": dict(SLIDE), "account": acc.data}


def _x2_data() -> dict[str, Any]:
    from ..lecture.gd_x2 import EPS, LRS, X0
    from ..train.lr_analysis import step_size_regimes

    regimes = step_size_regimes([[2.0]])
    return {"x0": X0, "eps": EPS, "lrs": list(LRS), "regimes": {k: float(v) for k, v in regimes.items()}}


def page_data() -> dict[str, Any]:
    """Everything the page knows from descentlab, as JSON-ready data."""
    from .. import __version__
    from ..optim.conventions import DEFAULT_PRESET, conventions_table
    from ..optim.sgd import SGD

    table = conventions_table()
    presets = {p: {o: h for o, h in t.items() if o in PLAYGROUND_OPTIMIZERS} for p, t in table["presets"].items()}
    offered = [o for o in PLAYGROUND_OPTIMIZERS if any(o in t for t in presets.values())]
    return {
        "version": __version__,
        "default_preset": DEFAULT_PRESET,
        "presets": presets,
        "preset_sources": table["sources"],
        "optimizers": offered,
        # presets whose framework runs nesterov=True with momentum 0 as plain gradient descent
        "nesterov_without_momentum": list(getattr(SGD, "NESTEROV_WITHOUT_MOMENTUM", ())),
        "surfaces": {name: _surface_data(name) for name in PLAYGROUND_SURFACES},
        "backprop": _backprop_data(),
        "x2": _x2_data(),
    }


def _inline_json(data: Any) -> str:
    # inside <script type="application/json">: '</' would end the element, so escape it
    return json.dumps(data, ensure_ascii=False, allow_nan=False).replace("</", "<\\/")


def build_page(data: dict[str, Any] | None = None) -> str:
    """The page as one HTML string: the sources inlined, ``data`` (default :func:`page_data`) embedded."""
    html = _source("page.html")
    scripts = "\n".join(f"<script>\n/* {name} */\n{_source(name)}\n</script>" for name in SOURCES)
    for mark, text in (("<!--@STYLE@-->", f"<style>\n{_source('page.css')}\n</style>"),
                       ("<!--@DATA@-->", f'<script type="application/json" id="dl-data">{_inline_json(data or page_data())}</script>'),
                       ("<!--@SCRIPTS@-->", scripts)):
        if mark not in html:  # pragma: no cover - the template is ours
            raise RuntimeError(f"page.html lacks the {mark} mark")
        html = html.replace(mark, text, 1)
    return html


def write_playground(path: str | os.PathLike = "playground.html") -> Path:
    """Write the playground page to ``path`` (atomically) and return the path."""
    out = Path(path)
    if out.suffix.lower() not in (".html", ".htm"):
        raise ConfigError(expected("an .html file for the playground", str(out), "pass e.g. -o playground.html"))
    if out.is_dir():
        raise ConfigError(expected("a file path for the playground", f"{out} (a folder)",
                                   f"pass a file inside it, e.g. -o {out / 'playground.html'}"))
    return atomic_write_text(out, build_page())


class PlaygroundBlock:
    """The tour report's interactive part: a link to the playground page written beside
    ``index.html``, and the page itself in a frame (it works from ``file://`` too)."""

    def __init__(self, fragment: str = "#view=surfaces") -> None:
        self.fragment = fragment

    def html(self) -> str:
        src = PAGE_NAME + self.fragment
        return (f'<div class="text"><p>Open <a href="{src}">{PAGE_NAME}</a> (beside this report, offline) to move '
                'the sliders: every optimizer on the surfaces, the quadratic\'s (lr, momentum) plane, the step sizes '
                'on x² and back-propagation step by step, computed as <code>descentlab minimize</code> computes them. '
                'It is also here:</p></div>'
                f'<iframe src="{src}" title="the descentlab playground" loading="lazy" '
                'style="width:100%;height:1100px;border:1px solid #ccc"></iframe>')
