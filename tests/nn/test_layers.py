"""nn: names, state dicts, initialiser statistics, and back-propagation through an MLP."""
import numpy as np
import pytest

from descentlab.autodiff import Tensor
from descentlab.errors import ConfigError, ShapeError, StateFileError
from descentlab.nn import (Linear, ReLU, Sequential, Sigmoid, Softmax, Tanh, get_init, get_loss, he_normal, mlp,
                           small_uniform, xavier_uniform)


def test_parameters_are_named_by_their_path():
    net = mlp([4, 3, 2], "sigmoid", seed=0)
    assert list(net.params()) == ["0.W", "0.b", "2.W", "2.b"]
    assert net.params()["0.W"] is net[0].W.data  # the live array, for in-place updates
    assert net.num_parameters() == 4 * 3 + 3 + 3 * 2 + 2
    nested = Sequential(Sequential(Linear(2, 2), Tanh()), Linear(2, 1))
    assert list(nested.params()) == ["0.0.W", "0.0.b", "1.W", "1.b"]


def test_state_dict_round_trips_in_place_and_checks_names_and_shapes():
    a, b = mlp([3, 5, 2], seed=0), mlp([3, 5, 2], seed=1)
    live = b.params()["0.W"]
    b.load_state_dict(a.state_dict())
    assert all(np.array_equal(a.params()[k], b.params()[k]) for k in a.params())
    assert b.params()["0.W"] is live
    with pytest.raises(StateFileError, match=r"missing \['2.b'\]"):
        b.load_state_dict({k: v for k, v in a.state_dict().items() if k != "2.b"})
    with pytest.raises(ShapeError, match=r"'0.W' with shape \(3, 5\)"):
        b.load_state_dict({**a.state_dict(), "0.W": np.zeros((5, 3))})


def test_same_seed_same_weights():
    assert np.array_equal(mlp([8, 4, 2], seed=5)[0].W.data, mlp([8, 4, 2], seed=5)[0].W.data)
    assert not np.array_equal(mlp([8, 4, 2], seed=5)[0].W.data, mlp([8, 4, 2], seed=6)[0].W.data)


def test_initialiser_statistics_match_their_formulas():
    n_in, n_out = 400, 300
    w = xavier_uniform((n_in, n_out), seed=0)
    a = np.sqrt(6 / (n_in + n_out))
    assert np.abs(w).max() <= a and np.var(w) == pytest.approx(a * a / 3, rel=0.02)
    w = he_normal((n_in, n_out), seed=0)
    assert np.var(w) == pytest.approx(2 / n_in, rel=0.02)
    w = small_uniform((n_in, n_out), seed=0)
    assert -0.5 <= w.min() and w.max() <= 0.5
    w = small_uniform((2, 2), seed=0, low=0.0, high=1.0)
    assert (0 <= w).all() and (w < 1).all()
    with pytest.raises(ConfigError, match="initialiser"):
        get_init("orthogonal")


def test_linear_is_x_at_W_plus_b():
    lin = Linear(3, 2, seed=0)
    lin.b.data[:] = [1.0, -1.0]
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(lin(x).data, x @ lin.W.data + lin.b.data, rtol=1e-15)
    with pytest.raises(ShapeError, match=r"\(batch, 3\)"):
        lin(np.zeros((2, 4)))


def test_activations_are_the_textbook_functions():
    z = np.linspace(-3, 3, 7)[None, :]
    np.testing.assert_allclose(Sigmoid()(z).data, 1 / (1 + np.exp(-z)), rtol=1e-14)
    np.testing.assert_allclose(Tanh()(z).data, np.tanh(z), rtol=1e-14)
    np.testing.assert_allclose(ReLU()(z).data, np.maximum(z, 0))
    s = Softmax()(z).data
    np.testing.assert_allclose(s, np.exp(z) / np.exp(z).sum(), rtol=1e-14)


@pytest.mark.parametrize("act, loss", [("sigmoid", "mse_half"), ("tanh", "cross_entropy"), ("relu", "mse")])
def test_mlp_gradients_equal_central_differences(act, loss):
    rng = np.random.default_rng(0)
    net = mlp([3, 4, 2], act, seed=1)
    X = rng.standard_normal((5, 3))
    T = np.array([0, 1, 1, 0, 1]) if loss == "cross_entropy" else rng.standard_normal((5, 2))
    f = get_loss(loss)
    net.zero_grad()
    f(net(Tensor(X)), T).backward()
    grads = net.grads()
    h = 1e-6
    for name, p in net.params().items():
        num = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + h
            up = float(f(net(X), T).data)
            p[i] = old - h
            down = float(f(net(X), T).data)
            p[i] = old
            num[i] = (up - down) / (2 * h)
        np.testing.assert_allclose(grads[name], num, rtol=1e-6, atol=1e-8, err_msg=name)


def test_bad_layer_arguments():
    with pytest.raises(ConfigError, match=r"Linear: expected in_features an integer >= 1"):
        Linear(0, 3)
    with pytest.raises(ConfigError, match="activation"):
        mlp([2, 2], "swish")
