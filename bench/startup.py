"""Start-up: ``import descentlab`` and the CLI's ``--help``, each in fresh interpreters.

The import time is measured inside the child with ``perf_counter`` around the import
(so interpreter start-up is excluded); the CLI time is the wall time of the whole
``python -m descentlab --help`` process. ``import torch`` is shown for scale.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import time

from _common import have

_IMPORT = "import time; t = time.perf_counter(); import {mod}; print(time.perf_counter() - t)"


def _import_time(mod: str, reps: int) -> float:
    ts = []
    for _ in range(reps):
        out = subprocess.run([sys.executable, "-c", _IMPORT.format(mod=mod)], capture_output=True, text=True, timeout=120)
        ts.append(float(out.stdout.strip()))
    return statistics.median(ts)


def _wall(cmd: list[str], reps: int) -> float:
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, timeout=120)
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def run(reps: int, torch_too: bool = True) -> dict:
    rows = [
        {"what": "import descentlab", "seconds": _import_time("descentlab", reps)},
        {"what": "import numpy (for scale; descentlab loads it lazily)", "seconds": _import_time("numpy", reps)},
        {"what": "python -m descentlab --help (whole process)", "seconds": _wall([sys.executable, "-m", "descentlab", "--help"], reps)},
        {"what": "python -c pass (interpreter alone)", "seconds": _wall([sys.executable, "-c", "pass"], reps)},
    ]
    if torch_too and have("torch"):
        rows.append({"what": "import torch (for scale)", "seconds": _import_time("torch", max(1, reps // 2))})
    return {"rows": rows}
