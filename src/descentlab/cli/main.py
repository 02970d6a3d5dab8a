"""Entry point of the ``descentlab`` command.

Subcommands are the modules of :mod:`descentlab.cli.commands`; each is found by name,
so adding a command means adding one file there.
"""
from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from typing import Sequence

from .. import __version__
from ..errors import DescentlabError
from ._common import check_flags

_PKG = "descentlab.cli.commands"


def _command_modules():
    pkg = importlib.import_module(_PKG)
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        yield importlib.import_module(f"{_PKG}.{info.name}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="descentlab",
        description="descentlab: neural-network optimization from the derivative to Adam, "
        "exact, visible and fast. Run `descentlab tour` to compute the whole chapter and write its report.",
    )
    parser.add_argument("--version", action="version", version=f"descentlab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in _command_modules():
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=getattr(mod, "DESCRIPTION", mod.HELP),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def _os_error_sentence(exc: OSError) -> str:
    """An OS error as expected / got / fix: the path and the system's reason, no errno."""
    # a failed rename (atomic writes end with one) names its target second: that is the user's path
    path = exc.filename2 if getattr(exc, "filename2", None) is not None else exc.filename
    path = os.fspath(path) if path is not None else "a file"
    folder, name = os.path.split(path)
    if name.startswith(".") and name.endswith(".tmp") and name.count(".") >= 3:
        # atomic writes go through ".<name>.<random>.tmp" beside the target: name the target
        path = os.path.join(folder, name[1:].rsplit(".", 2)[0])
    reason = exc.strerror or str(exc)
    return (f"expected a path that can be read or written, got {path} ({reason}). "
            "Fix: check that the file or its folder exists and that you may write there, or choose another path.")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        check_flags(args)  # the shared flags' values, checked in one vocabulary before any work
        return int(args._run(args) or 0)
    except DescentlabError as exc:
        print(f"descentlab {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"descentlab {args.command}: error: {_os_error_sentence(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"descentlab {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
