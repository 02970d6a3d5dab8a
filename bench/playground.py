"""The playground's interaction budget, measured in headless Chromium.

    python bench/playground.py          # print the figures
    python bench/run.py --only playground --append --title 'Playground interaction'   # into BENCHMARKS.md

A slider move recomputes every ticked optimizer's run before the frame is drawn: the
page's ``window.descentlab.bench()`` sets 6 optimizers (sgd, momentum, nesterov,
adagrad, rmsprop, adam) x 500 steps on the surfaces view, changes lr, and times the
recomputation (and recomputation plus drawing) with ``performance.now()``, the
median of many moves. The budget is 16 ms, one frame at 60 frames/s.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
BUDGET_MS = 16.0


def measure(repeats: int = 100, surface: str = "rosenbrock") -> dict:
    from playwright.sync_api import sync_playwright

    from descentlab.report.playground import write_playground

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        page_file = write_playground(Path(tmp) / "playground.html")
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = b.new_page(viewport={"width": 1400, "height": 900})
        page.goto(page_file.as_uri() + f"#view=surfaces&surface={surface}")
        while not page.evaluate("window.descentlab !== undefined"):  # the page's policy forbids polling by eval
            page.wait_for_timeout(50)
        page.evaluate("window.descentlab.bench(10)")  # warm the JIT
        res = page.evaluate(f"window.descentlab.bench({int(repeats)})")
        res["chromium"] = b.version
        res["page_bytes"] = page_file.stat().st_size
        b.close()
    res["surface"] = surface
    res["load"] = os.getloadavg()[0]
    return res


def run(repeats: int = 100, surface: str = "rosenbrock") -> dict:
    """The figures, or ``{"skipped": why}`` when there is no browser to measure in."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return {"skipped": "Playwright is not installed (pip install -e '.[test]')"}
    if not Path(CHROMIUM).exists():
        return {"skipped": f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"}
    res = measure(repeats, surface)
    res["budget_ms"] = BUDGET_MS
    return res


def table(res: dict) -> str:
    """The section's body for BENCHMARKS.md (bench/run.py writes it)."""
    if "skipped" in res:
        return f"not measured: {res['skipped']}\n"
    ok = res["recompute_ms_median"] < BUDGET_MS
    lines = [
        f"A slider move on the surfaces view ({res['surface']}): {res['optimizers']} optimizers x {res['steps']} steps "
        f"recomputed, {res['repeats']} moves timed with performance.now() in headless Chromium {res['chromium']} "
        f"(--disable-gpu); the page is one file of {res['page_bytes'] / 1024:.0f} KiB. Load average while measuring: "
        f"{res['load']:.1f} on {os.cpu_count()} logical CPUs.",
        "",
        "| what | mean ms | median ms | 95th percentile ms | budget |",
        "|---|---|---|---|---|",
        f"| recompute 6 optimizers x 500 steps | {res['recompute_ms_mean']:.2f} | {res['recompute_ms_median']:.1f} | "
        f"{res['recompute_ms_p95']:.1f} | < {BUDGET_MS:g} ms (one frame at 60/s): {'met' if ok else '**missed**'} |",
        f"| recompute and draw (map, curves, table) | | {res['recompute_and_draw_ms_median']:.1f} | "
        f"{res['recompute_and_draw_ms_p95']:.1f} | |",
        "",
        "performance.now() ticks coarsely in a page that is not cross-origin isolated (0.1 ms or more), so the mean",
        "over back-to-back recomputes is the finer figure; the median and 95th percentile are per slider move",
        "(the 95th percentile shows what other processes on the machine took from it).",
    ]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=100, help="slider moves to time (default 100)")
    ap.add_argument("--surface", default="rosenbrock", help="surface of the view (default rosenbrock)")
    ap.add_argument("--json", action="store_true", help="print the raw figures as JSON")
    args = ap.parse_args(argv)
    res = run(args.repeats, args.surface)
    print(json.dumps(res, indent=2) if args.json else table(res))
    return 1 if "skipped" in res else 0


if __name__ == "__main__":
    sys.exit(main())
