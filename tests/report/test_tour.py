"""``descentlab tour``: every section and figure present, same seed same numbers, safe output."""
from __future__ import annotations

import base64
import importlib
import io
import json
import os
import re
from pathlib import Path

import pytest

from descentlab.cli.main import main
from descentlab.errors import ConfigError
from descentlab.progress import Progress
from descentlab.report import tour as tour_mod
from descentlab.report.tour import FIGURES, SECTIONS, run_tour


class _Tty(io.StringIO):
    def isatty(self):
        return True


class _Clock:
    """A fake clock that moves by ``step`` seconds each time it is read (every read is a redraw's chance)."""

    def __init__(self, step=1.0):
        self.t, self.step = 0.0, step

    def __call__(self):
        self.t += self.step
        return self.t


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    stream = _Tty()
    line = Progress("tour", unit=None, stream=stream, clock=_Clock())
    with line:
        path = run_tour(out, seed=0, quick=True, progress=line)
    return path, stream.getvalue()


def test_writes_index_and_results(quick_report):
    path, text = quick_report
    assert path.name == "index.html" and path.is_file()
    assert (path.parent / "results.json").is_file()
    # progress: one redrawn line naming each section as it starts, with the tour's ETA, then the last line
    runnable = [(k, t) for k, t, _, b, _ in SECTIONS if b is not None]
    shown = text.split("\r")
    for i, (_, title) in enumerate(runnable, 1):
        assert any(f"[{i}/{len(runnable)}] {title}"[:60] in ln and "ETA " in ln for ln in shown), title
    assert shown[-1].startswith(f"tour: done in ") and f"{len(runnable)} sections" in shown[-1]
    assert text.endswith("\n") and text.count("\n") == 1


def test_every_section_has_a_cost_estimate():
    runnable = [k for k, _, _, b, _ in SECTIONS if b is not None]
    assert sorted(tour_mod.SECTION_COST_S) == sorted(runnable)
    assert all(q > 0 and f > 0 for q, f in tour_mod.SECTION_COST_S.values())


def test_the_tours_eta_starts_from_the_estimates_and_follows_the_measured_pace(tmp_path, monkeypatch):
    now = [0.0]
    keys = [k for k, _, _, b, _ in SECTIONS if b is not None]
    cost = {k: tour_mod.SECTION_COST_S[k][0] for k in keys}
    etas = []
    line = Progress("tour", stream=io.StringIO(), clock=lambda: now[0])

    def builder(key):
        def build(ctx, sec):
            etas.append((key, line.eta()))
            now[0] += 2 * cost[key]  # every section takes twice its estimate
        return build

    monkeypatch.setattr(tour_mod, "SECTIONS", [(k, t, lvl, builder(k) if b else None, i) for k, t, lvl, b, i in SECTIONS])
    run_tour(tmp_path / "r", quick=True, progress=line)
    total = sum(cost.values())
    assert etas[0] == (keys[0], pytest.approx(total))             # before any section: the estimate itself
    for j, (key, eta) in enumerate(etas[1:], 1):                  # then the measured pace: twice the estimates left
        assert key == keys[j] and eta == pytest.approx(2 * sum(cost[k] for k in keys[j:]))


def test_every_section_is_present(quick_report):
    html = quick_report[0].read_text(encoding="utf-8")
    for key, title, *_ in SECTIONS:
        assert f'data-section="{key}"' in html, key
        assert f'href="#{key}"' in html, f"{key} missing from the table of contents"


def test_every_figure_is_present_and_embedded(quick_report):
    html = quick_report[0].read_text(encoding="utf-8")
    for key in FIGURES:
        m = re.search(rf'data-figure="{re.escape(key)}"><div class="img[^"]*">(.*?)</div>', html, flags=re.S)
        assert m, f"figure {key} is missing"
        srcs = re.findall(r'src="data:image/(png|gif);base64,([A-Za-z0-9+/=]+)"', m.group(1))
        assert srcs, f"figure {key} has no embedded image"
        for kind, b64 in srcs:
            data = base64.b64decode(b64)
            assert data[:8] == b"\x89PNG\r\n\x1a\n" if kind == "png" else data[:6] in (b"GIF87a", b"GIF89a")
            assert len(data) > 2000, f"figure {key} is suspiciously small"


def test_page_is_self_contained(quick_report):
    html = quick_report[0].read_text(encoding="utf-8")
    assert not re.search(r'(src|href)="(https?:)?//', html), "the report must not load anything from the network"
    # one inline script of its own (figures enlarge on a click), nothing loaded
    assert html.count("<script") == 1 and "<script>" in html and not re.search(r"<script[^>]*\bsrc=", html)
    assert not re.search(r"\b(fetch|XMLHttpRequest|import\(|WebSocket)\b", html.split("<script>")[1])


