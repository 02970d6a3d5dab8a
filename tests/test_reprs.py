"""The main objects print as one readable line in a REPL (no array dumps, no <lambda> addresses)."""
from __future__ import annotations

import numpy as np
import pytest

import descentlab as dl
from descentlab.train.fit import History


def _one_line(obj) -> str:
    text = repr(obj)
    assert "\n" not in text and len(text) < 300 and "array(" not in text and " at 0x" not in text, text
    return text


def test_trajectory_repr_names_the_run_and_its_end():
    text = _one_line(dl.minimize("x2", 2.0, "sgd", lr=1.5))
    assert text.startswith("Trajectory('x2', sgd, lr=1.5: 19 steps, stop='diverged' at step 19")
    assert "x_final=[-1.04858e+06]" in text


def test_history_repr_gives_the_last_epoch():
    from descentlab.train import train_mlp

    _, h = train_mlp("xor", hidden=(4,), epochs=2, quiet=True)
    text = _one_line(h)
    assert text.startswith("History('xor', adam: 2 epochs,") and f"loss={h.last('loss'):.4g}" in text
    assert _one_line(History()).endswith("not run)")


@pytest.mark.parametrize("name, needle", [
    ("rosenbrock", "Surface('rosenbrock', dim=2, formula='(1 − x)² + 100(y − x²)²', minima=[[1.0, 1.0]]"),
    ("saddle", "minima=[]"),
])
def test_surface_repr_shows_formula_and_minima(name, needle):
    assert needle in _one_line(dl.get_surface(name))


def test_dataset_repr_gives_shapes_not_values():
    d = dl.load_dataset("xor")
    text = _one_line(d)
    assert text == f"Dataset('xor', X {d.X.shape} {d.X.dtype}, y {d.y.shape} {d.y.dtype}, task='classification', n_classes=2)"


def test_account_repr_counts_its_checks():
    acc = dl.run_example("decay")
    n = len(acc.checks)
    assert f"checks {n}/{n} passed" in _one_line(acc)


def test_optimizer_state_and_record_stay_readable():
    opt = dl.make_optimizer("adam", lr=0.1)
    params = {"w": np.zeros(2)}
    state = opt.init(params)
    rec = opt.step(params, {"w": np.ones(2)}, state, record=True)
    assert repr(opt).startswith("Adam(name='adam', preset='pytorch', lr=0.1")
    assert repr(state).startswith("OptState(step=1, slots={'w': {'m': array([")
    assert repr(rec).startswith("StepRecord(step=0, lr=0.1,")
