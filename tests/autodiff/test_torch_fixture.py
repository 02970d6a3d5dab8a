"""Values and gradients of composite expressions against PyTorch 2.13.0 (CPU, float64).

The numbers come from tests/fixtures/autodiff_torch.json, written by
tools/fixtures/make_autodiff_fixtures.py; each expression below is the same one
the script evaluates with torch. Only NumPy and the standard library are needed here.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from descentlab.autodiff import F, Tensor, ops

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "autodiff_torch.json"
DOC = json.loads(FIXTURE.read_text())


def _tanh_ce(p, c):
    hidden = F.tanh(c["x"] @ p["W1"] + p["b1"])
    return F.cross_entropy(hidden @ p["W2"] + p["b2"], c["labels"])


def _sigmoid_half_sum(p, c):
    y = F.sigmoid(F.sigmoid(c["x"] @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"])
    return F.mse_loss(y, c["t"], convention="half_sum")


def _relu_mean(p, c):
    return F.mse_loss(F.relu(c["x"] @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"], c["t"], convention="mean")


def _reused(p, c):
    h = p["a"] * p["b"] + p["a"]
    return (h * h + h.exp() * h - h / (1.0 + h * h)).sum()


def _index(p, c):
    x = p["x"]
    return ((x.reshape(6, 4).T[1:, :])[:, c["idx"]] ** 2).sum() + x.transpose(2, 0, 1)[..., 1].sum()


EXPRESSIONS = {
    "mlp_tanh_cross_entropy": _tanh_ce,
    "mlp_sigmoid_half_sum_mse": _sigmoid_half_sum,
    "mlp_relu_mean_mse_vector_input": _relu_mean,
    "softmax_cross_entropy_one_hot": lambda p, c: F.cross_entropy(p["z"], c["t"]),
    "softmax_cross_entropy_sum": lambda p, c: F.cross_entropy(p["z"], c["labels"], reduction="sum"),
    "reused_node": _reused,
    "broadcast_binary_ops": lambda p, c: ((p["u"] * p["v"] + p["u"] - p["v"]) / p["s"]).tanh().mean(),
    "pow_exp_log_maximum": lambda p, c: (p["x"] ** 3 - p["x"] ** p["y"] + p["x"].log() * p["y"].exp()
                                         + ops.maximum(p["x"], p["y"])).sum(),
    "reshape_transpose_index": _index,
    "softmax_log_softmax_axes": lambda p, c: ((F.softmax(p["z"], axis=0) * c["w"]).sum()
                                              + (F.log_softmax(p["z"], axis=1) * c["w"]).sum()),
    "binary_cross_entropy_probabilities_and_logits": lambda p, c: (
        F.binary_cross_entropy(F.sigmoid(p["z"]), c["t"])
        + F.binary_cross_entropy_with_logits(p["z"] * 2.0, c["t"], reduction="sum")),
    "matmul_ranks": lambda p, c: ((p["A"] @ p["B"]).sum() + ((p["A"] @ p["v"]) @ p["w"]).sum()
                                  + (p["w"] @ p["A"]).sum() + p["v"] @ p["v"]),
}


def _array(entry):
    return np.asarray(entry["values"], dtype=entry.get("dtype", "float64")).reshape(entry["shape"])


def test_fixture_was_made_by_the_pinned_torch():
    assert DOC["torch_version"].startswith("2.13.0")
    assert DOC["dtype"] == "float64"
    assert set(DOC["cases"]) == set(EXPRESSIONS), "fixture and test list different expressions"


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_matches_torch(name):
    case = DOC["cases"][name]
    params = {k: Tensor(_array(v), requires_grad=True) for k, v in case["params"].items()}
    consts = {k: (_array(v) if v["dtype"].startswith("int") else Tensor(_array(v)))
              for k, v in case["consts"].items()}
    out = EXPRESSIONS[name](params, consts)
    assert out.size == 1
    assert out.item() == pytest.approx(case["output"], rel=1e-12, abs=1e-13)
    out.backward()
    for k, t in params.items():
        expected = np.asarray(case["grads"][k]).reshape(t.shape)
        np.testing.assert_allclose(t.grad, expected, rtol=1e-10, atol=1e-12, err_msg=f"{name}: d/d{k}")
