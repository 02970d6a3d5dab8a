"""Without numba everything still works, only slower: the NumPy backend takes over."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from descentlab.errors import ConfigError
from descentlab.fast import kernels


def test_without_numba_the_numpy_backend_runs_and_matches_the_reference():
    # A meta-path blocker makes `import numba` fail, as on a machine without the extra.
    code = textwrap.dedent("""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "numba" or name.startswith("numba."):
                    raise ImportError("numba blocked for this test")
        sys.meta_path.insert(0, Block())
        import numpy as np
        from descentlab.fast import kernels, fused_step
        from descentlab.optim import make_optimizer
        assert not kernels.numba_available()
        assert kernels.get_backend() == "numpy"
        opt = make_optimizer("adam", lr=0.01)
        rng = np.random.default_rng(0)
        ref = {"w": rng.standard_normal((300, 7))}
        fast = {"w": ref["w"].copy()}
        s1, s2 = opt.init(ref), opt.init(fast)
        for _ in range(5):
            g = {"w": rng.standard_normal((300, 7))}
            opt.step(ref, g, s1)
            fused_step(opt, fast, g, s2)
        assert np.array_equal(ref["w"], fast["w"])
        try:
            kernels.set_backend("numba")
        except Exception as exc:
            print(type(exc).__name__)
        print("numba" in sys.modules, "ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["ConfigError", "False", "ok"]


def test_forcing_numpy_in_process_gives_the_same_bits_as_auto():
    import numpy as np

    results = []
    for name in ("numpy", "auto"):
        kernels.set_backend(name)
        try:
            assert kernels.get_backend() == ("numpy" if name == "numpy" else
                                             ("numba" if kernels.numba_available() else "numpy"))
            p = np.linspace(-1, 1, 1000)
            s = np.zeros_like(p)
            for _ in range(4):
                kernels.adagrad_(p, np.cos(p), s, lr=0.1, eps=1e-10)
            results.append(p)
        finally:
            kernels.set_backend("auto")
    np.testing.assert_array_equal(*results)


def test_importing_descentlab_fast_does_not_import_numba():
    out = subprocess.run([sys.executable, "-c",
                          "import sys, descentlab.fast, descentlab.fast.kernels; print('numba' in sys.modules)"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_asking_for_numba_when_missing_is_a_config_error(monkeypatch):
    monkeypatch.setattr(kernels, "_load_numba", lambda: None)
    with pytest.raises(ConfigError, match="numba"):
        kernels.set_backend("numba")


def test_without_numba_large_steps_and_the_fast_training_path_still_run():
    # The places that choose a kernel by size or by flag: Optimizer.step on 64K+ elements
    # (fused dispatch) and train_mlp's fast MLP. Without numba they take the NumPy kernels
    # and give what the reference path gives.
    code = textwrap.dedent("""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "numba" or name.startswith("numba."):
                    raise ImportError("numba blocked for this test")
        sys.meta_path.insert(0, Block())
        import numpy as np
        from descentlab.optim import base, dispatch, make_optimizer
        from descentlab.train import train_mlp
        tried = []
        real = dispatch.fused_kernel
        dispatch.fused_kernel = lambda *a: tried.append(real(*a)) or real(*a)
        rng = np.random.default_rng(1)
        for name in ("adam", "momentum", "rmsprop"):
            opt = make_optimizer(name, lr=0.01, **({"momentum": 0.9} if name == "momentum" else {}))
            fast = {"W": rng.standard_normal((300, 250)), "b": rng.standard_normal(250)}
            assert sum(p.size for p in fast.values()) >= base.FUSED_MIN_SIZE
            ref = {k: v.copy() for k, v in fast.items()}
            s_fast, s_ref = opt.init(fast), opt.init(ref)
            for _ in range(3):
                g = {k: rng.standard_normal(v.shape) for k, v in fast.items()}
                opt.step(fast, g, s_fast)
                upd, s_ref = opt.update(g, s_ref, ref)
                ref = {k: ref[k] + upd[k] for k in ref}
            assert all(np.array_equal(fast[k], ref[k]) for k in ref), name
        assert tried and all(tried), "the fused path was not taken"
        kw = dict(hidden=(8,), optimizer="adam", lr=3e-3, batching="minibatch:16", epochs=1, seed=0, quiet=True,
                  dtype="float64")
        _, h_ref = train_mlp("xor", engine="autodiff", **kw)
        _, h_fast = train_mlp("xor", engine="fast", **kw)
        np.testing.assert_allclose(h_fast.steps["loss"], h_ref.steps["loss"], rtol=1e-9)
        print("numba" in sys.modules, "ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "ok"]
