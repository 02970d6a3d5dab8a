"""fit(fast=True): the hand-written MLP path trains like the autodiff engine."""
from __future__ import annotations

import json

import numpy as np
import pytest

from descentlab.cli.main import main
from descentlab.train import train_mlp


@pytest.mark.parametrize("loss, activation", [("cross_entropy", "relu"), ("mse", "tanh")])
def test_fast_path_follows_the_engine_to_rounding(loss, activation):
    kw = dict(hidden=(16,), activation=activation, optimizer="adam", lr=3e-3, batching="minibatch:32", epochs=2,
              loss=loss, seed=3, quiet=True)
    _, ref = train_mlp("digits", **kw)
    model, fast = train_mlp("digits", fast=True, **kw)
    np.testing.assert_allclose(fast.steps["loss"], ref.steps["loss"], rtol=1e-9)
    np.testing.assert_allclose(fast.epochs["val_accuracy"], ref.epochs["val_accuracy"])
    flat = {id(p.base) for p in model.params().values()}
    assert len(flat) == 1, "the fast path trains one flat buffer"


def test_fast_path_refuses_models_it_cannot_run():
    from descentlab.errors import ConfigError

    with pytest.raises(ConfigError, match="fast MLP"):
        train_mlp("digits", hidden=(8,), loss="bce", fast=True, epochs=1, quiet=True)


def test_cli_fast_flag_gives_the_engine_s_numbers(capsys):
    runs = []
    for extra in ([], ["--fast"]):
        assert main(["train", "xor", "--hidden", "8", "--epochs", "3", "--json", "--quiet", *extra]) == 0
        runs.append(json.loads(capsys.readouterr().out))
    ref, fast = runs
    assert fast["stop"] == ref["stop"] and fast["steps"] == ref["steps"] == 15
    np.testing.assert_allclose(fast["history"]["epochs"]["loss"], ref["history"]["epochs"]["loss"], rtol=1e-9)
    assert fast["final"]["val_accuracy"] == ref["final"]["val_accuracy"]
