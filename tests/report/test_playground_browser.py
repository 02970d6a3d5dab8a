"""The playground page in a real browser (headless Chromium, Debian's package, driven
by Playwright): its numbers against descentlab's Python, and the page as a user meets it.

The browser tests skip only off CI when Chromium or Playwright is missing; under CI
(``CI`` set, as ``.ci/run`` does) a missing browser is a failure with the fix.
"""
from __future__ import annotations

import io
import math

import numpy as np
import pytest

from descentlab.optim.schedules import parse_schedule
from descentlab.report.playground import PLAYGROUND_SURFACES, page_data, write_playground
from descentlab.train.minimize import minimize


@pytest.fixture(scope="module")
def page_file(tmp_path_factory):
    return write_playground(tmp_path_factory.mktemp("playground") / "playground.html")


class Opened:
    """A page with its console errors and every request it made."""

    def __init__(self, browser, url, width=1400):
        self.errors, self.requests = [], []
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(url)
        for _ in range(100):  # polled here: the page's policy forbids the eval wait_for_function polls with
            if self.page.evaluate("window.descentlab !== undefined"):
                break
            self.page.wait_for_timeout(50)

    def close(self):
        self.page.close()


@pytest.fixture
def opened(browser, page_file):
    pages = []

    def open_(fragment="", width=1400):
        o = Opened(browser, page_file.as_uri() + fragment, width)
        pages.append(o)
        return o

    yield open_
    for o in pages:
        o.close()


@pytest.fixture(scope="module")
def shared(browser, page_file):
    o = Opened(browser, page_file.as_uri())
    yield o
    o.close()


# ---------------------------------------------------------------------------------------
# The numbers: the page's run() against descentlab.train.minimize

# a step size where each surface's runs are not chaotic (a chaotic run amplifies the
# last-bit differences that pow/exp/cos may have, and then nothing can agree to 1e-9)
_LR = {"x2": 0.1, "quadratic": 0.01, "saddle": 0.05, "valley": 0.1, "rosenbrock": 1e-3, "beale": 0.01,
       "himmelblau": 0.005, "booth": 0.02, "rastrigin": 1e-3, "linreg": 0.1}
_SCHEDULES = (None, "step:every=10,gamma=0.5", "exp:k=0.01", "inv:k=0.1")


