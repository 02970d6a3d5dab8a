"""numba loops that only move memory, for the optimizer step's bandwidth floor.

Imported only when numba imports (``optim_step`` catches the ImportError). Each loop
is compiled like descentlab's kernels (``nogil``, no bounds checks, no fastmath) and,
with several threads, runs on one slice per thread, as the kernels do; none does any
arithmetic worth the name, so its time is the time to stream its arrays.
"""
from __future__ import annotations

from numba import njit

_JIT = dict(cache=True, nogil=True, boundscheck=False, fastmath=False, error_model="numpy")


@njit(**_JIT)
def add(a, b):             # a += b: reads a, b; writes a (3 streams)
    for i in range(a.size):
        a[i] += b[i]


@njit(**_JIT)
def copy(a, b):            # a = b: reads b; writes a (2 streams)
    for i in range(a.size):
        a[i] = b[i]


@njit(**_JIT)
def triad(a, b, c, s):     # a = b + s*c: reads b, c; writes a (3 streams)
    for i in range(a.size):
        a[i] = b[i] + s * c[i]


@njit(**_JIT)
def update0(p, g):         # the access pattern of SGD: p += g (3 streams)
    for i in range(p.size):
        p[i] += g[i]


@njit(**_JIT)
def update1(p, g, m):      # one state array, as momentum, RMSProp, AdaGrad, Lion (5 streams)
    for i in range(p.size):
        gi = g[i]
        m[i] += gi
        p[i] += gi


@njit(**_JIT)
def update2(p, g, m, v):   # two state arrays, as Adam, Adamax, Adadelta, Rprop (7 streams)
    for i in range(p.size):
        gi = g[i]
        m[i] += gi
        v[i] += gi
        p[i] += gi
