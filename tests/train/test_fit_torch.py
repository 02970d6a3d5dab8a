"""Same init, same batches: 20 steps of SGD, momentum and Adam equal PyTorch 2.13.0 (float64).

The fixture comes from tools/fixtures/make_training_fixtures.py (run with torch==2.13.0).
"""
from pathlib import Path

import numpy as np
import pytest

from descentlab.data import minibatch, spirals
from descentlab.nn import mlp
from descentlab.optim import make_optimizer
from descentlab.train.fit import fit

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "training_torch.npz"


@pytest.fixture(scope="module")
def ref():
    with np.load(FIXTURE, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def test_fixture_was_made_from_our_data_init_and_batches(ref):
    assert str(ref["torch_version"]).startswith("2.13.0")
    data = spirals(48, 3, seed=0)
    assert np.array_equal(ref["X"], data.X) and np.array_equal(ref["y"], data.y)
    net = mlp([2, 6, 3], "tanh", seed=1)
    for k, v in net.params().items():
        assert np.array_equal(ref[f"init/{k}"], v)
    b = minibatch(8, seed=2)
    seen = [i for _ in range(4) for i in b.epoch(48)][:20]
    assert np.array_equal(np.stack(seen), ref["batches"])


@pytest.mark.parametrize("run, hyper", [("sgd", {"lr": 0.1}), ("momentum", {"lr": 0.1, "momentum": 0.9}),
                                        ("adam", {"lr": 0.01})])
def test_twenty_steps_match_pytorch(ref, run, hyper):
    data = spirals(48, 3, seed=0)
    net = mlp([2, 6, 3], "tanh", seed=1)
    opt = make_optimizer(run, preset="pytorch", **hyper)
    h = fit(net, data, "cross_entropy", opt, minibatch(8, seed=2), epochs=4, max_steps=20, quiet=True)
    assert h.n_steps == 20
    np.testing.assert_allclose(h.steps["loss"], ref[f"{run}/losses"], rtol=0, atol=1e-12)
    for k, v in net.params().items():
        np.testing.assert_allclose(v, ref[f"{run}/{k}"], rtol=0, atol=1e-10, err_msg=k)
    # and the weights did move: the comparison is not of two untouched copies
    assert not np.allclose(net.params()["0.W"], ref["init/0.W"], atol=1e-3)
