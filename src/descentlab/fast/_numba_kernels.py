"""numba versions of the fused kernels in :mod:`descentlab.fast.kernels`.

This module imports numba at import time, so only :mod:`descentlab.fast.kernels`
imports it, and only when the numba backend is chosen. Each function is one loop
that reads every stream once and writes each state stream once: the whole update
of one element stays in registers, which is what brings a step to the memory
bandwidth floor.

Every scalar argument arrives already cast to the arrays' dtype, and the loops use no
literal constants: a Python float literal would promote float32 arithmetic to
float64 and change the rounding. Each line performs the same operations, in the same
order, as the reference in :mod:`descentlab.optim` (``u`` is the update, applied as
``p + u``), so both backends give bit-identical results. numba does not contract
``a*b + c`` into a fused multiply-add unless fastmath is on, and it is off.

Each loop returns True when every value it wrote to the parameters and to the buffers
a fused step watches (Adam's v, RMSProp's and AdaGrad's S; every buffer of the family's
rules) is finite: ``d = (x - x)`` is NaN exactly for a NaN or an infinity, and an
OR over ``d != d`` vectorises, so the check costs nothing measurable (a 10M float32 Adam
step: 5.5-5.8 ms with or without it). :mod:`descentlab.fast.fused` reads it instead of
summing the arrays again.

The boolean flags are loop-invariant; LLVM hoists them out of the loop
("unswitching") and vectorises each variant.
"""
from __future__ import annotations

import numpy as np
from numba import njit

# error_model="numpy": a float division by zero gives inf/nan as in NumPy instead of a
# Python-style ZeroDivisionError check, whose branch also stops LLVM vectorising the loop.
_JIT = dict(cache=True, nogil=True, boundscheck=False, fastmath=False, error_model="numpy")


@njit(**_JIT)
def sgd(p, g, lr, wd, use_wd, lw, decoupled):
    bad = False
    for i in range(p.size):
        pi = p[i]
        gi = g[i]
        if use_wd:
            gi = gi + wd * pi
        u = -(lr * gi)
        if decoupled:
            u = u - lw * pi
        pn = pi + u
        p[i] = pn
        d = (pn - pn)  # nan exactly when a written value is not finite
        bad |= d != d
    return not bad


@njit(**_JIT)
def momentum(p, g, b, lr, mu, damp, wd, use_wd, lw, decoupled, nesterov, first):
    bad = False
    for i in range(p.size):
        pi = p[i]
        gi = g[i]
        if use_wd:
            gi = gi + wd * pi
        if first:
            bi = gi
        else:
            bi = mu * b[i] + damp * gi
        b[i] = bi
        if nesterov:
            u = -(lr * (gi + mu * bi))
        else:
            u = -(lr * bi)
        if decoupled:
            u = u - lw * pi
        pn = pi + u
        p[i] = pn
        d = (pn - pn)  # nan exactly when a written value is not finite
        bad |= d != d
    return not bad


@njit(**_JIT)
def momentum_lr_inside(p, g, v, lr, mu, wd, use_wd, lw, decoupled, nesterov):
    bad = False
    for i in range(p.size):
        pi = p[i]
        gi = g[i]
        if use_wd:
            gi = gi + wd * pi
        vi = mu * v[i] - lr * gi
        v[i] = vi
        if nesterov:
            u = mu * vi - lr * gi
        else:
            u = vi
        if decoupled:
            u = u - lw * pi
        pn = pi + u
        p[i] = pn
        d = (pn - pn)  # nan exactly when a written value is not finite
        bad |= d != d
    return not bad


