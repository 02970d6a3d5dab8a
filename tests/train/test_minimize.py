"""minimize(): closed forms, Newton, divergence with its step, stop reasons, JSON round trip."""
from __future__ import annotations

import json

import numpy as np
import pytest

from descentlab.errors import ConfigError, DataError, ShapeError
from descentlab.functions import get_surface
from descentlab.train.minimize import Trajectory, minimize


@pytest.mark.parametrize("lr", [0.05, 0.25, 0.5, 0.8, 0.99])
def test_gd_on_x2_follows_the_closed_form(lr):
    x0 = 1.7
    tr = minimize("x2", [x0], "sgd", lr=lr, steps=30, tol=None)
    t = np.arange(31)
    np.testing.assert_allclose(tr.x[:, 0], (1 - 2 * lr) ** t * x0, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(tr.f, tr.x[:, 0] ** 2, rtol=1e-12)
    np.testing.assert_allclose(tr.grad[:, 0], 2 * tr.x[:, 0], rtol=1e-12)
    np.testing.assert_allclose(tr.update[:, 0], np.diff(tr.x[:, 0]))
    assert tr.lr.tolist() == [lr] * 30
    assert tr.stop.kind == "max_steps" and tr.stop.step == 30


@pytest.mark.parametrize("lr,bound", [(1.1, 1e6), (1.5, 1e6), (3.0, 1e3), (1.01, 10.0)])
def test_gd_on_x2_beyond_gamma_one_is_reported_diverged_at_the_right_step(lr, bound):
    x0 = 2.0
    tr = minimize("x2", [x0], "sgd", lr=lr, steps=10_000, tol=1e-8, bound=bound)
    # |x_t| = |1 - 2 lr|^t |x0|: the first t with |x_t| > bound
    t_expected = next(t for t in range(10_000) if abs(1 - 2 * lr) ** t * x0 > bound)
    assert tr.stop.kind == "diverged"
    assert tr.stop.step == t_expected
    assert abs(tr.x[-1, 0]) > bound >= abs(tr.x[-2, 0])
    assert np.all(np.isfinite(tr.x)) and np.all(np.isfinite(tr.f))


def test_gamma_exactly_one_oscillates_without_diverging_or_converging():
    tr = minimize("x2", [1.0], "sgd", lr=1.0, steps=6, tol=1e-8)
    assert tr.x[:, 0].tolist() == [1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0]
    assert tr.stop.kind == "max_steps"


@pytest.mark.parametrize("eig,angle", [((1.0, 10.0), 30.0), ((0.01, 100.0), 10.0), ((2.0, 3.0, 50.0), 0.0)])
def test_newton_reaches_a_pd_quadratics_minimum_in_one_step(eig, angle):
    s = get_surface("quadratic", eigenvalues=eig, angle=angle)
    tr = minimize(s, None, "newton", steps=10, tol=1e-9)
    np.testing.assert_allclose(tr.x[1], 0.0, atol=1e-12)
    assert tr.stop.kind == "converged" and tr.stop.step == 1


def test_newton_on_booth_and_linreg_in_one_step():
    for name in ("booth", "linreg"):
        s = get_surface(name)
        tr = minimize(s, None, "newton", steps=3, tol=1e-9)
        np.testing.assert_allclose(tr.x[1], s.minima[0], rtol=1e-10, atol=1e-10)


def test_converged_reports_the_norm_and_stops_when_the_rule_first_holds():
    tr = minimize("quadratic", None, "sgd", lr=0.1, steps=2000, tol=1e-6, norm="inf")
    assert tr.stop.kind == "converged"
    assert tr.stop.details["norm"] == "inf" and tr.stop.details["eps"] == 1e-6
    assert np.max(np.abs(tr.grad[-1])) <= 1e-6 < np.max(np.abs(tr.grad[-2]))
    assert tr.grad_norm[-1] == np.max(np.abs(tr.grad[-1]))


def test_the_norm_choice_changes_when_it_stops():
    a = minimize("quadratic", None, "sgd", lr=0.1, steps=2000, tol=1e-4, norm=2)
    b = minimize("quadratic", None, "sgd", lr=0.1, steps=2000, tol=1e-4, norm=1)
    # ‖g‖₁ > ‖g‖₂ while both coordinates are non-zero, so the 1-norm rule holds later
    assert b.stop.step > a.stop.step
    for tr, order in ((a, 2), (b, 1)):
        norms = np.linalg.norm(tr.grad, ord=order, axis=1)
        assert norms[-1] <= 1e-4 < norms[-2] and np.all(norms[:-1] > 1e-4)
        np.testing.assert_allclose(tr.grad_norm, norms, rtol=1e-15)


def test_momentum_matches_the_heavy_ball_recurrence():
    s = get_surface("valley")
    lr, mu = 0.05, 0.9
    tr = minimize(s, None, "momentum", lr=lr, momentum=mu, steps=40, tol=None)
    x_prev = x = s.start.copy()
    ref = [x]
    for _ in range(40):
        x, x_prev = x - lr * s.grad(x) + mu * (x - x_prev), x
        ref.append(x)
    np.testing.assert_allclose(tr.x, np.array(ref), rtol=1e-10, atol=1e-12)


def test_schedule_lr_is_recorded_per_step():
    from descentlab.optim.schedules import StepDecay

    tr = minimize("rosenbrock", None, "sgd", lr=StepDecay(lr=1e-3, every=5, gamma=0.5), steps=12, tol=None)
    assert tr.lr.tolist() == [1e-3] * 5 + [5e-4] * 5 + [2.5e-4] * 2


def test_grad_noise_is_seeded():
    a = minimize("booth", None, "sgd", lr=0.01, steps=20, grad_noise=0.5, seed=3)
    b = minimize("booth", None, "sgd", lr=0.01, steps=20, grad_noise=0.5, seed=3)
    c = minimize("booth", None, "sgd", lr=0.01, steps=20, grad_noise=0.5, seed=4)
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, c.x)


