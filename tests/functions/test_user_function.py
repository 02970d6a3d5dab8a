"""A user's Python function as a surface: derivatives and clear errors at x0."""
from __future__ import annotations

import math

import numpy as np
import pytest

from descentlab.errors import ConfigError, DataError, ShapeError
from descentlab.functions import from_function, get_surface, load_function


def rosen(x):
    return (1.0 - x[0]) ** 2 + 100.0 * (x[1] - x[0] ** 2) ** 2


def test_finite_differences_match_the_exact_rosenbrock():
    exact = get_surface("rosenbrock")
    s = from_function(rosen, [-1.2, 1.0], method="fd")
    for x in ([-1.2, 1.0], [0.3, 0.4], [1.0, 1.0]):
        np.testing.assert_allclose(s.grad(x), exact.grad(x), rtol=1e-7, atol=1e-6)
        np.testing.assert_allclose(s.hess(x), exact.hess(x), rtol=1e-4, atol=1e-3)
    assert s.dim == 2 and s.name == "rosen" and not s.exact


def test_function_using_numpy_ufuncs_works_with_fd():
    s = from_function(lambda x: float(np.sum(np.sin(x) ** 2)), [0.3, -0.2, 1.0], method="fd")
    x = np.array([0.3, -0.2, 1.0])
    np.testing.assert_allclose(s.grad(x), np.sin(2 * x), rtol=1e-8)


@pytest.mark.parametrize("fn,x0,exc,pattern", [
    (lambda x: x, [1.0, 2.0], ShapeError, r"returns one number at x0.*shape \(2,\)"),
    (lambda x: np.log(x[0] - 5.0), [1.0], DataError, r"finite value of .* at x0 = \[1.0\]"),
    (lambda x: math.inf, [1.0], DataError, r"finite value"),
    (lambda x: x[0], [[1.0, 2.0]], ShapeError, r"1-D"),
    (rosen, [1.0, 1.0], ConfigError, None),  # wrong method, below
])
def test_bad_user_functions(fn, x0, exc, pattern):
    if pattern is None:
        with pytest.raises(ConfigError, match=r"method 'autodiff' or 'fd'"):
            from_function(fn, x0, method="symbolic")
        return
    with pytest.raises(exc, match=pattern), np.errstate(all="ignore"):
        from_function(fn, x0, method="fd")


def test_load_function_from_module_and_file(tmp_path):
    assert load_function("math:cos") is math.cos
    f = tmp_path / "myloss.py"
    f.write_text("def bowl(x):\n    return float((x ** 2).sum())\n")
    fn = load_function(f"{f}:bowl")
    assert fn(np.array([1.0, 2.0])) == 5.0


@pytest.mark.parametrize("spec,pattern", [
    ("nocolon", r"module:function"),
    ("no_such_module_xyz:f", r"importable module"),
    ("math:no_such_fn", r"function 'no_such_fn' in math"),
    ("missing_file.py:f", r"existing Python file"),
])
def test_load_function_errors(spec, pattern):
    with pytest.raises(ConfigError, match=pattern):
        load_function(spec)


def test_autodiff_gradient_is_exact_and_hessian_close():
    exact = get_surface("rosenbrock")
    s = from_function(rosen, [-1.2, 1.0])  # default: descentlab's autodiff
    for x in ([-1.2, 1.0], [0.3, 0.4], [2.0, -1.0]):
        np.testing.assert_allclose(s.grad(x), exact.grad(x), rtol=1e-14, atol=1e-12)
        np.testing.assert_allclose(s.hess(x), exact.hess(x), rtol=1e-6, atol=1e-5)


def test_autodiff_reports_a_function_it_cannot_trace():
    with pytest.raises(ConfigError, match=r"work on a descentlab Tensor.*method='fd'"):
        from_function(lambda x: np.sin(x[0]), [1.0])
