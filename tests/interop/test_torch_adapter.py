"""The torch adapter against torch.optim itself (PyTorch 2.13.0, CPU).

A 2-layer MLP on scikit-learn's digits trains 100 full-batch steps in float64, once with
``torch.optim`` and once with ``descentlab.interop.torch.Optimizer`` at preset
``pytorch``; every parameter must agree to 1e-10 relative. Each run uses two param
groups with different learning rates, a torch lr scheduler stepping the optimizer, and
a state_dict saved, reloaded into a fresh optimizer and continued halfway.
"""
from __future__ import annotations

import io

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from descentlab.data.bundled import digits  # noqa: E402
from descentlab.errors import ConfigError, DTypeError, ShapeError  # noqa: E402
from descentlab.interop.torch import Optimizer  # noqa: E402
from descentlab.optim import make_optimizer  # noqa: E402

RTOL = 1e-10
STEPS = 100


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """A tiny model: torch's thread pool only adds contention on a small CI machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def data():
    d = digits()
    X = torch.tensor(d.X[:300] / 16.0)
    y = torch.tensor(d.y[:300])
    return X, y


@pytest.fixture
def float64_default():
    """torch keeps scalar state (NAdam's product mu_1...mu_t) in the default dtype: float32
    unless set, which moves a float64 NAdam by ~1e-9 in 100 steps. The comparison is in float64."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(before)


def _model(dtype=torch.float64):
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.Tanh(), torch.nn.Linear(32, 10)).to(dtype)


def _groups(model, lr):
    first, second = model[0], model[2]
    return [{"params": list(first.parameters()), "lr": lr},
            {"params": list(second.parameters()), "lr": lr / 3}]


# name, descentlab settings, torch class and settings (same values, each framework's names)
CASES = [
    ("sgd", {}, torch.optim.SGD, {}),
    ("momentum", {"momentum": 0.9, "dampening": 0.1}, torch.optim.SGD, {"momentum": 0.9, "dampening": 0.1}),
    ("nesterov", {"momentum": 0.9, "weight_decay": 1e-3}, torch.optim.SGD,
     {"momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}),
    ("adagrad", {"lr_decay": 1e-3, "initial_accumulator": 0.1}, torch.optim.Adagrad,
     {"lr_decay": 1e-3, "initial_accumulator_value": 0.1}),
    ("rmsprop", {"centered": True}, torch.optim.RMSprop, {"centered": True}),
    ("rmsprop", {"momentum": 0.8, "weight_decay": 1e-3}, torch.optim.RMSprop, {"momentum": 0.8, "weight_decay": 1e-3}),
    ("adam", {"weight_decay": 1e-3}, torch.optim.Adam, {"weight_decay": 1e-3}),
    ("adamw", {}, torch.optim.AdamW, {}),
    ("amsgrad", {}, torch.optim.Adam, {"amsgrad": True}),
    ("nadam", {}, torch.optim.NAdam, {}),
]
LR = {"sgd": 0.5, "momentum": 0.1, "nesterov": 0.1, "adagrad": 0.05, "rmsprop": 1e-3, "adam": 1e-2, "adamw": 1e-2,
      "amsgrad": 1e-2, "nadam": 1e-2}


def _train(make_opt, data, maximize, scheduler, steps=STEPS, dtype=torch.float64):
    X, y = data
    X = X.to(dtype)
    model = _model(dtype)
    opt = make_opt(model)
    sched = scheduler(opt)
    sign = -1.0 if maximize else 1.0  # maximize -loss: the same descent, through the maximize flag

    def closure():
        opt.zero_grad()
        loss = sign * torch.nn.functional.cross_entropy(model(X), y)
        loss.backward()
        return loss

    for k in range(steps):
        if k == steps // 2:  # save, rebuild, reload and carry on
            buf = io.BytesIO()
            torch.save(opt.state_dict(), buf)
            buf.seek(0)
            opt = make_opt(model)
            opt.load_state_dict(torch.load(buf, weights_only=True))
            sched.optimizer = opt
        opt.step(closure)
        sched.step()
    return [p.detach().clone() for p in model.parameters()], opt


def _schedulers(i):
    if i % 2:
        return lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.5)
    return lambda opt: torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.99)


