r"""Back-propagation, the chapter's worked examples, number by number.

**Example II (the 2-2-1 network).** Inputs x = [x1, x2] = [0.35, 0.9]; hidden units 3
and 4 with weights w31, w32, w41, w42 = 0.1, 0.8, 0.4, 0.6; output unit 5 with weights
w53, w54 = 0.3, 0.9; no biases; sigmoid f(z) = 1/(1+e^{-z}) everywhere; target
ya = 0.5; error E = ½(y5 − ya)²; learning rate η = 1.

Forward::

    z3 = w31 x1 + w32 x2        y3 = f(z3)
    z4 = w41 x1 + w42 x2        y4 = f(z4)
    z5 = w53 y3 + w54 y4        y5 = f(z5)        E = ½ (y5 − ya)²

Backward (chain rule, f'(z) = f(z)(1 − f(z)), the slide's derivation)::

    ∂E/∂w53 = ∂E/∂y5 · ∂y5/∂z5 · ∂z5/∂w53 = (y5 − ya) · y5(1 − y5) · y3
    ∂E/∂w31 = ∂E/∂y5 · ∂y5/∂z5 · ∂z5/∂y3 · ∂y3/∂z3 · ∂z3/∂w31
            = (y5 − ya) · y5(1 − y5) · w53 · y3(1 − y3) · x1

and the generalised delta rule Δw = −η ∂E/∂w, all six weights updated from the same
(old) gradients.

Every number printed on the slides is compared with the float64 value and classified
with :func:`classify`: ``exact``, ``rounded`` (to nearest, at the digits shown),
``truncated`` (the digits shown are right but the last was cut, not rounded) or
``wrong``. For each wrong number the explanation says which value is right and, where
one exists, which slip reproduces the slide's figure; the reproduction is computed,
not typed in.

**The 2-3-2-1 network** of the slides (weights W(1), W(2), W(3) and biases b(1), b(2),
b(3)) has no numbers on the slides; :func:`run_2321` uses illustrative values and
checks its hand-written backward pass against descentlab's autodiff and against float64
central differences.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._account import Account, Table, fmt

__all__ = ["X", "W_HIDDEN", "W_OUT", "TARGET", "LR", "SLIDE", "classify", "sigmoid", "forward_221",
           "gradients_221", "run_221", "run_2321", "run", "NETWORK_2321"]

# -- the slide's data (Example II) -------------------------------------------------------
X = {"x1": 0.35, "x2": 0.9}
W_HIDDEN = {"w31": 0.1, "w32": 0.8, "w41": 0.4, "w42": 0.6}
W_OUT = {"w53": 0.3, "w54": 0.9}
TARGET = 0.5
LR = 1.0

#: Every number the slides print for Example II, as printed.
SLIDE = {
    "z3": "0.755", "z4": "0.68", "y3": "0.682", "y4": "0.663", "z5": "0.801", "y5": "0.690",
    "E": "0.01805", "dE_dy5": "0.19", "f_z5": "0.69", "dz5_dw53": "0.663", "dE_dw53": "0.02711",
    "w53_new": "0.27299", "w31_new": "0.09661944", "w32_new": "0.78985831", "w41_new": "0.39661944",
    "w42_new": "0.58985831", "E_new": "0.016",
}
# dE_dy5, f_z5 and dz5_dw53 are the numbers the slide puts into (y5 - ya) * (f(z5) * (1 - z5)) * y3.


def sigmoid(z: float) -> float:
    """f(z) = 1 / (1 + e^{-z}), the slides' activation."""
    return 1.0 / (1.0 + math.exp(-z))


def _decimals(printed: str) -> int:
    return len(printed.split(".")[1]) if "." in printed else 0


def classify(printed: str, value: float) -> str:
    """How a printed figure relates to the exact value.

    ``exact`` when equal; ``rounded`` when it is ``value`` rounded to nearest at the
    decimals printed; ``truncated`` when it is ``value`` cut (rounded toward zero) at
    those decimals; ``wrong`` otherwise.

    >>> classify("0.690", 0.6902834929), classify("0.663", 0.6637386974), classify("0.02711", 0.027674)
    ('rounded', 'truncated', 'wrong')
    """
    s = float(printed)
    d = _decimals(printed)
    tol = 1e-12
    if abs(value - s) <= tol:
        return "exact"
    if abs(round(value, d) - s) <= tol:
        return "rounded"
    scale = 10.0 ** d
    if abs(math.trunc(value * scale) / scale - s) <= tol:
        return "truncated"
    return "wrong"


