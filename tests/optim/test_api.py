"""The optimizer interface: init / update / step / eval_params / lr_at / config."""
from __future__ import annotations

import numpy as np
import pytest

from descentlab.errors import NumericalWarning
from hypothesis import given, settings, strategies as st

from descentlab.errors import ConfigError, ShapeError
from descentlab.optim import OptState, StepRecord, from_config, make_optimizer, optimizer_names


def quadratic_grad(params):
    # f = sum_k 0.5 * ||p_k||^2 * (index + 1): simple, separable, curved differently per parameter
    return {k: (i + 1.0) * v for i, (k, v) in enumerate(params.items())}


def fresh_params():
    return {"w": np.array([[1.0, -2.0], [0.5, 3.0]]), "b": np.array([0.25, -0.75])}


FIRST_ORDER = [n for n in optimizer_names() if n not in ("newton", "lbfgs")]  # lbfgs takes a closure


@pytest.mark.parametrize("name", FIRST_ORDER)
def test_step_equals_update_and_advances_state(name):
    opt = make_optimizer(name, lr=0.05)
    p_step, p_ref = fresh_params(), fresh_params()
    s_step, s_ref = opt.init(p_step), opt.init(p_ref)
    for k in range(5):
        g = quadratic_grad(opt.eval_params(p_step, s_step))
        before = {n: a.copy() for n, a in p_ref.items()}
        updates, new_ref = opt.update(quadratic_grad(opt.eval_params(p_ref, s_ref)), s_ref, p_ref)
        # update() is pure: neither params nor the old state changed
        assert all(np.array_equal(before[n], p_ref[n]) for n in p_ref)
        assert s_ref.step == k
        for n in p_ref:
            p_ref[n] = p_ref[n] + updates[n]
        s_ref = new_ref
        opt.step(p_step, g, s_step)
        assert s_step.step == k + 1
        for n in p_ref:
            np.testing.assert_array_equal(p_step[n], p_ref[n])
        assert s_step.equals(s_ref)


# Adadelta's first steps are about lr * sqrt(eps): the paper's lr = 1 and a larger eps
BOWL = {"adadelta": {"lr": 1.0, "eps": 1e-3}}


@pytest.mark.parametrize("name", FIRST_ORDER)
def test_first_order_rules_descend_a_bowl(name):
    opt = make_optimizer(name, **BOWL.get(name, {"lr": 0.05}))
    params = fresh_params()
    state = opt.init(params)
    start = sum(float(np.sum(v ** 2)) for v in params.values())
    for _ in range(100):
        opt.step(params, quadratic_grad(opt.eval_params(params, state)), state)
    end = sum(float(np.sum(v ** 2)) for v in params.values())
    assert end < 0.5 * start


def test_state_slots_are_named_per_parameter():
    opt = make_optimizer("adam")
    state = opt.init(fresh_params())
    assert isinstance(state, OptState) and state.step == 0
    assert set(state.slots) == {"w", "b"}
    assert set(state.slots["w"]) == {"m", "v"}
    assert state.slots["w"]["m"].shape == (2, 2)
    assert set(make_optimizer("amsgrad").init(fresh_params()).slots["b"]) == {"m", "v", "v_max"}
    assert set(make_optimizer("momentum").init(fresh_params()).slots["b"]) == {"b"}
    assert set(make_optimizer("momentum", preset="lecture").init(fresh_params()).slots["b"]) == {"v"}


def test_schedule_lr_uses_step_k_for_update_k():
    seen = []

    def schedule(k):
        seen.append(k)
        return 0.1 / (1 + k)

    opt = make_optimizer("sgd", lr=schedule)
    params = {"x": np.array([1.0])}
    state = opt.init(params)
    xs = []
    for k in range(3):
        rec = opt.step(params, {"x": np.array([1.0])}, state, record=True)
        assert rec.step == k and rec.lr == pytest.approx(0.1 / (1 + k))
        xs.append(params["x"][0])
    assert seen == [0, 1, 2]  # once per update, record included
    assert opt.lr_at(2) == pytest.approx(0.1 / 3)
    np.testing.assert_allclose(xs, [0.9, 0.85, 0.85 - 0.1 / 3])


