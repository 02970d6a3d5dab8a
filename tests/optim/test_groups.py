"""Parameter groups, maximize, weight-decay masks, clipping and missing gradients,
against PyTorch 2.13.0's own semantics in float64."""
from __future__ import annotations

import numpy as np
import pytest

from descentlab.errors import ConfigError, ShapeError
from descentlab.optim import ParamGroups, clip_by_global_norm, clip_by_value, global_norm

torch = pytest.importorskip("torch")

RTOL = 1e-12


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    return {"W": rng.normal(size=(4, 3)), "b": rng.normal(size=3), "c": rng.normal(size=2)}


def _grad(params, k):
    # a fixed smooth gradient field: d/dp of sum(p**2 * (1 + 0.1 k)) + a coupling term
    s = sum(float(np.sum(p)) for p in params.values())
    return {n: 2.0 * p * (1.0 + 0.1 * k) + 0.01 * s for n, p in params.items()}


def _torch_run(params0, make, steps, grad_mask=None, clip=None):
    ts = {n: torch.tensor(p, dtype=torch.float64, requires_grad=True) for n, p in params0.items()}
    opt = make(ts)
    for k in range(steps):
        g = _grad({n: t.detach().numpy() for n, t in ts.items()}, k)
        for n, t in ts.items():
            t.grad = None if (grad_mask and not grad_mask(n, k)) else torch.tensor(g[n])
        if clip == "norm":
            torch.nn.utils.clip_grad_norm_([t for t in ts.values() if t.grad is not None], max_norm=1.5)
        elif clip == "value":
            torch.nn.utils.clip_grad_value_([t for t in ts.values() if t.grad is not None], clip_value=0.7)
        opt.step()
    return {n: t.detach().numpy() for n, t in ts.items()}


def _ours(params0, groups, steps, grad_mask=None, **kw):
    params = {n: p.copy() for n, p in params0.items()}
    state = groups.init(params)
    for k in range(steps):
        g = _grad(params, k)
        if grad_mask:
            g = {n: (v if grad_mask(n, k) else None) for n, v in g.items()}
        groups.step(params, g, state)
    return params, state


def _close(a, b, rtol=RTOL):
    for n in a:
        np.testing.assert_allclose(a[n], b[n], rtol=rtol, atol=1e-14, err_msg=n)


def test_global_norm_clipping_is_torchs():
    rng = np.random.default_rng(1)
    for scale, norm_type in [(10.0, 2.0), (0.01, 2.0), (10.0, 1.0), (3.0, float("inf"))]:
        grads = {"a": scale * rng.normal(size=(3, 4)), "b": scale * rng.normal(size=5)}
        ts = [torch.tensor(g) for g in grads.values()]
        ps = [torch.zeros_like(t, requires_grad=True) for t in ts]
        for p, t in zip(ps, ts):
            p.grad = t.clone()
        total = torch.nn.utils.clip_grad_norm_(ps, max_norm=1.0, norm_type=norm_type)
        ours, n = clip_by_global_norm(grads, 1.0, norm_type=norm_type)
        assert n == pytest.approx(float(total), rel=1e-14)
        for (name, g), p in zip(ours.items(), ps):
            np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-14, atol=0)
        assert not np.shares_memory(ours["a"], grads["a"])  # pure: the input is untouched


def test_value_clipping_is_torchs():
    g = {"a": np.array([-3.0, -0.2, 0.0, 0.69, 5.0])}
    p = torch.zeros(5, dtype=torch.float64, requires_grad=True)
    p.grad = torch.tensor(g["a"])
    torch.nn.utils.clip_grad_value_([p], clip_value=0.5)
    np.testing.assert_array_equal(clip_by_value(g, 0.5)["a"], p.grad.numpy())
    assert global_norm({"a": np.array([3.0]), "b": np.array([4.0])}) == 5.0


@pytest.mark.parametrize("name,make", [
    ("adam", lambda p, **kw: torch.optim.Adam(p, lr=0.05, **kw)),
    ("momentum", lambda p, **kw: torch.optim.SGD(p, lr=0.05, momentum=0.9, **kw)),
    ("rmsprop", lambda p, **kw: torch.optim.RMSprop(p, lr=0.01, **kw)),
])
def test_maximize_is_torchs(name, make):
    params0 = _problem()
    lr = {"adam": 0.05, "momentum": 0.05, "rmsprop": 0.01}[name]
    want = _torch_run(params0, lambda ts: make(list(ts.values()), maximize=True, weight_decay=0.1), 8)
    got, _ = _ours(params0, ParamGroups(name, lr=lr, maximize=True, weight_decay=0.1), 8)
    _close(got, want)
    descended, _ = _ours(params0, ParamGroups(name, lr=lr, weight_decay=0.1), 8)
    with pytest.raises(AssertionError):  # the flag changes the result: the test can fail
        _close(descended, want)


