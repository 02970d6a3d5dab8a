"""Which higher-layer modules fill the tables that a lower layer keeps for them.

A layer imports only the layers below it, yet a lower layer may keep a table that a
higher one fills: :mod:`descentlab.optim.dispatch` holds the fused kernels that
:mod:`descentlab.fast` registers for optim's rules. This module names the modules that
fill each table, so that the table can import them the first time it is read (and a
2-D surface, which never reads it, never loads them). It imports nothing.

To offer kernels from a new module, add its dotted name here.
"""
from __future__ import annotations

#: modules that call :func:`descentlab.optim.dispatch.register_fused` when imported
FUSED_KERNEL_MODULES: tuple[str, ...] = ("descentlab.fast.fused", "descentlab.fast.family_kernels")
