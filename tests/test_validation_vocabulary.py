"""One validation vocabulary: the checker itself, the whole-number rule, and every call site.

Each call site declares its constraints as a table checked by descentlab.validation, so
a bad value is refused with the same words everywhere: ``<owner>: expected <name>
<allowed>, got <value>. Fix: ...``.
"""
from __future__ import annotations

import doctest
import math

import numpy as np
import pytest

import descentlab.keyvalue
import descentlab.validation
from descentlab.errors import ConfigError
from descentlab.validation import (COUNT, NONNEGATIVE, POSITIVE_COUNT, SEED, Integral, Interval, Options, Real,
                                   StrOptions, as_rng, check, check_params)


def test_docstring_examples_run():
    for module in (descentlab.validation, descentlab.keyvalue):
        result = doctest.testmod(module)
        assert result.attempted >= 3 and result.failed == 0


@pytest.mark.parametrize("interval,text", [
    (Interval(Real, 0, None, closed="left"), ">= 0"),
    (Interval(Real, 0, None, closed="neither"), "> 0"),
    (Interval(Real, 0, 1, closed="left"), "in [0, 1)"),
    (Interval(Real, 0, 1, closed="right"), "in (0, 1]"),
    (Interval(Real, None, 1, closed="neither"), "< 1"),
    (Interval(Real, None, None), "a finite number"),
    (Interval(Integral, 1, None, closed="left"), "an integer >= 1"),
    (Interval(Integral, 2, 8), "an integer in [2, 8]"),
])
def test_intervals_describe_themselves(interval, text):
    assert interval.describe() == text


@pytest.mark.parametrize("value,allowed", [
    (0, True), (3, True), (np.int64(3), True), (np.uint8(3), True),
    (3.0, False), (2.5, False), (True, False), (False, False), (np.bool_(True), False),
    (-1, False), ("3", False), (None, False), (math.nan, False),
])
def test_whole_numbers_are_ints_only(value, allowed):
    """The rule: a count is an int or a NumPy integer; 2.0 is refused like 2.5; bools never count."""
    assert COUNT.allows(value) is allowed


@pytest.mark.parametrize("value,allowed", [
    (0, True), (0.5, True), (1, True), (np.float32(0.25), True),
    (True, False), (math.nan, False), (math.inf, False), (-0.1, False), ("0.1", False),
])
def test_reals_take_ints_but_never_bools_or_non_finite(value, allowed):
    assert NONNEGATIVE.allows(value) is allowed


def test_check_normalises_and_words_the_error():
    assert check("o", "lr", 1, [NONNEGATIVE]) == 1.0 and type(check("o", "lr", 1, [NONNEGATIVE])) is float
    assert type(check("o", "n", np.int64(4), [COUNT])) is int
    assert check("o", "flag", np.bool_(True), ["boolean"]) is True
    assert check("o", "f", None, [NONNEGATIVE, None]) is None
    with pytest.raises(ConfigError, match=r"^o: expected n an integer >= 0, got 2\.0\. Fix: pass n as a whole number "
                                          r"\(an int, not a float\), e\.g\. n=2\.$"):
        check("o", "n", 2.0, [COUNT])
    with pytest.raises(ConfigError, match=r"o: expected lr >= 0, got True\. Fix: True and False are not numbers"):
        check("o", "lr", True, [NONNEGATIVE])
    with pytest.raises(ConfigError, match=r"o: expected form one of 'a', 'b', got 'c'\. Fix: choose form from: a, b\."):
        check("o", "form", "c", [StrOptions(("a", "b"))])
    with pytest.raises(ConfigError, match=r"o: expected ord one of 1, 2, inf, got True"):
        check("o", "ord", True, [Options((1, 2, math.inf))])
    with pytest.raises(ConfigError, match=r"expected x a finite number or None, got an array of shape \(2,\)"):
        check("o", "x", np.zeros(2), [Interval(Real, None, None), None])
    assert check_params("o", {"a": 1, "other": "kept"}, {"a": [POSITIVE_COUNT]}) == {"a": 1, "other": "kept"}


def test_seeds_are_counts_generators_or_none():
    g = np.random.default_rng(0)
    assert as_rng("o", g) is g
    assert as_rng("o", 3).integers(1000) == np.random.default_rng(3).integers(1000)
    assert isinstance(as_rng("o", None), np.random.Generator)
    for bad in (-1, 1.0, True, "0"):
        with pytest.raises(ConfigError, match=r"o: expected seed an integer >= 0 or a Generator or None"):
            as_rng("o", bad)
    assert SEED[0] is COUNT


# ---------------------------------------------------------------------------------------
# Every call site: (call, exception, message pattern). The same value is refused with the
# same words wherever it is passed.


def _fit(**kw):
    from descentlab.data import two_moons
    from descentlab.nn import mlp
    from descentlab.train import fit

    return fit(mlp([2, 3, 2], seed=0), two_moons(20, seed=0), epochs=kw.pop("epochs", 1), quiet=True, **kw)


def _minimize(**kw):
    from descentlab.train import minimize

    return minimize("x2", [1.0], "sgd", lr=0.1, **kw)


def _opt(name, **kw):
    from descentlab.optim import make_optimizer

    return make_optimizer(name, **kw)


def _sched(cls, *a, **kw):
    import descentlab.optim.schedules as s

    return getattr(s, cls)(*a, **kw)


def _stop(cls, *a, **kw):
    import descentlab.optim.stopping as s

    return getattr(s, cls)(*a, **kw)


def _data(fn, *a, **kw):
    import descentlab.data as d

    return getattr(d, fn)(*a, **kw)