def forward_221(w: dict[str, float], x: dict[str, float] = X, target: float = TARGET) -> dict[str, float]:
    """The forward pass of Example II: z3, z4, y3, y4, z5, y5 and E."""
    z3 = w["w31"] * x["x1"] + w["w32"] * x["x2"]
    z4 = w["w41"] * x["x1"] + w["w42"] * x["x2"]
    y3, y4 = sigmoid(z3), sigmoid(z4)
    z5 = w["w53"] * y3 + w["w54"] * y4
    y5 = sigmoid(z5)
    E = 0.5 * (y5 - target) ** 2
    return {"z3": z3, "z4": z4, "y3": y3, "y4": y4, "z5": z5, "y5": y5, "E": E}


def gradients_221(w: dict[str, float], x: dict[str, float] = X, target: float = TARGET) -> dict[str, float]:
    """∂E/∂w for the six weights, by the chain rule, with the chain's factors.

    Returns the forward values, the factors (``dE_dy5``, ``dy5_dz5``, ``delta5``,
    ``dy3_dz3``, ``dy4_dz4``, ``delta3``, ``delta4``) and ``dE_dw31`` … ``dE_dw54``.
    """
    fw = forward_221(w, x, target)
    dE_dy5 = fw["y5"] - target                      # ∂E/∂y5 = y5 − ya
    dy5_dz5 = fw["y5"] * (1.0 - fw["y5"])           # f'(z5) = f(z5)(1 − f(z5))
    delta5 = dE_dy5 * dy5_dz5                       # ∂E/∂z5
    dy3_dz3 = fw["y3"] * (1.0 - fw["y3"])
    dy4_dz4 = fw["y4"] * (1.0 - fw["y4"])
    delta3 = delta5 * w["w53"] * dy3_dz3            # ∂E/∂z3 = ∂E/∂z5 · ∂z5/∂y3 · ∂y3/∂z3
    delta4 = delta5 * w["w54"] * dy4_dz4
    g = {
        "dE_dw53": delta5 * fw["y3"], "dE_dw54": delta5 * fw["y4"],
        "dE_dw31": delta3 * x["x1"], "dE_dw32": delta3 * x["x2"],
        "dE_dw41": delta4 * x["x1"], "dE_dw42": delta4 * x["x2"],
    }
    return {**fw, "dE_dy5": dE_dy5, "dy5_dz5": dy5_dz5, "delta5": delta5, "dy3_dz3": dy3_dz3,
            "dy4_dz4": dy4_dz4, "delta3": delta3, "delta4": delta4, **g}


