"""Networks on the autodiff engine: layers, activations, initialisers, losses.

Parameters are addressed by dotted names (``"0.W"``, ``"0.b"``, ``"2.W"`` …) so that
optimizer state and checkpoints key on names, never positions.

>>> from descentlab.nn import mlp
>>> net = mlp([64, 32, 10], activation="relu", seed=0)
>>> sorted(net.params())
['0.W', '0.b', '2.W', '2.b']
"""
from __future__ import annotations

from .init import INITIALISERS, get_init, he_normal, he_uniform, small_uniform, xavier_normal, xavier_uniform, zeros
from .layers import ACTIVATIONS, Identity, Linear, ReLU, Sequential, Sigmoid, Softmax, Tanh, mlp
from .losses import LOSSES, binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, get_loss, loss_reduction, mse_loss
from .module import Module, Parameter

__all__ = [
    "Module", "Parameter", "Linear", "Sigmoid", "Tanh", "ReLU", "Softmax", "Identity", "Sequential", "mlp",
    "ACTIVATIONS", "xavier_uniform", "xavier_normal", "he_normal", "he_uniform", "small_uniform", "zeros",
    "INITIALISERS", "get_init", "mse_loss", "cross_entropy", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "LOSSES", "get_loss", "loss_reduction",
]
