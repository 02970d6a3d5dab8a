"""The optax-style transformation against optax itself (float64, jax_enable_x64).

tests/fixtures/interop_optax.json holds optax's trajectories on a nested pytree, made
by tools/fixtures/make_interop_optax_fixtures.py; here the same gradient, written
with the same operations, drives descentlab.interop.optax.transform at preset
``optax``. Neither jax nor optax is needed to run this file.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from descentlab.errors import ConfigError, ShapeError
from descentlab.interop.optax import TransformState, flatten, transform, unflatten
from descentlab.optim import clip_by_global_norm

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "interop_optax.json"
DATA = json.loads(FIXTURE.read_text())
RTOL = 1e-10
BIASES = {"dense": {"w": True, "b": False}, "extra": [False, (True,)]}


def _tree(start):
    return {"dense": {"w": np.array(start["dense/w"]), "b": np.array(start["dense/b"])},
            "extra": [np.array(start["extra/0"]), (np.array(start["extra/1/0"]),)]}


def grad_leaf(p, k):
    return 2.0 * p * (1.0 + 0.05 * k) + np.sin(3.0 * p) - 0.3


def _tree_map(f, tree):
    return unflatten(tree, {p: f(a) for p, a in flatten(tree).items()})


def _replay(case, preset="optax", hyper=None):
    tx = transform(case["optimizer"], preset=preset, decay_mask=BIASES if case["mask"] else None,
                   **(hyper or case["hyper"]))
    params = _tree(DATA["start"])
    state = tx.init(params)
    worst = 0.0
    for k in range(DATA["steps"]):
        grads = _tree_map(lambda p: grad_leaf(p, k), params)
        if case["clip_norm"]:
            flat, _ = clip_by_global_norm(flatten(grads), case["clip_norm"], eps=0.0)
            grads = unflatten(grads, flat)
        updates, state = tx.update(grads, state, params)
        params = unflatten(params, {p: a + flatten(updates)[p] for p, a in flatten(params).items()})
        for path, a in flatten(params).items():
            want = np.array(case["trajectory"][path][k + 1])
            worst = max(worst, float(np.max(np.abs(a - want)) / max(np.max(np.abs(want)), 1e-300)))
    return worst, params


@pytest.mark.parametrize("case", DATA["cases"], ids=[c["id"] for c in DATA["cases"]])
def test_transform_at_preset_optax_is_optax(case):
    worst, _ = _replay(case)
    assert worst <= RTOL, f"{case['id']}: largest relative difference {worst:.3g}"


def test_every_optimizer_with_an_optax_preset_is_covered():
    from descentlab.optim.conventions import PRESETS

    covered = {c["optimizer"] for c in DATA["cases"]}
    assert set(PRESETS["optax"]) - {"newton"} <= covered  # optax has no Newton's method


def test_a_different_convention_fails_the_comparison():
    adam = next(c for c in DATA["cases"] if c["id"] == "adam")
    worst, _ = _replay(adam, preset="keras", hyper={"lr": 0.05, "eps": 1e-8})  # Keras's eps-hat
    assert worst > 1e-8
    masked = next(c for c in DATA["cases"] if c["id"] == "adamw_masked")
    worst, _ = _replay({**masked, "mask": None})  # decay on every leaf
    assert worst > 1e-6


def test_tree_structure_and_dtype_are_kept():
    tx = transform("adam", lr=0.1)
    params = {"a": [np.ones(2, dtype=np.float32), (np.zeros((), dtype=np.float32),)], "b": None}
    state = tx.init(params)
    assert isinstance(state, TransformState) and state.count == 0
    updates, state = tx.update({"a": [np.ones(2, dtype=np.float32), (np.ones((), dtype=np.float32),)], "b": None},
                               state, params)
    assert isinstance(updates["a"], list) and isinstance(updates["a"][1], tuple) and updates["b"] is None
    assert updates["a"][0].dtype == np.float32 and state.count == 1
    np.testing.assert_allclose(updates["a"][0], -0.1, rtol=1e-6)
    assert tuple(tx._fields) == ("init", "update")


def test_bad_input_is_refused_with_a_sentence():
    tx = transform("adamw", preset="optax", lr=0.1)
    state = tx.init({"w": np.ones(2)})
    with pytest.raises(ConfigError, match=r"expected params for adamw.*Fix: call tx.update"):
        tx.update({"w": np.ones(2)}, state)
    with pytest.raises(ShapeError, match=r"expected updates with the leaves \['w'\]"):
        tx.update({"v": np.ones(2)}, state, {"v": np.ones(2)})
    with pytest.raises(ConfigError, match=r"expected lr for adam with preset 'optax'|expected a value for lr"):
        transform("adam", preset="optax")
    with pytest.raises(ConfigError, match=r"the state made by this transformation's init"):
        tx.update({"w": np.ones(2)}, {"count": 0}, {"w": np.ones(2)})
