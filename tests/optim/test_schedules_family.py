"""One-cycle, SGDR, cyclic, repeated milestones, products, optax's exponential forms and
ReduceLROnPlateau against PyTorch 2.13 and optax, over 1,000 steps at 1e-12.

The rates are recorded by tools/fixtures/make_schedule_family_fixtures.py; each case holds
descentlab's schedule config, so the replay is ``from_config(case["schedule"])``.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from descentlab.errors import ConfigError
from descentlab.optim import load_state, make_optimizer, save_state
from descentlab.optim.schedules import (SCHEDULES, CosineRestarts, Cyclic, ExponentialRate, MultiStep, OneCycle,
                                        PiecewiseLinear, Plateau, Product, StepDecay, from_config, parse_schedule)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TORCH = json.loads((FIXTURES / "schedules_family_torch.json").read_text())
OPTAX = json.loads((FIXTURES / "schedules_family_optax.json").read_text())
CASES = [("torch", c) for c in TORCH["cases"]] + [("optax", c) for c in OPTAX["cases"]]
RTOL = 1e-12


@pytest.mark.parametrize("source,case", CASES, ids=[f"{s}-{c['name']}" for s, c in CASES])
def test_matches_the_framework_over_1000_steps(source, case):
    ours = from_config(case["schedule"]).values(np.arange(len(case["lrs"])))
    theirs = np.array(case["lrs"])
    assert len(theirs) >= 997 and np.ptp(theirs) > 0
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=1e-18)


def test_fixtures_cover_what_the_frameworks_have():
    kinds = {(s, c["schedule"]["kind"]) for s, c in CASES}
    assert {("torch", k) for k in ("onecycle", "sgdr", "cyclic", "multistep", "product", "poly")} <= kinds
    assert {("optax", k) for k in ("exp_rate", "poly", "piecewise")} <= kinds
    anneal = {c["schedule"].get("anneal", "cos") for s, c in CASES if c["schedule"]["kind"] == "onecycle"}
    modes = {c["schedule"].get("mode", "triangular") for s, c in CASES if c["schedule"]["kind"] == "cyclic"}
    assert anneal == {"cos", "linear"} and modes == {"triangular", "triangular2", "exp_range"}


# wrong variants, each a plausible porting mistake, must miss the recorded rates
WRONG = [
    ("onecycle_cos", lambda c: {**c, "anneal": "linear"}),
    ("onecycle_linear", lambda c: {**c, "pct_start": 0.3}),
    ("sgdr_t_mult_2", lambda c: {**c, "T_mult": 1}),
    ("cyclic_triangular2", lambda c: {**c, "mode": "triangular"}),
    ("cyclic_exp_range", lambda c: {**c, "gamma": 0.999}),
    ("multistep_repeated", lambda c: {**c, "milestones": sorted(set(c["milestones"]))}),  # the old dedupe
    ("chained_exp_step", lambda c: {**c, "factors": c["factors"][:1]}),
]


@pytest.mark.parametrize("name,change", WRONG, ids=[w[0] for w in WRONG])
def test_a_wrong_variant_misses(name, change):
    case = next(c for s, c in CASES if c["name"] == name)
    ours = from_config(change(dict(case["schedule"]))).values(np.arange(len(case["lrs"])))
    assert np.max(np.abs(ours - np.array(case["lrs"])) / np.array(case["lrs"])) > 1e-3


@pytest.mark.parametrize("case", TORCH["plateau"], ids=[c["name"] for c in TORCH["plateau"]])
def test_reduce_on_plateau_follows_pytorchs_own_test_sequences(case):
    plateau = Plateau(0.5, **case["kwargs"])
    got = [plateau.step(m) for m in case["metrics"]]
    np.testing.assert_allclose(got, case["lrs"], rtol=RTOL)
    assert len(set(case["lrs"])) > 1 or case["name"] in ("plateau1", "plateau4", "plateau6")


def test_reduce_on_plateau_resumes_exactly_from_a_saved_optimizer(tmp_path):
    metrics = TORCH["plateau"][6]["metrics"]  # plateau7: two reductions and a cooldown
    kwargs = TORCH["plateau"][6]["kwargs"]
    opt = make_optimizer("sgd", lr=Plateau(0.5, **kwargs))
    params = {"x": np.array([1.0, -1.0])}
    state = opt.init(params)
    straight = []
    for k, m in enumerate(metrics):
        opt.step(params, {"x": params["x"]}, state)
        straight.append(opt.lr.step(m))
        if k == 9:
            path = save_state(tmp_path / "s.npz", state, opt)
            saved_x = params["x"].copy()
    state2, opt2 = load_state(path, params={"x": saved_x})
    assert opt2.lr.current == straight[9] and opt2.lr.epochs == 10  # the plateau's state came back with it
    params2 = {"x": saved_x}
    resumed = straight[:10]
    for m in metrics[10:]:
        opt2.step(params2, {"x": params2["x"]}, state2)
        resumed.append(opt2.lr.step(m))
    assert resumed == straight
    np.testing.assert_array_equal(params2["x"], params["x"])


def test_plateau_refuses_a_nan_metric():
    with pytest.raises(ConfigError, match="not NaN"):
        Plateau(0.1).step(float("nan"))


def test_multistep_counts_repeats_in_any_order():
    s = MultiStep(1.0, milestones=(20, 10, 10), gamma=0.5)
    assert s.milestones == (10, 10, 20)
    assert [s(9), s(10), s(20)] == [1.0, 0.25, 0.125]


def test_exponential_end_and_growth_are_checked():
    with pytest.raises(ConfigError, match=r"end <= lr for a decay"):
        ExponentialRate(0.1, 0.5, end=0.2)
    with pytest.raises(ConfigError, match=r"end >= lr for a growth"):
        ExponentialRate(0.1, 1.5, end=0.05)


def test_onecycle_peaks_where_pytorch_puts_the_peak_and_ends_at_the_final_rate():
    s = OneCycle(1.0, total=100, pct_start=0.3)
    assert s(29) == 1.0 and s(0) == pytest.approx(1.0 / 25, rel=1e-14)
    assert s(99) == s(10_000) == pytest.approx(1.0 / 25 / 1e4, rel=1e-12)


def test_text_forms_and_configs_round_trip():
    for text, lr in [("onecycle:total=500,anneal=linear", 0.1), ("sgdr:T_0=10,T_mult=2", 0.1),
                     ("cyclic:max_lr=0.1,step_size_up=20,mode=exp_range,gamma=0.99", 0.01),
                     ("piecewise:steps=0/10/20,rates=0/1/0.5", None), ("exp:rate=1.1,end=0.5,begin=3", 0.1),
                     ("plateau:factor=0.5,patience=2,mode=max", 0.1)]:
        s = parse_schedule(text, lr=lr)
        again = from_config(json.loads(json.dumps(s.to_config())))
        assert again == s and np.array_equal(again.values(np.arange(50)), s.values(np.arange(50)))
    p = Product(0.1, (StepDecay(1.0, 3), CosineRestarts(1.0, 5)))
    assert from_config(json.loads(json.dumps(p.to_config()))) == p
    assert {"onecycle", "sgdr", "cyclic", "piecewise", "product", "plateau"} <= set(SCHEDULES)
    assert Cyclic(0.01, 0.1, 10)(10) == pytest.approx(0.1) and PiecewiseLinear((0, 10), (0.0, 1.0))(5) == 0.5


def test_plateau_in_fit_reads_the_epoch_loss_and_resumes_exactly_from_a_checkpoint(tmp_path):
    from descentlab.data import full, two_moons
    from descentlab.nn import mlp
    from descentlab.train.fit import fit

    data = two_moons(40, seed=0)

    def run(**kw):
        opt = make_optimizer("sgd", lr=Plateau(2.0, factor=0.5, patience=0, threshold=0.05))
        return fit(mlp([2, 8, 2], "tanh", seed=0), data, "auto", opt, full(), epochs=8, quiet=True, **kw), opt

    straight, opt_s = run()
    assert len(set(straight.epochs["lr"])) > 1  # the plateau did reduce the rate
    ck = tmp_path / "ck"
    stop_at_3 = [lambda e, i: "interrupt" if e == "epoch" and i["epoch"] == 3 else None]
    first, _ = run(checkpoint=ck, callbacks=stop_at_3)
    assert first.stop.kind == "interrupted"
    resumed, opt_r = run(checkpoint=ck, resume=True)
    assert resumed.epochs["lr"] == straight.epochs["lr"] and resumed.epochs["loss"] == straight.epochs["loss"]
    assert opt_r.lr.to_config() == opt_s.lr.to_config()
