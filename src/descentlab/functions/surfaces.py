"""The lecture's test surfaces, each with its exact gradient and Hessian.

Each ``make_*`` function returns a :class:`~descentlab.functions.base.Surface`. The
derivatives are written out by hand, one line per entry, and the tests compare every
one of them with float64 central differences.
"""
from __future__ import annotations

import numpy as np

from ..errors import ConfigError, expected
from .base import Surface

__all__ = [
    "make_x2",
    "make_quadratic",
    "make_saddle",
    "make_valley",
    "make_rosenbrock",
    "make_beale",
    "make_himmelblau",
    "make_booth",
    "make_rastrigin",
    "make_linreg",
]


def _pt(*xs) -> np.ndarray:
    return np.array(xs, dtype=np.float64)


def make_x2() -> Surface:
    """The lecture's f(x) = x², with f'(x) = 2x and f''(x) = 2.

    Gradient descent with step γ gives x_{t+1} = x_t − 2γx_t = (1 − 2γ)x_t, so it
    converges for 0 < γ < 1, lands on 0 in one step at γ = ½, and diverges for γ > 1.
    """
    return Surface(
        name="x2", dim=1,
        value=lambda x: x[0] ** 2,
        gradient=lambda x: np.array([2.0 * x[0]]),
        hessian=lambda x: np.array([[2.0]]),
        minima=(_pt(0.0),), start=_pt(2.0), window=((-2.5, 2.5),), formula="x²",
    )


def _rotation(angle_deg: float) -> np.ndarray:
    a = np.deg2rad(angle_deg)
    return np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])


def make_quadratic(eigenvalues=(1.0, 10.0), angle: float = 30.0, start=None) -> Surface:
    """An ill-conditioned quadratic f(x) = ½ xᵀAx with A = Q diag(λ) Qᵀ.

    ∇f = Ax and H = A. In two dimensions Q rotates the axes by ``angle`` degrees, so
    the valley is not aligned with the coordinates (per-coordinate methods such as
    AdaGrad then get no free help). In other dimensions Q is the identity.
    The condition number κ = λ_max/λ_min sets how slow gradient descent is: its best
    rate is (κ−1)/(κ+1) per step, reached at γ = 2/(λ_min+λ_max).

    Parameters
    ----------
    eigenvalues : sequence of float > 0
        The eigenvalues λ of A (one per dimension).
    angle : float
        Rotation of the eigenvectors in degrees (2-D only).
    """
    lam = np.asarray(eigenvalues, dtype=np.float64).reshape(-1)
    if lam.size == 0 or not np.all(np.isfinite(lam)) or np.any(lam <= 0):
        raise ConfigError(expected("positive, finite eigenvalues", list(map(float, lam)),
                                   "use the 'saddle' surface for a negative eigenvalue"))
    n = lam.size
    Q = _rotation(angle) if n == 2 else np.eye(n)
    A = Q @ np.diag(lam) @ Q.T
    A = 0.5 * (A + A.T)  # symmetric to the last bit, so H is exactly symmetric
    if start is None:
        # start on the flat direction, a little off the steep one
        start = Q @ np.concatenate([[-4.0], np.full(n - 1, 1.0)]) if n > 1 else np.array([4.0])
    r = 5.0
    label = ", ".join(f"{v:g}" for v in lam)
    return Surface(
        name="quadratic", dim=n,
        value=lambda x: 0.5 * float(x @ A @ x),
        gradient=lambda x: A @ x,
        hessian=lambda x: A.copy(),
        minima=(np.zeros(n),), start=np.asarray(start, dtype=np.float64), window=((-r, r),) * n,
        formula=f"½xᵀAx, eig(A) = ({label})", params={"eigenvalues": lam.tolist(), "angle": angle, "A": A.tolist()},
    )


