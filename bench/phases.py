"""Where a training step's time goes: forward+backward vs the optimizer step, each side.

The same MLP 784-256-256-10 and Adam as ``mlp_train``; each phase is timed alone
(interleaved with the others), so a ratio that misses its target can be traced to
the phase that loses.
"""
from __future__ import annotations

import numpy as np

from _common import backend_that_ran, have, interleaved, repeated
from mlp_train import SIZES, _data, torch_mlp


def _ours(batch, X, y):
    from descentlab.fast import MLP, flatten_state_slots, fused_step
    from descentlab.nn import mlp
    from descentlab.optim import make_optimizer

    net = MLP(mlp(SIZES, activation="relu", seed=0, dtype=np.float32), "cross_entropy")
    opt = make_optimizer("adam", lr=1e-3)
    state = opt.init(net.params)
    flatten_state_slots(state.slots, net.params)
    Xb, yb = X[:batch], y[:batch]
    net.loss_and_grads(Xb, yb)

    def step():
        fused_step(opt, net.params, net.grads, state)
    return {"descentlab forward+backward": lambda: net.loss_and_grads(Xb, yb),
            f"descentlab Adam step (fused {backend_that_ran(step)} kernel, flat)": step}


def _torch(batch, X, y):
    import torch

    model = torch_mlp()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    xb, yb = torch.from_numpy(X[:batch]), torch.from_numpy(y[:batch])

    def fwd_bwd():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(xb), yb).backward()
    fwd_bwd()
    return {"torch forward+backward": fwd_bwd, "torch Adam step (default)": opt.step}


def run(batches: list[int], reps: int, inner: int) -> dict:
    X, y = _data(256)
    rows = []
    for batch in batches:
        contenders = _ours(batch, X, y)
        if have("torch"):
            contenders.update(_torch(batch, X, y))

        times = interleaved({k: repeated(fn, inner) for k, fn in contenders.items()}, reps)
        for k, t in times.items():
            rows.append({"batch": batch, "phase": k, "ms": t / inner * 1e3})
    return {"rows": rows}