def test_record_holds_the_pieces_of_an_adam_step():
    opt = make_optimizer("adam", lr=0.1, beta1=0.9, beta2=0.99, eps=1e-8)
    params = {"x": np.array([3.0, -4.0])}
    state = opt.init(params)
    g = {"x": np.array([3.0, -4.0])}
    rec = opt.step(params, g, state, record=True)
    assert isinstance(rec, StepRecord)
    assert rec.grad_norm == pytest.approx(5.0)
    np.testing.assert_allclose(rec.moments["x"]["m_hat"], g["x"])            # m_hat = g on step 1
    np.testing.assert_allclose(rec.moments["x"]["v_hat"], g["x"] ** 2)       # v_hat = g^2 on step 1
    np.testing.assert_allclose(rec.step_size["x"], 0.1 / (np.abs(g["x"]) + 1e-8))
    np.testing.assert_allclose(rec.update["x"], -0.1 * np.sign(g["x"]), rtol=1e-7)
    np.testing.assert_allclose(rec.buffers["x"]["m"], 0.1 * g["x"])
    np.testing.assert_array_equal(params["x"], np.array([3.0, -4.0]) + rec.update["x"])
    d = rec.to_dict()
    assert d["step"] == 0 and d["moments"]["x"]["m_hat"] == [3.0, -4.0]


def test_config_round_trip_rebuilds_the_same_optimizer():
    from descentlab.optim import PRESETS

    for name in optimizer_names():
        preset = "keras" if name in PRESETS["keras"] else "pytorch"  # Keras has no Rprop, no RAdam
        opt = make_optimizer(name, preset=preset, lr=0.02) if name != "newton" else make_optimizer(name)
        again = from_config(opt.to_config())
        assert again.hyper == opt.hyper and again.name == opt.name and again.preset == opt.preset


def test_plain_callable_lr_cannot_be_serialised():
    opt = make_optimizer("sgd", lr=lambda k: 0.1)
    with pytest.raises(ConfigError, match="schedule"):
        opt.to_config()


def test_gradients_must_match_the_parameters():
    opt = make_optimizer("sgd")
    params = fresh_params()
    state = opt.init(params)
    with pytest.raises(ShapeError, match="gradients for the parameters"):
        opt.step(params, {"w": np.zeros((2, 2))}, state)
    with pytest.raises(ShapeError, match=r"gradient of 'b' with shape \(2,\)"):
        opt.step(params, {"w": np.zeros((2, 2)), "b": np.zeros(3)}, state)


def test_aliases_and_case():
    assert make_optimizer("GD").name == "sgd"
    assert make_optimizer("sgd-momentum").name == "momentum"
    assert make_optimizer("NAG").hyper["nesterov"] is True
    assert make_optimizer("AdamW").hyper["weight_decay_form"] == "decoupled"
    assert make_optimizer("adam", preset=" Keras ").preset == "keras"


@pytest.mark.parametrize("name", ["adagrad", "rmsprop", "adam", "nadam"])
def test_eps_zero_on_a_zero_gradient_is_nan_and_the_record_says_so(name):
    # the trap docs/optimizers.md warns about: 0 / (sqrt(0) + 0)
    opt = make_optimizer(name, eps=0.0)
    params = {"x": np.zeros(2)}
    with np.errstate(divide="ignore", invalid="ignore"), pytest.warns(NumericalWarning, match="eps=0 divides a zero"):
        rec = opt.step(params, {"x": np.array([0.0, 1.0])}, opt.init(params), record=True)
    assert np.isnan(params["x"][0]) and np.isfinite(params["x"][1])
    assert rec.note == "non-finite update of 'x' at step 0"


def test_float32_parameters_stay_float32():
    opt = make_optimizer("adam")
    params = {"x": np.ones(3, dtype=np.float32)}
    state = opt.init(params)
    opt.step(params, {"x": np.ones(3, dtype=np.float32)}, state)
    assert params["x"].dtype == np.float32 and state.slots["x"]["m"].dtype == np.float32


