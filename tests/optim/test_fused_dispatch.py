"""Optimizer.step sends large parameter sets through the fused kernels registered in optim.dispatch.

The kernels do the reference's operations in the same order, so ``step`` must equal
applying ``update`` to the bit (the promise the dispatcher makes).
"""
from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from descentlab.optim import dispatch, make_optimizer
from descentlab.optim.base import FUSED_MIN_SIZE
from descentlab.optim.dispatch import StepForm

CASES = [
    ("sgd", None, {"lr": 0.1}),
    ("momentum", None, {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "weight_decay": 1e-2}),
    ("nesterov", None, {"lr": 0.1, "momentum": 0.9}),
    ("momentum", "keras", {"lr": 0.1, "momentum": 0.9}),
    ("adam", None, {"lr": 1e-2, "weight_decay": 1e-2}),
    ("adamw", None, {"lr": 1e-2}),
    ("rmsprop", None, {"lr": 1e-2, "momentum": 0.5}),
    ("adagrad", None, {"lr": 1e-1, "lr_decay": 1e-3}),
]


def _params(dtype, rng):
    return {"W": rng.standard_normal((400, 200)).astype(dtype), "b": rng.standard_normal(200).astype(dtype)}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name, preset, hyper", CASES)
def test_step_equals_the_reference_update_bit_for_bit(name, preset, hyper, dtype, monkeypatch):
    calls = []
    real = dispatch.fused_kernel
    monkeypatch.setattr(dispatch, "fused_kernel", lambda *a: calls.append(real(*a)) or real(*a))
    rng = np.random.default_rng(0)
    opt = make_optimizer(name, preset=preset, **hyper)
    fast = _params(dtype, rng)
    assert sum(p.size for p in fast.values()) >= FUSED_MIN_SIZE
    ref = {k: v.copy() for k, v in fast.items()}
    s_fast, s_ref = opt.init(fast), opt.init(ref)
    for _ in range(4):
        g = {k: rng.standard_normal(v.shape).astype(dtype) for k, v in fast.items()}
        opt.step(fast, g, s_fast)
        updates, s_ref = opt.update(g, s_ref, ref)
        for k in ref:
            ref[k] = ref[k] + updates[k]
    assert calls and all(calls), "the fused path was not taken"
    for k in ref:
        np.testing.assert_array_equal(fast[k], ref[k])
        for buf in s_ref.slots[k]:
            np.testing.assert_array_equal(s_fast.slots[k][buf], s_ref.slots[k][buf])
    assert s_fast.step == s_ref.step == 4


def test_small_problems_stay_on_the_reference_path(monkeypatch):
    monkeypatch.setattr(dispatch, "fused_kernel", lambda *a: pytest.fail("fused path used for 2 parameters"))
    opt = make_optimizer("adam", lr=0.1)
    x = {"x": np.array([1.0, 2.0])}
    state = opt.init(x)
    opt.step(x, {"x": np.array([0.5, -0.5])}, state)
    assert state.step == 1


def test_bad_gradients_get_the_reference_messages_on_the_fused_path():
    opt = make_optimizer("adam")
    params = _params(np.float64, np.random.default_rng(1))
    state = opt.init(params)
    with pytest.raises(ValueError, match="missing"):
        opt.step(params, {"W": np.zeros((400, 200))}, state)
    with pytest.raises(ValueError, match="shape"):
        opt.step(params, {"W": np.zeros((200, 400)), "b": np.zeros(200)}, state)


def test_optim_loads_the_kernels_only_on_the_first_large_step():
    code = textwrap.dedent("""
        import sys
        import numpy as np
        from descentlab.optim import make_optimizer
        opt = make_optimizer("adam", lr=0.1)
        x = {"x": np.ones(3)}
        opt.step(x, {"x": np.ones(3)}, opt.init(x))
        before = "descentlab.fast" in sys.modules
        big = {"w": np.ones(1 << 16)}
        opt.step(big, {"w": np.ones(1 << 16)}, opt.init(big))
        print(before, "descentlab.fast.fused" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "True"]


def test_the_table_is_keyed_by_the_exact_class_and_the_form(monkeypatch):
    from descentlab.optim.adam import Adam

    class MyAdam(Adam):
        pass

    seen = []

    def kernel(opt, params, grads, state):
        form = opt.step_form(state.step)
        seen.append(form)
        return False  # decline: the reference runs

    monkeypatch.setitem(dispatch._TABLE, (MyAdam, "adam"), kernel)
    opt = MyAdam("adam", "pytorch", **make_optimizer("adam", lr=0.5).hyper)
    params = {"w": np.ones(FUSED_MIN_SIZE)}
    state = opt.init(params)
    opt.step(params, {"w": np.ones(FUSED_MIN_SIZE)}, state)
    assert state.step == 1 and np.allclose(params["w"], 0.5)  # the reference's first Adam step: lr * sign(g)
    assert len(seen) == 1 and isinstance(seen[0], StepForm)
    assert (seen[0].key, seen[0].step, seen[0].lr, seen[0].beta1) == ("adam", 0, 0.5, 0.9)
    # Adam's own kernel is not the subclass's
    assert dispatch.fused_kernel(Adam, "adam") is not kernel
    assert dispatch.fused_kernel(MyAdam, "amsgrad") is None


def test_register_fused_refuses_what_is_not_a_rule_form_and_kernel():
    with pytest.raises(ValueError, match="register_fused"):
        dispatch.register_fused("adam", "adam", print)
