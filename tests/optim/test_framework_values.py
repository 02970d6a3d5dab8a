"""Under a framework's preset, descentlab accepts what that framework accepts, or says why not.

The trajectories for the accepted values (torch SGD(momentum=1.0), Keras SGD(nesterov=True)
with its default momentum 0, Keras SGD(momentum=1.0)) are replayed against the frameworks
in test_conformance_family.py; here: that they are there, and the refusals' sentences.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from descentlab.errors import ConfigError
from descentlab.optim import make_optimizer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_the_accepted_values_are_recorded_from_the_frameworks():
    ids = {c["id"] for name in ("optim_family_torch.json", "optim_family_keras.json")
           for c in json.loads((FIXTURES / name).read_text())["cases"]}
    assert {"torch/sgd_momentum_one/lstsq", "keras/sgd_momentum_one/lstsq", "keras/sgd_nesterov_no_momentum/lstsq",
            "keras/sgd_nesterov_no_momentum/rosenbrock"} <= ids


@pytest.mark.parametrize("preset", ["keras", "optax"])
def test_nesterov_without_momentum_is_plain_sgd_where_the_framework_says_so(preset):
    nag = make_optimizer("sgd", preset=preset, lr=0.1, nesterov=True)
    sgd = make_optimizer("sgd", preset=preset, lr=0.1)
    p1, p2 = {"x": np.array([1.0, -2.0])}, {"x": np.array([1.0, -2.0])}
    s1, s2 = nag.init(p1), sgd.init(p2)
    assert s1.slots == {"x": {}}
    for _ in range(3):
        nag.step(p1, {"x": 2 * p1["x"]}, s1)
        sgd.step(p2, {"x": 2 * p2["x"]}, s2)
    np.testing.assert_array_equal(p1["x"], p2["x"])


def test_pytorch_refuses_nesterov_without_momentum_and_says_where_it_runs():
    with pytest.raises(ConfigError, match=r"momentum > 0 with nesterov=True.*PyTorch refuses it too.*preset='keras'"):
        make_optimizer("sgd", nesterov=True)


@pytest.mark.parametrize("preset,momentum", [("pytorch", 1.0), ("pytorch", 1.5), ("keras", 1.0), ("optax", 1.0)])
def test_momentum_one_and_above_where_the_framework_accepts_it(preset, momentum):
    opt = make_optimizer("momentum", preset=preset, lr=0.01, momentum=momentum)
    assert opt.hyper["momentum"] == momentum


@pytest.mark.parametrize("preset,momentum,why", [
    ("keras", 1.2, r"\[0, 1\] with preset 'keras'.*Keras's SGD refuses momentum outside \[0, 1\]"),
    ("lecture", 1.0, r"\[0, 1\) with preset 'lecture'.*no friction"),
    ("cs231n", 1.0, r"\[0, 1\) with preset 'cs231n'"),
])
def test_momentum_beyond_the_framework_is_refused_with_a_sentence(preset, momentum, why):
    with pytest.raises(ConfigError, match=why) as info:
        make_optimizer("momentum", preset=preset, momentum=momentum)
    assert "Fix:" in str(info.value) and "preset='pytorch'" in str(info.value)
