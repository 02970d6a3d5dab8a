"""`bench/run.py --quick` runs end to end and writes a report (no timing assertions).

The benchmarks must also run without torch (then they report descentlab's figures
alone and say that torch is missing) and without numba: a row or column says "numba"
only when a numba kernel was seen running, which the runs below check with numba
importable and with numba hidden behind a module that refuses to import.
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HAVE_NUMBA = importlib.util.find_spec("numba") is not None
HAVE_TORCH = importlib.util.find_spec("torch") is not None


def _bench_module(name: str):
    """A module of bench/, imported without leaving bench/ on sys.path or its modules in sys.modules."""
    path, modules = list(sys.path), set(sys.modules)
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path[:] = path
        for extra in set(sys.modules) - modules:   # bench's own modules only (never numba, torch...)
            if str(getattr(sys.modules[extra], "__file__", "") or "").startswith(str(ROOT / "bench")):
                del sys.modules[extra]


def _labels(text: str) -> str:
    """The report without its versions and threads lines, which name numba as a package, not as what ran."""
    return "\n".join(line for line in text.splitlines() if not line.startswith(("- versions:", "- threads:")))


def test_quick_benchmark_runs_and_writes_a_report(tmp_path):
    out = tmp_path / "bench.md"
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--out", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = out.read_text()
    for heading in ("### Optimizer step, 1 thread(s)", "### MLP 784-256-256-10 training throughput",
                    "### Autodiff per-op overhead", "### Peak memory", "### Start-up", "### Targets"):
        assert heading in text, heading
    assert "OPENBLAS_CORETYPE=" in text and "machine:" in text and "command: `python bench/run.py --quick" in text
    assert "| Adam | 1M | flat |" in text
    assert "| Rprop | 1M | flat |" in text and "| Lion | 1M | flat |" in text   # the family's kernels
    assert "ours / floor" in text
    assert "### A whole training command" in text and "| descentlab train |" in text
    if HAVE_TORCH:
        assert "| torch script |" in text and "Same work: the same number of steps" in text
        assert "| descentlab train mnist_5k, 2 epochs, whole command | ≤ 1.0× the torch script |" in text
    if HAVE_NUMBA:   # the numba kernels ran here, and the labels say so
        labels = _labels(text)
        assert "| descentlab fused (numba) (ms) |" in labels and "descentlab fast (numba kernels)" in labels
    assert str(ROOT) not in text and str(tmp_path) not in text   # no machine paths in the report
    if importlib.util.find_spec("torch") is None:
        assert "torch is not installed" in text
        assert "torch is not installed" in proc.stderr


def test_unknown_workload_is_refused():
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--only", "gpu"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "unknown workload" in proc.stderr


def test_quick_never_writes_the_committed_benchmarks(tmp_path):
    committed = ROOT / "BENCHMARKS.md"
    before = committed.read_bytes()
    for out in (str(committed), "BENCHMARKS.md"):
        proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--out", out],
                              capture_output=True, text=True, timeout=60, cwd=str(ROOT))
        assert proc.returncode == 2 and "never writes BENCHMARKS.md" in proc.stderr, proc.stderr
    assert committed.read_bytes() == before


def _run_labelled_workloads(tmp_path, env_extra):
    import os

    out = tmp_path / "bench.md"
    env = {**os.environ, **env_extra}
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--only", "optim,mlp,memory",
                           "--out", str(out)], capture_output=True, text=True, timeout=300, cwd=str(tmp_path), env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out.read_text()


def test_no_numba_label_when_numba_is_hidden(tmp_path):
    import os

    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "numba.py").write_text('raise ImportError("numba is hidden for this test")\n')
    path = os.pathsep.join(p for p in (str(hide), os.environ.get("PYTHONPATH", "")) if p)
    text = _run_labelled_workloads(tmp_path, {"PYTHONPATH": path})
    assert "numba broken (ImportError)" in text        # the blocker worked: numba did not import
    labels = _labels(text)
    assert "numba" not in labels.lower(), [line for line in labels.splitlines() if "numba" in line.lower()]
    assert "| descentlab fused (numpy) (ms) |" in labels and "descentlab fast (numpy kernels)" in labels
    assert "Adam step (fused numpy kernel, flat)" in labels


@pytest.mark.skipif(not HAVE_NUMBA, reason="numba is not installed")
def test_numba_label_when_the_numba_kernels_ran(tmp_path):
    labels = _labels(_run_labelled_workloads(tmp_path, {"DESCENTLAB_FAST_BACKEND": "auto"}))
    assert "| descentlab fused (numba) (ms) |" in labels and "descentlab fast (numba kernels)" in labels
    assert "Adam step (fused numba kernel, flat)" in labels
    assert "| Adam | 1M | flat | numba |" in labels
    assert "| SGD | 1M | flat | numba |" in labels


def test_the_probe_sees_which_backend_ran():
    """The label's evidence: a fused step counted running a numba kernel, or none (the NumPy backend)."""
    import numpy as np

    common = _bench_module("_common")
    backend_that_ran, numba_kernels_run = common.backend_that_ran, common.numba_kernels_run
    from descentlab.fast import kernels, try_fused_step
    from descentlab.optim import make_optimizer

    opt = make_optimizer("adam", lr=1e-3)
    params = {"w": np.ones(1000, np.float32)}
    grads = {"w": np.full(1000, 0.5, np.float32)}
    state = opt.init(params)

    def step():
        assert try_fused_step(opt, params, grads, state)
    kernels.set_backend("numpy")
    try:
        assert backend_that_ran(step) == "numpy"
    finally:
        kernels.set_backend("auto")
    if HAVE_NUMBA:
        assert backend_that_ran(step) == "numba"
        _, ran = numba_kernels_run(step)
        assert ran == ["descentlab.fast._numba_kernels.adam"]
        assert not any(type(v).__name__ == "wrapper" for v in vars(sys.modules["descentlab.fast._numba_kernels"]).values())


