"""descentlab.progress: one line redrawn on a terminal, plain lines every 5 s and 10 % in a log, nothing when quiet.

Every test runs on a fake clock: no test depends on how fast this machine is.
"""
from __future__ import annotations

import io

import pytest

from descentlab.progress import Progress, duration, silent


class Tty(io.StringIO):
    def isatty(self):
        return True


class Clock:
    """Time stands still until a test moves it; every read is counted."""

    def __init__(self):
        self.t, self.reads = 100.0, 0

    def __call__(self):
        self.reads += 1
        return self.t


def log(total=100, **kw):
    clock = Clock()
    stream = io.StringIO()
    return Progress("work", total, stream=stream, clock=clock, **kw), stream, clock


def test_a_log_gets_a_line_only_after_5_s_and_10_percent_whichever_comes_later():
    p, stream, clock = log(100)
    p.advance(50)                      # half done, but no time has passed
    assert stream.getvalue() == ""
    clock.t += 4.9
    p.advance(1)
    assert stream.getvalue() == ""     # 51 % but 4.9 s
    clock.t += 0.1
    p.advance(1)                       # 5 s and 52 %: the first line
    assert stream.getvalue() == "work: 52/100 steps (52%), 10.4 steps/s, ETA 4.6s\n"
    clock.t += 60
    p.advance(9)                       # a minute later but only 9 % more: no line
    assert stream.getvalue().count("\n") == 1
    p.advance(1)                       # 10 % more and 5 s later: the second line
    assert stream.getvalue().count("\n") == 2 and "62/100 steps (62%)" in stream.getvalue()
    clock.t += 1
    p.close()
    last = stream.getvalue().splitlines()[-1]
    assert last == "work: 62/100 steps in 1m06s, 0.939 steps/s"
    assert "\r" not in stream.getvalue()


def test_a_log_always_gets_a_final_line_even_for_a_short_run():
    p, stream, clock = log(10)
    for _ in range(10):
        p.advance()
    clock.t += 0.25
    p.close()
    assert stream.getvalue() == "work: 10/10 steps in 0.2s, 40 steps/s\n"
    p.close()                          # once only
    assert stream.getvalue().count("\n") == 1


def test_the_clock_is_read_only_when_a_line_is_due_by_count():
    p, stream, clock = log(1000)
    reads = clock.reads
    for _ in range(99):                # under 10 %: advance never looks at the clock
        p.advance()
    assert clock.reads == reads
    p.advance()
    assert clock.reads == reads + 1


def test_a_terminal_gets_one_line_redrawn_in_place_at_most_every_0_2_s():
    clock, stream = Clock(), Tty()
    p = Progress("train", 200, stream=stream, clock=clock)
    p.detail = lambda: f"loss {p.done / 100:.2f}"
    p.advance(10)
    assert stream.getvalue() == ""     # not yet 0.2 s
    clock.t += 0.25
    p.advance(30)
    clock.t += 0.125
    p.advance(10)                      # 0.125 s later: not redrawn
    clock.t += 0.125
    p.advance(150)
    draws = stream.getvalue().split("\r")[1:]
    assert draws == ["train: 40/200 steps (20%), 160 steps/s, ETA 1.0s · loss 0.40",
                     "train: 200/200 steps (100%), 400 steps/s, ETA 0.0s · loss 2.00"]
    p.close("done")
    assert stream.getvalue().endswith("\r" + "train: 200/200 steps in 0.5s, 400 steps/s · done".ljust(len(draws[1])) + "\n")


def test_a_shorter_line_is_padded_over_a_longer_one_on_a_terminal():
    clock, stream = Clock(), Tty()
    p = Progress("x", 10, stream=stream, clock=clock)
    p.detail = "a long detail to cover"
    clock.t += 1
    p.advance()
    first = stream.getvalue()[1:]
    p.detail = None
    clock.t += 1
    p.advance()
    second = stream.getvalue()[1 + len(first) + 1:]
    assert len(second) == len(first) and second.rstrip() == "x: 2/10 steps (20%), 1 steps/s, ETA 8.0s"


