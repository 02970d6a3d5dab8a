"""The exit statuses of the ``descentlab`` command, in one place.

====  ==========================================================================
0     done
1     ``lecture``: one of the lecture's claims checked by the example failed
2     bad input: an option, a file or a value that cannot be used (one sentence says
      what was expected, what came and how to fix it)
3     ran, but a run diverged (NaN, infinity or the bound): the results are printed
      and a sentence names the run and the step
70    an internal error of descentlab (a bug): one line; ``--debug`` shows the traceback
130   interrupted (Ctrl-C); 128 + the signal after a checkpointed ``train`` stopped
====  ==========================================================================
"""
from __future__ import annotations

import argparse
import sys

__all__ = ["OK", "CLAIM_FAILED", "BAD_INPUT", "DIVERGED", "INTERNAL", "INTERRUPTED", "EPILOG", "diverged"]

OK = 0
CLAIM_FAILED = 1
BAD_INPUT = 2
DIVERGED = 3
INTERNAL = 70  # EX_SOFTWARE of BSD's sysexits.h
INTERRUPTED = 130

EPILOG = """\
exit statuses:
  0   done
  1   lecture: one of the lecture's claims checked by the example failed
  2   bad input (one sentence: what was expected, what came, how to fix it)
  3   ran, but a run diverged (its results are printed; a sentence names the step)
  70  internal error of descentlab (one line; add --debug for the traceback)
  130 interrupted

add --debug anywhere on the line to see the traceback of an internal error."""


def diverged(args: argparse.Namespace, runs: list[str]) -> int:
    """Status 3 and one sentence on stderr when ``runs`` (their descriptions) is not empty, else 0.

    The sentence is printed even with ``--quiet`` and ``--json``: it goes to stderr, and
    a script that reads only the status still learns why it is 3.
    """
    if not runs:
        return OK
    shown = "; ".join(runs[:4]) + (f"; and {len(runs) - 4} more" if len(runs) > 4 else "")
    print(f"descentlab {args.command}: diverged: {shown} (exit status {DIVERGED})", file=sys.stderr)
    return DIVERGED
