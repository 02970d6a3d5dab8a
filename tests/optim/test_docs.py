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


def test_the_conventions_page_table_is_the_presets():
    from descentlab.optim import PRESETS
    from descentlab.optim.conventions import CHOICES, REQUIRED

    text = (DOCS / "conventions.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| ") and line.count("|") == 8]
    presets = [c.strip() for c in rows[0].strip("|").split("|")][2:]
    assert presets == list(PRESETS)
    opt, cells_checked = None, 0
    for line in rows[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        opt = cells[0] or opt
        key = cells[1]
        for preset, cell in zip(presets, cells[2:]):
            value, starred = cell.rstrip("*"), cell.endswith("*")
            if opt not in PRESETS[preset]:
                assert value == "-", (opt, key, preset)
                continue
            want = PRESETS[preset][opt][key]
            if want is REQUIRED:
                assert value == "required", (opt, key, preset)
            elif isinstance(want, float):
                assert float(value) == want, (opt, key, preset, cell)
            else:
                assert value == str(want), (opt, key, preset, cell)
            assert starred == ((preset, opt, key) in CHOICES), (opt, key, preset, cell)
            cells_checked += 1
    assert cells_checked >= 90
