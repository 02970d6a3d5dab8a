"""fit(): history, early stopping, callbacks, the progress bar, Nesterov look-ahead, bad input."""
import io

import numpy as np
import pytest

from descentlab.data import Dataset, full, minibatch, spirals, two_moons, xor
from descentlab.errors import ConfigError, DataError, ShapeError
from descentlab.nn import Linear, mlp
from descentlab.optim import make_optimizer
from descentlab.train.fit import fit


def test_history_has_one_record_per_step_and_per_epoch():
    d = two_moons(100, seed=0)
    h = fit(mlp([2, 8, 2], seed=0), d, "auto", "sgd", minibatch(30, "keep"), epochs=3, lr=0.1, quiet=True)
    assert h.n_steps == 3 * 4 and h.n_epochs == 3
    assert h.steps["epoch"] == [0] * 4 + [1] * 4 + [2] * 4
    assert h.epochs["steps"] == [4, 8, 12]
    assert all(lr == 0.1 for lr in h.steps["lr"])
    assert all(g > 0 for g in h.steps["grad_norm"])
    assert np.isnan(h.epochs["val_loss"]).all()
    assert h.epochs["lr"] == [0.1] * 3
    assert h.epochs["grad_norm"][0] == pytest.approx(np.mean(h.steps["grad_norm"][:4]))
    assert all(0.0 <= a <= 1.0 for a in h.steps["accuracy"])
    # the epoch's accuracy is the batches' accuracies weighted by batch size (30, 30, 30, 10)
    assert h.epochs["accuracy"][0] == pytest.approx(np.dot(h.steps["accuracy"][:4], [30, 30, 30, 10]) / 100)
    d2 = h.to_dict()
    assert d2["stop"]["kind"] == "max_steps" and len(d2["steps"]["loss"]) == 12


def test_minibatch_drop_takes_fewer_steps():
    d = two_moons(100, seed=0)
    h = fit(mlp([2, 4, 2], seed=0), d, "auto", "sgd", minibatch(30, "drop"), epochs=2, lr=0.1, quiet=True)
    assert h.n_steps == 6


def test_xor_needs_the_hidden_layer_and_gets_it():
    d = xor(200, noise=0.1, seed=0)
    net = mlp([2, 8, 2], "tanh", seed=0)
    h = fit(net, d, "auto", "adam", minibatch(20, seed=0), epochs=60, lr=0.02, quiet=True)
    assert h.epochs["accuracy"][-1] >= 0.98


def test_validation_split_and_early_stopping():
    d = spirals(300, 3, seed=0)
    h = fit(mlp([2, 4, 3], seed=0), d, "auto", "sgd", "full", epochs=500, lr=0.0, val_fraction=0.2,
            early_stopping=3, quiet=True)
    # lr = 0 never improves on the first epoch: best after epoch 1, then 3 epochs of waiting
    assert h.stop.kind == "no_improvement" and h.n_epochs == 4
    assert np.isfinite(h.epochs["val_loss"]).all() and h.config["samples"] == 240


def test_callbacks_can_stop_and_see_each_event():
    seen = []

    def cb(event, info):
        seen.append((event, info["step"]))
        return event == "step" and info["step"] == 5

    h = fit(mlp([2, 4, 2], seed=0), two_moons(64, seed=0), "auto", "sgd", minibatch(8), 10, lr=0.1,
            callbacks=[cb], quiet=True)
    assert h.stop.kind == "callback" and h.stop.step == 5 and h.n_steps == 5
    assert seen[:5] == [("step", i) for i in range(1, 6)]


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_line_redrawn_on_a_terminal_plain_in_a_log_and_none_when_quiet():
    d = two_moons(64, seed=0)
    for stream, quiet in [(_Tty(), False), (io.StringIO(), False), (_Tty(), True)]:
        fit(mlp([2, 4, 2], seed=0), d, "auto", "sgd", "full", 3, lr=0.1, quiet=quiet, stream=stream)
        text = stream.getvalue()
        if quiet:
            assert text == ""
            continue
        # the final line names the steps, the epoch and its loss; only a terminal gets a \r
        assert text.endswith("\n") and "train: 3/3 steps in" in text and "epoch 3/3, loss " in text
        assert ("\r" in text) is isinstance(stream, _Tty)


def test_fit_counts_on_a_given_progress_and_leaves_it_open():
    from descentlab.progress import Progress

    d = two_moons(64, seed=0)
    stream = io.StringIO()
    p = Progress("both", stream=stream).start(2 * 3 * 8)
    for _ in range(2):
        fit(mlp([2, 4, 2], seed=0), d, "auto", "sgd", "minibatch:8", 3, lr=0.1, progress=p)
    assert p.done == 48 and not p.closed and stream.getvalue() == ""
    p.close()
    assert stream.getvalue().startswith("both: 48/48 steps in")


