"""Batching as the lecture defines it: full, stochastic, mini-batch; seeded; last batch."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from descentlab.data import full, minibatch, parse_batching, stochastic
from descentlab.errors import ConfigError, DataError


def test_full_batch_is_every_sample_every_step():
    b = full()
    e = b.epoch(7)
    assert len(e) == 1 and e[0].tolist() == list(range(7))


def test_stochastic_visits_each_sample_once_per_epoch_in_a_fresh_order():
    b = stochastic(seed=0)
    e1, e2 = b.epoch(10), b.epoch(10)
    assert all(len(i) == 1 for i in e1)
    assert sorted(int(i[0]) for i in e1) == list(range(10))
    assert [int(i[0]) for i in e1] != [int(i[0]) for i in e2]


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 60), k=st.integers(1, 60), last=st.sampled_from(["keep", "drop"]), seed=st.integers(0, 99))
def test_minibatch_partitions_the_epoch(n, k, last, seed):
    if k > n:
        with pytest.raises(DataError, match="batch size"):
            minibatch(k, last, seed).epoch(n)
        return
    b = minibatch(k, last, seed)
    batches = b.epoch(n)
    assert len(batches) == b.steps_per_epoch(n)
    sizes = [len(i) for i in batches]
    assert all(s == k for s in sizes[:-1])
    flat = np.concatenate(batches)
    assert len(set(flat.tolist())) == len(flat)
    if last == "keep":
        assert sorted(flat.tolist()) == list(range(n))
    else:
        assert len(flat) == n - n % k and sizes[-1] == k


def test_same_seed_same_batches_and_restore_replays_an_epoch():
    a, b = minibatch(4, seed=7), minibatch(4, seed=7)
    for _ in range(3):
        assert all(np.array_equal(x, y) for x, y in zip(a.epoch(10), b.epoch(10)))
    e = a.epoch(10)
    c = minibatch(4, seed=123)
    c.restore(a.epoch_start_state)
    assert all(np.array_equal(x, y) for x, y in zip(e, c.epoch(10)))
    assert all(np.array_equal(x, y) for x, y in zip(a.epoch(10), c.epoch(10)))


@pytest.mark.parametrize("make, exc, pattern", [
    (lambda: minibatch(0), ConfigError, r"minibatch: expected batch size an integer >= 1, got 0"),
    (lambda: minibatch(11).epoch(10), DataError, r"batch size <= 10"),
    (lambda: minibatch(3, last="half"), ConfigError, "keep"),
    (lambda: minibatch(2.5), ConfigError, r"batch size an integer >= 1, got 2\.5\. Fix: pass batch size as a whole number"),
    (lambda: parse_batching("tiny"), ConfigError, "minibatch:K"),
])
def test_bad_batching_is_rejected(make, exc, pattern):
    with pytest.raises(exc, match=pattern):
        make()


def test_parse_batching_names():
    assert parse_batching("full").kind == "full"
    assert parse_batching("sgd").batch_size == 1
    b = parse_batching("minibatch:32:drop")
    assert (b.batch_size, b.last) == (32, "drop")