def _explanations(v: dict[str, float], new: dict[str, float], E_new: float, y5_after: float
                  ) -> dict[str, dict[str, Any]]:
    """Why each wrong slide figure is wrong, with a computed reproduction where one exists."""
    y5r, y3r, y4r = 0.69, 0.682, 0.663                  # the slide's rounded values
    own_product = (y5r - TARGET) * (y5r * (1 - y5r)) * y4r
    with_slide_y3 = (y5r - TARGET) * (y5r * (1 - y5r)) * y3r
    w53_from_y4 = W_OUT["w53"] - v["dE_dw54"]           # exact gradient, but with y4 where y3 belongs
    implied = {k: W_HIDDEN[k] - float(SLIDE[f"{k}_new"]) for k in W_HIDDEN}
    typo_x1 = W_HIDDEN["w32"] - v["delta3"] * X["x1"]   # the slide's 'z3 = w31*x1 + w32*x1'
    # The mix-up that reproduces all four hidden weights: the input factor became the scalar
    # f'(z3)·x1 + f'(z4)·x2 (a dot product of the vector f'(z_hidden) with x, where the outer
    # product f'(z_j)·x_i belongs), and the output weight is indexed by the input i.
    dot = v["dy3_dz3"] * X["x1"] + v["dy4_dz4"] * X["x2"]
    out_w = {"1": W_OUT["w53"], "2": W_OUT["w54"]}
    mixup = {k: W_HIDDEN[k] - v["delta5"] * out_w[k[2]] * dot for k in W_HIDDEN}
    sigma_inv = math.log(float(SLIDE["y3"]) / (1 - float(SLIDE["y3"])))
    return {
        "y3": {
            "correct": v["y3"],
            "why": f"f(0.755) = {fmt(v['y3'], 8)}, which is 0.680 at three decimals, not 0.682. No slip we "
                   f"tried reproduces 0.682 (it is f({fmt(sigma_inv, 4)})). It does equal, at three decimals, the output "
                   f"y5 after the update ({fmt(y5_after, 8)}), which may be where it was copied from. The slide's next "
                   "figures hold with either value at three decimals.",
        },
        "E": {
            "correct": v["E"],
            "why": f"the slide squares the rounded y5 = 0.690: ½(0.690 − 0.5)² = {fmt(0.5 * (0.69 - 0.5) ** 2)}; "
                   f"with the exact y5 = {fmt(v['y5'], 8)} the error is {fmt(v['E'], 8)} (0.01810 at five decimals).",
            "reproduction": 0.5 * (y5r - TARGET) ** 2,
        },
        "dz5_dw53": {
            "correct": v["y3"],
            "why": f"∂z5/∂w53 = y3 = {fmt(v['y3'], 8)}, but the slide puts in 0.663, which is y4 "
                   f"({fmt(v['y4'], 8)}, truncated).",
            "reproduction": y4r,
        },
        "dE_dw53": {
            "correct": v["dE_dw53"],
            "why": "the slide's own product (0.69 − 0.5)·0.69·(1 − 0.69)·0.663 is "
                   f"{fmt(own_product, 7)}, not 0.02711, and it uses y4 where y3 belongs. With the slide's own "
                   f"y3 = 0.682 the product is {fmt(with_slide_y3, 7)} (0.02771, one digit away from 0.02711); "
                   f"the exact value is {fmt(v['dE_dw53'], 10)}. The slide's formula also writes "
                   "f(z5)·(1 − z5) where the derivative of the sigmoid is f(z5)·(1 − f(z5)); its numbers "
                   "(1 − 0.69) follow the correct form.",
            "reproduction": with_slide_y3,
            "slide_expression": own_product,
        },
        "w53_new": {
            "correct": new["w53"],
            "why": f"0.3 − 0.02711 (the slide's own Δw53) is {fmt(W_OUT['w53'] - 0.02711)}, not 0.27299. "
                   f"0.27299 is what 0.3 − ∂E/∂w54 = 0.3 − {fmt(v['dE_dw54'], 8)} = {fmt(w53_from_y4, 8)} gives "
                   "when cut to five decimals: the gradient with y4 in place of y3 (the slide's substitution) "
                   f"at full precision. The correct new weight is {fmt(new['w53'], 10)}.",
            "reproduction": w53_from_y4,
        },
        "hidden": {
            "why": "the slide's four new hidden weights imply gradients "
                   f"∂E/∂w31 = ∂E/∂w41 = {fmt(implied['w31'], 6)} and ∂E/∂w32 = ∂E/∂w42 = {fmt(implied['w32'], 6)}. "
                   f"The true gradients are {fmt(v['dE_dw31'], 6)}, {fmt(v['dE_dw41'], 6)}, {fmt(v['dE_dw32'], 6)}, "
                   f"{fmt(v['dE_dw42'], 6)}: they differ between hidden units (δ4/δ3 = {fmt(v['delta4'] / v['delta3'], 4)}) "
                   f"and between inputs as x2/x1 = {fmt(X['x2'] / X['x1'], 4)}. The slide's do not depend on the "
                   f"hidden unit at all, and between inputs they differ by {fmt(implied['w32'] / implied['w31'], 5)} = "
                   "w54/w53. One mix-up reproduces all four to the eight decimals printed: "
                   "∂E/∂w_ji = δ5 · w5(i+2) · [f'(z3)·x1 + f'(z4)·x2], i.e. the output weight indexed by the input i, "
                   "and the input factor x_i replaced by the dot product of the hidden units' sigmoid derivatives "
                   f"with the input vector ({fmt(dot, 8)}), where the outer product f'(z_j)·x_i belongs (a matrix "
                   "product taken in place of an element-wise one). It gives "
                   f"w31 = {fmt(mixup['w31'], 10)}, w32 = {fmt(mixup['w32'], 10)}, w41 = {fmt(mixup['w41'], 10)}, "
                   f"w42 = {fmt(mixup['w42'], 10)}. (The typo on the slide, z3 = w31·x1 + w32·x1, does not reproduce "
                   f"them: it would give w32 = {fmt(typo_x1, 8)}.)",
            "implied_gradients": implied,
            "typo_w32": typo_x1,
            "mixup_dot": dot,
            "mixup_weights": mixup,
        },
        "E_new": {
            "correct": E_new,
            "why": f"after the update E = {fmt(E_new, 8)}, which is 0.017 at three decimals; the slide cuts it to "
                   "0.016.",
        },
    }


