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
for _ in range({steps}):
    step()
print(json.dumps({{"maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}))
"""

_IMPORT = """
import json, resource
{imports}
print(json.dumps({{"maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}))
"""


def _measure(code: str, env: dict) -> float | None:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    if out.returncode != 0:
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])["maxrss_kib"] / 1024


def run(steps: int, threads: int, baselines: bool = True) -> dict:
    env = dict(os.environ)
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        env[k] = str(threads)
    rows = []
    cases = [
        ("descentlab fast (numba kernels)", _TRAIN.format(here=str(HERE), fn="descentlab_fast", kw={}, steps=steps), {}),
        ("descentlab fast (NumPy kernels)", _TRAIN.format(here=str(HERE), fn="descentlab_fast", kw={}, steps=steps),
         {"DESCENTLAB_FAST_BACKEND": "numpy"}),
    ]
    if baselines:
        cases.append(("import numpy + descentlab only", _IMPORT.format(imports="import numpy, descentlab"), {}))
    if have("torch"):
        cases.append(("torch (default Adam)", _TRAIN.format(here=str(HERE), fn="torch_step", kw={}, steps=steps), {}))
        if baselines:
            cases.append(("import torch only", _IMPORT.format(imports="import torch"), {}))
    for name, code, extra in cases:
        mib = _measure(code, {**env, **extra})
        rows.append({"contender": name, "peak_MiB": mib})
    return {"rows": rows, "steps": steps}