def test_nesterov_lookahead_takes_the_gradient_at_the_lookahead_point():
    d = two_moons(64, seed=0)
    runs = {}
    for form in ("transformed", "lookahead"):
        net = mlp([2, 4, 2], seed=0)
        opt = make_optimizer("nesterov", lr=0.1, momentum=0.9, nesterov_form=form)
        h = fit(net, d, "auto", opt, "full", 5, quiet=True)
        runs[form] = h.steps["loss"]
    # different points of evaluation give different losses after the first step
    assert runs["transformed"][0] == runs["lookahead"][0]
    assert runs["transformed"][1:] != runs["lookahead"][1:]


BAD = [
    (lambda d: fit(mlp([3, 4, 2]), d, epochs=1, quiet=True), ShapeError, r"2 features .*model's input size|input size 2"),
    (lambda d: fit(mlp([2, 4, 5]), d, epochs=1, quiet=True), ShapeError, r"2 outputs"),
    (lambda d: fit(mlp([2, 4, 2]), d, batching=minibatch(200), epochs=1, quiet=True), DataError, r"batch size <= 100"),
    (lambda d: fit(mlp([2, 4, 2]), d, batching="minibatch:0", epochs=1, quiet=True), ConfigError,
     r"minibatch: expected batch size an integer >= 1, got 0"),
    (lambda d: fit(mlp([2, 4, 2]), d, epochs=0, quiet=True), ConfigError, r"fit: expected epochs an integer >= 1, got 0"),
    (lambda d: fit(mlp([2, 4, 2]), (d.X, d.y), epochs=1, quiet=True), ConfigError, r"Dataset"),
    (lambda d: fit(mlp([2, 4, 2]), d, loss="hinge", epochs=1, quiet=True), ConfigError, r"a loss in"),
    (lambda d: fit(mlp([2, 4, 2]), d, epochs=1, restore_best=True, quiet=True), ConfigError, r"early_stopping"),
    (lambda d: fit(mlp([2, 4, 2]), d, epochs=1, early_stopping=0, quiet=True), ConfigError, r"fit: expected early_stopping an integer >= 1 or None, got 0"),
    (lambda d: fit(mlp([2, 4, 2]), d, epochs=1, checkpoint_every=0, quiet=True), ConfigError,
     r"fit: expected checkpoint_every an integer >= 1 or None, got 0"),
    (lambda d: fit(mlp([2, 4, 2]), d, epochs=1, grad_tol=-1.0, quiet=True), ConfigError, r"fit: expected grad_tol >= 0 or None, got -1\.0"),
    (lambda d: fit(mlp([2, 4, 2]), d, epochs=1, grad_tol=float("nan"), quiet=True), ConfigError, r"got nan"),
    (lambda d: fit(mlp([2, 4, 2]), d, epochs=1, val_data=d, val_fraction=0.2, quiet=True), ConfigError,
     r"either val_data or val_fraction"),
    (lambda d: Dataset.from_arrays(d.X, d.y[:-1]), ShapeError, r"100 rows in X and 99"),
    (lambda d: fit(mlp([2, 4, 2]), Dataset(np.where(np.arange(100)[:, None] % 40 == 7, np.nan, d.X), d.y,
                                            n_classes=2), epochs=1, quiet=True), DataError, r"NaN .* rows \[7, 47, 87\]"),
    (lambda d: fit(mlp([2, 4, 2]), d, val_data=Dataset(d.X, d.y + 1, n_classes=2), epochs=1, quiet=True), DataError,
     r"labels in 0 \.\. 1 .*labels \[2\]"),
    (lambda d: Dataset.from_arrays(d.X, np.where(d.y == 1, 2, 0), n_classes=2), DataError, r"labels in 0 \.\. 1"),
]


