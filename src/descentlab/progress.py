"""One progress line for every long computation: done, total, rate, ETA and a label.

``descentlab train``, ``race``, ``compare``, ``lr-find``, ``tour`` and ``sweep run`` all
report through :class:`Progress`, which writes to stderr (stdout keeps the results and
the ``--json``). Where it writes decides how:

* **a terminal**: one line, redrawn in place with ``\\r`` at most every 0.2 s, ended with
  a newline by :meth:`Progress.close`::

      train: 1200/4500 steps (27%), 3.1k steps/s, ETA 1.1s · epoch 6/20, loss 0.214

* **a file or a pipe** (a log, CI): a plain line at most every 5 s *and* every 10 % of
  the total, whichever comes later, and always a final line; never a ``\\r``::

      train: 4500/4500 steps in 1.5s, 3.0k steps/s · epoch 20/20, loss 0.0871

* **disabled** (``--quiet``): nothing at all.

Cheap to call in a hot loop: :meth:`Progress.advance` adds to a counter and looks at the
clock only once the next line is due by count; the line is formatted only when it is
drawn, so a ``detail`` may be a function that builds its text then.

A weighted total gives an ETA for work whose parts cost different amounts: ``unit=None``
shows a percentage instead of counts, ``rate`` is the prior pace (units per second)
until the first part is done, and the measured pace replaces it afterwards. The tour
counts its sections by their estimated seconds this way.

The library's long functions take ``progress=`` (a :class:`Progress`, or None for none);
the one that owns it (the command) decides the label, the stream and ``--quiet``.
"""
from __future__ import annotations

import math
import os
import sys
import time
from typing import Callable, TextIO

__all__ = ["Progress", "duration", "silent"]

#: between two redraws on a terminal, seconds
REDRAW_S = 0.2
#: between two lines in a log, at least this many seconds ...
LOG_EVERY_S = 5.0
#: ... and at least this fraction of the total
LOG_EVERY_FRACTION = 0.1


def duration(seconds: float | None) -> str:
    """``0.42`` -> ``"0.4s"``, ``75`` -> ``"1m15s"``, ``3725`` -> ``"1h02m"``; None -> ``"?"``."""
    if seconds is None or not math.isfinite(seconds):
        return "?"
    if seconds < 10:
        return f"{max(seconds, 0.0):.1f}s"
    s = int(round(seconds))
    if s < 60:
        return f"{s}s"
    return f"{s // 60}m{s % 60:02d}s" if s < 3600 else f"{s // 3600}h{s % 3600 // 60:02d}m"


def _count(x: float) -> str:
    """A count: exact below 100 000 (``1680``), then in few characters (``452k``, ``4.1M``)."""
    if abs(x) < 1e5:
        return f"{int(x)}" if x == int(x) else f"{x:.3g}"
    return _rate(x)


def _rate(x: float) -> str:
    """A rate in few characters: 0.52, 850, 12.3k, 4.1M."""
    for div, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return f"{x / div:.3g}{suffix}"
    return f"{x:.3g}"


def _is_tty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def _width(stream) -> int:
    """The terminal's columns (a line that wraps cannot be redrawn with \\r); 100 when it does not say."""
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError, TypeError):
        return 100
    return columns if columns >= 40 else 100  # a pseudo-terminal may report 0


