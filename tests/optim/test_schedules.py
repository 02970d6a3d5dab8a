"""Learning-rate schedules: closed forms, PyTorch's schedulers, Keras's formulas, configs, parsing, errors."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from descentlab.errors import ConfigError
from descentlab.optim.schedules import (
    SCHEDULES,
    Constant,
    Cosine,
    CosineRestarts,
    Cyclic,
    OneCycle,
    PiecewiseLinear,
    Plateau,
    Product,
    Exponential,
    ExponentialRate,
    InverseTime,
    Join,
    Linear,
    MultiStep,
    Polynomial,
    Schedule,
    StepDecay,
    as_schedule,
    from_config,
    linear_warmup,
    parse_schedule,
    warmup_cosine,
)

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "schedules_torch.json"

# One of each, nested joins included; used by the tests that must hold for every schedule.
CATALOGUE = [
    Constant(0.1),
    StepDecay(0.1, every=10, gamma=0.5),
    MultiStep(0.3, milestones=(3, 7, 20), gamma=0.1),
    Exponential(0.1, k=0.05),
    Exponential(0.1, k=0.5, decay_steps=4, staircase=True),
    ExponentialRate(0.1, rate=0.96, decay_steps=10),
    ExponentialRate(0.1, rate=0.5, decay_steps=3, staircase=True),
    InverseTime(0.1, k=0.5),
    InverseTime(1.0, k=2.0, decay_steps=5, staircase=True),
    Cosine(0.1, total=30, floor=0.001),
    Linear(0.0, 0.1, steps=7),
    Linear(0.1, 0.02, steps=9),
    Polynomial(0.1, total=25, power=2.0, end=0.001),
    warmup_cosine(0.1, warmup=5, total=40, floor=0.0),
    Join((Constant(0.2), Join((StepDecay(0.1, every=2), Exponential(0.05, k=0.1)), (6,)), Constant(0.0)), (3, 20)),
    OneCycle(0.1, total=50, anneal="linear", three_phase=True),
    CosineRestarts(0.1, T_0=5, T_mult=2, floor=0.01),
    Cyclic(0.01, 0.1, step_size_up=4, step_size_down=6, mode="exp_range", gamma=0.95),
    PiecewiseLinear(steps=(0, 5, 20), rates=(0.0, 0.1, 0.01)),
    Product(0.1, (ExponentialRate(1.0, rate=0.9), StepDecay(1.0, every=7, gamma=0.5))),
    ExponentialRate(0.001, rate=1.2, decay_steps=3, begin=4, end=0.01),
    Plateau(0.1, factor=0.5, patience=2),
]
IDS = [type(s).__name__ + str(i) for i, s in enumerate(CATALOGUE)]


# ---------------------------------------------------------------------------------------
# Closed forms at chosen steps (the lecture's three first)

CLOSED_FORMS = [
    # schedule, {step: expected value written from the formula by hand}
    (StepDecay(0.1, every=10, gamma=0.5), {0: 0.1, 9: 0.1, 10: 0.05, 19: 0.05, 20: 0.025, 35: 0.0125}),
    (StepDecay(1.0, every=1, gamma=0.5), {0: 1.0, 1: 0.5, 2: 0.25, 10: 2.0**-10}),
    (Exponential(1.0, k=0.1), {0: 1.0, 10: math.exp(-1.0), 25: math.exp(-2.5)}),
    (Exponential(0.5, k=1.0, decay_steps=10, staircase=True), {9: 0.5, 10: 0.5 * math.exp(-1), 29: 0.5 * math.exp(-2)}),
    (InverseTime(1.0, k=0.5), {0: 1.0, 2: 0.5, 10: 1.0 / 6.0, 98: 0.02}),
    (InverseTime(0.3, k=1.0, decay_steps=10, staircase=True), {9: 0.3, 10: 0.15, 25: 0.1}),
    (Constant(0.07), {0: 0.07, 10**6: 0.07}),
    (MultiStep(0.1, milestones=(30, 80), gamma=0.1), {0: 0.1, 29: 0.1, 30: 0.1 * 0.1, 79: 0.1 * 0.1, 80: 0.1 * 0.1 * 0.1}),
    (ExponentialRate(1.0, rate=0.5, decay_steps=2), {0: 1.0, 1: 2**-0.5, 2: 0.5, 6: 0.125}),
    (Cosine(1.0, total=4), {0: 1.0, 1: (1 + math.cos(math.pi / 4)) / 2, 2: 0.5, 4: 0.0, 100: 0.0}),
    (Cosine(1.0, total=10, floor=0.2), {5: 0.6, 10: 0.2, 11: 0.2}),
    (Linear(0.0, 1.0, steps=4), {0: 0.0, 1: 0.25, 3: 0.75, 4: 1.0, 50: 1.0}),
    (Polynomial(1.0, total=10, power=2.0), {0: 1.0, 5: 0.25, 9: (0.1) ** 2, 10: 0.0, 12: 0.0}),
    (Polynomial(1.0, total=4, power=1.0, end=0.2), {2: 0.6, 4: 0.2}),
]


@pytest.mark.parametrize("sched,expected", CLOSED_FORMS, ids=[repr(s) for s, _ in CLOSED_FORMS])
def test_matches_closed_form_at_chosen_steps(sched, expected):
    for step, want in expected.items():
        got = sched(step)
        assert isinstance(got, float)
        assert got == pytest.approx(want, rel=1e-14, abs=1e-16), (step, got, want)


def test_lecture_halving_every_few_epochs():
    # "decay learning rate by half every few epochs": with 50 batches an epoch, halve every 2 epochs.
    sched = StepDecay(0.4, every=2 * 50)
    lrs = sched.values(np.arange(0, 600, 50))  # the rate at the start of each epoch
    assert lrs.tolist() == [0.4, 0.4, 0.2, 0.2, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125, 0.0125]


def test_exponential_forms_agree():
    # alpha0 e^{-kt} is alpha0 r^t with r = e^{-k}; the two differ only in rounding.
    t = np.arange(200)
    a = Exponential(0.1, k=0.03).values(t)
    b = ExponentialRate(0.1, rate=math.exp(-0.03)).values(t)
    np.testing.assert_allclose(a, b, rtol=1e-13)


# ---------------------------------------------------------------------------------------
# PyTorch's lr_scheduler, recorded by tools/fixtures/make_schedule_fixtures.py


def _ours(spec: dict, base_lr: float) -> Schedule:
    """The descentlab schedule that a torch scheduler spec describes."""
    a = spec["args"]
    cls = spec["cls"]
    if cls == "StepLR":
        return StepDecay(base_lr, every=a["step_size"], gamma=a["gamma"])
    if cls == "MultiStepLR":
        return MultiStep(base_lr, milestones=a["milestones"], gamma=a["gamma"])
    if cls == "ExponentialLR":
        return ExponentialRate(base_lr, rate=a["gamma"])
    if cls == "CosineAnnealingLR":
        return Cosine(base_lr, total=a["T_max"], floor=a["eta_min"])
    if cls == "LinearLR":
        return Linear(base_lr * a["start_factor"], base_lr * a["end_factor"], steps=a["total_iters"])
    if cls == "PolynomialLR":
        return Polynomial(base_lr, total=a["total_iters"], power=a["power"])
    if cls == "SequentialLR":
        return Join(tuple(_ours(s, base_lr) for s in a["schedulers"]), tuple(a["milestones"]))
    raise AssertionError(f"no mapping for {cls}")


def _torch_cases():
    doc = json.loads(FIXTURE.read_text())
    assert doc["torch_version"].startswith("2.13.0")
    return doc["cases"]


TORCH_CASES = _torch_cases()


def _cosine_end(spec: dict) -> int | None:
    """The step after which PyTorch's CosineAnnealingLR rises again (ours stays at the floor)."""
    if spec["cls"] == "CosineAnnealingLR":
        return spec["args"]["T_max"]
    if spec["cls"] == "SequentialLR" and spec["args"]["schedulers"][-1]["cls"] == "CosineAnnealingLR":
        return spec["args"]["milestones"][-1] + spec["args"]["schedulers"][-1]["args"]["T_max"]
    return None


