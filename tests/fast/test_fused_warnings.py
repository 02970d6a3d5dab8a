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


# -- the numba loops check what they write themselves ------------------------------------
_NUMBA = pytest.mark.skipif(not __import__("descentlab.fast.kernels", fromlist=["x"]).numba_available(),
                            reason="numba is not installed")


@_NUMBA
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("name,hyper,kind,pattern", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_numba_loops_report_non_finite_writes_without_a_second_pass(monkeypatch, name, hyper, kind, pattern, threads):
    from descentlab.fast import fused, kernels

    kernels.set_backend("numba")
    kernels.set_threads(threads)
    monkeypatch.setattr(kernels, "_PARALLEL_MIN", 1024)  # so threads=2 really splits the arrays
    monkeypatch.setattr(fused, "_all_finite", lambda arrays: pytest.fail("the arrays were summed again"))
    try:
        opt = make_optimizer(name, **hyper)
        params = {"w": np.ones(N)}
        state = opt.init(params)
        got = _warned(lambda: opt.step(params, {"w": _grad(kind, np.float64)}, state))
        assert len(got) == 1 and re.search(pattern, got[0])
        healthy = {"w": np.ones(N)}
        assert _warned(lambda: opt.step(healthy, {"w": np.full(N, 0.5)}, opt.init(healthy))) == []
    finally:
        kernels.set_backend("auto")
        kernels.set_threads(1)


@_NUMBA
@pytest.mark.parametrize("where", ["p", "v", "none"])
def test_the_adam_loop_flag_covers_the_parameters_and_v(where):
    from descentlab.fast import _numba_kernels as nb

    n, dt = 1000, np.float64
    p, g, m, v = np.ones(n), np.full(n, 0.5), np.zeros(n), np.zeros(n)
    if where == "v":
        g[n - 1] = np.finfo(dt).max / 4  # g*g overflows v; the update stays finite (it is 0)
    elif where == "p":
        p[3] = np.inf
    with np.errstate(all="ignore"):
        ok = nb.adam(p, g, m, v, 0.9, 0.1, 0.999, 0.001, 0.1, 0.001, 1e-3, 1e-8, 0, 0.0, False, 0.0, False)
    assert ok is (where == "none")
    assert np.isfinite(p).all() == (where != "p") and np.isfinite(v).all() == (where != "v")


@_NUMBA
@pytest.mark.parametrize("name", ["rprop", "lion", "adamax", "adadelta", "radam"])
def test_the_family_loops_flag_what_they_write(monkeypatch, name):
    from descentlab.fast import fused, kernels

    kernels.set_backend("numba")
    looked = []
    monkeypatch.setattr(fused, "_all_finite", lambda arrays: pytest.fail("the arrays were summed again"))
    monkeypatch.setattr(fused, "_warn_if_finite_grads_broke", lambda *a, **k: looked.append(a[1]))
    try:
        opt = make_optimizer(name)
        params = {"w": np.ones(N)}
        state = opt.init(params)
        opt.step(params, {"w": np.full(N, 0.5)}, state)
        assert looked == []  # a healthy step: the loop said so, nothing was looked at
        params["w"][5] = np.inf  # a written parameter that is not finite must be flagged
        with np.errstate(all="ignore"):
            opt.step(params, {"w": np.full(N, 0.5)}, state)
        assert looked == [1], f"{name}: a non-finite parameter went unflagged"
    finally:
        kernels.set_backend("auto")


@_NUMBA
def test_a_family_loop_flags_a_buffer_that_overflows_while_the_parameters_stay_finite(monkeypatch):
    from descentlab.fast import fused, kernels

    kernels.set_backend("numba")
    looked = []
    monkeypatch.setattr(fused, "_all_finite", lambda arrays: pytest.fail("the arrays were summed again"))
    monkeypatch.setattr(fused, "_warn_if_finite_grads_broke", lambda *a, **k: looked.append(a[1]))
    try:
        opt = make_optimizer("adadelta")
        params = {"w": np.ones(N)}
        g = np.full(N, 0.5)
        g[9] = 1e200  # g*g overflows Adadelta's S; the step divides by it and stays finite
        with np.errstate(all="ignore"):
            opt.step(params, {"w": g}, opt.init(params))
        assert np.isfinite(params["w"]).all() and looked == [0]
    finally:
        kernels.set_backend("auto")