def test_nothing_is_missing_in_the_report(quick_report):
    html = quick_report[0].read_text(encoding="utf-8")
    results = json.loads((quick_report[0].parent / "results.json").read_text())
    assert results["missing"] == []
    assert "not available" not in html


def test_lecture_checks_all_pass_in_the_report(quick_report):
    html = quick_report[0].read_text(encoding="utf-8")
    assert '<li class="bad">' not in html
    assert html.count('<li class="ok">') > 30


def test_backprop_numbers_in_results(quick_report):
    r = json.loads((quick_report[0].parent / "results.json").read_text())["sections"]["backprop"]
    assert r["forward"]["y5"] == pytest.approx(0.6902834929076443, rel=1e-12)
    assert r["slide"]["w53_new"] == "wrong" and r["slide"]["y5"] == "rounded"


# the sections that draw random numbers: batch sampling, race starts, data splits, initial weights
RANDOM_SECTIONS = ["batch-size", "batch-real", "race", "compare-real"]


def test_same_seed_same_numbers(tmp_path):
    a = run_tour(tmp_path / "a", seed=7, quick=True, only=RANDOM_SECTIONS)
    b = run_tour(tmp_path / "b", seed=7, quick=True, only=RANDOM_SECTIONS)
    ra = json.loads((a.parent / "results.json").read_text())
    rb = json.loads((b.parent / "results.json").read_text())
    assert ra["sections"] == rb["sections"]
    assert set(ra["sections"]) >= {"batch-size", "race", "batching", "optimizers-real"}


def test_other_seed_other_samples(tmp_path):
    a = run_tour(tmp_path / "a", seed=0, quick=True, only=["batch-size"])
    b = run_tour(tmp_path / "b", seed=1, quick=True, only=["batch-size"])
    sa = json.loads((a.parent / "results.json").read_text())["sections"]["batch-size"]
    sb = json.loads((b.parent / "results.json").read_text())["sections"]["batch-size"]
    assert sa != sb


# -- output folder: checked before any work, replaced atomically ----------------------------
def _no_work(monkeypatch):
    calls = []
    monkeypatch.setattr(tour_mod, "SECTIONS", [(k, t, lvl, (lambda *a, _k=k: calls.append(_k)) if b else None, i)
                                              for k, t, lvl, b, i in SECTIONS])
    return calls


@pytest.mark.parametrize("make_bad, pattern", [
    (lambda tmp: (tmp / "file.txt").write_text("x") and tmp / "file.txt", r"an output folder, got .*existing file"),
    (lambda tmp: (tmp / "file.txt").write_text("x") and tmp / "file.txt" / "sub", r"a writable output folder"),
])
def test_unusable_output_folder_fails_before_any_work(tmp_path, monkeypatch, make_bad, pattern):
    calls = _no_work(monkeypatch)
    stream = io.StringIO()
    with pytest.raises(ConfigError, match=pattern):
        run_tour(make_bad(tmp_path), quick=True, progress=Progress("tour", stream=stream))
    assert calls == [] and stream.getvalue() == ""


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write into a read-only folder")
def test_read_only_folder_fails_before_any_work(tmp_path, monkeypatch):
    calls = _no_work(monkeypatch)
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(ConfigError, match="writable output folder"):
            run_tour(ro, quick=True)
    finally:
        ro.chmod(0o700)
    assert calls == []


def test_probe_failure_is_reported(tmp_path, monkeypatch):
    """A folder where creating a file fails (simulated) is refused with a sentence."""
    def refuse(*a, **k):
        raise PermissionError(13, "Permission denied")

    calls = _no_work(monkeypatch)
    monkeypatch.setattr(tour_mod.tempfile, "mkstemp", refuse)
    with pytest.raises(ConfigError, match=r"writable output folder, got .*Permission denied.*--out"):
        run_tour(tmp_path / "out", quick=True)
    assert calls == []


def test_existing_report_is_kept_when_the_tour_fails(tmp_path, monkeypatch):
    out = tmp_path / "rep"
    out.mkdir()
    (out / "index.html").write_text("old report")
    (out / "results.json").write_text("{}")

    def boom(ctx, sec):
        raise RuntimeError("section failed")

    monkeypatch.setattr(tour_mod, "SECTIONS", [SECTIONS[0], ("bad", "Bad", 3, boom, "")])
    with pytest.raises(RuntimeError, match="section failed"):
        run_tour(out, quick=True)
    assert (out / "index.html").read_text() == "old report"
    assert (out / "results.json").read_text() == "{}"
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "results.json"], "no temporary files left"