@pytest.mark.parametrize("case", TORCH_CASES, ids=[c["name"] for c in TORCH_CASES])
def test_matches_pytorch_lr_scheduler(case):
    ours = _ours(case["scheduler"], case["base_lr"]).values(np.arange(case["steps"]))
    theirs = np.array(case["lrs"])
    end = _cosine_end(case["scheduler"])
    if end is not None and end + 1 < case["steps"]:
        # Past T_max PyTorch follows the cosine back up; descentlab (like optax and
        # Keras) holds the floor.  Compare up to T_max and check that documented split.
        floor = ours[end]
        assert np.all(ours[end + 1:] == floor) and np.all(theirs[end + 1:] > floor)
        ours, theirs = ours[: end + 1], theirs[: end + 1]
    # PyTorch's schedulers are "chainable": each lr is computed from the previous one
    # (lr * gamma, or a ratio of cosines), so its rounding errors accumulate over the
    # steps, while ours are closed forms.  The largest gap measured on these cases is
    # 6.3e-15 relative; 1e-12 leaves room for that drift and is far below any real
    # difference (a step off, a wrong factor).
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_pytorch_fixture_covers_each_scheduler():
    seen = {c["scheduler"]["cls"] for c in TORCH_CASES}
    assert {"StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "SequentialLR"} <= seen


def test_lecture_exponential_matches_pytorch_exponential_lr():
    case = next(c for c in TORCH_CASES if c["name"] == "exponential_e_minus_0.05")
    assert case["scheduler"]["args"]["gamma"] == math.exp(-0.05)
    ours = Exponential(case["base_lr"], k=0.05).values(np.arange(case["steps"]))
    np.testing.assert_allclose(ours, case["lrs"], rtol=1e-12)


# ---------------------------------------------------------------------------------------
# Keras's ExponentialDecay and InverseTimeDecay, from the formulas in their docstrings


def keras_exponential_decay(step, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    # "initial_learning_rate * decay_rate ^ (step / decay_steps)", with an integer division if staircase
    p = step / decay_steps
    if staircase:
        p = math.floor(p)
    return initial_learning_rate * decay_rate**p


def keras_inverse_time_decay(step, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    # "initial_learning_rate / (1 + decay_rate * step / decay_step)", floor(step / decay_steps) if staircase
    p = step / decay_steps
    if staircase:
        p = math.floor(p)
    return initial_learning_rate / (1 + decay_rate * p)


KERAS_ARGS = [
    dict(initial_learning_rate=0.1, decay_steps=100000, decay_rate=0.96, staircase=True),  # Keras docs example
    dict(initial_learning_rate=0.1, decay_steps=1000, decay_rate=0.96, staircase=False),
    dict(initial_learning_rate=1e-2, decay_steps=10000, decay_rate=0.9, staircase=False),
    dict(initial_learning_rate=0.5, decay_steps=7, decay_rate=0.5, staircase=True),
]
KERAS_STEPS = [0, 1, 6, 7, 999, 1000, 1001, 10000, 20000, 99999, 100000, 250000]


@pytest.mark.parametrize("kw", KERAS_ARGS)
def test_matches_keras_exponential_decay(kw):
    ours = ExponentialRate(kw["initial_learning_rate"], rate=kw["decay_rate"],
                           decay_steps=kw["decay_steps"], staircase=kw["staircase"])
    for t in KERAS_STEPS:
        assert ours(t) == pytest.approx(keras_exponential_decay(t, **kw), rel=1e-14)


def test_keras_exponential_decay_worked_numbers():
    sched = ExponentialRate(1e-2, rate=0.9, decay_steps=10000)
    assert sched(10000) == pytest.approx(0.009, rel=1e-14)
    assert sched(20000) == pytest.approx(0.0081, rel=1e-14)


@pytest.mark.parametrize("kw", [
    dict(initial_learning_rate=0.1, decay_steps=1, decay_rate=0.5, staircase=False),  # Keras docs example
    dict(initial_learning_rate=0.1, decay_steps=1000, decay_rate=0.5, staircase=True),
    dict(initial_learning_rate=2.0, decay_steps=7, decay_rate=3.0, staircase=False),
])
def test_matches_keras_inverse_time_decay(kw):
    ours = InverseTime(kw["initial_learning_rate"], k=kw["decay_rate"], decay_steps=kw["decay_steps"],
                       staircase=kw["staircase"])
    for t in KERAS_STEPS:
        assert ours(t) == pytest.approx(keras_inverse_time_decay(t, **kw), rel=1e-14)


# ---------------------------------------------------------------------------------------
# Joins: later schedules count steps from their own boundary


def test_join_counts_steps_from_each_boundary():
    a, b, c = Constant(1.0), Exponential(0.5, k=0.1), Linear(0.3, 0.0, steps=4)
    sched = Join((a, b, c), (3, 10))
    for t in range(20):
        want = a(t) if t < 3 else b(t - 3) if t < 10 else c(t - 10)
        assert sched(t) == want


def test_warmup_cosine_total_includes_warmup():
    sched = warmup_cosine(0.1, warmup=10, total=110, floor=0.01)
    assert sched(0) == 0.0
    assert sched(5) == pytest.approx(0.05, rel=1e-15)
    assert sched(10) == pytest.approx(0.1, rel=1e-15)  # peak right after the warm-up
    assert sched(60) == pytest.approx(0.01 + 0.09 * 0.5, rel=1e-14)
    assert sched(110) == pytest.approx(0.01, rel=1e-15)
    assert sched(500) == pytest.approx(0.01, rel=1e-15)
    assert linear_warmup(0.1, 10, start=0.01)(0) == 0.01


# ---------------------------------------------------------------------------------------
# Properties every schedule has


@pytest.mark.parametrize("sched", CATALOGUE, ids=IDS)
def test_scalar_and_array_evaluation_agree_exactly(sched):
    steps = np.arange(60)
    curve = sched.values(steps)
    assert curve.dtype == np.float64 and curve.shape == (60,)
    assert [sched(int(t)) for t in steps] == curve.tolist()
    assert sched(np.int64(7)) == curve[7]
    grid = sched(steps.reshape(6, 10))
    assert grid.shape == (6, 10) and np.array_equal(grid.ravel(), curve)
    assert sched.values(range(60)).tolist() == curve.tolist()


@pytest.mark.parametrize("sched", CATALOGUE, ids=IDS)
def test_config_round_trips_through_json(sched):
    cfg = json.loads(json.dumps(sched.to_config()))
    again = from_config(cfg)
    assert again == sched
    assert type(again) is type(sched)
    np.testing.assert_array_equal(again.values(np.arange(80)), sched.values(np.arange(80)))


@pytest.mark.parametrize("sched", CATALOGUE, ids=IDS)
def test_resume_from_config_at_step_k_gives_the_same_rates(sched):
    # An uninterrupted run's rates, against a run rebuilt from its saved config at step k.
    k, n = 17, 60
    whole = [sched(t) for t in range(n)]
    saved = json.dumps({"schedule": sched.to_config(), "step": k})
    loaded = json.loads(saved)
    resumed = from_config(loaded["schedule"])
    assert whole[:k] + [resumed(t) for t in range(loaded["step"], n)] == whole


@pytest.mark.parametrize("sched", CATALOGUE, ids=IDS)
def test_describe_and_repr_are_readable(sched):
    text = sched.describe()
    assert text and "\n" not in text and "object at" not in text
    assert repr(sched).startswith(type(sched).__name__ + "(")


def test_describe_shows_the_formula():
    assert StepDecay(0.1, every=10).describe() == "step decay 0.1 * 0.5^floor(t/10)"
    assert Exponential(0.1, k=0.01).describe() == "exponential 0.1 * exp(-0.01*t)"
    assert InverseTime(0.1, k=0.5).describe() == "1/t decay 0.1 / (1 + 0.5*t)"
    assert ExponentialRate(0.1, rate=0.96, decay_steps=100, staircase=True).describe() == \
        "exponential 0.1 * 0.96^(floor(t/100))"


@settings(max_examples=40, deadline=None)
@given(lr=st.floats(1e-6, 10.0), k=st.floats(0.0, 2.0), steps=st.lists(st.integers(0, 10**6), min_size=1, max_size=20))
def test_decays_never_increase_and_stay_within_lr(lr, k, steps):
    steps = sorted(steps)
    for sched in (Exponential(lr, k=k), InverseTime(lr, k=k), StepDecay(lr, every=7, gamma=0.5),
                  Cosine(lr, total=1000, floor=lr / 10)):
        v = sched.values(steps)
        assert np.all(np.diff(v) <= 0)
        assert np.all((v >= 0) & (v <= lr))


def test_cosine_starts_exactly_at_lr_and_ends_exactly_at_floor():
    # floor + (lr - floor) rounds one ulp above lr for this lr (found by hypothesis)
    lr = 2.521034200205061
    sched = Cosine(lr, total=1000, floor=lr / 10)
    assert sched(0) == lr
    assert sched(1000) == lr / 10 and sched(5000) == lr / 10


def test_as_schedule():
    assert as_schedule(0.1) == Constant(0.1)
    s = Cosine(0.1, total=10)
    assert as_schedule(s) is s
    with pytest.raises(ConfigError, match="lr a number or a Schedule"):
        as_schedule("0.1")
    with pytest.raises(ConfigError, match=r"lr >= 0|lr in \[0"):
        as_schedule(-1.0)


def test_docstring_examples_run():
    import doctest

    import descentlab.optim.schedules as module

    result = doctest.testmod(module)
    assert result.attempted >= 5 and result.failed == 0


def test_every_kind_is_registered():
    assert {type(s).kind for s in CATALOGUE} == set(SCHEDULES)


# ---------------------------------------------------------------------------------------
# Bad input: (callable, message pattern)

BAD_CONSTRUCTION = [
    (lambda: Constant(-0.1), r"Constant: expected lr >= 0, got -0\.1"),
    (lambda: Constant(float("nan")), r"lr >= 0, got nan"),
    (lambda: Constant("0.1"), r"lr >= 0, got '0\.1'"),
    (lambda: Constant(True), r"lr >= 0, got True\. Fix: pass a non-negative"),
    (lambda: StepDecay(-1.0, every=10), r"StepDecay: expected lr >= 0, got -1\.0"),
    (lambda: StepDecay(0.1, every=0), r"StepDecay: expected every an integer >= 1, got 0"),
    (lambda: StepDecay(0.1, every=2.5), r"every an integer >= 1, got 2\.5"),
    (lambda: StepDecay(0.1, every=10, gamma=1.5), r"gamma in \(0, 1\], got 1\.5"),
    (lambda: StepDecay(0.1, every=10, gamma=0.0), r"gamma in \(0, 1\], got 0\.0"),
    (lambda: MultiStep(0.1, milestones=(0, 30)), r"each milestone an integer >= 1, got 0"),
    (lambda: MultiStep(0.1, milestones=30), r"milestones a list of steps, got 30"),
    (lambda: Exponential(0.1, k=-0.01), r"Exponential: expected k >= 0, got -0\.01"),
    (lambda: Exponential(0.1, k=0.1, decay_steps=0), r"decay_steps an integer >= 1, got 0"),
    (lambda: Exponential(0.1, k=0.1, staircase="yes"), r"staircase True or False"),
    # rate > 1 is a growth (optax allows it); 0 would be no schedule at all
    (lambda: ExponentialRate(0.1, rate=1.2, end=0.05), r"ExponentialRate: expected end >= lr for a growth"),
    (lambda: ExponentialRate(0.1, rate=0.0), r"ExponentialRate: expected rate > 0, got 0\.0"),
    (lambda: ExponentialRate(0.1, rate=0.9, decay_steps=-5), r"decay_steps an integer >= 1, got -5"),
    (lambda: InverseTime(0.1, k=-1.0), r"InverseTime: expected k >= 0, got -1\.0"),
    (lambda: Cosine(0.1, total=0), r"Cosine: expected total an integer >= 1, got 0"),
    (lambda: Cosine(0.1, total=10, floor=0.2), r"floor in \[0, 0\.1\], got 0\.2"),
    (lambda: Linear(-0.1, 0.1, steps=5), r"Linear: expected start >= 0"),
    (lambda: Linear(0.0, 0.1, steps=0), r"steps an integer >= 1, got 0"),
    (lambda: Polynomial(0.1, total=10, power=0.0), r"power > 0, got 0\.0"),
    (lambda: Polynomial(0.1, total=10, end=1.0), r"end in \[0, 0\.1\]"),
    (lambda: Join((Constant(0.1), Constant(0.2)), (5, 6)), r"1 boundaries for 2 schedules, got \[5, 6\]"),
    (lambda: Join((Constant(0.1), Constant(0.2), Constant(0.3)), (6, 5)), r"boundaries strictly increasing"),
    (lambda: Join((Constant(0.1), 0.2), (5,)), r"a non-empty list of Schedule objects, got 0\.2"),
    (lambda: Join((), ()), r"a non-empty list of Schedule objects"),
    (lambda: Join(Constant(0.1), ()), r"schedules a list of Schedule objects"),
    (lambda: warmup_cosine(0.1, warmup=10, total=10), r"total > warmup = 10, got 10"),
]


@pytest.mark.parametrize("make,pattern", BAD_CONSTRUCTION, ids=[p for _, p in BAD_CONSTRUCTION])
def test_bad_hyperparameters_are_rejected_at_construction(make, pattern):
    with pytest.raises(ConfigError, match=pattern) as info:
        make()
    assert "Fix:" in str(info.value)


BAD_STEPS = [
    (-1, r"expected step >= 0, got -1"),
    (2.5, r"whole numbers >= 0, got 2\.5"),
    ([0, 1, -3], r"whole numbers >= 0, got -3\.0"),
    (np.array([0.0, np.nan]), r"whole numbers >= 0, got nan"),
    ("3", r"an integer step or an array of them"),
    (True, r"an integer step or an array of them"),
]


@pytest.mark.parametrize("step,pattern", BAD_STEPS, ids=[p for _, p in BAD_STEPS])
def test_bad_steps_are_rejected(step, pattern):
    with pytest.raises(ConfigError, match=pattern):
        StepDecay(0.1, every=3)(step)


BAD_CONFIGS = [
    ([1, 2], r"a schedule config dict"),
    ({"lr": 0.1}, r"expected kind one of \[.*'cosine'.*\], got None"),
    ({"kind": "warp", "lr": 0.1}, r"kind one of .*got warp"),
    ({"kind": "step", "lr": 0.1, "every": 3, "decay": 2}, r"keys of a 'step' schedule among .*got \['decay'\]"),
    ({"kind": "step", "lr": 0.1}, r"keys \['lr', 'every'\] in a 'step' schedule, got no \['every'\]"),
    ({"kind": "step", "lr": 0.1, "every": 0}, r"every an integer >= 1"),
    ({"kind": "join", "schedules": {"kind": "constant"}, "boundaries": []}, r"'schedules' a list of configs"),
    ({"kind": "join", "schedules": [{"kind": "constant", "lr": 1}, {"kind": "nope"}], "boundaries": [2]},
     r"kind one of .*got nope"),
]


@pytest.mark.parametrize("cfg,pattern", BAD_CONFIGS, ids=[p for _, p in BAD_CONFIGS])
def test_bad_configs_are_rejected(cfg, pattern):
    with pytest.raises(ConfigError, match=pattern):
        from_config(cfg)


# ---------------------------------------------------------------------------------------
# The command-line form

PARSED = [
    ("exp:k=0.01", 0.1, Exponential(0.1, k=0.01)),
    ("exponential:k=0.01,lr=0.5", 0.1, Exponential(0.5, k=0.01)),
    ("exp:rate=0.96,decay_steps=100,staircase=true", 0.1, ExponentialRate(0.1, rate=0.96, decay_steps=100, staircase=True)),
    ("step:every=10,gamma=0.5", 0.1, StepDecay(0.1, every=10, gamma=0.5)),
    ("step:every=10", 0.1, StepDecay(0.1, every=10, gamma=0.5)),
    ("inv:k=0.1", 0.1, InverseTime(0.1, k=0.1)),
    ("1/t:k=0.1", 0.1, InverseTime(0.1, k=0.1)),
    ("cosine:total=100,floor=0", 0.1, Cosine(0.1, total=100, floor=0.0)),
    ("constant", 0.3, Constant(0.3)),
    ("constant:lr=0.2", None, Constant(0.2)),
    ("multistep:milestones=30/60/90,gamma=0.5", 0.1, MultiStep(0.1, (30, 60, 90), 0.5)),
    ("multistep:milestones=[30,60]", 0.1, MultiStep(0.1, (30, 60))),
    ("linear:end=0,steps=50", 0.1, Linear(0.1, 0.0, steps=50)),
    ("poly:total=10,power=2", 1.0, Polynomial(1.0, total=10, power=2.0)),
    ("warmup:steps=5+cosine:total=100", 0.1, Join((Linear(0.0, 0.1, 5), Cosine(0.1, 100)), (5,))),
    (" warmup:steps=5,start=0.01 + cosine:total=100,floor=0.001 ", 0.1,
     Join((Linear(0.01, 0.1, 5), Cosine(0.1, 100, 0.001)), (5,))),
    ("constant:for=10+exp:k=0.01", 0.1, Join((Constant(0.1), Exponential(0.1, k=0.01)), (10,))),
    ("warmup:steps=3+step:every=4,for=8+inv:k=1", 1.0,
     Join((Linear(0.0, 1.0, 3), StepDecay(1.0, every=4), InverseTime(1.0, k=1.0)), (3, 11))),
]


@pytest.mark.parametrize("text,lr,want", PARSED, ids=[t for t, _, _ in PARSED])
def test_parse_schedule(text, lr, want):
    assert parse_schedule(text, lr=lr) == want


BAD_TEXT = [
    ("warp:k=1", r"a schedule name among \['constant', 'cosine', 'cyclic', 'exp', 'inv', 'linear', 'multistep', 'onecycle', "
                 r"'piecewise', 'plateau', 'poly', 'sgdr', 'step', 'warmup'\], got warp"),
    ("", r"a schedule such as 'exp:k=0.01'"),
    ("exp:k", r"key=value with a key among \['lr', 'k', 'rate', 'decay_steps', 'staircase', 'begin', 'end', 'for'\].*"
               r"e\.g\. 'exp:k=0\.01'"),
    ("exp:gamma=0.5", r"key=value with a key among"),
    ("exp:k=fast", r"a number for k in 'exp:k=fast', got fast"),
    ("exp:k=0.1,k=0.2", r"each key once"),
    ("exp:k=0.1,rate=0.9", r"either k .* or rate"),
    ("step:gamma=0.5", r"the keys \['every', 'gamma'\] for 'step', got 'step:gamma=0.5'\. Fix: add the missing key, "
                       r"e\.g\. 'step:every=10,gamma=0\.5'\.$"),
    ("step:every=0", r"every an integer >= 1, got 0"),
    ("exp:k=-1", r"k >= 0, got -1"),
    ("exp:k=0.1", r"an lr for 'exp', got none"),
    ("exp:k=0.1+cosine:total=10", r"a length for 'exp:k=0.1' before '\+'.*for=N"),
    ("cosine:total=10+", r"a schedule written name:key=value"),
    ("linear:start=0.1,lr=0.2,end=0,steps=3", r"either start or lr"),
]


@pytest.mark.parametrize("text,pattern", BAD_TEXT, ids=[t or "<empty>" for t, _ in BAD_TEXT])
def test_parse_schedule_errors(text, pattern):
    from descentlab.optim.schedules import _EXAMPLE

    assert all(parse_schedule(t, lr=0.1) for t in _EXAMPLE.values())  # the examples in the messages parse
    lr = None if text == "exp:k=0.1" else 0.1
    with pytest.raises(ConfigError, match=pattern):
        parse_schedule(text, lr=lr)


# ---------------------------------------------------------------------------------------
# The split package: one grammar, one registry; '+' inside a number is the number's


@pytest.mark.parametrize("text,want", [
    ("exp:k=1e+3", Exponential(0.1, k=1000.0)),
    ("exp:k=2.5E+1", Exponential(0.1, k=25.0)),
    ("constant:for=10+exp:k=1e+3", Join((Constant(0.1), Exponential(0.1, k=1000.0)), (10,))),
    ("exp:k=1e+3,for=4+cosine:total=1e+1,lr=.5".replace("total=1e+1", "total=10"),
     Join((Exponential(0.1, k=1000.0), Cosine(0.5, total=10)), (4,))),
    ("inv:k=+0.5", InverseTime(0.1, k=0.5)),
])
def test_plus_inside_a_number_does_not_chain(text, want):
    assert parse_schedule(text, lr=0.1) == want


@pytest.mark.parametrize("make,pattern", [
    (lambda: StepDecay(0.1, every=10.0), r"StepDecay: expected every an integer >= 1, got 10\.0\. Fix: pass every as a whole number"),
    (lambda: Cosine(0.1, total=True), r"Cosine: expected total an integer >= 1, got True"),
    (lambda: Exponential(0.1, k=0.1, staircase=1), r"staircase True or False, got 1"),
    (lambda: MultiStep(0.1, milestones=(3.0, 7)), r"each milestone an integer >= 1, got 3\.0"),
    (lambda: parse_schedule("cosine:total=1e2", lr=0.1), r"total an integer >= 1, got 100\.0"),
    (lambda: parse_schedule("step:every=true", lr=0.1), r"every an integer >= 1, got True"),
])
def test_counts_are_whole_numbers_and_never_floats_or_bools(make, pattern):
    with pytest.raises(ConfigError, match=pattern):
        make()


def test_a_class_and_one_text_form_make_a_new_schedule(monkeypatch):
    """Adding a schedule is one class and one registration; configs and text then work."""
    from dataclasses import dataclass
    from typing import ClassVar

    from descentlab.optim.schedules import TEXT_FORMS, text_form
    from descentlab.optim.schedules.base import LR
    from descentlab.validation import POSITIVE_COUNT

    monkeypatch.setattr("descentlab.optim.schedules.base.SCHEDULES", dict(SCHEDULES))
    monkeypatch.setattr("descentlab.optim.schedules.grammar.TEXT_FORMS", dict(TEXT_FORMS))
    from descentlab.optim.schedules import base

    @dataclass(frozen=True)
    class Halving(Schedule):
        lr: float
        every: int
        kind: ClassVar[str] = "halving_test"
        _constraints = {"lr": LR, "every": [POSITIVE_COUNT]}

        def _lr(self, t):
            return self.lr * 0.5 ** (t // self.every)

    text_form("halving_test", Halving, example="halving_test:every=2")
    assert base.SCHEDULES["halving_test"] is Halving
    s = parse_schedule("halving_test:every=1,for=3+constant", lr=1.0)
    assert s.values(range(5)).tolist() == [1.0, 0.5, 0.25, 1.0, 1.0]
    assert base.from_config(Halving(1.0, 3).to_config()) == Halving(1.0, 3)
    with pytest.raises(ConfigError, match=r"Halving: expected every an integer >= 1, got 0"):
        Halving(1.0, 0)


@pytest.mark.parametrize("module", ["base", "formulas", "grammar"])
def test_submodule_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"descentlab.optim.schedules.{module}"))
    assert result.failed == 0
