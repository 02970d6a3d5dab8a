"""Datasets: shapes, determinism from a seed, validation tables, split and standardise."""
import numpy as np
import pytest

from descentlab.data import (Dataset, breast_cancer, digits, iris, linear_regression, load_csv, load_dataset,
                             load_npz, mnist_5k, spirals, standardize, train_val_split, two_moons, xor)
from descentlab.errors import ConfigError, DataError, ShapeError


@pytest.mark.parametrize("make", [linear_regression, xor, two_moons, spirals])
def test_synthetic_sets_repeat_bit_for_bit_from_a_seed(make):
    a, b, c = make(seed=3), make(seed=3), make(seed=4)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


def test_linear_regression_is_the_chapters_model_plus_noise():
    d = linear_regression(n_samples=500, n_features=2, noise=0.0, seed=1)
    assert d.X.shape == (500, 3) and np.all(d.X[:, -1] == 1.0)
    np.testing.assert_allclose(d.X @ d.info["w_true"], d.y, atol=1e-12)


def test_xor_labels_are_the_xor_of_the_signs():
    d = xor(n_samples=400, noise=0.05, seed=0)
    assert np.array_equal(d.y, (np.sign(d.X[:, 0]) != np.sign(d.X[:, 1])).astype(int))


def test_spirals_and_moons_balance_classes():
    assert np.bincount(spirals(300, 3, seed=0).y).tolist() == [100, 100, 100]
    assert np.bincount(two_moons(201, seed=0).y).tolist() == [100, 101]


def test_bundled_sets_have_their_documented_sizes():
    assert (len(digits()), digits().n_features, digits().n_classes) == (1797, 64, 10)
    assert (len(iris()), iris().n_classes) == (150, 3)
    assert (len(breast_cancer()), breast_cancer().n_features) == (569, 30)


def test_mnist_5k_is_real_mnist_read_with_numpy():
    d = mnist_5k()
    assert d.X.shape == (5000, 784)
    assert np.bincount(d.y).tolist() == [500] * 10
    assert 0.0 <= d.X.min() and d.X.max() == 1.0
    # a real digit has ink in the middle of the 28x28 frame and none in the corners
    img = d.X.reshape(-1, 28, 28)
    assert img[:, 10:18, 10:18].mean() > 5 * img[:, :3, :3].mean()


def test_split_is_stratified_and_disjoint():
    d = digits()
    tr, va = train_val_split(d, 0.25, seed=0)
    assert len(tr) + len(va) == len(d)
    frac = np.bincount(va.y, minlength=10) / np.bincount(d.y, minlength=10)
    assert np.all(np.abs(frac - 0.25) < 0.02)
    rows = {r.tobytes() for r in tr.X}
    assert not any(r.tobytes() in rows for r in va.X[:50] if np.sum(np.all(d.X == r, axis=1)) == 1)