def matrix() -> list[dict]:
    """Every optimizer x preset x surface the page knows, sampled to about 130 runs, with
    schedules and step sizes varied so each appears with several."""
    data = page_data()
    every = [(p, o, s) for p, table in data["presets"].items() for o in table for s in PLAYGROUND_SURFACES]
    picked = every[::3]
    out = []
    for i, (p, o, s) in enumerate(picked):
        # Rprop's lr is only its first step size: Python and the page refuse a schedule for it
        out.append({"surface": s, "optimizer": o, "preset": p, "hyper": {"lr": _LR[s] * (0.5, 1.0, 2.0)[i % 3]},
                    "start": None, "steps": 100, "tol": 0,
                    "schedule": None if o == "rprop" else _SCHEDULES[(i // 3) % 4]})
    # the stops: converged at a tolerance, diverged past the bound, the NaN stop
    out += [
        {"surface": "booth", "optimizer": "sgd", "preset": "pytorch", "hyper": {"lr": 0.05}, "start": None,
         "steps": 500, "tol": 1e-6, "schedule": None},
        {"surface": "x2", "optimizer": "sgd", "preset": "lecture", "hyper": {"lr": 1.05}, "start": [3.0],
         "steps": 1000, "tol": 1e-3, "schedule": None},
        {"surface": "rosenbrock", "optimizer": "nesterov", "preset": "pytorch", "hyper": {"lr": 0.002}, "start": None,
         "steps": 100, "tol": 1e-8, "schedule": None},
        {"surface": "himmelblau", "optimizer": "adam", "preset": "keras", "hyper": {"lr": 0.1}, "start": [1.0, 1.0],
         "steps": 400, "tol": 1e-4, "schedule": "inv:k=0.01"},
        {"surface": "quadratic", "optimizer": "momentum", "preset": "keras", "hyper": {"lr": 0.5}, "start": [1.0, 2.0],
         "steps": 200, "tol": 1e-8, "schedule": None},
    ]
    return out


def python_run(c: dict):
    import warnings

    from descentlab.optim.newton import NewtonFallbackWarning

    hyper = dict(c["hyper"])
    if c["schedule"]:
        hyper["lr"] = parse_schedule(c["schedule"], lr=hyper["lr"])
    with warnings.catch_warnings():  # Newton's fallback warns in Python; the page says it in the record's note
        warnings.simplefilter("ignore", NewtonFallbackWarning)
        return minimize(c["surface"], c["start"], c["optimizer"], preset=c["preset"], steps=c["steps"],
                        tol=c["tol"] if c["tol"] else None, record=bool(c.get("record")), **hyper)


def rel_error(js: dict, tr) -> float:
    """Largest |js - py| / max(|py|, 1) over x, f and the gradient norm of every step."""
    worst = 0.0
    for key, ref in (("x", tr.x), ("f", tr.f), ("grad_norm", tr.grad_norm)):
        got = np.array(js[key], dtype=float).reshape(ref.shape)
        with np.errstate(invalid="ignore"):
            both_inf = np.isinf(got) & np.isinf(ref) & (np.sign(got) == np.sign(ref))
            err = np.where(both_inf, 0.0, np.abs(got - ref) / np.maximum(np.abs(ref), 1.0))
        worst = max(worst, float(np.nanmax(err)) if not np.isnan(err).all() else 0.0)
        if np.any(np.isnan(got) != np.isnan(ref)):
            worst = math.inf
    return worst


def run_in_page(shared, configs):
    return shared.page.evaluate("cfgs => window.descentlab.runMany(cfgs)", configs)


def test_matrix_covers_every_optimizer_preset_and_surface():
    cfgs = matrix()
    data = page_data()
    assert len(cfgs) >= 100
    assert {c["surface"] for c in cfgs} == set(PLAYGROUND_SURFACES)
    assert {c["preset"] for c in cfgs} == set(data["presets"])
    assert {c["optimizer"] for c in cfgs} == set(data["optimizers"])
    assert set(_SCHEDULES) <= {c["schedule"] for c in cfgs}


@pytest.mark.slow
def test_page_runs_what_python_minimize_runs(shared):
    cfgs = matrix()
    results = run_in_page(shared, cfgs)  # one page.evaluate for the whole matrix
    worst, where = 0.0, None
    for c, js in zip(cfgs, results):
        assert "error" not in js, (c, js.get("error"))
        tr = python_run(c)
        assert len(js["x"]) == len(tr.x), (c, js["stop"], tr.stop)
        assert (js["stop"]["kind"], js["stop"]["step"]) == (tr.stop.kind, tr.stop.step), c
        err = rel_error(js, tr)
        if err > worst:
            worst, where = err, c
    print(f"largest relative difference over {len(cfgs)} runs: {worst:.3g} ({where})")
    assert worst <= 1e-9, (worst, where)
    assert not shared.errors


def test_page_stops_as_python_does(shared):
    cfgs = matrix()[-5:]
    results = run_in_page(shared, cfgs)
    kinds = [r["stop"]["kind"] for r in results]
    assert kinds == ["converged", "diverged", "diverged", "converged", "diverged"]
    for c, js in zip(cfgs, results):
        tr = python_run(c)
        assert js["stop"]["message"] == tr.stop.message, c


@pytest.mark.parametrize("config, wrong", [
    # each: a run, and the same run with one convention switched in the page only
    ({"surface": "rosenbrock", "optimizer": "adagrad", "preset": "keras"}, {"eps_placement": "outside"}),
    ({"surface": "booth", "optimizer": "adam", "preset": "keras"}, {"eps_placement": "outside"}),
    ({"surface": "beale", "optimizer": "nesterov", "preset": "lecture"}, {"nesterov_form": "transformed"}),
    ({"surface": "valley", "optimizer": "momentum", "preset": "pytorch", "schedule": "exp:k=0.05"},
     {"momentum_form": "lr_inside"}),
    ({"surface": "himmelblau", "optimizer": "amsgrad", "preset": "optax"}, {"amsgrad_form": "max_raw"}),
    ({"surface": "rosenbrock", "optimizer": "nadam", "preset": "keras"}, {"nadam_schedule": "pytorch"}),
    ({"surface": "quadratic", "optimizer": "rmsprop", "preset": "lecture"}, {"eps_placement": "outside"}),
    pytest.param({"surface": "booth", "optimizer": "adamax", "preset": "keras"}, {"adamax_eps": "in_max"},
                 marks=pytest.mark.skipif("adamax" not in page_data()["optimizers"], reason="no Adamax in this build")),
    pytest.param({"surface": "beale", "optimizer": "radam", "preset": "pytorch"}, {"eps_placement": "outside"},
                 marks=pytest.mark.skipif("radam" not in page_data()["optimizers"], reason="no RAdam in this build")),
])
def test_a_wrong_convention_moves_the_error_past_1e_6(shared, config, wrong):
    lr = {"rosenbrock": 2e-3, "booth": 0.05, "beale": 0.01, "valley": 0.1, "himmelblau": 0.05, "quadratic": 0.05}[config["surface"]]
    # 60 steps: RMSProp hovering round a minimum is chaotic later on, and amplifies rounding
    base = {"hyper": {"lr": lr}, "start": None, "steps": 60, "tol": 0, "schedule": None, **config}
    if "eps_placement" in wrong:
        base["hyper"]["eps"] = 1e-2  # large enough for the placement to show within the run
    if "adamax_eps" in wrong:
        base["hyper"]["eps"] = 1.0  # the two forms part once the decayed maximum, not |g|, is the larger
    bad = {**base, "hyper": {**base["hyper"], **wrong}}
    right_js, wrong_js = run_in_page(shared, [base, bad])
    tr = python_run(base)
    assert rel_error(right_js, tr) <= 1e-9
    assert rel_error(wrong_js, tr) >= 1e-6


def test_backprop_numbers_equal_the_lecture_json(opened):
    from descentlab.lecture.backprop import run_221

    ref = run_221().data
    o = opened("#view=backprop&stage=3")
    got = o.page.evaluate("window.descentlab.backprop()")
    for part in ("forward", "factors", "gradients", "new_weights", "after"):
        for k, v in ref[part].items():
            assert got[part][k] == pytest.approx(v, rel=1e-14, abs=0), (part, k)
    # the numbers shown on the page: every data-q cell of the step table and of the slide comparison
    shown = o.page.evaluate("""() => Array.from(document.querySelectorAll('#bp-table td[data-q]'))
                                .map(td => [td.dataset.q, td.textContent])""")
    flat = {**ref["forward"], **ref["factors"], **ref["gradients"], **{f"{k}_new": v for k, v in ref["new_weights"].items()},
            "E_new": ref["after"]["E"], "x1": ref["inputs"]["x1"], "x2": ref["inputs"]["x2"],
            "E_decrease": ref["forward"]["E"] - ref["after"]["E"]}
    assert len(shown) == 30
    for q, text in shown:
        assert float(text) == pytest.approx(flat[q], rel=1e-13, abs=1e-17), q
    slide = o.page.evaluate("""() => Array.from(document.querySelectorAll('#bp-slide tbody tr'))
                                .map(tr => Array.from(tr.children).map(td => td.textContent))""")
    assert [r[0] for r in slide] == [c["quantity"] for c in ref["slide"]]
    for row, c in zip(slide, ref["slide"]):
        assert row[1] == c["slide"] and row[3] == c["status"] and row[4] == c["explanation"]
        assert float(row[2]) == pytest.approx(c["value"], rel=1e-14)
    assert "wrong" in [r[3] for r in slide]
    assert not o.errors


def test_backprop_inputs_are_editable(opened):
    from descentlab.lecture.backprop import gradients_221

    o = opened("#view=backprop&stage=3")
    o.page.fill("#bp-w53", "0.5")
    o.page.fill("#bp-lr", "0.25")
    cell = o.page.text_content("#bp-table td[data-q='dE_dw31']")
    w = {"w31": 0.1, "w32": 0.8, "w41": 0.4, "w42": 0.6, "w53": 0.5, "w54": 0.9}
    assert float(cell) == pytest.approx(gradients_221(w)["dE_dw31"], rel=1e-13)
    new = float(o.page.text_content("#bp-table td[data-q='w31_new']"))
    assert new == pytest.approx(0.1 - 0.25 * gradients_221(w)["dE_dw31"], rel=1e-13)
    assert "—" in o.page.text_content("#bp-slide")  # no verdicts for numbers that are not the slide's


def test_quadratic_view_rates_equal_lr_analysis(opened):
    from descentlab.train.lr_analysis import heavy_ball_rate

    o = opened("#view=quadratic&l1=1&l2=10&qlr=0.1&qmu=0.5")
    pred = float(o.page.text_content("#quad-readout dd[data-q='predicted ρ']"))
    assert pred == pytest.approx(heavy_ball_rate(np.diag([1.0, 10.0]), 0.1, 0.5), rel=1e-5)
    # dragging the point moves the setting, and the readout follows
    box = o.page.locator("#plane-canvas").bounding_box()
    o.page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.2)
    o.page.mouse.down()
    o.page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.5)
    o.page.mouse.up()
    st = o.page.evaluate("window.descentlab.state().quad")
    assert st["qlr"] != 0.1 and st["qmu"] != 0.5
    pred2 = float(o.page.text_content("#quad-readout dd[data-q='predicted ρ']"))
    assert pred2 == pytest.approx(heavy_ball_rate(np.diag([1.0, 10.0]), st["qlr"], st["qmu"]), rel=1e-5)
    assert not o.errors


def test_x2_view_rates_and_stops_equal_python(opened):
    from descentlab.lecture.gd_x2 import steps_to_stop
    from descentlab.train.lr_analysis import measured_rate

    o = opened("#view=x2&xlr=0.3&xx0=3&xeps=0.001")
    rows = o.page.evaluate("""() => Array.from(document.querySelectorAll('#x2-table tbody tr'))
                               .map(tr => Array.from(tr.children).map(td => td.textContent))""")
    assert [r[0] for r in rows][:4] == ["too small", "good", "too large", "divergent"]
    assert rows[4][0] == "chosen: good"
    for r in rows:
        lr = float(r[1])
        tr = minimize("x2", [3.0], "sgd", preset="lecture", lr=lr, steps=1000, tol=1e-3)
        assert float(r[2]) == pytest.approx(abs(1 - 2 * lr), rel=1e-5)
        assert float(r[3]) == pytest.approx(measured_rate(tr.x), rel=1e-5, abs=1e-12)
        t_star = steps_to_stop(3.0, lr, 1e-3)
        assert r[4] == ("never" if t_star is None else str(t_star))
        assert r[5] == f"{tr.stop.kind} at {tr.stop.step}"


# ---------------------------------------------------------------------------------------
# The page as a user meets it


def _canvas_png(page, selector) -> bytes:
    return page.locator(selector).screenshot()


def test_moving_a_slider_changes_the_path_and_the_numbers(opened):
    o = opened("#view=surfaces&surface=booth&opts=sgd,adam&lr=0.01&t=20")
    p = o.page
    before_runs = p.evaluate("window.descentlab.runs()")
    before_png = _canvas_png(p, "#surface-canvas")
    before_x = p.text_content("#state-table tbody tr:first-child td[data-q='x']")
    p.focus("#sl-lr")
    for _ in range(5):
        p.keyboard.press("ArrowRight")
    p.wait_for_timeout(100)
    after_runs = p.evaluate("window.descentlab.runs()")
    assert p.evaluate("window.descentlab.state().lr") > 0.01
    assert after_runs[0]["x"] != before_runs[0]["x"]
    assert _canvas_png(p, "#surface-canvas") != before_png
    assert p.text_content("#state-table tbody tr:first-child td[data-q='x']") != before_x
    # the drawn path is the page's run() of the new setting
    st = p.evaluate("window.descentlab.state()")
    js = p.evaluate("s => window.descentlab.run({surface: 'booth', optimizer: 'sgd', preset: s.preset, hyper: {lr: s.lr},"
                    " steps: s.steps, tol: s.tol})", st)
    assert js["x"] == after_runs[0]["x"]
    assert not o.errors


def test_clicking_the_map_sets_the_start(opened):
    o = opened("#view=surfaces&surface=himmelblau&opts=sgd")
    box = o.page.locator("#surface-canvas").bounding_box()
    o.page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.75)
    o.page.wait_for_timeout(50)
    start = o.page.evaluate("window.descentlab.state().start")
    # himmelblau's window is [-5, 5]²: a quarter across, three quarters down is (-2.5, -2.5)
    assert start == pytest.approx([-2.5, -2.5], abs=0.05)
    assert o.page.evaluate("window.descentlab.runs()[0].x[0]") == start
    assert not o.errors


def test_the_url_fragment_round_trips(opened, page_file):
    o = opened("#view=surfaces")
    p = o.page
    p.select_option("#surface", "beale")
    p.select_option("#preset", "keras")
    p.select_option("#eps_placement", "inside")
    p.select_option("#schedule", "exp")
    p.uncheck("#opt-sgd")
    p.check("#opt-nadam")
    p.focus("#sl-mu")
    p.keyboard.press("ArrowLeft")
    box = p.locator("#surface-canvas").bounding_box()
    p.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.4)
    p.fill("#scrub", "7")
    p.dispatch_event("#scrub", "input")
    p.wait_for_timeout(300)  # the fragment is written shortly after the last change
    state = p.evaluate("window.descentlab.state()")
    frag = p.evaluate("location.hash")
    assert "surface=beale" in frag and "preset=keras" in frag
    again = opened(frag)
    assert again.page.evaluate("window.descentlab.state()") == state
    assert again.page.evaluate("window.descentlab.runs()") == p.evaluate("window.descentlab.runs()")
    # the other views keep theirs too
    q = opened("#view=quadratic&l1=0.5&l2=20&qlr=0.05&qmu=0.7")
    assert q.page.evaluate("window.descentlab.state().quad") == {"l1": 0.5, "l2": 20, "qlr": 0.05, "qmu": 0.7, "qsteps": 100}
    assert q.page.is_visible("#plane-canvas") and not q.page.is_visible("#surface-canvas")


