"""Every Python snippet in the optimizer pages of the docs runs as written."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = ["optimizers.md", "conventions.md", "schedules.md"]
SNIPPETS = [(page, i, code) for page in PAGES
            for i, code in enumerate(re.findall(r"```python\n(.*?)```", (DOCS / page).read_text(), re.S))]


def test_each_page_has_a_snippet():
    assert {page for page, _, _ in SNIPPETS} == set(PAGES)


@pytest.mark.parametrize("page,index,code", SNIPPETS, ids=[f"{p}#{i}" for p, i, _ in SNIPPETS])
def test_snippet_runs(page, index, code, tmp_path, monkeypatch):
    if "matplotlib" in code:
        mpl = pytest.importorskip("matplotlib")
        mpl.use("Agg")
    monkeypatch.chdir(tmp_path)  # snippets that save files write them here
    exec(compile(code, f"{page} snippet {index}", "exec"), {"__name__": "__docs__"})
    if "matplotlib" in code:
        import matplotlib.pyplot as plt

        plt.close("all")
