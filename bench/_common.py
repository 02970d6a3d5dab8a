"""Shared helpers for the benchmarks: threads, interleaved timing, machine facts.

Every comparison is timed *interleaved*: each repetition runs every contender once,
in the same order, so slow drifts of the machine (other processes, turbo, thermal)
hit all contenders alike; the reported figure is the median over repetitions.
"""
from __future__ import annotations

import importlib.util
import os
import platform
import statistics
import time
from typing import Callable

THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def set_threads(n: int) -> dict:
    """Limit NumPy's BLAS (threadpoolctl when installed; the worker's env vars otherwise) and torch.

    Returns what was set, for the report.
    """
    info = {"threads": n, "numpy_blas": "env vars only (threadpoolctl not installed)"}
    import numpy  # noqa: F401  (load NumPy's BLAS so threadpoolctl can see and limit it)

    if have("threadpoolctl"):
        from threadpoolctl import threadpool_info, threadpool_limits

        threadpool_limits(n)
        pools = [f"{p.get('internal_api')} {p.get('version')} ({p.get('architecture')}), {p.get('num_threads')} threads"
                 for p in threadpool_info() if p.get("user_api") == "blas"]
        info["numpy_blas"] = "; ".join(pools) or "no BLAS pool found"
    from descentlab.fast import kernels

    kernels.set_threads(n)   # numba kernels split large arrays over n threads
    info["descentlab_kernel_threads"] = n
    if have("torch"):
        import torch

        torch.set_num_threads(n)
        info["torch_threads"] = torch.get_num_threads()
    return info


def interleaved(contenders: dict[str, Callable[[], object]], reps: int, warmup: int = 1,
                fastest: tuple[str, ...] = ()) -> dict[str, float]:
    """Median seconds per call of each contender, timed round-robin ``reps`` times.

    For the names in ``fastest`` the figure is the fastest repetition instead: a
    bandwidth probe stands for what the machine *can* do, which its best repetition shows.
    """
    for fn in contenders.values():
        for _ in range(warmup):
            fn()
    samples: dict[str, list[float]] = {k: [] for k in contenders}
    for _ in range(reps):
        for name, fn in contenders.items():
            t0 = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - t0)
    return {k: min(v) if k in fastest else statistics.median(v) for k, v in samples.items()}


def reference_step(opt, params: dict, grads: dict, state) -> None:
    """One step of the readable reference: ``opt.update``, then ``p += u`` and the new state.

    ``opt.step`` is not the reference for large parameter sets: from ``FUSED_MIN_SIZE``
    elements on it runs the fused kernel registered for the rule.
    """
    updates, new = opt.update(grads, state, params)
    for name, u in updates.items():
        params[name] += u
    state.slots, state.step = new.slots, new.step


def repeated(fn: Callable[[], object], inner: int) -> Callable[[], None]:
    """``fn`` called ``inner`` times in one go: one timed call for operations too short to time alone."""
    def many() -> None:
        for _ in range(inner):
            fn()
    return many


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for mod in ("numpy", "numba", "torch", "threadpoolctl"):
        if have(mod):
            try:
                out[mod] = importlib.import_module(mod).__version__
            except Exception as exc:  # a broken optional install is reported, not fatal
                out[mod] = f"broken ({type(exc).__name__})"
        else:
            out[mod] = "not installed"
    return out


def blas_env() -> dict[str, str]:
    return {k: os.environ.get(k, "unset") for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}


# ----------------------------------------------------------------------------- which kernels ran
def _numba_compiled(obj) -> bool:
    """A numba-compiled function (a numba dispatcher), recognised without importing numba."""
    return type(obj).__module__.startswith("numba") and hasattr(obj, "py_func")


def numba_kernels_run(fn: Callable[[], object]) -> tuple[object, list[str]]:
    """Call ``fn`` once and return ``(its result, the numba-compiled functions of descentlab.fast it ran)``.

    Every numba dispatcher reachable from a loaded ``descentlab.fast`` module (a module
    attribute, or an entry of a dict or list held in one) is replaced, for this one
    call, by a counting wrapper that calls it; the originals are put back afterwards.
    An empty list means no numba kernel ran: the NumPy backend did the work (or the
    dispatcher fell back to ``opt.step``). This is evidence of what ran, not a guess from
    what imports. Call ``fn`` once before, so that lazily loaded kernel modules are loaded.
    """
    import sys

    ran: list[str] = []
    undo: list[Callable[[], None]] = []

    def counting(name, kernel):
        def wrapper(*args, **kwargs):
            ran.append(name)
            return kernel(*args, **kwargs)
        return wrapper
    for modname, module in list(sys.modules.items()):
        if not modname.startswith("descentlab.fast") or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if _numba_compiled(value):
                setattr(module, attr, counting(f"{modname}.{attr}", value))
                undo.append(lambda m=module, a=attr, v=value: setattr(m, a, v))
            elif isinstance(value, dict):
                for key, item in list(value.items()):
                    if _numba_compiled(item):
                        value[key] = counting(f"{modname}.{attr}[{key!r}]", item)
                        undo.append(lambda d=value, k=key, v=item: d.__setitem__(k, v))
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if _numba_compiled(item):
                        value[i] = counting(f"{modname}.{attr}[{i}]", item)
                        undo.append(lambda lst=value, j=i, v=item: lst.__setitem__(j, v))
    try:
        result = fn()
    finally:
        for restore in reversed(undo):
            restore()
    return result, sorted(set(ran))


def backend_that_ran(fn: Callable[[], object]) -> str:
    """``"numba"`` when ``fn`` (one training or optimizer step) ran a numba kernel, else ``"numpy"``.

    ``fn`` is called twice: once to load whatever loads lazily, once counted.
    """
    fn()
    return "numba" if numba_kernels_run(fn)[1] else "numpy"