def _rel(a, b):
    return float(torch.max(torch.abs(a - b)) / torch.max(torch.abs(b)))


@pytest.mark.parametrize("i", range(len(CASES)), ids=[f"{c[0]}-{'-'.join(c[1]) or 'default'}" for c in CASES])
def test_adapter_at_preset_pytorch_is_torch_optim(i, data, float64_default):
    name, ours, cls, theirs = CASES[i]
    lr = LR[name]
    maximize = i % 3 == 0
    want, topt = _train(lambda m: cls(_groups(m, lr), lr=lr, maximize=maximize, **theirs), data, maximize,
                        _schedulers(i))
    got, dopt = _train(lambda m: Optimizer(_groups(m, lr), name, preset="pytorch", lr=lr, maximize=maximize, **ours),
                       data, maximize, _schedulers(i))
    worst = max(_rel(g, w) for g, w in zip(got, want))
    assert worst <= RTOL, f"{name}: largest relative difference {worst:.3g}"
    assert dopt.param_groups[1]["lr"] == pytest.approx(topt.param_groups[1]["lr"], rel=1e-15)
    moved = max(_rel(g, p.detach()) for g, p in zip(got, _model().parameters()))
    assert moved > 1e-3  # training happened: equal results are not two untouched models


def test_a_wrong_convention_is_caught(data):
    """The comparison can fail: Adam with eps inside the root is not torch's Adam."""
    want, _ = _train(lambda m: torch.optim.Adam(m.parameters(), lr=1e-2, eps=1e-3), data, False, _schedulers(0), 20)
    got, _ = _train(lambda m: Optimizer(m.parameters(), "adam", lr=1e-2, eps=1e-3, eps_placement="inside"), data,
                    False, _schedulers(0), 20)
    assert max(_rel(g, w) for g, w in zip(got, want)) > 1e-6


def _mirror_run(data, preset, name, dtype, steps=30, **hyper):
    """The adapter, and descentlab's own optimizer fed the very same gradients, side by side."""
    X, y = data
    X = X.to(dtype)
    model = _model(dtype)
    opt = Optimizer(model.parameters(), name, preset=preset, **hyper)
    ref = make_optimizer(name, preset=preset, **hyper)
    mirror = {str(i): p.detach().numpy().copy() for i, p in enumerate(model.parameters())}
    state = ref.init(mirror)
    worst = 0.0
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(X), y).backward()
        grads = {str(i): p.grad.numpy().copy() for i, p in enumerate(model.parameters())}
        opt.step()
        ref.step(mirror, grads, state)
        for i, p in enumerate(model.parameters()):
            a, b = p.detach().numpy(), mirror[str(i)]
            worst = max(worst, float(np.max(np.abs(a - b)) / np.max(np.abs(b))))
            mirror[str(i)] = a.copy()  # carry on from the adapter's point: each step is compared alone
    return worst, model, opt


@pytest.mark.parametrize("name", ["adam", "rmsprop", "momentum", "adagrad", "nadam"])
def test_adapter_at_preset_keras_is_descentlabs_keras_preset(name, data):
    worst, _, _ = _mirror_run(data, "keras", name, torch.float64, lr=1e-2)
    assert worst <= 1e-14


def test_float32_is_kept_and_matches_within_rounding(data):
    worst, model, opt = _mirror_run(data, "keras", "adam", torch.float32, lr=1e-2)
    assert worst <= 1e-6
    for p in model.parameters():
        assert p.dtype == torch.float32
        assert {k: v.dtype for k, v in opt.state[p].items() if k != "step"} == {"m": torch.float32,
                                                                               "v": torch.float32}
    want, _ = _train(lambda m: torch.optim.Adam(m.parameters(), lr=1e-2), data, False, _schedulers(0), 20,
                     torch.float32)
    got, _ = _train(lambda m: Optimizer(m.parameters(), "adam", lr=1e-2), data, False, _schedulers(0), 20,
                    torch.float32)
    assert max(_rel(g, w) for g, w in zip(got, want)) <= 1e-4


