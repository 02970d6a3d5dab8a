"""Search spaces and study files: the documented TOML works as is, bad files say where and how to fix."""
from __future__ import annotations

import math

import numpy as np
import pytest

from descentlab.errors import ConfigError
from descentlab.sweep import SearchSpace, Study, load_study, loads_study
from descentlab.sweep.builtin import LECTURE

ISSUE_TOML = '''\
name = "lecture-six"
problems = ["rosenbrock", "beale", "quadratic:eigenvalues=1,100", "digits-mlp"]
optimizers = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
preset = "pytorch"
steps = 300
[search]
lr = { log_uniform = [1e-4, 10.0] }
[protocol]
kind = "halving"      # or "grid", "random", "deepobs" (tune, then rerun the best with fresh seeds)
budget = 32           # configurations tried per optimizer and problem
tune_seeds = [0, 1, 2]
test_seeds = [10, 11, 12, 13, 14]   # scoring uses only these: tuning never sees them
'''


def test_the_documented_toml_loads_as_is(tmp_path):
    path = tmp_path / "lecture.toml"
    path.write_text(ISSUE_TOML)
    s = load_study(path)
    assert s.name == "lecture-six" and s.protocol == "halving" and s.budget == 32
    assert [o.label for o in s.optimizers] == ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
    assert s.tune_seeds == [0, 1, 2] and s.test_seeds == [10, 11, 12, 13, 14]
    assert s.steps_for("digits-mlp") == 300
    assert LECTURE == ISSUE_TOML  # the built-in study is that file


def test_log_uniform_grid_is_log_spaced_with_ends():
    s = SearchSpace({"lr": {"log_uniform": [1e-4, 1.0]}})
    pts = [c["lr"] for c in s.grid(5)]
    assert pts == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1, 1.0], rel=1e-12)


def test_grid_holds_at_most_budget_points_with_choices():
    s = SearchSpace({"lr": {"uniform": [0.0, 1.0]}, "momentum": {"choice": [0.5, 0.9, 0.99]}})
    g = s.grid(20)
    assert len(g) == 18  # 6 lrs x 3 choices; 7 x 3 = 21 would exceed the budget
    assert {c["momentum"] for c in g} == {0.5, 0.9, 0.99}
    assert sorted({c["lr"] for c in g}) == pytest.approx(list(np.linspace(0, 1, 6)))


def test_samples_are_seeded_and_inside_the_range():
    s = SearchSpace({"lr": {"log_uniform": [1e-4, 10.0]}, "beta1": {"uniform": [0.8, 0.99]}})
    a, b, c = s.sample(50, 3), s.sample(50, 3), s.sample(50, 4)
    assert a == b and a != c
    lrs = np.array([x["lr"] for x in a])
    assert lrs.min() >= 1e-4 and lrs.max() <= 10.0
    # log-uniform: about half the draws below the geometric midpoint 10^-1.5
    assert 10 <= np.sum(lrs < 10 ** -1.5) <= 40


def _bad(text_from, text_to):
    assert text_from in ISSUE_TOML
    return ISSUE_TOML.replace(text_from, text_to)


@pytest.mark.parametrize("toml,pattern,line", [
    (_bad('"beale"', '"beal"'), r"expected a problem among .*got 'beal'.*did you mean 'beale'", 2),
    (_bad('"adam"]', '"adamm"]'), r"expected an optimizer among .*got 'adamm'", 3),
    (_bad("steps = 300", "steps = 300\nstpes = 3"), r"expected study keys among .*got stpes", 6),
    (_bad("budget = 32", "budget = 32\nbudgett = 2"), r"expected protocol keys among .*got budgett", 11),
    (_bad('lr = { log_uniform = [1e-4, 10.0] }', ""), r"expected a search space with at least one", 6),
    (_bad("budget = 32 ", "budget = -4 "), r"expected a budget of at least 1 configuration.*got -4", 10),
    (_bad("steps = 300", "steps = -10"), r"expected steps >= 1.*got -10", 5),
    (_bad("[10, 11, 12", "[2, 11, 12"), r"expected test seeds that tuning never sees.*\[2\]", 12),
    (_bad("[1e-4, 10.0]", "[10.0, 1e-4]"), r"expected low <= high", 7),
    (_bad("[1e-4, 10.0]", "[0.0, 10.0]"), r"expected low > 0 in lr.log_uniform", 7),
    (_bad("lr = {", "momentum = {"), r"expected hyperparameters of adagrad, got momentum", 7),
    (_bad('kind = "halving"', 'kind = "halfing"'), r"expected a protocol kind among grid, random, halving, deepobs", 9),
    (_bad("budget = 32", "budget = = 32"), r"expected valid TOML in study.toml.*line 10", None),
])
def test_bad_study_files_say_expected_got_fix_with_file_and_line(tmp_path, toml, pattern, line):
    path = tmp_path / "study.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError, match=pattern) as info:
        load_study(path)
    msg = str(info.value)
    assert "Fix:" in msg
    if line is not None:
        assert f"(study.toml, line {line})" in msg


def test_python_study_errors_have_no_file_part():
    with pytest.raises(ConfigError, match=r"expected a budget of at least 1 configuration, got 0"):
        Study("s", ["x2"], ["sgd"], {"lr": {"uniform": [0.1, 0.2]}}, budget=0)


def test_fingerprint_follows_the_content():
    base = dict(name="s", problems=["x2"], optimizers=["sgd"], search={"lr": {"uniform": [0.1, 0.2]}})
    assert Study(**base).fingerprint() == Study(**base).fingerprint()
    assert Study(**base).fingerprint() != Study(**{**base, "test_seeds": [20, 21]}).fingerprint()


def test_optimizer_tables_fix_hyperparameters_and_labels():
    s = loads_study(ISSUE_TOML.replace('"adam"]', '"adam", { name = "momentum", preset = "lecture", '
                                                 'hyper = { momentum = 0.5 }, label = "slow-ball" }]'))
    o = s.optimizers[-1]
    assert (o.name, o.preset, o.hyper, o.label) == ("momentum", "lecture", {"momentum": 0.5}, "slow-ball")
