"""gradcheck itself: it must pass right gradients and catch wrong ones, saying where."""
from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest

import descentlab.autodiff as ad
from descentlab.autodiff import F, GradcheckReport, Tensor, gradcheck
from descentlab.autodiff.ops import _new


def _wrong_square(a):
    # x², but with gradient 2x + 1 at the element with the largest value: a planted bug.
    x = a.data
    bump = (x == x.max()).astype(x.dtype)
    return _new(x * x, (a,), lambda g: (g * (2 * x + bump),), "wrong_square")


def test_passes_a_right_gradient_and_reports_both_values():
    x = np.array([[0.5, -1.0], [2.0, 0.1]])
    report = gradcheck(lambda x: (x * x).sum(), [x])
    assert isinstance(report, GradcheckReport)
    assert report.ok and bool(report)
    assert report.n_checked == 4
    assert report.max_rel_error < 1e-8
    i = report.element_index
    assert report.analytic == pytest.approx(2 * x[i], rel=1e-12)
    assert report.numeric == pytest.approx(2 * x[i], rel=1e-7)


def test_catches_a_wrong_gradient_and_says_where():
    x = np.array([0.5, -1.0, 2.0, 0.1])
    report = gradcheck(lambda x: _wrong_square(x).sum(), [x])
    assert not report.ok
    assert report.input_index == 0 and report.element_index == (2,)
    assert report.analytic == pytest.approx(5.0)
    assert report.numeric == pytest.approx(4.0, rel=1e-7)
    assert report.max_rel_error == pytest.approx(0.2, rel=1e-6)
    text = str(report)
    assert "FAILED" in text and "input 0, index (2,)" in text and "analytic 5" in text and "numeric 4" in text


def test_second_input_and_non_scalar_output():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(3), rng.standard_normal(3)
    report = gradcheck(lambda a, b: a * _wrong_square(b), [a, b])
    assert not report.ok and report.input_index == 1
    assert gradcheck(lambda a, b: a * b * b, [a, b]).ok


def test_does_not_change_the_callers_arrays_and_upcasts_float32():
    x = np.array([1.0, 2.0], dtype=np.float32)
    report = gradcheck(lambda x: (x.exp()).sum(), [x])
    assert report.ok
    np.testing.assert_array_equal(x, np.array([1.0, 2.0], dtype=np.float32))


def test_input_not_used_gets_zero_gradient():
    report = gradcheck(lambda a, b: (a * 2.0).sum(), [np.ones(2), np.ones(3)])
    assert report.ok and report.n_checked == 5


def test_bad_tolerances():
    with pytest.raises(ValueError, match="eps, atol and rtol > 0"):
        gradcheck(lambda x: x.sum(), [np.ones(1)], eps=0.0)


@pytest.mark.parametrize("module", [
    "descentlab.autodiff", "descentlab.autodiff.tensor", "descentlab.autodiff.functional",
    "descentlab.autodiff.gradcheck", "descentlab.autodiff.grad_mode", "descentlab.calculus",
])
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_public_names():
    import descentlab

    assert descentlab.Tensor is Tensor
    assert descentlab.gradcheck is gradcheck
    assert descentlab.no_grad is ad.no_grad
    assert ad.F is F


def test_a_nan_gradient_fails():
    def nan_grad(a):
        return _new(a.data * 1.0, (a,), lambda g: (g * np.nan,), "nan_grad")

    report = gradcheck(lambda x: nan_grad(x).sum(), [np.array([1.0, 2.0])])
    assert not report.ok and report.max_rel_error == np.inf
