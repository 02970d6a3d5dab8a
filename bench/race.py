"""The optimizer race: 500 steps of six optimizers on Rosenbrock, lr tuned on a grid,
with its contour picture and animated GIF, as ``descentlab race`` runs it.

descentlab only (no torch counterpart): the figure is recorded, never asserted. Each
repetition is a fresh ``python -m descentlab race ... --json`` process; the race's own
timings come from its JSON (``seconds``), the whole command's from the wall clock.
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path



def run(reps: int, steps: int = 500) -> dict:
    walls, parts = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(reps):
            cmd = [sys.executable, "-m", "descentlab", "race", "rosenbrock", "--steps", str(steps), "--json",
                   "-o", str(Path(tmp) / "race.png"), "--gif", str(Path(tmp) / "race.gif")]
            t = time.perf_counter()
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
            walls.append(time.perf_counter() - t)
            if out.returncode != 0:
                raise RuntimeError(f"descentlab race failed: {out.stderr.strip()[-500:]}")
            parts.append(json.loads(out.stdout)["seconds"])
    seconds = {k: statistics.median(p[k] for p in parts) for k in parts[0]}
    return {"command": f"descentlab race rosenbrock --steps {steps} -o race.png --gif race.gif",
            "reps": reps, "wall_s": statistics.median(walls), "seconds": seconds}