def test_keyboard_control(opened):
    o = opened("#view=surfaces&surface=booth&opts=sgd&steps=100")
    p = o.page
    p.focus("#sl-steps")
    p.keyboard.press("ArrowRight")
    assert p.evaluate("window.descentlab.state().steps") == 101
    p.focus("#sl-b1")
    p.keyboard.press("ArrowDown")
    assert p.evaluate("window.descentlab.state().b1") == pytest.approx(0.899)
    start = p.evaluate("window.descentlab.state().start")
    p.focus("#surface-canvas")
    p.keyboard.press("ArrowUp")
    moved = p.evaluate("window.descentlab.state().start")
    assert start is None and moved != [-6.0, -4.0] and moved[0] == -6.0
    p.focus("#tab-surfaces")
    p.keyboard.press("ArrowRight")
    assert p.evaluate("window.descentlab.state().view") == "quadratic"
    p.focus("#plane-canvas")
    lr = p.evaluate("window.descentlab.state().quad.qlr")
    p.keyboard.press("ArrowRight")
    assert p.evaluate("window.descentlab.state().quad.qlr") > lr
    assert not o.errors


def test_no_console_errors_and_no_network(opened):
    o = opened()
    for view in ("quadratic", "x2", "backprop", "surfaces"):
        o.page.click(f"#tab-{view}")
    o.page.wait_for_timeout(100)
    assert not o.errors
    assert o.requests and all(u.startswith("file://") for u in o.requests), o.requests


