"""Stopping rules on hand-made sequences of losses, gradients and parameters."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from descentlab._io import dumps_json
from descentlab.errors import ConfigError, StateFileError
from descentlab.optim.stopping import (
    RULE_KINDS,
    STOP_KINDS,
    Divergence,
    GradNorm,
    MaxSteps,
    NoImprovement,
    StopReason,
    StopRules,
    grad_norm,
    rule_from_config,
)


def run(rule, losses, grads=None, params=None):
    """Feed a sequence to a rule, step 0, 1, ...; return the first reason (or None)."""
    for step, loss in enumerate(losses):
        g = None if grads is None else grads[step]
        p = None if params is None else params[step]
        reason = rule.check(step, loss, g, p)
        if reason is not None:
            return reason
    return None


# ---------------------------------------------------------------------------------------
# GradNorm: ||grad f|| <= eps


def test_grad_norm_stops_at_the_first_small_gradient():
    grads = [np.array([3.0, 4.0]), np.array([0.3, 0.4]), np.array([6e-4, 8e-4]), np.array([0.0, 0.0])]
    reason = run(GradNorm(1e-3), [1.0] * 4, grads)
    assert reason.kind == "converged" and reason.step == 2
    assert reason.details == {"norm": 2, "grad_norm": pytest.approx(1e-3), "eps": 1e-3}
    assert "converged at step 2" in reason.message and "2-norm" in reason.message


@pytest.mark.parametrize("ord,value", [(2, 5.0), (1, 7.0), (math.inf, 4.0), ("inf", 4.0), ("max", 4.0), (np.inf, 4.0)])
def test_grad_norm_orders(ord, value):
    g = {"w": np.array([[3.0], [-4.0]]), "b": np.array([0.0])}
    assert grad_norm(g, ord) == value
    assert GradNorm(value, ord=ord).check(0, 0.0, g).kind == "converged"
    assert GradNorm(value * (1 - 1e-12), ord=ord).check(0, 0.0, g) is None


def test_the_norm_choice_changes_the_stopping_step():
    # |g|_inf <= |g|_2 <= |g|_1: a looser norm stops earlier on the same run.
    grads = [np.full(4, 0.1 / 2**k) for k in range(10)]  # inf-norm 0.1/2^k, 2-norm twice that, 1-norm 4x
    steps = {o: run(GradNorm(0.01, ord=o), [0.0] * 10, grads).step for o in (math.inf, 2, 1)}
    assert steps[math.inf] < steps[2] < steps[1]


def test_nan_gradient_never_counts_as_converged():
    assert GradNorm(1.0).check(0, 0.0, np.array([np.nan])) is None


@settings(max_examples=40, deadline=None)
@given(st.lists(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
                           elements=st.floats(-1e6, 1e6)), min_size=1, max_size=4))
def test_two_norm_of_a_dict_is_the_norm_of_the_concatenation(arrays):
    grads = {f"p{i}": a for i, a in enumerate(arrays)}
    flat = np.concatenate([a.ravel() for a in arrays])
    if flat.size == 0:
        return
    np.testing.assert_allclose(grad_norm(grads, 2), np.linalg.norm(flat), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(grad_norm(grads, 1), np.linalg.norm(flat, 1), rtol=1e-12, atol=1e-300)
    assert grad_norm(grads, "inf") == np.linalg.norm(flat, np.inf)


def gradient_descent(x0, lr, rule, steps=2000):
    """GD on f(x) = x^2 (gradient 2x), checking the rule at each iterate x_t."""
    x = np.array([x0])
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps):
            reason = rule.check(t, float(x @ x), 2 * x, x)
            if reason is not None:
                return reason
            x = x - lr * 2 * x
    return None


def test_lecture_gd_stops_when_the_gradient_is_small():
    # lr = 1/4 halves x each step: x_t = 2^-t, grad 2^(1-t) <= 1e-3 first at t = 11.
    reason = gradient_descent(1.0, 0.25, GradNorm(1e-3))
    assert reason.kind == "converged" and reason.step == 11


def test_lecture_gd_beyond_two_over_lambda_is_reported_as_divergence():
    # f'' = 2, so lr > 2/2 = 1 diverges: lr = 1.5 maps x to -2x and f to 4f.
    reason = gradient_descent(1.0, 1.5, Divergence(factor=1e6))
    assert reason.kind == "diverged" and reason.step == 10  # 4^10 > 1e6 >= 4^9
    reason = gradient_descent(1.0, 1.5, Divergence())
    assert reason.kind == "diverged" and reason.details["quantity"] == "loss" and reason.details["value"] == math.inf
    assert reason.step == 512  # 4^512 = 2^1024 is the first power of 4 past the largest float


# ---------------------------------------------------------------------------------------
# MaxSteps


def test_max_steps():
    rule = MaxSteps(3)
    assert [rule.check(s, 1.0) for s in range(3)] == [None] * 3
    reason = rule.check(3, 1.0)
    assert (reason.kind, reason.step, reason.details) == ("max_steps", 3, {"max_steps": 3})
    assert MaxSteps(0).check(0, 1.0).kind == "max_steps"


# ---------------------------------------------------------------------------------------
# NoImprovement


def test_no_improvement_counts_checks_since_the_best():
    losses = [5.0, 4.0, 4.5, 4.2, 3.9, 4.0, 4.0, 4.0]
    reason = run(NoImprovement(patience=3), losses)
    assert reason.kind == "no_improvement" and reason.step == 7
    assert reason.details["best"] == 3.9 and reason.details["best_step"] == 4 and reason.details["wait"] == 3


def test_no_improvement_min_delta():
    losses = [1.0, 0.95, 0.91, 0.9, 0.89]  # each drop is < 0.1
    assert run(NoImprovement(patience=2, min_delta=0.1), losses).step == 2
    assert run(NoImprovement(patience=2, min_delta=0.0), losses) is None


def test_no_improvement_state_round_trips_and_resume_is_exact():
    losses = [3.0, 2.0, 2.5, 2.4, 1.0, 1.5, 1.6, 1.7, 1.8]
    whole = run(NoImprovement(patience=4), losses)
    first = NoImprovement(patience=4)
    assert run(first, losses[:6]) is None
    saved = json.loads(json.dumps(first.state_dict()))
    assert saved == {"best": 1.0, "best_step": 4, "wait": 1}
    second = NoImprovement(patience=4)
    second.load_state_dict(saved)
    resumed = next(r for s in range(6, len(losses)) if (r := second.check(s, losses[s])) is not None)
    assert resumed == whole and whole.step == 8


def test_no_improvement_reset():
    rule = NoImprovement(patience=1)
    rule.check(0, 1.0)
    assert rule.check(1, 2.0).kind == "no_improvement"
    rule.reset()
    assert rule.state_dict() == {"best": None, "best_step": None, "wait": 0}
    assert rule.check(0, 2.0) is None


def test_non_finite_loss_never_improves():
    rule = NoImprovement(patience=2)
    assert rule.check(0, float("nan")) is None
    assert rule.check(1, float("-inf")).kind == "no_improvement"


# ---------------------------------------------------------------------------------------
# Divergence


DIVERGING = [
    # rule, losses, grads, params, expected (step, quantity, name or None, message part)
    (Divergence(), [1.0, 2.0, float("inf")], None, None, (2, "loss", None, "loss is inf")),
    (Divergence(), [1.0, float("nan")], None, None, (1, "loss", None, "loss is nan")),
    (Divergence(), [1.0, 1.0], [{"w": np.ones(2)}, {"w": np.array([1.0, np.nan])}], None,
     (1, "grad", "w", "grad['w'] has nan at index 1")),
    (Divergence(), [1.0, 1.0, 1.0], None,
     [{"a": np.zeros(1), "b": np.zeros((2, 2))}, {"a": np.zeros(1), "b": np.zeros((2, 2))},
      {"a": np.zeros(1), "b": np.array([[0.0, 0.0], [np.inf, 0.0]])}],
     (2, "params", "b", "params['b'] has inf at index 1, 0")),
    (Divergence(), [1.0], [np.array([-np.inf])], None, (0, "grad", None, "grad has -inf at index 0")),
    (Divergence(), [1.0], None, [np.float64("nan")], (0, "params", None, "params has nan")),
    (Divergence(max_loss=100.0), [1.0, 50.0, 150.0], None, None, (2, "loss", None, "loss 150 > max_loss 100")),
    (Divergence(factor=10.0), [-2.0, 10.0, 19.0, 21.0], None, None, (3, "loss", None, "10 x |initial loss -2|")),
]


@pytest.mark.parametrize("rule,losses,grads,params,want", DIVERGING, ids=[w[3] for *_, w in DIVERGING])
def test_divergence_names_the_step_and_the_quantity(rule, losses, grads, params, want):
    step, quantity, name, text = want
    reason = run(rule, losses, grads, params)
    assert reason is not None and reason.kind == "diverged" and reason.step == step
    assert reason.details["quantity"] == quantity and reason.details.get("name") == name
    assert f"diverged at step {step}" in reason.message and text in reason.message


def test_divergence_ignores_finite_runs_and_can_skip_grads_and_params():
    nan = {"w": np.array([np.nan])}
    assert run(Divergence(), [3.0, 1e30, -5.0], [{"w": np.ones(1)}] * 3, [{"w": np.ones(1)}] * 3) is None
    assert Divergence(check_grad=False, check_params=False).check(0, 1.0, nan, nan) is None
    assert Divergence(factor=10).check(0, 0.0) is None and Divergence(factor=10).check(0, 0.0) is None
    assert Divergence().check(0, 1.0, {"n": np.array([1, 2])}) is None  # integers cannot be nan


def test_divergence_state_keeps_the_initial_loss():
    rule = Divergence(factor=5.0)
    rule.check(0, 2.0)
    state = rule.state_dict()
    assert state == {"initial_loss": 2.0}
    fresh = Divergence(factor=5.0)
    fresh.load_state_dict(json.loads(json.dumps(state)))
    assert fresh.check(9, 10.5).step == 9
    fresh.reset()
    assert fresh.check(0, 10.5) is None


# ---------------------------------------------------------------------------------------
# Several rules


def test_rules_check_divergence_first():
    rules = StopRules([MaxSteps(2), GradNorm(1.0), Divergence()])
    assert isinstance(rules.rules[0], Divergence)
    reason = rules.check(2, float("nan"), np.zeros(1))  # max steps, converged and diverged all apply
    assert reason.kind == "diverged"
    assert rules.check(2, 1.0, np.zeros(1)).kind == "max_steps"  # then the given order
    assert rules.check(1, 1.0, np.zeros(1)).kind == "converged"
    assert rules.check(1, 1.0, np.full(1, 2.0)) is None


def test_rules_state_round_trips():
    rules = StopRules([NoImprovement(patience=2), Divergence(factor=100.0), MaxSteps(50)])
    for step, loss in enumerate([5.0, 4.0, 4.5]):
        assert rules.check(step, loss) is None
    state = json.loads(json.dumps(rules.state_dict()))
    again = StopRules([NoImprovement(patience=2), Divergence(factor=100.0), MaxSteps(50)])
    again.load_state_dict(state)
    assert again.check(3, 600.0).kind == "diverged"  # initial loss 5 came through the state
    again.load_state_dict(state)
    assert again.check(3, 4.1).kind == "no_improvement"
    again.reset()
    assert again.check(0, 4.1) is None


def test_stop_reason_serialises():
    reason = Divergence().check(4, float("nan"))
    data = reason.to_dict()
    assert data["kind"] == "diverged" and data["step"] == 4
    assert json.loads(dumps_json(data))["details"]["value"] == "nan"
    assert StopReason.from_dict(data).message == reason.message
    assert str(reason) == "diverged at step 4: loss is nan"
    assert set(RULE_KINDS) == {"converged", "max_steps", "no_improvement", "diverged"}
    assert set(STOP_KINDS) == set(RULE_KINDS) | {"callback", "interrupted"}


@pytest.mark.parametrize("rule", [
    GradNorm(1e-4, ord="inf"), GradNorm(0.0, ord=1), MaxSteps(12), NoImprovement(3, 0.5),
    Divergence(max_loss=1e9, factor=1e4, check_grad=False),
    StopRules([MaxSteps(4), Divergence(), NoImprovement(2)]),
], ids=repr)
def test_rule_config_round_trips_through_json(rule):
    cfg = json.loads(json.dumps(rule.to_config()))
    again = rule_from_config(cfg)
    assert repr(again) == repr(rule) and again.to_config() == rule.to_config()


def test_docstring_examples_run():
    import doctest

    import descentlab.optim.stopping as module

    result = doctest.testmod(module)
    assert result.attempted >= 5 and result.failed == 0


# ---------------------------------------------------------------------------------------
# Bad input: (callable, exception, message pattern)

BAD = [
    (lambda: GradNorm(-1e-6), ConfigError, r"GradNorm: expected eps >= 0, got -1e-06"),
    (lambda: GradNorm(float("nan")), ConfigError, r"eps >= 0, got nan"),
    (lambda: GradNorm(1e-6, ord=3), ConfigError, r"ord one of 2, 1, inf, got 3"),
    (lambda: GradNorm(1e-6, ord="fro"), ConfigError, r"ord one of 2, 1, inf"),
    (lambda: GradNorm(1.0).check(0, 1.0), ConfigError, r"pass grad="),
    (lambda: GradNorm(1.0).check(0, 1.0, {}), ConfigError, r"a non-empty gradient"),
    (lambda: MaxSteps(-1), ConfigError, r"MaxSteps: expected n an integer >= 0, got -1"),
    (lambda: MaxSteps(2.5), ConfigError, r"n an integer >= 0, got 2\.5"),
    (lambda: NoImprovement(patience=0), ConfigError, r"patience an integer >= 1, got 0"),
    (lambda: NoImprovement(min_delta=-0.1), ConfigError, r"min_delta >= 0, got -0\.1"),
    (lambda: Divergence(max_loss=float("inf")), ConfigError, r"max_loss a finite number or None"),
    (lambda: Divergence(factor=0.0), ConfigError, r"factor >= 1 or None, got 0\.0"),
    (lambda: Divergence(factor=0.5), ConfigError, r"factor >= 1 or None, got 0\.5"),
    (lambda: StopRules([MaxSteps(3), "tol"]), ConfigError, r"stopping rules .* got tol"),
    (lambda: StopReason("done", 3, "x"), ConfigError, r"kind one of \['converged', 'max_steps', 'no_improvement', 'diverged', 'callback', 'interrupted'\]"),
    (lambda: NoImprovement().load_state_dict({"best": 1.0}), StateFileError, r"keys \['best', 'best_step', 'wait'\]"),
    (lambda: NoImprovement().load_state_dict({"best": "x", "best_step": 1, "wait": 0}), StateFileError, r"best a number"),
    (lambda: Divergence().load_state_dict({"initial_loss": "1"}), StateFileError, r"initial_loss a number or null"),
    (lambda: MaxSteps(3).load_state_dict({"n": 3}), StateFileError, r"a state with keys \[\]"),
    (lambda: StopRules([MaxSteps(3)]).load_state_dict({"rules": [{"rule": "GradNorm", "state": {}}]}),
     StateFileError, r"states for the rules \['MaxSteps'\], got \['GradNorm'\]"),
    (lambda: rule_from_config({"rule": "Patience"}), ConfigError, r"'rule' one of \['Divergence', .*got Patience"),
    (lambda: rule_from_config({"rule": "MaxSteps", "steps": 3}), ConfigError, r"settings of MaxSteps, got \['steps'\]"),
    (lambda: rule_from_config({"rule": "StopRules", "rules": {}}), ConfigError, r"'rules': \[rule configs\]"),
]


@pytest.mark.parametrize("make,exc,pattern", BAD, ids=[p for _, _, p in BAD])
def test_bad_input(make, exc, pattern):
    with pytest.raises(exc, match=pattern):
        make()
