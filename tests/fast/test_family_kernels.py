"""The fused Rprop, Lion, Adamax, Adadelta and RAdam kernels equal the reference rules bit for bit.

Every test runs on each backend (``backend`` in conftest.py: NumPy, and numba when it
imports); the compiled loops must give the NumPy kernels' bits, and PyTorch's
trajectories to 1e-12 in float64.
"""
from __future__ import annotations

import numpy as np
import pytest

from descentlab.fast import FlatArrays, flatten_state_slots, fused_plan, try_fused_step
from descentlab.optim import make_optimizer

from descentlab.fast import kernels as _kernels

NUMBA = _kernels.numba_available()

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
    # RAdam: plain momentum for the first five updates (beta2 = 0.999), rectified after
    ("radam", "pytorch", {"lr": 0.01}),
    ("radam", "optax", {"lr": 0.01, "weight_decay": 0.01}),
    ("radam", "pytorch", {"lr": 0.01, "beta2": 0.99, "eps": 1e-3, "eps_placement": "inside", "weight_decay": 0.1,
                          "weight_decay_form": "decoupled"}),
]


def _reference(opt, params, grads, state):
    updates, new = opt.update(grads, state, params)
    for k in params:
        params[k] += updates[k]
    state.slots, state.step = new.slots, new.step


@pytest.mark.parametrize("flat", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,preset,hyper", CONFIGS, ids=[f"{n}-{p}-{h}" for n, p, h in CONFIGS])
def test_fused_equals_reference(name, preset, hyper, dtype, flat, backend, monkeypatch):
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
    for k in range(60):
        # gradients that keep and flip their signs, so Rprop's three cases all occur
        grads = {n: np.asarray(rng.standard_normal(s) + (0.8 if k % 3 else -0.8), dtype=dtype) for n, s in shapes.items()}
        _reference(opt, ref, grads, ref_state)
        assert try_fused_step(opt, fast, grads, fast_state)
    assert fast_state.equals(ref_state)
    for k in ref:
        np.testing.assert_array_equal(fast[k], ref[k])


def test_the_new_forms_are_in_the_plan():
    for name in ("rprop", "lion", "adamax", "adadelta", "radam"):
        kernel, why = fused_plan(make_optimizer(name, lr=0.01))
        assert kernel == name, (name, kernel, why)
    for name in ("lamb", "adafactor"):  # per-tensor norms and factored moments: no kernel
        assert fused_plan(make_optimizer(name, lr=0.01))[0] is None


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


def _kernel_case(name, dtype, n, rng):
    """(kernel function, arrays, keyword arguments) for one call of a family kernel."""
    from descentlab.fast import family_kernels as F

    p = rng.standard_normal(n).astype(dtype)
    if name == "rprop":
        return F.rprop_, [p, np.zeros_like(p), np.full_like(p, 0.05)], dict(
            eta_minus=0.3, eta_plus=1.5, step_size_min=1e-3, step_size_max=0.1)
    if name == "lion":
        return F.lion_, [p, np.zeros_like(p)], dict(lr=1e-3, beta1=0.9, beta2=0.99, weight_decay=0.1, decoupled=True)
    if name == "adamax":
        return F.adamax_, [p, np.zeros_like(p), np.zeros_like(p)], dict(
            lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, eps_in_max=True, weight_decay=0.01, decoupled=False)
    if name == "adamax_after":
        return F.adamax_, [p, np.zeros_like(p), np.zeros_like(p)], dict(
            lr=0.01, beta1=0.9, beta2=0.999, eps=1e-7, eps_in_max=False, weight_decay=0.01, decoupled=True)
    if name == "adadelta":
        return F.adadelta_, [p, np.zeros_like(p), np.zeros_like(p)], dict(
            lr=1.0, beta=0.9, eps=1e-6, weight_decay=0.1, decoupled=False)
    placement = name.split("_")[1]
    return F.radam_, [p, np.zeros_like(p), np.zeros_like(p)], dict(
        lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, eps_placement=placement, weight_decay=0.01,
        decoupled=placement == "outside")


@pytest.mark.skipif(not NUMBA, reason="numba is not installed")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["rprop", "lion", "adamax", "adamax_after", "adadelta", "radam_hat",
                                  "radam_outside", "radam_inside"])
