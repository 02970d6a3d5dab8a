r"""SGD, batch GD and mini-batch GD on the chapter's linear-regression derivation.

The slides (chapter 4, "Batch-size Optimization") use the discriminant f_w(x) = wᵀx and::

    SGD   L⁽ⁱ⁾(w) = ½ (f_w(x⁽ⁱ⁾) − y⁽ⁱ⁾)²          ∂L⁽ⁱ⁾/∂w_j = (f_w(x⁽ⁱ⁾) − y⁽ⁱ⁾) x_j⁽ⁱ⁾
    BGD   L(w) = 1/M Σ_{i=1}^{M} (f_w(x⁽ⁱ⁾) − y⁽ⁱ⁾)²   ∂L/∂w_j = 1/M Σ (f_w(x⁽ⁱ⁾) − y⁽ⁱ⁾) x_j⁽ⁱ⁾   (as printed)
    MBGD  L(w) = 1/k Σ_{i=1}^{k} (f_w(x⁽ⁱ⁾) − y⁽ⁱ⁾)²   ∂L/∂w_j = 1/k Σ (f_w(x⁽ⁱ⁾) − y⁽ⁱ⁾) x_j⁽ⁱ⁾   (as printed)
    update  w_j := w_j − η · ∂L/∂w_j

**A convention to notice.** For SGD the slide keeps the ½, and its gradient is right.
For BGD and MBGD the loss is written without the ½ but the gradient is still written
without the factor 2, so the printed gradient is *half* the derivative of the printed
loss: it is the derivative of 1/(2M) Σ (f − y)². descentlab uses the ½ convention
throughout, L = 1/(2M) Σ (f − y)² (and 1/(2k) Σ for a mini-batch), so the gradients and
the update rules are exactly the slides' printed ones; with the loss taken literally
the same step would need η/2. The example prints both losses and checks each gradient
against float64 central differences. (The slide's BGD sums also mix the upper limits
M and m; both mean the number of training samples.)

The data are six points near y = 1 + 2x with a bias feature, x⁽ⁱ⁾ = (1, xᵢ); the start
is w = (0, 0) and η = 0.1. Which sample (SGD) or samples (MBGD, k = 2) a step uses comes
from the seeded batchings of :mod:`descentlab.data`.
"""
from __future__ import annotations

import numpy as np

from ._account import Account, Table, fmt

__all__ = ["XS", "YS", "design", "loss_half", "loss_printed", "grad_half", "run"]

XS = np.array([0.5, 1.0, 1.5, 2.0, 2.5, 3.0])
YS = np.array([2.1, 2.9, 4.2, 4.8, 6.1, 7.0])
W0 = np.array([0.0, 0.0])
ETA = 0.1


def design(xs: np.ndarray = XS) -> np.ndarray:
    """Rows x⁽ⁱ⁾ = (1, xᵢ): the bias is the weight w_0 of a constant feature."""
    return np.column_stack([np.ones_like(xs), xs])


def loss_half(w, X, y) -> float:
    """descentlab's convention: L = 1/(2n) Σ (wᵀx⁽ⁱ⁾ − y⁽ⁱ⁾)² (the SGD slide's ½, averaged)."""
    r = X @ w - y
    return float(0.5 * np.mean(r * r))


def loss_printed(w, X, y) -> float:
    """The BGD/MBGD slides' loss as printed: 1/n Σ (wᵀx⁽ⁱ⁾ − y⁽ⁱ⁾)² (no ½)."""
    r = X @ w - y
    return float(np.mean(r * r))


def grad_half(w, X, y) -> np.ndarray:
    """∂L/∂w_j = 1/n Σ (wᵀx⁽ⁱ⁾ − y⁽ⁱ⁾) x_j⁽ⁱ⁾, the slides' printed gradient."""
    return (X @ w - y) @ X / X.shape[0]


