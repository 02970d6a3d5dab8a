"""Public names imported from their modules on first use (PEP 562).

A package lists ``name -> module`` once and gets its module-level ``__getattr__`` and
``__dir__`` from :func:`lazy_exports`, so importing the package loads none of its
modules until a name is used (``import descentlab`` stays NumPy-only).

Trap: a lazy name equal to one of the package's own submodules (``train.minimize``,
``train.fit``) is shadowed by that submodule as soon as anything imports it; bind such
names eagerly instead.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable, Mapping


def lazy_exports(package: str, table: Mapping[str, str], namespace: dict[str, Any],
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``(__getattr__, __dir__)`` for ``package``.

    ``table`` maps each public name to the module that defines it; a name whose module
    is ``package.name`` itself is a subpackage and resolves to that module. A resolved
    name is cached in ``namespace`` (the package's ``globals()``).
    """

    def __getattr__(name: str) -> Any:
        if name not in table:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(table[name])
        value = module if table[name] == f"{package}.{name}" else getattr(module, name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace.get("__all__", ())) | set(table))

    return __getattr__, __dir__
