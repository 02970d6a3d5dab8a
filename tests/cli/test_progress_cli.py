"""Every long command reports its progress on stderr (plain lines when stderr is not a terminal),
nothing with --quiet, and keeps stdout for its results; optimizer comparisons say when their
learning rates were not tuned."""
from __future__ import annotations

import json
import re

import pytest

from descentlab.cli.main import main

_SMALL_SWEEP = ["--budget", "2", "--steps", "20", "--tune-seeds", "0", "--test-seeds", "10"]

#: (command line, the label its progress line starts with)
COMMANDS = [
    (["train", "xor", "--hidden", "4", "--epochs", "2"], "train"),
    (["lr-find", "xor", "--hidden", "4", "--steps", "20", "--no-plot"], "lr-find"),
    (["race", "--steps", "20", "--tune", "none", "-o", "", "--gif", ""], "race"),
    (["race", "--steps", "20", "--lr-grid", "1e-3:1:3", "-o", "", "--gif", ""], "race"),
    (["race", "--protocol", "grid", *_SMALL_SWEEP, "-o", "", "--gif", ""], "race (grid)"),
    (["compare", "batching", "--quick", "--no-plot"], "compare batching"),
    (["compare", "optimizers", "--quick", "--no-plot", "--optimizers", "sgd,adam"], "compare optimizers"),
    (["compare", "optimizers", "logistic", "--protocol", "grid", *_SMALL_SWEEP, "--optimizers", "sgd,adam"],
     "compare optimizers (grid)"),
]


def _run(capsys, argv):
    rc = main(argv)
    out, err = capsys.readouterr()
    assert rc == 0, err
    return out, err


@pytest.mark.parametrize("argv, label", COMMANDS, ids=[" ".join(a[:2]) + (" --protocol" if "--protocol" in a else "")
                                                        for a, _ in COMMANDS])
def test_progress_on_stderr_json_alone_on_stdout_and_nothing_when_quiet(capsys, argv, label):
    out, err = _run(capsys, [*argv, "--json"])
    json.loads(out)  # stdout is the JSON and nothing else
    # stderr is not a terminal under capsys: plain lines, never a \r, and a final line that says it all
    assert "\r" not in err
    last = [ln for ln in err.splitlines() if ln.startswith(f"{label}: ")]
    assert last and re.match(rf"{re.escape(label)}: (\d+)/\1 (steps|runs) in \d", last[-1]), err
    out, err = _run(capsys, [*argv, "--quiet"])
    assert err == "" and out


class _Time:
    """Stands in for the time module of descentlab.progress: each read of the clock is a second later."""

    def __init__(self):
        self.t = 0.0

    def monotonic(self):
        self.t += 1.0
        return self.t


def test_a_long_run_in_a_log_gets_a_plain_line_every_5_s_and_10_percent(capsys, monkeypatch):
    import descentlab.progress as progress

    monkeypatch.setattr(progress, "time", _Time())
    _, err = _run(capsys, ["train", "xor", "--hidden", "4", "--epochs", "60", "--batching", "full", "--json"])
    lines = err.splitlines()
    assert "\r" not in err and lines[-1].startswith("train: 60/60 steps in ")
    shown = [int(m.group(1)) for m in (re.match(r"train: (\d+)/60 steps \(\d+%\), .*ETA .* · epoch", ln)
                                       for ln in lines[:-1]) if m]
    # a line at most every 5 s (clock reads) and at least 6 steps (10 %) after the previous one
    assert len(shown) == len(lines) - 1 >= 5
    assert all(b - a >= 6 for a, b in zip(shown, shown[1:])) and shown[-1] < 60  # 100 % is the final line's


def test_the_tour_says_its_sections_and_nothing_when_quiet(capsys, tmp_path):
    out, err = _run(capsys, ["tour", "--quick", "--only", "decay,backprop", "-o", str(tmp_path / "r")])
    assert out.strip().endswith("index.html") and "\r" not in err
    assert re.fullmatch(r"tour: done in \d+\.\ds · 2 sections\n", err.splitlines(keepends=True)[-1])
    out, err = _run(capsys, ["tour", "--quick", "--only", "decay", "-o", str(tmp_path / "q"), "-q"])
    assert err == "" and out.strip().endswith("index.html")


# -- comparisons that cannot mislead ---------------------------------------------------------
def test_compare_optimizers_without_protocol_is_labelled_untuned_in_text_json_and_figure(capsys, monkeypatch, tmp_path):
    import descentlab.viz.training as training

    titles = []

    def plot_comparison(result, out, title=None):
        titles.append(title)
        return out

    monkeypatch.setattr(training, "plot_comparison", plot_comparison)
    args = ["compare", "optimizers", "--quick", "--optimizers", "sgd,adam", "-o", str(tmp_path / "c.png")]
    out, _ = _run(capsys, args)
    assert out.startswith("optimizers, untuned (one fixed lr each)\n")
    assert "untuned:" in out and "add --protocol halving" in out
    res = json.loads(_run(capsys, [*args, "--json"])[0])
    assert res["tuned"] is False and res["note"].startswith("untuned:") and "--protocol" in res["note"]
    assert titles and all("untuned" in t and "--protocol" in t for t in titles)


def test_compare_optimizers_with_protocol_carries_no_untuned_label(capsys):
    args = ["compare", "optimizers", "logistic", "--protocol", "grid", *_SMALL_SWEEP, "--optimizers", "sgd,adam"]
    out, _ = _run(capsys, args)
    assert "untuned" not in out and "lr tuned by grid" in out
    res = json.loads(_run(capsys, [*args, "--json"])[0])
    assert res["tuned"] is True and res["held_out"] is True and "untuned" not in json.dumps(res)


def test_race_at_fixed_lrs_is_labelled_untuned_in_text_json_and_pictures(capsys, monkeypatch, tmp_path):
    import descentlab.viz as viz

    titles = []
    monkeypatch.setattr(viz, "plot_race", lambda res, out, dpi=80, title=None: titles.append(title) or out)
    args = ["race", "--steps", "20", "--tune", "none", "-o", str(tmp_path / "r.png"), "--gif", ""]
    out, _ = _run(capsys, args)
    assert "untuned: one fixed lr each" in out.splitlines()[0] and "add --protocol halving" in out
    res = json.loads(_run(capsys, [*args, "--json"])[0])
    assert res["tuned"] is False and res["held_out"] is False and res["note"].startswith("untuned:")
    assert titles and all("untuned" in t for t in titles)


def test_a_race_tuned_on_its_own_starts_says_so_and_one_with_protocol_says_nothing(capsys):
    out, _ = _run(capsys, ["race", "--steps", "20", "--lr-grid", "1e-3:1:3", "-o", "", "--gif", ""])
    assert "untuned" not in out and "tuned on the same starts it is scored on" in out and "--protocol" in out
    out, _ = _run(capsys, ["race", "--protocol", "grid", *_SMALL_SWEEP, "-o", "", "--gif", "", "--json"])
    res = json.loads(out)
    assert res["tuned"] is True and res["held_out"] is True and "untuned" not in out
