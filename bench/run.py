"""Run every benchmark and write BENCHMARKS.md.

    python bench/run.py                 # full run, 1 and 2 threads (several minutes)
    python bench/run.py --quick         # about a minute: smaller sizes, 1 thread; never BENCHMARKS.md
    python bench/run.py --out other.md  # write elsewhere

Each thread count runs in its own worker process whose environment limits every
thread pool (OMP/OpenBLAS/MKL/numba) before NumPy loads; inside it threadpoolctl (when
installed) and ``torch.set_num_threads`` set the same count. Comparisons are timed
interleaved in that one process, and each figure is a median. torch is optional: when
it is missing, descentlab's figures are reported alone and the report says so.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from _common import THREAD_ENV, blas_env, cpu_model, have, set_threads, versions  # noqa: E402

WORKLOADS = ("optim", "mlp", "engine", "memory", "startup", "race", "playground", "sweep", "interop", "train_cli")


def _plan(quick: bool, threads: int = 1) -> dict:
    if quick:
        return {"optim": dict(sizes=[1_000_000], layouts=[1], names=["SGD", "Adam", "Rprop", "Lion"], reps=3,
                              reference_max=0),
                "mlp": dict(batches=[32, 1], reps=3, samples_per_rep=256, max_steps=32, reference=False, sgd_batch1=False),
                "phases": dict(batches=[32], reps=3, inner=5),
                "engine": dict(reps=3, inner=200),
                "memory": dict(steps=5, baselines=False),
                "startup": dict(reps=3, torch_too=False),
                "race": dict(reps=1, steps=50),
                "sweep": dict(quick=True, optuna_trials=30),
                "playground": dict(repeats=10),
                "interop": dict(reps=3, inner=10),
                "train_cli": dict(reps=1, epochs=2)}
    plan = {"optim": dict(sizes=[1_000_000, 10_000_000], layouts=[1, 100],
                          names=["SGD", "momentum", "Adam", "RMSProp", "AdaGrad", "Rprop", "Adamax", "Adadelta", "RAdam",
                                 "Lion"],
                          reps=5, reference_max=1_000_000),
            "mlp": dict(batches=[1, 32, 128], reps=5, samples_per_rep=4096, max_steps=100, reference=True, sgd_batch1=True),
            "phases": dict(batches=[1, 128], reps=5, inner=20),
            "engine": dict(reps=7, inner=2000),
            "memory": dict(steps=60, baselines=True),
            "startup": dict(reps=9, torch_too=True),
            "race": dict(reps=3, steps=500),
            "sweep": dict(quick=False, optuna_trials=300),
            "playground": dict(repeats=200),
            "interop": dict(reps=7, inner=50),
            "train_cli": dict(reps=5, epochs=10)}
    if threads > 1:
        # the step targets are for one thread; with more, the two headline cases only
        plan["optim"] = dict(sizes=[10_000_000], layouts=[1], names=["momentum", "Adam"], reps=5, reference_max=0)
        plan["mlp"]["reference"] = False
    return plan


# ----------------------------------------------------------------------------- worker
def worker(args) -> None:
    import time

    info = set_threads(args.threads)
    plan = _plan(args.quick, args.threads)
    out = {"threads": info}

    def timed(name, fn):
        t = time.perf_counter()
        out[name] = fn()
        print(f"  {name}: {time.perf_counter() - t:.0f} s", file=sys.stderr)
    if "optim" in args.only:
        import optim_step
        timed("optim", lambda: optim_step.run(**plan["optim"], threads=args.threads))
    if "mlp" in args.only:
        import mlp_train
        import phases
        timed("mlp", lambda: mlp_train.run(**plan["mlp"]))
        timed("phases", lambda: phases.run(**plan["phases"]))
    if "engine" in args.only and (args.quick or args.threads == 1):
        import engine
        timed("engine", lambda: engine.run(**plan["engine"]))
    Path(args.result).write_text(json.dumps(out))


def _spawn(threads: int, args) -> dict:
    env = dict(os.environ)
    for k in THREAD_ENV:
        env[k] = str(threads)
    with tempfile.TemporaryDirectory() as tmp:
        result = Path(tmp) / "result.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--threads", str(threads),
               "--result", str(result), "--only", ",".join(args.only)] + (["--quick"] if args.quick else [])
        proc = subprocess.run(cmd, env=env, cwd=str(ROOT))
        if proc.returncode != 0:
            raise SystemExit(f"benchmark worker with {threads} thread(s) failed (exit {proc.returncode})")
        return json.loads(result.read_text())


# ----------------------------------------------------------------------------- report
def _ms(t):
    return "—" if t is None else f"{t * 1e3:.2f}"


def _ratio(a, b):
    return "—" if a is None or b is None or b == 0 else f"{a / b:.2f}×"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _backend_of(label: str | None) -> str:
    """The backend named in a fused contender's label: 'numba', 'numpy', or what ran instead."""
    if label is None:
        return "—"
    if label.startswith("descentlab fused (") and label.endswith(")"):
        return label[len("descentlab fused ("):-1]
    return "none: opt.step"


