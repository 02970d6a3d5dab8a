"""Bad hyperparameters are rejected at construction, with the parameter, the value and the range."""
from __future__ import annotations

import math

import pytest

from descentlab.errors import ConfigError
from descentlab.optim import make_optimizer

# (optimizer, preset, hyperparameters, message pattern)
BAD = [
    ("sgd", None, dict(lr=-0.1), r"sgd: expected lr >= 0 or a callable, got -0\.1"),
    ("adam", None, dict(lr=math.nan), r"adam: expected lr >= 0 or a callable, got nan"),
    ("adam", None, dict(lr=math.inf), r"adam: expected lr >= 0 or a callable, got inf"),
    ("sgd", None, dict(lr="0.1"), r"sgd: expected lr >= 0 or a callable, got '0\.1'.*schedule"),
    ("adam", None, dict(beta1=1.0), r"adam: expected beta1 in \[0, 1\), got 1\.0"),
    ("adam", None, dict(beta1=-0.1), r"adam: expected beta1 in \[0, 1\), got -0\.1"),
    ("adamw", None, dict(beta2=1.5), r"adamw: expected beta2 in \[0, 1\), got 1\.5"),
    ("nadam", None, dict(beta2=1.0), r"nadam: expected beta2 in \[0, 1\), got 1\.0"),
    ("rmsprop", None, dict(beta=1.0), r"rmsprop: expected beta in \[0, 1\), got 1\.0"),
    ("adam", None, dict(eps=-1e-8), r"adam: expected eps >= 0, got -1e-08"),
    ("adagrad", None, dict(eps=-1.0), r"adagrad: expected eps >= 0, got -1\.0"),
    ("rmsprop", None, dict(eps=-1e-6), r"rmsprop: expected eps >= 0, got -1e-06"),
    # momentum's upper bound is the preset's framework's (PyTorch and optax have none)
    ("momentum", "lecture", dict(momentum=1.0), r"momentum: expected momentum in \[0, 1\) with preset 'lecture', "
                                                r"got 1\.0.*no friction"),
    ("momentum", None, dict(momentum=-0.5), r"momentum: expected momentum >= 0, got -0\.5"),
    ("momentum", "keras", dict(momentum=1.2), r"momentum: expected momentum in \[0, 1\] with preset 'keras', got 1\.2"),
    ("rmsprop", "cs231n", dict(momentum=1.0), r"rmsprop: expected momentum in \[0, 1\) with preset 'cs231n'"),
    ("sgd", None, dict(dampening=1.5), r"sgd: expected dampening in \[0, 1\], got 1\.5"),
    ("sgd", None, dict(weight_decay=-0.01), r"sgd: expected weight_decay >= 0, got -0\.01"),
    ("adagrad", None, dict(initial_accumulator=-0.1), r"adagrad: expected initial_accumulator >= 0, got -0\.1"),
    ("adagrad", None, dict(lr_decay=-1.0), r"lr_decay >= 0"),
    ("newton", None, dict(regularization=-1.0), r"newton: expected regularization >= 0, got -1\.0"),
    ("adam", None, dict(amsgrad="yes"), r"adam: expected amsgrad True or False, got 'yes'"),
    # unknown names list the known ones
    ("sgd", "tensorflow", {}, r"preset among pytorch, keras, optax, cs231n, lecture, got 'tensorflow'"),
    ("adm", None, {}, r"optimizer name among sgd, momentum, nesterov, adagrad, rmsprop, adam, amsgrad, adamw, "
                      r"nadam, rprop, adadelta, adamax, radam, lion, lamb, adafactor, lbfgs, newton, got 'adm'"),
    ("adam", None, dict(eps_placement="middle"), r"adam: expected eps_placement one of 'outside', 'inside', 'hat', got 'middle'"),
    ("momentum", None, dict(momentum_form="sideways"), r"momentum_form one of 'lr_outside', 'lr_inside'"),
    ("nesterov", None, dict(nesterov_form="peek"), r"nesterov_form one of 'transformed', 'lookahead'"),
    ("adamw", None, dict(weight_decay_form="l1"), r"weight_decay_form one of 'l2', 'decoupled'"),
    ("nadam", None, dict(nadam_schedule="linear"), r"nadam_schedule one of 'pytorch', 'keras', 'constant'"),
    ("newton", None, dict(fallback="panic"), r"fallback one of 'regularize', 'gradient', 'none'"),
    ("rmsprop", None, dict(alpha=0.9), r"hyperparameters of rmsprop, got alpha.*alpha -> beta"),
    ("adam", None, dict(betas=(0.9, 0.99)), r"betas -> beta1=\.\.\., beta2=\.\.\."),
    ("adam", None, dict(learning_rate=0.1), r"learning_rate -> lr"),
    # combinations
    ("adagrad", None, dict(eps_placement="hat"), r"eps_placement in \('outside', 'inside'\) for adagrad.*Adam"),
    ("nesterov", None, dict(momentum=0.0), r"momentum > 0 with nesterov=True"),
    ("nesterov", None, dict(dampening=0.1), r"dampening = 0 with nesterov=True"),
    ("momentum", "lecture", dict(dampening=0.5), r"dampening = 0 with momentum_form='lr_inside'"),
    # presets
    ("adam", "optax", {}, r"lr for adam with preset 'optax'.*optax has no default"),
    ("nadam", "cs231n", {}, r"an optimizer that preset 'cs231n' defines \(sgd, .*\), got nadam"),
]


