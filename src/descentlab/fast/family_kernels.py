"""Fused in-place kernels for Rprop, Lion, Adamax, Adadelta and RAdam, registered in optim's dispatch table.

Each kernel computes the equations of its rule's reference module
(:mod:`descentlab.optim.rprop`, ``lion``, ``adamax``, ``adadelta``, ``radam``) in the same
operations and order, chunk by chunk with ``out=`` scratch buffers (the NumPy backend
of :mod:`.kernels`), so a step allocates no full-size temporary and the result is the
reference's to the bit, in float32 and float64 (tests/fast/test_family_kernels.py).
They are elementwise rules, which is what makes a fused pass pay: the reference makes
about ten full-size temporaries per parameter per step. RAdam's branch (plain momentum
while rho_t <= 5, the rectified step after) depends on the step alone, so it is chosen
once per call and the loop stays elementwise.

With numba (the backend of :mod:`.kernels`, chosen by :func:`~.kernels.set_backend`) each
kernel runs as one compiled loop of :mod:`._numba_kernels` instead, doing the same
operations in the same order, so both backends give the same bits; without it the
NumPy chunks run.

Importing the module registers the five forms (``rprop``, ``lion``, ``adamax``,
``adadelta``, ``radam``) with :func:`descentlab.optim.dispatch.register_fused`; it is named in
``descentlab._wiring.FUSED_KERNEL_MODULES``.
"""
from __future__ import annotations

import math
import sys

import numpy as np

from ..errors import ConfigError, expected
from ..optim import dispatch
from ..optim.adadelta import Adadelta, AdadeltaStep
from ..optim.adamax import Adamax, AdamaxStep
from ..optim.lion import Lion, LionStep
from ..optim.radam import RAdam, RAdamStep
from ..optim.rprop import Rprop, RpropStep
from .fused import FusedRule
from . import kernels
from .kernels import _apply, _chunks, _Decay, _flat, _grad_chunk, _scratch_for

__all__ = ["rprop_", "lion_", "adamax_", "adadelta_", "radam_"]


def rprop_(p, g, prev, s, *, eta_minus: float, eta_plus: float, step_size_min: float, step_size_max: float) -> None:
    """iRprop⁻: c = sign(g·prev); s ← clip(s·η±, min, max); g ← 0 where c < 0; p ← p − sign(g)·s; prev ← g."""
    p1, g1, prev1, s1 = _flat(p, g, prev, s)
    dt = p1.dtype.type
    etap, etam, lo, hi = dt(eta_plus), dt(eta_minus), dt(step_size_min), dt(step_size_max)
    nb = kernels._nb()
    if nb is not None:
        kernels._jit(nb.rprop, (p1, g1, prev1, s1), etap, etam, lo, hi, dt(0.0), dt(1.0))
        return
    t0, t1, t2 = _scratch_for(p1.dtype)
    for i, j, k in _chunks(p1.size):
        c, f = t0[:k], t1[:k]
        np.multiply(g1[i:j], prev1[i:j], out=t2[:k])
        np.sign(t2[:k], out=c)   # never in place: NumPy's in-place sign runs ~10x slower than into another buffer
        f.fill(1)
        np.copyto(f, etap, where=c > 0)
        flipped = c < 0
        np.copyto(f, etam, where=flipped)
        ss = s1[i:j]
        ss *= f
        np.clip(ss, lo, hi, out=ss)
        ps = prev1[i:j]
        ps[...] = g1[i:j]
        np.copyto(ps, 0, where=flipped)
        np.sign(ps, out=f)
        f *= ss
        p1[i:j] -= f


def lion_(p, g, m, *, lr: float, beta1: float, beta2: float, weight_decay: float = 0.0,
          decoupled: bool = True) -> None:
    """Lion: p ← p − lr·sign(β1·m + (1 − β1)·g); m ← β2·m + (1 − β2)·g (weight decay as the reference)."""
    p1, g1, m1 = _flat(p, g, m)
    dt = p1.dtype.type
    b1, c1, b2, c2, nlr = dt(beta1), dt(1.0 - beta1), dt(beta2), dt(1.0 - beta2), dt(-lr)
    d = _Decay(dt, lr, weight_decay, decoupled)
    nb = kernels._nb()
    if nb is not None:
        kernels._jit(nb.lion, (p1, g1, m1), b1, c1, b2, c2, nlr, dt(0.0), dt(1.0), d.wd, d.use_wd, d.lw, d.decoupled)
        return
    t0, t1, t2 = _scratch_for(p1.dtype)
    for i, j, k in _chunks(p1.size):
        ps, ms, u, v = p1[i:j], m1[i:j], t1[:k], t2[:k]
        gs = _grad_chunk(g1[i:j], ps, d.wd, d.use_wd, t0)
        np.multiply(ms, b1, out=u)
        np.multiply(gs, c1, out=v)
        u += v
        np.sign(u, out=v)        # into the other buffer: in place, NumPy's sign runs ~10x slower
        ms *= b2
        np.multiply(gs, c2, out=u)
        ms += u
        v *= nlr
        _apply(ps, v, d.lw, d.decoupled, u)


