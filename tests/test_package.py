"""The package as a user meets it: import, CLI, README lines and CI."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


def test_import_is_light():
    code = (
        "import sys, time; t=time.perf_counter(); import descentlab; dt=time.perf_counter()-t; "
        "bad=[m for m in ('matplotlib','sklearn','torch','numba','PIL') if m in sys.modules]; "
        "print(dt); print(','.join(bad))"
    )
    out = _run(sys.executable, "-c", code)
    assert out.returncode == 0, out.stderr
    dt, bad = out.stdout.splitlines()[0], (out.stdout.splitlines() + [""])[1]
    assert bad == "", f"import descentlab pulled in heavy modules: {bad}"
    assert float(dt) < 1.0  # generous: a correctness guard against eager heavy imports, not a benchmark


def test_unknown_public_name_raises_attribute_error():
    import descentlab

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        descentlab.nope  # noqa: B018


def _subcommands():
    from descentlab.cli.main import build_parser

    parser = build_parser()
    action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sorted(action.choices)


def test_top_level_help_lists_commands():
    out = _run(sys.executable, "-m", "descentlab", "--help")
    assert out.returncode == 0, out.stderr
    for name in _subcommands():
        assert name in out.stdout


@pytest.mark.parametrize("name", _subcommands())
def test_every_subcommand_has_help(name):
    out = _run(sys.executable, "-m", "descentlab", name, "--help")
    assert out.returncode == 0, out.stderr
    assert "usage:" in out.stdout


def _readme_code_lines():
    text = (ROOT / "README.md").read_text()
    return re.findall(r"^```\n(.+?)\n```", text, flags=re.M | re.S)


def test_readme_opens_with_the_two_setup_lines():
    lines = _readme_code_lines()
    assert len(lines) >= 2
    run_line, test_line = lines[0], lines[1]
    assert "\n" not in run_line and "\n" not in test_line
    assert run_line.endswith("descentlab tour")
    assert "pytest" in test_line and '".[test]"' in test_line
    assert "torch" not in run_line + test_line


def test_ci_runs_the_readme_test_line():
    script = (ROOT / ".ci" / "run").read_text()
    test_line = _readme_code_lines()[1]
    prefix = script.split("grep -m1 -A0 '")[1].split("'")[0]
    assert test_line.startswith(prefix.lstrip("^")), "the .ci/run pattern must select the README test line"
    assert "exit 1" in script and '-eq 5' in script


def test_no_unpinned_torch_in_requirements():
    text = (ROOT / "pyproject.toml").read_text()
    for m in re.finditer(r'"(torch[^"]*)"', text):
        assert m.group(1) == "torch==2.13.0", f"unpinned torch requirement: {m.group(1)}"


@pytest.mark.parametrize("module", ["descentlab", "descentlab.train", "descentlab.viz", "descentlab.data", "descentlab.fast",
                                    "descentlab.report"])
def test_every_lazy_public_name_resolves(module):
    import importlib

    mod = importlib.import_module(module)
    for name in mod.__all__:
        assert getattr(mod, name) is not None, f"{module}.{name}"


def test_functions_are_not_shadowed_by_their_modules():
    out = _run(sys.executable, "-c",
               "import descentlab.train.race, descentlab.train.fit, descentlab; "
               "import descentlab.train as t; "
               "print(callable(descentlab.minimize), callable(t.minimize), callable(descentlab.fit), callable(t.fit), "
               "callable(descentlab.race), callable(t.race))")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True"] * 6


def _nested_commands():
    """Every command path below the top level, e.g. ('lecture', 'backprop'), ('compare', 'batching')."""
    from descentlab.cli.main import build_parser

    def walk(parser, prefix):
        for action in parser._actions:
            if action.__class__.__name__ == "_SubParsersAction":
                for name, sub in action.choices.items():
                    yield (*prefix, name)
                    yield from walk(sub, (*prefix, name))

    return [p for p in walk(build_parser(), ()) if len(p) > 1]


def test_there_are_nested_commands_to_check():
    nested = _nested_commands()
    assert ("lecture", "backprop") in nested and ("compare", "batching") in nested


@pytest.mark.parametrize("path", _nested_commands(), ids=lambda p: " ".join(p))
def test_every_nested_subcommand_has_help(path, capsys):
    from descentlab.cli.main import main

    with pytest.raises(SystemExit) as info:
        main([*path, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage:") and " ".join(path) in out.splitlines()[0]


@pytest.mark.parametrize("status, expected", [(0, 0), (1, 1), (5, 1)])
def test_ci_script_fails_when_no_test_ran(tmp_path, status, expected):
    # .ci/run on a checkout whose README test line ends with a given pytest status;
    # 5 is pytest's "no tests collected", which must fail the run
    (tmp_path / ".ci").mkdir()
    (tmp_path / ".ci" / "run").write_text((ROOT / ".ci" / "run").read_text())
    (tmp_path / "README.md").write_text(
        f"# x\n\n```\npython3.11 -m venv .venv-test --help >/dev/null 2>&1; exit {status}\n```\n")
    out = subprocess.run(["bash", str(tmp_path / ".ci" / "run")], capture_output=True, text=True, timeout=60)
    assert out.returncode == expected, out.stderr
    assert ("collected no tests" in out.stderr) == (status == 5)
    assert not (tmp_path / ".venv-test").exists()
