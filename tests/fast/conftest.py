"""Shared fixtures: run every kernel test on each available backend."""
from __future__ import annotations

import pytest

from descentlab.fast import kernels

BACKENDS = ["numpy"] + (["numba"] if kernels.numba_available() else [])


@pytest.fixture(params=BACKENDS)
def backend(request):
    """Select a kernel backend for one test, and restore 'auto' afterwards."""
    kernels.set_backend(request.param)
    yield request.param
    kernels.set_backend("auto")


@pytest.fixture
def small_chunks(monkeypatch):
    """Make the NumPy backend's chunks tiny so that every test crosses chunk boundaries."""
    monkeypatch.setattr(kernels, "CHUNK", 7)