def make_saddle() -> Surface:
    """The saddle f(x, y) = x² − y²: a minimum along x, a maximum along y, no minimum.

    The origin is a stationary point that is not a minimum (H = diag(2, −2)). Starting
    almost on the ridge y = 0, plain gradient descent lingers near it, while momentum
    and the adaptive methods escape sooner. f is unbounded below, so runs on it end at
    the divergence bound or at max_steps.
    """
    return Surface(
        name="saddle", dim=2,
        value=lambda x: x[0] ** 2 - x[1] ** 2,
        gradient=lambda x: np.array([2.0 * x[0], -2.0 * x[1]]),
        hessian=lambda x: np.array([[2.0, 0.0], [0.0, -2.0]]),
        minima=(), start=_pt(1.0, 1e-3), window=((-1.5, 1.5), (-1.5, 1.5)), formula="x² − y²",
    )


def make_valley(a: float = 0.02, b: float = 4.0) -> Surface:
    """A long narrow valley f(x, y) = a·x² + b·y² with a ≪ b (κ = b/a = 200 by default).

    Steep walls across (y), an almost flat floor along (x): the learning rate is capped
    by the walls (γ < 2/(2b)) and is then far too small for the floor, so plain gradient
    descent zig-zags and crawls while momentum builds speed along the floor.
    """
    if not (a > 0 and b > 0):
        raise ConfigError(expected("a > 0 and b > 0", (a, b), "both curvatures must be positive"))
    return Surface(
        name="valley", dim=2,
        value=lambda x: a * x[0] ** 2 + b * x[1] ** 2,
        gradient=lambda x: np.array([2.0 * a * x[0], 2.0 * b * x[1]]),
        hessian=lambda x: np.array([[2.0 * a, 0.0], [0.0, 2.0 * b]]),
        minima=(_pt(0.0, 0.0),), start=_pt(-9.0, 1.2), window=((-10.0, 3.0), (-2.0, 2.0)),
        formula=f"{a:g}x² + {b:g}y²", params={"a": a, "b": b},
    )


def make_rosenbrock(a: float = 1.0, b: float = 100.0) -> Surface:
    """Rosenbrock's banana f(x, y) = (a − x)² + b(y − x²)², minimum at (a, a²).

    ∂f/∂x = −2(a − x) − 4bx(y − x²),  ∂f/∂y = 2b(y − x²);
    H = [[2 − 4b(y − x²) + 8bx², −4bx], [−4bx, 2b]].
    """
    return Surface(
        name="rosenbrock", dim=2,
        value=lambda x: (a - x[0]) ** 2 + b * (x[1] - x[0] ** 2) ** 2,
        gradient=lambda x: np.array([
            -2.0 * (a - x[0]) - 4.0 * b * x[0] * (x[1] - x[0] ** 2),
            2.0 * b * (x[1] - x[0] ** 2),
        ]),
        hessian=lambda x: np.array([
            [2.0 - 4.0 * b * (x[1] - x[0] ** 2) + 8.0 * b * x[0] ** 2, -4.0 * b * x[0]],
            [-4.0 * b * x[0], 2.0 * b],
        ]),
        minima=(_pt(a, a * a),), start=_pt(-1.5, 2.0), window=((-2.0, 2.0), (-1.0, 3.0)),
        formula=f"({a:g} − x)² + {b:g}(y − x²)²", params={"a": a, "b": b},
    )


# Beale: f = Σ_i (c_i − x + x·y^i)², i = 1, 2, 3
_BEALE_C = (1.5, 2.25, 2.625)


def _beale_value(x):
    return sum((c - x[0] + x[0] * x[1] ** i) ** 2 for i, c in enumerate(_BEALE_C, start=1))


def _beale_grad(x):
    gx = gy = 0.0
    for i, c in enumerate(_BEALE_C, start=1):
        r = c - x[0] + x[0] * x[1] ** i          # residual r_i
        gx += 2.0 * r * (x[1] ** i - 1.0)          # ∂r_i/∂x = y^i − 1
        gy += 2.0 * r * (i * x[0] * x[1] ** (i - 1))  # ∂r_i/∂y = i·x·y^(i−1)
    return np.array([gx, gy])


