"""The chapter's linear regression f_w(x) = wᵀx trained by BGD, SGD and mini-batch GD."""
import numpy as np
import pytest

from descentlab.data import full, linear_regression, minibatch, stochastic
from descentlab.nn import Linear, get_loss
from descentlab.optim import make_optimizer
from descentlab.optim import parse_schedule
from descentlab.train.fit import autodiff_loss_and_grads, fit

NOISE = 0.1


@pytest.fixture(scope="module")
def data():
    return linear_regression(n_samples=200, n_features=3, noise=NOISE, seed=0)


def w_least_squares(d):
    return np.linalg.lstsq(d.X, d.y, rcond=None)[0]


def model_for(d):
    m = Linear(d.n_features, 1, bias=False, init="zeros")
    return m


def test_per_sample_gradient_is_the_lectures_formula(data):
    # L^(i)(w) = ½ (f_w(x) − y)²  =>  ∂L/∂w_j = (f_w(x) − y) x_j
    m = Linear(data.n_features, 1, bias=False, init="small_uniform", seed=3)
    step = autodiff_loss_and_grads(m, get_loss("mse_half"))
    w = m.W.data[:, 0].copy()
    for i in (0, 7, 42):
        x, y = data.X[i], data.y[i]
        _, grads, out = step(x[None, :], np.array([[y]]))
        expected = (w @ x - y) * x
        np.testing.assert_allclose(grads["W"][:, 0], expected, rtol=1e-13, atol=1e-15)
        assert out[0, 0] == pytest.approx(w @ x, rel=1e-14)


def test_batch_gd_reaches_the_closed_form_solution(data):
    m = model_for(data)
    h = fit(m, data, "mse_half", make_optimizer("sgd", lr=0.005), full(), epochs=3000, quiet=True)
    # mse_half sums over the batch: the step is lr * Σ_i (f_w(x_i) − y_i) x_i
    assert h.stop.kind == "max_steps"
    np.testing.assert_allclose(m.W.data[:, 0], w_least_squares(data), atol=1e-6)


def test_batch_gd_with_the_mean_loss_matches_too(data):
    m = model_for(data)
    fit(m, data, "mse", make_optimizer("sgd", lr=0.3), full(), epochs=600, quiet=True)
    np.testing.assert_allclose(m.W.data[:, 0], w_least_squares(data), atol=1e-6)


def test_sgd_with_decay_lands_within_the_noise(data):
    m = model_for(data)
    lr = parse_schedule("inv:k=0.01", lr=0.05)
    h = fit(m, data, "mse_half", make_optimizer("sgd", lr=lr), stochastic(seed=1), epochs=20, quiet=True)
    assert h.n_steps == 20 * len(data)
    err = np.linalg.norm(m.W.data[:, 0] - w_least_squares(data))
    assert err < NOISE
    assert h.steps["lr"][-1] < h.steps["lr"][0] / 10


def test_minibatch_lands_within_the_noise(data):
    m = model_for(data)
    lr = parse_schedule("inv:k=0.01", lr=0.02)
    fit(m, data, "mse_half", make_optimizer("sgd", lr=lr), minibatch(16, seed=2), epochs=40, quiet=True)
    assert np.linalg.norm(m.W.data[:, 0] - w_least_squares(data)) < NOISE


def test_gradient_norm_stop_names_the_step(data):
    m = model_for(data)
    h = fit(m, data, "mse", make_optimizer("sgd", lr=0.3), full(), epochs=10_000, grad_tol=1e-8, quiet=True)
    assert h.stop.kind == "converged" and h.stop.step < 10_000
    assert h.steps["grad_norm"][-1] <= 1e-8 < h.steps["grad_norm"][-2]


def test_divergence_stops_and_names_the_step(data):
    m = model_for(data)
    h = fit(m, data, "mse", make_optimizer("sgd", lr=5.0), full(), epochs=1000, quiet=True)
    assert h.stop.kind == "diverged"
    assert f"step {h.stop.step}" in h.stop.message
    assert h.stop.step < 100 and np.all(np.isfinite(m.W.data))


def test_each_step_records_the_lr_and_gradient_norm_its_update_used(data):
    # plain SGD: θ_{k+1} − θ_k = −lr_k g_k, so ‖θ_{k+1} − θ_k‖ = lr_k ‖g_k‖ for the record of step k
    sched = parse_schedule("exp:k=0.1", lr=0.05)
    m = model_for(data)
    thetas = [m.W.data.copy()]
    h = fit(m, data, "mse", make_optimizer("sgd", lr=sched), minibatch(64, seed=0), epochs=2, quiet=True,
            callbacks=[lambda event, info: thetas.append(m.W.data.copy()) if event == "step" else None])
    assert h.steps["lr"] == [sched(k) for k in range(h.n_steps)] and h.steps["lr"][0] > h.steps["lr"][-1]
    moved = [np.linalg.norm(b - a) for a, b in zip(thetas, thetas[1:])]
    np.testing.assert_allclose(moved, np.multiply(h.steps["lr"], h.steps["grad_norm"]), rtol=1e-12)
    assert h.epochs["lr"] == [h.steps["lr"][3], h.steps["lr"][7]]  # 4 batches an epoch: the lr of its last step


def test_a_non_finite_loss_stops_and_names_the_step(data):
    m = model_for(data)
    h = fit(m, data, "mse", make_optimizer("sgd", lr=1e200), full(), epochs=10, quiet=True)
    assert h.stop.kind == "diverged" and h.stop.message == f"diverged at step {h.stop.step}: loss is inf"
    assert h.stop.details["quantity"] == "loss" and h.stop.details["value"] == np.inf
    assert h.n_epochs == h.stop.step and np.all(np.isfinite(m.W.data))  # the bad update was not applied
