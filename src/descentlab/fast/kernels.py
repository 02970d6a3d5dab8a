"""Fused, in-place optimizer updates on flat arrays.

Each function updates the parameters ``p`` and the optimizer state (``b``, ``m``,
``v``, ``s``) in place from the gradient ``g``, with no allocation per step. The
equations are those of :mod:`descentlab.optim` (PyTorch's forms unless a flag says
otherwise); the readable reference lives there, and the tests in ``tests/fast``
check these kernels against it, bit for bit in float64 and float32 (Adam's eps-hat
form in float32 agrees within rounding: the reference computes its step in float64).

Two backends compute the same operations in the same order:

* ``"numpy"`` walks the arrays in chunks of :data:`CHUNK` elements and applies one
  in-place ufunc per operation, with ``out=`` scratch buffers that are allocated once.
  A chunk and its scratch stay in the L2 cache between ufuncs, so each stream crosses
  the memory bus about once; a fresh full-size temporary would instead cost a page
  fault per 4 KiB (DESIGN.md: "fresh large temporaries cost page faults, not
  arithmetic").
* ``"numba"`` runs one compiled loop that reads every stream once and writes every
  state stream once. It needs the optional ``fast`` extra (numba); without it the
  NumPy backend runs and only the speed changes.

Pick the backend with :func:`set_backend` or the environment variable
``DESCENTLAB_FAST_BACKEND`` (``auto``, ``numpy`` or ``numba``); ``auto`` uses numba
when it imports.

On the numba backend the first six kernels return whether every value they wrote to
the parameters and to the rule's denominator buffer is finite (checked inside the loop,
at no measurable cost); on the NumPy backend they return None, and
:mod:`descentlab.fast.fused` checks the arrays itself.

Scalars are cast to the arrays' dtype before use, as NumPy does with a Python float
in ``float32_array * 0.9``, so float32 arithmetic stays float32 on both backends.
"""
from __future__ import annotations

import os
from types import ModuleType

import numpy as np

from ..errors import ConfigError, DTypeError, ShapeError, expected

__all__ = [
    "CHUNK",
    "numba_available",
    "set_backend",
    "get_backend",
    "set_threads",
    "sgd_",
    "momentum_",
    "momentum_lr_inside_",
    "adam_",
    "rmsprop_",
    "adagrad_",
]

# 2**16 elements: 256 KiB of float32 per stream, so a chunk's streams and scratch stay in
# a 1 MiB L2 between ufuncs. Measured for Adam on 10M float32 (ms): 4K 79, 16K 50,
# 32K 46, 64K 45, 128K 50, 256K 58.
CHUNK = 1 << 16

_BACKENDS = ("auto", "numpy", "numba")
_requested = os.environ.get("DESCENTLAB_FAST_BACKEND", "auto").strip().lower() or "auto"
if _requested not in _BACKENDS:
    import warnings

    warnings.warn(expected(f"DESCENTLAB_FAST_BACKEND in {_BACKENDS}", _requested, "unset it or pick one; using 'auto'"),
                  RuntimeWarning, stacklevel=2)
    _requested = "auto"