@pytest.mark.parametrize("width", [1400, 800])
def test_screenshots_show_drawn_canvases(opened, width, tmp_path):
    from PIL import Image

    o = opened("#view=surfaces", width=width)
    shot = tmp_path / f"playground-{width}.png"
    o.page.screenshot(path=str(shot), full_page=True)
    assert Image.open(shot).size[0] == width
    for view, sel in (("surfaces", "#surface-canvas"), ("surfaces", "#curves-canvas"), ("quadratic", "#plane-canvas"),
                      ("quadratic", "#eigen-canvas"), ("x2", "#x2-runs")):
        o.page.click(f"#tab-{view}")
        img = Image.open(io.BytesIO(_canvas_png(o.page, sel))).convert("RGB")
        assert img.size[0] <= width
        colors = img.getcolors(maxcolors=1 << 20)
        assert colors is not None and len(colors) > 20, (view, sel)  # drawn, not blank
    # nothing wider than the window: no sideways scrolling at 800 px
    assert o.page.evaluate("document.documentElement.scrollWidth") <= width
    assert not o.errors


def test_bench_hook_reports_its_figures(opened):
    # bench/playground.py reads these; the figures themselves are measured there, not judged here
    o = opened("#view=surfaces")
    res = o.page.evaluate("window.descentlab.bench(3)")
    assert {"recompute_ms_median", "recompute_ms_mean", "recompute_and_draw_ms_median"} <= set(res)
    assert res["optimizers"] == 6 and res["steps"] == 500 and res["repeats"] == 3
    assert o.page.evaluate("window.descentlab.state().steps") == 300  # the view is left as it was
    assert not o.errors