def _optim_tables(res: dict, threads: int) -> tuple[str, dict]:
    rows = res["rows"]
    contenders: list[str] = []
    for r in rows:
        if r["contender"] not in contenders:
            contenders.append(r["contender"])
    cases = []
    for r in rows:
        key = (r["optimizer"], r["n"], r["tensors"])
        if key not in cases:
            cases.append(key)
    table_rows, facts, below = [], {}, []
    for opt, n, tensors in cases:
        sel = {r["contender"]: r for r in rows if (r["optimizer"], r["n"], r["tensors"]) == (opt, n, tensors)}
        floor = next((r.get("floor_seconds") for r in sel.values() if r.get("floor_seconds")), None)
        ours = next((c for c, r in sel.items() if r.get("ours")), None)
        t_ours = sel[ours]["seconds"] if ours else None
        t_fused = sel.get("torch fused", {}).get("seconds")
        t_default = sel.get("torch default", {}).get("seconds")
        cells = [opt, f"{n / 1e6:g}M", "flat" if tensors == 1 else f"{tensors} tensors",
                 _backend_of(ours)]
        cells += [_ms(sel.get(c, {}).get("seconds")) if c in sel else "" for c in contenders]
        under = [c for c, r in sel.items() if floor and r.get("seconds") is not None and r["seconds"] < floor]
        if under:
            below.append(f"{opt} {n / 1e6:g}M {'flat' if tensors == 1 else f'{tensors} tensors'}: "
                         + ", ".join(f"{c} {sel[c]['seconds'] * 1e3:.2f} ms" for c in under))
        vs_floor = "below the floor (see note)" if t_ours is not None and floor and t_ours < floor \
            else _ratio(t_ours, floor)
        cells += [_ms(floor), _ratio(t_ours, t_fused), _ratio(t_ours, t_default), vs_floor]
        table_rows.append(cells)
        facts[(opt, n, tensors)] = {"ours": t_ours, "torch_fused": t_fused, "floor": floor}
    header = ["optimizer", "N", "layout", "ours: backend that ran"] + [f"{c} (ms)" for c in contenders] + \
        ["floor (ms)", "ours / torch fused", "ours / torch default", "ours / floor"]
    bw = "; ".join(f"{b['n'] / 1e6:g}M elements: **{b['GBps']:.1f} GB/s** ({b['method']})" for b in res["bandwidth"])
    probes = "; ".join(f"{b['n'] / 1e6:g}M: " + ", ".join(f"{k} {v:.1f}" for k, v in b["probes_GBps"].items())
                       for b in res["bandwidth"])
    text = (f"Bandwidth, the best rate of the memory-only probes at each size ({threads} thread(s), one slice "
            f"per thread as the kernels split): {bw}. All probes (GB/s): {probes}. "
            "The floor is streams × 4 B × N / that bandwidth (SGD 3 streams; momentum, RMSProp, AdaGrad, Lion 5; "
            "Adam, Adamax, Adadelta, RAdam, Rprop 7). 'ours' is descentlab's step through the dispatch table under the "
            "default backend, labelled by the kernel backend seen running it (not by what imports). "
            "Lower is better.\n\n")
    text += _table(header, table_rows)
    if below:
        text += ("\n\nNote: faster than the floor, so the probes missed this machine's peak bandwidth here and "
                 "that floor is no bound (no ratio is given for it): " + "; ".join(below) + ".")
    return text, facts