ERRORS = [
    # counts: a float, a bool, out of range -- the same words at every site
    (lambda: _minimize(steps=2.0), r"minimize: expected steps an integer >= 0, got 2\.0\. Fix: pass steps as a whole number"),
    (lambda: _minimize(steps=True), r"minimize: expected steps an integer >= 0, got True"),
    (lambda: _fit(epochs=2.0), r"fit: expected epochs an integer >= 1, got 2\.0\. Fix: pass epochs as a whole number"),
    (lambda: _fit(epochs=True), r"fit: expected epochs an integer >= 1, got True"),
    (lambda: _fit(early_stopping=1.5), r"fit: expected early_stopping an integer >= 1 or None, got 1\.5"),
    (lambda: _fit(seed=-1), r"fit: expected seed an integer >= 0 or a Generator or None, got -1"),
    (lambda: _stop("MaxSteps", 2.0), r"MaxSteps: expected n an integer >= 0, got 2\.0\. Fix: pass n as a whole number"),
    (lambda: _stop("MaxSteps", True), r"MaxSteps: expected n an integer >= 0, got True"),
    (lambda: _stop("NoImprovement", patience=3.0), r"NoImprovement: expected patience an integer >= 1, got 3\.0"),
    (lambda: _sched("StepDecay", 0.1, every=10.0), r"StepDecay: expected every an integer >= 1, got 10\.0"),
    (lambda: _sched("Cosine", 0.1, total=True), r"Cosine: expected total an integer >= 1, got True"),
    (lambda: _data("minibatch", 32.0), r"minibatch: expected batch size an integer >= 1, got 32\.0"),
    (lambda: _data("minibatch", True), r"minibatch: expected batch size an integer >= 1, got True"),
    (lambda: _data("two_moons", 100.0), r"two_moons: expected n_samples an integer >= 2, got 100\.0"),
    (lambda: _data("spirals", 30, n_classes=1), r"spirals: expected n_classes an integer >= 2, got 1"),
    # reals: NaN, infinity, bools and strings refused
    (lambda: _minimize(grad_noise=math.nan), r"minimize: expected grad_noise >= 0, got nan"),
    (lambda: _minimize(tol=True), r"minimize: expected tol >= 0 or None, got True"),
    (lambda: _minimize(bound=0.0), r"minimize: expected bound > 0, got 0\.0"),
    (lambda: _fit(grad_tol=math.inf), r"fit: expected grad_tol >= 0 or None, got inf"),
    (lambda: _opt("adam", lr=True), r"adam: expected lr >= 0 or a callable, got True"),
    (lambda: _opt("sgd", momentum=math.nan), r"sgd: expected momentum >= 0, got nan"),
    (lambda: _opt("adam", amsgrad=1), r"adam: expected amsgrad True or False, got 1"),
    (lambda: _sched("Exponential", 0.1, k=math.inf), r"Exponential: expected k >= 0, got inf"),
    (lambda: _sched("Exponential", 0.1, k=0.1, staircase=0), r"Exponential: expected staircase True or False, got 0"),
    (lambda: _stop("GradNorm", eps=True), r"GradNorm: expected eps >= 0, got True"),
    (lambda: _stop("Divergence", factor=0.5), r"Divergence: expected factor >= 1 or None, got 0\.5"),
    (lambda: _stop("Divergence", check_grad="yes"), r"Divergence: expected check_grad True or False, got 'yes'"),
    (lambda: _data("minibatch", 4, last="half"), r"Batching: expected last one of 'keep', 'drop', got 'half'"),
    (lambda: _data("train_val_split", _data("two_moons", 20), 1.0),
     r"train_val_split: expected val_fraction in \(0, 1\), got 1\.0"),
    (lambda: _data("two_moons", 20, seed=1.5), r"two_moons: expected seed an integer >= 0 or a Generator or None, got 1\.5"),
    (lambda: __import__("descentlab.nn", fromlist=["x"]).Linear(2.0, 3), r"Linear: expected in_features an integer >= 1, got 2\.0"),
    (lambda: __import__("descentlab.train.lr_finder", fromlist=["x"]).lr_find(None, None, steps=50.0),
     r"lr_find: expected steps an integer >= 5, got 50\.0"),
    (lambda: __import__("descentlab.train.lr_finder", fromlist=["x"]).lr_find(None, None, lr_min=math.nan),
     r"lr_find: expected lr_min > 0, got nan"),
    # the schedules' text form reads numbers with the one KEY=VALUE grammar
    (lambda: __import__("descentlab.optim.schedules", fromlist=["x"]).parse_schedule("cosine:total=10.0", lr=0.1),
     r"Cosine: expected total an integer >= 1, got 10\.0"),
]


@pytest.mark.parametrize("call,pattern", ERRORS, ids=[p[:60] for _, p in ERRORS])
def test_every_call_site_words_a_bad_value_the_same_way(call, pattern):
    with pytest.raises(ConfigError, match=pattern) as info:
        call()
    assert "Fix: " in str(info.value)


def test_the_sites_agree_on_two_point_zero():
    """The example that started it: minimize(steps=2.0) ran while MaxSteps(2.0) was refused."""
    from descentlab.optim.stopping import MaxSteps

    messages = []
    for call in (lambda: _minimize(steps=2.0), lambda: MaxSteps(2.0), lambda: _fit(epochs=2.0)):
        with pytest.raises(ConfigError) as info:
            call()
        messages.append(str(info.value).split(": ", 1)[1].split(" got")[0])
    assert all("an integer >=" in m for m in messages), messages
    assert _minimize(steps=2, tol=None).x.shape == (3, 1)  # the int form runs
