"""fit stops by optim.stopping: one StopReason vocabulary, and the rules' state in the checkpoint."""
from __future__ import annotations

import json

import numpy as np
import pytest

from descentlab._io import dumps_json
from descentlab.data import full, minibatch, two_moons
from descentlab.nn import mlp
from descentlab.optim import STOP_KINDS, StopReason, make_optimizer
from descentlab.optim.statefile import unpack_state
from descentlab.train.checkpoint import LoopPosition, load_checkpoint
from descentlab.train.fit import fit


def _net():
    return mlp([2, 8, 2], "tanh", seed=0)


@pytest.mark.parametrize("kw, kind", [
    (dict(epochs=2), "max_steps"),
    (dict(epochs=50, grad_tol=10.0), "converged"),
    (dict(epochs=2, lr=1e300), "diverged"),
    (dict(epochs=3, callbacks=[lambda e, i: e == "step" and i["step"] == 2]), "callback"),
    (dict(epochs=3, callbacks=[lambda e, i: "interrupt" if e == "step" else None]), "interrupted"),
    (dict(epochs=40, early_stopping=1, lr=5.0), "no_improvement"),
])
def test_every_stop_is_a_stop_reason_that_survives_json(kw, kind):
    kw = {"lr": 0.1, **kw}
    h = fit(_net(), two_moons(40, seed=0), "auto", "sgd", full(), quiet=True, **kw)
    assert isinstance(h.stop, StopReason) and h.stop.kind == kind and kind in STOP_KINDS
    assert f"{h.stop.step}" in h.stop.message or kind in ("max_steps", "no_improvement", "callback")
    assert "epoch" in h.stop.details
    back = StopReason.from_dict(json.loads(dumps_json(h.stop.to_dict())))
    assert back == h.stop or kind == "diverged" and back.message == h.stop.message


def test_converged_is_the_gradient_rule_of_the_lecture():
    h = fit(_net(), two_moons(40, seed=0), "auto", "sgd", full(), epochs=50, lr=0.1, grad_tol=10.0, quiet=True)
    assert h.stop.step == 0 and h.stop.details["grad_norm"] == h.steps["grad_norm"][0] <= 10.0
    assert h.n_steps == 1 and h.stop.message.startswith("converged at step 0: gradient 2-norm")


def test_a_finished_run_resumes_to_the_same_stop_reason(tmp_path):
    ck = tmp_path / "run.npz"
    h = fit(_net(), two_moons(40, seed=0), "auto", "sgd", full(), epochs=3, lr=1e300, checkpoint=ck, quiet=True)
    again = fit(_net(), two_moons(40, seed=0), "auto", "sgd", full(), epochs=3, lr=1e300, checkpoint=ck,
                resume=True, quiet=True)
    assert h.stop.kind == "diverged" and again.stop == h.stop  # details' inf comes back as a float


def test_the_checkpoint_holds_the_optimizer_state_in_the_statefile_layout_and_the_rules_state(tmp_path):
    ck = tmp_path / "run.npz"
    net = _net()
    opt = make_optimizer("adam", lr=0.01)
    fit(net, two_moons(90, seed=0), "auto", opt, minibatch(16, seed=3), 4, max_steps=9, early_stopping=3,
        checkpoint=ck, quiet=True)
    c = load_checkpoint(ck)
    state = unpack_state(c.arrays, c.meta["opt_state"], opt, net.params()).state
    assert state.step == 9 and set(state.slots) == set(net.params())
    assert set(c.meta["stop_rules"]) == {"diverged", "no_improvement", "max_steps"}
    assert c.meta["stop_rules"]["no_improvement"]["best_step"] == 0  # one epoch closed: its loss is the best
    fresh = make_optimizer("adam", lr=0.01)
    live = fresh.init(net.params())
    pos = c.restore(_net(), fresh, live, minibatch(16, seed=3))
    assert isinstance(pos, LoopPosition) and (pos.epoch, pos.batch) == (1, 3)
    for p, bufs in state.slots.items():
        for b, a in bufs.items():
            assert np.array_equal(live.slots[p][b], a)
