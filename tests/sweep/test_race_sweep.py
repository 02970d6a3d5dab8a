"""The race as a sweep: tuned on some starts, scored on others; table and caption agree."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from descentlab.cli.main import main
from descentlab.functions import get_surface
from descentlab.sweep.problems import surface_start
from descentlab.sweep.race import sweep_race


@pytest.fixture(scope="module")
def sr():
    return sweep_race("booth", ["sgd", "momentum", "adam"], steps=60, budget=4, tune_seeds=[0, 1], test_seeds=[5, 6, 7])


def test_scoring_uses_the_test_starts_only(sr):
    s = get_surface("booth")
    assert np.array_equal(sr.result.starts, np.array([surface_start(s, k) for k in (5, 6, 7)]))
    tune = {tuple(surface_start(s, k)) for k in (0, 1)}
    assert not tune & {tuple(x) for x in sr.result.starts}
    for racer in sr.result.racers:  # the drawn paths are the test runs at the tuned lr
        assert len(racer.runs) == 3 and all(t.meta["optimizer"]["hyper"]["lr"] == racer.lr for t in racer.runs)


def test_table_rows_follow_the_drawn_trajectories(sr):
    # the sweep's records and minimize() from the same start at the same lr agree on final and best f − f*
    for row, racer in zip(sorted(sr.rows(), key=lambda r: r["optimizer"]),
                          sorted(sr.result.racers, key=lambda r: r.name)):
        finals = sorted(t.f_final for t in racer.runs)
        bests = sorted(float(np.min(t.f)) for t in racer.runs)
        assert row["final"] == pytest.approx(finals[1], rel=1e-12)  # median of 3
        assert row["best"] == pytest.approx(bests[1], rel=1e-12)
        assert row["best"] <= row["final"]


def test_caption_names_the_leaders_of_the_table(sr):
    rows = sr.rows()
    assert [r["final"] for r in rows] == sorted(r["final"] for r in rows)  # ordered by final
    cap = sr.caption()
    assert f"final f − f*: {min(rows, key=lambda r: r['final'])['optimizer']}" in cap
    assert f"best f − f*: {min(rows, key=lambda r: r['best'])['optimizer']}" in cap
    assert "never saw" in cap


def test_race_cli_protocol_json(tmp_path, capsys):
    rc = main(["race", "booth", "--protocol", "grid", "--budget", "3", "--steps", "30", "--optimizers", "sgd,adam",
               "--tune-seeds", "0", "--test-seeds", "4,5", "-o", "", "--gif", "", "--json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    res = json.loads(out)
    assert [r["optimizer"] for r in res["rows"]] and res["study"]["protocol"]["test_seeds"] == [4, 5]
    assert res["caption"].startswith("lr tuned by grid")
    rc = main(["race", "booth", "--protocol", "grid", "--tune-seeds", "1,2", "--test-seeds", "2,3", "-o", "", "--gif", ""])
    assert rc == 2 and "tuning never sees" in capsys.readouterr().err


def test_compare_optimizers_protocol_scores_on_test_seeds(capsys):
    rc = main(["compare", "optimizers", "logistic", "--protocol", "random", "--budget", "2", "--steps", "40",
               "--optimizers", "sgd,adam", "--tune-seeds", "0", "--test-seeds", "3,4", "--json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    res = json.loads(out)
    assert res["metric"] == "L(w) - L*" and {r["optimizer"] for r in res["rows"]} == {"sgd", "adam"}
    assert all(r["best"] <= r["final"] for r in res["rows"])
    assert "seeds [3, 4], which tuning never saw" in res["caption"]
    rc = main(["compare", "optimizers", "iris", "--protocol", "halving"])
    assert rc == 2 and "expected digits, mnist_5k or a sweep problem" in capsys.readouterr().err