def test_existing_report_is_replaced(tmp_path):
    out = tmp_path / "rep"
    out.mkdir()
    (out / "index.html").write_text("old report")
    path = run_tour(out, quick=True, only=["decay"])
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>") and 'data-section="decay"' in text
    assert _listing(out) == ["index.html", "results.json"]


@pytest.mark.parametrize("where", ["while writing", "before the rename"])
def test_a_crash_while_the_page_is_written_leaves_the_old_page_whole(tmp_path, monkeypatch, where):
    """Killed while index.html is being written: the old page stays, complete, and no temporary is left."""
    import descentlab._io as io_mod

    out = tmp_path / "rep"
    out.mkdir()
    (out / "index.html").write_text("old report")
    real_mkstemp, real_fdopen, real_replace = io_mod.tempfile.mkstemp, io_mod.os.fdopen, io_mod.os.replace
    page_fds = set()

    class HalfWritten:
        """A file object that writes half the page, then the process 'dies'."""

        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            raise KeyboardInterrupt("killed while writing")

    def mkstemp(*a, **k):
        fd, name = real_mkstemp(*a, **k)
        if Path(name).name.startswith(".index.html."):
            page_fds.add(fd)
        return fd, name

    def fdopen(fd, *a, **k):
        fh = real_fdopen(fd, *a, **k)
        return HalfWritten(fh) if fd in page_fds else fh

    def replace(src, dst):
        if Path(dst).name == "index.html":
            raise KeyboardInterrupt("killed before the rename")
        real_replace(src, dst)

    if where == "while writing":
        monkeypatch.setattr(io_mod.tempfile, "mkstemp", mkstemp)
        monkeypatch.setattr(io_mod.os, "fdopen", fdopen)
    else:
        monkeypatch.setattr(io_mod.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        run_tour(out, quick=True, only=["decay"])
    assert (out / "index.html").read_text() == "old report"
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")], "a temporary file was left behind"
    monkeypatch.undo()
    path = run_tour(out, quick=True, only=["decay"])   # and the next run replaces it
    assert 'data-section="decay"' in path.read_text(encoding="utf-8")


def test_missing_module_is_reported_not_fatal(tmp_path, monkeypatch):
    def needs_missing(ctx, sec):
        importlib.import_module("descentlab.no_such_part")

    monkeypatch.setattr(tour_mod, "SECTIONS", [SECTIONS[0], ("needs", "Needs a part", 3, needs_missing, "")])
    path = run_tour(tmp_path / "r", quick=True)
    html = path.read_text(encoding="utf-8")
    assert "not available: descentlab.no_such_part" in html
    assert json.loads((path.parent / "results.json").read_text())["missing"]


@pytest.mark.parametrize("kw, pattern", [
    ({"only": ["nope"]}, r"section names among"),
    ({"only": []}, r"section names among"),
    ({"seed": -1}, r"seed, an integer >= 0"),
])
def test_bad_arguments(tmp_path, kw, pattern):
    with pytest.raises(ConfigError, match=pattern):
        run_tour(tmp_path / "r", quick=True, **kw)
    assert not (tmp_path / "r").exists(), "nothing is created for a refused call"


# -- the command ----------------------------------------------------------------------------
def test_cli_prints_the_path(tmp_path, capsys):
    assert main(["tour", "--quick", "--only", "backprop", "-o", str(tmp_path / "r")]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == str(tmp_path / "r" / "index.html")
    # stderr is not a terminal here: plain lines, the last one says how long the tour took
    assert err.splitlines()[-1].startswith("tour: done in ") and err.endswith("· 1 section\n") and "\r" not in err


def test_cli_default_folder_is_descentlab_report_in_the_working_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["tour", "--quick", "--only", "decay", "-q"]) == 0
    printed = Path(capsys.readouterr().out.strip())
    assert printed.resolve() == (tmp_path / "descentlab-report" / "index.html").resolve()
    assert _listing(tmp_path / "descentlab-report") == ["index.html", "results.json"]


def test_cli_bad_folder_is_one_sentence(tmp_path, capsys):
    (tmp_path / "f").write_text("x")
    assert main(["tour", "--quick", "-o", str(tmp_path / "f")]) == 2
    err = capsys.readouterr().err
    assert "expected an output folder" in err and "Traceback" not in err


def test_missing_third_party_package_gets_an_install_hint(tmp_path, monkeypatch):
    def needs_matplotlib(ctx, sec):
        raise ModuleNotFoundError("No module named 'matplotlib'", name="matplotlib")

    monkeypatch.setattr(tour_mod, "SECTIONS", [SECTIONS[0], ("plot", "Plot", 3, needs_matplotlib, "")])
    path = run_tour(tmp_path / "r", quick=True)
    html = path.read_text(encoding="utf-8")
    assert "not available: matplotlib" in html and "descentlab[lab]" in html


def test_each_account_names_the_command_that_prints_it(tmp_path):
    from descentlab.report import run_tour

    index = run_tour(tmp_path / "r", only=["backprop", "backprop-2321"], quick=True)
    html = Path(index).read_text(encoding="utf-8")
    assert "(as printed by: descentlab lecture backprop)" in html
    assert "(as printed by: descentlab lecture backprop --network 2-3-2-1)" in html


def _listing(out):
    """The names a reader sees; behind them only the switch and one generation (no leftovers)."""
    hidden = sorted(p.name for p in out.iterdir() if p.name.startswith("."))
    assert hidden[0] == ".current" and len(hidden) == 2 and hidden[1].startswith(".report-"), hidden
    return sorted(p.name for p in out.iterdir() if not p.name.startswith("."))


def _pair(out):
    """Which run each reader-visible file came from."""
    return (out / "index.html").read_text(), json.loads((out / "results.json").read_text())["run"]


@pytest.mark.parametrize("start", ["published", "older regular files"])
def test_a_kill_at_any_point_of_publishing_leaves_one_whole_pair(tmp_path, monkeypatch, start):
    """Killed at every rename, link or removal while the new pair is published: the reader
    sees the old pair or the new pair, never one of each, and the next run cleans up."""
    import os
    import shutil

    from descentlab.report import publish as pub

    def files(run):
        return {"results.json": json.dumps({"run": run}).encode(), "index.html": run.encode()}

    out = tmp_path / "rep"
    out.mkdir()
    if start == "published":
        pub.publish(out, files("old"))
    else:
        (out / "index.html").write_text("old")
        (out / "results.json").write_text(json.dumps({"run": "old"}))
    snapshot = tmp_path / "snapshot"
    shutil.copytree(out, snapshot, symlinks=True)

    real = {name: getattr(os, name) for name in ("replace", "symlink", "rename", "unlink", "rmdir")}
    points, seen_new = 0, False
    while True:
        shutil.rmtree(out)
        shutil.copytree(snapshot, out, symlinks=True)
        count = [0]

        def killer(name):
            def call(*a, **k):
                if count[0] == points:
                    raise KeyboardInterrupt(f"killed at {name} #{points}")
                count[0] += 1
                return real[name](*a, **k)
            return call

        for name in real:
            monkeypatch.setattr(os, name, killer(name))
        try:
            pub.publish(out, files("new"))
            finished = True
        except KeyboardInterrupt:
            finished = False
        finally:
            for name, fn in real.items():
                monkeypatch.setattr(os, name, fn)
        page, results = _pair(out)
        assert page == results, f"kill point {points}: index.html from {page!r}, results.json from {results!r}"
        seen_new |= page == "new"
        pub.publish(out, files("next"))   # the next run works and leaves no leftovers
        assert _pair(out) == ("next", "next")
        assert _listing(out) == ["index.html", "results.json"]
        if finished:
            break
        points += 1
    assert points >= 4 and seen_new   # several kill points were tried, the late ones after the switch


def test_the_tour_publishes_its_files_as_a_pair(tmp_path):
    out = tmp_path / "rep"
    path = run_tour(out, quick=True, only=["decay"], seed=1)
    assert path.is_absolute() and path == out.absolute() / "index.html"
    assert (out / "index.html").is_symlink() and (out / ".current").is_symlink()
    assert json.loads((out / "results.json").read_text())["seed"] == 1
    run_tour(out, quick=True, only=["decay"], seed=2)
    assert json.loads((out / "results.json").read_text())["seed"] == 2 and "seed 2" in (out / "index.html").read_text()
    assert _listing(out) == ["index.html", "results.json"]


def test_only_hides_parts_whose_sections_were_all_filtered_out(tmp_path):
    page = run_tour(tmp_path, quick=True, only=["gd-x2"]).read_text(encoding="utf-8")
    nav = re.search(r"<nav>(.*?)</nav>", page, re.S).group(1)
    assert 'href="#part-gd"' in nav and 'href="#gd-x2"' in nav
    for part in ("part-batch", "part-opt", "part-bp"):
        assert f'href="#{part}"' not in nav and f'id="{part}"' not in page
    assert "2. Batch size" not in page and "4. Back-propagation" not in page