def test_a_time_under_the_floor_gets_a_note_not_a_ratio_below_one():
    bench_run = _bench_module("run")

    def row(opt, contender, seconds, ours=False):
        return {"n": 10_000_000, "tensors": 1, "optimizer": opt, "contender": contender, "seconds": seconds,
                "ours": ours, "streams": 7, "floor_seconds": 0.010}
    res = {"rows": [row("Adam", "descentlab fused (numba)", 0.009, True), row("Adam", "torch fused", 0.011),
                    row("Lion", "descentlab fused (numpy)", 0.020, True)],
           "bandwidth": [{"n": 10_000_000, "GBps": 28.0, "method": "numba step pattern (7 streams)",
                          "probes_GBps": {"numba step pattern (7 streams)": 28.0}}]}
    text, facts = bench_run._optim_tables(res, 2)
    adam = next(line for line in text.splitlines() if line.startswith("| Adam |"))
    lion = next(line for line in text.splitlines() if line.startswith("| Lion |"))
    assert adam.endswith("| below the floor (see note) |") and "0.90×" not in adam.split("|")[-2]
    assert "| numba |" in adam and "| numpy |" in lion and lion.endswith("| 2.00× |")
    assert "Note: faster than the floor" in text and "descentlab fused (numba) 9.00 ms" in text
    assert facts[("Adam", 10_000_000, 1)]["floor"] == 0.010


@pytest.mark.skipif(not HAVE_NUMBA, reason="numba is not installed")
def test_the_reference_contender_runs_the_reference_not_the_fused_kernel():
    """Above FUSED_MIN_SIZE, opt.step dispatches to the kernel; the benchmark's reference must not."""
    import numpy as np

    from descentlab.optim import make_optimizer
    from descentlab.optim.base import FUSED_MIN_SIZE

    common = _bench_module("_common")
    opt = make_optimizer("adam", lr=1e-3)
    params = {"w": np.ones(FUSED_MIN_SIZE * 2, np.float32)}
    grads = {"w": np.full(FUSED_MIN_SIZE * 2, 0.5, np.float32)}
    state = opt.init(params)
    assert common.backend_that_ran(lambda: opt.step(params, grads, state)) == "numba"
    before = params["w"].copy()
    assert common.backend_that_ran(lambda: common.reference_step(opt, params, grads, state)) == "numpy"
    assert state.step == 4 and not np.array_equal(params["w"], before)