@njit(**_JIT)
def adam(p, g, m, v, beta1, c1, beta2, c2, bc1, bc2, num, eps, eps_mode, wd, use_wd, lw, decoupled):
    # eps_mode 0: num / (sqrt(v_hat) + eps); 1: num / sqrt(v_hat + eps); 2 ('hat'): num / (sqrt(v) + eps)
    bad = False
    for i in range(p.size):
        pi = p[i]
        gi = g[i]
        if use_wd:
            gi = gi + wd * pi
        mi = beta1 * m[i] + c1 * gi
        vi = beta2 * v[i] + c2 * gi * gi
        m[i] = mi
        v[i] = vi
        if eps_mode == 0:
            step_size = num / (np.sqrt(vi / bc2) + eps)
        elif eps_mode == 1:
            step_size = num / np.sqrt(vi / bc2 + eps)
        else:
            step_size = num / (np.sqrt(vi) + eps)
        u = -(step_size * (mi / bc1))
        if decoupled:
            u = u - lw * pi
        pn = pi + u
        p[i] = pn
        d = (pn - pn) + (vi - vi)  # nan exactly when a written value is not finite
        bad |= d != d
    return not bad


@njit(**_JIT)
def rmsprop(p, g, s, lr, beta, c, eps, eps_inside, wd, use_wd, lw, decoupled):
    bad = False
    for i in range(p.size):
        pi = p[i]
        gi = g[i]
        if use_wd:
            gi = gi + wd * pi
        si = beta * s[i] + c * gi * gi
        s[i] = si
        if eps_inside:
            denom = np.sqrt(si + eps)
        else:
            denom = np.sqrt(si) + eps
        u = -((lr / denom) * gi)
        if decoupled:
            u = u - lw * pi
        pn = pi + u
        p[i] = pn
        d = (pn - pn) + (si - si)  # nan exactly when a written value is not finite
        bad |= d != d
    return not bad


# A separate loop for momentum: passing a placeholder buffer that aliases s would make
# LLVM's run-time alias check fail and run the scalar loop (RMSProp measured 8x slower).


@njit(**_JIT)
def rmsprop_momentum(p, g, s, b, lr, beta, c, eps, eps_inside, mu, lr_inside, wd, use_wd, lw, decoupled):
    bad = False
    for i in range(p.size):
        pi = p[i]
        gi = g[i]
        if use_wd:
            gi = gi + wd * pi
        si = beta * s[i] + c * gi * gi
        s[i] = si
        if eps_inside:
            denom = np.sqrt(si + eps)
        else:
            denom = np.sqrt(si) + eps
        if lr_inside:
            bi = mu * b[i] + lr * gi / denom
            b[i] = bi
            u = -bi
        else:
            bi = mu * b[i] + gi / denom
            b[i] = bi
            u = -(lr * bi)
        if decoupled:
            u = u - lw * pi
        pn = pi + u
        p[i] = pn
        d = (pn - pn) + (si - si)  # nan exactly when a written value is not finite
        bad |= d != d
    return not bad


@njit(**_JIT)
def adagrad(p, g, s, lr, eps, eps_inside, wd, use_wd, lw, decoupled):
    bad = False
    for i in range(p.size):
        pi = p[i]
        gi = g[i]
        if use_wd:
            gi = gi + wd * pi
        si = s[i] + gi * gi
        s[i] = si
        if eps_inside:
            u = -((lr / np.sqrt(si + eps)) * gi)
        else:
            u = -((lr / (np.sqrt(si) + eps)) * gi)
        if decoupled:
            u = u - lw * pi
        pn = pi + u
        p[i] = pn
        d = (pn - pn) + (si - si)  # nan exactly when a written value is not finite
        bad |= d != d
    return not bad


# -- the optimizer family (descentlab.fast.family_kernels) ------------------------------
# np.sign and np.maximum are written out as branches with NumPy's meaning: sign(0) = +0,
# sign(nan) = nan, maximum(a, nan) = maximum(nan, a) = nan. ``zero`` and ``one`` arrive
# cast to the arrays' dtype, as every other scalar does.

@njit(**_JIT)
def rprop(p, g, prev, s, etap, etam, lo, hi, zero, one):
    bad = False
    for i in range(p.size):
        gi = g[i]
        c = gi * prev[i]
        if c > zero:
            f = etap
        elif c < zero:
            f = etam
        else:
            f = one
        si = s[i] * f
        if si < lo:             # np.clip: maximum with lo, then minimum with hi; nan stays nan
            si = lo
        if si > hi:
            si = hi
        s[i] = si
        if c < zero:
            gi = zero           # iRprop⁻: after a flip, no move and no memory of the gradient
        prev[i] = gi
        if gi > zero:
            d = one
        elif gi < zero:
            d = -one
        elif gi == zero:
            d = zero
        else:
            d = gi
        pn = p[i] - d * si
        p[i] = pn
        z = (pn - pn) + (si - si) + (gi - gi)  # nan exactly when a written value is not finite
        bad |= z != z
    return not bad



