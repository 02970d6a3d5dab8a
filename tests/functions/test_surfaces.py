"""Every surface's exact derivatives against float64 central differences, and its minima."""
from __future__ import annotations

import numpy as np
import pytest

from descentlab.errors import ConfigError, ShapeError
from descentlab.functions import get_surface, list_surfaces

# surfaces with their non-default variants too
CASES = [(name, {}) for name in list_surfaces()] + [
    ("quadratic", {"eigenvalues": (1.0, 100.0), "angle": 0.0}),
    ("quadratic", {"eigenvalues": (0.5, 2.0, 30.0)}),
    ("rastrigin", {"dim": 3}),
    ("rosenbrock", {"a": 2.0, "b": 10.0}),
    ("linreg", {"n": 7, "seed": 3}),
]
IDS = [f"{n}{'-' + '-'.join(map(str, kw.values())) if kw else ''}" for n, kw in CASES]


def _central_grad(f, x, h):
    g = np.empty_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def _points(s, k=6, seed=0):
    rng = np.random.default_rng(seed)
    lo = np.array([w[0] for w in s.window] * (s.dim // len(s.window) or 1))[: s.dim]
    hi = np.array([w[1] for w in s.window] * (s.dim // len(s.window) or 1))[: s.dim]
    pts = [s.start, *s.minima]
    pts += [rng.uniform(lo, hi) for _ in range(k)]
    return pts


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_gradient_equals_central_differences(name, kw):
    s = get_surface(name, **kw)
    for x in _points(s):
        g = s.grad(x)
        num = _central_grad(s.f, np.asarray(x, float), 1e-6)
        scale = max(1.0, np.max(np.abs(g)))
        np.testing.assert_allclose(g, num, rtol=1e-6, atol=1e-6 * scale, err_msg=f"{name} at {x}")


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_hessian_equals_central_differences_of_gradient(name, kw):
    s = get_surface(name, **kw)
    for x in _points(s):
        H = s.hess(x)
        num = np.stack([_central_grad(lambda y, i=i: s.grad(y)[i], np.asarray(x, float), 1e-6) for i in range(s.dim)])
        scale = max(1.0, np.max(np.abs(H)))
        np.testing.assert_allclose(H, num, rtol=1e-6, atol=1e-6 * scale, err_msg=f"{name} at {x}")
        np.testing.assert_array_equal(H, H.T)


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_known_minima_have_zero_gradient_and_psd_hessian(name, kw):
    s = get_surface(name, **kw)
    for m in s.minima:
        scale = max(1.0, np.max(np.abs(s.hess(m))))
        assert np.max(np.abs(s.grad(m))) < 1e-12 * scale * 100, f"{name}: ∇f{m.tolist()} = {s.grad(m)}"
        assert np.min(np.linalg.eigvalsh(s.hess(m))) >= -1e-12
        assert s.f(m) == pytest.approx(s.f_min)


def test_saddle_has_no_minimum_and_an_indefinite_hessian_at_the_origin():
    s = get_surface("saddle")
    assert s.minima == () and s.f_min is None
    assert np.linalg.eigvalsh(s.hess([0, 0])).tolist() == [-2.0, 2.0]
    assert s.nearest_minimum([1, 1])[0] is None


def test_known_values():
    assert get_surface("x2").f([3.0]) == 9.0
    assert get_surface("beale").f([3.0, 0.5]) == 0.0
    assert get_surface("booth").f([1.0, 3.0]) == 0.0
    assert get_surface("rastrigin").f([1.0, 0.0]) == pytest.approx(1.0)
    assert get_surface("rosenbrock").f([0.0, 0.0]) == 1.0
    assert get_surface("himmelblau").f([3.0, 2.0]) == 0.0


def test_quadratic_hessian_has_the_chosen_eigenvalues():
    s = get_surface("quadratic", eigenvalues=(1.0, 25.0), angle=40.0)
    np.testing.assert_allclose(np.linalg.eigvalsh(s.hess([0.3, -2])), [1.0, 25.0], rtol=1e-12)


def test_linreg_minimum_is_the_least_squares_fit_and_data_is_seeded():
    s = get_surface("linreg", n=30, seed=5)
    x, y = np.array(s.params["x"]), np.array(s.params["y"])
    w, b = np.polyfit(x, y, 1)  # a reference we did not write
    np.testing.assert_allclose(s.minima[0], [w, b], rtol=1e-10)
    assert get_surface("linreg", n=30, seed=5).params["x"] == s.params["x"]
    assert get_surface("linreg", n=30, seed=6).params["x"] != s.params["x"]
    # the chapter's batch gradient: (1/M) Σ (w x_i + b − y_i) x_i
    theta = np.array([0.7, -0.2])
    r = theta[0] * x + theta[1] - y
    np.testing.assert_allclose(s.grad(theta), [np.mean(r * x), np.mean(r)], rtol=1e-12)


def test_nearest_minimum_of_himmelblau():
    s = get_surface("himmelblau")
    m, d = s.nearest_minimum([-3.0, -3.0])
    assert m[0] < -3.7 and m[1] < -3.2 and d < 1.0


@pytest.mark.parametrize("call,exc,pattern", [
    (lambda: get_surface("rosenbrok"), ConfigError, r"did you mean 'rosenbrock'.*|rosenbrock, beale"),
    (lambda: get_surface("nope"), ConfigError, r"one of x2, quadratic, saddle, valley, rosenbrock"),
    (lambda: get_surface("rosenbrock", c=1), ConfigError, r"options of 'rosenbrock'"),
    (lambda: get_surface("quadratic", eigenvalues=(1, -2)), ConfigError, r"positive, finite eigenvalues"),
    (lambda: get_surface("rosenbrock").check_start([1, 2, 3]), ShapeError, r"start with 2 coordinates.*shape \(3,\)"),
    (lambda: get_surface("rosenbrock").check_start([float("nan"), 1]), ConfigError, r"finite start, got \(nan, 1\)"),
    # a factory's own sentence is not wrapped in "expected numbers for the options"
    (lambda: get_surface("quadratic", eigenvalues=(1, -2)), ConfigError, r"^expected positive, finite eigenvalues"),
    (lambda: get_surface("x2").grad([1, 2]), ShapeError, r"point with 1 coordinate"),
    (lambda: get_surface("rastrigin", dim=0), ConfigError, r"dim >= 1"),
    # text where a number belongs (as --surface-opt a=x gives it) is one sentence, not a traceback
    (lambda: get_surface("rastrigin", dim="a"), ConfigError, r"numbers for the options of 'rastrigin', got dim='a'"),
    (lambda: get_surface("valley", a="x"), ConfigError, r"numbers for the options of 'valley'"),
    (lambda: get_surface("quadratic", eigenvalues="abc"), ConfigError, r"numbers for the options of 'quadratic'"),
    (lambda: get_surface("rosenbrock", b="x"), ConfigError, r"numbers for the options of 'rosenbrock'"),
])
def test_bad_input(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


def test_describe_is_json_ready():
    import json

    for name in list_surfaces():
        json.dumps(get_surface(name).describe())