def test_groups_with_their_own_lr_and_hyper_are_torchs():
    params0 = _problem()

    def make(ts):
        return torch.optim.Adam([{"params": [ts["W"]], "lr": 0.1, "betas": (0.8, 0.99)},
                                 {"params": [ts["b"], ts["c"]]}], lr=0.01, weight_decay=0.05)
    want = _torch_run(params0, make, 10)
    groups = ParamGroups("adam", [{"params": ["W"], "lr": 0.1, "beta1": 0.8, "beta2": 0.99},
                                  {"params": ["b", "c"]}], lr=0.01, weight_decay=0.05)
    got, state = _ours(params0, groups, 10)
    _close(got, want)
    assert state.steps == {"W": 10, "b": 10, "c": 10}


def test_decay_mask_is_a_group_without_decay():
    params0 = _problem()

    def make(ts):
        return torch.optim.AdamW([{"params": [ts["W"]]}, {"params": [ts["b"], ts["c"]], "weight_decay": 0.0}],
                                 lr=0.05, weight_decay=0.3)
    want = _torch_run(params0, make, 10)
    got, _ = _ours(params0, ParamGroups("adamw", lr=0.05, weight_decay=0.3, decay_mask=lambda n: n == "W"), 10)
    _close(got, want)
    got2, _ = _ours(params0, ParamGroups("adamw", lr=0.05, weight_decay=0.3, decay_mask={"b": False, "c": False}), 10)
    _close(got2, want)
    unmasked, _ = _ours(params0, ParamGroups("adamw", lr=0.05, weight_decay=0.3), 10)
    with pytest.raises(AssertionError):
        _close(unmasked, want)


def test_a_parameter_without_gradient_is_skipped_and_keeps_its_own_step_count():
    params0 = _problem()

    def has_grad(n, k):
        return not (n == "c" and k % 3 == 1)  # c gets no gradient at steps 1, 4, 7

    want = _torch_run(params0, lambda ts: torch.optim.Adam(list(ts.values()), lr=0.05), 9, grad_mask=has_grad)
    got, state = _ours(params0, ParamGroups("adam", lr=0.05), 9, grad_mask=has_grad)
    _close(got, want)
    assert state.steps == {"W": 9, "b": 9, "c": 6}


def test_missing_error_refuses_the_step():
    groups = ParamGroups("sgd", lr=0.1, missing="error")
    params = {"a": np.ones(2), "b": np.ones(2)}
    state = groups.init(params)
    with pytest.raises(ShapeError, match=r"expected a gradient for every parameter.*none for \['b'\].*Fix"):
        groups.step(params, {"a": np.ones(2)}, state)
    np.testing.assert_array_equal(params["a"], 1.0)  # refused before anything moved


@pytest.mark.parametrize("clip", ["norm", "value"])
def test_clipping_in_groups_is_torch_clipping_before_the_step(clip):
    params0 = {n: 5 * p for n, p in _problem().items()}
    want = _torch_run(params0, lambda ts: torch.optim.SGD(list(ts.values()), lr=0.1, momentum=0.9), 6, clip=clip)
    kw = {"clip_norm": 1.5} if clip == "norm" else {"clip_value": 0.7}
    got, _ = _ours(params0, ParamGroups("momentum", lr=0.1, **kw), 6)
    _close(got, want)


def test_update_is_pure_and_equals_step():
    groups = ParamGroups("adam", [{"params": ["W"]}, {"params": ["b", "c"], "lr": 0.5}], lr=0.1)
    params = _problem()
    before = {n: p.copy() for n, p in params.items()}
    state = groups.init(params)
    g = _grad(params, 0)
    updates, new = groups.update(g, state, params)
    _close(params, before, rtol=0)
    assert state.steps["W"] == 0 and new.steps["W"] == 1
    groups.step(params, g, state)
    _close({n: before[n] + updates[n] for n in params}, params)


@pytest.mark.parametrize("kwargs,pattern", [
    ({"missing": "ignore"}, r"expected missing in \('skip', 'error'\)"),
    ({"maximize": "yes"}, r"expected maximize True or False"),
    ({"clip_norm": -1.0}, r"expected clip_norm > 0"),
    ({"groups": [{"params": ["a"]}, {"params": ["a"]}]}, r"each parameter in one group.*'a' in groups 0 and 1"),
    ({"groups": [{"lr": 0.1}]}, r"group 0 as \{'params'"),
])
def test_bad_settings_are_refused_with_a_sentence(kwargs, pattern):
    with pytest.raises(ConfigError, match=pattern):
        ParamGroups("sgd", lr=0.1, **kwargs)


def test_a_parameter_in_no_group_is_refused_at_init():
    groups = ParamGroups("sgd", [{"params": ["a"]}], lr=0.1)
    with pytest.raises(ConfigError, match=r"parameter 'b' in one of the groups"):
        groups.init({"a": np.ones(1), "b": np.ones(1)})
