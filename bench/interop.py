"""The torch adapter's optimizer step against torch.optim's own, on real torch models.

    python bench/interop.py            # print the figures
    python bench/run.py --only interop --append --title 'Torch adapter'   # into BENCHMARKS.md

Only ``opt.step()`` is timed (gradients are set once, so forward and backward cost
nothing here): descentlab.interop.torch.Optimizer("adam", preset="pytorch") against
torch.optim.Adam in its default (for-loop on the CPU) and fused forms, float32, on
an MLP 784-256-256-10 (269K parameters: the adapter takes the fused kernels) and a
64-32-10 MLP (2.4K: the reference path, where per-call overhead dominates). The
goal is at most 1.2x torch's default.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import interleaved, repeated, set_threads  # noqa: E402

GOAL = 1.2
MODELS = {"MLP 784-256-256-10": (784, 256, 256, 10), "MLP 64-32-10": (64, 32, 10)}


def _model(sizes):
    import torch

    torch.manual_seed(0)
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    for p in model.parameters():
        p.grad = torch.randn_like(p) * 1e-2
    return model


def run(reps: int = 7, inner: int = 50, threads: int = 1) -> dict:
    import torch

    from descentlab.interop.torch import Optimizer

    set_threads(threads)
    rows = []
    for label, sizes in MODELS.items():
        models = {k: _model(sizes) for k in ("torch default", "torch fused", "descentlab adapter")}
        opts = {"torch default": torch.optim.Adam(models["torch default"].parameters(), lr=1e-3),
                "torch fused": torch.optim.Adam(models["torch fused"].parameters(), lr=1e-3, fused=True),
                "descentlab adapter": Optimizer(models["descentlab adapter"].parameters(), "adam", preset="pytorch",
                                                lr=1e-3)}
        n = sum(p.numel() for p in models["torch default"].parameters())
        times = interleaved({k: repeated(o.step, inner) for k, o in opts.items()}, reps)
        per = {k: t / inner for k, t in times.items()}
        rows.append({"model": label, "parameters": n, "ms": {k: 1e3 * v for k, v in per.items()},
                     "adapter_vs_default": per["descentlab adapter"] / per["torch default"],
                     "adapter_vs_fused": per["descentlab adapter"] / per["torch fused"]})
    return {"rows": rows, "threads": threads, "goal": GOAL, "torch": torch.__version__}


def table(res: dict) -> str:
    head = ["model", "parameters", "torch default ms", "torch fused ms", "adapter ms", "adapter / default",
            "adapter / fused", f"goal <= {GOAL}x default"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in res["rows"]:
        ms = r["ms"]
        ok = "met" if r["adapter_vs_default"] <= GOAL else "not met"
        lines.append(f"| {r['model']} | {r['parameters']:,} | {ms['torch default']:.3f} | {ms['torch fused']:.3f} | "
                     f"{ms['descentlab adapter']:.3f} | {r['adapter_vs_default']:.2f}x | {r['adapter_vs_fused']:.2f}x "
                     f"| {ok} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="few repetitions, a smoke check")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    res = run(reps=3 if args.quick else 7, inner=10 if args.quick else 50, threads=args.threads)
    print(f"Adam step, float32, {res['threads']} thread(s), torch {res['torch']}\n")
    print(table(res))


if __name__ == "__main__":
    main()
