"""Optimizer step throughput: descentlab's fused kernels vs torch.optim, and the memory floor.

Each case updates N float32 parameters (one flat buffer, or 100 tensors of N/100)
from a fixed gradient. descentlab's step goes through the dispatch table
(``fused_step``), and each contender is labelled with the backend that actually ran:
``numba`` only when a numba-compiled kernel was seen running
(:func:`_common.numba_kernels_run`), ``numpy`` otherwise.

The floor is the time to stream the step's arrays once: ``streams × 4 bytes × N /
bandwidth``, where a stream is one array read or one array written (an in-place write
goes back to the line it read, so it costs one stream, not two). The bandwidth is the
best rate (fastest repetition) that any memory-only probe reached at that size in this
run: NumPy's and numba's ``a += b``, numba's copy and triad, and a loop with the step's
own access pattern (read p, g and each state array; write p and each state array), all
timed in every case, interleaved with the contenders. docs/performance.md explains why
one ``a += b`` is not enough.
"""
from __future__ import annotations

import numpy as np

from _common import backend_that_ran, have, interleaved, reference_step

# name -> (descentlab make_optimizer args, torch class name or None, torch kwargs, state arrays, torch paths)
_ALL = ("default", "foreach", "fused")
_NO_FUSED = ("default", "foreach")
OPTIMIZERS = {
    "SGD": (("sgd", {"lr": 1e-3}), "SGD", {"lr": 1e-3}, 0, _ALL),
    "momentum": (("momentum", {"lr": 1e-3, "momentum": 0.9}), "SGD", {"lr": 1e-3, "momentum": 0.9}, 1, _ALL),
    "Adam": (("adam", {"lr": 1e-3}), "Adam", {"lr": 1e-3}, 2, _ALL),
    "RMSProp": (("rmsprop", {"lr": 1e-3}), "RMSprop", {"lr": 1e-3}, 1, _NO_FUSED),   # no fused RMSprop in 2.13
    "AdaGrad": (("adagrad", {"lr": 1e-3}), "Adagrad", {"lr": 1e-3}, 1, _ALL),
    # the family's elementwise rules, at torch 2.13's defaults; torch has no fused CPU path for them
    "Rprop": (("rprop", {"lr": 1e-2}), "Rprop", {"lr": 1e-2}, 2, _NO_FUSED),
    "Adamax": (("adamax", {"lr": 2e-3}), "Adamax", {"lr": 2e-3}, 2, _NO_FUSED),
    "Adadelta": (("adadelta", {"lr": 1.0}), "Adadelta", {"lr": 1.0}, 2, _NO_FUSED),
    "RAdam": (("radam", {"lr": 1e-3}), "RAdam", {"lr": 1e-3}, 2, _NO_FUSED),
    "Lion": (("lion", {"lr": 1e-4}), None, {}, 1, ()),                               # torch has no Lion
}
TORCH_PATHS = {"default": {"foreach": False}, "foreach": {"foreach": True}, "fused": {"fused": True}}
PROBE = "probe:"   # contenders whose name starts so are bandwidth probes, not rows


def streams(state_arrays: int) -> int:
    """Reads of p, g and each state array, plus writes of p and each state array."""
    return 3 + 2 * state_arrays


# ----------------------------------------------------------------------------- bandwidth probes
def _numba_probes():
    try:
        import _stream_probes
    except ImportError:   # numba missing (or hidden): the NumPy probes alone
        return None
    return _stream_probes


