"""``gradcheck``: compare back-propagated gradients with float64 central differences.

For each input element x_i the numerical derivative is the central difference

    ∂f/∂x_i ≈ [f(x + h e_i) − f(x − h e_i)] / (2h),        error O(h²)

(the lecture's limit definition of the partial derivative, taken symmetrically).
A non-scalar output y is reduced to the scalar Σ v·y with a fixed random v, so
the check covers the vector–Jacobian product that ``backward(v)`` computes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from ..errors import ConfigError, DTypeError, expected
from .grad_mode import no_grad
from .tensor import Tensor, _check_float_array

__all__ = ["gradcheck", "GradcheckReport"]


@dataclass(frozen=True, slots=True)
class GradcheckReport:
    """What ``gradcheck`` found. ``bool(report)`` is ``report.ok``.

    Attributes
    ----------
    ok : bool
        True when ``max_rel_error <= rtol``.
    max_rel_error : float
        Worst |a − n| / max(|a|, |n|, atol) over all elements: the relative error,
        measured against ``atol`` where both values are smaller than it.
    input_index, element_index : int, tuple
        Where the worst element is: which input, and its index in that input.
    analytic, numeric : float
        Back-propagated and central-difference derivatives at that element.
    max_abs_error : float
        Worst |a − n| over all elements.
    n_checked : int
        Number of input elements compared.
    eps, atol, rtol : float
        The step h and tolerances used.
    """

    ok: bool
    max_rel_error: float
    input_index: int
    element_index: tuple[int, ...]
    analytic: float
    numeric: float
    max_abs_error: float
    n_checked: int
    eps: float
    atol: float
    rtol: float

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        verdict = "passed" if self.ok else "FAILED"
        return (f"gradcheck {verdict}: worst relative error {self.max_rel_error:.3e} "
                f"(tolerance {self.rtol:.0e}) at input {self.input_index}, index {self.element_index}: "
                f"analytic {self.analytic:.12g}, numeric {self.numeric:.12g}; "
                f"worst absolute error {self.max_abs_error:.3e}; "
                f"{self.n_checked} elements checked with h={self.eps:g}")


def gradcheck(f: Callable[..., Tensor], inputs: Sequence[Any], eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, seed: int = 0) -> GradcheckReport:
    """Check the gradients of ``f(*inputs)`` against central differences in float64.

    Parameters
    ----------
    f : callable
        Takes one :class:`Tensor` per input and returns a Tensor.
    inputs : sequence of array_like or Tensor
        Points at which to check. Each is copied to float64 with
        ``requires_grad=True``; the caller's arrays are never changed.
    eps : float
        The step h of the central difference.
    atol, rtol : float
        Pass when every |a − n| ≤ rtol · max(|a|, |n|, atol).
    seed : int
        Seed of the random cotangent v used when the output is not a scalar.

    Returns
    -------
    GradcheckReport

    Examples
    --------
    >>> import numpy as np
    >>> from descentlab.autodiff import gradcheck
    >>> report = gradcheck(lambda x: (x.exp() * x).sum(), [np.array([0.5, -1.0])])
    >>> report.ok
    True
    """
    if not (eps > 0 and atol > 0 and rtol > 0):
        raise ConfigError(expected("eps, atol and rtol > 0", (eps, atol, rtol), "pass positive numbers"))
    if len(inputs) == 0:
        raise ConfigError(expected("at least one input", "none", "pass a list of arrays"))
    points = [_check_float_array(x.data if isinstance(x, Tensor) else x).astype(np.float64)
              for x in inputs]

    tensors = [Tensor(x.copy(), requires_grad=True) for x in points]
    out = f(*tensors)
    if not isinstance(out, Tensor):
        raise DTypeError(expected("f to return a Tensor", type(out).__name__,
                                  "build the result from the Tensor arguments"))
    v = None if out.size == 1 else np.random.default_rng(seed).standard_normal(out.shape)

    def objective(*xs: np.ndarray) -> float:
        with no_grad():
            y = f(*(Tensor(x) for x in xs)).data
        return float(y.sum() if v is None else np.sum(v * y))

    if out.requires_grad:
        out.backward(v)
    analytic = [t.grad if t.grad is not None else np.zeros_like(t.data) for t in tensors]

    worst = (-1.0, 0, (), 0.0, 0.0)
    max_abs = 0.0
    n_checked = 0
    for k, x in enumerate(points):
        for idx in np.ndindex(x.shape):
            xi = x[idx]
            x[idx] = xi + eps
            f_plus = objective(*points)
            x[idx] = xi - eps
            f_minus = objective(*points)
            x[idx] = xi  # restore before moving on
            numeric = (f_plus - f_minus) / (2.0 * eps)
            a = float(analytic[k][idx])
            err = abs(a - numeric)
            rel = err / max(abs(a), abs(numeric), atol) if np.isfinite(err) else np.inf
            max_abs = max(max_abs, err)
            n_checked += 1
            if rel > worst[0]:
                worst = (rel, k, tuple(int(i) for i in idx), a, numeric)
    rel, k, idx, a, numeric = worst
    rel = max(rel, 0.0)
    return GradcheckReport(ok=bool(rel <= rtol), max_rel_error=float(rel), input_index=k,
                           element_index=idx, analytic=a, numeric=float(numeric),
                           max_abs_error=float(max_abs), n_checked=n_checked,
                           eps=eps, atol=atol, rtol=rtol)