@pytest.mark.parametrize("name,preset,hyper,pattern", BAD, ids=[f"{n}-{p}-{h}" for n, p, h, _ in BAD])
def test_bad_hyperparameters_are_rejected_at_construction(name, preset, hyper, pattern):
    with pytest.raises(ConfigError, match=pattern) as info:
        make_optimizer(name, preset=preset, **hyper)
    assert isinstance(info.value, ValueError)
    assert "Fix:" in str(info.value)


GOOD = [
    ("sgd", dict(lr=0.0)),                 # lr = 0 is allowed (a frozen run)
    ("adam", dict(beta1=0.0, beta2=0.0)),  # the lower ends are in [0, 1)
    ("adam", dict(eps=0.0)),
    ("sgd", dict(dampening=1.0)),          # dampening is in [0, 1], closed
    ("momentum", dict(momentum=0.999)),
    ("sgd", dict(lr=lambda k: 0.1)),       # a schedule
]


@pytest.mark.parametrize("name,hyper", GOOD)
def test_edge_values_are_accepted(name, hyper):
    make_optimizer(name, **hyper)


def test_schedule_giving_a_negative_lr_is_reported_with_the_step():
    import numpy as np

    opt = make_optimizer("sgd", lr=lambda k: 0.25 - 0.1 * k)
    params = {"x": np.ones(1)}
    state = opt.init(params)
    for _ in range(3):
        opt.step(params, {"x": np.ones(1)}, state)
    with pytest.raises(ConfigError, match=r"lr >= 0 at step 3, got -0\.05"):
        opt.step(params, {"x": np.ones(1)}, state)


# -- what step() and update() are given ---------------------------------------------------
def _adam_setup():
    import numpy as np

    opt = make_optimizer("adam", lr=0.1)
    params = {"x": np.ones(2)}
    return opt, params, opt.init(params)


def _call(kind, opt, params, grads, state):
    if kind == "step":
        return opt.step(params, grads, state)
    return opt.update(grads, state, params)


