r"""Derivative, partial and directional derivative, gradient: the limits, shown numerically.

The slides define (chapter 4, "Gradient Descent")::

    f'(x0)     = lim_{Δx→0} [f(x0 + Δx) − f(x0)] / Δx
    f_x(x, y)  = lim_{Δx→0} [f(x + Δx, y) − f(x, y)] / Δx
    ∂f/∂l      = lim_{ρ→0} [f(x0 + Δx, y0 + Δy) − f(x0, y0)] / ρ,   ρ = √(Δx² + Δy²)
               = f_x cos α + f_y cos β        (direction l = (cos α, cos β))
    grad f     = (∂f/∂x0, …, ∂f/∂xn): its direction is the one of largest directional
                 derivative, its length is that largest value
    Δz ≈ f_x Δx + f_y Δy                      (the tangent plane)

This example evaluates each quotient for h = 10⁻¹ … 10⁻¹² on

* ``f(x) = x³`` at ``x0 = 1`` (f'(1) = 3): the forward quotient is 3 + 3h + h², so its
  error shrinks like h until round-off (about ε/h) takes over near h = 10⁻⁸;
* ``g(x, y) = x² + x·y + 2y²`` at ``(1, 1)``: ∇g = (2x + y, x + 4y) = (3, 5).

It then compares the directional derivative over 360 directions: the largest is
‖∇g‖ = √34 ≈ 5.831, at the gradient's angle atan2(5, 3) ≈ 59.04°; the smallest is −√34
in the opposite direction; it is 0 along the level curve (perpendicular to ∇g).
"""
from __future__ import annotations

import math

import numpy as np

from ._account import Account, Table, fmt

__all__ = ["f1", "df1", "g2", "grad_g2", "run"]

X0 = 1.0
POINT = (1.0, 1.0)
HS = tuple(10.0 ** -k for k in range(1, 13))


def f1(x: float) -> float:
    """f(x) = x³."""
    return x ** 3


def df1(x: float) -> float:
    """f'(x) = 3x²."""
    return 3.0 * x ** 2


def g2(x: float, y: float) -> float:
    """g(x, y) = x² + x·y + 2y²."""
    return x * x + x * y + 2.0 * y * y


def grad_g2(x: float, y: float) -> tuple[float, float]:
    """∇g = (2x + y, x + 4y)."""
    return 2.0 * x + y, x + 4.0 * y


def _calculus_check(point: tuple[float, float]) -> tuple[bool, str]:
    """Compare the exact gradient with descentlab.calculus."""
    from ..calculus import numerical_gradient

    num = np.asarray(numerical_gradient(lambda v: g2(float(v[0]), float(v[1])), np.array(point, dtype=float)),
                     dtype=float)
    err = float(np.max(np.abs(num - np.array(grad_g2(*point)))))
    return err < 1e-6, f"descentlab.calculus.numerical_gradient gives {fmt(num, 8)}, largest difference {fmt(err, 3)}"