_numba_module: ModuleType | None = None
_numba_failed = False
_scratch: dict[np.dtype, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
_threads = 1
_pool = None
_PARALLEL_MIN = 1 << 20   # below this a thread hand-off costs more than it saves


def set_backend(name: str) -> None:
    """Choose the kernel backend: ``"auto"`` (numba if it imports), ``"numpy"`` or ``"numba"``."""
    global _requested
    if name not in _BACKENDS:
        raise ConfigError(expected(f"a backend in {_BACKENDS}", name, "pick one of them"))
    if name == "numba" and _load_numba() is None:
        raise ConfigError(expected("numba to be importable for backend 'numba'", "no numba",
                                   "pip install 'descentlab[fast]' or use backend 'numpy'"))
    _requested = name


def set_threads(n: int) -> None:
    """Split each numba kernel call over ``n`` threads (default 1) for arrays of 1M elements or more.

    The compiled loops release the GIL, so plain Python threads run them in parallel on
    disjoint slices; every element is still computed the same way, so the results do not
    depend on ``n``. The NumPy backend always runs on one thread.
    """
    global _threads, _pool
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ConfigError(expected("threads >= 1", n, "pass a positive integer"))
    if n != _threads and _pool is not None:
        _pool.shutdown()
        _pool = None
    _threads = n


def get_backend() -> str:
    """The backend the next kernel call will use: ``"numba"`` or ``"numpy"``."""
    if _requested == "numpy":
        return "numpy"
    return "numba" if _load_numba() is not None else "numpy"


def numba_available() -> bool:
    """True when numba imports and the compiled kernels load."""
    return _load_numba() is not None


def _load_numba() -> ModuleType | None:
    global _numba_module, _numba_failed
    if _numba_module is None and not _numba_failed:
        try:
            from . import _numba_kernels
        except ImportError:
            _numba_failed = True
        else:
            _numba_module = _numba_kernels
    return _numba_module


def _nb() -> ModuleType | None:
    return None if _requested == "numpy" else _load_numba()


def _flat(p: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    """Check the arrays share dtype, shape and C order; return their 1-D views."""
    if p.dtype not in (np.float32, np.float64):
        raise DTypeError(expected("float32 or float64 parameters", str(p.dtype), "cast with .astype(np.float32)"))
    out = [p.reshape(-1)]
    for a in others:
        if a.dtype != p.dtype or a.shape != p.shape:
            raise ShapeError(expected(f"arrays of dtype {p.dtype} and shape {p.shape}", f"{a.dtype} {a.shape}",
                                      "keep gradients and state in the parameters' dtype and shape"))
        out.append(a.reshape(-1))
    for a, flat in zip((p, *others), out):
        if not (flat.flags.c_contiguous and np.shares_memory(a, flat)):
            raise ShapeError(expected("C-contiguous arrays (updated in place)", "a non-contiguous view",
                                      "use np.ascontiguousarray once, before training"))
    return out


def _jit(fn, arrays: tuple, *scalars):
    """Run a compiled kernel on ``arrays``, split into ``_threads`` slices when they are large.

    Returns what the kernel returns (for the loops that check what they wrote: True when
    every written value is finite; over slices, True when it is in every slice).
    """
    n = arrays[0].size
    if _threads == 1 or n < _PARALLEL_MIN:
        return fn(*arrays, *scalars)
    global _pool
    if _pool is None:
        from concurrent.futures import ThreadPoolExecutor

        _pool = ThreadPoolExecutor(_threads, thread_name_prefix="descentlab-kernel")
    # slice edges on 16-element boundaries, so every slice starts on a 64-byte line
    edges = [min(n, (n * i // _threads) // 16 * 16) for i in range(_threads)] + [n]
    jobs = [_pool.submit(fn, *(a[lo:hi] for a in arrays), *scalars) for lo, hi in zip(edges[:-1], edges[1:])]
    results = [job.result() for job in jobs]
    return None if any(r is None for r in results) else all(results)


def _scratch_for(dtype: np.dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    bufs = _scratch.get(dtype)
    if bufs is None or bufs[0].size < CHUNK:
        bufs = tuple(np.empty(CHUNK, dtype) for _ in range(3))
        _scratch[dtype] = bufs
    return bufs


def _chunks(n: int):
    for i in range(0, n, CHUNK):
        j = min(i + CHUNK, n)
        yield i, j, j - i


def _grad_chunk(g, p, wd, use_wd, t0):
    """``g + wd * p`` (L2 weight decay folded into the gradient) or ``g`` itself."""
    if not use_wd:
        return g
    t0 = t0[:g.size]
    np.multiply(p, wd, out=t0)
    t0 += g
    return t0


def _apply(p, u, lw, decoupled, t):
    """``p ← p + u``, with ``u ← u − lr·wd·p`` first when the weight decay is decoupled."""
    if decoupled:
        t = t[:p.size]
        np.multiply(p, lw, out=t)
        u -= t
    p += u


class _Decay:
    """Weight decay as the reference applies it, cast to the arrays' dtype."""

    def __init__(self, dt, lr: float, weight_decay: float, decoupled: bool):
        self.wd = dt(weight_decay)
        self.use_wd = weight_decay != 0.0 and not decoupled   # L2: g <- g + wd*p
        self.lw = dt(lr * weight_decay)                       # decoupled: u <- u - (lr*wd)*p
        self.decoupled = weight_decay != 0.0 and decoupled


def sgd_(p: np.ndarray, g: np.ndarray, *, lr: float, weight_decay: float = 0.0,
         decoupled: bool = False) -> bool | None:
    """Gradient descent: ``u = −lr·g``, ``p ← p + u``.

    With ``weight_decay`` (L2) the gradient is ``g + wd·p``; with ``decoupled`` the
    update gains ``−lr·wd·p`` instead.
    """
    p1, g1 = _flat(p, g)
    dt = p1.dtype.type
    lr_, d = dt(lr), _Decay(dt, lr, weight_decay, decoupled)
    nb = _nb()
    if nb is not None:
        return _jit(nb.sgd, (p1, g1), lr_, d.wd, d.use_wd, d.lw, d.decoupled)
    t0, t1, t2 = _scratch_for(p1.dtype)
    for i, j, k in _chunks(p1.size):
        ps, u = p1[i:j], t1[:k]
        gs = _grad_chunk(g1[i:j], ps, d.wd, d.use_wd, t0)
        np.multiply(gs, lr_, out=u)
        np.negative(u, out=u)
        _apply(ps, u, d.lw, d.decoupled, t2)


def momentum_(p: np.ndarray, g: np.ndarray, b: np.ndarray, *, lr: float, mu: float,
              dampening: float = 0.0, nesterov: bool = False, first: bool = False,
              weight_decay: float = 0.0, decoupled: bool = False) -> bool | None:
    """Momentum with the learning rate outside the buffer (PyTorch, optax).

    ``b ← mu·b + (1 − dampening)·g`` (``b ← g`` on the ``first`` step), then
    ``u = −lr·b``, or ``u = −lr·(g + mu·b)`` with ``nesterov``; ``p ← p + u``.
    """
    p1, g1, b1 = _flat(p, g, b)
    dt = p1.dtype.type
    lr_, mu_, damp, d = dt(lr), dt(mu), dt(1.0 - dampening), _Decay(dt, lr, weight_decay, decoupled)
    nb = _nb()
    if nb is not None:
        return _jit(nb.momentum, (p1, g1, b1), lr_, mu_, damp, d.wd, d.use_wd, d.lw, d.decoupled, bool(nesterov), bool(first))
    t0, t1, t2 = _scratch_for(p1.dtype)
    for i, j, k in _chunks(p1.size):
        ps, bs, u = p1[i:j], b1[i:j], t1[:k]
        gs = _grad_chunk(g1[i:j], ps, d.wd, d.use_wd, t0)
        if first:
            bs[...] = gs
        else:
            bs *= mu_
            np.multiply(gs, damp, out=u)
            bs += u
        if nesterov:
            np.multiply(bs, mu_, out=u)
            u += gs
            u *= lr_
        else:
            np.multiply(bs, lr_, out=u)
        np.negative(u, out=u)
        _apply(ps, u, d.lw, d.decoupled, t2)


def momentum_lr_inside_(p: np.ndarray, g: np.ndarray, v: np.ndarray, *, lr: float, mu: float,
                        nesterov: bool = False, weight_decay: float = 0.0, decoupled: bool = False) -> bool | None:
    """Momentum with the learning rate inside the buffer (the lecture, CS231n, Keras).

    ``v ← mu·v − lr·g``, then ``u = v`` (or ``u = mu·v − lr·g``, the transformed
    Nesterov form, with ``nesterov``); ``p ← p + u``.
    """
    p1, g1, v1 = _flat(p, g, v)
    dt = p1.dtype.type
    lr_, mu_, d = dt(lr), dt(mu), _Decay(dt, lr, weight_decay, decoupled)
    nb = _nb()
    if nb is not None:
        return _jit(nb.momentum_lr_inside, (p1, g1, v1), lr_, mu_, d.wd, d.use_wd, d.lw, d.decoupled, bool(nesterov))
    t0, t1, t2 = _scratch_for(p1.dtype)
    for i, j, k in _chunks(p1.size):
        ps, vs, u, lg = p1[i:j], v1[i:j], t1[:k], t2[:k]
        gs = _grad_chunk(g1[i:j], ps, d.wd, d.use_wd, t0)
        np.multiply(gs, lr_, out=lg)
        vs *= mu_
        vs -= lg
        if nesterov:
            np.multiply(vs, mu_, out=u)
            u -= lg
        else:
            u[...] = vs
        _apply(ps, u, d.lw, d.decoupled, t2)


_EPS_MODES = {"outside": 0, "inside": 1, "hat": 2}


def adam_(p: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, *, lr: float, beta1: float,
          beta2: float, eps: float, step: int, eps_placement: str = "outside",
          weight_decay: float = 0.0, decoupled: bool = False) -> bool | None:
    """Adam (Kingma & Ba 2015, Alg. 1); AdamW when ``decoupled``.

    For update ``t = step`` (``step`` ≥ 1), as :mod:`descentlab.optim.adam` writes it::

        m ← beta1·m + (1 − beta1)·g
        v ← beta2·v + (1 − beta2)·g·g
        m_hat = m / (1 − beta1^t),  v_hat = v / (1 − beta2^t)
        u = −lr / (√v_hat + eps) · m_hat            eps_placement 'outside'
        u = −lr / √(v_hat + eps) · m_hat            'inside'
        u = −lr_t·(1 − beta1^t) / (√v + eps) · m_hat,  lr_t = lr·√(1 − beta2^t)/(1 − beta1^t)   'hat'
        p ← p + u
    """
    if eps_placement not in _EPS_MODES:
        raise ConfigError(expected(f"eps_placement in {tuple(_EPS_MODES)}", eps_placement, "pick one of them"))
    p1, g1, m1, v1 = _flat(p, g, m, v)
    dt = p1.dtype.type
    bc1, bc2 = 1.0 - beta1 ** step, 1.0 - beta2 ** step
    mode = _EPS_MODES[eps_placement]
    # the numerator of the per-coordinate step size, a scalar computed as the reference does
    num = lr if mode < 2 else (lr * np.sqrt(bc2) / bc1) * bc1
    d = _Decay(dt, lr, weight_decay, decoupled)
    beta1_, c1, beta2_, c2 = dt(beta1), dt(1.0 - beta1), dt(beta2), dt(1.0 - beta2)
    bc1_, bc2_, num_, eps_ = dt(bc1), dt(bc2), dt(num), dt(eps)
    nb = _nb()
    if nb is not None:
        return _jit(nb.adam, (p1, g1, m1, v1), beta1_, c1, beta2_, c2, bc1_, bc2_, num_, eps_, mode,
                d.wd, d.use_wd, d.lw, d.decoupled)
    t0, t1, t2 = _scratch_for(p1.dtype)
    for i, j, k in _chunks(p1.size):
        ps, ms, vs, a, b = p1[i:j], m1[i:j], v1[i:j], t1[:k], t2[:k]
        gs = _grad_chunk(g1[i:j], ps, d.wd, d.use_wd, t0)
        ms *= beta1_                       # m = beta1*m + (1-beta1)*g
        np.multiply(gs, c1, out=a)
        ms += a
        np.multiply(gs, c2, out=a)         # v = beta2*v + (1-beta2)*g*g
        a *= gs
        vs *= beta2_
        vs += a
        if mode == 2:                      # denominator
            np.sqrt(vs, out=a)
            a += eps_
        else:
            np.divide(vs, bc2_, out=a)
            if mode == 0:
                np.sqrt(a, out=a)
                a += eps_
            else:
                a += eps_
                np.sqrt(a, out=a)
        np.divide(num_, a, out=a)          # step size
        np.divide(ms, bc1_, out=b)         # m_hat
        b *= a
        np.negative(b, out=b)              # u
        _apply(ps, b, d.lw, d.decoupled, t0)


def rmsprop_(p: np.ndarray, g: np.ndarray, s: np.ndarray, b: np.ndarray | None = None, *, lr: float,
             beta: float, eps: float, eps_placement: str = "outside", momentum: float = 0.0,
             momentum_form: str = "lr_outside", weight_decay: float = 0.0, decoupled: bool = False) -> bool | None:
    """RMSProp (Tieleman & Hinton 2012), as :mod:`descentlab.optim.rmsprop` writes it::

        S ← beta·S + (1 − beta)·g·g
        denom = √S + eps  ('outside')   or   √(S + eps)  ('inside')
        u = −(lr / denom)·g                                  no momentum
        b ← mu·b + g / denom;        u = −lr·b               momentum, lr outside
        b ← mu·b + lr·g / denom;     u = −b                  momentum, lr inside
        p ← p + u
    """
    if eps_placement not in ("outside", "inside"):
        raise ConfigError(expected("eps_placement 'outside' or 'inside'", eps_placement, "pick one of them"))
    if momentum_form not in ("lr_outside", "lr_inside"):
        raise ConfigError(expected("momentum_form 'lr_outside' or 'lr_inside'", momentum_form, "pick one of them"))
    mom_mode = 0 if momentum == 0.0 else (1 if momentum_form == "lr_outside" else 2)
    if mom_mode and b is None:
        raise ConfigError(expected("a momentum buffer b when momentum > 0", None, "pass b=np.zeros_like(p)"))
    arrays = _flat(p, g, s, *(() if b is None or not mom_mode else (b,)))
    p1, g1, s1 = arrays[:3]
    b1 = arrays[3] if mom_mode else None
    dt = p1.dtype.type
    lr_, beta_, c, eps_, mu_ = dt(lr), dt(beta), dt(1.0 - beta), dt(eps), dt(momentum)
    inside = eps_placement == "inside"
    d = _Decay(dt, lr, weight_decay, decoupled)
    nb = _nb()
    if nb is not None:
        if mom_mode:
            return _jit(nb.rmsprop_momentum, (p1, g1, s1, b1), lr_, beta_, c, eps_, inside, mu_, mom_mode == 2,
                 d.wd, d.use_wd, d.lw, d.decoupled)
        else:
            return _jit(nb.rmsprop, (p1, g1, s1), lr_, beta_, c, eps_, inside, d.wd, d.use_wd, d.lw, d.decoupled)
    t0, t1, t2 = _scratch_for(p1.dtype)
    for i, j, k in _chunks(p1.size):
        ps, ss, den, u = p1[i:j], s1[i:j], t1[:k], t2[:k]
        gs = _grad_chunk(g1[i:j], ps, d.wd, d.use_wd, t0)
        ss *= beta_
        np.multiply(gs, c, out=u)
        u *= gs
        ss += u
        _denominator(ss, eps_, inside, den)
        if mom_mode == 0:
            np.divide(lr_, den, out=u)
            u *= gs
            np.negative(u, out=u)
        else:
            bs = b1[i:j]
            bs *= mu_
            if mom_mode == 1:
                np.divide(gs, den, out=u)
                bs += u
                np.multiply(bs, lr_, out=u)
                np.negative(u, out=u)
            else:
                np.multiply(gs, lr_, out=u)
                u /= den
                bs += u
                np.negative(bs, out=u)
        _apply(ps, u, d.lw, d.decoupled, den)


def adagrad_(p: np.ndarray, g: np.ndarray, s: np.ndarray, *, lr: float, eps: float,
             eps_placement: str = "outside", weight_decay: float = 0.0, decoupled: bool = False) -> bool | None:
    """AdaGrad (Duchi et al. 2011), as :mod:`descentlab.optim.adagrad` writes it::

        S ← S + g·g
        u = −(lr / (√S + eps))·g     ('outside')   or   −(lr / √(S + eps))·g  ('inside')
        p ← p + u

    ``lr`` is the step's learning rate after any ``lr_decay``; the initial accumulator
    is whatever ``s`` holds before the first step.
    """
    if eps_placement not in ("outside", "inside"):
        raise ConfigError(expected("eps_placement 'outside' or 'inside'", eps_placement, "pick one of them"))
    p1, g1, s1 = _flat(p, g, s)
    dt = p1.dtype.type
    lr_, eps_, inside = dt(lr), dt(eps), eps_placement == "inside"
    d = _Decay(dt, lr, weight_decay, decoupled)
    nb = _nb()
    if nb is not None:
        return _jit(nb.adagrad, (p1, g1, s1), lr_, eps_, inside, d.wd, d.use_wd, d.lw, d.decoupled)
    t0, t1, t2 = _scratch_for(p1.dtype)
    for i, j, k in _chunks(p1.size):
        ps, ss, den, u = p1[i:j], s1[i:j], t1[:k], t2[:k]
        gs = _grad_chunk(g1[i:j], ps, d.wd, d.use_wd, t0)
        np.multiply(gs, gs, out=u)
        ss += u
        _denominator(ss, eps_, inside, den)
        np.divide(lr_, den, out=u)
        u *= gs
        np.negative(u, out=u)
        _apply(ps, u, d.lw, d.decoupled, den)


def _denominator(acc, eps, eps_inside, out):
    """``√(acc + eps)`` or ``√acc + eps`` into ``out``."""
    if eps_inside:
        np.add(acc, eps, out=out)
        np.sqrt(out, out=out)
    else:
        np.sqrt(acc, out=out)
        out += eps