@pytest.mark.parametrize("module", ["descentlab.optim", "descentlab.optim.registry", "descentlab.optim.hyperparams",
                                    "descentlab.optim.conventions"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0


# every convention form, in random combinations, still obeys the interface
_FORMS = {
    "sgd": dict(momentum=st.sampled_from([0.0, 0.5, 0.9]), momentum_form=st.sampled_from(["lr_outside", "lr_inside"]),
                weight_decay=st.sampled_from([0.0, 0.1]), weight_decay_form=st.sampled_from(["l2", "decoupled"])),
    "nesterov": dict(momentum_form=st.sampled_from(["lr_outside", "lr_inside"]),
                     nesterov_form=st.sampled_from(["transformed", "lookahead"])),
    "adagrad": dict(eps_placement=st.sampled_from(["outside", "inside"]), initial_accumulator=st.sampled_from([0.0, 0.1]),
                    lr_decay=st.sampled_from([0.0, 0.1])),
    "rmsprop": dict(eps_placement=st.sampled_from(["outside", "inside"]), centered=st.booleans(),
                    momentum=st.sampled_from([0.0, 0.9]), momentum_form=st.sampled_from(["lr_outside", "lr_inside"])),
    "adam": dict(eps_placement=st.sampled_from(["outside", "inside", "hat"]), amsgrad=st.booleans(),
                 amsgrad_form=st.sampled_from(["max_raw", "max_corrected"]),
                 weight_decay=st.sampled_from([0.0, 0.01]), weight_decay_form=st.sampled_from(["l2", "decoupled"])),
    "nadam": dict(nadam_schedule=st.sampled_from(["pytorch", "keras", "constant"]),
                  eps_placement=st.sampled_from(["outside", "inside"])),
}


@settings(max_examples=40, deadline=None)
@given(data=st.data(), name=st.sampled_from(sorted(_FORMS)), preset=st.sampled_from(["pytorch", "keras", "lecture"]))
def test_every_combination_of_forms_keeps_step_equal_to_update(data, name, preset):
    if preset == "lecture" and name == "nadam":
        preset = "pytorch"
    hyper = {k: data.draw(s, label=k) for k, s in _FORMS[name].items()}
    opt = make_optimizer(name, preset=preset, lr=0.05, **hyper)
    p_step, p_ref = fresh_params(), fresh_params()
    s_step, s_ref = opt.init(p_step), opt.init(p_ref)
    for _ in range(4):
        ref_state_before = s_ref.copy()
        updates, s_ref = opt.update(quadratic_grad(opt.eval_params(p_ref, s_ref)), s_ref, p_ref)
        p_ref = {n: p_ref[n] + updates[n] for n in p_ref}
        opt.step(p_step, quadratic_grad(opt.eval_params(p_step, s_step)), s_step)
        assert s_ref.step == ref_state_before.step + 1 and s_step.step == s_ref.step
    for n in p_ref:
        np.testing.assert_array_equal(p_step[n], p_ref[n])
        assert np.all(np.isfinite(p_step[n]))
    assert s_step.equals(s_ref)


def test_centred_rmsprop_on_a_constant_gradient_is_nan_as_in_pytorch():
    # PyTorch 2.13 (alpha=0.5, centered=True, g = 7.77) turns non-finite at step 53 too:
    # S - g_bar**2 rounds below 0 and its square root is nan (docs/optimizers.md)
    opt = make_optimizer("rmsprop", centered=True, beta=0.5, lr=1e-3)
    params = {"x": np.zeros(3)}
    state = opt.init(params)
    with np.errstate(invalid="ignore"), pytest.warns(NumericalWarning, match=r"at step 53 the update of 'x' is not "
                                                       r"finite .*centred RMSProp's v - m\^2 rounding below 0") as seen:
        notes = [opt.step(params, {"x": np.full(3, 7.77)}, state, record=True).note for _ in range(60)]
    assert seen[0].message.args[0].startswith("rmsprop: at step 53 ")
    first = next(k for k, note in enumerate(notes) if note)
    assert first == 53 and notes[53] == "non-finite update of 'x' at step 53"
