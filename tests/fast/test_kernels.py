"""Each fused kernel against the update written out one equation per line.

The reference here is deliberately naive NumPy, written from the equations in the
docstrings of descentlab.optim (and the papers they cite), not from the kernels: full
temporaries, no chunks, no ``out=``. Both backends must match it bit for bit in float64
and float32, over many steps, across chunk boundaries.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from descentlab.errors import ConfigError, DTypeError, ShapeError
from descentlab.fast import kernels as K

# the fixtures (backend, chunk size) are meant to hold for every generated example
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
sizes = st.integers(min_value=1, max_value=40)
dtypes = st.sampled_from([np.float64, np.float32])
seeds = st.integers(0, 2**31 - 1)


def _arrays(seed, n, dtype, k):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(n).astype(dtype) for _ in range(k)]


def _weight(g, p, wd, decoupled):
    return g + wd * p if wd and not decoupled else g


def _apply(p, u, lr, wd, decoupled):
    if wd and decoupled:
        u = u - lr * wd * p
    return p + u


@SETTINGS
@given(seed=seeds, n=sizes, dtype=dtypes, lr=st.floats(1e-4, 1.0), wd=st.sampled_from([0.0, 0.05]),
       decoupled=st.booleans())
def test_sgd(backend, small_chunks, seed, n, dtype, lr, wd, decoupled):
    p, = _arrays(seed, n, dtype, 1)
    ref = p.copy()
    for g in _arrays(seed + 1, n, dtype, 6):
        ref = _apply(ref, -lr * _weight(g, ref, wd, decoupled), lr, wd, decoupled)
        K.sgd_(p, g, lr=lr, weight_decay=wd, decoupled=decoupled)
    np.testing.assert_array_equal(p, ref)


@SETTINGS
@given(seed=seeds, n=sizes, dtype=dtypes, mu=st.floats(0.0, 0.99), damp=st.sampled_from([0.0, 0.3]),
       nesterov=st.booleans(), wd=st.sampled_from([0.0, 0.05]), decoupled=st.booleans())
def test_momentum_lr_outside(backend, small_chunks, seed, n, dtype, mu, damp, nesterov, wd, decoupled):
    lr = 0.05
    p, = _arrays(seed, n, dtype, 1)
    b = np.zeros_like(p)
    ref_p, ref_b = p.copy(), b.copy()
    for k, g in enumerate(_arrays(seed + 1, n, dtype, 6)):
        gw = _weight(g, ref_p, wd, decoupled)
        ref_b = gw.copy() if k == 0 else mu * ref_b + (1.0 - damp) * gw   # PyTorch: b_1 = g_1
        direction = gw + mu * ref_b if nesterov else ref_b
        ref_p = _apply(ref_p, -lr * direction, lr, wd, decoupled)
        K.momentum_(p, g, b, lr=lr, mu=mu, dampening=damp, nesterov=nesterov, first=k == 0,
                    weight_decay=wd, decoupled=decoupled)
    np.testing.assert_array_equal(p, ref_p)
    np.testing.assert_array_equal(b, ref_b)


@SETTINGS
@given(seed=seeds, n=sizes, dtype=dtypes, mu=st.floats(0.0, 0.99), nesterov=st.booleans(),
       wd=st.sampled_from([0.0, 0.05]), decoupled=st.booleans())
def test_momentum_lr_inside(backend, small_chunks, seed, n, dtype, mu, nesterov, wd, decoupled):
    lr = 0.05
    p, = _arrays(seed, n, dtype, 1)
    v = np.zeros_like(p)
    ref_p, ref_v = p.copy(), v.copy()
    for g in _arrays(seed + 1, n, dtype, 6):
        gw = _weight(g, ref_p, wd, decoupled)
        ref_v = mu * ref_v - lr * gw                       # v = mu v - lr g
        u = mu * ref_v - lr * gw if nesterov else ref_v    # transformed Nesterov: phi += mu v_new - lr g
        ref_p = _apply(ref_p, u, lr, wd, decoupled)
        K.momentum_lr_inside_(p, g, v, lr=lr, mu=mu, nesterov=nesterov, weight_decay=wd, decoupled=decoupled)
    np.testing.assert_array_equal(p, ref_p)
    np.testing.assert_array_equal(v, ref_v)


@SETTINGS
@given(seed=seeds, n=sizes, dtype=dtypes, beta1=st.floats(0.0, 0.99), beta2=st.floats(0.5, 0.9999),
       eps=st.sampled_from([1e-8, 1e-3, 0.5]), placement=st.sampled_from(["outside", "inside", "hat"]),
       wd=st.sampled_from([0.0, 0.01]), decoupled=st.booleans())
def test_adam(backend, small_chunks, seed, n, dtype, beta1, beta2, eps, placement, wd, decoupled):
    lr = 1e-2
    p, = _arrays(seed, n, dtype, 1)
    m, v = np.zeros_like(p), np.zeros_like(p)
    rp, rm, rv = p.copy(), m.copy(), v.copy()
    for k, g in enumerate(_arrays(seed + 1, n, dtype, 8)):
        t = k + 1
        gw = _weight(g, rp, wd, decoupled)
        rm = beta1 * rm + (1.0 - beta1) * gw
        rv = beta2 * rv + (1.0 - beta2) * gw * gw
        bc1, bc2 = 1.0 - beta1 ** t, 1.0 - beta2 ** t
        m_hat, v_hat = rm / bc1, rv / bc2
        if placement == "outside":
            step_size = lr / (np.sqrt(v_hat) + eps)
        elif placement == "inside":
            step_size = lr / np.sqrt(v_hat + eps)
        else:  # Keras: lr_t * m / (sqrt(v) + eps), lr_t = lr sqrt(bc2) / bc1, per m_hat
            lr_t = lr * np.sqrt(bc2) / bc1
            step_size = (lr_t * bc1 / (np.sqrt(rv) + eps)).astype(dtype)
        rp = _apply(rp, (-step_size * m_hat).astype(dtype), lr, wd, decoupled)
        K.adam_(p, g, m, v, lr=lr, beta1=beta1, beta2=beta2, eps=eps, step=t, eps_placement=placement,
                weight_decay=wd, decoupled=decoupled)
    if placement == "hat" and dtype == np.float32:
        # lr_t is a NumPy float64 scalar: written naively the step size is float64, the kernel's
        # float32; with L2 decay the difference in p feeds back into g, m and v
        for got, want in ((p, rp), (m, rm), (v, rv)):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
    else:
        np.testing.assert_array_equal(m, rm)
        np.testing.assert_array_equal(v, rv)
        np.testing.assert_array_equal(p, rp)


@SETTINGS
@given(seed=seeds, n=sizes, dtype=dtypes, beta=st.floats(0.5, 0.999), inside=st.booleans(),
       mu=st.sampled_from([0.0, 0.5]), form=st.sampled_from(["lr_outside", "lr_inside"]),
       wd=st.sampled_from([0.0, 0.01]), decoupled=st.booleans())
def test_rmsprop(backend, small_chunks, seed, n, dtype, beta, inside, mu, form, wd, decoupled):
    lr, eps = 1e-2, 1e-8
    p, = _arrays(seed, n, dtype, 1)
    S, b = np.zeros_like(p), np.zeros_like(p)
    rp, rS, rb = p.copy(), S.copy(), b.copy()
    for g in _arrays(seed + 1, n, dtype, 6):
        gw = _weight(g, rp, wd, decoupled)
        rS = beta * rS + (1.0 - beta) * gw * gw
        denom = np.sqrt(rS + eps) if inside else np.sqrt(rS) + eps
        if mu == 0.0:
            u = -(lr / denom) * gw
        elif form == "lr_outside":
            rb = mu * rb + gw / denom
            u = -lr * rb
        else:
            rb = mu * rb + lr * gw / denom
            u = -rb
        rp = _apply(rp, u, lr, wd, decoupled)
        K.rmsprop_(p, g, S, b, lr=lr, beta=beta, eps=eps, eps_placement="inside" if inside else "outside",
                   momentum=mu, momentum_form=form, weight_decay=wd, decoupled=decoupled)
    np.testing.assert_array_equal(S, rS)
    np.testing.assert_array_equal(p, rp)
    np.testing.assert_array_equal(b, rb)


@SETTINGS
@given(seed=seeds, n=sizes, dtype=dtypes, s0=st.sampled_from([0.0, 0.1]), inside=st.booleans(),
       wd=st.sampled_from([0.0, 0.01]), decoupled=st.booleans())
def test_adagrad(backend, small_chunks, seed, n, dtype, s0, inside, wd, decoupled):
    lr, eps = 0.1, 1e-10
    p, = _arrays(seed, n, dtype, 1)
    S = np.full_like(p, s0)
    rp, rS = p.copy(), S.copy()
    for g in _arrays(seed + 1, n, dtype, 6):
        gw = _weight(g, rp, wd, decoupled)
        rS = rS + gw * gw
        denom = np.sqrt(rS + eps) if inside else np.sqrt(rS) + eps
        rp = _apply(rp, -(lr / denom) * gw, lr, wd, decoupled)
        K.adagrad_(p, g, S, lr=lr, eps=eps, eps_placement="inside" if inside else "outside",
                   weight_decay=wd, decoupled=decoupled)
    np.testing.assert_array_equal(S, rS)
    np.testing.assert_array_equal(p, rp)


def test_backends_agree_on_a_large_flat_buffer():
    """Across many real chunks (not the tiny test chunks), numba and NumPy give the same bits."""
    if not K.numba_available():
        pytest.skip("numba is not installed: only the NumPy backend exists here")
    n = 3 * K.CHUNK + 11
    out = {}
    for name in ("numpy", "numba"):
        K.set_backend(name)
        try:
            p, g = _arrays(3, n, np.float32, 2)
            m, v = np.zeros_like(p), np.zeros_like(p)
            for t in range(1, 4):
                K.adam_(p, g, m, v, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, step=t)
            out[name] = p
        finally:
            K.set_backend("auto")
    np.testing.assert_array_equal(out["numpy"], out["numba"])


def test_threads_split_the_work_without_changing_a_bit():
    if not K.numba_available():
        pytest.skip("numba is not installed: the NumPy backend is single-threaded")
    n = K._PARALLEL_MIN + 333
    out = []
    for threads in (1, 3):
        K.set_threads(threads)
        try:
            p, g = _arrays(5, n, np.float32, 2)
            b = np.zeros_like(p)
            for k in range(3):
                K.momentum_(p, g, b, lr=0.1, mu=0.9, first=k == 0)
            out.append((p, b))
        finally:
            K.set_threads(1)
    np.testing.assert_array_equal(out[0][0], out[1][0])
    np.testing.assert_array_equal(out[0][1], out[1][1])


def test_a_step_allocates_no_full_size_temporary(backend):
    """In-place means no new array of the parameters' size per step (tracemalloc sees NumPy's buffers)."""
    import tracemalloc

    n = 4 * K.CHUNK
    p, g = _arrays(0, n, np.float32, 2)
    m, v = np.zeros_like(p), np.zeros_like(p)
    K.adam_(p, g, m, v, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, step=1)  # warm: scratch, JIT
    tracemalloc.start()
    K.adam_(p, g, m, v, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, step=2)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < p.nbytes / 4, f"a step allocated {peak} bytes for {p.nbytes}-byte parameters"


BAD = [
    (lambda: K.sgd_(np.zeros(3, np.int64), np.zeros(3, np.int64), lr=0.1), DTypeError, "float32 or float64"),
    (lambda: K.sgd_(np.zeros(3), np.zeros(4), lr=0.1), ShapeError, "shape"),
    (lambda: K.sgd_(np.zeros(3), np.zeros(3, np.float32), lr=0.1), ShapeError, "dtype"),
    (lambda: K.sgd_(np.zeros((3, 4))[:, ::2], np.zeros((3, 2)), lr=0.1), ShapeError, "C-contiguous"),
    (lambda: K.adam_(*[np.zeros(3)] * 4, lr=0.1, beta1=0.9, beta2=0.9, eps=0.0, step=1, eps_placement="x"),
     ConfigError, "eps_placement"),
    (lambda: K.rmsprop_(*[np.zeros(3)] * 3, lr=0.1, beta=0.9, eps=0.0, momentum=0.5), ConfigError, "momentum buffer"),
    (lambda: K.set_backend("cuda"), ConfigError, "backend"),
    (lambda: K.set_threads(0), ConfigError, "threads >= 1"),
]


@pytest.mark.parametrize("call, exc, pattern", BAD)
def test_bad_input_is_rejected_with_a_sentence(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()