def _mlp_table(res: dict) -> tuple[str, dict]:
    rows = res["rows"]
    contenders: list[str] = []
    for r in rows:
        if r["contender"] not in contenders:
            contenders.append(r["contender"])
    cases = []
    for r in rows:
        if (r["batch"], r["optimizer"]) not in cases:
            cases.append((r["batch"], r["optimizer"]))
    out_rows, facts = [], {}
    for batch, opt in cases:
        sel = {r["contender"]: r for r in rows if (r["batch"], r["optimizer"]) == (batch, opt)}
        ours = next(r["samples_per_s"] for c, r in sel.items() if c.startswith("descentlab fast"))
        torch_default = sel.get(f"torch {opt} (default)", {}).get("samples_per_s")
        cells = [str(batch), opt] + [f"{sel[c]['samples_per_s']:,.0f}" if c in sel else "" for c in contenders]
        cells.append(_ratio(ours, torch_default))
        out_rows.append(cells)
        facts[(batch, opt)] = {"ours": ours, "torch": torch_default}
    header = ["batch", "optimizer"] + [f"{c} (samples/s)" for c in contenders] + ["ours / torch default"]
    return _table(header, out_rows), facts


def _phases_table(res: dict) -> str:
    batches = sorted({r["batch"] for r in res["rows"]})
    phases: list[str] = []
    for r in res["rows"]:
        if r["phase"] not in phases:
            phases.append(r["phase"])
    cell = {(r["batch"], r["phase"]): r["ms"] for r in res["rows"]}
    rows = [[p] + [f"{cell[(b, p)]:.3f}" if (b, p) in cell else "" for b in batches] for p in phases]
    return _table(["phase"] + [f"batch {b}" for b in batches], rows)


def _engine_table(res: dict) -> str:
    cases = []
    for r in res["rows"]:
        if r["case"] not in cases:
            cases.append(r["case"])
    out = []
    for case in cases:
        sel = {r["contender"]: r["us_per_call"] for r in res["rows"] if r["case"] == case}
        d, t = sel.get("descentlab autodiff"), sel.get("torch autograd")
        out.append([case, f"{d:.1f}", "—" if t is None else f"{t:.1f}", _ratio(d, t)])
    return _table(["case", "descentlab autodiff (µs)", "torch autograd (µs)", "descentlab / torch"], out)


