"""Flags and output helpers shared by the subcommands."""
from __future__ import annotations

import argparse
import sys
from typing import Any, Callable

from .._io import dumps_json

__all__ = ["add_json_flag", "add_seed_flag", "add_out_flag", "add_quiet_flag", "emit", "say"]


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable results (JSON) on stdout")


def add_seed_flag(parser: argparse.ArgumentParser, default: int = 0) -> None:
    from ._types import seed

    parser.add_argument("--seed", type=seed, default=default, help=f"random seed, a whole number >= 0 (default {default})")


def add_out_flag(parser: argparse.ArgumentParser, default: str, what: str = "output file") -> None:
    parser.add_argument("-o", "--out", default=default, help=f"{what} (default {default}); its folder is created")


def add_quiet_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress output")


def emit(args: argparse.Namespace, result: Any, text: str | Callable[[], str] | None = None) -> None:
    """Print ``result`` as JSON when ``--json`` was given, else the human text."""
    if getattr(args, "json", False):
        sys.stdout.write(dumps_json(result) + "\n")
    elif text is not None:
        sys.stdout.write((text() if callable(text) else text).rstrip("\n") + "\n")


def say(args: argparse.Namespace, line: str) -> None:
    """A progress/status line on stderr, silent with --quiet.

    It goes to stderr, so it never mixes with the JSON that ``--json`` prints on stdout.
    """
    if not getattr(args, "quiet", False):
        print(line, file=sys.stderr)
