r"""Newton's method: x_{n+1} = x_n − H_f(x_n)⁻¹ ∇f(x_n).

The slides derive it from the Taylor expansion of the gradient,
∇f(x + h) ≈ ∇f(x) + H_f(x) h, and ask for the h that makes it zero: H_f(x) h = −∇f(x).
The step is computed by solving that linear system (never by inverting H).

* **A quadratic** f(x) = ½ xᵀA x − bᵀx has ∇f = A x − b and H = A everywhere, so one
  Newton step from any start lands exactly on the minimum x* = A⁻¹b.
* **A non-quadratic**, Rosenbrock's f(x, y) = (1 − x)² + 100 (y − x²)² from the classic
  start (−1.2, 1): the Hessian changes from point to point; the steps converge to (1, 1),
  and near the minimum the gradient norm roughly squares each step (quadratic
  convergence). Gradient descent, for comparison, is still far away after the same
  number of steps.
"""
from __future__ import annotations

import numpy as np

from ..errors import ConfigError, expected
from ._account import Account, Table, fmt

__all__ = ["A", "B", "QUAD_START", "ROSEN_START", "newton_steps", "run"]

A = np.array([[3.0, 1.0], [1.0, 2.0]])
B = np.array([1.0, 1.0])
QUAD_START = np.array([2.0, -1.0])
ROSEN_START = np.array([-1.2, 1.0])


def newton_steps(grad, hess, x0, steps: int, tol: float = 1e-12) -> list[dict]:
    """Pure Newton iterates: solve H h = −∇f, x ← x + h; stop when ‖∇f‖ ≤ ``tol``."""
    x = np.array(x0, dtype=np.float64)
    out = []
    for n in range(steps + 1):
        g = np.asarray(grad(x), dtype=np.float64)
        H = np.asarray(hess(x), dtype=np.float64)
        row = {"n": n, "x": x.copy(), "grad": g, "grad_norm": float(np.linalg.norm(g)), "hessian": H}
        if row["grad_norm"] <= tol or n == steps:
            out.append(row)
            break
        h = np.linalg.solve(H, -g)          # H_f(x_n) h = −∇f(x_n)
        row["step"] = h
        out.append(row)
        x = x + h                            # x_{n+1} = x_n − H⁻¹ ∇f
    return out


def run(steps: int = 8, gd_lr: float = 1e-3) -> Account:
    """One Newton step on a quadratic, then Newton (and GD for contrast) on Rosenbrock's function."""
    from ..functions import get_surface

    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ConfigError(expected("steps >= 1 (an integer)", steps, "take at least one Newton step, e.g. 8"))
    acc = Account("newton", "Newton's method: x_(n+1) = x_n − H_f(x_n)⁻¹ ∇f(x_n)",
                  "The step h solves H_f(x_n) h = −∇f(x_n), the zero of the gradient's Taylor expansion "
                  "∇f(x + h) ≈ ∇f(x) + H_f(x) h.")
    # 1. quadratic
    x0 = QUAD_START
    f = lambda x: 0.5 * x @ A @ x - B @ x  # noqa: E731
    g0 = A @ x0 - B
    h = np.linalg.solve(A, -g0)
    x1 = x0 + h
    x_star = np.linalg.solve(A, B)
    p = acc.part("1. A quadratic: f(x) = ½ xᵀA x − bᵀx, A = [[3, 1], [1, 2]], b = [1, 1]",
                 "∇f(x) = A x − b and H_f = A (constant), so one step reaches the minimum A⁻¹b.")
    p.add("x0", "", "", x0)
    p.add("f(x0)", "½ x0ᵀA x0 − bᵀx0", "", float(f(x0)))
    p.add("∇f(x0)", "A x0 − b", f"{fmt(A @ x0)} − {fmt(B)}", g0)
    p.add("H_f", "A", "", A)
    p.add("h", "solve H h = −∇f(x0)", "", h)
    p.add("x1", "x0 + h", "", x1)
    p.add("∇f(x1)", "A x1 − b", "", A @ x1 - B)
    p.add("x* = A⁻¹b", "", "", x_star)
    acc.check("one Newton step lands on the minimum of a quadratic", bool(np.allclose(x1, x_star, rtol=0, atol=1e-14)),
              f"x1 = {fmt(x1)}, A⁻¹b = {fmt(x_star)}")

    # 2. Rosenbrock
    s = get_surface("rosenbrock")
    iters = newton_steps(s.grad, s.hess, ROSEN_START, steps)
    rows = [[r["n"], r["x"], s.f(r["x"]), r["grad_norm"], fmt(r["hessian"], 5)] for r in iters]
    p = acc.part("2. A non-quadratic: Rosenbrock f(x, y) = (1 − x)² + 100(y − x²)², start (−1.2, 1)",
                 "∇f = (−2(1 − x) − 400x(y − x²), 200(y − x²)) and H_f = [[2 − 400y + 1200x², −400x], [−400x, 200]] "
                 "change with x, so Newton needs several steps; near (1, 1) the gradient norm roughly squares "
                 "each step.")
    first = iters[0]
    p.add("∇f(x0)", "", "", first["grad"])
    p.add("H_f(x0)", "", "", first["hessian"])
    p.add("h0", "solve H h = −∇f", "", first.get("step"))
    p.add("x1", "x0 + h0", "", iters[1]["x"] if len(iters) > 1 else first["x"])
    p.tables.append(Table(["n", "x_n", "f(x_n)", "‖∇f(x_n)‖", "H_f(x_n)"], rows))
    fs = [float(s.f(r["x"])) for r in iters]
    worst = int(np.argmax(fs[1:])) + 1 if len(fs) > 1 else 0
    if len(fs) > 1 and fs[worst] > fs[0]:
        p.outro = (f"Pure Newton is not a descent method far from the minimum: f rises to {fmt(fs[worst], 6)} at "
                   f"n = {worst} (the step aims at the stationary point of the local quadratic model, not "
                   "necessarily downhill) before it converges; damped or regularised Newton guards against this.")
    last = iters[-1]
    acc.check("Newton reaches Rosenbrock's minimum (1, 1)", bool(np.allclose(last["x"], [1.0, 1.0], atol=1e-8)),
              f"x_{last['n']} = {fmt(last['x'], 12)}")
    norms = [r["grad_norm"] for r in iters]
    # quadratic convergence: once close, ‖g_{n+1}‖ ≤ C ‖g_n‖²
    tail = [(a, b) for a, b in zip(norms, norms[1:]) if 1e-12 < a < 1e-1]
    acc.check("near the minimum the convergence is quadratic (‖∇f_(n+1)‖ ≤ C‖∇f_n‖²)",
              bool(tail) and all(b <= 1e3 * a * a + 1e-13 for a, b in tail),
              ", ".join(f"{fmt(a, 3)} → {fmt(b, 3)}" for a, b in tail))

    # gradient descent, same number of steps, for contrast
    x = ROSEN_START.copy()
    for _ in range(len(iters) - 1):
        x = x - gd_lr * s.grad(x)
    p.add(f"GD after {len(iters) - 1} steps (γ = {fmt(gd_lr)})", "", "", x, f"f = {fmt(s.f(x), 6)}")
    acc.data = {"quadratic": {"A": A, "b": B, "x0": x0, "grad0": g0, "step": h, "x1": x1, "x_star": x_star},
                "rosenbrock": {"start": ROSEN_START, "iterates": [{k: v for k, v in r.items()} for r in iters],
                               "gd_lr": gd_lr, "gd_x": x, "gd_f": float(s.f(x))}}
    return acc
