"""The README's examples run as written."""
from __future__ import annotations

from pathlib import Path

import pytest

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _blocks(lang: str) -> list[str]:
    """The README's fenced code blocks whose info string is ``lang``."""
    blocks, current, info = [], None, None
    for line in README.splitlines():
        if line.startswith("```"):
            if current is None:
                current, info = [], line[3:].strip()
            else:
                if info == lang:
                    blocks.append("\n".join(current) + "\n")
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def test_python_examples_run_in_order():
    blocks = _blocks("python")
    assert len(blocks) >= 5
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102
    assert abs(namespace["E"].item() - 0.018103903836566) < 1e-12


def _shell_lines():
    for block in _blocks(""):
        for line in block.splitlines():
            line = line.split("#")[0].strip()
            if line.startswith("descentlab "):
                yield line


@pytest.mark.parametrize("line", sorted(set(_shell_lines())))
def test_shell_examples_name_real_commands(line):
    from descentlab.cli.main import build_parser

    parser = build_parser()
    words = line.split()[1:]
    action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    assert words[0] in action.choices, f"README names unknown command {words[0]!r}"
    import shlex

    args = parser.parse_args(shlex.split(line)[1:])  # parses: flags and values exist
    assert args.command == words[0]