def _targets(optim_facts: dict, mlp_facts: dict, memory: dict | None, startup: dict | None,
             train_cli: dict | None = None) -> str:
    rows = []

    def verdict(ok):
        return "—" if ok is None else ("met" if ok else "**missed**")
    for opt in ("Adam", "momentum"):
        f = optim_facts.get(1, {}).get((opt, 10_000_000, 1))
        if f and f["ours"] and f["torch_fused"]:
            r = f["ours"] / f["torch_fused"]
            rf = f["ours"] / f["floor"]
            rows.append([f"{opt} step, 10M, 1 thread", "≤ 1.0× torch fused (≤ 1.1× floor)",
                         f"{r:.2f}× torch fused, " + (f"{rf:.2f}× floor" if rf >= 1 else "below the floor (see note)"),
                         verdict(r <= 1.0) if r > 1.0 or rf <= 1.1 else "met vs torch; **floor missed**"])
        else:
            rows.append([f"{opt} step, 10M, 1 thread", "≤ 1.0× torch fused", "not measured in this run", "—"])
    for threads in sorted(mlp_facts):
        f = mlp_facts[threads].get((128, "adam"))
        if f and f["torch"]:
            r = f["ours"] / f["torch"]
            rows.append([f"MLP batch 128, {threads} thread(s)", "≥ 1.2× torch samples/s", f"{r:.2f}×", verdict(r >= 1.2)])
        for opt in ("adam", "sgd"):
            f = mlp_facts[threads].get((1, opt))
            if f and f["torch"]:
                r = f["ours"] / f["torch"]
                rows.append([f"batch 1 ({opt}), {threads} thread(s)", "≥ 1.0× torch steps/s", f"{r:.2f}×", verdict(r >= 1.0)])
    if memory:
        peak = {r["contender"]: r["peak_MiB"] for r in memory["rows"]}
        ours = next((r["peak_MiB"] for r in memory["rows"] if r.get("ours")), None)
        theirs = peak.get("torch (default Adam)")
        if ours and theirs:
            rows.append(["peak memory of the training run", "≤ torch", f"{ours:.0f} MiB vs {theirs:.0f} MiB",
                         verdict(ours <= theirs)])
    if startup:
        t = next(r["seconds"] for r in startup["rows"] if r["what"] == "import descentlab")
        rows.append(["import descentlab", "< 0.2 s", f"{t:.3f} s", verdict(t < 0.2)])
    if train_cli and "ratio" in train_cli:
        same = "" if train_cli["same_steps"] and train_cli["close"] else " (**not the same work**)"
        rows.append([f"descentlab train mnist_5k, {train_cli['epochs']} epochs, whole command", "≤ 1.0× the torch script",
                     f"{train_cli['ratio']:.2f}×{same}", verdict(train_cli["ratio"] <= 1.0 and not same)])
    return _table(["target", "goal", "reached", ""], rows)