def test_a_message_on_a_terminal_gets_its_own_line_and_the_progress_goes_on_below():
    clock, stream = Clock(), Tty()
    p = Progress("tour", 10, stream=stream, clock=clock)
    clock.t += 1
    p.advance(5)
    p.message("a section is not available")
    text = stream.getvalue()
    assert "\ra section is not available" in text and text.count("\n") == 1
    assert text.endswith("\rtour: 5/10 steps (50%), 5 steps/s, ETA 1.0s")


def test_a_message_on_a_narrow_terminal_is_printed_whole_while_the_redrawn_line_is_cut():
    clock, stream = Clock(), Tty()
    p = Progress("tour", 10, stream=stream, clock=clock)
    p._width = 40
    clock.t += 1
    p.advance(5)
    hint = "sweep store written to results/a-long-folder-name/study.sqlite (install the data extra: pip ...)"
    p.message(hint)
    lines = stream.getvalue().split("\n")
    assert lines[0].endswith(hint)  # the message, with its fix, whole
    assert all(len(chunk) <= 39 for chunk in lines[1].split("\r") if chunk)  # the redrawn line fits


def test_quiet_prints_nothing_but_still_counts():
    for p in (Progress("q", 10, enabled=False, stream=(s := Tty()), clock=Clock()), silent()):
        p.advance(10)
        p.message("hello")
        p.close()
        assert p.done == 10
    assert s.getvalue() == ""


def test_weighted_work_shows_a_percentage_and_the_prior_pace_until_a_part_is_done():
    clock, stream = Clock(), io.StringIO()
    p = Progress("tour", 40.0, unit=None, rate=1.0, stream=stream, clock=clock)
    assert p.eta() == 40.0                       # the estimate itself
    clock.t += 30
    p.update(10.0, detail="[2/4] race")          # a quarter of the estimate took 30 s: three times slower
    assert p.eta() == pytest.approx(90.0)
    assert stream.getvalue() == "tour: 25%, ETA 1m30s · [2/4] race\n"
    p.close("4 sections")
    assert stream.getvalue().endswith("tour: done in 30s · 4 sections\n")


def test_a_resumed_count_measures_its_pace_from_where_it_started():
    clock, stream = Clock(), io.StringIO()
    p = Progress("sweep", unit="runs", stream=stream, clock=clock).start(100, done=80)
    clock.t += 10
    p.update(90)
    assert p.rate() == 1.0 and p.eta() == 10.0
    assert stream.getvalue() == "sweep: 90/100 runs (90%), 1 runs/s, ETA 10s\n"


def test_an_error_inside_the_with_block_says_where_it_stopped_once_progress_was_shown():
    p, stream, clock = log(100)
    with pytest.raises(KeyboardInterrupt):
        with p:
            clock.t += 5
            p.advance(30)
            clock.t += 1
            raise KeyboardInterrupt
    assert stream.getvalue().splitlines() == ["work: 30/100 steps (30%), 6 steps/s, ETA 12s",
                                              "work: stopped at 30/100 steps in 6.0s, 5 steps/s"]
    p, stream, clock = log(100)
    with pytest.raises(ValueError):  # refused before a line was due: the error's sentence will be alone
        with p:
            p.advance(3)
            raise ValueError("bad input")
    assert stream.getvalue() == "" and p.closed


def test_large_counts_are_short_and_durations_read_as_clock_times():
    p, stream, clock = log(2_500_000)
    clock.t += 2
    p.update(1_234_567)
    p.close()
    assert "1.23M/2.5M steps in 2.0s, 617k steps/s" in stream.getvalue()
    assert [duration(s) for s in (0.04, 9.96, 42, 75, 3725, None)] == ["0.0s", "10.0s", "42s", "1m15s", "1h02m", "?"]