def adamax_(p, g, m, u, *, lr: float, beta1: float, beta2: float, eps: float, eps_in_max: bool, step: int,
            weight_decay: float = 0.0, decoupled: bool = False) -> None:
    """Adamax: m ← β1·m + (1 − β1)·g; u ← max(β2·u, |g| + eps) (or + eps after); p ← p − lr/u·m/(1 − β1^t)."""
    p1, g1, m1, u1 = _flat(p, g, m, u)
    dt = p1.dtype.type
    b1, c1, b2, eps_, lr_, bc1 = dt(beta1), dt(1.0 - beta1), dt(beta2), dt(eps), dt(lr), dt(1.0 - beta1 ** step)
    d = _Decay(dt, lr, weight_decay, decoupled)
    nb = kernels._nb()
    if nb is not None:
        kernels._jit(nb.adamax, (p1, g1, m1, u1), b1, c1, b2, eps_, lr_, bc1, bool(eps_in_max),
                     d.wd, d.use_wd, d.lw, d.decoupled)
        return
    t0, t1, t2 = _scratch_for(p1.dtype)
    for i, j, k in _chunks(p1.size):
        ps, ms, us, a, b = p1[i:j], m1[i:j], u1[i:j], t1[:k], t2[:k]
        gs = _grad_chunk(g1[i:j], ps, d.wd, d.use_wd, t0)
        ms *= b1
        np.multiply(gs, c1, out=a)
        ms += a
        us *= b2
        np.abs(gs, out=a)
        if eps_in_max:
            a += eps_
            np.maximum(us, a, out=us)
            np.divide(lr_, us, out=a)          # step size lr / u
        else:
            np.maximum(us, a, out=us)
            np.add(us, eps_, out=b)
            np.divide(lr_, b, out=a)           # step size lr / (u + eps)
        np.divide(ms, bc1, out=b)              # m_hat
        a *= b
        np.negative(a, out=a)
        _apply(ps, a, d.lw, d.decoupled, b)


def adadelta_(p, g, S, D, *, lr: float, beta: float, eps: float, weight_decay: float = 0.0,
              decoupled: bool = False) -> None:
    """Adadelta: S ← β·S + (1 − β)·g²; d = √(D + eps)/√(S + eps)·g; D ← β·D + (1 − β)·d²; p ← p − lr·d."""
    p1, g1, S1, D1 = _flat(p, g, S, D)
    dt = p1.dtype.type
    b, c, eps_, nlr = dt(beta), dt(1.0 - beta), dt(eps), dt(-lr)
    dec = _Decay(dt, lr, weight_decay, decoupled)
    nb = kernels._nb()
    if nb is not None:
        kernels._jit(nb.adadelta, (p1, g1, S1, D1), b, c, eps_, nlr, dec.wd, dec.use_wd, dec.lw, dec.decoupled)
        return
    t0, t1, t2 = _scratch_for(p1.dtype)
    for i, j, k in _chunks(p1.size):
        ps, Ss, Ds, x, y = p1[i:j], S1[i:j], D1[i:j], t1[:k], t2[:k]
        gs = _grad_chunk(g1[i:j], ps, dec.wd, dec.use_wd, t0)
        Ss *= b
        np.multiply(gs, c, out=x)
        x *= gs
        Ss += x
        np.add(Ds, eps_, out=x)
        np.sqrt(x, out=x)
        np.add(Ss, eps_, out=y)
        np.sqrt(y, out=y)
        x /= y                                 # the ratio of the two RMS values
        x *= gs                                # d
        Ds *= b
        np.multiply(x, c, out=y)
        y *= x
        Ds += y
        x *= nlr
        _apply(ps, x, dec.lw, dec.decoupled, y)


_RADAM_EPS = {"outside": 0, "inside": 1, "hat": 2}


