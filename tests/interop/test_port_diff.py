"""``port`` names exact equivalents and measures the nearest ones; ``diff`` finds where two
presets part and which setting causes the gap."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from descentlab.errors import ConfigError
from descentlab.interop.diff import diff
from descentlab.interop.port import port, trajectory_deviation
from descentlab.optim import make_optimizer


def test_an_exact_port_reproduces_the_source_and_says_so():
    r = port("adam", "pytorch", "optax", lr=1e-3)
    assert r["status"] == "exact" and r["call"] == "optax.adam(learning_rate=0.001)"  # optax's defaults are torch's
    # the printed settings, built in the target's preset, give the source's trajectory
    src = make_optimizer("adam", preset="pytorch", lr=1e-3)
    tgt = make_optimizer("adam", preset="optax", lr=1e-3)
    assert trajectory_deviation(src, tgt) == 0.0


def test_kerass_eps_hat_has_no_torch_equivalent_and_the_deviation_is_measured():
    r = port("adam", "keras", "pytorch", lr=1e-3, eps=1e-7)
    assert r["status"] == "nearest" and r["call"] == "torch.optim.Adam(params, lr=0.001, eps=1e-07)"
    assert r["differs"] == {"eps_placement": {"source": "hat", "target": "outside"}}
    want = trajectory_deviation(make_optimizer("adam", preset="pytorch", lr=1e-3, eps=1e-7),
                                make_optimizer("adam", preset="keras", lr=1e-3, eps=1e-7))
    assert r["max_rel_deviation"] == pytest.approx(want) and want > 1e-9
    assert r["descentlab"] == ('descentlab.interop.torch.Optimizer(model.parameters(), "adam", preset="keras", '
                               'lr=0.001, eps=1e-07)')


def test_decoupled_decay_ports_to_adamw_and_lr_inside_momentum_is_exact_at_constant_lr():
    r = port("adamw", "pytorch", "keras")
    assert r["call"].startswith("keras.optimizers.AdamW(") and "epsilon=1e-08" in r["call"]
    m = port("momentum", "keras", "pytorch")
    assert m["status"] == "exact while lr is constant" and m["max_rel_deviation"] <= 1e-12
    a = port("adagrad", "pytorch", "keras", lr=0.01)
    assert "initial_accumulator_value=0.0" in a["call"] and a["status"] == "nearest"  # eps inside in Keras


def test_port_refuses_unknown_targets():
    with pytest.raises(ConfigError, match=r"expected a target framework among pytorch, keras, optax"):
        port("adam", "keras", "cs231n")
    with pytest.raises(ConfigError, match=r"expected a preset among"):
        port("adam", "tensorflow", "pytorch")


def test_diff_finds_the_first_difference_and_the_ablation_explains_it():
    r = diff("adam:keras", "adam:pytorch", steps=100)
    assert r["first_difference_step"] == 0 and r["final_distance"] > 1e-12
    settings = {ab["setting"]: ab for ab in r["ablation"]}
    assert set(settings) == {"eps", "eps_placement"}
    both = make_optimizer("adam", preset="keras", eps=1e-8, eps_placement="outside")
    assert both.hyper == {**make_optimizer("adam", preset="pytorch").hyper, "weight_decay_form": "decoupled"}
    same = diff("momentum:keras", "momentum:pytorch", steps=50, lr=1e-4)  # constant lr: the forms agree
    assert same["first_difference_step"] is None and same["final_distance"] <= 1e-12


def test_diff_cli_writes_the_picture_and_json(tmp_path):
    pytest.importorskip("matplotlib")
    out = subprocess.run([sys.executable, "-m", "descentlab", "diff", "rmsprop:keras", "rmsprop:pytorch", "--steps",
                          "40", "-o", str(tmp_path / "p" / "gap.png"), "--json"], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["first_difference_step"] == 0 and data["ablation"]
    assert (tmp_path / "p" / "gap.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = subprocess.run([sys.executable, "-m", "descentlab", "diff", "adam:keras", "adam:nope"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "Fix:" in bad.stderr and "Traceback" not in bad.stderr
    port_out = subprocess.run([sys.executable, "-m", "descentlab", "port", "adam", "--from", "keras", "--to",
                               "pytorch", "--lr", "1e-3", "--set", "eps=1e-7"], capture_output=True, text=True,
                              timeout=120)
    assert port_out.returncode == 0 and "torch.optim.Adam(params, lr=0.001, eps=1e-07)" in port_out.stdout
