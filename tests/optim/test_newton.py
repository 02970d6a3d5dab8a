"""Newton's method: x <- x - (H + lambda I)^{-1} grad f, and what it does when H is not PD."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from descentlab.calculus import numerical_gradient, numerical_hessian
from descentlab.errors import ConfigError, ShapeError
from descentlab.optim import NewtonFallbackWarning, make_optimizer


# -- Rosenbrock, written here (exact derivatives), checked against central differences --
def rosen(x):
    return (1.0 - x[0]) ** 2 + 100.0 * (x[1] - x[0] ** 2) ** 2


def rosen_grad(x):
    return np.array([-2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] ** 2), 200.0 * (x[1] - x[0] ** 2)])


def rosen_hess(x):
    return np.array([[2.0 - 400.0 * x[1] + 1200.0 * x[0] ** 2, -400.0 * x[0]],
                     [-400.0 * x[0], 200.0]])


@pytest.mark.parametrize("x", [[-1.5, 2.0], [1.05, 1.1], [0.3, -0.7]])
def test_rosenbrock_derivatives_match_central_differences(x):
    x = np.array(x)
    np.testing.assert_allclose(rosen_grad(x), numerical_gradient(rosen, x), rtol=1e-7, atol=1e-6)
    np.testing.assert_allclose(rosen_hess(x), numerical_hessian(rosen, x, h=1e-4), rtol=1e-5, atol=1e-3)


def _random_spd(rng, n, cond):
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    return Q @ np.diag(np.geomspace(1.0, cond, n)) @ Q.T


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 6), seed=st.integers(0, 2**31 - 1), cond=st.floats(1.0, 1e4))
def test_one_step_on_any_positive_definite_quadratic(n, seed, cond):
    # f(x) = 0.5 x^T A x - b^T x: grad = A x - b, H = A, minimum A^{-1} b
    rng = np.random.default_rng(seed)
    A = _random_spd(rng, n, cond)
    b = rng.normal(size=n)
    x_star = np.linalg.solve(A, b)
    params = {"x": rng.normal(size=n) * 10}
    opt = make_optimizer("newton")
    state = opt.init(params)
    rec = opt.step(params, {"x": A @ params["x"] - b}, state, record=True, hessian=A)
    assert rec.note is None
    np.testing.assert_allclose(params["x"], x_star, rtol=1e-8, atol=1e-8 * np.max(np.abs(x_star)))
    assert np.linalg.norm(A @ params["x"] - b) <= 1e-8 * max(1.0, np.linalg.norm(b)) * cond


def test_quadratic_convergence_on_rosenbrock_near_the_minimum():
    x_star = np.array([1.0, 1.0])
    params = {"x": np.array([1.2, 1.3])}
    opt = make_optimizer("newton")
    state = opt.init(params)
    errors = [np.linalg.norm(params["x"] - x_star)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", NewtonFallbackWarning)  # H is PD here: no fallback allowed
        for _ in range(6):
            x = params["x"]
            opt.step(params, {"x": rosen_grad(x)}, state, hessian=rosen_hess(x))
            errors.append(np.linalg.norm(params["x"] - x_star))
            if errors[-1] < 1e-15:
                break
    assert errors[-1] < 1e-12
    # once close (e < 0.05): e_{k+1} <= C e_k^2 with one C for every step, i.e. the number of
    # correct digits -log10(e) at least doubles, less a constant (log10 C)
    close = [(e0, e1) for e0, e1 in zip(errors, errors[1:]) if e0 < 0.05 and e1 > 0]
    assert len(close) >= 3
    for e0, e1 in close:
        assert e1 <= 5.0 * e0 ** 2, errors
        assert -np.log10(e1) >= 2 * -np.log10(e0) - 1.0, errors
    # four steps take e from 0.36 to below 1e-5
    assert errors[4] < 1e-5


def test_damped_and_regularised_steps():
    A = np.diag([2.0, 8.0])
    g = np.array([2.0, 8.0])
    for lr, lam in [(0.5, 0.0), (1.0, 1.0), (0.25, 3.0)]:
        params = {"x": np.zeros(2)}
        opt = make_optimizer("newton", lr=lr, regularization=lam)
        opt.step(params, {"x": g}, opt.init(params), hessian=A)
        np.testing.assert_allclose(params["x"], -lr * g / (np.diag(A) + lam))


@pytest.mark.parametrize("fallback", ["regularize", "gradient", "none"])
def test_saddle_point_falls_back_and_says_which(fallback):
    # f = x^2 - y^2 at (1, 0.5): H = diag(2, -2) is indefinite; the raw Newton step jumps to the saddle (0, 0)
    H = np.diag([2.0, -2.0])
    x0 = np.array([1.0, 0.5])
    g = np.array([2.0, -1.0])
    params = {"x": x0.copy()}
    opt = make_optimizer("newton", fallback=fallback, fallback_lr=0.1, min_curvature=1.0)
    with pytest.warns(NewtonFallbackWarning, match=fallback):
        rec = opt.step(params, {"x": g}, opt.init(params), record=True, hessian=H)
    assert rec.note.startswith(fallback) and "not positive definite" in rec.note
    u = params["x"] - x0
    if fallback == "none":
        np.testing.assert_allclose(params["x"], [0.0, 0.0], atol=1e-15)
    elif fallback == "gradient":
        np.testing.assert_allclose(u, -0.1 * g)
    else:
        # shifted so the smallest eigenvalue is max(|-2|, min_curvature=1) = 2: H + 4I = diag(6, 2)
        np.testing.assert_allclose(u, -g / np.array([6.0, 2.0]))
    if fallback != "none":
        assert g @ u < 0  # a descent direction, unlike the raw Newton step


def test_block_diagonal_hessian_equals_the_full_matrix():
    params_a = {"w": np.array([1.0, 2.0]), "b": np.array(3.0)}
    params_b = {k: v.copy() for k, v in params_a.items()}
    grads = {"w": np.array([0.5, -1.0]), "b": np.array(2.0)}
    Hw = np.array([[2.0, 0.5], [0.5, 1.0]])
    opt = make_optimizer("newton")
    opt.step(params_a, grads, opt.init(params_a), hessian={"w": Hw, "b": np.array([[4.0]])})
    full = np.zeros((3, 3))
    full[:2, :2] = Hw
    full[2, 2] = 4.0
    opt.step(params_b, grads, opt.init(params_b), hessian=full)
    for k in params_a:
        np.testing.assert_allclose(params_a[k], params_b[k], rtol=1e-14)
    assert params_a["b"].shape == ()


def test_newton_errors():
    opt = make_optimizer("newton")
    params = {"x": np.zeros(2)}
    state = opt.init(params)
    assert opt.needs_hessian and not make_optimizer("adam").needs_hessian
    with pytest.raises(ConfigError, match="hessian"):
        opt.step(params, {"x": np.ones(2)}, state)
    with pytest.raises(ShapeError, match=r"shape \(2, 2\)"):
        opt.step(params, {"x": np.ones(2)}, state, hessian=np.eye(3))
    with pytest.raises(ConfigError, match="only newton"):
        sgd = make_optimizer("sgd")
        sgd.step(params, {"x": np.ones(2)}, sgd.init(params), hessian=np.eye(2))
    with pytest.raises(ConfigError, match="only newton"):
        sgd.update({"x": np.ones(2)}, sgd.init(params), params, hessian=np.eye(2))
    updates, new_state = opt.update({"x": np.ones(2)}, state, params, hessian=2 * np.eye(2))
    np.testing.assert_allclose(updates["x"], [-0.5, -0.5], rtol=1e-15)
    assert new_state.step == 1 and state.step == 0 and np.array_equal(params["x"], np.zeros(2))


@pytest.mark.parametrize("hessian,exc,pattern", [
    ({"x": np.array([[np.nan, 0.0], [0.0, 1.0]])}, ConfigError, "finite Hessian"),
    ({"x": np.eye(2), "y": np.eye(1)}, ShapeError, r"also \['y'\]"),
    ({"z": np.eye(2)}, ShapeError, r"Hessian block for parameter 'x'"),
    (np.eye(3), ShapeError, r"Hessian of shape \(2, 2\)"),
])
def test_bad_hessians_are_refused(hessian, exc, pattern):
    opt = make_optimizer("newton")
    params = {"x": np.ones(2)}
    with pytest.raises(exc, match=pattern):
        opt.step(params, {"x": np.ones(2)}, opt.init(params), hessian=hessian)
    assert np.array_equal(params["x"], np.ones(2))


def test_regularize_fallback_floors_at_min_curvature_when_the_negative_eigenvalue_is_tiny():
    H = np.diag([2.0, -1e-6])
    g = np.array([1.0, 1.0])
    params = {"x": np.zeros(2)}
    opt = make_optimizer("newton", min_curvature=0.5)
    with pytest.warns(NewtonFallbackWarning):
        opt.step(params, {"x": g}, opt.init(params), hessian=H)
    np.testing.assert_allclose(params["x"], -g / np.array([2.0 + 0.5 + 1e-6, 0.5]))


def test_regularized_newton_stays_on_the_scale_of_the_problem_on_beale():
    from descentlab.train import minimize

    # From Beale's default start (1, 1.5) the Hessian is indefinite. A shift to a tiny
    # min_curvature threw the first step to |x| ~ 1e9; the mirrored shift keeps it short.
    with pytest.warns(NewtonFallbackWarning):
        tr = minimize("beale", None, "newton", steps=1)
    assert np.linalg.norm(tr.x[1] - tr.x[0]) < 1.0
    assert tr.f[1] < tr.f[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NewtonFallbackWarning)  # the path may cross indefinite regions
        near = minimize("beale", [2.5, 0.2], "newton", steps=30)
    assert near.stop.kind == "converged"
    np.testing.assert_allclose(near.x[-1], [3.0, 0.5], atol=1e-10)
