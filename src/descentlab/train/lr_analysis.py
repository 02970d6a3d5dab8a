"""Step-size analysis on quadratics: stability bound, predicted rates, the four regimes.

On f(x) = ½ xᵀAx (A symmetric positive definite, eigenvalues λ_min ≤ … ≤ λ_max) gradient
descent is linear: x_{t+1} = (I − γA) x_t. Along the eigenvector of λ the error is
multiplied by (1 − γλ) each step, so

* GD converges iff |1 − γλ| < 1 for every λ, i.e. **0 < γ < 2/λ_max**;
* its rate (the factor by which ‖x_t − x*‖ shrinks per step, asymptotically) is
  ρ_GD(γ) = max_λ |1 − γλ|, smallest at γ* = 2/(λ_min + λ_max), where
  ρ* = (κ − 1)/(κ + 1) with κ = λ_max/λ_min.

Heavy-ball momentum x_{t+1} = x_t − γ∇f(x_t) + μ(x_t − x_{t−1}) (the lecture's
v ← μv − γ∇f, x ← x + v) acts on each eigen-direction through the 2×2 matrix
[[1 + μ − γλ, −μ], [1, 0]]; its rate is the largest spectral radius over λ. With
γ = 4/(√λ_max + √λ_min)² and μ = ((√κ − 1)/(√κ + 1))² it is (√κ − 1)/(√κ + 1)
(Polyak 1964; Goh, "Why Momentum Really Works", Distill 2017).

For f(x) = x² (λ = 2): x_t = (1 − 2γ)^t x₀, converging for γ < 1 and in one step at γ = ½.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError, expected

__all__ = [
    "eigenvalues",
    "max_stable_lr",
    "best_gd",
    "gd_rate",
    "heavy_ball_rate",
    "best_heavy_ball",
    "measured_rate",
    "classify_lr",
    "step_size_regimes",
    "REGIMES",
    "RateCheck",
    "compare_rates",
]

# The lecture's four effects of the step size. With γ* = 2/(λ_min + λ_max) the best step
# and 2/λ_max the stability bound, the regimes are
#   too small   γ < γ*/2                      slow, monotone creep
#   good        γ*/2 <= γ <= γ_hi             fast; γ_hi = (γ* + 2/λ_max)/2
#   too large   γ_hi < γ <= 2/λ_max           the stiffest direction overshoots and oscillates
#   divergent   γ > 2/λ_max                   |1 − γλ_max| > 1
# and REGIMES names one representative γ in each (see step_size_regimes).
REGIMES = ("too small", "good", "too large", "divergent")


def eigenvalues(A) -> np.ndarray:
    """Sorted eigenvalues of a symmetric matrix, or of a quadratic surface's Hessian."""
    if hasattr(A, "hess"):
        # the analysis holds for a quadratic only: one Hessian everywhere (checked at the
        # origin and at the default start, which differ on every non-quadratic surface)
        H, H_start = A.hess(np.zeros(A.dim)), A.hess(A.start)
        if not np.allclose(H, H_start, rtol=1e-9, atol=1e-12):
            raise ConfigError(expected("a quadratic surface (the same Hessian everywhere)",
                                       f"{A.name}, whose Hessian changes from point to point",
                                       "pass a matrix A, e.g. the Hessian at a point: s.hess(x)"))
        A = H
    A = np.atleast_2d(np.asarray(A, dtype=np.float64))
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ConfigError(expected("a square matrix", f"shape {A.shape}"))
    if not np.allclose(A, A.T, rtol=1e-12, atol=1e-12):
        raise ConfigError(expected("a symmetric matrix", "a non-symmetric one", "use ½(A + Aᵀ)"))
    return np.linalg.eigvalsh(A)


def _pd(A) -> np.ndarray:
    lam = eigenvalues(A)
    if lam[0] <= 0:
        raise ConfigError(expected("a positive-definite quadratic (all eigenvalues > 0)",
                                   f"λ_min = {lam[0]:g}", "rates are defined only around a minimum"))
    return lam


def max_stable_lr(A) -> float:
    """The largest stable GD step on ½xᵀAx: γ < 2/λ_max (γ = 2/λ_max itself oscillates forever)."""
    return 2.0 / float(_pd(A)[-1])


def gd_rate(A, lr: float) -> float:
    """Predicted GD rate ρ = max_λ |1 − γλ| (ρ ≥ 1 means no convergence)."""
    lam = _pd(A)
    return float(np.max(np.abs(1.0 - lr * lam)))


def best_gd(A) -> tuple[float, float]:
    """(γ*, ρ*) = (2/(λ_min + λ_max), (κ − 1)/(κ + 1))."""
    lam = _pd(A)
    lr = 2.0 / (lam[0] + lam[-1])
    kappa = lam[-1] / lam[0]
    return float(lr), float((kappa - 1.0) / (kappa + 1.0))


def heavy_ball_rate(A, lr: float, mu: float) -> float:
    """Predicted heavy-ball rate: max over λ of the spectral radius of [[1+μ−γλ, −μ], [1, 0]]."""
    lam = _pd(A)
    radii = [max(abs(np.linalg.eigvals(np.array([[1.0 + mu - lr * l, -mu], [1.0, 0.0]]))))
             for l in lam]
    return float(max(radii))


