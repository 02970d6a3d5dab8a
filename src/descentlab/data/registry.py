"""Datasets by name, for the command line: ``load_dataset("digits")``."""
from __future__ import annotations

from ..errors import ConfigError, expected
from .dataset import Dataset

__all__ = ["load_dataset", "prepare_dataset", "DATASETS", "dataset_title"]

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

# what a figure's title calls a dataset: words, not the identifier
_TITLES = {
    "linear_regression": "the chapter's linear regression",
    "xor": "XOR", "two_moons": "two moons", "moons": "two moons", "spirals": "two spirals",
    "digits": "digits (8×8)", "iris": "iris", "breast_cancer": "breast cancer",
    "mnist_5k": "MNIST-5000", "mnist": "MNIST-5000",
}


def dataset_title(name) -> str:
    """A dataset's name as words for a title: ``"linear_regression"`` -> ``"the chapter's linear regression"``."""
    key = str(name).lower().replace("-", "_")
    return _TITLES.get(key, str(name).replace("_", " "))


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
        raise ConfigError(expected(f"a dataset in {sorted(set(DATASETS))} or a .npz/.csv path", repr(name),
                                   "pick a listed name, or give a file ending in .npz (arrays X, y) or .csv"))
    module, func, seeded = DATASETS[key]
    f = getattr(importlib.import_module(module), func)
    return f(seed=seed, **kwargs) if seeded else f(**kwargs)


def prepare_dataset(data, val_fraction: float = 0.2, seed=0, standardize: bool = True,
                    limit: int | None = None) -> tuple[Dataset, Dataset | None]:
    """Load (by name or path), optionally subsample, split and standardise: ``(train, val)``.

    ``limit`` keeps at most that many samples (a seeded choice, in their original
    order). ``val`` is None when ``val_fraction`` is 0. Standardisation is fitted on
    the training part only, so nothing of the validation part leaks into training.
    """
    import numpy as np

    from .dataset import standardize as _standardize
    from .dataset import train_val_split

    d = data if isinstance(data, Dataset) else load_dataset(data, seed=seed)
    if limit is not None and len(d) > limit:
        d = d.subset(np.sort(np.random.default_rng(seed).permutation(len(d))[:limit]))
    train, val = train_val_split(d, val_fraction, seed=seed) if val_fraction else (d, None)
    if standardize:
        train, *rest = _standardize(train, *([val] if val is not None else []))
        val = rest[0] if rest else None
    return train, val
