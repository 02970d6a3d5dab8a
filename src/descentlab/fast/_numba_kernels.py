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
    for i in range(p.size):
        pi = p[i]
        gi = g[i]
        if use_wd:
            gi = gi + wd * pi
        u = -(lr * gi)
        if decoupled:
            u = u - lw * pi
        p[i] = pi + u


@njit(**_JIT)
def momentum(p, g, b, lr, mu, damp, wd, use_wd, lw, decoupled, nesterov, first):
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
        p[i] = pi + u


@njit(**_JIT)
def momentum_lr_inside(p, g, v, lr, mu, wd, use_wd, lw, decoupled, nesterov):
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
        p[i] = pi + u


@njit(**_JIT)
def adam(p, g, m, v, beta1, c1, beta2, c2, bc1, bc2, num, eps, eps_mode, wd, use_wd, lw, decoupled):
    # eps_mode 0: num / (sqrt(v_hat) + eps); 1: num / sqrt(v_hat + eps); 2 ('hat'): num / (sqrt(v) + eps)
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
        p[i] = pi + u


@njit(**_JIT)
def rmsprop(p, g, s, lr, beta, c, eps, eps_inside, wd, use_wd, lw, decoupled):
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
        p[i] = pi + u


# A separate loop for momentum: passing a placeholder buffer that aliases s would make
# LLVM's run-time alias check fail and run the scalar loop (RMSProp measured 8x slower).
@njit(**_JIT)
def rmsprop_momentum(p, g, s, b, lr, beta, c, eps, eps_inside, mu, lr_inside, wd, use_wd, lw, decoupled):
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
        p[i] = pi + u


@njit(**_JIT)
def adagrad(p, g, s, lr, eps, eps_inside, wd, use_wd, lw, decoupled):
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
        p[i] = pi + u
