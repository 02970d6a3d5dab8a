"""The documentation hangs together: links resolve, the gallery is linked and whole, and
BENCHMARKS.md gives each figure's command."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "BENCHMARKS.md", *sorted((ROOT / "docs").rglob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _local_links(page: Path) -> list[str]:
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)  # not code blocks
    return [t for t in LINK.findall(text) if not re.match(r"[a-z]+:", t) and not t.startswith("#")]


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_relative_links_point_at_files_that_exist(page):
    missing = [t for t in _local_links(page) if not (page.parent / t.split("#")[0]).exists()]
    assert not missing, f"{page.relative_to(ROOT)} links to missing files: {missing}"


def test_the_gallery_is_linked_from_the_readme_and_every_picture_is_shown_and_readable():
    Image = pytest.importorskip("PIL.Image", reason="Pillow is part of the plot extra")
    readme_targets = {(ROOT / t).resolve() for t in _local_links(ROOT / "README.md")}
    gallery_pages = [p for p in (ROOT / "docs").rglob("*.md") if any("gallery/" in t for t in _local_links(p))]
    assert gallery_pages, "no docs page shows the gallery"
    assert readme_targets & {p.resolve() for p in gallery_pages}, "the README does not link the gallery page"
    shown = {(p.parent / t).resolve() for p in gallery_pages for t in _local_links(p) if "gallery/" in t}
    files = {p.resolve() for p in (ROOT / "docs" / "gallery").iterdir() if p.is_file()}
    assert files, "the gallery is empty"
    assert files <= shown, f"pictures in the gallery that no page shows: {sorted(p.name for p in files - shown)}"
    for f in sorted(files):
        with Image.open(f) as im:
            im.verify()  # a complete, decodable file
        with Image.open(f) as im:
            assert min(im.size) >= 100, f"{f.name} is {im.size} pixels"


def test_every_benchmark_run_gives_its_command_and_covers_each_workload():
    text = (ROOT / "BENCHMARKS.md").read_text(encoding="utf-8")
    runs = re.split(r"^## ", text, flags=re.M)[1:]
    assert runs, "BENCHMARKS.md holds no run"
    for run in runs:
        title = run.splitlines()[0]
        assert re.search(r"^- command: `python bench/run\.py[^`]*`", run, flags=re.M), f"run '{title}' has no command"
        assert "OPENBLAS_CORETYPE" in run, f"run '{title}' does not say how OPENBLAS_CORETYPE was set"
    for heading in ("### Optimizer step, 1 thread(s)", "### Optimizer step, 2 thread(s)",
                    "### MLP 784-256-256-10 training throughput, 1 thread(s)",
                    "### MLP 784-256-256-10 training throughput, 2 thread(s)", "### Autodiff per-op overhead",
                    "### Peak memory", "### Start-up", "### Targets", "### Optimizer race"):
        assert heading in text, heading


def test_every_lecture_example_has_its_page_with_formulas_and_the_index_links_it():
    from descentlab.lecture import list_examples

    index = (ROOT / "docs" / "lecture" / "index.md").read_text(encoding="utf-8")
    for name in list_examples():
        page = ROOT / "docs" / "lecture" / f"{name}.md"
        assert page.is_file(), f"no page for `descentlab lecture {name}`"
        assert f"]({name}.md)" in index, f"docs/lecture/index.md does not link {name}.md"
        text = page.read_text(encoding="utf-8")
        assert f"descentlab lecture {name}" in text, f"{name}.md does not give its command"
        assert re.search(r"[=←∂∇]", text), f"{name}.md shows no formula"


def test_the_recorded_benchmarks_compare_with_the_pinned_torch_and_the_bandwidth_floor():
    text = (ROOT / "BENCHMARKS.md").read_text(encoding="utf-8")
    full = re.split(r"^## ", text, flags=re.M)[1]
    assert "torch 2.13.0" in full, "the full run was not made beside torch 2.13.0"
    header = next(ln for ln in full.splitlines() if ln.startswith("| optimizer | N | layout |"))
    for column in ("torch default", "torch foreach", "torch fused", "floor (ms)", "ours / torch fused"):
        assert column in header, column
    for size, layout in (("1M", "flat"), ("10M", "flat"), ("1M", "100 tensors"), ("10M", "100 tensors")):
        for opt in ("SGD", "momentum", "Adam", "RMSProp", "AdaGrad"):
            assert f"| {opt} | {size} | {layout} |" in full, (opt, size, layout)
    for batch in ("1", "32", "128"):
        assert f"\n| {batch} | adam |" in full, f"no MLP training figure at batch {batch}"
