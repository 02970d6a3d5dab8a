"""The layers of docs/architecture.md, enforced: the import-linter contract in
pyproject.toml holds, an upward import breaks it, and no modules import each other in
a circle except the ones named below."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

grimp = pytest.importorskip("grimp")
pytest.importorskip("importlinter")

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "descentlab"

#: circles that are allowed, and why (docs/architecture.md says it too)
ALLOWED_CYCLES = [
    # the engine: Tensor's operators call ops, and each op builds a Tensor
    {"descentlab.autodiff.tensor", "descentlab.autodiff.ops"},
]

_LINT = ("import sys\nfrom importlinter.cli import lint_imports\n"
         "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))")


def _lint(cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run([sys.executable, "-c", _LINT], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def test_the_layer_contract_is_kept():
    out = _lint(ROOT, ROOT / "src")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 kept, 0 broken" in out.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    shutil.copytree(SRC, tmp_path / "src" / "descentlab", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    base = tmp_path / "src" / "descentlab" / "optim" / "base.py"
    base.write_text(base.read_text() + "\n\ndef _upward():\n    from ..fast import kernels  # noqa: F401\n")
    out = _lint(tmp_path, tmp_path / "src")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "descentlab.optim is not allowed to import descentlab.fast" in out.stdout
    assert "descentlab.optim.base -> descentlab.fast.kernels" in out.stdout


def cycles(graph) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for start in sorted(graph.modules):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            v, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.find_modules_directly_imported_by(w)))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = set()
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.add(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        found.append(comp)
    return found


def test_the_cycle_finder_finds_circles_and_only_circles():
    g = grimp.ImportGraph()
    for a, b in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d"), ("p.d", "p.e"), ("p.e", "p.d"),
                 ("p.f", "p.a")]:
        g.add_import(importer=a, imported=b)
    assert sorted(map(sorted, cycles(g))) == [["p.a", "p.b", "p.c"], ["p.d", "p.e"]]


def test_no_import_cycles_but_the_allowed_ones():
    graph = grimp.build_graph("descentlab", cache_dir=None)
    found = cycles(graph)
    unexpected = [sorted(c) for c in found if c not in ALLOWED_CYCLES]
    assert not unexpected, f"modules that import each other in a circle: {unexpected}"


def test_the_diagram_in_docs_architecture_is_the_contract():
    import re
    import tomllib

    layers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]["layers"]
    want = [" | ".join(("(" if line.startswith("(") else "") + n.strip("() ").removeprefix("descentlab.")
                       + (")" if line.startswith("(") else "") for n in line.split("|")) for line in layers]
    text = (ROOT / "docs" / "architecture.md").read_text()
    block = re.search(r"```\n(.*?)```", text, re.S).group(1)
    # the diagram's first column: the names up to two spaces of description
    got = [re.split(r"\s{2,}", line)[0] for line in block.splitlines() if line.strip() and not line[0].isspace()]
    got = [g for g in got if not g.startswith("arrays")]
    assert got == want


def test_every_module_of_the_package_has_its_layer():
    import tomllib

    layers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]["layers"]
    listed = {n.strip("() ").removeprefix("descentlab.") for line in layers for n in line.split("|")}
    present = {p.stem for p in SRC.iterdir() if (p.suffix == ".py" or (p / "__init__.py").exists())}
    missing = sorted(present - listed - {"__init__", "__main__"})
    assert not missing, f"put these in [tool.importlinter] and docs/architecture.md at their layer: {missing}"