def run_221(lr: float = LR) -> Account:
    """Example II: one forward pass, one backward pass and one update, compared with the slides."""
    w = {**W_HIDDEN, **W_OUT}
    v = gradients_221(w)
    new = {k: w[k] - lr * v[f"dE_d{k}"] for k in w}
    after = forward_221(new)
    acc = Account(
        "backprop", "Back-propagation, Example II: the 2-2-1 sigmoid network",
        "x = [0.35, 0.9]; w31, w32, w41, w42 = 0.1, 0.8, 0.4, 0.6; w53, w54 = 0.3, 0.9; target ya = 0.5; "
        f"E = ½(y5 − ya)²; f(z) = 1/(1 + e^(−z)); learning rate η = {fmt(lr)}. Values in float64; "
        "each slide figure is classified as exact, rounded, truncated or wrong.",
    )
    x1, x2 = X["x1"], X["x2"]
    p = acc.part("Forward pass")
    p.add("z3", "w31·x1 + w32·x2", f"0.1·{x1} + 0.8·{x2}", v["z3"])
    p.add("z4", "w41·x1 + w42·x2", f"0.4·{x1} + 0.6·{x2}", v["z4"])
    p.add("y3", "f(z3)", f"1/(1 + e^(−{fmt(v['z3'])}))", v["y3"])
    p.add("y4", "f(z4)", f"1/(1 + e^(−{fmt(v['z4'])}))", v["y4"])
    p.add("z5", "w53·y3 + w54·y4", f"0.3·{fmt(v['y3'], 8)} + 0.9·{fmt(v['y4'], 8)}", v["z5"])
    p.add("y5", "f(z5)", f"1/(1 + e^(−{fmt(v['z5'], 8)}))", v["y5"])
    p.add("E", "½(y5 − ya)²", f"½({fmt(v['y5'], 8)} − 0.5)²", v["E"])

    p = acc.part("Backward pass: ∂E/∂w53 = ∂E/∂y5 · ∂y5/∂z5 · ∂z5/∂w53")
    p.add("∂E/∂y5", "y5 − ya", f"{fmt(v['y5'], 8)} − 0.5", v["dE_dy5"])
    p.add("∂y5/∂z5", "f(z5)(1 − f(z5)) = y5(1 − y5)", f"{fmt(v['y5'], 8)}·(1 − {fmt(v['y5'], 8)})", v["dy5_dz5"])
    p.add("∂z5/∂w53", "y3", "", v["y3"])
    p.add("∂E/∂w53", "(y5 − ya)·y5(1 − y5)·y3", f"{fmt(v['dE_dy5'], 8)}·{fmt(v['dy5_dz5'], 8)}·{fmt(v['y3'], 8)}",
          v["dE_dw53"])
    p.add("∂E/∂w54", "(y5 − ya)·y5(1 − y5)·y4", "", v["dE_dw54"])

    p = acc.part("Backward pass: ∂E/∂w31 = ∂E/∂y5 · ∂y5/∂z5 · ∂z5/∂y3 · ∂y3/∂z3 · ∂z3/∂w31")
    p.add("∂E/∂y5 · ∂y5/∂z5", "δ5", "", v["delta5"])
    p.add("∂z5/∂y3", "w53", "", W_OUT["w53"])
    p.add("∂y3/∂z3", "y3(1 − y3)", f"{fmt(v['y3'], 8)}·(1 − {fmt(v['y3'], 8)})", v["dy3_dz3"])
    p.add("∂z3/∂w31", "x1", "", x1)
    p.add("∂E/∂w31", "δ5·w53·y3(1 − y3)·x1", f"{fmt(v['delta5'], 8)}·0.3·{fmt(v['dy3_dz3'], 8)}·{x1}", v["dE_dw31"])
    p.add("∂E/∂w32", "δ5·w53·y3(1 − y3)·x2", "", v["dE_dw32"])
    p.add("∂E/∂w41", "δ5·w54·y4(1 − y4)·x1", "", v["dE_dw41"])
    p.add("∂E/∂w42", "δ5·w54·y4(1 − y4)·x2", "", v["dE_dw42"])

    p = acc.part("Update: w ← w − η ∂E/∂w (all six from the same gradients)")
    for k in ("w53", "w54", "w31", "w32", "w41", "w42"):
        p.add(f"{k} new", f"{k} − η·∂E/∂{k}", f"{fmt(w[k])} − {fmt(lr)}·{fmt(v['dE_d' + k], 8)}", new[k])
    p = acc.part("Forward pass with the new weights")
    for k in ("y3", "y4", "y5", "E"):
        p.add(f"{k} new", "", "", after[k])
    p.add("E decreased by", "E − E_new", "", v["E"] - after["E"])

    # -- the slide's figures, classified -------------------------------------------------
    exact = {**{k: v[k] for k in ("z3", "z4", "y3", "y4", "z5", "y5", "E", "dE_dy5", "dE_dw53")}, "f_z5": v["y5"],
             "dz5_dw53": v["y3"], "w53_new": new["w53"], "w31_new": new["w31"], "w32_new": new["w32"],
             "w41_new": new["w41"], "w42_new": new["w42"], "E_new": after["E"]}
    why = _explanations(v, new, after["E"], after["y5"]) if lr == 1.0 else {}
    rows, comparisons = [], []
    for key, printed in SLIDE.items():
        if lr != LR and (key.endswith("_new")):
            continue  # the slide's updated values are for its learning rate, 1
        status = classify(printed, exact[key])
        info = why.get("hidden" if key in ("w31_new", "w32_new", "w41_new", "w42_new") else key, {})
        text = info.get("why", "") if status not in ("exact", "rounded") else ""
        if status == "truncated" and not text:
            text = f"the digits shown are right; rounded to nearest it would be {fmt(round(exact[key], _decimals(printed)))}"
        entry = {"quantity": key, "slide": printed, "value": exact[key], "status": status, "explanation": text}
        if "reproduction" in info:
            entry["reproduction"] = info["reproduction"]
        if key in ("w31_new", "w32_new", "w41_new", "w42_new") and "mixup_weights" in info:
            entry["reproduction"] = info["mixup_weights"][key[:3]]
        comparisons.append(entry)
        rows.append([key, printed, fmt(exact[key], 10), status])
    p = acc.part("The slide's figures beside the exact values")
    p.tables.append(Table(["quantity", "slide", "float64", "status"], rows))
    notes = []
    seen = set()
    for c in comparisons:
        if c["explanation"] and c["explanation"] not in seen:
            seen.add(c["explanation"])
            notes.append(f"* {c['quantity']}: {c['explanation']}")
    p.outro = "\n".join(notes)

    acc.check("the gradient from the chain rule equals float64 central differences",
              *_central_check(w))
    acc.check("one step of gradient descent lowers the error", after["E"] < v["E"],
              f"E {fmt(v['E'], 8)} → {fmt(after['E'], 8)}")
    acc.data = {"inputs": dict(X), "weights": w, "target": TARGET, "lr": lr, "forward": {k: v[k] for k in
                ("z3", "z4", "y3", "y4", "z5", "y5", "E")},
                "factors": {k: v[k] for k in ("dE_dy5", "dy5_dz5", "delta5", "dy3_dz3", "dy4_dz4", "delta3", "delta4")},
                "gradients": {k: v[k] for k in v if k.startswith("dE_dw")}, "new_weights": new,
                "after": after, "slide": comparisons,
                "hidden_mismatch": {k: why["hidden"][k] for k in ("implied_gradients", "typo_w32", "mixup_dot",
                                                                  "mixup_weights")} if why else {}}
    return acc


