"""The fast MLP is fit's default where it covers the model; it trains like the autodiff engine."""
from __future__ import annotations

import json

import numpy as np
import pytest

from descentlab.cli.main import main
from descentlab.data import minibatch, two_moons
from descentlab.errors import ConfigError
from descentlab.nn import Linear, Sequential, Tanh, mlp
from descentlab.train import fit, train_mlp


@pytest.mark.parametrize("loss, activation", [("cross_entropy", "relu"), ("mse", "tanh")])
def test_fast_path_follows_the_engine_to_rounding(loss, activation):
    kw = dict(hidden=(16,), activation=activation, optimizer="adam", lr=3e-3, batching="minibatch:32", epochs=2,
              loss=loss, seed=3, quiet=True, dtype="float64")
    _, ref = train_mlp("digits", engine="autodiff", **kw)
    model, fast = train_mlp("digits", **kw)  # the default engine: the fast MLP covers this model
    assert (ref.config["engine"], fast.config["engine"]) == ("autodiff", "fast")
    np.testing.assert_allclose(fast.steps["loss"], ref.steps["loss"], rtol=1e-9)
    np.testing.assert_allclose(fast.epochs["val_accuracy"], ref.epochs["val_accuracy"])
    flat = {id(p.base) for p in model.params().values()}
    assert len(flat) == 1, "the fast path trains one flat buffer"


def test_float32_training_follows_float64_to_single_precision():
    kw = dict(hidden=(16,), optimizer="adam", lr=3e-3, epochs=2, seed=3, quiet=True)
    m32, h32 = train_mlp("digits", **kw)  # the default dtype of dataset training
    _, h64 = train_mlp("digits", dtype="float64", engine="autodiff", **kw)
    assert h32.config["dtype"] == "float32" and all(p.dtype == np.float32 for p in m32.params().values())
    np.testing.assert_allclose(h32.steps["loss"], h64.steps["loss"], rtol=2e-4)
    assert abs(h32.last("val_accuracy") - h64.last("val_accuracy")) <= 2 / 360  # at most a sample or two


def test_auto_takes_the_engine_where_the_fast_mlp_cannot_run():
    data = two_moons(40, seed=0)
    for model, loss in ((mlp([2, 4, 1], seed=0), "bce"), (Sequential(Linear(2, 4, seed=0), Tanh(), Tanh(),
                                                                    Linear(4, 2, seed=1)), "auto")):
        h = fit(model, data, loss, "sgd", minibatch(8, seed=0), 1, lr=0.1, quiet=True)
        assert h.config["engine"] == "autodiff" and h.stop.kind == "max_steps"
    h = fit(mlp([2, 4, 2], seed=0), data, lambda out, t: ((out - 0.5) ** 2).sum(), "sgd", "full", 1, lr=0.1, quiet=True)
    assert h.config["engine"] == "autodiff"  # a loss function of one's own


def test_fast_path_refuses_models_it_cannot_run():
    with pytest.raises(ConfigError, match="fast MLP"):
        train_mlp("digits", hidden=(8,), loss="bce", engine="fast", epochs=1, quiet=True)
    with pytest.raises(ConfigError, match="engine one of"):
        train_mlp("digits", hidden=(8,), engine="numba", epochs=1, quiet=True)
    with pytest.raises(ConfigError, match="dtype one of"):
        train_mlp("digits", hidden=(8,), dtype="float16", epochs=1, quiet=True)


def test_the_older_fast_flag_still_works_and_says_it_is_deprecated():
    with pytest.warns(DeprecationWarning, match="engine='fast'"):
        _, h = train_mlp("xor", hidden=(4,), fast=False, epochs=1, quiet=True)
    assert h.config["engine"] == "autodiff"
    with pytest.warns(DeprecationWarning), pytest.raises(ConfigError, match="fast MLP"):
        train_mlp("digits", hidden=(8,), loss="bce", fast=True, epochs=1, quiet=True)


def test_cli_default_engine_gives_the_autodiff_engine_s_numbers(capsys):
    runs = []
    for extra in (["--engine", "autodiff"], [], ["--fast"]):
        assert main(["train", "xor", "--hidden", "8", "--epochs", "3", "--json", "--quiet", "--dtype", "float64",
                     *extra]) == 0
        runs.append(json.loads(capsys.readouterr().out))
    ref, default, fast = runs
    assert (ref["engine"], default["engine"], fast["engine"]) == ("autodiff", "fast", "fast")
    for run in (default, fast):
        assert run["stop"] == ref["stop"] and run["steps"] == ref["steps"] == 15 and run["dtype"] == "float64"
        np.testing.assert_allclose(run["history"]["epochs"]["loss"], ref["history"]["epochs"]["loss"], rtol=1e-9)
        assert run["final"]["val_accuracy"] == ref["final"]["val_accuracy"]


def test_a_checkpoint_resumes_only_in_its_own_dtype(tmp_path):
    ck = tmp_path / "run.npz"
    train_mlp("xor", hidden=(4,), epochs=1, quiet=True, checkpoint=ck)
    with pytest.raises(ConfigError, match=r"made with \(dtype=float32\)"):
        train_mlp("xor", hidden=(4,), epochs=2, quiet=True, checkpoint=ck, resume=True, dtype="float64")
    _, h = train_mlp("xor", hidden=(4,), epochs=2, quiet=True, checkpoint=ck, resume=True)
    assert h.n_epochs == 2 and h.config["dtype"] == "float32"
