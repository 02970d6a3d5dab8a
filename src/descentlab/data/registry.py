"""Datasets by name, for the command line: ``load_dataset("digits")``."""
from __future__ import annotations

from ..errors import ConfigError, expected
from .dataset import Dataset

__all__ = ["load_dataset", "DATASETS"]

DATASETS = {
    "linear_regression": ("descentlab.data.synthetic", "linear_regression", True),
    "xor": ("descentlab.data.synthetic", "xor", True),
    "two_moons": ("descentlab.data.synthetic", "two_moons", True),
    "moons": ("descentlab.data.synthetic", "two_moons", True),
    "spirals": ("descentlab.data.synthetic", "spirals", True),
    "digits": ("descentlab.data.bundled", "digits", False),
    "iris": ("descentlab.data.bundled", "iris", False),
    "breast_cancer": ("descentlab.data.bundled", "breast_cancer", False),
    "mnist_5k": ("descentlab.data.bundled", "mnist_5k", False),
    "mnist": ("descentlab.data.bundled", "mnist_5k", False),
}


def load_dataset(name: str, seed=0, **kwargs) -> Dataset:
    """A dataset by name, or a path ending in ``.npz`` / ``.csv``.

    Synthetic sets take ``seed``; bundled sets ignore it.
    """
    import importlib

    key = str(name).lower().replace("-", "_")
    if key.endswith(".npz") or key.endswith(".csv"):
        from .files import load_csv, load_npz

        return (load_npz if key.endswith(".npz") else load_csv)(name, **kwargs)
    if key not in DATASETS:
        raise ConfigError(expected(f"a dataset in {sorted(set(DATASETS))} or a .npz/.csv path", name))
    module, func, seeded = DATASETS[key]
    f = getattr(importlib.import_module(module), func)
    return f(seed=seed, **kwargs) if seeded else f(**kwargs)
