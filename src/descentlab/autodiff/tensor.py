"""The Tensor: an array that remembers how it was made, and ``backward()``.

A :class:`Tensor` wraps a float32 or float64 NumPy array. Every operation on
tensors (``descentlab.autodiff.ops``) returns a new tensor that keeps its inputs
(``_parents``) and a small function (``_backward``) that turns the gradient of
the output into the gradients of the inputs by the chain rule:

    ∂E/∂input = ∂E/∂output · ∂output/∂input            (lecture: Chain Rule)

:meth:`Tensor.backward` orders the graph topologically and walks it in reverse,
so each node has received the sum of the gradients from all its uses before it
passes its own gradient on. This is back-propagation, generalised from the
lecture's sigmoid network to any graph of primitives.

Backward twice (the rule, like PyTorch's)
-----------------------------------------
* ``backward()`` frees the graph it walked: the saved arrays, backward
  functions and links to inputs are dropped. A second ``backward()`` through any freed node raises
  :class:`GraphError` instead of silently adding the same gradient again.
  Pass ``retain_graph=True`` to keep the graph for another pass.
* Leaf gradients (``.grad`` of tensors created with ``requires_grad=True``)
  *accumulate* across backward calls, in place, as in PyTorch. Call
  :meth:`Tensor.zero_grad` (or an optimizer's) between steps.
* Intermediate tensors do not keep ``.grad`` unless :meth:`Tensor.retain_grad`
  was called on them.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np

from ..errors import DTypeError, GraphError, NonFiniteGradientError, ShapeError, expected
from .grad_mode import _MODE

__all__ = ["Tensor", "GraphError", "NonFiniteGradientError", "as_tensor"]

_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _freed_backward(_g: np.ndarray) -> tuple:
    """Marks a node whose graph was freed; backward() refuses before calling it."""
    raise AssertionError("unreachable: backward() checks for a freed graph first")


def _check_float_array(data: Any) -> np.ndarray:
    """Return ``data`` as a float32/float64 array, or raise DTypeError with a fix."""
    if isinstance(data, np.ndarray):
        if data.dtype in _FLOAT_DTYPES:
            return data
        if data.dtype.kind in "iu":
            fix = "convert it first, e.g. np.asarray(x, dtype=np.float64)"
        elif data.dtype.kind == "b":
            fix = "convert the mask to numbers with x.astype(np.float64)"
        elif data.dtype.kind == "O":
            fix = "build a numeric array; object arrays (often ragged lists) cannot be differentiated"
        elif data.dtype.kind == "f":
            fix = "cast it with x.astype(np.float32) or x.astype(np.float64)"
        else:
            fix = "pass real floating-point numbers"
        raise DTypeError(expected("a float32 or float64 array", f"dtype {data.dtype}", fix))
    if isinstance(data, (bool, np.bool_)):
        raise DTypeError(expected("a real number", f"the bool {data!r}", "pass 1.0 or 0.0"))
    if isinstance(data, (int, float, np.integer, np.floating, list, tuple)):
        # Python numbers and nested lists become float64, NumPy's default float.
        try:
            arr = np.asarray(data, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise DTypeError(
                expected("numbers or a rectangular nested list of numbers", type(data).__name__,
                         f"check the input ({err})")
            ) from None
        if isinstance(data, (np.float32,)):
            arr = arr.astype(np.float32)
        return arr
    if isinstance(data, Tensor):
        fix = "use t.detach() for a constant that shares the data, or Tensor(t.data.copy())"
    else:
        fix = "wrap the values with np.asarray(..., dtype=np.float64)"
    raise DTypeError(expected("a NumPy float array, a Python number or a list of numbers",
                              type(data).__name__, fix))


class Tensor:
    """A float32/float64 array that records the operations producing it.

    Parameters
    ----------
    data : array_like
        A float32 or float64 ndarray (kept as is, not copied), a Python number or a
        nested list (stored as float64). Integer, bool and object arrays raise
        :class:`~descentlab.errors.DTypeError`.
    requires_grad : bool
        If True the tensor is a *leaf* whose ``.grad`` is filled by ``backward()``.

    Examples
    --------
    >>> w = Tensor([0.3, 0.9], requires_grad=True)
    >>> e = ((w * 2.0).sum() - 1.0) ** 2
    >>> e.backward()
    >>> w.grad
    array([5.6, 5.6])
    """

    __slots__ = ("data", "grad", "requires_grad", "_parents", "_backward", "_op", "_retains_grad")
    # Let `ndarray + Tensor` fall through to Tensor.__radd__ instead of broadcasting
    # the tensor as an object inside a NumPy array.
    __array_ufunc__ = None

    def __init__(self, data: Any, requires_grad: bool = False) -> None:
        self.data: np.ndarray = _check_float_array(data)
        self.grad: np.ndarray | None = None
        self.requires_grad: bool = bool(requires_grad)
        self._parents: tuple[Tensor, ...] = ()
        self._backward: Callable[[np.ndarray], tuple] | None = None
        self._op: str = ""
        self._retains_grad: bool = False

    @classmethod
    def _from_op(cls, data: np.ndarray, parents: tuple[Tensor, ...],
                 backward: Callable[[np.ndarray], tuple], op: str) -> Tensor:
        """Make an operation's output; record the graph only if some input needs it.

        ``backward(g)`` returns one gradient (or None) per parent, each with that
        parent's shape. Inputs were validated on the way in, so no checks here.
        """
        out = object.__new__(cls)
        out.data = data if type(data) is np.ndarray else np.asarray(data)
        out.grad = None
        out._op = op
        out._retains_grad = False
        out.requires_grad = False
        out._parents = ()
        out._backward = None
        if _MODE.enabled:
            for p in parents:  # a plain loop: any(<generator>) costs more than the op
                if p.requires_grad:
                    out.requires_grad = True
                    out._parents = parents
                    out._backward = backward
                    break
        return out

    # ------------------------------------------------------------------ basics
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded operation."""
        return self._backward is None and not self._parents

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=6, separator=", ", prefix="Tensor(")
        extra = ", requires_grad=True" if self.requires_grad else ""
        if self._op:
            extra += f", op={self._op!r}"
        if self.data.dtype != np.float64:
            extra += f", dtype={self.data.dtype}"
        return f"Tensor({body}{extra})"

    def item(self) -> float:
        """The value of a one-element tensor as a Python float."""
        return float(self.data.item())

    def numpy(self) -> np.ndarray:
        """The underlying array (no copy)."""
        return self.data

    def detach(self) -> Tensor:
        """A tensor sharing this one's data, cut from the graph (``requires_grad=False``)."""
        return Tensor(self.data)

    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` on this intermediate tensor during ``backward()``; returns self."""
        self._retains_grad = True
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the accumulated gradient.

        ``set_to_none=True`` (PyTorch's default) drops the array; ``False`` fills
        the existing array with zeros in place, keeping its memory (for example a
        view into a flat gradient buffer).
        """
        if set_to_none or self.grad is None:
            self.grad = None
        else:
            self.grad.fill(0.0)

    # ---------------------------------------------------------------- backward
    def backward(self, grad: Any = None, retain_graph: bool = False) -> None:
        """Accumulate ∂self/∂leaf into ``leaf.grad`` for every leaf in the graph.

        Parameters
        ----------
        grad : array_like, optional
            The seed ∂E/∂self, same shape as ``self``. May be omitted only when
            ``self`` holds a single element (a loss); the seed is then 1.
        retain_graph : bool
            Keep the graph so ``backward()`` can run through it again. By default
            it is freed, and a second pass raises :class:`GraphError`.

        Notes
        -----
        The walk is iterative (no recursion), so graphs thousands of operations
        deep work. A node used several times receives the sum of its gradients
        before it passes its own on.
        """
        if not self.requires_grad:
            raise GraphError(expected(
                "a tensor that requires grad", "one with requires_grad=False",
                "create the inputs with Tensor(x, requires_grad=True) and compute outside no_grad()"))
        seed = self._seed(grad)
        order = _topological_order(self)
        for node in order:  # check first, so a refused pass adds nothing anywhere
            if node._backward is _freed_backward:
                raise GraphError(expected(
                    "a graph that still holds its saved values",
                    f"a second backward() through a freed {node._op!r} node",
                    "pass retain_graph=True to the first backward(), or recompute the forward pass"))
        grads: dict[int, np.ndarray] = {id(self): seed}
        taken: set[int] = {id(seed)}  # arrays a .grad already holds (or the caller's seed)
        for node in reversed(order):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if node._backward is None:  # a leaf
                _accumulate_into_grad(node, g, taken)
                continue
            if node._retains_grad:
                _accumulate_into_grad(node, g, taken)
            parent_grads = node._backward(g)
            for parent, pg in zip(node._parents, parent_grads):
                if pg is None or not parent.requires_grad:
                    continue
                key = id(parent)
                previous = grads.get(key)
                # A new array, never `+=`: `previous` may be the very array another
                # node received (add passes g through unchanged).
                grads[key] = pg if previous is None else previous + pg
            if not retain_graph:
                # Drop the saved arrays and the links to the inputs, so a loss kept
                # for logging does not keep every activation alive. The marker is
                # enough for a second pass to find this node and refuse.
                node._backward = _freed_backward
                node._parents = ()

    def _seed(self, grad: Any) -> np.ndarray:
        if grad is None:
            if self.data.size != 1:
                raise ShapeError(expected(
                    "a seed gradient for a non-scalar output",
                    f"backward() without one on a tensor of shape {self.shape}",
                    "reduce to a scalar loss first (e.g. y.sum() or y.mean()), "
                    "or pass grad=np.ones_like(y.data)"))
            return np.ones(self.data.shape, dtype=self.data.dtype)
        g = grad.data if isinstance(grad, Tensor) else _check_float_array(grad)
        if g.shape != self.shape:
            raise ShapeError(expected(f"a seed gradient of shape {self.shape}", f"shape {g.shape}",
                                      "pass an array shaped like the tensor"))
        if not np.all(np.isfinite(g)):
            raise NonFiniteGradientError(expected(
                "a finite seed gradient", "one containing NaN or infinity",
                "check the computation that produced the seed"))
        return g.astype(self.data.dtype, copy=False)

    # ------------------------------------------------------ operator overloads
    # Every operator is defined once, in ops.py, with its gradient.
    def __add__(self, other: Any) -> Tensor:
        return _ops.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _ops.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return _ops.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _ops.sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return _ops.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _ops.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return _ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _ops.div(other, self)

    def __pow__(self, exponent: Any) -> Tensor:
        return _ops.pow(self, exponent)

    def __rpow__(self, base: Any) -> Tensor:
        return _ops.pow(base, self)

    def __matmul__(self, other: Any) -> Tensor:
        return _ops.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _ops.matmul(other, self)

    def __neg__(self) -> Tensor:
        return _ops.neg(self)

    def __getitem__(self, key: Any) -> Tensor:
        return _ops.getitem(self, key)

    # Methods for the primitives and the common composites.
    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return _ops.sum(self, axis, keepdims)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return _ops.mean(self, axis, keepdims)

    def exp(self) -> Tensor:
        return _ops.exp(self)

    def log(self) -> Tensor:
        return _ops.log(self)

    def reshape(self, *shape: Any) -> Tensor:
        return _ops.reshape(self, shape[0] if len(shape) == 1 else shape)

    def transpose(self, *axes: Any) -> Tensor:
        return _ops.transpose(self, (axes[0] if len(axes) == 1 else axes) or None)

    @property
    def T(self) -> Tensor:
        return _ops.transpose(self, None)

    def matmul(self, other: Any) -> Tensor:
        return _ops.matmul(self, other)

    def maximum(self, other: Any) -> Tensor:
        return _ops.maximum(self, other)

    def sigmoid(self) -> Tensor:
        return _ops.sigmoid(self)

    def tanh(self) -> Tensor:
        return _ops.tanh(self)

    def relu(self) -> Tensor:
        return _ops.relu(self)


def as_tensor(x: Any, like: Tensor | None = None) -> Tensor:
    """Return ``x`` if it is a Tensor, else a constant tensor of it.

    A Python number next to a tensor takes that tensor's dtype, so
    ``float32_tensor * 2.0`` stays float32 (NumPy's rule for Python scalars).
    """
    if isinstance(x, Tensor):
        return x
    if like is not None and isinstance(x, (int, float)) and not isinstance(x, bool):
        return Tensor(np.asarray(x, dtype=like.data.dtype))
    return Tensor(x)


def _topological_order(root: Tensor) -> list[Tensor]:
    """Nodes that lead to ``root`` and need a gradient, each after all its parents.

    Depth-first with an explicit stack: a node is emitted (second visit) only
    after everything above it on the stack, i.e. all its ancestors, was emitted.
    """
    order: list[Tensor] = []
    seen: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for parent in node._parents:
            if parent.requires_grad and id(parent) not in seen:
                stack.append((parent, False))
    return order


def _accumulate_into_grad(node: Tensor, g: np.ndarray, taken: set[int]) -> None:
    """Add ``g`` into ``node.grad``: in place if it exists, else by taking ``g``.

    ``.grad`` is later changed in place (the next backward's ``+=``, an optimizer's
    clipping), so it must own its memory. ``g`` is taken without a copy only when
    nothing else can see it: backward functions return fresh arrays or pass their
    ``g`` through unchanged (add, sub), so the traps are an array handed to two
    tensors (``taken``), the caller's seed, a view into another array, and a
    read-only or non-contiguous array. Skipping the copy saves one pass over
    every weight gradient per step.
    """
    if node.grad is not None:
        node.grad += g  # in place, so a grad that is a view into a flat buffer stays one
        return
    if (id(g) in taken or g.base is not None or not g.flags.writeable
            or not g.flags.c_contiguous or g.dtype != node.data.dtype):
        g = np.array(g, dtype=node.data.dtype, order="C", copy=True)
    node.grad = g
    taken.add(id(g))


def parameters_zero_grad(params: Iterable[Tensor], set_to_none: bool = True) -> None:
    """Call :meth:`Tensor.zero_grad` on each tensor of ``params``."""
    for p in params:
        p.zero_grad(set_to_none=set_to_none)


from . import ops as _ops  # noqa: E402  (ops needs Tensor; the methods above need ops)
