"""The tour's report in a real browser (headless Chromium, Debian's package, driven by
Playwright): figure text large enough to read as shown, figures that enlarge on a click,
and nothing wider than the page.

The browser tests skip only off CI when Chromium or Playwright is missing; under CI
(``CI`` set, as ``.ci/run`` does) a missing browser is a failure with the fix.
"""
from __future__ import annotations


import pytest

from descentlab.report.tour import FIGURES, run_tour

#: the smallest text a figure may show, in CSS px, at a 1400 px wide window
MIN_TEXT_CSS_PX = 11.0


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return run_tour(tmp_path_factory.mktemp("report"), seed=0, quick=True)


class Opened:
    """The report at a window width, with its console errors and every request it made."""

    def __init__(self, browser, path, width):
        self.errors, self.requests = [], []
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())
        for _ in range(100):  # every embedded image decoded
            if self.page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"):
                break
            self.page.wait_for_timeout(50)


@pytest.fixture
def opened(browser, report):
    pages = []

    def open_(width=1400):
        o = Opened(browser, report, width)
        pages.append(o)
        return o

    yield open_
    for o in pages:
        assert o.errors == [], o.errors
        assert all(u.startswith(("file:", "data:")) for u in o.requests), o.requests
        o.page.close()


_FIGURE_TEXT = """() => Array.from(document.querySelectorAll('figure.fig img')).map(im => ({
    key: im.closest('figure').dataset.figure, natural: im.naturalWidth, shown: im.clientWidth,
    text: im.dataset.minTextPx === undefined ? null : Number(im.dataset.minTextPx),
    script: im.dataset.minScriptPx === undefined ? null : Number(im.dataset.minScriptPx)}))"""


def test_every_figure_text_is_at_least_11_css_px_at_1400(opened):
    """On screen = the figure's smallest font (px of the picture, recorded when it was drawn) × shown / natural width."""
    rows = opened(1400).page.evaluate(_FIGURE_TEXT)
    assert {r["key"] for r in rows} >= set(FIGURES) - {"playground"}
    lines, small = [], []
    for r in rows:
        assert r["text"] is not None, f"figure {r['key']} does not say how large its text is"
        on_screen = r["text"] * r["shown"] / r["natural"]
        lines.append(f"{r['key']}: {r['text']:.2f} px × {r['shown']}/{r['natural']} = {on_screen:.2f} CSS px")
        if on_screen < MIN_TEXT_CSS_PX:
            small.append(lines[-1])
    assert not small, "text too small to read:\n" + "\n".join(small) + "\nall:\n" + "\n".join(lines)
    # superscripts (10^-3 on a log axis) are drawn at 0.7 of their font: log ticks are larger, so they reach it too
    scripts = [(r["key"], r["script"] * r["shown"] / r["natural"]) for r in rows]
    assert min(s for _, s in scripts) >= MIN_TEXT_CSS_PX, scripts


def test_figures_are_not_shown_larger_than_drawn(opened):
    """No figure is stretched past its pixels (it would blur): shown width <= natural width × CSS px per inch / dpi."""
    rows = opened(1400).page.evaluate("""() => Array.from(document.querySelectorAll('figure.fig img')).map(im => [
        im.closest('figure').dataset.figure, im.clientWidth, im.naturalWidth, Number(im.dataset.dpi)])""")
    for key, shown, natural, dpi in rows:
        assert shown <= round(natural * 100 / dpi) + 1, (key, shown, natural, dpi)


def _box(page):
    return page.evaluate("""() => { const d = document.getElementById('lightbox'), im = d.querySelector('img');
        return {open: d.open, width: im.getBoundingClientRect().width, src: im.getAttribute('src') || '',
                focus: document.activeElement.closest('figure') ? document.activeElement.closest('figure').dataset.figure
                       : document.activeElement.tagName}; }""")


@pytest.mark.parametrize("key", ["race", "lr-finder"])
def test_a_click_enlarges_the_figure_and_esc_closes_it(opened, key):
    page = opened(1400).page
    button = page.locator(f"#fig-{key} button.zoom").first
    small = page.locator(f"#fig-{key} img").first
    shown = small.evaluate("im => im.getBoundingClientRect().width")
    assert not _box(page)["open"]
    button.click()
    big = page.locator("#lightbox img")
    big.wait_for(state="visible")
    box = _box(page)
    assert box["open"] and box["src"] == small.get_attribute("src")
    assert box["width"] > 1.2 * shown, (box["width"], shown)
    assert box["width"] <= 1400
    page.keyboard.press("Escape")
    page.wait_for_timeout(50)
    box = _box(page)
    assert not box["open"] and not big.is_visible()
    assert box["focus"] == key, "the focus goes back to the figure that was enlarged"


def test_the_enlarged_figure_opens_from_the_keyboard_and_closes_on_a_click(opened):
    page = opened(1400).page
    page.locator("#fig-decay-schedules button.zoom").focus()
    page.keyboard.press("Enter")
    page.locator("#lightbox img").wait_for(state="visible")
    assert _box(page)["open"]
    page.mouse.click(20, 20)  # anywhere: on the backdrop
    page.wait_for_timeout(50)
    assert not _box(page)["open"]
    page.keyboard.press(" ")  # the focus is back on the figure's button: Space opens it again
    page.locator("#lightbox img").wait_for(state="visible")
    assert _box(page)["open"]
    page.keyboard.press("Escape")


_OVERFLOW = """() => {
    document.querySelectorAll('details').forEach(d => { d.open = true; });
    const root = document.documentElement, out = [];
    if (root.scrollWidth > root.clientWidth) out.push(`page: ${root.scrollWidth} > ${root.clientWidth}`);
    for (const el of document.querySelectorAll('main *')) {
        if (el.clientWidth === 0) continue;
        if (el.scrollWidth > el.clientWidth + 1)
            out.push(`${el.tagName}.${el.className} in #${el.closest('section').id}: ${el.scrollWidth} > ${el.clientWidth}`);
        const r = el.getBoundingClientRect(), p = el.parentElement.getBoundingClientRect();
        if (r.right > p.right + 1 && getComputedStyle(el).position !== 'absolute')
            out.push(`${el.tagName}.${el.className} in #${el.closest('section').id} sticks out of its container`);
    }
    return out; }"""


@pytest.mark.parametrize("width", [1400, 800])
def test_no_block_is_wider_than_its_container(opened, width):
    """The accounts (preformatted text) wrap; no figure, table or text overflows, at a wide and a narrow window."""
    page = opened(width).page
    assert page.locator("main pre").count() >= 8
    assert page.evaluate(_OVERFLOW) == []
    # the accounts wrap their long lines instead of scrolling
    assert page.evaluate("() => Array.from(document.querySelectorAll('main pre')).every("
                         "p => p.scrollWidth <= p.clientWidth && getComputedStyle(p).whiteSpace === 'pre-wrap')")