# (what is wrong, make (params, grads, state) from a fresh adam setup, exception, message pattern)
BAD_STEP_INPUT = [
    ("missing gradient", lambda o, p, s: (p, {}, s), "ShapeError", r"gradients for the parameters \['x'\], got missing \['x'\]"),
    ("extra gradient", lambda o, p, s: (p, {"x": p["x"], "y": p["x"]}, s), "ShapeError", r"got extra \['y'\]"),
    ("wrong shape", lambda o, p, s: (p, {"x": [1.0, 2.0, 3.0]}, s), "ShapeError", r"gradient of 'x' with shape \(2,\), got shape \(3,\)"),
    ("complex gradient", lambda o, p, s: (p, {"x": [1j, 1.0]}, s), "DTypeError", r"real-valued gradient for 'x', got dtype complex128"),
    ("text gradient", lambda o, p, s: (p, {"x": ["a", "b"]}, s), "DTypeError", r"real-valued gradient for 'x', got dtype <U1"),
    ("gradient not a dict", lambda o, p, s: (p, p["x"], s), "ConfigError", r"gradients as a dict of name -> array, got ndarray"),
    ("integer parameters", lambda o, p, s: ({"x": [1, 2]}, {"x": [1.0, 1.0]}, s), "DTypeError",
     r"floating-point array for parameter 'x', got dtype int64.*np\.asarray\(x, dtype=float\)"),
    ("other parameter names", lambda o, p, s: ({"y": p["x"]}, {"x": p["x"]}, s), "ShapeError",
     r"parameters \['x'\] \(as in init\(\)\), got \['y'\]"),
    ("state of another optimizer", lambda o, p, s: (p, {"x": p["x"]}, make_optimizer("momentum").init(p)), "ConfigError",
     r"buffers \['m', 'v'\] for parameter 'x' \(adam\), got \['b'\]"),
    ("state not an OptState", lambda o, p, s: (p, {"x": p["x"]}, {}), "ConfigError", r"OptState made by opt\.init\(params\), got dict"),
]


@pytest.mark.parametrize("kind", ["step", "update"])
@pytest.mark.parametrize("what,make,exc,pattern", BAD_STEP_INPUT, ids=[b[0] for b in BAD_STEP_INPUT])
def test_bad_step_input_is_a_sentence_not_a_numpy_error(kind, what, make, exc, pattern):
    import numpy as np

    from descentlab import errors

    opt, params, state = _adam_setup()
    p, g, s = make(opt, params, state)
    p = {k: np.asarray(v) for k, v in p.items()}
    with pytest.raises(getattr(errors, exc), match=pattern) as info:
        _call(kind, opt, p, g, s)
    assert "Fix:" in str(info.value)
    assert state.step == 0 and np.array_equal(params["x"], np.ones(2))  # nothing moved


# (what the schedule returns, message pattern)
BAD_SCHEDULE_VALUES = [
    (math.nan, r"lr >= 0 at step 0, got nan"),
    (math.inf, r"lr >= 0 at step 0, got inf"),
    ("0.1", r"one number at step 0, got str '0\.1'"),
    ([0.1, 0.2], r"one number at step 0, got list"),
    (None, r"one number at step 0, got NoneType"),
]


@pytest.mark.parametrize("value,pattern", BAD_SCHEDULE_VALUES, ids=[repr(v) for v, _ in BAD_SCHEDULE_VALUES])
def test_schedule_giving_a_non_number_is_reported_with_the_step(value, pattern):
    import numpy as np

    opt = make_optimizer("sgd", lr=lambda k: value)
    params = {"x": np.ones(1)}
    with pytest.raises(ConfigError, match=pattern):
        opt.step(params, {"x": np.ones(1)}, opt.init(params))
    assert params["x"][0] == 1.0


def test_gradients_take_the_parameters_dtype_so_buffers_keep_it():
    import numpy as np

    for name in ("momentum", "adam", "rmsprop", "nadam", "adagrad"):
        opt = make_optimizer(name, lr=0.1)
        params = {"x": np.ones(3, dtype=np.float32)}
        state = opt.init(params)
        opt.step(params, {"x": np.full(3, 0.5)}, state)              # float64 gradient
        opt.step(params, {"x": np.array([1, 2, 3])}, state)          # integer gradient
        assert params["x"].dtype == np.float32
        assert all(b.dtype == np.float32 for b in state.slots["x"].values()), name


def test_a_non_finite_update_is_named_in_the_record():
    import numpy as np

    opt = make_optimizer("adam", lr=0.1)
    params = {"w": np.ones(2), "b": np.ones(1)}
    state = opt.init(params)
    rec = opt.step(params, {"w": np.array([np.nan, 1.0]), "b": np.ones(1)}, state, record=True)
    assert rec.note == "non-finite update of 'w' at step 0"
    assert opt.step(params, {"w": np.ones(2), "b": np.ones(1)}, opt.init(params), record=True).note is None
