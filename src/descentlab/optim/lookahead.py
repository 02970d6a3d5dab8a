r"""The gradient where the next update wants it: :meth:`Optimizer.eval_params`.

Every rule takes the gradient of the next update at the parameters themselves, except
look-ahead Nesterov, which takes it at the look-ahead point ``θ + μ v``. A loop that
computes gradients from the parameter arrays in place (a network's forward pass, a
surface's gradient) runs its gradient code through :func:`at_eval_params`::

    grads = at_eval_params(opt, params, state, lambda: gradient_of(params))
    opt.step(params, grads, state)

>>> import numpy as np
>>> from descentlab.optim import make_optimizer
>>> opt = make_optimizer("nesterov", lr=0.1, momentum=0.9, nesterov_form="lookahead", preset="lecture")
>>> params = {"x": np.array([1.0])}
>>> state = opt.init(params)
>>> state.slots["x"]["v"][...] = -0.5                      # velocity: look ahead to 1 + 0.9 * (-0.5)
>>> at_eval_params(opt, params, state, lambda: params["x"].copy()).tolist(), params["x"].tolist()
([0.55], [1.0])
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, TypeVar

import numpy as np

__all__ = ["at_eval_params"]

R = TypeVar("R")


def at_eval_params(opt: Any, params: Mapping[str, np.ndarray], state: Any, compute: Callable[[], R],
                   at_params: R | None = None) -> R:
    """``compute()`` run while ``params`` hold ``opt.eval_params(params, state)``; ``params`` are put back after.

    ``at_params``: ``compute()``'s result at ``params`` when the caller has it already;
    it is returned as is when the optimizer evaluates at ``params`` (every rule but
    look-ahead Nesterov, and look-ahead Nesterov while its velocity is zero).
    """
    at = opt.eval_params(params, state)
    moved = [n for n in params if at[n] is not params[n] and not np.array_equal(at[n], params[n])]
    if not moved:
        return compute() if at_params is None else at_params
    saved = {n: params[n].copy() for n in moved}
    try:
        for n in moved:
            np.copyto(params[n], at[n])
        return compute()
    finally:
        for n in moved:
            np.copyto(params[n], saved[n])