def _beale_hess(x):
    hxx = hxy = hyy = 0.0
    for i, c in enumerate(_BEALE_C, start=1):
        r = c - x[0] + x[0] * x[1] ** i
        rx = x[1] ** i - 1.0
        ry = i * x[0] * x[1] ** (i - 1)
        rxy = i * x[1] ** (i - 1)                                   # ∂²r/∂x∂y
        ryy = i * (i - 1) * x[0] * x[1] ** (i - 2) if i >= 2 else 0.0  # ∂²r/∂y²
        hxx += 2.0 * rx * rx                                        # ∂²r/∂x² = 0
        hxy += 2.0 * (rx * ry + r * rxy)
        hyy += 2.0 * (ry * ry + r * ryy)
    return np.array([[hxx, hxy], [hxy, hyy]])


def make_beale() -> Surface:
    """Beale's function f(x, y) = Σ_{i=1..3} (c_i − x + x·yⁱ)², c = (1.5, 2.25, 2.625).

    Global minimum 0 at (3, 0.5); flat plateaus and steep ridges around it.
    """
    return Surface(
        name="beale", dim=2, value=_beale_value, gradient=_beale_grad, hessian=_beale_hess,
        minima=(_pt(3.0, 0.5),), start=_pt(1.0, 1.5), window=((-4.5, 4.5), (-4.5, 4.5)),
        formula="(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²",
    )


# Himmelblau's four minima (f = 0); the three irrational ones to full float64 precision
# (refined by Newton's method, and checked to have zero gradient by the tests).
_HIMMELBLAU_MINIMA = (
    (3.0, 2.0),
    (-2.805118086952745, 3.131312518250573),
    (-3.779310253377747, -3.283185991286169),
    (3.5844283403304917, -1.8481265269644036),
)


def make_himmelblau() -> Surface:
    """Himmelblau's function f(x, y) = (x² + y − 11)² + (x + y² − 7)², four minima of 0.

    With u = x² + y − 11 and w = x + y² − 7:
    ∇f = (4xu + 2w, 2u + 4yw);  H = [[12x² + 4y − 42, 4(x + y)], [4(x + y), 4x + 12y² − 26]].
    """
    def value(x):
        return (x[0] ** 2 + x[1] - 11.0) ** 2 + (x[0] + x[1] ** 2 - 7.0) ** 2

    def gradient(x):
        u = x[0] ** 2 + x[1] - 11.0
        w = x[0] + x[1] ** 2 - 7.0
        return np.array([4.0 * x[0] * u + 2.0 * w, 2.0 * u + 4.0 * x[1] * w])

    def hessian(x):
        hxy = 4.0 * (x[0] + x[1])
        return np.array([[12.0 * x[0] ** 2 + 4.0 * x[1] - 42.0, hxy],
                         [hxy, 4.0 * x[0] + 12.0 * x[1] ** 2 - 26.0]])

    return Surface(
        name="himmelblau", dim=2, value=value, gradient=gradient, hessian=hessian,
        minima=tuple(_pt(*m) for m in _HIMMELBLAU_MINIMA), start=_pt(-0.5, 0.5),
        window=((-5.0, 5.0), (-5.0, 5.0)), formula="(x² + y − 11)² + (x + y² − 7)²",
    )


def make_booth() -> Surface:
    """Booth's function f(x, y) = (x + 2y − 7)² + (2x + y − 5)², minimum 0 at (1, 3).

    A quadratic: H = [[10, 8], [8, 10]] (eigenvalues 2 and 18).
    """
    H = np.array([[10.0, 8.0], [8.0, 10.0]])
    return Surface(
        name="booth", dim=2,
        value=lambda x: (x[0] + 2 * x[1] - 7.0) ** 2 + (2 * x[0] + x[1] - 5.0) ** 2,
        gradient=lambda x: np.array([
            2.0 * (x[0] + 2 * x[1] - 7.0) + 4.0 * (2 * x[0] + x[1] - 5.0),
            4.0 * (x[0] + 2 * x[1] - 7.0) + 2.0 * (2 * x[0] + x[1] - 5.0),
        ]),
        hessian=lambda x: H.copy(),
        minima=(_pt(1.0, 3.0),), start=_pt(-6.0, -4.0), window=((-8.0, 8.0), (-6.0, 8.0)),
        formula="(x + 2y − 7)² + (2x + y − 5)²",
    )