def test_user_function_and_json_round_trip(tmp_path):
    tr = minimize(lambda x: float((x[0] - 1) ** 2 + 3 * x[1] ** 2), [0.0, 1.0], "adam", lr=0.1, steps=15, diff="fd")
    text = tr.to_json()
    back = Trajectory.from_json(text)
    for k in ("x", "f", "grad", "grad_norm", "lr", "update"):
        np.testing.assert_array_equal(getattr(back, k), getattr(tr, k))
    assert back.stop == tr.stop
    d = json.loads(text)
    assert d["stop"]["kind"] == "max_steps" and d["meta"]["optimizer"]["name"] == "adam"
    tr.to_json(tmp_path / "new" / "tr.json")
    assert (tmp_path / "new" / "tr.json").stat().st_size > 100


def test_diverged_json_has_no_bare_nan():
    # f = (log x)² + y² is NaN for x < 0, where lr = 10 sends the first step
    tr = minimize(lambda x: np.log(x[0]) ** 2 + x[1] ** 2, [2.0, 1.0], "sgd", lr=10.0, steps=100, diff="fd")
    assert tr.stop.kind == "diverged" and tr.stop.step == 1 and tr.stop.details["quantity"] == "loss"
    assert np.isnan(tr.f[-1])
    text = tr.to_json()
    assert "NaN" not in text
    d = json.loads(text, parse_constant=lambda c: pytest.fail(f"bare {c} in the JSON"))  # strict JSON
    assert d["f"][-1] == "nan" and d["stop"]["step"] == 1
    assert np.isnan(type(tr).from_json(text).f[-1])


