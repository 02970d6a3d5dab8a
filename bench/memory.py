"""Peak memory of a training run, each side alone in a fresh subprocess (ru_maxrss).

The run is the training benchmark's: MLP 784-256-256-10, batch 128, Adam, float32, on
synthetic MNIST-shaped data. ``import only`` rows show what the interpreter and the
libraries cost before any training, so the difference is the run's own memory.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from _common import have

HERE = Path(__file__).resolve().parent

_TRAIN = """
import json, resource, sys
sys.path.insert(0, {here!r})
import mlp_train
X, y = mlp_train._data(4096)
step = getattr(mlp_train, {fn!r})(128, X, y, **{kw!r})
backend = None
if {probe!r}:   # the first two steps: load, then see which kernel backend runs (no allocation)
    from _common import backend_that_ran
    backend = backend_that_ran(step)
for _ in range({steps} - (2 if {probe!r} else 0)):
    step()
print(json.dumps({{"maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "backend": backend}}))
"""

_IMPORT = """
import json, resource
{imports}
print(json.dumps({{"maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}))
"""


def _measure(code: str, env: dict) -> tuple[float | None, str | None]:
    """``(peak MiB, kernel backend seen running or None)``; ``(None, None)`` when the process failed."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    if out.returncode != 0:
        return None, None
    got = json.loads(out.stdout.strip().splitlines()[-1])
    return got["maxrss_kib"] / 1024, got.get("backend")


def run(steps: int, threads: int, baselines: bool = True) -> dict:
    env = dict(os.environ)
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        env[k] = str(threads)
    rows = []
    ours = _TRAIN.format(here=str(HERE), fn="descentlab_fast", kw={}, steps=steps, probe=True)
    # (name, code, extra environment, which row): descentlab's rows are named after the run by
    # the kernel backend seen running in it
    cases = [("descentlab fast", ours, {}, "default"),
             ("descentlab fast, DESCENTLAB_FAST_BACKEND=numpy", ours, {"DESCENTLAB_FAST_BACKEND": "numpy"}, "numpy")]
    if baselines:
        cases.append(("import numpy + descentlab only", _IMPORT.format(imports="import numpy, descentlab"), {}, None))
    if have("torch"):
        cases.append(("torch (default Adam)", _TRAIN.format(here=str(HERE), fn="torch_step", kw={}, steps=steps,
                                                           probe=False), {}, None))
        if baselines:
            cases.append(("import torch only", _IMPORT.format(imports="import torch"), {}, None))
    for name, code, extra, which in cases:
        mib, backend = _measure(code, {**env, **extra})
        if which is not None:
            label = f"descentlab fast ({backend or 'failed'} kernels)"
            if which == "numpy" and any(r["contender"] == label for r in rows):
                continue   # the default backend was numpy already: the same run twice
            rows.append({"contender": label, "peak_MiB": mib, "ours": which == "default"})
        else:
            rows.append({"contender": name, "peak_MiB": mib})
    return {"rows": rows, "steps": steps}
