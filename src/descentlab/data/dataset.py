"""A dataset, its validation at the boundary, splitting and standardisation.

A :class:`Dataset` holds ``X`` with shape ``(M, d)`` (M samples, d features) and ``y``:
integer class labels ``(M,)`` for classification, or real targets ``(M,)`` /
``(M, k)`` for regression. :func:`check_arrays` is the one place where data from
outside is checked; it names the rows that hold NaN and the labels that fall outside
the class range.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from ..errors import DataError, ShapeError, expected
from ..validation import Interval, Real, as_rng, check

__all__ = ["Dataset", "check_arrays", "train_val_split", "Standardizer", "standardize", "one_hot"]

Task = Literal["classification", "regression"]

#: Labels imply K = max(y) + 1 classes; above this K they are taken for identifiers,
#: not class indices (a label of 10**12 would ask for a 10**12-wide output layer).
MAX_INFERRED_CLASSES = 100_000


def _rows(mask: np.ndarray, limit: int = 8) -> str:
    idx = np.flatnonzero(mask)
    shown = ", ".join(str(i) for i in idx[:limit])
    more = f" and {idx.size - limit} more" if idx.size > limit else ""
    return f"rows [{shown}]{more}"


def check_arrays(X, y, task: Task = "classification", n_classes: int | None = None,
                 dtype=np.float64) -> tuple[np.ndarray, np.ndarray, int | None]:
    """Validate ``X`` and ``y`` and return them as arrays ``(X, y, n_classes)``.

    Raises
    ------
    ShapeError
        ``X`` is not 2-D, or ``X`` and ``y`` have different lengths.
    DataError
        NaN or infinity in ``X`` or ``y`` (the rows are named), labels that are not
        integers or fall outside ``0 .. n_classes-1``, or an empty dataset.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 1:
        raise ShapeError(expected("X with shape (samples, features)", f"a 1-D array of shape {X.shape}",
                                  "reshape it with X.reshape(-1, 1) for one feature"))
    if X.ndim != 2:
        raise ShapeError(expected("X with shape (samples, features)", f"shape {X.shape}", "flatten each sample to a row"))
    n_y = y.shape[0] if y.ndim else 0
    if X.shape[0] != n_y:
        raise ShapeError(expected("X and y with the same number of samples",
                                  f"{X.shape[0]} rows in X and {n_y} in y",
                                  "pass one target per row of X"))
    if X.shape[0] == 0:
        raise DataError(expected("at least one sample", "an empty dataset", "check how the data was loaded"))
    if not np.issubdtype(X.dtype, np.number) or np.iscomplexobj(X):
        raise DataError(expected("numeric features", f"dtype {X.dtype}", "convert the features to numbers"))
    X = X.astype(dtype, copy=False)
    bad = ~np.isfinite(X).all(axis=1)
    if bad.any():
        raise DataError(expected("finite features", f"NaN or infinity in X at {_rows(bad)}",
                                 "drop or impute those rows"))
    if task == "classification":
        if y.ndim != 1:
            raise ShapeError(expected("class labels with shape (samples,)", f"shape {y.shape}",
                                      "pass integer labels, not one-hot rows (use y.argmax(axis=1))"))
        if np.issubdtype(y.dtype, np.floating):
            nan = ~np.isfinite(y)
            if nan.any():
                raise DataError(expected("finite labels", f"NaN or infinity in y at {_rows(nan)}", "drop those rows"))
            if not np.all(y == np.round(y)):
                raise DataError(expected("integer class labels", f"non-integer labels at {_rows(y != np.round(y))}",
                                         "use task='regression' for real-valued targets"))
        elif not np.issubdtype(y.dtype, np.integer):
            raise DataError(expected("integer class labels", f"dtype {y.dtype}", "encode the classes as 0 .. K-1"))
        if n_classes is None and np.abs(y).max() >= MAX_INFERRED_CLASSES:
            far = np.abs(y) >= MAX_INFERRED_CLASSES
            raise DataError(expected(f"class labels 0 .. K-1 with K at most {MAX_INFERRED_CLASSES:,}",
                                     f"label {y[far][0]:.15g} at {_rows(far)} ({np.unique(y).size} distinct labels)",
                                     "relabel with np.unique(y, return_inverse=True)[1], pass n_classes= "
                                     "explicitly, or use task='regression' for real-valued targets"))
        y = y.astype(np.int64)
        k = int(y.max()) + 1 if n_classes is None else int(n_classes)
        outside = (y < 0) | (y >= k)
        if outside.any():
            vals = np.unique(y[outside])[:8].tolist()
            raise DataError(expected(f"labels in 0 .. {k - 1} ({k} classes)", f"labels {vals} at {_rows(outside)}",
                                     "encode the classes as 0 .. K-1 or raise n_classes"))
        return X, y, k
    if task != "regression":
        raise DataError(expected("task 'classification' or 'regression'", task))
    if not np.issubdtype(y.dtype, np.number):
        raise DataError(expected("numeric targets", f"dtype {y.dtype}", "convert the targets to numbers"))
    y = y.astype(dtype, copy=False)
    bad = ~np.isfinite(y.reshape(y.shape[0], -1)).all(axis=1)
    if bad.any():
        raise DataError(expected("finite targets", f"NaN or infinity in y at {_rows(bad)}", "drop or impute those rows"))
    return X, y, None