def test_the_tour_report_shows_the_playground_in_place(browser, tmp_path):
    from descentlab.report import run_tour

    index = run_tour(tmp_path / "rep", quick=True, only=["playground"])
    o = Opened.__new__(Opened)
    o.errors, o.requests = [], []
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.on("console", lambda m: o.errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: o.requests.append(r.url))
    page.goto(index.as_uri())
    page.locator("iframe").scroll_into_view_if_needed()
    frame = page.frame_locator("iframe")
    frame.locator("#surface-canvas").wait_for()
    assert frame.locator("#state-table tbody tr").count() == 6
    assert not o.errors
    assert all(u.startswith("file://") for u in o.requests), o.requests
    page.close()


def test_run_equals_the_minimize_command_line(shared):
    # the contract in its own words: descentlab minimize ... --json, and the page's run()
    import json
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "descentlab", "minimize", "rosenbrock", "--optimizer", "adam", "--preset", "keras",
           "--lr", "0.01", "--start=-1.5,2", "--steps", "100", "--tol", "1e-8", "--schedule", "exp:k=0.01", "--json"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    py = json.loads(res.stdout)
    js = shared.page.evaluate("""() => window.descentlab.run({surface: 'rosenbrock', optimizer: 'adam', preset: 'keras',
        hyper: {lr: 0.01}, start: [-1.5, 2], steps: 100, tol: 1e-8, schedule: 'exp:k=0.01'})""")
    assert (js["stop"]["kind"], js["stop"]["step"], js["stop"]["message"]) == \
        (py["stop"]["kind"], py["stop"]["step"], py["stop"]["message"])
    ref = np.array(py["x"])
    assert np.max(np.abs(np.array(js["x"]) - ref) / np.maximum(np.abs(ref), 1.0)) <= 1e-9
    assert js["lr"] == pytest.approx(py["lr"], rel=1e-15)