def radam_(p, g, m, v, *, lr: float, beta1: float, beta2: float, eps: float, step: int,
           eps_placement: str = "hat", weight_decay: float = 0.0, decoupled: bool = False) -> None:
    """RAdam for update ``t = step``: Adam's m and v; ``p ← p − lr·m_hat`` while rho_t <= 5, else
    ``p ← p − lr·r_t / denom · m_hat`` (denom by ``eps_placement``, as :mod:`descentlab.optim.radam`)."""
    if eps_placement not in _RADAM_EPS:
        raise ConfigError(expected(f"eps_placement in {tuple(_RADAM_EPS)}", eps_placement, "pick one of them"))
    p1, g1, m1, v1 = _flat(p, g, m, v)
    dt = p1.dtype.type
    # the step's scalars, in the reference's expressions
    t = step
    bc1, bc2 = 1.0 - beta1 ** t, 1.0 - beta2 ** t
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    rho_t = rho_inf - 2.0 * t * beta2 ** t / bc2
    rectified = rho_t > 5.0
    mode = _RADAM_EPS[eps_placement]
    num = 0.0
    if rectified:
        r = math.sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
        num = lr * r * math.sqrt(bc2) if mode == 2 else lr * r
    b1, c1, b2, c2 = dt(beta1), dt(1.0 - beta1), dt(beta2), dt(1.0 - beta2)
    bc1_, bc2_, num_, eps_, nlr = dt(bc1), dt(bc2), dt(num), dt(eps), dt(-lr)
    d = _Decay(dt, lr, weight_decay, decoupled)
    nb = kernels._nb()
    if nb is not None:
        kernels._jit(nb.radam, (p1, g1, m1, v1), b1, c1, b2, c2, bc1_, bc2_, num_, eps_, nlr, bool(rectified), mode,
                     d.wd, d.use_wd, d.lw, d.decoupled)
        return
    t0, t1, t2 = _scratch_for(p1.dtype)
    for i, j, k in _chunks(p1.size):
        ps, ms, vs, a, b = p1[i:j], m1[i:j], v1[i:j], t1[:k], t2[:k]
        gs = _grad_chunk(g1[i:j], ps, d.wd, d.use_wd, t0)
        ms *= b1                               # m = beta1*m + (1-beta1)*g
        np.multiply(gs, c1, out=a)
        ms += a
        np.multiply(gs, c2, out=a)             # v = beta2*v + (1-beta2)*g*g
        a *= gs
        vs *= b2
        vs += a
        np.divide(ms, bc1_, out=b)             # m_hat
        if not rectified:
            b *= nlr                           # u = -lr * m_hat
        else:
            if mode == 2:                      # sqrt(v) + eps, on the raw v
                np.sqrt(vs, out=a)
                a += eps_
            else:
                np.divide(vs, bc2_, out=a)     # v_hat
                if mode == 0:
                    np.sqrt(a, out=a)
                    a += eps_
                else:
                    a += eps_
                    np.sqrt(a, out=a)
            np.divide(num_, a, out=a)          # step size
            np.negative(a, out=a)
            b *= a                             # u = -step_size * m_hat
        _apply(ps, b, d.lw, d.decoupled, a)


def _rprop(f: RpropStep) -> dict:
    return dict(eta_minus=f.eta_minus, eta_plus=f.eta_plus, step_size_min=f.step_size_min,
                step_size_max=f.step_size_max)


def _lion(f: LionStep) -> dict:
    return dict(lr=f.lr, beta1=f.beta1, beta2=f.beta2, weight_decay=f.weight_decay, decoupled=f.decoupled)


def _adamax(f: AdamaxStep) -> dict:
    return dict(lr=f.lr, beta1=f.beta1, beta2=f.beta2, eps=f.eps, eps_in_max=f.eps_in_max, step=f.step + 1,
                weight_decay=f.weight_decay, decoupled=f.decoupled)


def _adadelta(f: AdadeltaStep) -> dict:
    return dict(lr=f.lr, beta=f.beta, eps=f.eps, weight_decay=f.weight_decay, decoupled=f.decoupled)


def _radam(f: RAdamStep) -> dict:
    return dict(lr=f.lr, beta1=f.beta1, beta2=f.beta2, eps=f.eps, step=f.step + 1, eps_placement=f.eps_placement,
                weight_decay=f.weight_decay, decoupled=f.decoupled)


_HERE = sys.modules[__name__]
_RULES = {
    (Rprop, "rprop"): FusedRule("rprop_", "Rprop (iRprop⁻)", _rprop, _HERE),
    (Lion, "lion"): FusedRule("lion_", "Lion", _lion, _HERE),
    (Adamax, "adamax"): FusedRule("adamax_", "Adamax", _adamax, _HERE),
    (Adadelta, "adadelta"): FusedRule("adadelta_", "Adadelta", _adadelta, _HERE),
    (RAdam, "radam"): FusedRule("radam_", "RAdam", _radam, _HERE),
}
for (_cls, _key), _rule in _RULES.items():
    dispatch.register_fused(_cls, _key, _rule)
