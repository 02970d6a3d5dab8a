"""The dataset cache: a second load reads one .npz, imports no scikit-learn, and gives the same arrays."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from descentlab.data import cache as cache_mod
from descentlab.data.dataset import Dataset

_LOAD = """
import hashlib, json, sys, time
from descentlab.data import load_dataset
d = load_dataset({name!r})
print(json.dumps({{"sklearn": "sklearn" in sys.modules, "X": hashlib.sha256(d.X.tobytes()).hexdigest(),
                  "y": hashlib.sha256(d.y.tobytes()).hexdigest(), "shape": list(d.X.shape), "k": d.n_classes}}))
"""


def _load_in_subprocess(name, folder):
    env = {**os.environ, cache_mod.ENV: str(folder)}
    r = subprocess.run([sys.executable, "-c", _LOAD.format(name=name)], capture_output=True, text=True, env=env,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.mark.parametrize("name, sklearn_on_first", [("digits", True), ("mnist_5k", False)])
def test_a_second_load_comes_from_the_cache_without_sklearn(name, sklearn_on_first, tmp_path):
    first = _load_in_subprocess(name, tmp_path)
    assert first["sklearn"] is sklearn_on_first
    assert len(list(tmp_path.glob(f"{name}-*.npz"))) == 1
    second = _load_in_subprocess(name, tmp_path)
    assert second["sklearn"] is False
    assert second == {**first, "sklearn": False}  # the same bytes, shape and classes


def test_the_cached_digits_equal_scikit_learns(tmp_path, monkeypatch):
    from sklearn.datasets import load_digits

    from descentlab.data import digits

    monkeypatch.setenv(cache_mod.ENV, str(tmp_path))
    digits()
    again = digits()  # from the file
    ref = load_digits()
    assert np.array_equal(again.X, ref.data) and np.array_equal(again.y, ref.target)
    assert again.n_classes == 10 and again.name == "digits" and again.X.dtype == np.float64


def _source(tmp_path, text="1"):
    src = tmp_path / "source.csv"
    src.write_text(text)
    return src


def _counting_build():
    calls = []

    def build():
        calls.append(1)
        return Dataset(np.arange(6.0).reshape(3, 2), np.array([0, 1, 1]), "classification", 2, "toy", {"n": 1})

    return build, calls


def test_a_changed_source_builds_again_and_drops_the_old_file(tmp_path, monkeypatch):
    monkeypatch.setenv(cache_mod.ENV, str(tmp_path / "c"))
    src = _source(tmp_path)
    build, calls = _counting_build()
    a = cache_mod.cached_dataset("toy", src, build)
    b = cache_mod.cached_dataset("toy", src, build)
    assert len(calls) == 1 and np.array_equal(a.X, b.X) and b.info == {"n": 1} and b.n_classes == 2
    src.write_text("12")  # a new version of the source: other size and mtime
    cache_mod.cached_dataset("toy", src, build)
    assert len(calls) == 2 and len(list((tmp_path / "c").glob("toy-*.npz"))) == 1


def test_a_damaged_cache_file_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv(cache_mod.ENV, str(tmp_path))
    src = _source(tmp_path)
    build, calls = _counting_build()
    cache_mod.cached_dataset("toy", src, build)
    (f,) = tmp_path.glob("toy-*.npz")
    f.write_bytes(f.read_bytes()[:100])  # truncated
    d = cache_mod.cached_dataset("toy", src, build)
    assert len(calls) == 2 and d.X.shape == (3, 2)
    assert cache_mod.cached_dataset("toy", src, build).X.shape == (3, 2) and len(calls) == 2  # whole again


def test_an_unwritable_cache_costs_speed_not_the_load(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setenv(cache_mod.ENV, str(blocker / "cache"))
    build, calls = _counting_build()
    for _ in range(2):
        assert cache_mod.cached_dataset("toy", _source(tmp_path), build).X.shape == (3, 2)
    assert len(calls) == 2


def test_off_and_the_default_folders(tmp_path, monkeypatch):
    monkeypatch.setenv(cache_mod.ENV, "off")
    assert cache_mod.cache_dir() is None
    build, calls = _counting_build()
    cache_mod.cached_dataset("toy", _source(tmp_path), build)
    cache_mod.cached_dataset("toy", _source(tmp_path), build)
    assert len(calls) == 2
    monkeypatch.delenv(cache_mod.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_mod.cache_dir() == tmp_path / "xdg" / "descentlab"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_mod.cache_dir() == tmp_path / "home" / ".cache" / "descentlab"