def test_play_walks_the_scrubber(opened):
    o = opened("#view=surfaces&surface=booth&opts=sgd&lr=0.05&steps=100")
    o.page.click("#play")
    # polled from here: the page's policy forbids the eval that wait_for_function's polling uses
    for _ in range(200):
        if "play" in o.page.text_content("#play"):
            break
        o.page.wait_for_timeout(50)
    assert o.page.evaluate("window.descentlab.state().t") >= 1
    assert o.page.text_content("#scrub-out") == str(o.page.evaluate("window.descentlab.state().t"))
    assert not o.errors


def test_nesterov_without_momentum_is_refused_or_run_as_python_does(shared):
    from descentlab.errors import ConfigError

    for preset in ("pytorch", "keras", "optax", "lecture"):
        cfg = {"surface": "booth", "optimizer": "nesterov", "preset": preset, "hyper": {"lr": 0.02, "momentum": 0.0},
               "start": None, "steps": 20, "tol": 0, "schedule": None}
        js = run_in_page(shared, [cfg])[0]
        try:
            tr = python_run(cfg)
        except ConfigError:
            assert "error" in js and "nesterov" in js["error"], preset
            continue
        assert "error" not in js, (preset, js)
        assert rel_error(js, tr) <= 1e-12, preset


@pytest.mark.skipif("rprop" not in page_data()["optimizers"], reason="no Rprop in this build")
def test_rprop_flips_and_bounds_as_python_does(shared):
    # Rosenbrock's valley makes the sign of the gradient flip; bounds tight enough that the
    # step sizes reach both within the run
    from descentlab.errors import ConfigError

    cfgs = [{"surface": s, "optimizer": "rprop", "preset": "pytorch",
             "hyper": {"lr": 0.01, "step_size_min": 1e-3, "step_size_max": 0.02, "eta_minus": 0.3}, "start": None,
             "steps": 150, "tol": 0, "schedule": None, "record": True}
            for s in ("rosenbrock", "rastrigin", "himmelblau")]
    results = run_in_page(shared, cfgs)
    for c, js in zip(cfgs, results):
        assert "error" not in js, js.get("error")
        tr = python_run(c)
        assert rel_error(js, tr) <= 1e-12, c
        sizes = np.array([r["step_size"] for r in js["records"]])
        assert sizes.max() == 0.02 and sizes.min() == 1e-3, c["surface"]  # both bounds reached, as clipped
        g = np.array([r["grad"] for r in js["records"]])
        assert np.sum(g[1:] * g[:-1] < 0) > 0  # the gradient's sign flipped
    # a schedule is refused by both, with the same reason
    bad = {**cfgs[0], "schedule": "exp:k=0.01"}
    js, = run_in_page(shared, [bad])
    assert "initial step size" in js["error"]
    with pytest.raises(ConfigError, match="initial step size"):
        python_run(bad)


# ---------------------------------------------------------------------------------------
# Newton's method: the page's exact Hessians and its fallbacks against optim/newton.py

@pytest.mark.skipif("newton" not in page_data()["optimizers"], reason="no Newton in this build")
def test_page_hessians_equal_the_python_surfaces_hessians(shared):
    # Python's Hessians are checked against central differences in tests/functions
    from descentlab.functions import get_surface

    rng = np.random.default_rng(7)
    worst = {}
    for name in PLAYGROUND_SURFACES:
        s = get_surface(name)
        lo = np.array([w[0] for w in s.window]); hi = np.array([w[1] for w in s.window])
        mid, half = (lo + hi) / 2, (hi - lo) / 2
        pts = mid + 1.5 * half * rng.uniform(-1.0, 1.0, size=(200, s.dim))  # a little past the window too
        pts = np.vstack([pts, np.array(s.start)[None], *(np.array(m)[None] for m in s.minima)])
        got = np.array(shared.page.evaluate("([n, p]) => window.descentlab.hessian(n, p)", [name, pts.tolist()]))
        ref = np.array([s.hess(p) for p in pts])
        assert got.shape == ref.shape == (len(pts), s.dim, s.dim), name
        worst[name] = float(np.max(np.abs(got - ref) / np.maximum(np.abs(ref), 1.0)))
    print("largest relative difference of the Hessians:", worst)
    assert max(worst.values()) <= 1e-12, worst
    # the page's H is not the zero matrix or the gradient by mistake: it varies where Python's does
    assert np.ptp(np.array(shared.page.evaluate("window.descentlab.hessian('rosenbrock', [[0, 1], [1, 1]])"))[:, 0, 0]) > 100