def _central_check(w: dict[str, float]) -> tuple[bool, str]:
    from ..calculus import numerical_gradient as central_gradient

    keys = list(w)
    exact = gradients_221(w)

    def E(vec: np.ndarray) -> float:
        return forward_221(dict(zip(keys, vec.tolist())))["E"]

    num = central_gradient(E, np.array([w[k] for k in keys]))
    err = max(abs(num[i] - exact[f"dE_d{k}"]) for i, k in enumerate(keys))
    return err < 1e-9, f"largest difference {fmt(err, 3)}"


# -- the 2-3-2-1 network ----------------------------------------------------------------
#: Illustrative weights for the slides' 2-3-2-1 network (the slides give none). W1[j, i] is
#: W_(x_i, j): row j holds the weights into hidden unit j, as in the slide's W(1) written
#: transposed; W2[k, j] is W_(j, k+3); W3[0, k] is w_(k+3, 6).
NETWORK_2321 = {
    "x": [0.35, 0.9],
    "target": 0.5,
    "W1": [[0.1, 0.8], [0.4, 0.6], [0.3, 0.5]],
    "b1": [0.1, 0.2, -0.1],
    "W2": [[0.2, 0.4, 0.6], [0.5, 0.3, 0.1]],
    "b2": [0.1, -0.1],
    "W3": [[0.3, 0.9]],
    "b3": [0.05],
}


