"""FlatArrays: one buffer, named views, and recognising such a layout."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from descentlab.errors import DTypeError, ShapeError
from descentlab.fast import FlatArrays, flat_base, flatten_state_slots
from descentlab.optim import make_optimizer

shapes_st = st.dictionaries(st.text("abcdef", min_size=1, max_size=3),
                            st.lists(st.integers(0, 5), max_size=3).map(tuple), min_size=1, max_size=5)


@settings(max_examples=40, deadline=None)
@given(shapes=shapes_st, dtype=st.sampled_from([np.float32, np.float64]))
def test_views_tile_the_buffer_in_order(shapes, dtype):
    rng = np.random.default_rng(0)
    arrays = {k: rng.standard_normal(s).astype(dtype) for k, s in shapes.items()}
    fa = FlatArrays.from_arrays(arrays)
    assert fa.flat.dtype == dtype and fa.flat.size == sum(a.size for a in arrays.values())
    np.testing.assert_array_equal(fa.flat, np.concatenate([a.ravel() for a in arrays.values()]))
    for k, a in arrays.items():
        assert fa.views[k].shape == a.shape
        np.testing.assert_array_equal(fa.views[k], a)
        assert np.shares_memory(fa.views[k], fa.flat) or a.size == 0
    assert flat_base(fa.views) is (fa.flat if fa.flat.size else None)
    fa.flat[...] = 2.0   # writing the buffer writes every view
    assert all(np.all(v == 2.0) for v in fa.views.values())


def test_flat_base_refuses_what_is_not_one_tiled_buffer():
    fa = FlatArrays({"w": (2, 3), "b": (3,)})
    assert flat_base(fa.views) is fa.flat
    assert flat_base({"b": fa.views["b"], "w": fa.views["w"]}) is None     # out of order
    assert flat_base({"w": fa.views["w"]}) is None                          # does not cover it
    assert flat_base({"w": np.zeros((2, 3)), "b": np.zeros(3)}) is None    # separate arrays
    assert flat_base({"w": fa.views["w"], "b": fa.views["b"].copy()}) is None
    assert flat_base({}) is None


def test_optimizer_state_moves_into_flat_buffers_without_changing_values():
    params = FlatArrays.from_arrays({"w": np.ones((3, 2)), "b": np.zeros(2)}).views
    opt = make_optimizer("adam", lr=0.1)
    state = opt.init(params)
    opt.step(params, {"w": np.ones((3, 2)), "b": np.ones(2)}, state)
    before = state.copy()
    bufs = flatten_state_slots(state.slots, params)
    assert sorted(bufs) == ["m", "v"]
    assert state.equals(before)
    assert flat_base({k: state.slots[k]["m"] for k in params}) is bufs["m"].flat


@pytest.mark.parametrize("call, exc, pattern", [
    (lambda: FlatArrays({"a": (2,)}, np.int32), DTypeError, "float32 or float64"),
    (lambda: FlatArrays.from_arrays({}), ShapeError, "at least one array"),
])
def test_bad_input(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()
