"""Optimizer step throughput: descentlab's fused kernels vs torch.optim, and the memory floor.

Each case updates N float32 parameters (one flat buffer, or 100 tensors of N/100)
from a fixed gradient. The floor is the time to stream the step's arrays once at the
measured in-place bandwidth: ``streams × 4 bytes × N / bandwidth``, where a stream is
one array read (or read and written in place: the write goes back to the line it read).
"""
from __future__ import annotations

import numpy as np

from _common import have, interleaved

# name -> (descentlab make_optimizer args, torch class name, torch kwargs, streams)
OPTIMIZERS = {
    "SGD": (("sgd", {"lr": 1e-3}), "SGD", {"lr": 1e-3}, 3),
    "momentum": (("momentum", {"lr": 1e-3, "momentum": 0.9}), "SGD", {"lr": 1e-3, "momentum": 0.9}, 5),
    "Adam": (("adam", {"lr": 1e-3}), "Adam", {"lr": 1e-3}, 7),
    "RMSProp": (("rmsprop", {"lr": 1e-3}), "RMSprop", {"lr": 1e-3}, 5),
    "AdaGrad": (("adagrad", {"lr": 1e-3}), "Adagrad", {"lr": 1e-3}, 5),
}
# torch paths that exist on CPU in 2.13 (fused RMSprop does not)
TORCH_PATHS = {"default": {"foreach": False}, "foreach": {"foreach": True}, "fused": {"fused": True}}


def bandwidth(n: int, reps: int, threads: int = 1) -> float:
    """In-place bandwidth in bytes/s: ``a += b`` moves 3 streams of n float32.

    With several threads, each adds its own slice (NumPy releases the GIL inside the
    ufunc), so the floor at that thread count uses the bandwidth that many cores reach.
    """
    a = np.ones(n, np.float32)
    b = np.ones(n, np.float32)
    if threads == 1:
        def add():
            np.add(a, b, out=a)
    else:
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(threads)
        edges = [n * i // threads for i in range(threads + 1)]
        parts = [(a[lo:hi], b[lo:hi]) for lo, hi in zip(edges[:-1], edges[1:])]

        def add():
            for job in [pool.submit(np.add, x, y, out=x) for x, y in parts]:
                job.result()
    t = interleaved({"bw": add}, reps, warmup=2)["bw"]
    return 3 * 4 * n / t


def _shapes(n: int, tensors: int) -> dict[str, tuple[int, ...]]:
    per = n // tensors
    return {f"p{i}": (per,) for i in range(tensors)}


def run(sizes: list[int], layouts: list[int], names: list[str], reps: int, reference_max: int,
        threads: int = 1) -> dict:
    from descentlab.fast import FlatArrays, flatten_state_slots, fused_step, get_backend, kernels
    from descentlab.optim import make_optimizer

    torch = None
    if have("torch"):
        import torch
    rows = []
    bw = bandwidth(max(sizes), reps, threads)
    for n in sizes:
        for tensors in layouts:
            shapes = _shapes(n, tensors)
            rng = np.random.default_rng(0)
            for name in names:
                (dl_name, dl_hyper), torch_cls, torch_kw, streams = OPTIMIZERS[name]
                opt = make_optimizer(dl_name, **dl_hyper)
                contenders = {}
                # descentlab, fused kernel: flat buffer when one tensor... and 100 views of one buffer
                params = FlatArrays({k: s for k, s in shapes.items()}, np.float32)
                params.flat[:] = rng.standard_normal(params.flat.size, dtype=np.float32)
                grads = params.zeros_like()
                grads.flat[:] = rng.standard_normal(grads.flat.size, dtype=np.float32) * 1e-2
                state = opt.init(params.views)
                flatten_state_slots(state.slots, params.views)
                backend = get_backend()
                contenders[f"descentlab fused ({backend})"] = lambda o=opt, p=params.views, g=grads.views, s=state: fused_step(o, p, g, s)
                # the same on separate arrays: one kernel call per tensor
                if tensors > 1:
                    sep = {k: v.copy() for k, v in params.views.items()}
                    sep_g = {k: v.copy() for k, v in grads.views.items()}
                    sep_s = opt.init(sep)
                    contenders[f"descentlab fused ({backend}), separate arrays"] = (
                        lambda o=opt, p=sep, g=sep_g, s=sep_s: fused_step(o, p, g, s))
                if backend == "numba":
                    p2 = {k: v.copy() for k, v in params.views.items()}
                    fa2 = FlatArrays.from_arrays(p2)
                    s2 = opt.init(fa2.views)
                    flatten_state_slots(s2.slots, fa2.views)

                    def numpy_step(o=opt, p=fa2.views, g=grads.views, s=s2):
                        kernels.set_backend("numpy")
                        try:
                            fused_step(o, p, g, s)
                        finally:
                            kernels.set_backend("auto")
                    contenders["descentlab fused (numpy)"] = numpy_step
                if n <= reference_max:
                    ref = {k: v.copy() for k, v in params.views.items()}
                    ref_s = opt.init(ref)
                    contenders["descentlab reference opt.step"] = lambda o=opt, p=ref, g=grads.views, s=ref_s: o.step(p, g, s)
                if torch is not None:
                    for path, kw in TORCH_PATHS.items():
                        if path == "fused" and torch_cls == "RMSprop":
                            continue
                        tps = [torch.from_numpy(v.copy()).requires_grad_() for v in params.views.values()]
                        for tp, g in zip(tps, grads.views.values()):
                            tp.grad = torch.from_numpy(g.copy())
                        try:
                            topt = getattr(torch.optim, torch_cls)(tps, **torch_kw, **kw)
                            topt.step()
                        except (RuntimeError, TypeError, ValueError) as exc:  # a path torch lacks on CPU
                            rows.append({"n": n, "tensors": tensors, "optimizer": name, "contender": f"torch {path}",
                                         "seconds": None, "note": str(exc).splitlines()[0][:80]})
                            continue
                        contenders[f"torch {path}"] = topt.step
                times = interleaved(contenders, reps)
                floor = streams * 4 * n / bw
                for k, t in times.items():
                    rows.append({"n": n, "tensors": tensors, "optimizer": name, "contender": k, "seconds": t,
                                 "floor_seconds": floor})
    return {"bandwidth_GBps": bw / 1e9, "rows": rows}