# starts where H is indefinite (a saddle region) so that every fallback runs, and where it is
# positive definite; a step length below 1 and a schedule; the singular case (saddle with
# lambda = 2: H + 2I = diag(4, 0)) where 'regularize' with min_curvature 0 and 'none' fall
# back to least squares
# (from Beale's default start the pure step is thrown to x ~ -900 through nearly singular
# matrices, which amplify last-bit differences to ~1e-8: a start nearer its minimum instead)
_NEWTON_CASES = [
    *({"surface": s, "start": [3.5, 0.7] if s == "beale" else None, "hyper": {"lr": 1.0}, "schedule": None}
      for s in PLAYGROUND_SURFACES),
    *({"surface": s, "start": None, "hyper": {"lr": 0.5}, "schedule": "exp:k=0.05"} for s in PLAYGROUND_SURFACES),
    *({"surface": "rosenbrock", "start": [0.0, 1.0], "hyper": {"lr": 1.0, "fallback": fb}, "schedule": None}
      for fb in ("regularize", "gradient", "none")),
    *({"surface": "himmelblau", "start": [0.1, 2.7], "hyper": {"lr": 0.5, "fallback": fb}, "schedule": None}
      for fb in ("regularize", "gradient", "none")),
    {"surface": "himmelblau", "start": [-0.3, -0.9], "hyper": {"lr": 1.0, "regularization": 1.0}, "schedule": None},
    {"surface": "saddle", "start": [1.0, 0.5], "hyper": {"lr": 1.0, "fallback": "gradient", "fallback_lr": 0.1},
     "schedule": "step:every=5,gamma=0.5"},
    {"surface": "saddle", "start": None, "hyper": {"lr": 0.5, "regularization": 2.0, "min_curvature": 0.0},
     "schedule": None},
    {"surface": "saddle", "start": None, "hyper": {"lr": 0.5, "regularization": 2.0, "fallback": "none"},
     "schedule": None},
    {"surface": "rastrigin", "start": [0.3, -0.2], "hyper": {"lr": 1.0, "min_curvature": 0.5}, "schedule": None},
]


@pytest.mark.skipif("newton" not in page_data()["optimizers"], reason="no Newton in this build")
def test_page_newton_runs_what_python_newton_runs(shared):
    cfgs = [{"optimizer": "newton", "preset": "pytorch", "steps": 20, "tol": 0, "record": True, **c} for c in _NEWTON_CASES]
    results = run_in_page(shared, cfgs)
    worst, taken = 0.0, set()
    for c, js in zip(cfgs, results):
        assert "error" not in js, (c, js.get("error"))
        tr = python_run(c)
        assert (js["stop"]["kind"], js["stop"]["step"]) == (tr.stop.kind, tr.stop.step), c
        err = rel_error(js, tr)
        assert err <= 1e-12, (err, c)
        worst = max(worst, err)
        # the same step, fallback or not, at every update, in Python's words
        assert [r["note"] for r in js["records"]] == [r.note for r in tr.records], c
        py_sizes = np.array([r.step_size["x"] for r in tr.records])
        np.testing.assert_allclose(np.array([r["step_size"] for r in js["records"]]), py_sizes, rtol=1e-14, atol=0)
        taken |= {r.note.split(":")[0] for r in tr.records if r.note}
        if any("(smallest eigenvalue 0)" in (r.note or "") for r in tr.records):
            taken |= {"singular " + r.note.split(":")[0] for r in tr.records if r.note}
    print(f"largest relative difference over {len(cfgs)} Newton runs: {worst:.3g}")
    assert {"regularize", "gradient", "none"} <= taken  # every fallback ran somewhere
    assert {"singular regularize", "singular none"} <= taken  # and both least-squares branches
    plain = results[PLAYGROUND_SURFACES.index("booth")]  # a quadratic: the pure step lands on the minimum
    assert plain["x"][1] == pytest.approx([1.0, 3.0], abs=1e-12)
    # near Himmelblau's saddle (0.087, 2.884): the indefinite step goes to it, the regularized one away
    at = {c["hyper"].get("fallback"): js["x"][-1] for c, js in zip(cfgs, results) if c["start"] == [0.1, 2.7]}
    assert at["none"] == pytest.approx([0.0866775, 2.8842545], abs=1e-6)
    assert at["regularize"] == pytest.approx([3.0, 2.0], abs=1e-2)


@pytest.mark.skipif("newton" not in page_data()["optimizers"], reason="no Newton in this build")
@pytest.mark.parametrize("hyper", [{"fallback": "bogus"}, {"regularization": -1.0}, {"min_curvature": -0.5},
                                   {"fallback_lr": -1e-3}, {"momentum": 0.9}])
