"""A lean forward and backward pass for multilayer perceptrons, into flat buffers.

:class:`MLP` takes a :class:`descentlab.nn.Sequential` of ``Linear`` layers and
element-wise activations (ReLU, sigmoid, tanh, identity) and computes the loss and
every parameter gradient by hand-written back-propagation — the chapter's generalised
delta rule — instead of building an autodiff graph per step. Its gradients equal the
autodiff engine's (same maths; the tests compare them); it is faster because:

* parameters live in one :class:`~descentlab.fast.flat.FlatArrays` buffer (the model's
  tensors are rebound to views of it, so the model sees every update), and gradients
  are written in place into a second buffer with the same layout, so a fused
  optimizer kernel updates everything in one call;
* activations and deltas go into buffers allocated once per batch size (``out=``),
  so a step allocates almost nothing;
* the input layer's ``∂L/∂X`` is never computed;
* with one sample per step the weight gradient ``xᵀ·δ`` is an outer product, computed
  as a broadcast multiply: ``np.matmul`` with an inner dimension of 1 skips BLAS and is
  several times slower (DESIGN.md, "lessons already paid for").

Layer equations for ``z = h_prev W + b``, ``h = f(z)`` (``W`` is ``(in, out)``)::

    δ_L = ∂L/∂z_L                      (softmax − onehot)/B  or the MSE residual
    ∂L/∂W_l = h_{l−1}ᵀ δ_l,   ∂L/∂b_l = Σ_batch δ_l
    δ_{l−1} = (δ_l W_lᵀ) ⊙ f'(z_{l−1})   with f' from h: ReLU 1[h>0], σ h(1−h), tanh 1−h²
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ConfigError, DataError, ShapeError, expected
from .flat import FlatArrays

__all__ = ["MLP", "LOSSES"]

#: losses with a hand-written delta: cross-entropy on logits (mean over the batch),
#: MSE as the mean over all elements (PyTorch) and the lecture's ½Σ(y − t)².
LOSSES = ("cross_entropy", "mse", "mse_half")
_ACTIVATIONS = ("relu", "sigmoid", "tanh", "identity")


def _describe(model: Any) -> list[tuple[str, str, str]]:
    """``[(W name, b name, activation after it), ...]`` from the model (a Sequential says
    it with ``dense_layers()``; fast sits below nn and does not look inside it), or ConfigError."""
    describe = getattr(model, "dense_layers", None)
    if not callable(describe):
        raise ConfigError(expected("a Sequential of Linear layers, each followed by at most one of "
                                   "ReLU, Sigmoid, Tanh, Identity", type(model).__name__,
                                   "build it with descentlab.nn.mlp, or use the autodiff path"))
    layers = describe()
    bad = [a for _, _, a in layers if a not in _ACTIVATIONS]
    if bad:
        raise ConfigError(expected(f"activations in {_ACTIVATIONS}", bad[0], "use the autodiff path"))
    return layers


class MLP:
    """Hand-written back-propagation for a Sequential MLP, with flat parameter and gradient buffers.

    Parameters
    ----------
    model : descentlab.nn.Sequential
        Linear layers, each optionally followed by ReLU, Sigmoid, Tanh or Identity. Its
        parameter tensors are rebound to views of :attr:`flat_params`, so they stay the
        model's parameters and ``model.params()`` returns the flat views.
    loss : {"cross_entropy", "mse", "mse_half"}
        ``cross_entropy`` takes integer labels ``(B,)``; the MSE forms take targets shaped
        like the output.

    Attributes
    ----------
    params, grads : dict[str, ndarray]
        Views of :attr:`flat_params` and :attr:`flat_grads`, keyed like ``model.params()``.

    Examples
    --------
    >>> from descentlab.nn import mlp
    >>> net = MLP(mlp([4, 8, 3], seed=0), loss="cross_entropy")
    >>> X = np.ones((5, 4)); y = np.array([0, 1, 2, 0, 1])
    >>> L, grads, out = net.loss_and_grads(X, y)
    >>> sorted(grads), out.shape
    (['0.W', '0.b', '2.W', '2.b'], (5, 3))
    """

    def __init__(self, model: Any, loss: str = "cross_entropy") -> None:
        if loss not in LOSSES:
            raise ConfigError(expected(f"a loss in {LOSSES}", loss, "the fast MLP has deltas for these only"))
        self.layers = _describe(model)
        self.loss = loss
        tensors = model.parameters()
        names = [n for w, b, _ in self.layers for n in (w, b)]
        if sorted(names) != sorted(tensors):
            raise ConfigError(expected(f"parameters {names}", sorted(tensors)))
        fa = FlatArrays.from_arrays({n: tensors[n].data for n in names})
        for n in names:  # the model now trains the flat buffer's views
            tensors[n].data = fa.views[n]
        self.flat = fa
        self.flat_params = fa.flat
        self.params = fa.views
        self.grad_buffer = fa.zeros_like()
        self.flat_grads = self.grad_buffer.flat
        self.grads = self.grad_buffer.views
        self.dtype = fa.flat.dtype
        self.sizes = [self.params[self.layers[0][0]].shape[0]] + [self.params[w].shape[1] for w, _, _ in self.layers]
        self._buffers: dict[int, tuple[list[np.ndarray], list[np.ndarray], np.ndarray]] = {}

    # -- buffers ----------------------------------------------------------------------
    def _for_batch(self, n: int):
        """Per-layer outputs ``h`` and deltas, and a mask buffer, for batch size ``n``."""
        bufs = self._buffers.get(n)
        if bufs is None:
            hs = [np.empty((n, k), self.dtype) for k in self.sizes[1:]]
            deltas = [np.empty((n, k), self.dtype) for k in self.sizes[1:]]
            mask = np.empty((n, max(self.sizes[1:])), self.dtype)
            if len(self._buffers) > 4:  # a few sizes (train, last partial batch, eval) are enough
                self._buffers.clear()
            bufs = self._buffers[n] = (hs, deltas, mask)
        return bufs

    def _check_input(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ShapeError(expected(f"inputs of shape (batch, {self.sizes[0]})", f"shape {X.shape}",
                                      f"give the network {self.sizes[0]} features per sample"))
        if X.dtype != self.dtype:
            X = X.astype(self.dtype)
        return X

    # -- forward ------------------------------------------------------------------------
    def _forward(self, X: np.ndarray, hs: list[np.ndarray]) -> np.ndarray:
        h = X
        for (w, b, act), out in zip(self.layers, hs):
            np.matmul(h, self.params[w], out=out)    # z = h W + b          (B, out)
            out += self.params[b]
            if act == "relu":
                np.maximum(out, 0, out=out)
            elif act == "sigmoid":                   # 1 / (1 + e^{-z})
                np.negative(out, out=out)
                np.exp(out, out=out)
                out += 1
                np.reciprocal(out, out=out)
            elif act == "tanh":
                np.tanh(out, out=out)
            h = out
        return h

    def forward(self, X: np.ndarray) -> np.ndarray:
        """The network's outputs (logits for cross-entropy), a new array."""
        X = self._check_input(X)
        hs, _, _ = self._for_batch(X.shape[0])
        return self._forward(X, hs).copy()

    # -- loss and gradients -------------------------------------------------------------------
    def _output_delta(self, out: np.ndarray, T: np.ndarray, delta: np.ndarray) -> float:
        """The loss, and ``δ_L = ∂L/∂z_L`` written into ``delta``."""
        n = out.shape[0]
        if self.loss == "cross_entropy":
            y = np.asarray(T)
            if y.shape != (n,) or y.dtype.kind not in "iu":
                raise ShapeError(expected(f"integer labels of shape ({n},)", f"{y.dtype} {y.shape}",
                                          "pass class indices, one per sample"))
            if n and (y.min() < 0 or y.max() >= out.shape[1]):
                raise DataError(expected(f"labels in [0, {out.shape[1]})", f"values from {y.min()} to {y.max()}",
                                         "check the number of output units"))
            rows = np.arange(n)
            np.subtract(out, out.max(axis=1, keepdims=True), out=delta)   # z − max z
            picked = delta[rows, y]                                      # z_y − max z
            np.exp(delta, out=delta)
            total = delta.sum(axis=1, keepdims=True)
            loss = float(np.mean(np.log(total[:, 0]) - picked))          # mean of ln Σe^z − z_y
            delta /= total                                               # softmax
            delta[rows, y] -= 1                                          # softmax − onehot
            delta *= self.dtype.type(1.0 / n)
            return loss
        T = np.asarray(T, dtype=self.dtype)
        if T.shape != out.shape:
            raise ShapeError(expected(f"targets of shape {out.shape}", f"shape {T.shape}",
                                      "reshape the targets like the outputs"))
        np.subtract(out, T, out=delta)                                   # r = y − t
        if self.loss == "mse_half":                                      # E = ½ Σ r², ∂E/∂y = r
            return float(0.5 * np.sum(delta * delta))
        loss = float(np.mean(delta * delta))                             # E = mean r², ∂E/∂y = 2r/N
        delta *= self.dtype.type(2.0 / delta.size)
        return loss

    def loss_and_grads(self, X: np.ndarray, T: np.ndarray) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
        """Forward, loss and back-propagation: ``(loss, grads, outputs)``.

        ``grads`` is :attr:`grads` (views of :attr:`flat_grads`), overwritten in place;
        ``outputs`` is a buffer reused by the next call with the same batch size. The
        signature is that of ``fit``'s ``step_fn``.
        """
        X = self._check_input(X)
        n = X.shape[0]
        hs, deltas, mask = self._for_batch(n)
        out = self._forward(X, hs)
        last = len(self.layers) - 1
        # the output layer's activation is part of dL/dz only through the loss: apply f' too
        loss = self._output_delta(out, T, deltas[last])
        _times_derivative(deltas[last], hs[last], self.layers[last][2], mask)
        for l in range(last, -1, -1):
            w, b, _ = self.layers[l]
            d = deltas[l]
            h_prev = X if l == 0 else hs[l - 1]
            if n == 1:  # outer product by broadcasting, not a matmul with inner dimension 1
                np.multiply(h_prev.reshape(-1, 1), d, out=self.grads[w])
                self.grads[b][...] = d[0]
            else:
                np.matmul(h_prev.T, d, out=self.grads[w])
                np.sum(d, axis=0, out=self.grads[b])
            if l > 0:
                np.matmul(d, self.params[w].T, out=deltas[l - 1])   # δ W^T
                _times_derivative(deltas[l - 1], hs[l - 1], self.layers[l - 1][2], mask)
        return loss, self.grads, out

    def __repr__(self) -> str:
        acts = ", ".join(a for _, _, a in self.layers)
        return f"MLP(sizes={self.sizes}, activations=[{acts}], loss={self.loss!r}, {self.dtype})"


def _times_derivative(d: np.ndarray, h: np.ndarray, act: str, mask: np.ndarray) -> None:
    """``d ← d ⊙ f'(z)``, with f' written in terms of the layer output ``h = f(z)``."""
    if act == "identity":
        return
    m = mask[:, :h.shape[1]]
    if act == "relu":
        np.greater(h, 0, out=m)
    elif act == "sigmoid":
        np.subtract(1, h, out=m)
        m *= h
    else:  # tanh
        np.multiply(h, h, out=m)
        np.subtract(1, m, out=m)
    d *= m
