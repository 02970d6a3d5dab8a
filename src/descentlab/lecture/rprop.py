r"""Why RMSProp is "a mini-batch version of rprop": dividing by the size of the gradient.

The slide says rprop "is equivalent to using the gradient but also dividing by the size
of the gradient", and that with mini-batches "we divide by a different number for each
mini-batch". Take one weight and ten mini-batches per epoch: nine give the gradient
+0.1 and one gives −0.9. Their sum is 0: full-batch gradient descent does not move.

* **g/|g| (the sign), fixed step η.** Nine steps of −η and one of +η: the weight
  drifts by −8η every epoch, because each batch was divided by its own size (0.1 nine
  times, 0.9 once), so the large gradient counts no more than a small one.
* **Rprop** (descentlab's ``rprop``, PyTorch's iRprop⁻) also grows its step while the
  sign holds (×η⁺ = 1.2 up to 50) and only halves it at the one flip, so it drifts
  faster still.
* **RMSProp** divides every batch by the same number, √MeanSquare with
  MeanSquare ← 0.9 MeanSquare + 0.1 g², which is about √0.09 = 0.3 for adjacent
  batches: 9 · 0.1/0.3 ≈ 0.9/0.3, so the ten steps nearly cancel. What is left is
  MeanSquare's own ripple (it jumps after the −0.9 batch); a slower average
  (β = 0.99) leaves less.

Each rule runs with descentlab's optimizers on the same gradient sequence; the checks
are the claims above, on those numbers.
"""
from __future__ import annotations

import numpy as np

from ._account import Account, Table, fmt

__all__ = ["BATCHES", "run", "drift_per_epoch"]

#: the gradient of each mini-batch of one epoch
BATCHES = (0.1,) * 9 + (-0.9,)


def drift_per_epoch(name: str, hyper: dict, epochs: int, preset: str = "pytorch") -> list[float]:
    """The weight after each epoch of :data:`BATCHES`, from w = 0 (0 first)."""
    from ..optim import make_optimizer

    opt = make_optimizer(name, preset=preset, **hyper)
    params = {"w": np.array(0.0)}
    state = opt.init(params)
    ends = [0.0]
    for _ in range(epochs):
        for g in BATCHES:
            opt.step(params, {"w": np.array(g)}, state)
        ends.append(float(params["w"]))
    return ends


def _sign_sgd(lr: float, epochs: int) -> list[float]:
    w, ends = 0.0, [0.0]
    for _ in range(epochs):
        for g in BATCHES:
            w -= lr * g / abs(g)
        ends.append(w)
    return ends


def run(lr: float = 0.01, epochs: int = 30, beta: float = 0.9) -> Account:
    """The four rules on :data:`BATCHES` for ``epochs`` epochs; returns the account."""
    from ..errors import ConfigError, expected

    if not lr > 0:
        raise ConfigError(expected("lr > 0", lr, "pass a positive step, e.g. lr=0.01"))
    if int(epochs) != epochs or epochs < 2:
        raise ConfigError(expected("epochs a whole number >= 2", epochs, "pass e.g. epochs=30"))
    if not 0 < beta < 1:
        raise ConfigError(expected("beta in (0, 1)", beta, "pass the slide's beta=0.9"))
    epochs = int(epochs)
    acc = Account("rprop", "rprop with mini-batches, and how RMSProp repairs it",
                  f"one weight, ten batches per epoch with gradients 0.1 (nine times) and −0.9 (once); η = {fmt(lr)}")
    runs = {
        "sign g/|g|": _sign_sgd(lr, epochs),
        "rprop": drift_per_epoch("rprop", {"lr": lr}, epochs),
        f"rmsprop β={fmt(beta)}": drift_per_epoch("rmsprop", {"lr": lr, "beta": beta}, epochs, preset="lecture"),
        "rmsprop β=0.99": drift_per_epoch("rmsprop", {"lr": lr, "beta": 0.99}, epochs, preset="lecture"),
    }
    last = {k: v[-1] - v[-2] for k, v in runs.items()}
    p = acc.part("The gradients of one epoch")
    p.add("sum of the ten batch gradients", "9 · 0.1 + (−0.9)", "0.9 − 0.9", round(sum(BATCHES), 12))
    p.add("sign steps in one epoch", "−η · (9 · 1 − 1)", f"−{fmt(lr)} · 8", -8 * lr)
    ms = 0.9 * 0.01 + 0.1 * 0.81
    p.add("MeanSquare's level", "mean of g² over the epoch", "(9 · 0.01 + 0.81) / 10", ms)
    p.add("RMSProp's ten steps at that level", "−η (9 · 0.1 − 0.9) / √0.09", f"−{fmt(lr)} · 0 / 0.3", 0.0)
    p = acc.part("Drift per epoch (the last epoch)")
    p.tables.append(Table(["rule", "weight after epoch 1", f"after epoch {epochs}", "drift in the last epoch"],
                          [[k, v[1], v[-1], last[k]] for k, v in runs.items()]))
    sign, rp, rms, rms99 = (last[k] for k in runs)
    acc.check("full-batch gradient descent would not move: the batch gradients sum to 0", abs(sum(BATCHES)) < 1e-12)
    acc.check("g/|g| drifts by −8η every epoch", abs(sign + 8 * lr) <= 1e-12 * max(1.0, abs(sign)),
              f"{fmt(sign)} per epoch")
    acc.check("rprop drifts at least as fast (its steps grow while the sign holds)", rp <= sign,
              f"{fmt(rp)} per epoch")
    acc.check(f"RMSProp (β = {fmt(beta)}) drifts less than a tenth as fast as g/|g|", abs(rms) < 0.1 * abs(sign),
              f"{fmt(rms)} per epoch, {fmt(abs(rms / sign), 3)} of the sign's")
    acc.check("a slower average (β = 0.99) leaves less drift", abs(rms99) < abs(rms), f"{fmt(rms99)} per epoch")
    acc.data = {"batches": list(BATCHES), "lr": lr, "epochs": epochs, "beta": beta,
                "weights": runs, "drift_last_epoch": last}
    return acc