@pytest.mark.parametrize("kw,exc,pattern", [
    (dict(f="rosenbrock", x0=[1, 2, 3]), ShapeError, r"start with 2 coordinates"),
    (dict(f="banana"), ConfigError, r"one of x2, quadratic"),
    (dict(f="x2", optimizer="adamm"), ConfigError, r"optimizer name among sgd, momentum"),
    (dict(f="x2", steps=-1), ConfigError, r"minimize: expected steps an integer >= 0, got -1"),
    (dict(f="x2", tol=-1.0), ConfigError, r"minimize: expected tol >= 0 or None, got -1\.0"),
    (dict(f="x2", norm="fro"), ConfigError, r"norm 2, 'inf' or 1"),
    (dict(f=lambda x: x, x0=[1.0, 2.0], diff="fd"), ShapeError, r"returns one number"),
    (dict(f=lambda x: float("nan"), x0=[1.0], diff="fd"), DataError, r"finite value"),
    (dict(f=lambda x: 0.0), ConfigError, r"start x0 for a user function"),
])
def test_bad_input(kw, exc, pattern):
    f = kw.pop("f")
    x0 = kw.pop("x0", None)
    with pytest.raises(exc, match=pattern):
        minimize(f, x0, **{"optimizer": "sgd", "lr": 0.1, **kw})


def test_extra_stop_rules_and_the_diverged_details():
    from descentlab.optim.stopping import NoImprovement

    tr = minimize("rastrigin", None, "sgd", lr=1e-3, steps=1000, stop=[NoImprovement(patience=5)])
    assert tr.stop.kind == "no_improvement" and tr.stop.step == len(tr.f) - 1 < 1000
    d = minimize("x2", [2.0], "sgd", lr=1.5, steps=100).stop
    assert d.details["quantity"] == "params" and d.details["bound"] == 1e6
    assert "diverged at step 19" in d.message
    with pytest.raises(ConfigError, match="stopping rules"):
        minimize("x2", [1.0], "sgd", lr=0.1, stop=[lambda *a: None])


def test_lookahead_nesterov_takes_the_gradient_at_the_lookahead_point():
    s = get_surface("valley")
    lr, mu = 0.05, 0.9
    tr = minimize(s, None, "nesterov", preset="lecture", lr=lr, momentum=mu, nesterov_form="lookahead",
                  momentum_form="lr_inside", steps=25, tol=None)
    x, v = s.start.copy(), np.zeros(2)
    ref = [x]
    for _ in range(25):  # v <- mu v - lr ∇f(x + mu v); x <- x + v
        v = mu * v - lr * s.grad(x + mu * v)
        x = x + v
        ref.append(x)
    np.testing.assert_allclose(tr.x, np.array(ref), rtol=1e-12, atol=1e-12)


def test_record_keeps_the_optimizers_step_records():
    tr = minimize("booth", None, "adam", lr=0.1, steps=5, record=True)
    assert len(tr.records) == 5
    for t, rec in enumerate(tr.records):
        assert rec.step == t and rec.lr == tr.lr[t]
        np.testing.assert_allclose(rec.update["x"], tr.update[t], rtol=1e-12, atol=1e-15)
        assert set(rec.buffers["x"]) >= {"m", "v"}
    d = json.loads(tr.to_json())
    assert len(d["records"]) == 5 and "step_size" in d["records"][0]
    assert minimize("booth", None, "adam", lr=0.1, steps=5).records is None


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=30, deadline=None)
@given(lam=st.lists(st.floats(0.1, 20.0), min_size=2, max_size=2), angle=st.floats(0, 180),
       frac=st.floats(0.05, 0.95), x0=st.lists(st.floats(-5, 5), min_size=2, max_size=2))
def test_gd_on_any_pd_quadratic_follows_x_t_equals_I_minus_gamma_A_to_the_t(lam, angle, frac, x0):
    s = get_surface("quadratic", eigenvalues=lam, angle=angle)
    A = s.hess(np.zeros(2))
    lr = frac * 2.0 / max(lam)
    tr = minimize(s, x0, "sgd", lr=lr, steps=15, tol=None)
    M = np.eye(2) - lr * A
    ref = [np.array(x0, float)]
    for _ in range(15):
        ref.append(M @ ref[-1])
    np.testing.assert_allclose(tr.x, np.array(ref), rtol=1e-9, atol=1e-12)
    assert tr.stop.kind == "max_steps"
