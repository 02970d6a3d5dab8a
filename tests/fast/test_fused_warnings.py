"""A fused step raises the reference's NumericalWarning, word for word, when a finite gradient breaks it.

Each case runs the same step twice on 2^16+ elements: once on the reference path
(``record=True`` always takes it) and once through the fused kernel (the reference's
``_update`` is made to fail, so the kernel must be what ran). The warnings must be the
same sentence.
"""
from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from descentlab.errors import NumericalWarning
from descentlab.fast.fused import fused_plan
from descentlab.optim import make_optimizer
from descentlab.optim.base import FUSED_MIN_SIZE

N = FUSED_MIN_SIZE + 10


def _grad(kind, dtype):
    g = np.linspace(0.1, 1.0, N).astype(dtype)
    if kind == "zero":
        g[7] = 0.0
    elif kind == "huge":
        g[7] = np.finfo(dtype).max / 4
    return g


# (optimizer, hyperparameters, gradient, what the sentence must say)
CASES = [
    ("adam", {"eps": 0.0}, "zero", r"update of 'w' is not finite.*eps=0 divides a zero gradient by zero"),
    ("adam", {}, "huge", r"buffer 'w\.v' overflowed to infinity.*g\*g overflows"),
    ("rmsprop", {"eps": 0.0}, "zero", r"update of 'w' is not finite.*eps=0"),
    ("adagrad", {"eps": 0.0}, "zero", r"update of 'w' is not finite.*eps=0"),
    ("sgd", {"lr": 1e10}, "huge", r"sgd: at step 0 the update of 'w' is not finite"),
    ("momentum", {"lr": 1e10, "momentum": 0.9}, "huge", r"the update of 'w' is not finite"),
]


def _warned(fn):
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        fn()
    return [str(w.message) for w in caught if issubclass(w.category, NumericalWarning)]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,hyper,kind,pattern", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_fused_step_warns_as_the_reference_does(monkeypatch, backend, name, hyper, kind, pattern, dtype):
    opt = make_optimizer(name, **hyper)
    assert fused_plan(opt)[0] is not None
    g = _grad(kind, dtype)
    ref_params = {"w": np.ones(N, dtype=dtype)}
    ref_state = opt.init(ref_params)
    ref = _warned(lambda: opt.step(ref_params, {"w": g}, ref_state, record=True))

    params = {"w": np.ones(N, dtype=dtype)}
    state = opt.init(params)
    monkeypatch.setattr(type(opt), "_update", lambda *a, **k: pytest.fail("the reference ran, not the kernel"))
    fused = _warned(lambda: opt.step(params, {"w": g}, state))
    assert len(ref) == 1 and fused == ref
    assert re.search(pattern, fused[0])
    np.testing.assert_array_equal(params["w"], ref_params["w"])  # the step itself is the reference's


def test_the_warning_points_at_the_callers_line(monkeypatch):
    opt = make_optimizer("adam", eps=0.0)
    params = {"w": np.ones(N)}
    state = opt.init(params)
    with np.errstate(all="ignore"), pytest.warns(NumericalWarning) as rec:
        opt.step(params, {"w": _grad("zero", np.float64)}, state)
    assert rec[0].filename == __file__


@pytest.mark.parametrize("layout", ["flat", "per-parameter"])
def test_many_parameters_name_the_broken_one(monkeypatch, backend, layout):
    from descentlab.fast.flat import FlatArrays, flatten_state_slots

    opt = make_optimizer("adam", eps=0.0)
    shapes = {"a": (N // 2,), "b": (N - N // 2,)}
    params, grads = FlatArrays(shapes, fill=1.0), FlatArrays(shapes, fill=0.5)
    grads.flat[-1] = 0.0  # in b
    state = opt.init(params.views)
    if layout == "flat":
        flatten_state_slots(state.slots, shapes)
        p, g = params.views, grads.views
    else:
        p, g = {k: v.copy() for k, v in params.views.items()}, {k: v.copy() for k, v in grads.views.items()}
    monkeypatch.setattr(type(opt), "_update", lambda *a, **k: pytest.fail("the reference ran, not the kernel"))
    got = _warned(lambda: opt.step(p, g, state))
    assert len(got) == 1 and "adam: at step 0 the update of 'b' is not finite" in got[0]


@pytest.mark.parametrize("g", [np.full(N, 0.5), np.r_[np.full(N - 1, 0.5), np.nan]], ids=["healthy", "nan-gradient"])
def test_no_warning_for_a_healthy_step_or_a_non_finite_gradient(g):
    # a NaN gradient is the divergence rule's to report, as on the reference path
    opt = make_optimizer("adam")
    params = {"w": np.ones(N)}
    assert _warned(lambda: opt.step(params, {"w": g}, opt.init(params))) == []
