"""Optimizer state on disk: round trip, exact resume, and clear errors for bad files."""
from __future__ import annotations

import numpy as np
import pytest

from descentlab._io import save_arrays
from descentlab.errors import StateFileError
from descentlab.optim import PRESETS, StepDecay, load_state, make_optimizer, optimizer_names, save_state

FIRST_ORDER = [n for n in optimizer_names() if n not in ("newton", "lbfgs")]  # lbfgs takes a closure
RESUME = [(preset, name) for preset in ("pytorch", "keras") for name in FIRST_ORDER if name in PRESETS[preset]]


def params0():
    return {"layer1.W": np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]), "layer1/b": np.array([0.1, -0.2]),
            "scale": np.array(1.3)}


def grads_at(params, k):
    # a smooth, step-dependent gradient: what a mini-batch loss would give
    return {n: np.sin(p + 0.1 * k) + 0.01 * k * np.cos(3 * p) for n, p in params.items()}


def run(opt, params, state, k0, k1):
    for k in range(k0, k1):
        opt.step(params, grads_at(opt.eval_params(params, state), k), state)


@pytest.mark.parametrize("preset,name", RESUME, ids=[f"{p}-{n}" for p, n in RESUME])
def test_resume_is_bit_exact(tmp_path, name, preset):
    # Rprop's lr is only its first step size, so it takes a number, not a schedule
    schedule = 0.05 if name == "rprop" else StepDecay(lr=0.05, every=4, gamma=0.5)
    kw = {"momentum": 0.9} if name == "rmsprop" else {}
    opt = make_optimizer(name, preset=preset, lr=schedule, **kw)
    straight = params0()
    s = opt.init(straight)
    run(opt, straight, s, 0, 12)

    part = params0()
    s1 = opt.init(part)
    run(opt, part, s1, 0, 5)
    path = save_state(tmp_path / "opt.npz", s1, opt)
    saved_params = {n: p.copy() for n, p in part.items()}
    del opt, s1
    state, opt2 = load_state(path, params=saved_params)   # optimizer rebuilt from the file, schedule included
    assert state.step == 5 and opt2.lr == schedule and opt2.lr_at(5) == (schedule(5) if callable(schedule) else schedule)
    run(opt2, saved_params, state, 5, 12)
    for n in straight:
        np.testing.assert_array_equal(saved_params[n], straight[n])
    assert state.equals(s)


def test_round_trip_keeps_dtypes_shapes_and_scalar_buffers(tmp_path):
    opt = make_optimizer("nadam")
    params = {"w": np.ones((2, 2), dtype=np.float32), "b": np.zeros(3)}
    state = opt.init(params)
    opt.step(params, {"w": np.ones((2, 2), dtype=np.float32), "b": np.ones(3)}, state)
    path = save_state(tmp_path / "s.npz", state, opt)
    loaded, opt2 = load_state(path)
    assert loaded.equals(state)
    assert loaded.slots["w"]["m"].dtype == np.float32 and loaded.slots["b"]["mu_product"].shape == ()
    assert opt2.to_config() == opt.to_config()
    # the file is a plain npz: it loads with pickle forbidden
    with np.load(path, allow_pickle=False) as z:
        assert "w/m" in z.files


def test_plain_callable_lr_needs_the_optimizer_back(tmp_path):
    opt = make_optimizer("sgd", lr=lambda k: 0.1, momentum=0.9)
    params = {"x": np.ones(2)}
    state = opt.init(params)
    opt.step(params, {"x": np.ones(2)}, state)
    path = save_state(tmp_path / "s.npz", state, opt)
    with pytest.raises(StateFileError, match=r"pass the optimizer: load_state\(path, opt=\.\.\.\)"):
        load_state(path)
    loaded, same = load_state(path, opt=opt)
    assert same is opt and loaded.equals(state)


@pytest.fixture
def saved(tmp_path):
    opt = make_optimizer("adam", lr=0.01)
    params = {"w": np.ones((3, 2)), "b": np.zeros(2)}
    state = opt.init(params)
    opt.step(params, {"w": np.ones((3, 2)), "b": np.ones(2)}, state)
    return save_state(tmp_path / "adam.npz", state, opt), opt, params


def _truncate(path, keep):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def _garbage(path):
    path.write_bytes(b"not a state file at all" * 10)
    return path


def _foreign(path):
    save_arrays(path, {"a": np.zeros(2)}, {"kind": "something-else"})
    return path


# (how the file is damaged, load_state keyword arguments, message pattern)
BAD_FILES = [
    ("truncated to 60%", lambda p, o, x: _truncate(p, 0.6), {}, r"complete \.npz state file.*truncated or corrupt"),
    ("truncated to 5%", lambda p, o, x: _truncate(p, 0.05), {}, r"truncated or corrupt"),
    ("empty", lambda p, o, x: _truncate(p, 0.0), {}, r"truncated or corrupt"),
    ("not an npz", lambda p, o, x: _garbage(p), {}, r"truncated or corrupt"),
    ("another kind of npz", lambda p, o, x: _foreign(p), {}, r"optimizer state file.*kind 'something-else'"),
    ("missing", lambda p, o, x: p.with_name("nope.npz"), {}, r"existing state file"),
    ("other parameter names", lambda p, o, x: p, {"params": {"w": np.ones((3, 2)), "bias": np.zeros(2)}},
     r"state for the parameters \['bias', 'w'\], got \['b', 'w'\]"),
    ("other parameter shapes", lambda p, o, x: p, {"params": {"w": np.ones((2, 3)), "b": np.zeros(2)}},
     r"buffer w/m of shape \(2, 3\), got shape \(3, 2\)"),
    ("another optimizer's buffers", lambda p, o, x: p,
     {"opt": make_optimizer("momentum"), "params": {"w": np.ones((3, 2)), "b": np.zeros(2)}},
     r"state saved by momentum.*name 'adam'"),
    ("other hyperparameters", lambda p, o, x: p, {"opt": make_optimizer("adam", lr=0.5)},
     r"hyperparameters \['lr'\] differ"),
]


@pytest.mark.parametrize("damage,kwargs,pattern", [b[1:] for b in BAD_FILES], ids=[b[0] for b in BAD_FILES])
def test_bad_state_files_fail_with_a_sentence(saved, damage, kwargs, pattern):
    path, opt, params = saved
    bad = damage(path, opt, params)
    with pytest.raises(StateFileError, match=pattern) as info:
        load_state(bad, **kwargs)
    assert "Fix:" in str(info.value)


def test_mismatched_buffers_without_a_config(tmp_path):
    # a state saved by momentum (buffer b), checked against Adam (m, v)
    sgd = make_optimizer("sgd", lr=lambda k: 0.1, momentum=0.9)
    params = {"x": np.ones(2)}
    state = sgd.init(params)
    path = save_state(tmp_path / "s.npz", state, sgd)
    with pytest.raises(StateFileError, match=r"buffers \['m', 'v'\] for parameter 'x', got \['b'\]"):
        load_state(path, opt=make_optimizer("adam"), params=params)