def _one_step(part, name: str, idx: np.ndarray, X, y, w, eta) -> dict:
    Xb, yb = X[idx], y[idx]
    f = Xb @ w
    r = f - yb
    g = r @ Xb / len(idx)
    w_new = w - eta * g
    n = len(idx)
    part.add("samples i", "", "", [int(i) + 1 for i in idx], "1-based, as on the slides")
    for i, fi, ri in zip(idx, f, r):
        part.add(f"f_w(x⁽{i + 1}⁾)", "w0·1 + w1·x", f"{fmt(w[0])}·1 + {fmt(w[1])}·{fmt(X[i, 1])}", float(fi),
                 f"residual f − y = {fmt(float(ri))}")
    frac = "" if n == 1 else f"1/{n} Σ "
    part.add("∂L/∂w0", f"{frac}(f − y)·1", "", float(g[0]))
    part.add("∂L/∂w1", f"{frac}(f − y)·x", "", float(g[1]))
    part.add("w new", "w − η ∇L", f"{fmt(w)} − {fmt(eta)}·{fmt(g)}", w_new)
    return {"method": name, "samples": [int(i) for i in idx], "f": f, "residual": r, "grad": g, "w_new": w_new,
            "loss_before": loss_half(w, X, y), "loss_after": loss_half(w_new, X, y)}


def _train(batching, X, y, w0, eta, epochs) -> tuple[np.ndarray, int | None]:
    """``epochs`` epochs of plain GD steps: ``(w, None)``, or ``(w, step)`` once w stops being finite."""
    w = w0.copy()
    step = 0
    with np.errstate(over="ignore", invalid="ignore"):  # a too-large η overflows; the step is named instead
        for _ in range(epochs):
            for idx in batching.epoch(X.shape[0]):
                w = w - eta * grad_half(w, X[idx], y[idx])
                step += 1
                if not np.isfinite(w).all():
                    return w, step
    return w, None


