"""The fused Rprop, Lion, Adamax and Adadelta kernels equal the reference rules bit for bit."""
from __future__ import annotations

import numpy as np
import pytest

from descentlab.fast import FlatArrays, flatten_state_slots, fused_plan, try_fused_step
from descentlab.optim import make_optimizer

CONFIGS = [
    ("rprop", "pytorch", {"lr": 0.01}),
    ("rprop", "pytorch", {"lr": 0.05, "eta_minus": 0.3, "eta_plus": 1.5, "step_size_min": 1e-3, "step_size_max": 0.1}),
    ("lion", "pytorch", {"lr": 1e-3}),
    ("lion", "optax", {"lr": 1e-3, "weight_decay": 0.1}),
    ("lion", "pytorch", {"lr": 1e-3, "weight_decay": 0.1, "weight_decay_form": "l2"}),
    ("adamax", "pytorch", {"lr": 0.01}),
    ("adamax", "keras", {"lr": 0.01, "weight_decay": 0.01}),
    ("adamax", "pytorch", {"lr": 0.01, "eps": 0.1, "weight_decay": 0.1}),
    ("adadelta", "pytorch", {"lr": 1.0}),
    ("adadelta", "keras", {"lr": 1.0, "weight_decay": 0.01}),
    ("adadelta", "pytorch", {"lr": 1.0, "weight_decay": 0.1, "eps": 1e-3}),
]


def _reference(opt, params, grads, state):
    updates, new = opt.update(grads, state, params)
    for k in params:
        params[k] += updates[k]
    state.slots, state.step = new.slots, new.step


@pytest.mark.parametrize("flat", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,preset,hyper", CONFIGS, ids=[f"{n}-{p}-{h}" for n, p, h in CONFIGS])
def test_fused_equals_reference(name, preset, hyper, dtype, flat, monkeypatch):
    from descentlab.fast import kernels

    monkeypatch.setattr(kernels, "CHUNK", 7)  # cross chunk boundaries (the scratch buffers stay larger)
    from descentlab.fast import family_kernels

    monkeypatch.setattr(family_kernels, "_chunks", lambda n: ((i, min(i + 7, n), min(i + 7, n) - i)
                                                            for i in range(0, n, 7)))
    opt = make_optimizer(name, preset=preset, **hyper)
    rng = np.random.default_rng(3)
    shapes = {"w": (5, 4), "b": (4,), "s": ()}
    ref = {k: np.asarray(rng.standard_normal(s), dtype=dtype) for k, s in shapes.items()}
    fast = FlatArrays.from_arrays(ref).views if flat else {k: a.copy() for k, a in ref.items()}
    ref_state, fast_state = opt.init(ref), opt.init(fast)
    if flat:
        flatten_state_slots(fast_state.slots, fast)
    for k in range(15):
        # gradients that keep and flip their signs, so Rprop's three cases all occur
        grads = {n: np.asarray(rng.standard_normal(s) + (0.8 if k % 3 else -0.8), dtype=dtype) for n, s in shapes.items()}
        _reference(opt, ref, grads, ref_state)
        assert try_fused_step(opt, fast, grads, fast_state)
    assert fast_state.equals(ref_state)
    for k in ref:
        np.testing.assert_array_equal(fast[k], ref[k])


def test_the_new_forms_are_in_the_plan():
    for name in ("rprop", "lion", "adamax", "adadelta"):
        kernel, why = fused_plan(make_optimizer(name, lr=0.01))
        assert kernel == name, (name, kernel, why)
    assert fused_plan(make_optimizer("radam", lr=0.01))[0] is None  # not elementwise in its branch: no kernel


def test_a_large_step_goes_through_the_kernel(monkeypatch):
    from descentlab.fast import family_kernels

    calls = []
    real = family_kernels.lion_
    monkeypatch.setattr(family_kernels, "lion_", lambda *a, **kw: (calls.append(a[0].size), real(*a, **kw)))
    opt = make_optimizer("lion", lr=1e-3)
    params = {"w": np.ones(1 << 17, dtype=np.float32)}
    state = opt.init(params)
    opt.step(params, {"w": np.ones(1 << 17, dtype=np.float32)}, state)
    assert calls == [1 << 17] and np.all(params["w"] == np.float32(1.0) - np.float32(1e-3))
