"""Atomic files and npz state without pickle."""
from __future__ import annotations

import os
import stat

import numpy as np
import pytest

from descentlab._io import atomic_write_text, dumps_json, load_arrays, save_arrays
from descentlab.errors import StateFileError


def test_atomic_write_gives_ordinary_permissions(tmp_path):
    p = atomic_write_text(tmp_path / "a" / "b.txt", "hi")
    assert p.read_text() == "hi"
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(p.stat().st_mode) == 0o666 & ~mask
    assert [f.name for f in p.parent.iterdir()] == ["b.txt"]  # no temporary left behind


def test_arrays_round_trip_and_truncation_is_reported(tmp_path):
    a = {"w": np.arange(6.0).reshape(2, 3), "n": np.array([1, 2], dtype=np.int32)}
    p = save_arrays(tmp_path / "s.npz", a, {"step": 3})
    got, meta = load_arrays(p)
    assert meta == {"step": 3}
    assert all(np.array_equal(got[k], a[k]) and got[k].dtype == a[k].dtype for k in a)
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
    with pytest.raises(StateFileError, match="truncated or corrupt"):
        load_arrays(p)


@pytest.mark.parametrize(
    "content, pattern",
    [(None, "existing state file"), (b"not a zip", "truncated or corrupt")],
)
def test_bad_state_files(tmp_path, content, pattern):
    p = tmp_path / "s.npz"
    if content is not None:
        p.write_bytes(content)
    with pytest.raises(StateFileError, match=pattern):
        load_arrays(p)


def test_foreign_npz_without_manifest(tmp_path):
    p = tmp_path / "f.npz"
    np.savez(p, x=np.zeros(2))
    with pytest.raises(StateFileError, match="manifest"):
        load_arrays(p)


def test_object_arrays_are_refused(tmp_path):
    with pytest.raises(TypeError, match="dtype=object"):
        save_arrays(tmp_path / "o.npz", {"o": np.array([{}], dtype=object)}, {})


def test_json_never_writes_bare_nan():
    assert dumps_json({"a": float("nan"), "b": np.float64("inf"), "c": np.arange(2)}, indent=None) == \
        '{"a": "nan", "b": "inf", "c": [0, 1]}'
