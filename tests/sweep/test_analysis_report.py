"""Analysis against references (scipy's bootstrap, Dolan–Moré by hand) and the report page."""
from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from descentlab.sweep import Store, run_study
from descentlab.sweep.analysis import (DIVERGED_SCORE, analyse, bootstrap_ci, difference_ci, performance_profile,
                                       run_score)
from sweeputil import tiny_study


def test_bootstrap_ci_agrees_with_scipy_percentile_bootstrap():
    stats = pytest.importorskip("scipy.stats")
    x = np.random.default_rng(0).normal(3.0, 1.0, size=40)
    ours = bootstrap_ci(x, seed=1, resamples=20000)
    ref = stats.bootstrap((x,), np.median, n_resamples=20000, method="percentile", confidence_level=0.95,
                          random_state=np.random.default_rng(2)).confidence_interval
    assert ours[0] == pytest.approx(ref.low, abs=0.05) and ours[1] == pytest.approx(ref.high, abs=0.05)
    assert bootstrap_ci(x, seed=1) == bootstrap_ci(x, seed=1)  # seeded


def test_difference_ci_separates_distinct_groups_only():
    rng = np.random.default_rng(0)
    a, b = rng.normal(0, 0.1, 10), rng.normal(1, 0.1, 10)
    lo, hi = difference_ci(a, b)
    assert 0 < lo < 1 < hi + 0.2
    lo, hi = difference_ci(a, rng.normal(0, 0.1, 10))
    assert lo <= 0 <= hi


def test_performance_profile_by_hand():
    # problem costs: p1: A 10, B 20; p2: A 40, B 20; p3: A solves (5), B never; p4: nobody
    costs = {"A": [10, 40, 5, math.inf], "B": [20, 20, math.inf, math.inf]}
    prof = performance_profile(costs, taus=[1.0, 1.5, 2.0, 10.0])
    # ratios A: 1, 2, 1, inf ; B: 2, 1, inf, inf
    assert prof["rho"]["A"] == [0.5, 0.5, 0.75, 0.75]
    assert prof["rho"]["B"] == [0.25, 0.25, 0.5, 0.5]


def test_run_score_is_log10_final_and_divergence_is_worst():
    assert run_score({"status": "ok", "final": 1e-3}) == pytest.approx(-3.0)
    assert run_score({"status": "diverged", "final": math.inf}) == DIVERGED_SCORE
    assert run_score({"status": "failed", "final": math.inf}) == DIVERGED_SCORE


@pytest.fixture(scope="module")
def done(tmp_path_factory):
    study = tiny_study(name="analysed", problems=["quadratic:eigenvalues=1,10", "x2"],
                       optimizers=["sgd", "momentum", "adagrad"], test_seeds=[10, 11, 12, 13], budget=8, steps=40)
    store = Store(tmp_path_factory.mktemp("a") / "s.db", study)
    run_study(study, store)
    return study, store


def test_analysis_scores_the_tuned_config_on_test_seeds(done):
    study, store = done
    a = analyse(study, store)
    assert a.complete and len(a.cells) == 6
    for c in a.cells:
        assert c.tuned.n == len(study.test_seeds) and c.default.n == len(study.test_seeds)
        assert c.tuned.ci[0] <= c.tuned.score <= c.tuned.ci[1]
        assert c.tuned.best <= c.tuned.final or c.tuned.diverged  # the best is never worse than the final
    ranks = a.ranks()
    for rows in ranks.values():
        assert [r["rank"] for r in rows] == [1, 2, 3]
        assert [r["score"] for r in rows] == sorted(r["score"] for r in rows)
    json.dumps(a.to_dict())


def test_the_report_page_is_self_contained_and_coherent(done, tmp_path):
    pytest.importorskip("matplotlib")
    from descentlab.report.sweep_page import write_sweep_report

    study, store = done
    page = write_sweep_report(study, store, tmp_path / "rep").read_text()
    assert "http://" not in page and "https://" not in page  # nothing fetched from outside
    assert page.count("<img") >= 1 + 2 * len(study.problems)
    assert "descentlab sweep report --store" in page
    for s in ("Tuned optimizers on the test seeds", "Tuned against default", "sensitivity", "performance profile"):
        assert s.lower() in page.lower()
    # the table's rank 1 is the optimizer with the lowest score in the analysis
    a = analyse(study, store)
    for p, rows in a.ranks().items():
        first = re.search(rf'data-table="best-{re.escape(p)}".*?<tbody><tr><td>1</td><td class="t">([^<]+)<', page, re.S)
        assert first and first.group(1) == rows[0]["optimizer"]
    assert json.loads((tmp_path / "rep" / "analysis.json").read_text())["study"] == "analysed"
