"""`bench/run.py --quick` runs end to end and writes a report (no timing assertions).

The test environment has no torch, which is the point: the benchmarks must run without
it, report descentlab's figures alone and say that torch is missing.
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