def _forward_2321(p: dict[str, np.ndarray], x: np.ndarray) -> dict[str, np.ndarray]:
    z_h1 = p["W1"] @ x + p["b1"]          # (3,)  z1, z2, z3
    y_h1 = 1.0 / (1.0 + np.exp(-z_h1))
    z_h2 = p["W2"] @ y_h1 + p["b2"]       # (2,)  z4, z5
    y_h2 = 1.0 / (1.0 + np.exp(-z_h2))
    z_out = p["W3"] @ y_h2 + p["b3"]      # (1,)  z6
    y_out = 1.0 / (1.0 + np.exp(-z_out))
    return {"z1": z_h1, "y1": y_h1, "z2": z_h2, "y2": y_h2, "z3": z_out, "y3": y_out}


def _backward_2321(p, x, t, fw):
    """The generalised delta rule: δ_out = (y − t) f'(z); δ_j = f'(z_j) Σ_k w_jk δ_k; ∂E/∂w_ij = δ_j y_i."""
    d3 = (fw["y3"] - t) * fw["y3"] * (1 - fw["y3"])            # (1,)
    d2 = (p["W3"].T @ d3) * fw["y2"] * (1 - fw["y2"])          # (2,)
    d1 = (p["W2"].T @ d2) * fw["y1"] * (1 - fw["y1"])          # (3,)
    return {"W3": np.outer(d3, fw["y2"]), "b3": d3, "W2": np.outer(d2, fw["y1"]), "b2": d2,
            "W1": np.outer(d1, x), "b1": d1}, {"delta6": d3, "delta45": d2, "delta123": d1}


def _autodiff_2321(p, x, t) -> dict[str, np.ndarray]:
    from ..autodiff import Tensor
    from ..autodiff import functional as F

    ts = {k: Tensor(np.array(v, dtype=np.float64), requires_grad=True) for k, v in p.items()}
    xt = Tensor(np.asarray(x, dtype=np.float64))
    y1 = F.sigmoid(ts["W1"] @ xt + ts["b1"])
    y2 = F.sigmoid(ts["W2"] @ y1 + ts["b2"])
    y3 = F.sigmoid(ts["W3"] @ y2 + ts["b3"])
    E = ((y3 - t) ** 2).sum() * 0.5
    E.backward()
    return {k: np.asarray(ts[k].grad) for k in p}