def best_heavy_ball(A) -> tuple[float, float, float]:
    """(γ, μ, ρ) of Polyak's tuning: γ = 4/(√L + √m)², μ = ((√κ−1)/(√κ+1))², ρ = (√κ−1)/(√κ+1)."""
    lam = _pd(A)
    sL, sm = math.sqrt(lam[-1]), math.sqrt(lam[0])
    rk = sL / sm
    return 4.0 / (sL + sm) ** 2, ((rk - 1.0) / (rk + 1.0)) ** 2, (rk - 1.0) / (rk + 1.0)


def measured_rate(xs, x_star=None, tail: float = 0.5) -> float:
    """The observed rate: (e_T / e_s)^(1/(T − s)) with e_t = ‖x_t − x*‖, over the last ``tail`` of the run.

    Steps where the error is already at round-off (below 1e-280, or exactly 0) are
    dropped, so a run that has converged to the bit still gives its rate.
    """
    xs = np.asarray(getattr(xs, "x", xs), dtype=np.float64)
    xs = xs.reshape(xs.shape[0], -1)
    x_star = np.zeros(xs.shape[1]) if x_star is None else np.asarray(x_star, dtype=np.float64).reshape(-1)
    e = np.linalg.norm(xs - x_star, axis=1)
    ok = np.nonzero(e > 1e-280)[0]
    if ok.size < 2:
        return 0.0
    last = int(ok[-1])
    first = max(int(ok[0]), int(last - tail * last))
    if last == first:
        return 0.0
    return float((e[last] / e[first]) ** (1.0 / (last - first)))


def _bounds(A) -> tuple[float, float, float]:
    lam = _pd(A)
    best = 2.0 / (lam[0] + lam[-1])
    bound = 2.0 / lam[-1]
    return best, 0.5 * (best + bound), bound


def classify_lr(lr: float, A) -> str:
    """Which of the lecture's four regimes ``lr`` is in on the quadratic ``A`` (see :data:`REGIMES`).

    On x² (A = [[2]]): γ < 0.25 too small, 0.25 <= γ <= 0.75 good, 0.75 < γ <= 1 too
    large (oscillating; γ = 1 oscillates without shrinking), γ > 1 divergent.
    """
    if not (lr > 0):
        raise ConfigError(expected("lr > 0", lr))
    best, hi, bound = _bounds(A)
    if lr > bound:
        return "divergent"
    if lr > hi:
        return "too large"
    if lr < 0.5 * best:
        return "too small"
    return "good"


def step_size_regimes(A) -> dict[str, float]:
    """One learning rate per regime on the quadratic ``A``:

    too small 0.1/λ_max; good 0.8·γ*; too large halfway between γ_hi and 2/λ_max;
    divergent 2.1/λ_max. On x²: 0.05, 0.4, 0.875, 1.05.
    """
    best, hi, bound = _bounds(A)
    lam_max = 2.0 / bound
    return {"too small": 0.1 / lam_max, "good": 0.8 * best, "too large": 0.5 * (hi + bound),
            "divergent": 2.1 / lam_max}


@dataclass(frozen=True)
class RateCheck:
    """A predicted rate next to the one a run shows."""

    method: str
    lr: float
    mu: float
    predicted: float
    measured: float
    stop: str

    def to_dict(self) -> dict:
        return {"method": self.method, "lr": self.lr, "mu": self.mu, "predicted": self.predicted,
                "measured": self.measured, "stop": self.stop}


def compare_rates(surface="quadratic", *, steps: int = 200, lrs=None, mu=None, **surface_kw) -> list[RateCheck]:
    """Run GD and heavy-ball momentum on a quadratic and compare measured with predicted rates.

    By default: GD at γ = 2/λ_max·{0.25, 0.5} and γ*, and heavy ball at Polyak's tuning.
    """
    from ..functions import get_surface
    from .minimize import minimize

    if int(steps) != steps or steps < 4:
        # measured_rate needs a few steps in the run's second half to measure anything
        raise ConfigError(expected("steps >= 4 (an integer) to measure a rate", steps, "e.g. 200"))
    s = get_surface(surface, **surface_kw)
    A = s.hess(np.zeros(s.dim))
    out = []
    gd_lrs = lrs if lrs is not None else [0.25 * max_stable_lr(A), 0.5 * max_stable_lr(A), best_gd(A)[0]]
    for lr in gd_lrs:
        tr = minimize(s, optimizer="gd", lr=lr, steps=steps, tol=None)
        out.append(RateCheck("gd", float(lr), 0.0, gd_rate(A, lr), measured_rate(tr.x, s.minima[0]), tr.stop.kind))
    hb_lr, hb_mu, _ = best_heavy_ball(A)
    mu = hb_mu if mu is None else mu
    tr = minimize(s, optimizer="momentum", lr=hb_lr, momentum=mu, steps=steps, tol=None)
    out.append(RateCheck("momentum", float(hb_lr), float(mu), heavy_ball_rate(A, hb_lr, mu),
                         measured_rate(tr.x, s.minima[0]), tr.stop.kind))
    return out
