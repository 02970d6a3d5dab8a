"""Fast paths: flat buffers, fused in-place optimizer kernels and a lean MLP.

Everything here is checked against the readable reference (:mod:`descentlab.optim`
for the update rules, :mod:`descentlab.autodiff` for the gradients) by the tests in
``tests/fast``; see ``docs/performance.md`` for what each piece buys and
``BENCHMARKS.md`` for the measurements.

* :class:`FlatArrays` — one contiguous buffer with a named view per array.
* :func:`fused_step` / :func:`try_fused_step` — an optimizer step through a fused kernel.
* :mod:`descentlab.fast.kernels` — the kernels (NumPy, or numba with the ``fast`` extra).
* :class:`MLP` — forward and backward for Linear+activation stacks, gradients written
  into a flat buffer.

Names are resolved lazily, so importing this package loads NumPy only.
"""
from __future__ import annotations

from .._lazy import lazy_exports

_LAZY = {
    "FlatArrays": "descentlab.fast.flat",
    "flat_base": "descentlab.fast.flat",
    "flatten_state_slots": "descentlab.fast.flat",
    "fused_plan": "descentlab.fast.fused",
    "try_fused_step": "descentlab.fast.fused",
    "fused_step": "descentlab.fast.fused",
    "numba_available": "descentlab.fast.kernels",
    "set_backend": "descentlab.fast.kernels",
    "get_backend": "descentlab.fast.kernels",
    "set_threads": "descentlab.fast.kernels",
    "MLP": "descentlab.fast.mlp",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