class Progress:
    """A progress line on ``stream`` (default stderr): see the module's docstring.

    Parameters
    ----------
    label : str
        What is running, e.g. ``"train"`` or ``"sweep quick"``; every line starts with it.
    total : float, optional
        Units the work takes; may be given later with :meth:`start` or :meth:`update`.
    unit : str or None
        ``"steps"``, ``"runs"``...; None shows a percentage and no counts (weighted work).
    enabled : bool
        False: print nothing (``--quiet``); the counts are still kept.
    stream, tty, clock
        Where to write (stderr by default), whether it is a terminal (asked by default),
        and the clock (``time.monotonic``; a test passes a fake one).
    rate : float, optional
        The pace assumed, in units per second, until a unit has been done.
    pace : bool
        Show the pace (``3.1k steps/s``); False for a few slow units (files drawn).
    """

    def __init__(self, label: str = "", total: float | None = None, *, unit: str | None = "steps",
                 enabled: bool = True, stream: TextIO | None = None, tty: bool | None = None,
                 clock: Callable[[], float] | None = None, rate: float | None = None, pace: bool = True) -> None:
        self.label, self.unit, self.enabled = label, unit, bool(enabled)
        self.stream = stream if stream is not None else sys.stderr
        self.tty = _is_tty(self.stream) if tty is None else bool(tty)
        self.clock = clock or time.monotonic
        self.prior_rate, self.pace = rate, pace
        self.detail: str | Callable[[], str] | None = None
        self.closed = False
        self.drawn = False       # a progress line has been shown
        self._shown = 0          # length of the line on a terminal (to pad over it)
        self._width = _width(self.stream) if self.enabled and self.tty else 0
        self.start(total)

    # -- counting ---------------------------------------------------------------------------
    def start(self, total: float | None = None, done: float = 0) -> "Progress":
        """(Re)start the clock with ``total`` units, ``done`` of them already (a resumed run)."""
        self.total = None if total is None else float(total)
        self.done = self.done0 = done
        self.t0 = self.clock()
        self._due_t = self.t0 + (REDRAW_S if self.tty else LOG_EVERY_S)
        self._due_done = self._next_done(done)
        return self

    def advance(self, n: float = 1) -> None:
        """``n`` more units done; draws a line when one is due."""
        self.done += n
        if self.done >= self._due_done and self.enabled:
            now = self.clock()
            if now >= self._due_t:
                self._draw(now)

    def update(self, done: float | None = None, *, total: float | None = None,
               detail: str | Callable[[], str] | None = None) -> None:
        """Set the units done (and the total, the detail); draws a line when one is due."""
        if total is not None:
            self.total = float(total)
        if detail is not None:
            self.detail = detail
        self.advance(0 if done is None else done - self.done)

    # -- what the line says -----------------------------------------------------------------
    @property
    def elapsed(self) -> float:
        return self.clock() - self.t0

    def rate(self, now: float | None = None) -> float | None:
        """Units per second since :meth:`start` (the prior ``rate`` before any unit is done)."""
        t = (self.clock() if now is None else now) - self.t0
        if self.done > self.done0 and t > 0:
            return (self.done - self.done0) / t
        return self.prior_rate

    def eta(self, now: float | None = None) -> float | None:
        """Seconds left at the pace so far; None while it is unknown."""
        r = self.rate(now)
        if self.total is None or not r:
            return None
        return max(self.total - self.done, 0.0) / r

    def _detail(self) -> str:
        d = self.detail() if callable(self.detail) else self.detail
        return f" · {d}" if d else ""

    def line(self, now: float | None = None) -> str:
        """The progress line as it would be drawn now."""
        now = self.clock() if now is None else now
        head = f"{self.label}: " if self.label else ""
        pct = f"{100 * min(self.done / self.total, 1.0):.0f}%" if self.total else None
        parts = []
        if self.unit is None:
            parts.append(pct or "")
        else:
            count = f"{_count(self.done)}/{_count(self.total)}" if self.total is not None else _count(self.done)
            parts.append(f"{count} {self.unit}" + (f" ({pct})" if pct else ""))
            r = self.rate(now)
            if r is not None and self.done > self.done0 and self.pace:
                parts.append(f"{_rate(r)} {self.unit}/s")
        if self.total is not None:
            parts.append(f"ETA {duration(self.eta(now))}")
        return head + ", ".join(p for p in parts if p) + self._detail()

    def final_line(self, summary: str | None = None, stopped: bool = False) -> str:
        """The last line: what was done, in how long, at what pace."""
        now = self.clock()
        head = f"{self.label}: " if self.label else ""
        took = duration(now - self.t0)
        if self.unit is None:
            body = f"{'stopped after' if stopped else 'done in'} {took}"
        else:
            count = f"{_count(self.done)}/{_count(self.total)}" if self.total is not None else _count(self.done)
            body = f"{'stopped at ' if stopped else ''}{count} {self.unit} in {took}"
            r = self.rate(now)
            if r is not None and self.done > self.done0 and self.pace:
                body += f", {_rate(r)} {self.unit}/s"
        return head + body + (f" · {summary}" if summary else self._detail())

    # -- writing ----------------------------------------------------------------------------
    def _next_done(self, done: float) -> float:
        if self.tty or not self.total:
            return -math.inf
        return done + LOG_EVERY_FRACTION * self.total

    def _write(self, text: str, end: str) -> None:
        if self.tty:
            if not end:  # only the line redrawn in place must fit the width; an ended line may wrap
                text = text[: max(self._width - 1, 20)]
            self.stream.write("\r" + text.ljust(self._shown) + end)
            self._shown = 0 if end else len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def _draw(self, now: float) -> None:
        if not self.tty and self.total and self.done >= self.total:
            return  # in a log the final line says it: no "100%, ETA 0.0s" just before it
        self.drawn = True
        self._write(self.line(now), "")
        self._due_t = now + (REDRAW_S if self.tty else LOG_EVERY_S)
        self._due_done = self._next_done(self.done)

    def message(self, text: str) -> None:
        """A status line of its own (a note, a warning), printed whole; the progress line goes on below it."""
        if not self.enabled:
            return
        redraw = self._shown > 0
        self._write(text, "\n" if self.tty else "")
        if redraw:
            self._draw(self.clock())

    def close(self, summary: str | None = None, stopped: bool = False) -> None:
        """Print the final line (once); ``summary`` replaces the detail, ``stopped`` says it did not finish.

        As a context manager it closes itself; after an error it says where it stopped only
        if it had shown a line, so an input refused at once gets its one sentence alone.
        """
        if self.closed:
            return
        self.closed = True
        if self.enabled:
            self._write(self.final_line(summary, stopped), "\n" if self.tty else "")

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is None:
            self.close()
        elif self.drawn:  # it showed progress: say where it stopped (the error's own sentence follows)
            self.close(stopped=True)
        else:             # it failed before showing anything (bad input): the error's sentence alone
            self.closed = True


def silent() -> Progress:
    """A :class:`Progress` that counts and never writes (what ``progress=None`` means in the library)."""
    return Progress(enabled=False, tty=False)
