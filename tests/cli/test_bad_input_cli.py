"""Bad input anywhere on the command line: one sentence (expected / got / fix), status 2, no traceback."""
from __future__ import annotations

import re

import pytest

from descentlab.cli.main import main


def _garbage(tmp_path):
    p = tmp_path / "garbage.npz"
    p.write_text("not an archive")
    return str(p)


def _plain_file(tmp_path):
    p = tmp_path / "plain.txt"
    p.write_text("not a folder")
    return str(p)


@pytest.mark.parametrize("argv, pattern", [
    (lambda t: ["minimize", "x2", "-o", "/proc/missing/deeper/x.json"], r"expected a path that can be read or written, got /proc/missing.*Fix:"),
    (lambda t: ["schedule", "-q", "-o", "/proc/s.png"], r"got /proc/s\.png \(.*\)\. Fix:"),
    # a folder where a file belongs: the message names the folder, not a temporary or ".new" name
    (lambda t: ["minimize", "x2", "-o", str(t)], r"got .*test_bad_input_is_one_sent\w* \(Is a directory\)\. Fix:"),
    (lambda t: ["train", "xor", "--epochs", "1", "-q", "--checkpoint", str(t)], r"got [^ ]*\w \(Is a directory\)"),
    # a regular file where the output's folder belongs: named as given, refused before any work
    (lambda t: ["train", "xor", "--epochs", "1", "-q", "--checkpoint", f"{_plain_file(t)}/c.npz"],
     r"got \S*plain\.txt/c\.npz \(Not a directory\)\. Fix:"),
    (lambda t: ["race", "booth", "--steps", "3", "-o", "", "--gif", f"{_plain_file(t)}/r.gif"],
     r"^descentlab race: error: .*got \S*plain\.txt/r\.gif \(Not a directory\)"),
    (lambda t: ["minimize", "rosenbrock", "--start", "nan,1"], r"expected a finite start, got \(nan, 1\)\. Fix:"),
    (lambda t: ["lecture", "newton", "--steps", "-1"], r"expected --steps an integer in \[1, 10000\], got -1\. Fix:"),
    (lambda t: ["race", "rosenbrock", "--lr-grid", "1:0:3", "-o", "", "--gif", ""], r"0 < LO <= HI.*got '1:0:3'"),
    (lambda t: ["race", "rosenbrock", "--lr-grid", "0.1,nan", "-o", "", "--gif", ""], r"positive, finite values"),
    (lambda t: ["lr-effects", "--eigenvalues=-1,10"], r"^descentlab lr-effects: error: expected positive, finite eigenvalues"),
    (lambda t: ["train", _garbage(t)], r"not an \.npz archive.*Fix: save the data with numpy\.savez"),
    (lambda t: ["train", "nosuch"], r"got 'nosuch'\. Fix: pick a listed name"),
    (lambda t: ["race", "rosenbrock", "--dpi", "0", "-o", str(t / "r.png"), "--gif", ""], r"--dpi >= 10, got 0"),
])
def test_bad_input_is_one_sentence_with_status_2(argv, pattern, tmp_path, capsys):
    rc = main(argv(tmp_path))
    err = capsys.readouterr().err
    assert rc == 2 and re.search(pattern, err), err
    assert "Traceback" not in err and "Errno" not in err and "allow_pickle" not in err and "Warning" not in err
    assert ".new (" not in err and ".tmp" not in err
    assert len(err.strip().splitlines()) == 1
