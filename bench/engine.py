"""Autodiff engine overhead: microseconds per operation on tiny tensors, forward and backward.

At these sizes the arithmetic is nothing; what is measured is the bookkeeping of
building a graph node and walking it back. Each case builds a short expression on
(4,)-shaped or (4, 4)-shaped inputs and calls ``backward``.
"""
from __future__ import annotations

import numpy as np

from _common import have, interleaved, repeated

CASES = ("add", "mul", "matmul 4x4", "relu", "chain of 10 ops + backward")


def _descentlab(case):
    from descentlab.autodiff import Tensor
    from descentlab.autodiff import functional as F

    a = Tensor(np.ones(4), requires_grad=True)
    b = Tensor(np.full(4, 2.0), requires_grad=True)
    A = Tensor(np.ones((4, 4)), requires_grad=True)
    if case == "add":
        return lambda: a + b
    if case == "mul":
        return lambda: a * b
    if case == "matmul 4x4":
        return lambda: A @ A
    if case == "relu":
        return lambda: F.relu(a)

    def chain():
        x = a
        for _ in range(5):
            x = F.relu(x * b + a)
        x.sum().backward()
    return chain


def _torch(case):
    import torch

    a = torch.ones(4, dtype=torch.float64, requires_grad=True)
    b = torch.full((4,), 2.0, dtype=torch.float64, requires_grad=True)
    A = torch.ones((4, 4), dtype=torch.float64, requires_grad=True)
    if case == "add":
        return lambda: a + b
    if case == "mul":
        return lambda: a * b
    if case == "matmul 4x4":
        return lambda: A @ A
    if case == "relu":
        return lambda: torch.relu(a)

    def chain():
        x = a
        for _ in range(5):
            x = torch.relu(x * b + a)
        x.sum().backward()
    return chain


def run(reps: int, inner: int) -> dict:
    rows = []
    for case in CASES:
        contenders = {"descentlab autodiff": _descentlab(case)}
        if have("torch"):
            contenders["torch autograd"] = _torch(case)

        times = interleaved({k: repeated(fn, inner) for k, fn in contenders.items()}, reps)
        for k, t in times.items():
            rows.append({"case": case, "contender": k, "us_per_call": t / inner * 1e6})
    return {"rows": rows}