def run(seed: int = 0, eta: float = ETA, k: int = 2, epochs: int = 2000) -> Account:
    """One step of SGD, BGD and MBGD from w = (0, 0), then ``epochs`` epochs of each."""
    from ..data import full, minibatch, stochastic
    from ..errors import ConfigError, expected
    from ..calculus import numerical_gradient as central_gradient

    X, y = design(), YS.copy()
    M = X.shape[0]
    if not 1 <= int(k) < M:
        raise ConfigError(expected(f"1 <= k < {M} (mini-batch smaller than the data)", k, "use k = 2"))
    acc = Account("batch-size", "Batch size: SGD, batch GD and mini-batch GD on linear regression",
                  f"f_w(x) = wᵀx with x = (1, x); {M} samples near y = 1 + 2x; start w = {fmt(W0)}; η = {fmt(eta)}; "
                  f"seed {seed}. Loss convention: L = 1/(2n) Σ (f − y)² (see the note on the slides' BGD/MBGD losses).")
    p = acc.part("The data", "")
    p.tables.append(Table(["i", "x⁽ⁱ⁾ = (1, x)", "y⁽ⁱ⁾"], [[i + 1, X[i], y[i]] for i in range(M)]))

    steps = {}
    p = acc.part("1. SGD: one random sample per step",
                 "L⁽ⁱ⁾(w) = ½(f_w(x⁽ⁱ⁾) − y⁽ⁱ⁾)²;  ∂L⁽ⁱ⁾/∂w_j = (f_w(x⁽ⁱ⁾) − y⁽ⁱ⁾)·x_j⁽ⁱ⁾;  w_j := w_j − η·∂L⁽ⁱ⁾/∂w_j")
    steps["sgd"] = _one_step(p, "sgd", stochastic(seed).epoch(M)[0], X, y, W0, eta)
    p = acc.part("2. Batch GD: all M samples per step",
                 "L(w) = 1/(2M) Σ (f_w(x⁽ⁱ⁾) − y⁽ⁱ⁾)²;  ∂L/∂w_j = 1/M Σ (f_w(x⁽ⁱ⁾) − y⁽ⁱ⁾)·x_j⁽ⁱ⁾ (the slide's gradient)")
    steps["bgd"] = _one_step(p, "bgd", full(seed).epoch(M)[0], X, y, W0, eta)
    p = acc.part(f"3. Mini-batch GD: k = {k} random samples per step",
                 "L(w) = 1/(2k) Σ_{i=1}^{k} (f_w(x⁽ⁱ⁾) − y⁽ⁱ⁾)²;  ∂L/∂w_j = 1/k Σ (f_w(x⁽ⁱ⁾) − y⁽ⁱ⁾)·x_j⁽ⁱ⁾")
    steps["mbgd"] = _one_step(p, "mbgd", minibatch(int(k), seed=seed).epoch(M)[0], X, y, W0, eta)

    # the convention, with numbers
    g_half = grad_half(W0, X, y)
    num_half = central_gradient(lambda w: loss_half(w, X, y), W0)
    num_printed = central_gradient(lambda w: loss_printed(w, X, y), W0)
    p = acc.part("4. The slides' BGD/MBGD loss and gradient do not match",
                 "The printed loss 1/M Σ (f − y)² has gradient 2/M Σ (f − y)x_j, twice the printed gradient. "
                 "descentlab keeps the ½ (as the SGD slide does): L = 1/(2M) Σ (f − y)², whose gradient is the "
                 "printed one.")
    p.add("L at w0 (descentlab, ½)", "1/(2M) Σ (f − y)²", "", loss_half(W0, X, y))
    p.add("L at w0 (as printed)", "1/M Σ (f − y)²", "", loss_printed(W0, X, y))
    p.add("printed gradient", "1/M Σ (f − y)·x", "", g_half)
    p.add("central difference of the ½ loss", "", "", num_half)
    p.add("central difference of the printed loss", "", "", num_printed, "= 2 × the printed gradient")
    acc.check("the printed gradient is the derivative of the ½ loss", bool(np.allclose(num_half, g_half, atol=1e-8)),
              f"largest difference {fmt(float(np.max(np.abs(num_half - g_half))), 3)}")
    acc.check("the printed loss's derivative is twice the printed gradient", bool(np.allclose(num_printed, 2 * g_half, atol=1e-8)))
    for name in ("sgd", "mbgd"):
        idx = steps[name]["samples"]
        num = central_gradient(lambda w: loss_half(w, X[idx], y[idx]), W0)
        acc.check(f"the {name.upper()} step's gradient = central differences of its loss",
                  bool(np.allclose(num, steps[name]["grad"], atol=1e-8)))

    # several epochs: all three approach the least-squares solution
    w_ls = np.linalg.lstsq(X, y, rcond=None)[0]
    runs = {"sgd": _train(stochastic(seed), X, y, W0, eta, epochs),
            "bgd": _train(full(seed), X, y, W0, eta, epochs),
            "mbgd": _train(minibatch(int(k), seed=seed), X, y, W0, eta, epochs)}
    finals = {m: w for m, (w, _) in runs.items()}
    acc.diverged = [f"{m.upper()} with η = {fmt(eta)}: w is not finite after update {at}"
                    for m, (_, at) in runs.items() if at is not None]
    p = acc.part(f"5. After {epochs} epochs", "each method's w beside the least-squares solution; SGD and MBGD "
                 "with a constant η keep fluctuating around it, batch GD converges to it.")
    p.tables.append(Table(["method", "updates per epoch", "w after", "L(w) (½ convention)", "distance to w*"],
                          [[m.upper(), {"sgd": M, "bgd": 1, "mbgd": -(-M // int(k))}[m], finals[m],
                            loss_half(finals[m], X, y), float(np.linalg.norm(finals[m] - w_ls))] for m in finals]))
    p.add("w* (least squares)", "solve XᵀX w = Xᵀy", "", w_ls)
    acc.check("batch GD converges to the least-squares solution", bool(np.allclose(finals["bgd"], w_ls, atol=1e-6)),
              f"distance {fmt(float(np.linalg.norm(finals['bgd'] - w_ls)), 3)}")
    acc.data = {"X": X, "y": y, "w0": W0, "eta": eta, "k": int(k), "seed": seed, "steps": steps,
                "convention": {"loss_half": loss_half(W0, X, y), "loss_printed": loss_printed(W0, X, y),
                               "printed_gradient": g_half, "fd_half": num_half, "fd_printed": num_printed},
                "epochs": epochs, "final": finals, "w_least_squares": w_ls}
    return acc
