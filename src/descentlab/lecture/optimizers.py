r"""Momentum, Nesterov, AdaGrad, RMSProp and Adam, one step at a time, with their state.

The small problem is f(x, y) = x² + 10y² (∇f = (2x, 20y)) from (1, 1): a valley ten
times steeper in y than in x, the situation the slides use to motivate each method.
Each rule is written as on the slides (chapter 4, "Category Optimization")::

    momentum   v_t = α v_{t−1} − η ∇f(x_{t−1});            x_t = x_{t−1} + v_t
    Nesterov   v_t = α v_{t−1} − η ∇f(x_{t−1} + α v_{t−1}); x_t = x_{t−1} + v_t
    AdaGrad    S_t = S_{t−1} + g_t²;   x_{t+1} = x_t − η / (√S_t + ε) · g_t        (ε = 1e-7, the code slide)
    RMSProp    S_t = β S_{t−1} + (1 − β) g_t²;   x_{t+1} = x_t − η / √(S_t + ε) · g_t   (ε = 1e-6 inside)
    Adam       m_t = β1 m + (1 − β1) g;  v_t = β2 v + (1 − β2) g²;
               m̂ = m / (1 − β1ᵗ);  v̂ = v / (1 − β2ᵗ);  x ← x − η m̂ / (√v̂ + ε)  (Kingma & Ba, Alg. 1)

The state after every step is shown (v, S, m, v, m̂, v̂) with the effective
per-coordinate step. The same runs are repeated with :mod:`descentlab.optim` under its
``lecture`` preset, and the two must agree.

The lecture's claims, checked:

* AdaGrad's effective learning rate η/(√S_t + ε) can only shrink, and goes to 0: with a
  constant gradient g it is η/(|g|√t);
* RMSProp's S_t = (1 − β)(g_t² + β g_{t−1}² + β² g_{t−2}² + …) is a weighted average whose
  weights (1 − β)βⁱ sum to 1: Σ_{i<n} (1 − β)βⁱ = 1 − βⁿ → 1.
"""
from __future__ import annotations

import numpy as np

from ._account import Account, Table, fmt

__all__ = ["grad_f", "f", "START", "HYPER", "run_rule", "rmsprop_weight_sum", "adagrad_effective_lr", "run"]