def test_parameters_without_grad_are_skipped_as_torch_does(data):
    X, y = data
    runs = []
    for make in (lambda ps: torch.optim.Adam(ps, lr=1e-2), lambda ps: Optimizer(ps, "adam", lr=1e-2)):
        model = _model()
        frozen = torch.zeros(3, dtype=torch.float64, requires_grad=True)  # never gets a gradient
        opt = make(list(model.parameters()) + [frozen])
        for k in range(10):
            opt.zero_grad()
            model[2].bias.requires_grad_(k % 2 == 0)  # the last bias gets a gradient every other step
            torch.nn.functional.cross_entropy(model(X), y).backward()
            opt.step()
        runs.append((list(model.parameters()), opt, frozen))
    (tp, _, _), (dp, dopt, frozen) = runs
    assert max(_rel(a.detach(), b.detach()) for a, b in zip(dp, tp)) <= RTOL
    assert dopt.state[model_bias(dp)]["step"] == 5 and frozen not in dopt.state


def model_bias(params):
    return params[3]


def test_large_parameters_take_the_fused_kernels_and_equal_the_reference():
    from descentlab.optim import dispatch

    calls = []
    real = dispatch.fused_kernel

    def spy(*a, **k):
        calls.append(real(*a, **k))
        return calls[-1]

    w = torch.zeros(300, 300, dtype=torch.float64, requires_grad=True)  # 90K elements
    w2 = torch.zeros(300, 300, dtype=torch.float64, requires_grad=True)
    opt, topt = Optimizer([w], "adam", lr=1e-2), torch.optim.Adam([w2], lr=1e-2)
    g = torch.linspace(-1, 1, 90_000, dtype=torch.float64).reshape(300, 300)
    dispatch.fused_kernel = spy
    try:
        for _ in range(5):
            w.grad, w2.grad = g.clone(), g.clone()
            opt.step()
            topt.step()
    finally:
        dispatch.fused_kernel = real
    assert calls and all(calls) and _rel(w.detach(), w2.detach()) <= RTOL
    assert np.shares_memory(opt.state[w]["m"].numpy(), opt.state[w]["m"].numpy())


def test_bad_input_is_refused_with_a_sentence():
    p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    with pytest.raises(ConfigError, match=r"expected group settings of adam.*betas.*Fix: use descentlab's names"):
        Optimizer([{"params": [p], "betas": (0.9, 0.99)}], "adam")
    with pytest.raises(ConfigError, match=r"expected beta1 in \[0, 1\).*got 1.5"):
        Optimizer([p], "adam", beta1=1.5)
    with pytest.raises(ConfigError, match=r"expected an optimizer name"):
        Optimizer([p], "adamx")
    with pytest.raises(ConfigError, match=r"expected a preset among"):
        Optimizer([p], "adam", preset="tensorflow")
    with pytest.raises(ConfigError, match=r"expected a value for lr|expected lr"):
        Optimizer([p], "adam", preset="optax")
    with pytest.raises(DTypeError, match=r"float16, float32 or float64"):
        Optimizer([torch.zeros(2, dtype=torch.bfloat16, requires_grad=True)], "adam")
    meta = torch.zeros(2, device="meta", requires_grad=True)
    with pytest.raises(ConfigError, match=r"on the CPU.*got a tensor on meta.*Fix: move the model"):
        Optimizer([meta], "adam")
    opt = Optimizer([p], "sgd", lr=0.1, missing="error")
    with pytest.raises(ShapeError, match=r"a gradient for every parameter.*Fix: call loss.backward"):
        opt.step()


def test_import_descentlab_interop_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, descentlab, descentlab.interop, descentlab.interop.optax; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
