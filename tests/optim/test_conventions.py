"""Presets: their defaults match the frameworks' own, and the lecture preset follows the slides."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from descentlab.cli.main import main
from descentlab.optim import DEFAULT_PRESET, PRESETS, conventions_table, format_conventions_table, make_optimizer
from descentlab.optim.conventions import CHOICES, REQUIRED

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# framework defaults recorded by tools/fixtures/make_optim_fixtures*.py from the installed frameworks
RECORDED = [(preset, opt, key, value)
            for preset, name in [("pytorch", "optim_torch.json"), ("keras", "optim_keras.json"),
                                 ("optax", "optim_optax.json"), ("pytorch", "optim_family_torch.json"),
                                 ("keras", "optim_family_keras.json"), ("optax", "optim_family_optax.json")]
            for opt, defaults in json.loads((FIXTURES / name).read_text())["defaults"].items()
            for key, value in defaults.items()]


@pytest.mark.parametrize("preset,opt,key,value", RECORDED, ids=[f"{p}-{o}-{k}" for p, o, k, _ in RECORDED])
def test_preset_defaults_are_the_frameworks_own(preset, opt, key, value):
    ours = PRESETS[preset][opt][key]
    if value == "required":
        assert ours is REQUIRED
    else:
        assert ours == value and (preset, opt, key) not in CHOICES


def test_every_framework_optimizer_was_recorded():
    have = {(p, o) for p, o, _, _ in RECORDED}
    for opt in ("sgd", "adagrad", "rmsprop", "adam", "adamw", "nadam"):
        assert {("pytorch", opt), ("keras", opt), ("optax", opt)} <= have
    # the newer rules, in each framework that has them
    assert {("pytorch", o) for o in ("rprop", "adadelta", "adamax", "radam", "adafactor")} <= have
    assert {("keras", o) for o in ("adadelta", "adamax", "lion", "lamb", "adafactor")} <= have
    assert {("optax", o) for o in ("adadelta", "adamax", "radam", "lion", "lamb")} <= have


def test_default_preset_is_pytorch():
    assert DEFAULT_PRESET == "pytorch"
    assert make_optimizer("adam").preset == "pytorch"
    assert make_optimizer("adam").hyper == make_optimizer("adam", preset="pytorch").hyper


def test_lecture_momentum_follows_the_slide():
    # v_t = alpha v_{t-1} - eta grad f(x_{t-1});  x_t = x_{t-1} + v_t   on f(x) = x^2 / 2
    opt = make_optimizer("momentum", preset="lecture", lr=0.1, momentum=0.5)
    params = {"x": np.array([1.0])}
    state = opt.init(params)
    x, v = 1.0, 0.0
    for _ in range(4):
        opt.step(params, {"x": params["x"].copy()}, state)
        v = 0.5 * v - 0.1 * x
        x = x + v
        assert params["x"][0] == pytest.approx(x, rel=1e-15)
        assert state.slots["x"]["v"][0] == pytest.approx(v, rel=1e-15)


def test_lecture_nesterov_takes_the_gradient_at_the_look_ahead_point():
    opt = make_optimizer("nesterov", preset="lecture", lr=0.1, momentum=0.9)
    params = {"x": np.array([2.0])}
    state = opt.init(params)
    opt.step(params, {"x": np.array([1.0])}, state)          # v = -0.1, x = 1.9
    np.testing.assert_allclose(opt.eval_params(params, state)["x"], [1.9 + 0.9 * -0.1])


def test_lecture_rmsprop_puts_eps_inside_the_root():
    # x_{t+1} = x_t - eta g / sqrt(S_t + eps), S_t = beta S_{t-1} + (1 - beta) g^2, eps = 1e-6
    opt = make_optimizer("rmsprop", preset="lecture", lr=0.01)
    assert opt.hyper["eps"] == 1e-6 and opt.hyper["eps_placement"] == "inside"
    params = {"x": np.array([0.0])}
    opt.step(params, {"x": np.array([1e-3])}, opt.init(params))
    S = (1 - opt.hyper["beta"]) * 1e-6
    np.testing.assert_allclose(params["x"], [-0.01 * 1e-3 / np.sqrt(S + 1e-6)], rtol=1e-14)


def test_table_lists_every_preset_and_marks_choices():
    text = format_conventions_table()
    for preset in PRESETS:
        assert preset in text.splitlines()[0]
    assert "required" in text and "*" in text and "(unused)" in text
    one = format_conventions_table(["adagrad"], ["pytorch", "keras"])
    row = {line.split()[0]: line.split()[1:] for line in one.splitlines()[2:] if line.strip() and "-" not in line[:2]}
    assert row["initial_accumulator"] == ["0", "0.1"] and row["eps_placement"] == ["outside", "inside"]
    data = conventions_table()
    assert data["default_preset"] == "pytorch" and data["presets"]["optax"]["adam"]["lr"] is None
    json.dumps(data)


def test_cli_prints_the_table(capsys):
    assert main(["conventions", "-O", "rmsprop", "-p", "pytorch", "-p", "keras"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["rmsprop", "pytorch", "keras"]
    assert main(["conventions", "--json", "-O", "adam"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["presets"]["keras"] == {"adam": data["presets"]["keras"]["adam"]}
    assert data["presets"]["keras"]["adam"]["eps_placement"] == "hat"
    assert main(["conventions", "-p", "tensorflow"]) == 2
    assert "preset among pytorch" in capsys.readouterr().err


def test_cli_says_when_no_chosen_preset_has_the_optimizer(capsys):
    assert main(["conventions", "-O", "nadam", "-p", "cs231n"]) == 0
    assert capsys.readouterr().out.startswith("nadam: not in cs231n (it is in pytorch, keras, optax)")
    assert main(["conventions", "-O", "adam", "-O", "Adam", "-p", "keras", "-p", "keras"]) == 0
    out = capsys.readouterr().out
    assert out.count("eps_placement") == 1 and out.splitlines()[0].split() == ["adam", "keras"]


def test_lecture_adagrad_follows_the_slide_code():
    # cache += dx**2;  x += - learning_rate * dx / (np.sqrt(cache) + 1e-7)
    opt = make_optimizer("adagrad", preset="lecture", lr=0.5)
    params = {"x": np.array([1.0, -2.0])}
    state = opt.init(params)
    x, cache = params["x"].copy(), np.zeros(2)
    for _ in range(4):
        dx = 2 * x
        opt.step(params, {"x": dx}, state)
        cache += dx ** 2
        x += - 0.5 * dx / (np.sqrt(cache) + 1e-7)
        np.testing.assert_allclose(params["x"], x, rtol=1e-15)
    np.testing.assert_allclose(state.slots["x"]["S"], cache, rtol=1e-15)