START = np.array([1.0, 1.0])
#: the hyperparameters of each run (eps as on the slides for AdaGrad and RMSProp)
HYPER = {
    "momentum": {"lr": 0.05, "momentum": 0.9},
    "nesterov": {"lr": 0.05, "momentum": 0.9},
    "adagrad": {"lr": 0.5, "eps": 1e-7},
    "rmsprop": {"lr": 0.1, "beta": 0.9, "eps": 1e-6},
    "adam": {"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}


def f(x: np.ndarray) -> float:
    """f(x, y) = x² + 10y²."""
    return float(x[0] ** 2 + 10.0 * x[1] ** 2)


def grad_f(x: np.ndarray) -> np.ndarray:
    """∇f = (2x, 20y)."""
    return np.array([2.0 * x[0], 20.0 * x[1]])


def run_rule(name: str, steps: int, x0: np.ndarray = START, hyper: dict | None = None) -> list[dict]:
    """The slide's equations for ``name``, ``steps`` times; one dict per step with the state after it."""
    h = dict(HYPER[name] if hyper is None else hyper)
    lr = h["lr"]
    x = np.array(x0, dtype=np.float64)
    z = np.zeros_like(x)
    v, S, m, s2 = z.copy(), z.copy(), z.copy(), z.copy()
    rows = []
    for t in range(1, steps + 1):
        row = {"t": t, "x": x.copy()}
        if name == "momentum":
            g = grad_f(x)
            v = h["momentum"] * v - lr * g                     # v_t = α v_{t−1} − η ∇f(x_{t−1})
            x = x + v                                          # x_t = x_{t−1} + v_t
            row.update(g=g, v=v.copy(), step_size=np.full_like(x, lr))
        elif name == "nesterov":
            look = x + h["momentum"] * v                       # where the gradient is taken
            g = grad_f(look)
            v = h["momentum"] * v - lr * g                     # v_t = α v_{t−1} − η ∇f(x_{t−1} + α v_{t−1})
            x = x + v
            row.update(lookahead=look, g=g, v=v.copy(), step_size=np.full_like(x, lr))
        elif name == "adagrad":
            g = grad_f(x)
            S = S + g * g                                      # S_t = S_{t−1} + g²
            eff = lr / (np.sqrt(S) + h["eps"])                 # η / (√S_t + ε)
            x = x - eff * g
            row.update(g=g, S=S.copy(), step_size=eff)
        elif name == "rmsprop":
            g = grad_f(x)
            S = h["beta"] * S + (1 - h["beta"]) * g * g        # S_t = β S_{t−1} + (1 − β) g²
            eff = lr / np.sqrt(S + h["eps"])                   # η / √(S_t + ε)
            x = x - eff * g
            row.update(g=g, S=S.copy(), step_size=eff)
        elif name == "adam":
            g = grad_f(x)
            m = h["beta1"] * m + (1 - h["beta1"]) * g          # first moment
            s2 = h["beta2"] * s2 + (1 - h["beta2"]) * g * g    # second moment
            m_hat = m / (1 - h["beta1"] ** t)
            v_hat = s2 / (1 - h["beta2"] ** t)
            step = lr * m_hat / (np.sqrt(v_hat) + h["eps"])
            x = x - step
            row.update(g=g, m=m.copy(), v=s2.copy(), m_hat=m_hat, v_hat=v_hat,
                       step_size=lr / (np.sqrt(v_hat) + h["eps"]))
        else:  # pragma: no cover - names come from HYPER
            raise KeyError(name)
        row["x_new"] = x.copy()
        row["f_new"] = f(x)
        rows.append(row)
    return rows


def _library_run(name: str, steps: int, preset: str = "lecture") -> np.ndarray:
    """The same run (``HYPER[name]``, from ``START``) with descentlab.optim under ``preset``: x_1 … x_steps."""
    from ..optim import make_optimizer
    from ..optim.lookahead import at_eval_params

    opt = make_optimizer(name, preset=preset, **HYPER[name])
    params = {"x": START.copy()}
    state = opt.init(params)
    out = []
    for _ in range(steps):
        opt.step(params, at_eval_params(opt, params, state, lambda: {"x": grad_f(params["x"].copy())}), state)
        out.append(params["x"].copy())
    return np.array(out)


def adagrad_effective_lr(lr: float, g: float, ts, eps: float = 1e-7) -> np.ndarray:
    """η / (√S_t + ε) with a constant gradient g, where S_t = t·g²."""
    ts = np.asarray(ts, dtype=np.float64)
    return lr / (np.sqrt(ts * g * g) + eps)


def rmsprop_weight_sum(beta: float, n: int) -> float:
    """Σ_{i=0}^{n−1} (1 − β) βⁱ, summed term by term (it equals 1 − βⁿ)."""
    i = np.arange(n, dtype=np.float64)
    return float(np.sum((1.0 - beta) * beta ** i))


_STATE_KEYS = {"momentum": ("v",), "nesterov": ("lookahead", "v"), "adagrad": ("S",), "rmsprop": ("S",),
               "adam": ("m", "v", "m_hat", "v_hat")}
_TITLES = {
    "momentum": "Momentum: v_t = α v_(t−1) − η ∇f(x_(t−1)); x_t = x_(t−1) + v_t",
    "nesterov": "Nesterov: v_t = α v_(t−1) − η ∇f(x_(t−1) + α v_(t−1)); x_t = x_(t−1) + v_t",
    "adagrad": "AdaGrad: S_t = S_(t−1) + g²; x ← x − η/(√S_t + ε)·g",
    "rmsprop": "RMSProp: S_t = β S_(t−1) + (1 − β) g²; x ← x − η/√(S_t + ε)·g",
    "adam": "Adam: m, v moving averages; m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ); x ← x − η m̂/(√v̂ + ε)",
}


def _forms_part(acc: Account, steps: int) -> None:
    """The slides' "variable transform" for Nesterov, and the two momentum forms, checked on 20 steps."""
    alpha = HYPER["nesterov"]["momentum"]
    nest = run_rule("nesterov", steps)
    phi = np.array([r["x_new"] + alpha * r["v"] for r in nest])
    mom = np.array([r["x_new"] for r in run_rule("momentum", steps)])
    p = acc.part("Two forms of the same method",
                 "Nesterov's look-ahead gradient ∇f(θ + μv) is inconvenient: we usually hold θ and ∇f(θ). The slides' "
                 "variable transform φ = θ + μv rewrites the method so the gradient is taken at the stored point φ; "
                 "PyTorch, optax and Keras implement that form. Momentum is written by the slides with the learning "
                 "rate inside the velocity (v = αv − ηg, x += v) and by PyTorch outside it (b = μb + g, x −= ηb); with "
                 "a constant learning rate both give the same iterates.")
    for preset in ("pytorch", "keras"):
        lib = _library_run("nesterov", steps, preset)
        err = float(np.max(np.abs(lib - phi)))
        p.add(f"max |φ_t − {preset} Nesterov iterate|", value=err, note=f"over {steps} steps")
        acc.check(f"Nesterov ({preset} form) = φ_t = θ_t + μ v_t of the look-ahead method", err <= 1e-12,
                  f"largest difference {fmt(err, 3)} over {steps} steps")
    err = float(np.max(np.abs(_library_run("momentum", steps, "pytorch") - mom)))
    p.add("max |slides' momentum − PyTorch momentum|", value=err, note=f"over {steps} steps")
    acc.check("momentum: lr inside (slides) and lr outside (PyTorch) agree under a constant lr", err <= 1e-12,
              f"largest difference {fmt(err, 3)} over {steps} steps")


def run(steps: int = 3) -> Account:
    """Each optimizer ``steps`` times on f(x, y) = x² + 10y² from (1, 1), and the lecture's claims."""
    from ..errors import ConfigError, expected

    if int(steps) < 1:
        raise ConfigError(expected("steps >= 1", steps, "show at least one step"))
    steps = int(steps)
    acc = Account("optimizers", "Momentum, Nesterov, AdaGrad, RMSProp and Adam, step by step",
                  f"f(x, y) = x² + 10y², ∇f = (2x, 20y), start (1, 1), {steps} steps each. State starts at 0. "
                  "Hyperparameters: " + "; ".join(f"{n} {', '.join(f'{k}={fmt(v)}' for k, v in h.items())}"
                                                  for n, h in HYPER.items()) + ".")
    runs = {}
    for name in HYPER:
        rows = run_rule(name, steps)
        runs[name] = rows
        h = HYPER[name]
        p = acc.part(_TITLES[name])
        r1 = rows[0]
        g = r1["g"]
        if name in ("momentum", "nesterov"):
            if name == "nesterov":
                p.add("look-ahead point", "x_0 + α v_0", f"{fmt(START)} + {fmt(h['momentum'])}·[0, 0]", r1["lookahead"])
            p.add("g_1", "∇f(look-ahead)" if name == "nesterov" else "∇f(x_0)", "", g)
            p.add("v_1", "α v_0 − η g_1", f"{fmt(h['momentum'])}·[0, 0] − {fmt(h['lr'])}·{fmt(g)}", r1["v"])
            p.add("x_1", "x_0 + v_1", "", r1["x_new"])
        elif name == "adagrad":
            p.add("g_1", "∇f(x_0)", "", g)
            p.add("S_1", "S_0 + g_1²", f"[0, 0] + {fmt(g * g)}", r1["S"])
            p.add("η/(√S_1 + ε)", "", f"{fmt(h['lr'])}/(√{fmt(r1['S'])} + {fmt(h['eps'])})", r1["step_size"])
            p.add("x_1", "x_0 − η/(√S_1 + ε)·g_1", "", r1["x_new"])
        elif name == "rmsprop":
            p.add("g_1", "∇f(x_0)", "", g)
            p.add("S_1", "β S_0 + (1 − β) g_1²", f"{fmt(h['beta'])}·[0, 0] + {fmt(1 - h['beta'])}·{fmt(g * g)}", r1["S"])
            p.add("η/√(S_1 + ε)", "", "", r1["step_size"])
            p.add("x_1", "x_0 − η/√(S_1 + ε)·g_1", "", r1["x_new"])
        else:
            p.add("g_1", "∇f(x_0)", "", g)
            p.add("m_1", "β1·0 + (1 − β1) g_1", "", r1["m"])
            p.add("v_1", "β2·0 + (1 − β2) g_1²", "", r1["v"])
            p.add("m̂_1", "m_1/(1 − β1¹)", "", r1["m_hat"], "= g_1: the bias correction undoes the zero start")
            p.add("v̂_1", "v_1/(1 − β2¹)", "", r1["v_hat"], "= g_1²")
            p.add("x_1", "x_0 − η m̂_1/(√v̂_1 + ε)", "", r1["x_new"], "each coordinate moves by about η")
        keys = _STATE_KEYS[name]
        p.tables.append(Table(["t", "x_(t−1)", "g_t", *keys, "step size", "x_t", "f(x_t)"],
                              [[r["t"], r["x"], r["g"], *[r[k] for k in keys], r["step_size"], r["x_new"], r["f_new"]]
                               for r in rows]))
        mine = np.array([r["x_new"] for r in rows])
        err = float(np.max(np.abs(_library_run(name, steps) - mine)))
        acc.check(f"{name}: descentlab.optim (lecture preset) takes the same steps", err <= 1e-14,
                  f"largest difference {fmt(err, 3)}")

    _forms_part(acc, steps=20)

    adam1 = runs["adam"][0]
    acc.check("Adam: after one step m̂ = g and v̂ = g² (bias correction)",
              bool(np.allclose(adam1["m_hat"], adam1["g"], rtol=1e-14) and np.allclose(adam1["v_hat"], adam1["g"] ** 2, rtol=1e-12)))

    # AdaGrad's effective learning rate goes to 0
    ts = np.array([1, 10, 100, 10_000, 1_000_000])
    eff = adagrad_effective_lr(1.0, 1.0, ts)
    long = run_rule("adagrad", 200)
    effs = np.array([r["step_size"] for r in long])
    p = acc.part("Claim: AdaGrad's effective learning rate goes to 0",
                 "S_t only grows, so η/(√S_t + ε) only shrinks; with a constant gradient g it is η/(|g|·√t).")
    p.tables.append(Table(["t", "η/(√S_t + ε) with η = 1, g = 1"], [[int(t), float(e)] for t, e in zip(ts, eff)]))
    p.add("on the run above, after 200 steps", "η/(√S_200 + ε)", "", effs[-1])
    acc.check("AdaGrad: the effective learning rate never grows", bool(np.all(np.diff(effs, axis=0) <= 0)),
              f"{fmt(effs[0])} → {fmt(effs[-1])} over 200 steps")
    acc.check("AdaGrad: with a constant gradient it falls like 1/√t towards 0", bool(eff[-1] < 1.01e-3 and np.all(np.diff(eff) < 0)),
              f"{fmt(eff[-1])} at t = 10⁶")

    # RMSProp's weights sum to 1
    p = acc.part("Claim: RMSProp's weights (1 − β)βⁱ sum to 1",
                 "S_t = (1 − β)(g_t² + β g_(t−1)² + β² g_(t−2)² + …) and Σ_(i≥0) βⁱ = 1/(1 − β); a finite sum of n "
                 "terms is 1 − βⁿ.")
    rows, sums = [], {}
    for beta in (0.9, 0.999):
        for n in (10, 100, 1000, 10000):
            s = rmsprop_weight_sum(beta, n)
            sums[f"{beta}/{n}"] = s
            rows.append([fmt(beta), n, s, 1 - beta ** n])
    p.tables.append(Table(["β", "n", "Σ_(i<n) (1 − β)βⁱ", "1 − βⁿ"], rows))
    acc.check("RMSProp: Σ (1 − β)βⁱ over n terms is 1 − βⁿ and tends to 1",
              all(abs(sums[f"{b}/{n}"] - (1 - b ** n)) < 1e-12 for b in (0.9, 0.999) for n in (10, 100, 1000, 10000))
              and abs(sums["0.9/1000"] - 1) < 1e-12 and abs(sums["0.999/10000"] - 1) < 1e-4)
    gs = np.array([r["g"] for r in run_rule("rmsprop", 50)])
    beta = HYPER["rmsprop"]["beta"]
    S = np.zeros(2)
    for g in gs:
        S = beta * S + (1 - beta) * g * g
    unrolled = sum((1 - beta) * beta ** i * gs[-1 - i] ** 2 for i in range(len(gs)))
    acc.check("RMSProp: the recursion equals the unrolled weighted sum", bool(np.allclose(S, unrolled, rtol=1e-12)),
              f"after 50 steps: {fmt(S, 8)} vs {fmt(unrolled, 8)}")
    acc.data = {"problem": "x**2 + 10*y**2", "start": START, "hyper": HYPER, "runs": runs,
                "adagrad_effective_lr": {"t": ts, "value": eff, "run_last": effs[-1]},
                "rmsprop_weight_sums": sums}
    return acc