def run(x0: float = X0, point: tuple[float, float] = POINT, directions: int = 360) -> Account:
    """The limit definitions as h shrinks, the gradient, and steepest ascent over ``directions`` angles."""
    from ..errors import ConfigError, expected

    if int(directions) < 4:
        raise ConfigError(expected("directions >= 4", directions, "compare at least four directions, e.g. 360"))
    x0 = float(x0)
    px, py = float(point[0]), float(point[1])
    acc = Account("derivatives", "Derivatives, partial and directional derivatives, the gradient",
                  f"f(x) = x³ at x0 = {fmt(x0)}; g(x, y) = x² + x·y + 2y² at ({fmt(px)}, {fmt(py)}). "
                  "Each limit is evaluated for shrinking h; the exact values come from the derivative rules.")

    # 1. derivative as a limit
    exact = df1(x0)
    rows, limit = [], []
    for h in HS:
        fwd = (f1(x0 + h) - f1(x0)) / h
        cen = (f1(x0 + h) - f1(x0 - h)) / (2 * h)
        rows.append([fmt(h, 1), fwd, abs(fwd - exact), cen, abs(cen - exact)])
        limit.append({"h": h, "forward": fwd, "forward_error": abs(fwd - exact), "central": cen,
                      "central_error": abs(cen - exact)})
    p = acc.part("1. The derivative as a limit: f'(x0) = lim [f(x0 + h) − f(x0)] / h",
                 f"f(x) = x³, x0 = {fmt(x0)}, exact f'(x0) = 3·x0² = {fmt(exact)}. In exact arithmetic the forward "
                 "quotient is 3x0² + 3x0·h + h², so its error falls like h; in floating point, round-off of "
                 "about 2⁻⁵² / h takes over for very small h. The central quotient [f(x0+h) − f(x0−h)] / 2h "
                 "has error h² (x0 = 1).")
    p.tables.append(Table(["h", "forward quotient", "|error|", "central quotient", "|error|"], rows))
    best = min(limit, key=lambda r: r["forward_error"])
    p.outro = f"The forward quotient is closest at h = {fmt(best['h'], 1)} (error {fmt(best['forward_error'], 3)})."
    acc.check("the forward quotient approaches f'(x0) as h shrinks (until round-off)",
              limit[0]["forward_error"] > limit[3]["forward_error"] > limit[6]["forward_error"],
              f"errors {fmt(limit[0]['forward_error'], 3)}, {fmt(limit[3]['forward_error'], 3)}, "
              f"{fmt(limit[6]['forward_error'], 3)} at h = 1e-1, 1e-4, 1e-7")

    # 2. partial derivatives
    gx, gy = grad_g2(px, py)
    g0 = g2(px, py)
    prow, partial = [], []
    for h in HS[:9]:
        qx = (g2(px + h, py) - g0) / h
        qy = (g2(px, py + h) - g0) / h
        prow.append([fmt(h, 1), qx, qy])
        partial.append({"h": h, "fx": qx, "fy": qy})
    p = acc.part("2. Partial derivatives: f_x = lim [g(x + h, y) − g(x, y)] / h, f_y likewise",
                 "g(x, y) = x² + x·y + 2y²: g_x = 2x + y, g_y = x + 4y (hold the other variable fixed).")
    p.add("g", "x² + x·y + 2y²", f"{fmt(px)}² + {fmt(px)}·{fmt(py)} + 2·{fmt(py)}²", g0)
    p.add("g_x", "2x + y", f"2·{fmt(px)} + {fmt(py)}", gx)
    p.add("g_y", "x + 4y", f"{fmt(px)} + 4·{fmt(py)}", gy)
    p.add("∇g", "(g_x, g_y)", "", [gx, gy])
    norm = p.add("‖∇g‖", "√(g_x² + g_y²)", f"√({fmt(gx)}² + {fmt(gy)}²)", math.hypot(gx, gy))
    p.tables.append(Table(["h", "[g(x+h,y) − g]/h", "[g(x,y+h) − g]/h"], prow))

    # 3. directional derivative: limit along one direction, then the cosine formula
    alpha = math.radians(45.0)
    ca, cb = math.cos(alpha), math.sin(alpha)   # cos β = sin α for β = 90° − α
    drow = []
    for rho in HS[:9]:
        drow.append([fmt(rho, 1), (g2(px + rho * ca, py + rho * cb) - g0) / rho])
    d45 = gx * ca + gy * cb
    p = acc.part("3. Directional derivative along l = (cos α, cos β)",
                 "∂g/∂l = lim_{ρ→0} [g(x + ρ cos α, y + ρ cos β) − g(x, y)] / ρ = g_x cos α + g_y cos β; here α = 45°.")
    p.add("∂g/∂l (45°)", "g_x cos α + g_y cos β", f"{fmt(gx)}·{fmt(ca, 6)} + {fmt(gy)}·{fmt(cb, 6)}", d45)
    p.tables.append(Table(["ρ", "[g(x+ρcosα, y+ρcosβ) − g]/ρ"], drow))

    # 4. the gradient is the direction of steepest ascent
    angles = np.arange(int(directions)) * (360.0 / int(directions))
    rad = np.radians(angles)
    dd = gx * np.cos(rad) + gy * np.sin(rad)
    i_max, i_min = int(np.argmax(dd)), int(np.argmin(dd))
    grad_angle = math.degrees(math.atan2(gy, gx)) % 360.0
    level = np.abs(dd).argmin()
    p = acc.part("4. The gradient is the direction of steepest ascent",
                 f"Directional derivative g_x cos α + g_y sin α over {int(directions)} directions α.")
    p.add("largest ∂g/∂l", value=float(dd[i_max]), note=f"at α = {fmt(angles[i_max])}°")
    p.add("‖∇g‖", "", "", norm)
    p.add("angle of ∇g", "atan2(g_y, g_x)", f"atan2({fmt(gy)}, {fmt(gx)})", grad_angle, "degrees")
    p.add("smallest ∂g/∂l", value=float(dd[i_min]), note=f"at α = {fmt(angles[i_min])}°, opposite: steepest descent")
    p.add("smallest |∂g/∂l|", value=float(dd[level]), note=f"at α = {fmt(angles[level])}°, along the level curve, ⟂ ∇g")
    p.tables.append(Table(["α (deg)", "∂g/∂l"], [[fmt(a), float(v)] for a, v in zip(angles[:: max(1, len(angles) // 12)],
                                                                                 dd[:: max(1, len(angles) // 12)])]))
    step = 360.0 / int(directions)
    acc.check("the largest directional derivative is ‖∇g‖ (up to the angle grid)",
              norm * math.cos(math.radians(step / 2)) - 1e-12 <= float(dd[i_max]) <= norm + 1e-12,
              f"max {fmt(float(dd[i_max]), 8)} vs ‖∇g‖ {fmt(norm, 8)}")
    acc.check("it is reached in the direction of ∇g", abs((angles[i_max] - grad_angle + 180) % 360 - 180) <= step / 2 + 1e-9,
              f"best angle {fmt(angles[i_max])}°, gradient at {fmt(grad_angle, 6)}°")
    acc.check("no direction beats the gradient (Cauchy–Schwarz: |∂g/∂l| ≤ ‖∇g‖)", bool(np.all(np.abs(dd) <= norm + 1e-12)))

    # 5. tangent plane
    dx, dy = 0.01, 0.02
    dz_true = g2(px + dx, py + dy) - g0
    dz_lin = gx * dx + gy * dy
    p = acc.part("5. The gradient defines the tangent plane: Δz ≈ g_x Δx + g_y Δy")
    p.add("Δz (true)", "g(x + Δx, y + Δy) − g(x, y)", f"Δx = {fmt(dx)}, Δy = {fmt(dy)}", dz_true)
    p.add("Δz (plane)", "g_x Δx + g_y Δy", f"{fmt(gx)}·{fmt(dx)} + {fmt(gy)}·{fmt(dy)}", dz_lin)
    p.add("difference", "", "second order: Δx² + ΔxΔy + 2Δy²", dz_true - dz_lin)
    acc.check("the tangent-plane error is second order", abs((dz_true - dz_lin) - (dx * dx + dx * dy + 2 * dy * dy)) < 1e-12)

    acc.check("the exact gradient matches descentlab.calculus", *_calculus_check((px, py)))

    acc.data = {"f": "x**3", "x0": x0, "exact_derivative": exact, "limit": limit,
                "g": "x**2 + x*y + 2*y**2", "point": [px, py], "g_value": g0, "gradient": [gx, gy],
                "gradient_norm": norm, "partial_limit": partial, "directional_45": d45,
                "directions": {"angles_deg": angles.tolist(), "values": dd.tolist(), "best_angle_deg": float(angles[i_max]),
                               "best_value": float(dd[i_max]), "gradient_angle_deg": grad_angle},
                "tangent_plane": {"dx": dx, "dy": dy, "true": dz_true, "linear": dz_lin}}
    return acc
