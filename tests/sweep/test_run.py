"""A run is a pure function of its config: records against closed forms and train.minimize."""
from __future__ import annotations

import math

import numpy as np
import pytest

from descentlab.sweep import Problem, Instance, make_config, register_problem, run_config, run_key
from descentlab.sweep.problems import PROBLEMS, parse_problem, surface_start
from descentlab.sweep.run import IDENTITY_FIELDS
from descentlab.train import minimize


def _same(a, b):
    return {k: a[k] for k in IDENTITY_FIELDS} == {k: b[k] for k in IDENTITY_FIELDS}


def test_gd_on_x2_matches_the_closed_form():
    # x_t = (1 - 2·lr)^t x_0, f = x², so f_t = 0.25^t · x_0² at lr = 0.25
    cfg = make_config("x2", "sgd", "pytorch", {"lr": 0.25}, 20, 3)
    rec = run_config(cfg)
    from descentlab.functions import get_surface

    x0 = surface_start(get_surface("x2"), 3)[0]
    f = [0.25 ** t * x0 ** 2 for t in range(21)]
    assert rec["status"] == "ok" and rec["diverged_at"] is None
    assert rec["final"] == pytest.approx(f[-1], rel=1e-12)
    assert rec["best"] == pytest.approx(min(f), rel=1e-12)
    assert rec["steps_to_target"] == next(t for t, v in enumerate(f) if v <= 1e-4)
    assert [t for t, _ in rec["curve"]] == list(range(21))


def test_surface_run_follows_minimize_from_the_same_start():
    cfg = make_config("rosenbrock", "adam", "pytorch", {"lr": 0.02}, 60, 5)
    rec = run_config(cfg)
    from descentlab.functions import get_surface

    s = get_surface("rosenbrock")
    tr = minimize(s, surface_start(s, 5), "adam", preset="pytorch", lr=0.02, steps=60, tol=None)
    assert rec["final"] == tr.f_final  # the same arithmetic, bit for bit
    assert rec["best"] == float(np.min(tr.f))


def test_divergence_is_reported_with_its_step():
    # x_t = (1 - 2·1.5)^t x_0 = (-2)^t x_0 leaves |x| <= 1e6 at the first t with 2^t |x_0| > 1e6
    cfg = make_config("x2", "sgd", "pytorch", {"lr": 1.5}, 100, 3)
    rec = run_config(cfg)
    from descentlab.functions import get_surface

    x0 = abs(surface_start(get_surface("x2"), 3)[0])
    t_star = next(t for t in range(100) if 2.0 ** t * x0 > 1e6)
    assert rec["status"] == "diverged" and rec["diverged_at"] == t_star
    assert rec["final"] == math.inf and math.isfinite(rec["best"])


@pytest.mark.parametrize("problem", ["beale", "lstsq", "noisy-quadratic", "logistic", "quadratic:eigenvalues=1,100"])
def test_runs_are_bit_for_bit_repeatable_and_seeds_differ(problem):
    a = run_config(make_config(problem, "momentum", "pytorch", {"lr": 1e-4}, 40, 1))
    b = run_config(make_config(problem, "momentum", "pytorch", {"lr": 1e-4}, 40, 1))
    c = run_config(make_config(problem, "momentum", "pytorch", {"lr": 1e-4}, 40, 2))
    assert a["status"] == "ok" and _same(a, b)
    assert a["curve"] != c["curve"]


def test_digits_mlp_learns_and_repeats():
    pytest.importorskip("sklearn")
    cfg = make_config("digits-mlp", "adam", "pytorch", {"lr": 0.01}, 30, 0)
    a, b = run_config(cfg), run_config(cfg)
    assert _same(a, b)
    assert a["curve"][-1][1] < 0.6 * a["curve"][0][1]  # the training loss falls from about ln 10
    assert [t for t, _ in a["curve"]] == [0, 10, 20, 30]


def test_noisy_problems_are_noisy():
    quiet = run_config(make_config("noisy-quadratic:noise=0", "sgd", "pytorch", {"lr": 0.1}, 200, 0))
    noisy = run_config(make_config("noisy-quadratic:noise=1", "sgd", "pytorch", {"lr": 0.1}, 200, 0))
    assert quiet["final"] < 1e-8 < 1e-3 < noisy["final"]


def test_lstsq_and_logistic_gaps_start_positive_and_shrink():
    for p in ("lstsq", "logistic"):
        rec = run_config(make_config(p, "sgd", "pytorch", {"lr": 0.05}, 300, 0))
        assert rec["curve"][0][1] > 0 and rec["best"] >= -1e-12
        assert rec["final"] < rec["curve"][0][1] / 10


def test_a_run_that_raises_is_a_failed_record():
    def build(seed):
        raise RuntimeError("the data server is down")

    register_problem(Problem("broken-for-test", build, "m", None, 5), replace=True)
    rec = run_config(make_config("broken-for-test", "sgd", "pytorch", {"lr": 0.1}, 5, 0))
    assert rec["status"] == "failed" and rec["error"] == "RuntimeError: the data server is down"
    del PROBLEMS["broken-for-test"]


def test_user_problems_register_and_run():
    def build(seed, scale=1.0):
        return Instance({"w": np.array([float(seed + 1)])},
                        lambda p, rng: (float(scale * p["w"][0] ** 2), {"w": 2 * scale * p["w"]}),
                        lambda p: float(scale * p["w"][0] ** 2))

    register_problem(Problem("bowl-for-test", build, "w²", 1e-6, 50, {"scale": 1.0}), replace=True)
    try:
        rec = run_config(make_config("bowl-for-test:scale=2", "sgd", "pytorch", {"lr": 0.1}, 10, 0))
        # w_t = (1 - 0.4)^t, f = 2 w²
        assert rec["final"] == pytest.approx(2 * 0.6 ** 20, rel=1e-12)
    finally:
        del PROBLEMS["bowl-for-test"]


def test_keys_are_content_hashes():
    a = make_config("quadratic:eigenvalues=1,100", "adam", "pytorch", {"lr": 0.1, "beta1": 0.9}, 10, 0)
    b = make_config("quadratic:angle=30,eigenvalues=1,100", "adam", "pytorch", {"beta1": 0.9, "lr": 0.1}, 10, 0)
    assert run_key(a) == run_key(b)  # same content, other spelling
    assert run_key(a) != run_key({**a, "seed": 1})


def test_problem_specs_parse_lists_and_numbers():
    assert parse_problem("quadratic:eigenvalues=1,100,angle=0.5") == ("quadratic", {"eigenvalues": (1, 100), "angle": 0.5})
    assert parse_problem("Digits_MLP") == ("digits-mlp", {})


def test_every_registered_optimizer_runs_in_a_sweep():
    from descentlab.optim.registry import optimizer_names

    # the list comes from optim's registry, so an optimizer added there is covered here too
    for name in optimizer_names():
        rec = run_config(make_config("quadratic", name, "pytorch", {"lr": 0.01}, 5, 0))
        assert rec["status"] in ("ok", "diverged") and rec["error"] is None, (name, rec["error"])
        assert len(rec["curve"]) >= 1
