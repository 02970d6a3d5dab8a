"""The LR range test: an exponential sweep, a blow-up stop, a suggestion below the divergence edge."""
import numpy as np
import pytest

from descentlab.data import full, linear_regression
from descentlab.errors import ConfigError
from descentlab.nn import Linear, mlp
from descentlab.train.lr_finder import lr_find


def test_lrs_grow_geometrically_and_the_model_is_restored():
    d = linear_regression(100, seed=0)
    m = Linear(d.n_features, 1, bias=False, seed=0)
    before = m.state_dict()
    r = lr_find(m, d, "mse", "sgd", full(), lr_min=1e-4, lr_max=1e-1, steps=30)
    ratios = np.array(r.lrs[1:]) / np.array(r.lrs[:-1])
    np.testing.assert_allclose(ratios, (1e3) ** (1 / 29), rtol=1e-12)
    assert r.lrs[0] == pytest.approx(1e-4) and r.lrs[-1] == pytest.approx(1e-1)
    assert all(np.array_equal(before[k], v) for k, v in m.params().items())


def test_on_a_quadratic_the_sweep_blows_up_past_two_over_lambda_max():
    # full-batch GD on the mean squared error: the Hessian is (2/M) XᵀX; steps diverge
    # once lr > 2/λ_max, so the suggestion must sit below that edge.
    d = linear_regression(200, n_features=3, seed=0)
    lam_max = np.linalg.eigvalsh(2 / len(d) * d.X.T @ d.X).max()
    edge = 2 / lam_max
    m = Linear(d.n_features, 1, bias=False, init="zeros")
    r = lr_find(m, d, "mse", "sgd", full(), lr_min=1e-4, lr_max=100.0, steps=200)
    assert r.stopped_early
    assert r.lrs[-1] > edge
    assert 1e-3 < r.suggested_lr < edge
    assert r.min_loss_lr / 10 < edge  # the smoothed minimum lags the raw loss; a tenth of it is safe
    assert r.to_dict()["rule_of_thumb_lr"] == pytest.approx(r.min_loss_lr / 10)


def test_bad_ranges_are_refused():
    d = linear_regression(20, seed=0)
    with pytest.raises(ConfigError, match="lr_min < lr_max"):
        lr_find(mlp([4, 1]), d, lr_min=1.0, lr_max=0.1)
    with pytest.raises(ConfigError, match=r"lr_find: expected steps an integer >= 5, got 2"):
        lr_find(mlp([4, 1]), d, steps=2)
