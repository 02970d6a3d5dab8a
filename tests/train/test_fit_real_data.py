"""Real data, fixed seeds: digits with a 64-32-10 MLP, and MNIST-5000."""
import numpy as np

from descentlab.data import digits, minibatch, mnist_5k, standardize, train_val_split
from descentlab.nn import mlp
from descentlab.train.fit import evaluate, fit


def test_digits_64_32_10_reaches_97_percent_on_held_out_data():
    train, test = train_val_split(digits(), 0.25, seed=1)
    train, test = standardize(train, test)
    net = mlp([64, 32, 10], "tanh", seed=0)
    h = fit(net, train, "cross_entropy", "adam", minibatch(32, seed=0), epochs=30, lr=3e-3, quiet=True)
    from descentlab.nn import get_loss
    _, acc = evaluate(net, test.X, test.y, get_loss("cross_entropy"), test.y)
    assert acc >= 0.97, acc
    assert h.epochs["accuracy"][-1] > 0.99


def test_mnist_5k_mlp_reaches_92_percent_held_out():
    train, test = train_val_split(mnist_5k(), 0.2, seed=0)
    net = mlp([784, 128, 10], "relu", seed=0)
    h = fit(net, train, "cross_entropy", "adam", minibatch(64, seed=0), epochs=8, lr=1e-3, val_data=test, quiet=True)
    assert h.epochs["val_accuracy"][-1] >= 0.92, h.epochs["val_accuracy"]
    assert h.epochs["loss"][-1] < h.epochs["loss"][0] / 3
