"""The fair race: equal budgets, the tuned lr is the best of the grid, table and JSON."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from descentlab._io import dumps_json
from descentlab.errors import ConfigError
from descentlab.train.minimize import minimize
from descentlab.train.race import race, race_starts
from descentlab.functions import get_surface

GRID = [1e-3, 1e-2, 1e-1]


def test_grid_tuning_gives_every_optimizer_the_same_budget_and_picks_the_best_lr():
    res = race("booth", ["sgd", "momentum", "adam"], steps=40, lr_grid=GRID, starts=2)
    budgets = {r.budget for r in res.racers}
    assert budgets == {len(GRID) * 2 * 40}
    for r in res.racers:
        scores = {lr: sc for lr, sc, _ in r.tuning}
        assert set(scores) == set(GRID)
        assert scores[r.lr] == min(scores.values())
        # the evaluation runs are the runs at the tuned lr from each start
        assert len(r.runs) == 2
        again = minimize("booth", res.starts[1], r.name, lr=r.lr, steps=40, tol=None)
        np.testing.assert_array_equal(r.runs[1].x, again.x)


def test_a_diverging_lr_is_never_chosen():
    # on x² every lr >= 1 diverges (or never converges); the grid holds 2 and 5
    res = race("x2", ["sgd"], steps=30, lr_grid=[0.1, 2.0, 5.0])
    r = res.racers[0]
    assert r.lr == 0.1
    assert [sc for lr, sc, _ in r.tuning if lr > 1] == [math.inf, math.inf]


def test_halving_uses_the_same_budget_for_everyone_and_ends_on_full_length_runs():
    res = race("booth", ["sgd", "adam"], steps=32, tune="halving", lr_grid=np.logspace(-3, 0, 8))
    assert res.racers[0].budget == res.racers[1].budget
    # 8 -> 4 -> 2 lrs, with 8, 16, 32 steps
    steps_by_round = sorted({k for _, _, k in res.racers[0].tuning})
    assert steps_by_round == [8, 16, 32]
    assert res.racers[0].budget == 8 * 8 + 4 * 16 + 2 * 32


def test_fixed_lrs_and_summary_columns():
    res = race("rosenbrock", ["sgd", "adam"], steps=50, tune="none", lrs={"sgd": 1e-3, "adam": 0.05})
    rows = res.summary()
    assert [r["lr"] for r in rows] == [1e-3, 0.05]
    s = get_surface("rosenbrock")
    for row, r in zip(rows, res.racers):
        assert row["final_f"] == r.trajectory.f_final
        assert row["distance"] == pytest.approx(np.linalg.norm(r.trajectory.x_final - [1, 1]))
    text = res.table()
    assert "sgd" in text and "adam" in text and "dist to min" in text
    d = json.loads(dumps_json(res.to_dict(trajectories=True)))
    assert d["results"][1]["optimizer"] == "adam" and "adam" in d["trajectories"]


def test_steps_to_tolerance_matches_the_trajectory():
    res = race("booth", ["adam"], steps=300, tune="none", lrs={"adam": 0.5}, f_tol=1e-6)
    tr = res.racers[0].trajectory
    k = res.summary()[0]["steps_to_tol"]
    assert k is not None and tr.f[int(k)] <= 1e-6 < tr.f[int(k) - 1]


def test_starts_are_seeded_and_inside_the_window():
    s = get_surface("beale")
    a, b, c = race_starts(s, 5, seed=1), race_starts(s, 5, seed=1), race_starts(s, 5, seed=2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    np.testing.assert_array_equal(a[0], s.start)
    assert np.all(a >= -4.5) and np.all(a <= 4.5)


def test_saddle_race_reports_no_distance():
    res = race("saddle", ["sgd", "adam"], steps=20, tune="none", lrs={"sgd": 0.1, "adam": 0.1})
    assert all(r["distance"] is None and r["steps_to_tol"] is None for r in res.summary())
    assert "no known minimum" not in res.table()
    # tuned on a surface without a minimum, the table says what the score meant
    res = race("saddle", ["sgd"], steps=20, lr_grid=[0.01, 0.1])
    assert "saddle has no known minimum: each lr was scored by its final f" in res.table()


@pytest.mark.parametrize("kw,pattern", [
    (dict(tune="bayes"), r"tune one of grid, halving, none"),
    (dict(optimizers=[]), r"at least one optimizer"),
    (dict(optimizers=["sgd", "adamm"]), r"optimizer name among"),
    (dict(starts=0), r"starts >= 1"),
    (dict(f_tol=-1.0), r"f_tol > 0"),
    (dict(lr_grid=[0.0, 0.1]), r"positive, finite values"),
    (dict(lr_grid=[0.1, float("nan")]), r"positive, finite values"),
    (dict(surface="banana"), r"surface name"),
    (dict(tune="none", lrs={"adamm": 0.1}), r"lrs for the racing optimizers sgd, adam, got \['adamm'\]"),
    (dict(lrs={"adam": 0.1}), r"fixed lrs only with tune='none'"),
    (dict(hyper={"momentum": {"momentum": 0.5}}), r"hyper for the racing optimizers"),
])
def test_bad_input(kw, pattern):
    kw = {"surface": "booth", "steps": 5, "optimizers": ["sgd", "adam"], **kw}
    with pytest.raises(ConfigError, match=pattern):
        race(**kw)


def test_a_best_lr_at_the_grid_edge_is_flagged_in_the_result_table_and_labels():
    # on booth (λ_max = 18, GD stable for lr < 1/9) the grid's top 1e-2 is the best one
    res = race("booth", ["sgd"], steps=40, lr_grid=[1e-4, 1e-3, 1e-2])
    r = res.racers[0]
    assert (r.lr, r.grid_edge) == (1e-2, "high")
    assert res.summary()[0]["lr_at_grid_edge"] == "high"
    assert "0.01*" in res.table() and "grid's edge for sgd (high end)" in res.table()
    assert r.label == "sgd (lr=0.01, grid edge)"
    # every lr diverges: the smallest is kept, and flagged at the low end
    res = race("x2", ["sgd"], steps=30, lr_grid=[2.0, 5.0])
    assert (res.racers[0].lr, res.racers[0].grid_edge) == (2.0, "low")
    # an inner best lr is not flagged
    res = race("booth", ["sgd"], steps=40, lr_grid=[1e-3, 1e-2, 1.0])
    assert (res.racers[0].lr, res.racers[0].grid_edge) == (1e-2, None)
    assert "grid's edge" not in res.table()


def test_diverged_runs_never_make_nan_in_the_summary_or_table():
    # f = (log x)² is NaN for x < 0: lr = 10 jumps there, which stops the run as diverged
    from descentlab.functions import from_function

    s = from_function(lambda x: np.log(x[0]) ** 2 + x[1] ** 2, [2.0, 1.0], method="fd", minima=[[1.0, 0.0]])
    res = race(s, ["sgd", "adam"], steps=30, tune="none", lrs={"sgd": 10.0, "adam": 0.1}, starts=2)
    assert all(math.isnan(t.f_final) and t.stop.kind == "diverged" for t in res.racers[0].runs)
    sgd, adam = res.summary()
    assert sgd["diverged"] == 2 and sgd["final_f"] == math.inf and sgd["distance"] == math.inf
    assert sgd["diverged_at"] == sorted(t.stop.step for t in res.racers[0].runs)
    assert adam["diverged"] == 0 and math.isfinite(adam["final_f"]) and adam["diverged_at"] == []
    text = res.table()
    at = sgd["diverged_at"]
    where = f"step {at[0]}" if at[0] == at[-1] else f"steps {at[0]}-{at[-1]}"
    assert "nan" not in text.lower() and f"diverged at {where}" in text.splitlines()[2]
    assert "fixed lr" in text.splitlines()[0]
    assert "nan" not in dumps_json(res.to_dict()).lower()


def test_default_grids_span_half_or_quarter_decades_from_1e_4_to_10():
    grid = race("x2", ["sgd"], steps=2)
    halving = race("x2", ["sgd"], steps=2, tune="halving")
    np.testing.assert_allclose(grid.settings["lr_grid"], 10.0 ** np.arange(-4, 1.01, 0.5))
    np.testing.assert_allclose(halving.settings["lr_grid"], 10.0 ** np.arange(-4, 1.01, 0.25))


def test_a_partly_diverged_optimizer_names_the_steps_in_the_footnote():
    res = race("rosenbrock", ["sgd"], steps=100, tune="none", lrs={"sgd": 2e-3}, starts=4)
    row = res.summary()[0]
    assert 0 < row["diverged"] < 4 and len(row["diverged_at"]) == row["diverged"]
    assert f"sgd: {row['diverged']} run(s) diverged, at step(s) {', '.join(map(str, row['diverged_at']))}" in res.table()