def _splitter(n: int, threads: int):
    """``split(fn, *arrays)``: fn on one slice per thread, as descentlab.fast.kernels splits a kernel call."""
    if threads == 1:
        return lambda fn, *arrays: fn(*arrays)
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(threads)
    edges = [min(n, (n * i // threads) // 16 * 16) for i in range(threads)] + [n]

    def split(fn, *arrays):
        jobs = [pool.submit(fn, *(a[lo:hi] for a in arrays)) for lo, hi in zip(edges[:-1], edges[1:])]
        for job in jobs:
            job.result()
    return split


def _numpy_update(p, g, *state, chunk: int = 1 << 16):
    """p += g and each state += g, chunk by chunk, so g's chunk is read from memory once."""
    for i in range(0, p.size, chunk):
        gs = g[i:i + chunk]
        for a in (*state, p):
            a[i:i + chunk] += gs


class Probes:
    """Memory-only loops over float32 arrays of n elements; each ``(fn, streams)``, with arrays of its own.

    Each probe owns its arrays, as each contender does, so that no probe finds in the
    cache what the probe before it left there.
    """

    def __init__(self, n: int, threads: int):
        self.n, self.threads = n, threads
        self.split = _splitter(n, threads)
        self.nb = _numba_probes()
        self.rng = np.random.default_rng(1)

    def _arrays(self, k: int) -> list[np.ndarray]:
        return [self.rng.standard_normal(self.n, dtype=np.float32) * np.float32(1e-3) for _ in range(k)]

    def generic(self) -> dict[str, tuple]:
        split, nb = self.split, self.nb
        a, b = self._arrays(2)
        out = {"NumPy a += b": (lambda: split(lambda x, y: np.add(x, y, out=x), a, b), 3)}
        if nb is not None:
            s = np.float32(1e-3)
            a2, b2, a3, b3, a4, b4, c4 = self._arrays(7)
            out["numba a += b"] = (lambda: split(nb.add, a2, b2), 3)
            out["numba copy a = b"] = (lambda: split(nb.copy, a3, b3), 2)
            out["numba triad a = b + s·c"] = (lambda: split(lambda x, y, z: nb.triad(x, y, z, s), a4, b4, c4), 3)
        return out

    def pattern(self, state_arrays: int) -> tuple[str, tuple]:
        """The loop with a step's access pattern: p += g and each of ``state_arrays`` arrays += g."""
        arrays = self._arrays(2 + state_arrays)
        if self.nb is not None:
            fn = getattr(self.nb, f"update{state_arrays}")
            name = f"numba step pattern ({streams(state_arrays)} streams)"
        else:
            fn = _numpy_update
            name = f"NumPy step pattern ({streams(state_arrays)} streams)"
        return name, ((lambda: self.split(fn, *arrays)), streams(state_arrays))


def _rate(n: int, n_streams: int, seconds: float) -> float:
    return n_streams * 4 * n / seconds


# ----------------------------------------------------------------------------- the run
def _shapes(n: int, tensors: int) -> dict[str, tuple[int, ...]]:
    per = n // tensors
    return {f"p{i}": (per,) for i in range(tensors)}


def _fused_contender(opt, params, grads, state):
    """``(label, step)`` for descentlab's dispatch on these buffers, labelled by what actually ran."""
    from descentlab.fast import fused_step, try_fused_step

    if not try_fused_step(opt, params, grads, state):
        return "descentlab opt.step (no fused kernel)", lambda: opt.step(params, grads, state)
    backend = backend_that_ran(lambda: try_fused_step(opt, params, grads, state))
    return f"descentlab fused ({backend})", lambda: fused_step(opt, params, grads, state)


def run(sizes: list[int], layouts: list[int], names: list[str], reps: int, reference_max: int,
        threads: int = 1) -> dict:
    from descentlab.fast import FlatArrays, flatten_state_slots, kernels
    from descentlab.optim import make_optimizer

    torch = None
    if have("torch"):
        import torch
    rows = []
    rates: dict[int, dict[str, float]] = {}   # per size: probe -> best bytes/s
    for n in sizes:
        pn = Probes(n, threads)
        rates[n] = {}
        for tensors in layouts:
            shapes = _shapes(n, tensors)
            rng = np.random.default_rng(0)
            for name in names:
                (dl_name, dl_hyper), torch_cls, torch_kw, n_state, torch_paths = OPTIMIZERS[name]
                opt = make_optimizer(dl_name, **dl_hyper)
                contenders, ours = {}, None
                # descentlab through the dispatch table: one flat buffer (or 100 views of one)
                params = FlatArrays({k: s for k, s in shapes.items()}, np.float32)
                params.flat[:] = rng.standard_normal(params.flat.size, dtype=np.float32)
                grads = params.zeros_like()
                grads.flat[:] = rng.standard_normal(grads.flat.size, dtype=np.float32) * 1e-2
                state = opt.init(params.views)
                flatten_state_slots(state.slots, params.views)
                ours, step = _fused_contender(opt, params.views, grads.views, state)
                contenders[ours] = step
                # the same on separate arrays: one kernel call per tensor
                if tensors > 1:
                    sep = {k: v.copy() for k, v in params.views.items()}
                    sep_g = {k: v.copy() for k, v in grads.views.items()}
                    sep_s = opt.init(sep)
                    label, step = _fused_contender(opt, sep, sep_g, sep_s)
                    contenders[f"{label}, separate arrays"] = step
                if ours == "descentlab fused (numba)":   # the NumPy backend beside it
                    p2 = {k: v.copy() for k, v in params.views.items()}
                    fa2 = FlatArrays.from_arrays(p2)
                    s2 = opt.init(fa2.views)
                    flatten_state_slots(s2.slots, fa2.views)
                    kernels.set_backend("numpy")
                    try:
                        label, numpy_step = _fused_contender(opt, fa2.views, grads.views, s2)
                    finally:
                        kernels.set_backend("auto")

                    def forced_numpy(step=numpy_step):
                        kernels.set_backend("numpy")
                        try:
                            step()
                        finally:
                            kernels.set_backend("auto")
                    contenders[label if label not in contenders else f"{label}, backend set to numpy"] = forced_numpy
                if n <= reference_max:
                    ref = {k: v.copy() for k, v in params.views.items()}
                    ref_s = opt.init(ref)
                    contenders["descentlab reference (opt.update)"] = (
                        lambda o=opt, p=ref, g=grads.views, s=ref_s: reference_step(o, p, g, s))
                if torch is not None:
                    for path in torch_paths:
                        tps = [torch.from_numpy(v.copy()).requires_grad_() for v in params.views.values()]
                        for tp, g in zip(tps, grads.views.values()):
                            tp.grad = torch.from_numpy(g.copy())
                        try:
                            topt = getattr(torch.optim, torch_cls)(tps, **torch_kw, **TORCH_PATHS[path])
                            topt.step()
                        except (RuntimeError, TypeError, ValueError) as exc:  # a path torch lacks on CPU
                            rows.append({"n": n, "tensors": tensors, "optimizer": name, "contender": f"torch {path}",
                                         "seconds": None, "note": str(exc).splitlines()[0][:80]})
                            continue
                        contenders[f"torch {path}"] = topt.step
                # the probes run in the same round-robin as the contenders, so they meet the same
                # cache (a probe timed back to back on 1M elements runs from a warm L3, which no
                # contender does here) and the same drift of a shared machine
                probes = dict(pn.generic())
                probe_name, probe = pn.pattern(n_state)
                probes[probe_name] = probe
                contenders.update({PROBE + k: fn for k, (fn, _) in probes.items()})
                times = interleaved(contenders, reps, fastest=tuple(PROBE + k for k in probes))
                for k, (_, probe_streams) in probes.items():
                    rate = _rate(n, probe_streams, times.pop(PROBE + k))
                    rates[n][k] = max(rate, rates[n].get(k, 0.0))
                for k, t in times.items():
                    rows.append({"n": n, "tensors": tensors, "optimizer": name, "contender": k, "seconds": t,
                                 "ours": k == ours, "streams": streams(n_state)})
        del pn
    best = {n: max(r, key=r.get) for n, r in rates.items()}
    for r in rows:
        if r.get("seconds") is not None:
            r["floor_seconds"] = r["streams"] * 4 * r["n"] / rates[r["n"]][best[r["n"]]]
    return {"bandwidth": [{"n": n, "GBps": rates[n][best[n]] / 1e9, "method": best[n],
                           "probes_GBps": {k: v / 1e9 for k, v in rates[n].items()}} for n in sizes],
            "threads": threads, "rows": rows}
