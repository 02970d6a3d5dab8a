from __future__ import annotations

import pytest
from sweeputil import tiny_study


@pytest.fixture
def tiny():
    return tiny_study()