@njit(**_JIT)
def lion(p, g, m, b1, c1, b2, c2, nlr, zero, one, wd, use_wd, lw, decoupled):
    bad = False
    for i in range(p.size):
        pi = p[i]
        gi = g[i]
        if use_wd:
            gi = gi + wd * pi
        mi = m[i]
        c = mi * b1 + gi * c1
        if c > zero:
            d = one
        elif c < zero:
            d = -one
        elif c == zero:
            d = zero
        else:
            d = c
        m[i] = mi * b2 + gi * c2
        u = d * nlr
        if decoupled:
            u = u - pi * lw
        pn = pi + u
        p[i] = pn
        w_m = m[i]
        z = (pn - pn) + (w_m - w_m)  # nan exactly when a written value is not finite
        bad |= z != z
    return not bad



@njit(**_JIT)
def adamax(p, g, m, u, b1, c1, b2, eps, lr, bc1, eps_in_max, wd, use_wd, lw, decoupled):
    bad = False
    for i in range(p.size):
        pi = p[i]
        gi = g[i]
        if use_wd:
            gi = gi + wd * pi
        mi = m[i] * b1 + gi * c1
        m[i] = mi
        bu = u[i] * b2
        a = abs(gi)
        if eps_in_max:
            a = a + eps
        if not (bu >= a or bu != bu):   # np.maximum(bu, a), nan from either side
            bu = a
        u[i] = bu
        if eps_in_max:
            step_size = lr / bu
        else:
            step_size = lr / (bu + eps)
        d = -(step_size * (mi / bc1))
        if decoupled:
            d = d - pi * lw
        pn = pi + d
        p[i] = pn
        z = (pn - pn) + (mi - mi) + (bu - bu)  # nan exactly when a written value is not finite
        bad |= z != z
    return not bad



@njit(**_JIT)
def adadelta(p, g, S, D, b, c, eps, nlr, wd, use_wd, lw, decoupled):
    bad = False
    for i in range(p.size):
        pi = p[i]
        gi = g[i]
        if use_wd:
            gi = gi + wd * pi
        si = S[i] * b + (gi * c) * gi
        S[i] = si
        Di = D[i]
        d = (np.sqrt(Di + eps) / np.sqrt(si + eps)) * gi
        D[i] = Di * b + (d * c) * d
        u = d * nlr
        if decoupled:
            u = u - pi * lw
        pn = pi + u
        p[i] = pn
        w_D = D[i]
        z = (pn - pn) + (si - si) + (w_D - w_D)  # nan exactly when a written value is not finite
        bad |= z != z
    return not bad



@njit(**_JIT)
def radam(p, g, m, v, b1, c1, b2, c2, bc1, bc2, num, eps, nlr, rectified, eps_mode, wd, use_wd, lw, decoupled):
    # eps_mode 0: num / (sqrt(v_hat) + eps); 1: num / sqrt(v_hat + eps); 2 (PyTorch): num / (sqrt(v) + eps)
    bad = False
    for i in range(p.size):
        pi = p[i]
        gi = g[i]
        if use_wd:
            gi = gi + wd * pi
        mi = m[i] * b1 + gi * c1
        vi = v[i] * b2 + (gi * c2) * gi
        m[i] = mi
        v[i] = vi
        m_hat = mi / bc1
        if not rectified:
            u = m_hat * nlr
        else:
            if eps_mode == 2:
                denom = np.sqrt(vi) + eps
            elif eps_mode == 0:
                denom = np.sqrt(vi / bc2) + eps
            else:
                denom = np.sqrt(vi / bc2 + eps)
            u = m_hat * -(num / denom)
        if decoupled:
            u = u - pi * lw
        pn = pi + u
        p[i] = pn
        z = (pn - pn) + (mi - mi) + (vi - vi)  # nan exactly when a written value is not finite
        bad |= z != z
    return not bad