def make_rastrigin(dim: int = 2, A: float = 10.0) -> Surface:
    """Rastrigin's function f(x) = A·n + Σ (x_i² − A cos 2πx_i), global minimum 0 at 0.

    ∂f/∂x_i = 2x_i + 2πA sin 2πx_i;  H = diag(2 + 4π²A cos 2πx_i). A lattice of local
    minima near the integers traps every descent method that starts far away.
    """
    if int(dim) != dim or dim < 1:
        raise ConfigError(expected("dim >= 1 (an integer)", dim))
    n = int(dim)
    tau = 2.0 * np.pi
    start = np.resize(np.array([-2.0, 3.5]), n) if n >= 2 else np.array([-2.0])
    return Surface(
        name="rastrigin", dim=n,
        value=lambda x: A * n + float(np.sum(x ** 2 - A * np.cos(tau * x))),
        gradient=lambda x: 2.0 * x + tau * A * np.sin(tau * x),
        hessian=lambda x: np.diag(2.0 + tau * tau * A * np.cos(tau * x)),
        minima=(np.zeros(n),), start=start, window=((-4.5, 4.5),) * n,
        formula=f"{A:g}n + Σ(xᵢ² − {A:g}cos 2πxᵢ)", params={"A": A},
    )


def linreg_data(n: int = 50, w: float = 2.0, b: float = 1.0, noise: float = 0.5, seed: int = 0):
    """The chapter's regression data: x ~ U(0, 2), y = w·x + b + noise·N(0, 1), seeded."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 2.0, size=n)
    y = w * x + b + noise * rng.standard_normal(n)
    return x, y


def make_linreg(n: int = 50, w: float = 2.0, b: float = 1.0, noise: float = 0.5, seed: int = 0) -> Surface:
    """The chapter's linear-regression loss as a surface over θ = (w, b).

    L(w, b) = 1/(2M) Σ_i (w·x_i + b − y_i)², on M = ``n`` seeded points. The ½ makes the
    gradient the chapter's batch-GD formula, ∂L/∂w = (1/M) Σ (f_w(x_i) − y_i)·x_i
    (the slide writes L without the ½ but its gradient without the 2; the ½ makes them
    agree). H = (1/M)[[Σx², Σx], [Σx, M]] is constant; the minimum is the least-squares fit.
    """
    if int(n) != n or n < 2:
        raise ConfigError(expected("n >= 2 data points", n))
    xs, ys = linreg_data(int(n), w, b, noise, seed)
    M = xs.size
    X = np.stack([xs, np.ones(M)], axis=1)           # (M, 2): columns x and 1
    H = X.T @ X / M
    theta_star = np.linalg.solve(H, X.T @ ys / M)

    def value(t):
        r = X @ t - ys                                # residuals f_w(x_i) − y_i, (M,)
        return 0.5 * float(r @ r) / M

    def gradient(t):
        return X.T @ (X @ t - ys) / M

    return Surface(
        name="linreg", dim=2, value=value, gradient=gradient, hessian=lambda t: H.copy(),
        minima=(theta_star,), start=_pt(-1.0, -2.0),
        window=((theta_star[0] - 4.0, theta_star[0] + 4.0), (theta_star[1] - 4.0, theta_star[1] + 4.0)),
        formula="1/(2M) Σ(w·xᵢ + b − yᵢ)²",
        params={"n": int(n), "w": w, "b": b, "noise": noise, "seed": seed, "x": xs.tolist(), "y": ys.tolist()},
    )