def render(args, results: dict[int, dict], memory: dict | None, startup: dict | None,
           race: dict | None = None, playground: dict | None = None, sweep: dict | None = None,
           interop: dict | None = None, train_cli: dict | None = None) -> str:
    v = versions()
    first = next(iter(results.values()), {})
    blas = first.get("threads", {}).get("numpy_blas", "not measured")
    env = blas_env()
    # no machine paths in the report: an absolute path argument is shown by its file name
    cmd = "python bench/run.py" + "".join(" " + shlex.quote(Path(a).name if a.startswith("/") else a)
                                          for a in sys.argv[1:])
    parts = [
        f"## {args.title}\n",
        f"- command: `{cmd}`" + (f" with {args.env_note}" if args.env_note else ""),
        f"- date: {_dt.datetime.now(_dt.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {cpu_model()}, {os.cpu_count()} logical CPUs",
        f"- OPENBLAS_CORETYPE={env['OPENBLAS_CORETYPE']}, OPENBLAS_L2_SIZE={env['OPENBLAS_L2_SIZE']}; "
        f"NumPy BLAS: {blas}",
        "- versions: " + ", ".join(f"{k} {val}" for k, val in v.items()),
        f"- threads: {', '.join(str(t) for t in results) or 'n/a'} (same count for NumPy/BLAS, numba and torch)",
    ]
    if not have("torch"):
        parts.append("- **torch is not installed here: descentlab's figures only, no ratios.** "
                     "Install `descentlab[bench]` (torch==2.13.0) for the comparison.")
    if args.quick:
        parts.append("- `--quick`: small sizes and few repetitions, a smoke check; figures are rough.")
    optim_facts, mlp_facts = {}, {}
    for threads, res in results.items():
        if "optim" in res:
            text, optim_facts[threads] = _optim_tables(res["optim"], threads)
            parts.append(f"\n### Optimizer step, {threads} thread(s)\n\n{text}")
        if "mlp" in res:
            text, mlp_facts[threads] = _mlp_table(res["mlp"])
            parts.append(f"\n### MLP 784-256-256-10 training throughput, {threads} thread(s)\n\n"
                         "Softmax cross-entropy, float32, synthetic standardised MNIST-shaped data; torch starts from "
                         "descentlab's initial weights. Higher is better.\n\n" + text)
        if "phases" in res:
            parts.append(f"\n### Where a training step goes, {threads} thread(s) (ms per call)\n\n" + _phases_table(res["phases"]))
        if "engine" in res:
            parts.append(f"\n### Autodiff per-op overhead, tiny float64 tensors, {threads} thread(s)\n\n"
                         + _engine_table(res["engine"]))
    if memory:
        rows = [[r["contender"], "failed" if r["peak_MiB"] is None else f"{r['peak_MiB']:.0f}"] for r in memory["rows"]]
        parts.append(f"\n### Peak memory (ru_maxrss), MLP batch 128 Adam, {memory['steps']} steps, fresh process each\n\n"
                     + _table(["process", "peak MiB"], rows))
    if startup:
        rows = [[r["what"], f"{r['seconds']:.3f}"] for r in startup["rows"]]
        parts.append("\n### Start-up (median of fresh interpreters)\n\n" + _table(["what", "seconds"], rows))
    if race:
        rows = [[k, f"{v:.2f}"] for k, v in race["seconds"].items()] + [["whole command (wall, fresh process)",
                                                                          f"{race['wall_s']:.2f}"]]
        parts.append(f"\n### Optimizer race (descentlab only), median of {race['reps']} run(s)\n\n"
                     f"`{race['command']}`: six optimizers, each lr tuned on the default grid, contour PNG and "
                     "60-frame GIF.\n\n" + _table(["part", "seconds"], rows))
    if playground:
        import playground as playground_bench
        parts.append("\n### Playground: one slider move in the browser\n\n" + playground_bench.table(playground))
    if sweep:
        parts.append("\n### Sweep engine: small surface runs into SQLite, against Optuna (one run)\n\n"
                     "`python bench/sweep.py --optuna-trials 300`: runs/s and overhead per run (wall time minus the "
                     "runs' own time); Optuna's GridSampler reads every stored trial for each new one, so it is "
                     "timed on the first trials of the same study.\n\n" + sweep["markdown"])
    if interop:
        import interop as interop_bench
        parts.append(f"\n### Torch adapter: Adam step on torch models, float32, {interop['threads']} thread(s)\n\n"
                     "Only `opt.step()` is timed; gradients set once.\n\n" + interop_bench.table(interop))
    if train_cli:
        import train_cli as train_cli_bench
        parts.append(f"\n### A whole training command, fresh processes, {train_cli.get('threads', 1)} thread(s)\n\n"
                     + (f"`{train_cli['command']}` (run as `python -m descentlab ...`) against `bench/torch_train.py` "
                        f"(784-128-10, torch.optim.Adam fused=True, batch 64, {train_cli['epochs']} epochs, the same "
                        "standardised split from the same cache file), both from a warm dataset cache; wall time of "
                        f"the whole process, `import torch` included, median of {train_cli['reps']} interleaved "
                        "run(s).\n\n" if "command" in train_cli else "")
                     + train_cli_bench.table(train_cli))
    if optim_facts or mlp_facts or memory or startup or train_cli:
        parts.append("\n### Targets\n\n" + _targets(optim_facts, mlp_facts, memory, startup, train_cli))
    return "\n".join(parts) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a smoke run of about a minute (never writes BENCHMARKS.md)")
    ap.add_argument("--threads", default=None, help="comma-separated thread counts (default 1,2; --quick: 1)")
    ap.add_argument("--only", default=",".join(WORKLOADS), help=f"subset of {','.join(WORKLOADS)}")
    ap.add_argument("--out", default=None, help="report file, written atomically (default BENCHMARKS.md; with "
                    "--quick a file in the temporary folder: a smoke run never touches BENCHMARKS.md)")
    ap.add_argument("--append", action="store_true", help="keep the report file's content and add this run after it")
    ap.add_argument("--title", default="Benchmark run", help="heading of this run's section")
    ap.add_argument("--env-note", default="", help="how the environment differed, for the report")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.only = [w.strip() for w in args.only.split(",") if w.strip()]
    bad = sorted(set(args.only) - set(WORKLOADS))
    if bad:
        ap.error(f"unknown workload(s) {bad}; choose from {', '.join(WORKLOADS)}")
    committed = ROOT / "BENCHMARKS.md"
    if args.out is None:
        import tempfile

        args.out = str(Path(tempfile.gettempdir()) / "descentlab-bench-quick.md") if args.quick else str(committed)
    if args.quick and not args.worker and Path(args.out).resolve() == committed.resolve():
        ap.error("--quick is a smoke run with rough figures and never writes BENCHMARKS.md; "
                 "drop --out (it goes to the temporary folder) or name another file")
    if args.worker:
        args.threads = int(args.threads)
        worker(args)
        return 0
    threads = [int(t) for t in (args.threads or ("1" if args.quick else "1,2")).split(",")]
    if not have("torch"):
        print("torch is not installed: reporting descentlab's figures only", file=sys.stderr)
    results = {}
    if set(args.only) & {"optim", "mlp", "engine"}:
        for t in threads:
            print(f"running optim/mlp/engine with {t} thread(s)...", file=sys.stderr)
            results[t] = _spawn(t, args)
    memory = startup = None
    if "memory" in args.only:
        import memory as memory_bench
        print("measuring peak memory...", file=sys.stderr)
        memory = memory_bench.run(threads=threads[0], **_plan(args.quick)["memory"])
    if "startup" in args.only:
        import startup as startup_bench
        print("measuring start-up...", file=sys.stderr)
        startup = startup_bench.run(**_plan(args.quick)["startup"])
    race = None
    if "race" in args.only:
        import race as race_bench
        print("timing the optimizer race...", file=sys.stderr)
        race = race_bench.run(**_plan(args.quick)["race"])
    playground = None
    if "playground" in args.only:
        import playground as playground_bench
        print("timing the playground page in headless Chromium...", file=sys.stderr)
        playground = playground_bench.run(**_plan(args.quick)["playground"])
    sweep = None
    if "sweep" in args.only:
        import sweep as sweep_bench
        print("timing the sweep engine against Optuna...", file=sys.stderr)
        sweep = sweep_bench.run(**_plan(args.quick)["sweep"])
        sweep["markdown"] = sweep_bench.markdown(sweep)
    interop = None
    if "interop" in args.only and have("torch"):
        import interop as interop_bench
        print("timing the torch adapter's step...", file=sys.stderr)
        interop = interop_bench.run(threads=threads[0], **_plan(args.quick)["interop"])
    train_cli = None
    if "train_cli" in args.only:
        import train_cli as train_cli_bench
        print("timing descentlab train against the torch script, fresh processes...", file=sys.stderr)
        train_cli = train_cli_bench.run(threads=threads[0], **_plan(args.quick)["train_cli"])
    text = render(args, results, memory, startup, race, playground, sweep, interop, train_cli)
    out = Path(args.out)
    from descentlab._io import atomic_write_text

    if args.append and out.exists():
        text = out.read_text().rstrip("\n") + "\n\n" + text
    else:
        text = "# Benchmarks\n\nMade by `bench/run.py`; see docs/performance.md for how to read them.\n\n" + text
    atomic_write_text(out, text)
    print(text)
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