@pytest.mark.parametrize("call, exc, pattern", BAD)
def test_bad_input_is_rejected_clearly(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call(two_moons(100, seed=0))


def test_train_mlp_refuses_settings_it_would_ignore():
    from descentlab.train.fit import train_mlp

    with pytest.raises(ConfigError, match="only with an optimizer name"):
        train_mlp("xor", optimizer=make_optimizer("sgd", lr=0.1), schedule="exp:k=0.1", quick=True)


def test_train_mlp_quick_runs_a_small_named_dataset():
    from descentlab.train.fit import train_mlp

    model, h = train_mlp("digits", hidden=(16,), epochs=50, lr=3e-3, quick=True)
    assert h.n_epochs == 3 and h.config["samples"] == 480 and h.config["sizes"] == [64, 16, 10]
    assert h.epochs["val_accuracy"][-1] > 0.5
    model2, h2 = train_mlp("digits", hidden=(16,), epochs=50, lr=3e-3, quick=True)
    assert h2.steps["loss"] == h.steps["loss"]  # same seed, same run


@pytest.mark.parametrize("loss, per_sample", [("mse_half", lambda r: 0.5 * r ** 2), ("mse", lambda r: r ** 2)])
def test_epoch_and_validation_losses_are_per_sample_means_for_any_batching(loss, per_sample):
    # lr = 0 keeps w = 0, so every epoch's loss is the mean over samples of the loss of f_w(x) = 0;
    # mse_half sums over its batch, and its epoch value must not depend on the batch size
    from descentlab.data import linear_regression, stochastic

    d = linear_regression(50, seed=0)
    want = float(np.mean(per_sample(d.y)))
    for batching in (full(), minibatch(16, "keep"), stochastic()):
        h = fit(Linear(d.n_features, 1, bias=False, init="zeros"), d, loss, "sgd", batching, 1, lr=0.0,
                val_data=d, quiet=True)
        assert h.epochs["loss"][0] == pytest.approx(want, rel=1e-12), batching.kind
        assert h.epochs["val_loss"][0] == pytest.approx(want, rel=1e-12), batching.kind


def _overfitting_run(**kw):
    """Adam on a small noisy two-moons set: the validation loss is lowest at epoch 5 of 8."""
    snaps = []
    net = mlp([2, 32, 2], "tanh", seed=0)
    h = fit(net, two_moons(80, noise=0.3, seed=1), "auto", "adam", minibatch(16, seed=0), 200, lr=0.03,
            val_fraction=0.5, early_stopping=3, quiet=True, seed=1,
            callbacks=[lambda e, i: snaps.append(i["model"].state_dict()) if e == "epoch" else None], **kw)
    return net, h, snaps


def test_early_stopping_can_restore_the_best_epochs_weights():
    from descentlab.data import train_val_split
    from descentlab.nn import get_loss
    from descentlab.train.fit import evaluate

    net, h, snaps = _overfitting_run(restore_best=True)
    best = int(np.argmin(h.epochs["val_loss"]))
    assert h.stop.kind == "no_improvement" and 0 < best < h.n_epochs - 1
    assert f"weights of epoch {best + 1} restored" in h.stop.message
    for k, v in snaps[best].items():
        assert np.array_equal(net.params()[k], v), k
    _, val = train_val_split(two_moons(80, noise=0.3, seed=1), 0.5, seed=1)
    assert evaluate(net, val.X, val.y, get_loss("cross_entropy"))[0] == pytest.approx(h.epochs["val_loss"][best],
                                                                                      rel=1e-12)
    # without restore_best the same run ends on the last epoch's weights
    net2, h2, _ = _overfitting_run()
    assert h2.steps["loss"] == h.steps["loss"] and "restored" not in h2.stop.message
    assert not np.array_equal(net2.params()["0.W"], net.params()["0.W"])


def test_restore_best_resumes_bit_identically(tmp_path):
    net_ref, h_ref, _ = _overfitting_run(restore_best=True)
    ck = tmp_path / "run.npz"
    _overfitting_run(restore_best=True, checkpoint=ck, max_steps=22)  # 3 steps an epoch: stops inside epoch 8, after the best
    from descentlab.train.checkpoint import load_checkpoint

    assert set(load_checkpoint(ck).best_params) == set(net_ref.params())
    net, h, _ = _overfitting_run(restore_best=True, checkpoint=ck, resume=True)
    assert h.stop.message == h_ref.stop.message
    for k, v in net_ref.params().items():
        assert np.array_equal(net.params()[k], v), k


@pytest.mark.parametrize("loss", ["bce", "auto", "mse"])
def test_two_classes_can_be_one_logit(loss):
    # one output: the label is a 0/1 column; 'auto' means binary cross-entropy on the logit
    h = fit(mlp([2, 8, 1], "tanh", seed=0), two_moons(100, seed=0), loss, "adam", "full", 100, lr=0.05,
            val_data=two_moons(60, seed=1), quiet=True)
    assert h.config["loss"] == ("mse" if loss == "mse" else "bce")
    assert h.epochs["val_accuracy"][-1] > 0.8 and h.epochs["loss"][-1] < h.epochs["loss"][0]


def test_cross_entropy_needs_a_logit_per_class():
    with pytest.raises(ShapeError, match=r"one logit per class.*2 wide, or use loss='bce'"):
        fit(mlp([2, 8, 1], seed=0), two_moons(100, seed=0), "cross_entropy", epochs=1, quiet=True)
