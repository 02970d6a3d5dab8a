"""Every optimizer under every preset keeps the parameters' dtype: updates and state alike.

A float32 model stays float32 (and float16 stays float16): an update that came back in
float64 would silently change the parameters' dtype after ``params = params + u``.
"""
from __future__ import annotations

import numpy as np
import pytest

from descentlab.optim import PRESETS, make_optimizer

DTYPES = [np.float16, np.float32, np.float64]
CASES = [(preset, name) for preset, table in PRESETS.items() for name in table]


def _hyper(preset, name):
    hyper = {"lr": 0.01}
    if name == "rmsprop":  # the momentum buffer too
        hyper["momentum"] = 0.5
    return hyper


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("preset,name", CASES, ids=[f"{p}-{n}" for p, n in CASES])
def test_updates_and_state_keep_the_parameter_dtype(preset, name, dtype):
    opt = make_optimizer(name, preset=preset, **_hyper(preset, name))
    params = {"w": np.array([[0.5, -1.0], [2.0, 0.25]], dtype=dtype), "b": np.array(-0.3, dtype=dtype)}
    state = opt.init(params)
    if getattr(opt, "needs_closure", False):  # L-BFGS: it updates the parameters in place, in their dtype
        def closure(p):
            return float(sum(np.sum(a.astype(np.float64) ** 2) for a in p.values())), {n: 2 * a for n, a in p.items()}
        opt.step_closure(params, closure, state)
        assert all(p.dtype == dtype and np.all(np.isfinite(p)) for p in params.values())
        return
    for k in range(3):
        grads = {n: (2.0 * p + 0.1 * (k + 1)).astype(dtype) for n, p in params.items()}
        kw = {"hessian": {"w": 2.0 * np.eye(4), "b": 2.0 * np.eye(1)}} if opt.needs_hessian else {}
        updates, state = opt.update(grads, state, params, **kw)
        for n, u in updates.items():
            assert u.dtype == dtype, f"{preset}/{name}: update of {n} is {u.dtype}, parameter {np.dtype(dtype)}"
        params = {n: p + updates[n] for n, p in params.items()}  # no in-place cast to hide a promotion
        for n, bufs in state.slots.items():
            for b, a in bufs.items():
                assert np.asarray(a).dtype == dtype, f"{preset}/{name}: buffer {n}/{b} is {np.asarray(a).dtype}"
    for n, p in params.items():
        assert p.dtype == dtype and np.all(np.isfinite(p))
