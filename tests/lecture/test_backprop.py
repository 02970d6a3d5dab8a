"""Example II of the slides, number by number, against float64 arithmetic written here.

The reference values below are computed in this file with ``math`` alone (the sigmoid
written as e^z / (1 + e^z), a different form from the library's), not read from the
module under test. Every comparison asks for at least 8 significant digits.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from descentlab.lecture import backprop

REL = 1e-10  # relative agreement: far more than 8 significant digits


def s(z):
    return math.exp(z) / (1.0 + math.exp(z))


# -- independent reference -------------------------------------------------------------
x1, x2 = 0.35, 0.9
w31, w32, w41, w42, w53, w54 = 0.1, 0.8, 0.4, 0.6, 0.3, 0.9
ya = 0.5
z3 = 0.1 * 0.35 + 0.8 * 0.9
z4 = 0.4 * 0.35 + 0.6 * 0.9
y3, y4 = s(z3), s(z4)
z5 = 0.3 * y3 + 0.9 * y4
y5 = s(z5)
E = (y5 - ya) ** 2 / 2
# chain rule: E' = (y5 - ya); sigmoid' = y(1-y)
g53 = (y5 - ya) * y5 * (1 - y5) * y3
g54 = (y5 - ya) * y5 * (1 - y5) * y4
g31 = (y5 - ya) * y5 * (1 - y5) * w53 * y3 * (1 - y3) * x1
g32 = (y5 - ya) * y5 * (1 - y5) * w53 * y3 * (1 - y3) * x2
g41 = (y5 - ya) * y5 * (1 - y5) * w54 * y4 * (1 - y4) * x1
g42 = (y5 - ya) * y5 * (1 - y5) * w54 * y4 * (1 - y4) * x2
NEW = {"w31": w31 - g31, "w32": w32 - g32, "w41": w41 - g41, "w42": w42 - g42, "w53": w53 - g53, "w54": w54 - g54}
y3n = s(NEW["w31"] * x1 + NEW["w32"] * x2)
y4n = s(NEW["w41"] * x1 + NEW["w42"] * x2)
E_new = (s(NEW["w53"] * y3n + NEW["w54"] * y4n) - ya) ** 2 / 2


@pytest.fixture(scope="module")
def acc():
    return backprop.run()


def test_reference_values_are_what_we_think():
    # a few anchors, to 8 significant digits, so the reference above cannot drift silently
    assert f"{y3:.8g}" == "0.6802672"
    assert f"{y4:.8g}" == "0.6637387"
    assert f"{y5:.8g}" == "0.69028349"
    assert f"{E:.8g}" == "0.018103904"
    assert f"{g53:.8g}" == "0.027674035"
    assert f"{E_new:.8g}" == "0.016565382"


@pytest.mark.parametrize("key, ref", [("z3", z3), ("z4", z4), ("y3", y3), ("y4", y4), ("z5", z5), ("y5", y5), ("E", E)])
def test_forward(acc, key, ref):
    assert acc.data["forward"][key] == pytest.approx(ref, rel=REL)


@pytest.mark.parametrize("key, ref", [("dE_dw53", g53), ("dE_dw54", g54), ("dE_dw31", g31), ("dE_dw32", g32),
                                      ("dE_dw41", g41), ("dE_dw42", g42)])
def test_gradients(acc, key, ref):
    assert acc.data["gradients"][key] == pytest.approx(ref, rel=REL)


def test_chain_rule_factors_of_w53_and_w31(acc):
    f = acc.data["factors"]
    assert f["dE_dy5"] == pytest.approx(y5 - ya, rel=REL)
    assert f["dy5_dz5"] == pytest.approx(y5 * (1 - y5), rel=REL)
    assert f["dy3_dz3"] == pytest.approx(y3 * (1 - y3), rel=REL)
    assert f["dE_dy5"] * f["dy5_dz5"] * y3 == pytest.approx(g53, rel=REL)
    assert f["dE_dy5"] * f["dy5_dz5"] * w53 * f["dy3_dz3"] * x1 == pytest.approx(g31, rel=REL)


@pytest.mark.parametrize("key", list(NEW))
def test_new_weights(acc, key):
    assert acc.data["new_weights"][key] == pytest.approx(NEW[key], rel=REL)


def test_error_after_update(acc):
    assert acc.data["after"]["E"] == pytest.approx(E_new, rel=REL)
    assert E_new < E


# -- the slide's figures: (quantity, printed, our reference, expected status) ---------------
SLIDE_TABLE = [
    ("z3", "0.755", z3, "exact"),
    ("z4", "0.68", z4, "exact"),
    ("y3", "0.682", y3, "wrong"),          # f(0.755) = 0.68027
    ("y4", "0.663", y4, "truncated"),      # 0.66374 -> 0.664 when rounded
    ("z5", "0.801", z5, "rounded"),
    ("y5", "0.690", y5, "rounded"),
    ("E", "0.01805", E, "wrong"),          # from the rounded y5
    ("dE_dy5", "0.19", y5 - ya, "rounded"),
    ("f_z5", "0.69", y5, "rounded"),
    ("dz5_dw53", "0.663", y3, "wrong"),    # y4 put where y3 belongs
    ("dE_dw53", "0.02711", g53, "wrong"),
    ("w53_new", "0.27299", NEW["w53"], "wrong"),
    ("w31_new", "0.09661944", NEW["w31"], "wrong"),
    ("w32_new", "0.78985831", NEW["w32"], "wrong"),
    ("w41_new", "0.39661944", NEW["w41"], "wrong"),
    ("w42_new", "0.58985831", NEW["w42"], "wrong"),
    ("E_new", "0.016", E_new, "truncated"),  # 0.016565 -> 0.017 when rounded
]


@pytest.mark.parametrize("quantity, printed, ref, status", SLIDE_TABLE)
def test_slide_figure_is_classified(acc, quantity, printed, ref, status):
    row = next(r for r in acc.data["slide"] if r["quantity"] == quantity)
    assert row["slide"] == printed
    assert row["value"] == pytest.approx(ref, rel=REL)
    assert row["status"] == status
    if status in ("wrong", "truncated"):
        assert row["explanation"], f"{quantity}: a wrong or truncated figure needs an explanation"


def test_every_slide_figure_is_covered(acc):
    assert {r["quantity"] for r in acc.data["slide"]} == {q for q, *_ in SLIDE_TABLE}


def test_reproductions_of_wrong_figures(acc):
    rows = {r["quantity"]: r for r in acc.data["slide"]}
    # E: the slide squares the rounded y5
    assert round(rows["E"]["reproduction"], 5) == 0.01805
    # w53_new: 0.3 minus the gradient taken with y4 (the slide's substitution), cut to 5 decimals
    assert math.trunc(rows["w53_new"]["reproduction"] * 1e5) / 1e5 == pytest.approx(0.27299, abs=1e-12)
    assert rows["w53_new"]["reproduction"] == pytest.approx(w53 - g54, rel=REL)
    # the slide's own arithmetic for dE/dw53 does not give 0.02711
    assert (0.69 - 0.5) * (0.69 * (1 - 0.69)) * 0.663 == pytest.approx(0.026944983, rel=1e-8)
    assert 0.3 - 0.02711 == pytest.approx(0.27289, abs=1e-12)


@pytest.mark.parametrize("key, printed", [("w31", "0.09661944"), ("w32", "0.78985831"), ("w41", "0.39661944"),
                                          ("w42", "0.58985831")])
def test_hidden_weights_reproduced_by_the_dot_product_mixup(acc, key, printed):
    # written here: dE/dw_ji = delta5 * w5(i+2) * (f'(z3) x1 + f'(z4) x2), all with exact values
    delta5 = (y5 - ya) * y5 * (1 - y5)
    dot = y3 * (1 - y3) * x1 + y4 * (1 - y4) * x2
    w_out = {"1": w53, "2": w54}[key[2]]
    old = {"w31": w31, "w32": w32, "w41": w41, "w42": w42}[key]
    mine = old - delta5 * w_out * dot
    assert f"{mine:.8f}" == printed
    row = next(r for r in acc.data["slide"] if r["quantity"] == f"{key}_new")
    assert row["reproduction"] == pytest.approx(mine, rel=1e-12)
    assert f"{row['reproduction']:.8f}" == printed


def test_hidden_weight_mismatch_structure(acc):
    implied = acc.data["hidden_mismatch"]["implied_gradients"]
    # the slide's four new hidden weights imply equal gradients across hidden units ...
    assert implied["w31"] == pytest.approx(implied["w41"], abs=1e-12)
    assert implied["w32"] == pytest.approx(implied["w42"], abs=1e-12)
    # ... in the ratio w54/w53 = 3 across inputs, where the true ratio is x2/x1
    assert implied["w32"] / implied["w31"] == pytest.approx(w54 / w53, rel=1e-5)
    assert g32 / g31 == pytest.approx(x2 / x1, rel=REL)
    # and the slide's 'z3 = w31*x1 + w32*x1' typo does not reproduce w32 = 0.78985831
    assert abs(acc.data["hidden_mismatch"]["typo_w32"] - 0.78985831) > 1e-3


@pytest.mark.parametrize("printed, value, status", [
    ("0.5", 0.5, "exact"), ("0.69", 0.690283, "rounded"), ("0.663", 0.66374, "truncated"),
    ("0.664", 0.66374, "rounded"), ("0.02711", 0.027674, "wrong"), ("1", 1.7, "truncated"), ("2", 1.4, "wrong"),
])
def test_classify(printed, value, status):
    assert backprop.classify(printed, value) == status


def test_checks_hold(acc):
    assert acc.ok, [c for c in acc.checks if not c.passed]


def test_text_shows_every_step(acc):
    text = acc.text()
    for needle in ("z3 = w31·x1 + w32·x2", "∂E/∂w53", "∂E/∂w31", "w42 new", "E new", "0.27299", "wrong", "truncated"):
        assert needle in text


# -- the 2-3-2-1 network ---------------------------------------------------------------------
def test_2321_forward_and_gradients_against_loops():
    acc = backprop.run("2-3-2-1")
    net = backprop.NETWORK_2321
    x, t = net["x"], net["target"]
    W1, b1, W2, b2, W3, b3 = (net[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    # forward with plain loops
    h1 = [s(W1[j][0] * x[0] + W1[j][1] * x[1] + b1[j]) for j in range(3)]
    h2 = [s(sum(W2[k][j] * h1[j] for j in range(3)) + b2[k]) for k in range(2)]
    y6 = s(W3[0][0] * h2[0] + W3[0][1] * h2[1] + b3[0])
    assert acc.data["forward"]["y3"][0] == pytest.approx(y6, rel=REL)
    assert acc.data["E"] == pytest.approx((y6 - t) ** 2 / 2, rel=REL)
    # backward with plain loops
    d6 = (y6 - t) * y6 * (1 - y6)
    d45 = [h2[k] * (1 - h2[k]) * W3[0][k] * d6 for k in range(2)]
    d123 = [h1[j] * (1 - h1[j]) * sum(W2[k][j] * d45[k] for k in range(2)) for j in range(3)]
    g = acc.data["gradients"]
    assert np.asarray(g["W3"])[0] == pytest.approx([d6 * h2[0], d6 * h2[1]], rel=REL)
    assert np.asarray(g["W2"]) == pytest.approx(np.array([[d45[k] * h1[j] for j in range(3)] for k in range(2)]), rel=REL)
    assert np.asarray(g["W1"]) == pytest.approx(np.array([[d123[j] * x[i] for i in range(2)] for j in range(3)]), rel=REL)
    assert np.asarray(g["b1"]) == pytest.approx(d123, rel=REL)
    assert acc.ok
    chk = acc.data["check"]
    assert chk["central_difference_max_error"] < 1e-9
    assert chk["autodiff_max_error"] is not None and chk["autodiff_max_error"] < 1e-12


def test_bad_network_name():
    from descentlab.errors import ConfigError

    with pytest.raises(ConfigError, match="2-2-1"):
        backprop.run("3-3-1")


def test_other_learning_rate_compares_only_what_does_not_depend_on_it():
    acc = backprop.run_221(lr=0.5)
    keys = {r["quantity"] for r in acc.data["slide"]}
    assert "w53_new" not in keys and "E_new" not in keys and "y5" in keys
    assert acc.data["new_weights"]["w53"] == pytest.approx(w53 - 0.5 * g53, rel=REL)
    assert acc.ok
