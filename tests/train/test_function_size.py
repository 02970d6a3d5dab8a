"""The training code stays readable: no function in ``descentlab/train`` over 80 lines of code.

Lines of code are the function body's lines that are neither blank nor only a comment,
its docstring aside (a nested function counts inside its parent, and on its own).
"""
from __future__ import annotations

import ast
from pathlib import Path

import descentlab.train

LIMIT = 80


def code_lines(source: str, node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    lines = source.splitlines()
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    seen = set()
    for stmt in body:
        for i in range(stmt.lineno, stmt.end_lineno + 1):
            text = lines[i - 1].strip()
            if text and not text.startswith("#"):
                seen.add(i)
    return len(seen)


def function_sizes(folder: Path) -> dict[str, int]:
    out = {}
    for path in sorted(folder.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                out[f"{path.name}:{node.lineno} {node.name}"] = code_lines(source, node)
    return out


def test_the_counter_counts_code_not_docstrings_or_comments():
    src = 'def f():\n    """doc\n    more"""\n    # note\n\n    a = 1\n    return (a,\n            2)\n'
    assert code_lines(src, ast.parse(src).body[0]) == 3


def test_no_function_in_train_is_longer_than_the_limit():
    sizes = function_sizes(Path(descentlab.train.__file__).parent)
    assert sizes, "found no functions to measure"
    too_long = {k: n for k, n in sizes.items() if n > LIMIT}
    assert not too_long, f"functions over {LIMIT} lines of code: {too_long}"
