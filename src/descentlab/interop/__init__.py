"""descentlab's rules in other frameworks' training loops, and conventions across them.

Adapters (each imports its framework itself, only when imported):

* :mod:`descentlab.interop.torch`: :class:`~descentlab.interop.torch.Optimizer`, a
  ``torch.optim.Optimizer`` running any descentlab rule and preset;
* :mod:`descentlab.interop.optax`: :func:`~descentlab.interop.optax.transform`, an
  optax-style ``init`` / ``update`` pair over pytrees, in pure NumPy.

Conventions across frameworks (NumPy only):

* :mod:`.port`: the settings of one framework that reproduce another's optimizer;
* :mod:`.diff`: two optimizers on the same gradients, and which convention causes the gap;
* :mod:`.check`: which preset and conventions a student's update function implements;
* :mod:`.identify`: the same for a trajectory recorded from any framework.

``import descentlab.interop`` imports none of torch, jax or optax.
"""
from __future__ import annotations

__all__: list[str] = []