def test_page_refuses_what_python_refuses_for_newton(shared, hyper):
    from descentlab.errors import ConfigError

    c = {"surface": "rosenbrock", "optimizer": "newton", "preset": "pytorch", "hyper": {"lr": 1.0, **hyper},
         "start": None, "steps": 5, "tol": 0, "schedule": None}
    js, = run_in_page(shared, [c])
    with pytest.raises(ConfigError) as info:
        python_run(c)
    # the same sentence up to the value (JavaScript writes -1.0 as -1)
    assert js["error"].split(", got ")[0] == str(info.value).split(", got ")[0], (js, str(info.value))
    assert "Fix:" in js["error"]


@pytest.mark.skipif("newton" not in page_data()["optimizers"], reason="no Newton in this build")
def test_newton_in_the_page_says_its_fallback_and_its_refusal(opened):
    o = opened("#view=surfaces&surface=himmelblau&opts=newton,sgd&start=0.5,2.5&nfb=gradient&lr=0.5&t=0")
    line = o.page.locator("#note-line").inner_text()
    assert line.startswith("newton at step 0: gradient: H + 0 I not positive definite"), line
    assert o.page.locator("#newton_fallback").input_value() == "gradient"
    # a start where H is positive definite: the Newton step itself
    o.page.select_option("#newton_fallback", "regularize")
    o.page.evaluate("location.hash = '#view=surfaces&surface=himmelblau&opts=newton&start=3.2,2.1&nfb=regularize&t=0'")
    o.page.wait_for_timeout(300)
    assert "newton at step 0: the Newton step (H + λI positive definite)" in o.page.locator("#note-line").inner_text()
    # a fallback the page does not know (only a hand-edited address can give one): its row says so in a sentence
    bad = opened("#view=surfaces&surface=himmelblau&opts=newton,adam&nfb=bogus")
    row = bad.page.locator("#state-table tr", has_text="newton").inner_text()
    assert "expected fallback one of 'regularize', 'gradient', 'none', got 'bogus'" in row, row
    assert bad.page.evaluate("window.descentlab.runs()")[1]["error"] is None  # adam still runs
    assert not o.errors and not bad.errors


@pytest.mark.skipif("lamb" not in page_data()["optimizers"], reason="no LAMB in this build")
def test_page_lamb_trust_ratio_and_weight_decay_as_python(shared):
    from descentlab.errors import ConfigError

    # from the origin ||x|| = 0 and the ratio is 1 at the first step; weight decay inside the
    # ratio (optax, the paper) and without; both eps placements; a schedule
    cfgs = [{"surface": s, "optimizer": "lamb", "preset": p, "hyper": {"lr": 0.05, **extra}, "start": start,
             "steps": 60, "tol": 0, "schedule": sched, "record": True}
            for s, start in (("booth", [0.0, 0.0]), ("rosenbrock", None), ("himmelblau", [1.0, -1.0]))
            for p, extra, sched in (("optax", {"weight_decay": 0.01}, None), ("pytorch", {}, "inv:k=0.1"),
                                    ("keras", {"eps_placement": "inside", "eps": 1e-2}, None))]
    results = run_in_page(shared, cfgs)
    for c, js in zip(cfgs, results):
        assert "error" not in js, (c, js.get("error"))
        tr = python_run(c)
        assert rel_error(js, tr) <= 1e-12, c
        got = np.array([r["step_size"] for r in js["records"]])
        ref = np.array([np.broadcast_to(r.step_size["x"], (2,)) for r in tr.records])
        np.testing.assert_allclose(got, ref, rtol=1e-12, atol=0)
        # the ratio: the step is lr * ||x_t|| / ||r_t||, one number over the whole vector
        x = np.array(js["x"][:-1]); r = np.array([rec["moments"]["direction"] for rec in js["records"]])
        lr = np.array(js["lr"])
        ratio = np.where(np.linalg.norm(x, axis=1) > 0, np.linalg.norm(x, axis=1) / np.linalg.norm(r, axis=1), 1.0)
        np.testing.assert_allclose(got[:, 0], lr * ratio, rtol=1e-12)
        assert np.all(got[:, 0] == got[:, 1])
    assert results[0]["records"][0]["step_size"] == [0.05, 0.05]  # ||x_0|| = 0: ratio 1
    # Keras decays outside the ratio: both refuse weight decay with that preset, in one sentence
    bad = {**cfgs[0], "preset": "keras"}
    js, = run_in_page(shared, [bad])
    with pytest.raises(ConfigError) as info:
        python_run(bad)
    assert js["error"] == str(info.value)
