"""The rprop-with-mini-batches example: its numbers, a wrong variant, and its figure."""
from __future__ import annotations

import numpy as np
import pytest

from descentlab.lecture import run_example
from descentlab.lecture.rprop import BATCHES, drift_per_epoch


def test_the_numbers_on_the_docs_page():
    acc = run_example("rprop")
    assert acc.ok
    last = acc.data["drift_last_epoch"]
    assert last["sign g/|g|"] == pytest.approx(-0.08, rel=1e-12)
    assert last["rprop"] == pytest.approx(-384.2, rel=1e-9)         # 8 steps of 50 minus ... at the cap
    assert last["rmsprop β=0.9"] == pytest.approx(-0.0068, rel=0.01)
    assert last["rmsprop β=0.99"] == pytest.approx(-0.00076, rel=0.01)


def test_dividing_each_batch_by_its_own_size_is_the_sign_rule():
    # RMSProp with beta = 0 divides each batch by sqrt(g**2 + eps) = |g|: the rprop problem comes back,
    # so the example's RMSProp claim fails for it
    ends = drift_per_epoch("rmsprop", {"lr": 0.01, "beta": 0.0}, 5, preset="lecture")
    assert np.diff(ends)[-1] == pytest.approx(-0.08, rel=1e-4)
    assert not run_example("rprop", beta=1e-9).ok


def test_sum_of_the_batches_is_zero():
    assert abs(sum(BATCHES)) < 1e-15 and len(BATCHES) == 10


def test_the_figure_is_written(tmp_path):
    pytest.importorskip("matplotlib")
    from PIL import Image

    from descentlab.viz.rprop import plot_minibatch_rprop

    acc = run_example("rprop", epochs=5)
    out = plot_minibatch_rprop(acc.data["weights"], tmp_path / "rprop.png", lr=acc.data["lr"])
    with Image.open(out) as im:
        assert im.size == (640, 360)
