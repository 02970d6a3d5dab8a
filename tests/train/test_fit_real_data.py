"""Real data, fixed seeds: digits with a 64-32-10 MLP, and MNIST-5000.

The settings were chosen for margin, not for the seed: across four initialisation seeds
the digits run scores 98.0-98.9 % on this split (97 % needed) and the MNIST run
93.8-93.9 % (92 % needed). L2 weight decay is what buys the margin: without it both
nets fit the training set exactly and land within a few test samples of the bar.
"""
import pytest

from descentlab.data import digits, minibatch, mnist_5k, standardize, train_val_split
from descentlab.nn import get_loss, mlp
from descentlab.optim import make_optimizer, parse_schedule
from descentlab.train.fit import evaluate, fit


@pytest.fixture(autouse=True)
def one_blas_thread():
    # these matrices are small: on a busy 2-core machine two BLAS threads made the MNIST
    # run several times slower than one (60 s against 8 s), so the tests pin one
    try:
        from threadpoolctl import threadpool_limits  # installed with scikit-learn
    except ImportError:  # the tests still run, only slower
        yield
        return
    with threadpool_limits(1):
        yield


def test_digits_64_32_10_reaches_97_percent_on_held_out_data():
    train, test = standardize(*train_val_split(digits(), 0.25, seed=1))
    net = mlp([64, 32, 10], "tanh", seed=0)
    opt = make_optimizer("adam", lr=3e-3, weight_decay=1e-2)
    h = fit(net, train, "cross_entropy", opt, minibatch(32, seed=0), epochs=30, quiet=True)
    _, acc = evaluate(net, test.X, test.y, get_loss("cross_entropy"), test.y)
    assert acc >= 0.97, acc
    assert h.epochs["loss"][-1] < h.epochs["loss"][0] / 10


def test_mnist_5k_mlp_reaches_92_percent_held_out():
    train, test = train_val_split(mnist_5k(), 0.2, seed=0)  # pixels in [0, 1], 1000 images held out
    net = mlp([784, 128, 10], "relu", seed=0)
    epochs, batch = 10, 64
    lr = parse_schedule(f"cosine:total={epochs * -(-len(train) // batch)}", lr=2e-3)  # from 2e-3 down to 0
    opt = make_optimizer("adam", lr=lr, weight_decay=1e-3)
    h = fit(net, train, "cross_entropy", opt, minibatch(batch, seed=0), epochs=epochs, val_data=test, quiet=True)
    assert h.epochs["val_accuracy"][-1] >= 0.92, h.epochs["val_accuracy"]
    assert h.epochs["loss"][-1] < h.epochs["loss"][0] / 3