def test_standardize_uses_training_statistics_only():
    d = linear_regression(200, seed=0)
    tr, va = train_val_split(d, 0.5, seed=0)
    s_tr, s_va = standardize(tr, va)
    np.testing.assert_allclose(s_tr.X[:, :-1].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(s_tr.X[:, :-1].std(axis=0), 1, atol=1e-12)
    assert np.all(s_tr.X[:, -1] == 1.0)  # the constant x_0 = 1 column keeps the intercept
    assert not np.allclose(s_va.X[:, :-1].mean(axis=0), 0, atol=1e-6)


BAD = [
    (np.zeros((5, 2)), np.zeros(4, int), {}, ShapeError, r"same number of samples.*5 rows in X and 4"),
    (np.zeros(5), np.zeros(5, int), {}, ShapeError, r"reshape"),
    (np.zeros((3, 2)), np.array([0, 1, 3]), {"n_classes": 3}, DataError, r"labels in 0 \.\. 2.*labels \[3\] at rows \[2\]"),
    (np.zeros((3, 2)), np.array([0, -1, 1]), {}, DataError, r"labels \[-1\] at rows \[1\]"),
    (np.array([[0.0, 1], [np.nan, 2], [3, np.inf]]), np.array([0, 1, 0]), {}, DataError, r"NaN.*rows \[1, 2\]"),
    (np.zeros((3, 2)), np.array([0.0, np.nan, 1.0]), {"task": "regression"}, DataError, r"targets.*rows \[1\]"),
    (np.zeros((2, 2)), np.array([0.5, 1.0]), {}, DataError, r"integer class labels"),
    (np.zeros((0, 2)), np.zeros(0, int), {}, DataError, r"at least one sample"),
]


@pytest.mark.parametrize("X, y, kw, exc, pattern", BAD)
def test_bad_data_is_rejected_with_a_sentence(X, y, kw, exc, pattern):
    with pytest.raises(exc, match=pattern):
        Dataset.from_arrays(X, y, **kw)


def test_user_files_round_trip(tmp_path):
    X = np.arange(12.0).reshape(4, 3)
    y = np.array([0, 1, 1, 0])
    np.savez(tmp_path / "d.npz", X=X, y=y)
    d = load_npz(tmp_path / "d.npz")
    assert np.array_equal(d.X, X) and np.array_equal(d.y, y) and d.n_classes == 2
    (tmp_path / "d.csv").write_text("a,b,label,c\n1,2,0,3\n4,5,1,6\n7,,1,9\n")
    with pytest.raises(DataError, match=r"rows \[2\]"):
        load_csv(tmp_path / "d.csv", target="label")
    (tmp_path / "text.csv").write_text("a,b,label\n1,2,0\n4,red,1\n")  # text is named as text, not as a NaN row
    with pytest.raises(DataError, match=r"numbers in every cell, got text 'red' on line 3, column 'b' of text\.csv"):
        load_csv(tmp_path / "text.csv")
    (tmp_path / "text2.csv").write_text("1,2,0\nx,4,1\n")
    with pytest.raises(DataError, match=r"text 'x' on line 2, column 1 "):
        load_csv(tmp_path / "text2.csv")
    (tmp_path / "ok.csv").write_text("1,2,0\n3,4,1\n")
    d = load_dataset(str(tmp_path / "ok.csv"))
    assert d.X.tolist() == [[1, 2], [3, 4]] and d.y.tolist() == [0, 1]
    with pytest.raises(DataError, match="existing data file"):
        load_npz(tmp_path / "missing.npz")


def test_unknown_dataset_names_the_choices():
    with pytest.raises(ConfigError, match="digits"):
        load_dataset("cifar")


def test_prepare_dataset_splits_then_standardises_with_the_training_part_only():
    from descentlab.data import prepare_dataset

    tr, va = prepare_dataset("linear_regression", 0.25, seed=2)
    raw_tr, raw_va = train_val_split(linear_regression(seed=2), 0.25, seed=2)
    mu, sd = raw_tr.X[:, :-1].mean(axis=0), raw_tr.X[:, :-1].std(axis=0)
    np.testing.assert_allclose(va.X[:, :-1], (raw_va.X[:, :-1] - mu) / sd, rtol=1e-12)
    np.testing.assert_allclose(tr.X[:, :-1], (raw_tr.X[:, :-1] - mu) / sd, rtol=1e-12)
    small, none = prepare_dataset(two_moons(100, seed=0), 0.0, limit=30, standardize=False)
    assert none is None and len(small) == 30 and set(map(tuple, small.X)) <= set(map(tuple, two_moons(100, seed=0).X))


def test_a_stratified_split_that_rounds_every_class_to_nothing_is_refused():
    d = Dataset.from_arrays(np.arange(20.0).reshape(10, 2), np.arange(10))  # ten classes of one sample
    with pytest.raises(DataError, match=r"0 of 10 for validation.*stratify=False"):
        train_val_split(d, 0.2, seed=0)
    tr, va = train_val_split(d, 0.2, seed=0, stratify=False)
    assert (len(tr), len(va)) == (8, 2)
