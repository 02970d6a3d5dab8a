"""Training throughput: MLP 784-256-256-10, softmax cross-entropy, Adam, samples/s.

descentlab runs its lean MLP (hand-written back-propagation into a flat gradient
buffer) with one fused Adam kernel over the flat parameters, its row named by the
kernel backend seen running (numba or numpy). Its reference path, the autodiff graph
and ``opt.update`` (``opt.step`` would dispatch to the fused kernel at this size), is
timed too where it is fast enough to bother.
torch runs ``nn.Sequential`` + ``CrossEntropyLoss`` + ``torch.optim.Adam`` with its
default settings (and the fused Adam as a second entry). Both train float32 on the
same synthetic, standardised MNIST-shaped data; a "sample" is one row of a batch.
"""
from __future__ import annotations

import numpy as np

from _common import backend_that_ran, have, interleaved, reference_step

SIZES = [784, 256, 256, 10]


def _data(n: int, seed: int = 0):
    # standardised inputs (zero mean, unit variance), as MNIST is after standardisation.
    # All-positive inputs would kill every ReLU of the first layer within a few hundred Adam
    # steps at batch 1; Adam's m then decays into float32 subnormals and both libraries
    # slow down about tenfold (see docs/performance.md).
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], n)
    return X, y


def descentlab_fast(batch: int, X, y, optimizer: str = "adam", lr: float = 1e-3):
    from descentlab.fast import MLP, flatten_state_slots, fused_step
    from descentlab.nn import mlp
    from descentlab.optim import make_optimizer

    net = MLP(mlp(SIZES, activation="relu", seed=0, dtype=np.float32), "cross_entropy")
    opt = make_optimizer(optimizer, lr=lr)
    state = opt.init(net.params)
    flatten_state_slots(state.slots, net.params)
    n_batches = len(X) // batch
    pos = [0]

    def step():
        i = pos[0] % n_batches
        pos[0] += 1
        sl = slice(i * batch, (i + 1) * batch)
        _, grads, _ = net.loss_and_grads(X[sl], y[sl])
        fused_step(opt, net.params, grads, state)
    return step


def descentlab_reference(batch: int, X, y, optimizer: str = "adam", lr: float = 1e-3):
    from descentlab.nn import mlp
    from descentlab.nn.losses import get_loss
    from descentlab.optim import make_optimizer
    from descentlab.train.fit import autodiff_loss_and_grads

    model = mlp(SIZES, activation="relu", seed=0, dtype=np.float32)
    params = model.params()
    opt = make_optimizer(optimizer, lr=lr)
    state = opt.init(params)
    loss_and_grads = autodiff_loss_and_grads(model, get_loss("cross_entropy"))
    n_batches = len(X) // batch
    pos = [0]

    def step():
        i = pos[0] % n_batches
        pos[0] += 1
        sl = slice(i * batch, (i + 1) * batch)
        _, grads, _ = loss_and_grads(X[sl], y[sl])
        reference_step(opt, params, grads, state)   # opt.step would run the fused kernel here
    return step


def torch_mlp():
    """torch's MLP of SIZES (Linear + ReLU), starting from descentlab's initial weights, so
    both sides compute the same numbers (the same dead units, the same subnormals) and only
    the implementations differ."""
    import torch

    from descentlab.nn import mlp

    layers = []
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i < len(SIZES) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    init = mlp(SIZES, activation="relu", seed=0, dtype=np.float32).params()
    with torch.no_grad():
        for i, layer in enumerate(m for m in model if isinstance(m, torch.nn.Linear)):
            layer.weight.copy_(torch.from_numpy(init[f"{2 * i}.W"].T.copy()))   # torch stores (out, in)
            layer.bias.copy_(torch.from_numpy(init[f"{2 * i}.b"]))
    return model


def torch_step(batch: int, X, y, optimizer: str = "adam", lr: float = 1e-3, **opt_kw):
    import torch

    model = torch_mlp()
    cls = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}[optimizer]
    opt = cls(model.parameters(), lr=lr, **opt_kw)
    loss_fn = torch.nn.CrossEntropyLoss()
    tX, ty = torch.from_numpy(X), torch.from_numpy(y)
    n_batches = len(X) // batch
    pos = [0]

    def step():
        i = pos[0] % n_batches
        pos[0] += 1
        xb, yb = tX[i * batch:(i + 1) * batch], ty[i * batch:(i + 1) * batch]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
    return step


def run(batches: list[int], reps: int, samples_per_rep: int, max_steps: int, reference: bool, sgd_batch1: bool) -> dict:
    X, y = _data(4096)
    rows = []
    cases = [(b, "adam") for b in batches] + ([(1, "sgd")] if sgd_batch1 else [])
    for batch, optimizer in cases:
        lr = 1e-3 if optimizer == "adam" else 1e-2
        steps = max(1, min(samples_per_rep // batch, max_steps))
        ours = descentlab_fast(batch, X, y, optimizer, lr)
        # named by the kernel backend seen running in one of its steps, not by what imports
        contenders = {f"descentlab fast ({backend_that_ran(ours)} kernels)": ours}
        if reference and batch > 1:
            contenders["descentlab reference (autodiff + opt.update)"] = descentlab_reference(batch, X, y, optimizer, lr)
        if have("torch"):
            contenders[f"torch {optimizer} (default)"] = torch_step(batch, X, y, optimizer, lr)
            if optimizer == "adam":
                contenders["torch adam (fused)"] = torch_step(batch, X, y, optimizer, lr, fused=True)

        def repeat(fn, k=steps):
            def many():
                for _ in range(k):
                    fn()
            return many
        times = interleaved({k: repeat(fn) for k, fn in contenders.items()}, reps, warmup=1)
        for k, t in times.items():
            rows.append({"batch": batch, "optimizer": optimizer, "contender": k,
                         "samples_per_s": steps * batch / t, "steps_per_s": steps / t})
    return {"rows": rows}
