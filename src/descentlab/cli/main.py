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
from . import _status
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
        epilog=_status.EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"descentlab {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of an internal error (allowed anywhere on the line)")
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


def _memory_sentence(exc: MemoryError) -> str:
    """NumPy's "Unable to allocate 728. TiB for an array with shape ..." as expected / got / fix."""
    detail = str(exc).strip().rstrip(".")
    got = f"a request this machine cannot hold ({detail})" if detail else "a request this machine cannot hold"
    return (f"expected a problem that fits in memory, got {got}. "
            "Fix: ask for fewer steps, samples, grid points or hidden units.")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``descentlab`` command line and return its exit status (see ``descentlab --help``)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # --debug anywhere on the line (argparse allows top-level flags only before the command)
    debug = "--debug" in argv[: argv.index("--") if "--" in argv else len(argv)]
    if debug:
        argv.remove("--debug")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return _status.BAD_INPUT
    where = f"descentlab {args.command}"
    import warnings

    def one_line_warning(message, category, filename, lineno, file=None, line=None):
        # a warning is a sentence for the user, not a source location
        print(f"{where}: warning: {message}", file=sys.stderr)

    try:
        with warnings.catch_warnings():
            if not debug:
                warnings.showwarning = one_line_warning
            check_flags(args)  # the shared flags' values, checked in one vocabulary before any work
            return int(args._run(args) or 0)
    except DescentlabError as exc:
        print(f"{where}: error: {exc}", file=sys.stderr)
        return _status.BAD_INPUT
    except OSError as exc:
        print(f"{where}: error: {_os_error_sentence(exc)}", file=sys.stderr)
        return _status.BAD_INPUT
    except MemoryError as exc:
        print(f"{where}: error: {_memory_sentence(exc)}", file=sys.stderr)
        return _status.BAD_INPUT
    except KeyboardInterrupt:
        print(f"{where}: interrupted", file=sys.stderr)
        return _status.INTERRUPTED
    except Exception as exc:  # a bug: one line, the traceback only when asked for
        if debug:
            import traceback

            traceback.print_exc()
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        hint = "" if debug else " Rerun with --debug for the traceback."
        print(f"{where}: internal error (a bug in descentlab, not in your input): {type(exc).__name__}: {first}.{hint}",
              file=sys.stderr)
        return _status.INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
