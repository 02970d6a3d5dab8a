"""``descentlab lecture <example>``: text, --json and errors."""
from __future__ import annotations

import json

import pytest

from descentlab.cli.main import main


@pytest.mark.parametrize("argv, needle", [
    (["derivatives"], "f'(x0) = lim"),
    (["gd-x2"], "x_t = 0.8^t · 3"),
    (["newton"], "solve H h = −∇f"),
    (["gd-x2", "--lr", "0.9"], "x_t = (-0.8)^t · 3"),
    (["batch-size"], "twice the printed gradient"),
    (["batch-size", "--lr", "0.05"], "η = 0.05"),
    (["batch-size", "--eta", "0.05"], "η = 0.05"),
    (["decay", "--lr", "0.2"], "α0 = 0.2"),
    (["decay", "--lr0", "0.2"], "α0 = 0.2"),
    (["optimizers", "--steps", "2"], "v_1 = α v_0 − η g_1"),
    (["decay"], "α0·e^(−kt)"),
    (["backprop"], "∂E/∂w53 = (y5 − ya)·y5(1 − y5)·y3"),
    (["backprop", "--network", "2-3-2-1"], "generalised delta rule"),
])
def test_text(capsys, argv, needle):
    assert main(["lecture", *argv]) == 0
    assert needle in capsys.readouterr().out


def test_json(capsys):
    assert main(["lecture", "backprop", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["example"] == "backprop"
    assert d["data"]["forward"]["y5"] == pytest.approx(0.6902834929076443, rel=1e-12)
    assert all(c["passed"] for c in d["checks"])


def test_json_options_reach_the_example(capsys):
    assert main(["lecture", "gd-x2", "--x0", "1", "--lr", "0.25", "--lrs", "0.25", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)["data"]
    assert d["run"]["steps"][1]["x"] == 0.5


@pytest.mark.parametrize("argv, pattern", [
    (["gd-x2", "--eps", "-1"], "expected eps > 0"),
    (["derivatives", "--point", "1,2,3"], "--point x,y"),
    (["decay", "--every", "0"], "--every an integer in [1, "),
])
def test_errors_are_one_sentence(capsys, argv, pattern):
    assert main(["lecture", *argv]) == 2
    err = capsys.readouterr().err
    assert pattern in err and "Traceback" not in err


@pytest.mark.parametrize("example", ["derivatives", "gd-x2", "newton", "batch-size", "optimizers", "decay", "backprop"])
def test_every_example_prints_strict_json(capsys, example):
    assert main(["lecture", example, "--json"]) == 0
    out = capsys.readouterr().out
    d = json.loads(out)          # strict JSON: json.loads would accept NaN, so check the text too
    assert "NaN" not in out and "Infinity" not in out
    assert d["example"] == example and d["checks"] and all(c["passed"] for c in d["checks"])
