"""fused_step against descentlab.optim's readable reference, for every configuration it accepts.

The reference is ``opt.update`` (pure) applied as ``params[k] += updates[k]``. The fused
path must give the same parameters and state bit for bit, over many random steps and
shapes, whether the arrays are separate or views of one flat buffer, on each backend.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from descentlab.errors import ShapeError
from descentlab.fast import FlatArrays, flatten_state_slots, fused_plan, fused_step, try_fused_step
from descentlab.optim import make_optimizer, schedules

# (name, preset, hyperparameters): every form of every rule that has a kernel
CONFIGS = [
    ("sgd", None, {}),
    ("sgd", None, {"weight_decay": 0.1}),
    ("sgd", None, {"weight_decay": 0.1, "weight_decay_form": "decoupled"}),
    ("momentum", None, {"momentum": 0.9}),
    ("momentum", None, {"momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01}),
    ("nesterov", None, {"momentum": 0.9}),
    ("momentum", "lecture", {}),
    ("momentum", "keras", {}),
    ("nesterov", "keras", {}),
    ("nesterov", "cs231n", {}),
    ("adam", None, {}),
    ("adam", None, {"weight_decay": 0.01}),
    ("adamw", None, {}),
    ("adam", "keras", {}),
    ("adam", "optax", {"lr": 1e-3}),
    ("adam", None, {"eps_placement": "inside", "eps": 1e-6}),
    ("rmsprop", None, {}),
    ("rmsprop", "keras", {}),
    ("rmsprop", None, {"momentum": 0.5}),
    ("rmsprop", None, {"momentum": 0.5, "momentum_form": "lr_inside", "initial_accumulator": 0.1}),
    ("adagrad", None, {}),
    ("adagrad", None, {"lr_decay": 0.1, "weight_decay": 0.01}),
    ("adagrad", "keras", {}),
    ("adagrad", None, {"weight_decay": 0.01, "weight_decay_form": "decoupled"}),
]
DECLINED = [
    ("nesterov", "lecture", {}),          # look-ahead Nesterov
    ("amsgrad", None, {}),
    ("nadam", None, {}),
    ("rmsprop", None, {"centered": True}),
    ("adagrad", None, {"lr_decay": 0.1, "weight_decay": 0.01, "weight_decay_form": "decoupled"}),
]


def _opt(name, preset, hyper):
    hyper = dict(hyper)
    if preset is None:
        hyper.setdefault("lr", 0.01)
    return make_optimizer(name, preset=preset, **hyper)


def _reference_step(opt, params, grads, state):
    """The readable reference, ``update`` then ``params[k] += updates[k]`` (whatever ``opt.step`` runs)."""
    updates, new = opt.update(grads, state, params)
    for k in params:
        params[k] += updates[k]
    state.slots, state.step = new.slots, new.step


def _params(seed, shapes, dtype):
    rng = np.random.default_rng(seed)
    return {k: rng.standard_normal(s).astype(dtype) for k, s in shapes.items()}


shapes_st = st.dictionaries(st.sampled_from(["w1", "b1", "w2", "b2", "x"]),
                            st.lists(st.integers(1, 6), min_size=0, max_size=2).map(tuple),
                            min_size=1, max_size=4)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(config=st.sampled_from(CONFIGS), shapes=shapes_st, dtype=st.sampled_from([np.float64, np.float32]),
       flat=st.booleans(), seed=st.integers(0, 2**31 - 1))
def test_fused_equals_reference(backend, config, shapes, dtype, flat, seed):
    opt = _opt(*config)
    ref = _params(seed, shapes, dtype)
    fast = FlatArrays.from_arrays(ref).views if flat else {k: a.copy() for k, a in ref.items()}
    ref_state, fast_state = opt.init(ref), opt.init(fast)
    if flat:
        flatten_state_slots(fast_state.slots, fast)
    rng = np.random.default_rng(seed + 1)
    for _ in range(12):
        grads = {k: rng.standard_normal(a.shape).astype(dtype) for k, a in ref.items()}
        _reference_step(opt, ref, grads, ref_state)
        assert try_fused_step(opt, fast, grads, fast_state)
    assert fast_state.step == ref_state.step
    assert fast_state.equals(ref_state)
    for k in ref:
        np.testing.assert_array_equal(fast[k], ref[k], err_msg=f"{config} {k}")


def test_one_kernel_call_for_flat_buffers(monkeypatch):
    """Views of flat buffers run the kernel once over everything; separate arrays once each."""
    from descentlab.fast import kernels

    calls = []
    real = kernels.adam_
    monkeypatch.setattr(kernels, "adam_", lambda *a, **kw: (calls.append(a[0].size), real(*a, **kw)))
    opt = make_optimizer("adam", lr=1e-3)
    shapes = {"w": (4, 3), "b": (3,)}
    fa = FlatArrays.from_arrays(_params(0, shapes, np.float32))
    state = opt.init(fa.views)
    flatten_state_slots(state.slots, fa.views)
    grads = FlatArrays.from_arrays(_params(1, shapes, np.float32)).views
    fused_step(opt, fa.views, grads, state)
    assert calls == [15]
    calls.clear()
    separate = _params(0, shapes, np.float32)
    fused_step(opt, separate, _params(1, shapes, np.float32), opt.init(separate))
    assert calls == [12, 3]


def test_schedule_lr_is_taken_at_the_step():
    opt = make_optimizer("momentum", lr=schedules.Exponential(lr=0.1, k=0.5), momentum=0.9)
    ref = _params(0, {"x": (5,)}, np.float64)
    fast = {k: a.copy() for k, a in ref.items()}
    s1, s2 = opt.init(ref), opt.init(fast)
    for i in range(6):
        g = _params(i + 10, {"x": (5,)}, np.float64)
        _reference_step(opt, ref, g, s1)
        fused_step(opt, fast, g, s2)
    np.testing.assert_array_equal(fast["x"], ref["x"])


@pytest.mark.parametrize("config", DECLINED)
def test_declined_configurations_fall_back_to_the_reference(config):
    opt = _opt(*config)
    assert fused_plan(opt)[0] is None
    ref = _params(0, {"x": (4,)}, np.float64)
    fast = {k: a.copy() for k, a in ref.items()}
    s1, s2 = opt.init(ref), opt.init(fast)
    g = _params(1, {"x": (4,)}, np.float64)
    assert not try_fused_step(opt, fast, g, s2)
    np.testing.assert_array_equal(fast["x"], ref["x"])   # untouched
    assert s2.step == 0
    for _ in range(3):
        ev = opt.eval_params(ref, s1)   # look-ahead Nesterov needs the gradient at another point
        opt.step(ref, g, s1)
        fused_step(opt, fast, g, s2)
    np.testing.assert_array_equal(fast["x"], ref["x"])
    del ev


def test_mixed_or_integer_dtypes_are_declined_not_mangled():
    opt = make_optimizer("sgd", lr=0.1)
    params = {"a": np.ones(3), "b": np.ones(3, np.float32)}
    assert not try_fused_step(opt, params, {"a": np.ones(3), "b": np.ones(3, np.float32)}, opt.init(params))


BAD = [
    ({"x": np.ones(3)}, {"y": np.ones(3)}, "gradients and state"),
    ({"x": np.ones(3)}, {"x": np.ones(4)}, "shape"),
]


@pytest.mark.parametrize("params, grads, pattern", BAD)
def test_mismatched_gradients_are_rejected(params, grads, pattern):
    opt = make_optimizer("adam", lr=0.1)
    with pytest.raises(ShapeError, match=pattern):
        try_fused_step(opt, params, grads, opt.init(params))
