"""The playground page as a file: self-contained, offline, small, and built from the package's sources."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from descentlab.errors import ConfigError
from descentlab.report.playground import SOURCES, build_page, page_data, write_playground


def test_page_is_one_self_contained_file(tmp_path):
    path = write_playground(tmp_path / "playground.html")
    html = path.read_text(encoding="utf-8")
    assert path.stat().st_size <= 1_500_000
    # nothing to fetch: no external script, style, image or font, and a policy that forbids any
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:)?//""", html)
    assert "<script src" not in html and "<link" not in html
    assert "default-src 'none'" in html
    for name in SOURCES:
        assert f"/* {name} */" in html
    for mark in ("<!--@STYLE@-->", "<!--@DATA@-->", "<!--@SCRIPTS@-->"):
        assert mark not in html


def test_embedded_data_is_descentlabs_own():
    from descentlab.optim.conventions import PRESETS

    data = page_data()
    assert data["presets"]["keras"]["adam"]["eps_placement"] == PRESETS["keras"]["adam"]["eps_placement"] == "hat"
    assert data["presets"]["optax"]["sgd"]["lr"] is None  # optax has no default lr
    assert data["surfaces"]["quadratic"]["params"]["A"][0][1] != 0  # the rotated matrix, as Python built it
    assert len(data["surfaces"]["linreg"]["params"]["x"]) == 50
    html = build_page(data)
    blob = re.search(r'<script type="application/json" id="dl-data">(.*?)</script>', html, re.S).group(1)
    assert json.loads(blob.replace("<\\/", "</")) == json.loads(json.dumps(data))


def test_json_cannot_close_its_script_element():
    data = page_data()
    data["version"] = "</script><script>alert(1)</script>"
    html = build_page(data)
    start = html.index('<script type="application/json" id="dl-data">') + len('<script type="application/json" id="dl-data">')
    blob = html[start:html.index("</script>", start)]  # where the browser ends the element
    assert json.loads(blob)["version"] == data["version"]  # JSON reads "<\/" as "</"


def test_write_refuses_a_wrong_path(tmp_path):
    with pytest.raises(ConfigError, match="html"):
        write_playground(tmp_path / "page.txt")
    (tmp_path / "d.html").mkdir()
    with pytest.raises(ConfigError, match="folder"):
        write_playground(tmp_path / "d.html")


def test_cli_writes_the_page(tmp_path):
    out = tmp_path / "sub" / "pg.html"
    res = subprocess.run([sys.executable, "-m", "descentlab", "playground", "-o", str(out), "--json"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    info = json.loads(res.stdout)
    assert info["file"] == str(out) and info["bytes"] == out.stat().st_size > 50_000


def test_the_tour_writes_the_playground_beside_its_report(tmp_path):
    from descentlab.report import run_tour

    index = run_tour(tmp_path / "rep", quick=True, only=["playground"])
    html = index.read_text(encoding="utf-8")
    assert 'data-section="playground"' in html
    assert 'href="playground.html#view=surfaces"' in html and '<iframe src="playground.html' in html
    page = index.parent / "playground.html"
    assert page.read_text(encoding="utf-8") == build_page()
    visible = sorted(p.name for p in index.parent.iterdir() if not p.name.startswith("."))
    assert visible == ["index.html", "playground.html", "results.json"]


def test_every_hyperparameter_the_presets_give_is_one_the_page_reads():
    # rules.js reads these; a new one in the conventions table must be added there too
    known = {"lr", "momentum", "dampening", "nesterov", "weight_decay", "weight_decay_form", "momentum_form",
             "nesterov_form", "lr_decay", "initial_accumulator", "eps", "eps_placement", "beta", "centered",
             "beta1", "beta2", "amsgrad", "amsgrad_form", "nadam_schedule", "momentum_decay", "adamax_eps",
             "eta_minus", "eta_plus", "step_size_min", "step_size_max", "regularization", "fallback",
             "min_curvature", "fallback_lr"}
    given = {k for table in page_data()["presets"].values() for h in table.values() for k in h}
    assert given <= known, f"the page's rules do not read {sorted(given - known)}: add them to rules.js"