def test_numba_gives_the_numpy_kernels_bits(name, dtype):
    # 3000 elements over 55 steps, gradients with exact zeros (Rprop's c = 0 and sign(0)),
    # sign flips, and one element each of inf and nan from step 40 on
    from descentlab.fast import kernels

    results = {}
    for backend in ("numpy", "numba"):
        kernels.set_backend(backend)
        try:
            rng = np.random.default_rng(11)
            run, arrays, kw = _kernel_case(name, dtype, 3000, rng)
            for k in range(55):
                g = (rng.standard_normal(3000) + (0.5 if k % 4 else -0.5)).astype(dtype)
                g[rng.random(3000) < 0.1] = 0
                if k >= 40:
                    g[7], g[8] = np.inf, np.nan
                kwk = dict(kw, step=k + 1) if name.startswith(("adamax", "radam")) else kw
                with np.errstate(all="ignore"):
                    run(arrays[0], g, *arrays[1:], **kwk)
            results[backend] = [a.copy() for a in arrays]
        finally:
            kernels.set_backend("auto")
    assert np.isnan(results["numpy"][0][8])  # the nan gradient reached its parameter
    for a, b in zip(results["numpy"], results["numba"]):
        assert a.dtype == b.dtype == dtype
        nan = np.isnan(a)
        assert np.array_equal(nan, np.isnan(b))  # a nan's sign and payload are not compared
        bits = f"u{a.itemsize}"
        differ = np.flatnonzero(a[~nan].view(bits) != b[~nan].view(bits))
        assert differ.size == 0, (differ[:10], a[~nan][differ[:3]], b[~nan][differ[:3]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rprop_reaches_both_step_bounds_and_freezes_flipped_coordinates(dtype, backend):
    # coordinate 0: the sign holds (grows to the cap); coordinate 1: +, -, +, - ... (a flip
    # every other step shrinks it to the floor, and the flipped step does not move);
    # coordinate 2: a zero gradient (never moves, its step size never changes)
    from descentlab.fast.family_kernels import rprop_

    lo, hi = 1e-3, 0.1
    p = np.zeros(3, dtype)
    prev, s = np.zeros_like(p), np.full_like(p, 0.05)
    seen_lo = seen_hi = False
    for k in range(60):
        g = np.array([1.0, 1.0 if k % 2 == 0 else -1.0, 0.0], dtype)
        before = p.copy()
        rprop_(p, g, prev, s, eta_minus=0.3, eta_plus=1.5, step_size_min=lo, step_size_max=hi)
        assert lo <= s.min() and s.max() <= dtype(hi)
        seen_hi |= s[0] == dtype(hi)
        seen_lo |= s[1] == dtype(lo)
        if k % 2 == 1:  # coordinate 1 flipped: no move, no memory
            assert p[1] == before[1] and prev[1] == 0
        assert p[2] == 0 and s[2] == dtype(0.05)
    assert seen_hi and seen_lo
    assert p[0] < -1.0  # it walked with the capped step


TORCH = [
    ("rprop", "pytorch", {"lr": 0.05, "eta_minus": 0.3, "eta_plus": 1.5, "step_size_min": 1e-3,
                          "step_size_max": 0.1},
     "Rprop", {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.1)}),
    ("adamax", "pytorch", {"lr": 0.01, "weight_decay": 0.01}, "Adamax", {"lr": 0.01, "weight_decay": 0.01}),
    ("adadelta", "pytorch", {"lr": 1.0, "weight_decay": 0.01}, "Adadelta", {"lr": 1.0, "weight_decay": 0.01}),
    ("radam", "pytorch", {"lr": 0.01, "weight_decay": 0.01}, "RAdam", {"lr": 0.01, "weight_decay": 0.01}),
    ("radam", "pytorch", {"lr": 0.01, "weight_decay": 0.01, "weight_decay_form": "decoupled"}, "RAdam",
     {"lr": 0.01, "weight_decay": 0.01, "decoupled_weight_decay": True}),
]


@pytest.mark.parametrize("name,preset,hyper,torch_name,torch_hyper", TORCH,
                         ids=[f"{t[0]}-{i}" for i, t in enumerate(TORCH)])
def test_the_kernels_follow_torch_to_1e12(name, preset, hyper, torch_name, torch_hyper, backend):
    # an independent reference: torch.optim (its foreach=False loop), float64, 60 steps on
    # two tensors whose gradients keep and flip their signs
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    shapes = {"w": (300, 250), "b": (250,)}        # 75,250 elements: Optimizer.step takes the kernel
    ours = {k: rng.standard_normal(s) for k, s in shapes.items()}
    theirs = [torch.tensor(ours[k].copy(), requires_grad=True) for k in shapes]
    opt = make_optimizer(name, preset=preset, **hyper)
    assert fused_plan(opt)[0] == name
    state = opt.init(ours)
    topt = getattr(torch.optim, torch_name)(theirs, foreach=False, **torch_hyper)
    for k in range(60):
        grads = {n: rng.standard_normal(s) + (0.3 if k % 3 else -0.3) for n, s in shapes.items()}
        assert try_fused_step(opt, ours, grads, state)
        for t, n in zip(theirs, shapes):
            t.grad = torch.tensor(grads[n])
        topt.step()
    for t, n in zip(theirs, shapes):
        np.testing.assert_allclose(ours[n], t.detach().numpy(), rtol=1e-12, atol=1e-12)
