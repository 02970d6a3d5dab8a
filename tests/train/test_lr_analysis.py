"""Step-size theory on quadratics against what runs show."""
from __future__ import annotations

import numpy as np
import pytest

from descentlab.errors import ConfigError
from descentlab.functions import get_surface
from descentlab.train import lr_analysis as la
from descentlab.train.minimize import minimize


def test_x2_bound_and_regimes_match_the_lecture():
    A = [[2.0]]  # f = x², f'' = 2
    assert la.max_stable_lr(A) == 1.0
    assert la.best_gd(A) == (0.5, 0.0)
    assert la.gd_rate(A, 0.25) == 0.5 and la.gd_rate(A, 1.2) == pytest.approx(1.4)
    regimes = la.step_size_regimes(A)
    assert regimes == pytest.approx({"too small": 0.05, "good": 0.4, "too large": 0.875, "divergent": 1.05})
    assert [la.classify_lr(lr, A) for lr in regimes.values()] == list(regimes) == list(la.REGIMES)
    assert [la.classify_lr(g, A) for g in (0.2, 0.3, 0.75, 0.8, 1.0, 1.01)] == [
        "too small", "good", "good", "too large", "too large", "divergent"]


@pytest.mark.parametrize("eig", [(1.0, 10.0), (1.0, 100.0), (2.0, 3.0)])
def test_regimes_on_a_quadratic_classify_as_named_and_behave_so(eig):
    s = get_surface("quadratic", eigenvalues=eig, angle=25.0)
    A = s.hess(np.zeros(2))
    regimes = la.step_size_regimes(A)
    assert [la.classify_lr(lr, A) for lr in regimes.values()] == list(la.REGIMES)
    rates = {name: la.gd_rate(A, lr) for name, lr in regimes.items()}
    assert rates["good"] < rates["too small"] and rates["good"] < rates["too large"] < 1 < rates["divergent"]
    # too large: the stiff direction's factor 1 − γλ_max is negative (it oscillates)
    assert 1 - regimes["too large"] * max(eig) < 0


@pytest.mark.parametrize("eig", [(1.0, 10.0), (0.5, 40.0), (1.0, 3.0, 9.0)])
def test_stability_bound_is_sharp_on_runs(eig):
    s = get_surface("quadratic", eigenvalues=eig, angle=20.0)
    bound = la.max_stable_lr(s)
    assert bound == pytest.approx(2.0 / max(eig))
    below = minimize(s, None, "sgd", lr=0.98 * bound, steps=3000, tol=1e-6)
    above = minimize(s, None, "sgd", lr=1.02 * bound, steps=3000, tol=1e-6)
    assert below.stop.kind == "converged"
    assert above.stop.kind == "diverged"


@pytest.mark.parametrize("eig", [(1.0, 10.0), (1.0, 100.0)])
def test_predicted_gd_rates_equal_measured(eig):
    checks = la.compare_rates("quadratic", eigenvalues=eig, steps=300)
    for c in checks:
        if c.method == "gd":
            assert c.measured == pytest.approx(c.predicted, rel=1e-6)
        else:
            # Polyak's tuning gives a double eigenvalue: e_t ~ t ρ^t, so the finite-run
            # rate sits a little above ρ
            assert c.predicted <= c.measured <= c.predicted * 1.02
    kappa = max(eig) / min(eig)
    gd_best = [c for c in checks if c.method == "gd"][-1]
    hb = checks[-1]
    assert gd_best.predicted == pytest.approx((kappa - 1) / (kappa + 1))
    assert hb.predicted == pytest.approx((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1), rel=1e-6)
    assert hb.measured < gd_best.measured  # momentum is faster on an ill-conditioned quadratic


def test_heavy_ball_rate_with_mu_zero_is_gd_rate():
    A = np.diag([1.0, 7.0])
    for lr in (0.05, 0.2, 0.28):
        assert la.heavy_ball_rate(A, lr, 0.0) == pytest.approx(la.gd_rate(A, lr))


def test_heavy_ball_predicted_rate_at_an_arbitrary_mu_matches_a_run():
    s = get_surface("quadratic", eigenvalues=(1.0, 20.0), angle=0.0)
    A = s.hess(np.zeros(2))
    lr, mu = 0.05, 0.5
    tr = minimize(s, None, "momentum", lr=lr, momentum=mu, steps=400, tol=None)
    assert la.measured_rate(tr.x) == pytest.approx(la.heavy_ball_rate(A, lr, mu), rel=1e-3)


@pytest.mark.parametrize("A,pattern", [
    ([[1.0, 0.0], [0.0, -1.0]], r"positive-definite"),
    ([[1.0, 2.0], [0.0, 1.0]], r"symmetric"),
    ([[1.0, 2.0, 3.0]], r"square"),
])
def test_bad_matrices(A, pattern):
    with pytest.raises(ConfigError, match=pattern):
        la.max_stable_lr(A)


def test_surfaces_must_be_quadratic_but_their_hessian_at_a_point_is_fine():
    for name in ("x2", "quadratic", "valley", "booth", "linreg"):
        s = get_surface(name)
        assert la.max_stable_lr(s) == pytest.approx(2.0 / np.max(np.linalg.eigvalsh(s.hess(s.start))))
    with pytest.raises(ConfigError, match=r"a quadratic surface .* rosenbrock, whose Hessian changes"):
        la.max_stable_lr(get_surface("rosenbrock"))
    H = get_surface("rosenbrock").hess([1.0, 1.0])  # at the minimum: [[802, -400], [-400, 200]]
    assert la.max_stable_lr(H) == pytest.approx(2.0 / np.max(np.linalg.eigvalsh(H)))


def test_compare_rates_needs_a_run_long_enough_to_measure():
    with pytest.raises(ConfigError, match=r"steps >= 4"):
        la.compare_rates("quadratic", steps=0)


def test_classify_rejects_non_positive_lr():
    with pytest.raises(ConfigError, match=r"lr > 0"):
        la.classify_lr(0.0, [[2.0]])