def run_2321(network: dict[str, Any] | None = None, lr: float = LR) -> Account:
    """The slides' 2-3-2-1 network with illustrative weights: forward, backward, one update, checked."""
    from ..calculus import numerical_gradient as central_gradient

    net = NETWORK_2321 if network is None else network
    p = {k: np.asarray(net[k], dtype=np.float64) for k in ("W1", "b1", "W2", "b2", "W3", "b3")}
    x = np.asarray(net["x"], dtype=np.float64)
    t = float(net["target"])
    fw = _forward_2321(p, x)
    E = 0.5 * float(((fw["y3"] - t) ** 2).sum())
    grads, deltas = _backward_2321(p, x, t, fw)
    new = {k: p[k] - lr * grads[k] for k in p}
    fw_new = _forward_2321(new, x)
    E_new = 0.5 * float(((fw_new["y3"] - t) ** 2).sum())

    acc = Account("backprop", "Back-propagation: the 2-3-2-1 network (illustrative weights)",
                  "The slides define this network's weights W(1) (3×2), W(2) (2×3), W(3) (1×2) and biases but "
                  "print no numbers; these values are illustrative. Sigmoid units, E = ½(y6 − t)².")
    part = acc.part("Forward pass", "layer by layer, as on the slides")
    for j in range(3):
        part.add(f"z{j + 1}", f"W(x1,{j + 1})·x1 + W(x2,{j + 1})·x2 + b{j + 1}",
                 f"{fmt(p['W1'][j, 0])}·{fmt(x[0])} + {fmt(p['W1'][j, 1])}·{fmt(x[1])} + {fmt(p['b1'][j])}", fw["z1"][j])
    part.add("y1, y2, y3", "f(z1), f(z2), f(z3)", "", fw["y1"])
    for k in range(2):
        part.add(f"z{k + 4}", f"W(1,{k + 4})·y1 + W(2,{k + 4})·y2 + W(3,{k + 4})·y3 + b{k + 4}", "", fw["z2"][k])
    part.add("y4, y5", "f(z4), f(z5)", "", fw["y2"])
    part.add("y6", "f(W(4,6)·y4 + W(5,6)·y5 + b6)", "", float(fw["y3"][0]))
    part.add("E", "½(y6 − t)²", f"½({fmt(float(fw['y3'][0]))} − {fmt(t)})²", E)
    part = acc.part("Backward pass (generalised delta rule)",
                    "δ6 = (y6 − t)·y6(1 − y6); δj = yj(1 − yj)·Σk w(j,k)·δk; ∂E/∂w(i,j) = δj·yi; ∂E/∂bj = δj")
    part.add("δ6", "", "", float(deltas["delta6"][0]))
    part.add("δ4, δ5", "", "", deltas["delta45"])
    part.add("δ1, δ2, δ3", "", "", deltas["delta123"])
    for k in ("W3", "b3", "W2", "b2", "W1", "b1"):
        part.add(f"∂E/∂{k}", "", "", grads[k])
    part = acc.part(f"Update with η = {fmt(lr)}")
    for k in ("W3", "b3", "W2", "b2", "W1", "b1"):
        part.add(f"{k} new", f"{k} − η·∂E/∂{k}", "", new[k])
    part.add("E new", "", "", E_new)

    # checks: autodiff and central differences
    keys = list(p)
    shapes = {k: p[k].shape for k in keys}

    def E_of(vec: np.ndarray) -> float:
        q, i = {}, 0
        for k in keys:
            n = int(np.prod(shapes[k]))
            q[k] = vec[i:i + n].reshape(shapes[k])
            i += n
        f = _forward_2321(q, x)
        return 0.5 * float(((f["y3"] - t) ** 2).sum())

    flat = np.concatenate([p[k].ravel() for k in keys])
    num = central_gradient(E_of, flat)
    mine = np.concatenate([grads[k].ravel() for k in keys])
    fd_err = float(np.max(np.abs(num - mine)))
    acc.check("hand-written backward pass = float64 central differences", fd_err < 1e-9,
              f"largest difference {fmt(fd_err, 3)} over {flat.size} parameters")
    ad = _autodiff_2321(p, x, t)
    ad_err = float(max(np.max(np.abs(ad[k] - grads[k])) for k in keys))
    acc.check("hand-written backward pass = descentlab.autodiff", ad_err < 1e-12, f"largest difference {fmt(ad_err, 3)}")
    acc.check("one step of gradient descent lowers the error", E_new < E, f"E {fmt(E, 8)} → {fmt(E_new, 8)}")
    acc.data = {"network": {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in net.items()},
                "lr": lr, "forward": {k: v for k, v in fw.items()}, "E": E, "deltas": deltas,
                "gradients": grads, "new_weights": new, "E_new": E_new,
                "check": {"central_difference_max_error": fd_err, "autodiff_max_error": ad_err}}
    return acc


def run(network: str = "2-2-1", lr: float = LR) -> Account:
    """``network`` is ``"2-2-1"`` (the slides' Example II) or ``"2-3-2-1"``."""
    from ..errors import ConfigError, expected

    if network == "2-2-1":
        return run_221(lr)
    if network == "2-3-2-1":
        return run_2321(lr=lr)
    raise ConfigError(expected("network '2-2-1' or '2-3-2-1'", network, "pick one of the slides' two networks"))