@dataclass(frozen=True)
class Dataset:
    """Features ``X`` (M, d), targets ``y`` and what they mean.

    The constructor validates with :func:`check_arrays` (shapes, finiteness, labels in
    range), as ``Dataset.from_arrays`` does: a Dataset that exists is one ``fit`` can
    use. A floating ``X`` keeps its dtype (float32 stays float32); others become float64.
    """

    X: np.ndarray
    y: np.ndarray
    task: Task = "classification"
    n_classes: int | None = None
    name: str = "data"
    info: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        X = np.asarray(self.X)
        dtype = X.dtype if np.issubdtype(X.dtype, np.floating) else np.float64
        X, y, k = check_arrays(X, self.y, self.task, self.n_classes, dtype=dtype)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "n_classes", k)
        object.__setattr__(self, "info", dict(self.info or {}))

    @classmethod
    def from_arrays(cls, X, y, task: Task = "classification", n_classes: int | None = None,
                    name: str = "data", info: dict | None = None) -> "Dataset":
        return cls(X, y, task, n_classes, name, dict(info or {}))

    def __repr__(self) -> str:
        classes = f", n_classes={self.n_classes}" if self.n_classes is not None else ""
        return (f"Dataset({self.name!r}, X {self.X.shape} {self.X.dtype}, y {self.y.shape} {self.y.dtype}, "
                f"task={self.task!r}{classes})")

    def __len__(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    @property
    def n_outputs(self) -> int:
        """Width of the network's last layer: classes, or target columns."""
        if self.task == "classification":
            return int(self.n_classes)
        return 1 if self.y.ndim == 1 else int(self.y.shape[1])

    def subset(self, idx: np.ndarray, name: str | None = None) -> "Dataset":
        return replace(self, X=self.X[idx], y=self.y[idx], name=name or self.name)

    def summary(self) -> dict:
        out = {"name": self.name, "task": self.task, "samples": len(self), "features": self.n_features}
        if self.task == "classification":
            out["classes"] = self.n_classes
        return out


def _rng(seed) -> np.random.Generator:
    return as_rng("train_val_split", seed)


def train_val_split(data: Dataset, val_fraction: float = 0.2, seed=0,
                    stratify: bool | None = None) -> tuple[Dataset, Dataset]:
    """Split into (train, validation) after a seeded shuffle.

    Classification sets are stratified by default, so each class keeps its share in
    both parts.
    """
    val_fraction = check("train_val_split", "val_fraction", val_fraction, [Interval(Real, 0, 1, closed="neither")],
                         fix="e.g. 0.2 keeps a fifth for validation")
    n = len(data)
    n_val = int(round(n * val_fraction))
    if n_val < 1 or n_val >= n:
        raise DataError(expected("a split that leaves samples on both sides", f"{n_val} of {n} for validation",
                                 "use more data or another val_fraction"))
    rng = _rng(seed)
    stratify = data.task == "classification" if stratify is None else stratify
    if stratify:
        val_idx = []
        for c in np.unique(data.y):
            members = np.flatnonzero(data.y == c)
            members = members[rng.permutation(members.size)]
            val_idx.append(members[: int(round(members.size * val_fraction))])
        val = np.sort(np.concatenate(val_idx))
        if val.size < 1 or val.size >= n:  # every class rounded its share to none (or to all)
            raise DataError(expected("a stratified split that leaves samples on both sides",
                                     f"{val.size} of {n} for validation once each class's share is rounded",
                                     "use a larger val_fraction, more data, or stratify=False"))
    else:
        val = np.sort(rng.permutation(n)[:n_val])
    mask = np.ones(n, bool)
    mask[val] = False
    train = np.flatnonzero(mask)
    return data.subset(train, f"{data.name}[train]"), data.subset(val, f"{data.name}[val]")


@dataclass(frozen=True)
class Standardizer:
    r"""Per-feature standardisation :math:`x' = (x - \mu) / \sigma`, fitted on training data.

    Features with :math:`\sigma = 0` (always-blank pixels, the chapter's constant
    :math:`x_0 = 1` that carries the intercept) are left exactly as they are, so they
    neither become NaN nor lose the intercept.
    """

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, X: np.ndarray) -> "Standardizer":
        mean = X.mean(axis=0)
        std = X.std(axis=0)
        constant = ~(std > 0)
        return cls(np.where(constant, 0.0, mean), np.where(constant, 1.0, std))

    def transform(self, X: np.ndarray) -> np.ndarray:
        return (X - self.mean) / self.scale

    def __call__(self, data: Dataset) -> Dataset:
        return replace(data, X=self.transform(data.X))


def standardize(train: Dataset, *others: Dataset) -> tuple[Dataset, ...]:
    """Standardise ``train`` and ``others`` with statistics of ``train`` only."""
    s = Standardizer.fit(train.X)
    return tuple(s(d) for d in (train, *others))


def one_hot(y: np.ndarray, n_classes: int, dtype=np.float64) -> np.ndarray:
    """Rows of the identity: ``one_hot(y, K)[i, y[i]] = 1``."""
    out = np.zeros((y.shape[0], n_classes), dtype=dtype)
    out[np.arange(y.shape[0]), y] = 1
    return out
