r"""``fit(model, data, ...)``: train a network by the lecture's descent, and keep its history.

One step, top to bottom (the loop in :func:`fit` reads the same way)::

    idx            = next batch of sample indices     (full / stochastic / mini-batch)
    theta_eval     = opt.eval_params(theta, state)     (theta itself, except look-ahead Nesterov)
    L, g           = loss_and_grads(X[idx], y[idx])    (forward, loss, back-propagation)
    if L or g is not finite: stop, "diverged at step k"
    opt.step(theta, g, state)                           (theta and state in place, lr = schedule(k))

``loss_and_grads`` is the one function that touches the network; by default it runs
the autodiff engine (:func:`autodiff_loss_and_grads`). A faster forward/backward can be
passed as ``step_fn`` with the same signature ``(X, T) -> (loss, grads, outputs)``.

Stops, each recorded in ``History.stop`` with its kind and step:
``max_steps`` (epochs done), ``converged`` (``‖∇L‖ ≤ grad_tol``),
``no_improvement`` (early stopping on the validation loss), ``diverged`` (non-finite or
exploding loss), ``callback`` (a callback asked to stop), ``interrupted`` (a callback
returned ``"interrupt"``, e.g. on SIGTERM: the checkpoint is left resumable).
"""
from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np

from ..autodiff import Tensor, no_grad
from ..errors import ConfigError, ShapeError, expected
from ..validation import NONNEGATIVE, POSITIVE_COUNT, SEED, check_params

__all__ = ["fit", "train_mlp", "History", "Stop", "autodiff_loss_and_grads", "evaluate", "prepare_targets", "StepFn"]

StepFn = Callable[[np.ndarray, np.ndarray], "tuple[float, dict[str, np.ndarray], np.ndarray]"]

STEP_KEYS = ("loss", "accuracy", "lr", "grad_norm", "epoch")
EPOCH_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy", "lr", "grad_norm", "time", "steps")


@dataclass
class Stop:
    """Why training ended: ``kind`` in max_steps, converged, no_improvement, diverged, callback, interrupted."""

    kind: str
    step: int
    epoch: int
    detail: str = ""

    def to_dict(self) -> dict:
        return {"kind": self.kind, "step": self.step, "epoch": self.epoch, "detail": self.detail}


@dataclass
class History:
    """Per-step and per-epoch records of one training run.

    ``steps[key][i]`` is the value at update ``i``: ``loss`` and ``accuracy`` of the
    batch before the update (accuracy NaN for regression), the ``lr`` used, the
    Euclidean norm ``grad_norm`` of the loss's gradient (before any weight decay the
    optimizer adds), the ``epoch``.
    ``epochs[key][e]``: the epoch's training ``loss`` and ``accuracy``, per-sample means
    over the batches as seen (so a loss summed over the batch, ``mse_half``, is divided
    by the batch size here and the epochs of any batching compare), ``val_loss`` and ``val_accuracy`` (NaN without validation data),
    the ``lr`` of its last step, its mean ``grad_norm``, wall ``time`` and the number of
    ``steps`` done by its end.
    """

    steps: dict[str, list] = field(default_factory=lambda: {k: [] for k in STEP_KEYS})
    epochs: dict[str, list] = field(default_factory=lambda: {k: [] for k in EPOCH_KEYS})
    stop: Stop | None = None
    config: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        # one line for a REPL: the per-step and per-epoch lists are in .steps and .epochs
        opt = self.config.get("optimizer")
        name = opt.get("name", "?") if isinstance(opt, dict) else (opt or "?")
        stop = f"stop={self.stop.kind!r} at step {self.stop.step}" if self.stop else "not run"
        last = [f"{k}={self.last(k):.4g}" for k in ("loss", "val_loss", "val_accuracy")
                if self.epochs.get(k) and np.isfinite(self.last(k))]
        return (f"History({self.config.get('dataset', 'data')!r}, {name}: {self.n_epochs} epochs, "
                f"{self.n_steps} steps, {stop}{''.join(', ' + v for v in last)})")

    @property
    def n_steps(self) -> int:
        return len(self.steps["loss"])

    @property
    def n_epochs(self) -> int:
        return len(self.epochs["loss"])

    def last(self, key: str, per: str = "epoch") -> float:
        seq = (self.epochs if per == "epoch" else self.steps)[key]
        return float(seq[-1]) if seq else float("nan")

    def to_dict(self) -> dict:
        """Plain lists and numbers, for JSON."""
        return {"steps": {k: list(v) for k, v in self.steps.items()},
                "epochs": {k: list(v) for k, v in self.epochs.items()},
                "stop": self.stop.to_dict() if self.stop else None, "config": dict(self.config)}

    def to_arrays(self, prefix: str = "history/") -> dict[str, np.ndarray]:
        out = {f"{prefix}steps/{k}": np.asarray(v, dtype=np.float64) for k, v in self.steps.items()}
        out.update({f"{prefix}epochs/{k}": np.asarray(v, dtype=np.float64) for k, v in self.epochs.items()})
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], meta: dict, prefix: str = "history/") -> "History":
        h = cls(config=dict(meta.get("config", {})))
        for k in STEP_KEYS:
            h.steps[k] = arrays[f"{prefix}steps/{k}"].tolist()
        for k in EPOCH_KEYS:
            h.epochs[k] = arrays[f"{prefix}epochs/{k}"].tolist()
        h.steps["epoch"] = [int(e) for e in h.steps["epoch"]]
        h.epochs["steps"] = [int(e) for e in h.epochs["steps"]]
        if meta.get("stop"):
            h.stop = Stop(**meta["stop"])
        return h


# -- loss and gradients ---------------------------------------------------------------------
def prepare_targets(y: np.ndarray, loss_name: str, n_outputs: int, dtype) -> np.ndarray:
    """Targets in the form the loss wants: labels for cross-entropy, one-hot/columns for MSE."""
    if loss_name == "cross_entropy":
        return y
    if y.dtype.kind in "iu":  # class labels scored with MSE or BCE: one-hot rows, or one 0/1 column
        if n_outputs == 1:
            return y.astype(dtype).reshape(-1, 1)
        from ..data.dataset import one_hot

        return one_hot(y, n_outputs, dtype)
    return y.astype(dtype).reshape(y.shape[0], -1)


def autodiff_loss_and_grads(model, loss_fn) -> StepFn:
    """The reference step: forward through the autodiff graph, loss, ``backward()``.

    Returns ``step_fn(X, T) -> (loss, grads, outputs)`` with ``grads`` keyed by the
    model's parameter names.
    """
    names = [k for k, _ in model.named_parameters()]

    def step_fn(X: np.ndarray, T: np.ndarray):
        model.zero_grad()
        out = model(Tensor(X))
        L = loss_fn(out, T)
        L.backward()
        tensors = model.parameters()
        grads = {k: (tensors[k].grad if tensors[k].grad is not None else np.zeros_like(tensors[k].data))
                 for k in names}
        return float(L.data), grads, out.data

    return step_fn


def _sample_total(loss_fn, L: float, n: int) -> float:
    """The sum over a batch of ``n`` samples of their losses, from the batch's loss ``L``."""
    from ..nn.losses import loss_reduction

    return L if loss_reduction(loss_fn) == "sum" else L * n


def evaluate(model, X: np.ndarray, T: np.ndarray, loss_fn, y: np.ndarray | None = None,
             chunk: int = 4096) -> tuple[float, float]:
    """Per-sample mean loss and accuracy (NaN for regression) of ``model`` on ``(X, T)``, without a graph."""
    total, correct, n = 0.0, 0, X.shape[0]
    with no_grad():
        for i in range(0, n, chunk):
            out = model(Tensor(X[i:i + chunk]))
            total += _sample_total(loss_fn, float(loss_fn(out, T[i:i + chunk]).data), min(chunk, n - i))
            if y is not None:
                correct += int(np.sum(_predict(out.data, loss_fn) == y[i:i + chunk]))
    return total / n, (correct / n if y is not None else float("nan"))


def _predict(out: np.ndarray, loss_fn) -> np.ndarray:
    """Class labels: the largest output, or, for one output, above 0 (a logit, for ``bce``) or above ½
    (a value fitted to 0/1 targets, e.g. by ``mse``)."""
    if out.shape[1] > 1:
        return np.argmax(out, axis=1)
    from ..nn.losses import LOSSES

    return (out[:, 0] > (0.0 if loss_fn is LOSSES["bce"] else 0.5)).astype(np.int64)


def _global_norm(grads: dict[str, np.ndarray]) -> float:
    return math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))


# -- progress --------------------------------------------------------------------------------
class _Progress:
    """A one-line bar on a terminal; silent when the stream is not a TTY or ``quiet``."""

    def __init__(self, total: int, enabled: bool, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled and getattr(self.stream, "isatty", lambda: False)()
        self.total = max(1, total)
        self._last = 0.0
        self._longest = ""

    def update(self, step: int, epoch: int, epochs: int, loss: float, force: bool = False) -> None:
        if not self.enabled:
            return
        self._args = (step, epoch, epochs, loss)
        now = time.perf_counter()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        frac = min(1.0, step / self.total)
        bar = "#" * int(30 * frac) + "." * (30 - int(30 * frac))
        line = f"epoch {epoch}/{epochs} [{bar}] step {step}/{self.total} loss {loss:.4g} (epoch mean)"
        self.stream.write("\r" + line.ljust(len(self._longest)))  # pad over a longer previous line
        self._longest = max(self._longest, line, key=len)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            if getattr(self, "_args", None):
                self.update(*self._args, force=True)
            self.stream.write("\n")
            self.stream.flush()


# -- the loop ----------------------------------------------------------------------------------
@dataclass
class _Loop:
    """Where the loop is; all of it goes into a checkpoint so a resume is exact."""

    epoch: int = 0            # epochs completed
    batch: int = 0            # batches completed inside the current epoch
    epoch_loss_sum: float = 0.0
    epoch_correct: int = 0
    epoch_seen: int = 0
    epoch_time: float = 0.0
    epoch_gnorm_sum: float = 0.0
    epoch_steps: int = 0
    best: float = math.inf    # early stopping: best monitored value, its epoch, and epochs since
    best_epoch: int = -1
    wait: int = 0
    epoch_start_rng: dict | None = None


def _resolve_loss(loss, data, width: int):
    """The loss function and its name; ``"auto"`` picks by task and the model's output ``width``."""
    from ..nn.losses import get_loss

    if not isinstance(loss, str):
        return loss, getattr(loss, "__name__", "custom")
    name = str(loss).lower().replace("-", "_")
    if name == "auto":
        name = ("bce" if width == 1 else "cross_entropy") if data.task == "classification" else "mse"
    fn = get_loss(name)
    if name == "cross_entropy" and width == 1:
        raise ShapeError(expected("one logit per class for cross-entropy", "a model with one output",
                                  f"make the last layer {data.n_outputs} wide, or use loss='bce' for one logit"))
    return fn, name


def _resolve_optimizer(optimizer, lr, preset):
    if isinstance(optimizer, str):
        from ..optim import make_optimizer

        hyper = {} if lr is None else {"lr": lr}
        return make_optimizer(optimizer, preset=preset, **hyper)
    if lr is not None or preset is not None:
        raise ConfigError(expected("lr/preset only with an optimizer name", type(optimizer).__name__,
                                   "set them when building the optimizer"))
    return optimizer


def _resolve_batching(batching, seed):
    from ..data.batching import Batching, parse_batching

    if batching is None:
        return parse_batching("full", seed)
    if isinstance(batching, Batching):
        return batching
    return parse_batching(str(batching), seed)


def _check_model_fits(model, data) -> int:
    """Refuse a model whose input or output width does not fit ``data``; return its output width."""
    d = model.in_features
    if d is not None and d != data.n_features:
        raise ShapeError(expected(f"data with {d} features (the model's input size)",
                                  f"{data.n_features} features in {data.name!r}",
                                  f"build the model with input size {data.n_features}"))
    with no_grad():
        out = model(Tensor(data.X[:1].astype(_dtype(model))))
    if out.data.ndim != 2 or out.data.shape[1] != data.n_outputs and not (
            data.task == "classification" and data.n_classes == 2 and out.data.shape[1] == 1):
        raise ShapeError(expected(f"a model with {data.n_outputs} outputs for {data.name!r}",
                                  f"output shape {out.data.shape[1:]}", f"make the last layer {data.n_outputs} wide"))
    return int(out.data.shape[1])


def _dtype(model):
    for _, p in model.named_parameters():
        return p.data.dtype
    return np.float64


#: fit's counts and tolerances, in the vocabulary of descentlab.validation
_ARGS: dict[str, list[Any]] = {"epochs": [POSITIVE_COUNT], "early_stopping": [POSITIVE_COUNT, None],
                               "checkpoint_every": [POSITIVE_COUNT, None], "grad_tol": [NONNEGATIVE, None],
                               "seed": SEED}
_FIXES = {"epochs": "train for at least one pass over the data",
          "early_stopping": "e.g. 5 epochs without improvement, or None",
          "checkpoint_every": "e.g. 100 steps, or None for epoch ends only",
          "grad_tol": "e.g. 1e-4, or None to run every epoch"}


def fit(model, data, loss: str | Callable = "auto", optimizer: Any = "sgd", batching: Any = "full",
        epochs: int = 10, *, lr: Any = None, preset: str | None = None, val_data=None, val_fraction: float = 0.0,
        seed: int = 0, early_stopping: int | None = None, restore_best: bool = False, grad_tol: float | None = None,
        diverge_factor: float = 1e6, max_steps: int | None = None, callbacks: Iterable[Callable] = (),
        quiet: bool = False, stream=None, checkpoint=None, checkpoint_every: int | None = None,
        resume: bool = False, step_fn: StepFn | None = None, run_config: dict | None = None,
        fast: bool = False) -> History:
    """Train ``model`` on ``data`` and return its :class:`History`.

    Parameters
    ----------
    model : descentlab.nn.Module
    data : descentlab.data.Dataset
        The training set (validated at construction).
    loss : str or callable
        ``"auto"`` (cross-entropy for classes, MSE for regression), ``"cross_entropy"``,
        ``"mse"`` (mean), ``"mse_half"`` (the lecture's ½Σ), ``"bce"``, or
        ``loss(outputs: Tensor, targets: ndarray) -> Tensor``.
    optimizer : str or descentlab.optim.Optimizer
        A name for :func:`descentlab.optim.make_optimizer` (with ``lr``, ``preset``), or
        a built optimizer. It is stepped on ``model.params()``, a dict of arrays.
    batching : str or descentlab.data.Batching
        ``"full"``, ``"stochastic"``, ``"minibatch:32"`` or a Batching object.
    epochs : int
        Passes over the training data.
    val_data, val_fraction
        A validation Dataset, or the fraction of ``data`` to hold out (stratified,
        seeded). Validation loss and accuracy are recorded each epoch. ``fit`` does
        not standardise: data standardised as a whole before ``val_fraction`` splits
        it has let the held-out part into the statistics; split first
        (:func:`descentlab.data.prepare_dataset`) and pass ``val_data``.
    early_stopping : int, optional
        Stop after this many epochs without a better validation (else training) loss.
    restore_best : bool
        With ``early_stopping``: when it stops the run, put back the weights of the
        epoch with the best monitored loss (as Keras' ``restore_best_weights``). The
        copy of those weights goes into checkpoints, so a resumed run restores the same.
    grad_tol : float, optional
        Stop when ``‖∇L‖₂ ≤ grad_tol`` (the lecture's ‖∇f‖ ≤ ε; exact with full batches).
    diverge_factor : float
        Also call it divergence when the batch loss exceeds ``diverge_factor`` times
        the first one.
    callbacks : iterable of callables
        ``cb(event, info)``; ``event`` is ``"step"`` or ``"epoch"``. Return True to stop
        (a finished run), or ``"interrupt"`` to stop so that ``resume`` continues later.
    quiet, stream
        The progress bar is drawn on ``stream`` (stderr) only if it is a terminal.
    checkpoint, checkpoint_every, resume
        Save model, optimizer state, batching RNG state, loop position and history to
        ``checkpoint`` every ``checkpoint_every`` steps and at every epoch end;
        ``resume=True`` continues from it bit-identically.
    step_fn : callable, optional
        ``(X, T) -> (loss, grads, outputs)``; defaults to the autodiff engine.
    fast : bool
        Use :class:`descentlab.fast.MLP`, the hand-written forward/backward of a
        Sequential of Linear layers and ReLU/Sigmoid/Tanh, instead of the autodiff
        engine. Its gradients equal the engine's to rounding (tested), not to the bit.
    """
    from ..data.dataset import Dataset, check_arrays, train_val_split

    for d in (data, val_data):
        if d is not None and not isinstance(d, Dataset):
            raise ConfigError(expected("a descentlab.data.Dataset", type(d).__name__,
                                       "wrap arrays with Dataset.from_arrays(X, y)"))
        if d is not None:  # a Dataset built with its bare constructor was never checked: NaN rows, labels
            check_arrays(d.X, d.y, d.task, d.n_classes)
    check_params("fit", dict(epochs=epochs, early_stopping=early_stopping, checkpoint_every=checkpoint_every,
                             grad_tol=grad_tol, seed=seed), _ARGS, fixes=_FIXES)
    if restore_best and early_stopping is None:
        raise ConfigError(expected("restore_best=True together with early_stopping=N", "early_stopping=None",
                                   "pass early_stopping, e.g. 5 epochs"))
    if val_data is not None and val_fraction:
        raise ConfigError(expected("either val_data or val_fraction", "both",
                                   "drop val_fraction to use val_data as given"))
    if val_data is None and val_fraction:
        data, val_data = train_val_split(data, val_fraction, seed=seed)
    opt = _resolve_optimizer(optimizer, lr, preset)
    batcher = _resolve_batching(batching, seed)
    batcher.check(len(data))
    width = _check_model_fits(model, data)
    loss_fn, loss_name = _resolve_loss(loss, data, width)

    dtype = _dtype(model)
    X = data.X.astype(dtype, copy=False)
    T = prepare_targets(data.y, loss_name, width, dtype)
    y_cls = data.y if data.task == "classification" else None
    if val_data is not None:
        Xv = val_data.X.astype(dtype, copy=False)
        Tv = prepare_targets(val_data.y, loss_name, width, dtype)
        yv = val_data.y if val_data.task == "classification" else None
    if fast and step_fn is None:
        from ..fast.mlp import MLP

        step_fn = MLP(model, loss_name).loss_and_grads  # rebinds the parameters to one flat buffer
    step_fn = step_fn or autodiff_loss_and_grads(model, loss_fn)

    params = model.params()
    state = opt.init(params)
    history = History(config={"loss": loss_name, "optimizer": _opt_config(opt), "batching": batcher.config(),
                              "epochs": int(epochs), "seed": seed, "samples": len(data),
                              **(run_config or {})})
    loop = _Loop()
    best_params: dict[str, np.ndarray] | None = None  # the weights of epoch loop.best_epoch, with restore_best
    if checkpoint is not None:
        from .._io import ensure_parent

        ensure_parent(checkpoint)  # an unusable checkpoint path is refused before any training, not at the first save
    if resume and checkpoint is not None:
        from .checkpoint import checkpoint_exists, load_checkpoint

        if checkpoint_exists(checkpoint):
            ck = load_checkpoint(checkpoint)
            _check_same_run(ck.history.config, history.config)
            ck.restore(model, opt, state, batcher, loop)
            best_params = ck.best_params or None
            history = ck.history
            kind = history.stop.kind if history.stop is not None else None
            finished = kind not in (None, "max_steps", "interrupted") or loop.epoch >= epochs and kind != "interrupted"
            if finished:
                return history
            history.stop = None  # (an interrupt after the last step falls through to a finished checkpoint)

    steps_per_epoch = batcher.steps_per_epoch(len(data))
    progress = _Progress(epochs * steps_per_epoch, enabled=not quiet, stream=stream)
    first_loss = history.steps["loss"][0] if history.steps["loss"] else None
    callbacks = list(callbacks)

    def save(done: bool = False) -> None:
        if checkpoint is not None:
            from .checkpoint import save_checkpoint

            save_checkpoint(checkpoint, model, opt, state, batcher, loop, history, done=done, best=best_params)

    stop: Stop | None = None
    # overflow on the way to a divergence is not worth a NumPy warning: the loop checks
    # every loss and gradient itself and stops with the step's number
    with np.errstate(over="ignore", invalid="ignore"):
        while loop.epoch < epochs and stop is None:
            t0 = time.perf_counter()
            if loop.batch == 0:
                batches = batcher.epoch(len(data))
                loop.epoch_start_rng = batcher.epoch_start_state
            else:  # resuming inside an epoch: replay its permutation, skip what was done
                batcher.restore(loop.epoch_start_rng)
                batches = batcher.epoch(len(data))
            for idx in batches[loop.batch:]:
                k = state.step
                lr_k = opt.lr_at(k)
                eval_params = opt.eval_params(params, state)
                if any(eval_params[n] is not params[n] for n in params):
                    saved = {n: a.copy() for n, a in params.items()}
                    for n in params:
                        np.copyto(params[n], eval_params[n])
                    L, grads, out = step_fn(X[idx], T[idx])
                    for n in params:
                        np.copyto(params[n], saved[n])
                else:
                    L, grads, out = step_fn(X[idx], T[idx])
                gnorm = _global_norm(grads)
                hits = int(np.sum(_predict(out, loss_fn) == y_cls[idx])) if y_cls is not None else 0
                history.steps["loss"].append(L)
                history.steps["accuracy"].append(hits / len(idx) if y_cls is not None else float("nan"))
                history.steps["lr"].append(float(lr_k))
                history.steps["grad_norm"].append(gnorm)
                history.steps["epoch"].append(loop.epoch)
                if first_loss is None:
                    first_loss = L
                if not (math.isfinite(L) and math.isfinite(gnorm)):
                    stop = Stop("diverged", k, loop.epoch, f"non-finite {'loss' if not math.isfinite(L) else 'gradient'} at step {k}")
                    break
                if L > diverge_factor * max(abs(first_loss), 1e-12):
                    stop = Stop("diverged", k, loop.epoch, f"loss {L:.3g} at step {k} exceeds {diverge_factor:g}× the first loss {first_loss:.3g}")
                    break
                if grad_tol is not None and gnorm <= grad_tol:
                    stop = Stop("converged", k, loop.epoch, f"‖∇L‖₂ = {gnorm:.3g} ≤ {grad_tol:g} at step {k}")
                    break
                opt.step(params, grads, state)
                loop.batch += 1
                loop.epoch_loss_sum += _sample_total(loss_fn, L, len(idx))
                loop.epoch_seen += len(idx)
                loop.epoch_correct += hits
                loop.epoch_gnorm_sum += gnorm
                loop.epoch_steps += 1
                progress.update(state.step, loop.epoch + 1, epochs, loop.epoch_loss_sum / loop.epoch_seen)
                stop = _ask(callbacks, "step", {"step": state.step, "epoch": loop.epoch, "loss": L, "grad_norm": gnorm,
                                                "model": model, "history": history}, state.step, loop.epoch)
                if stop is not None:
                    break
                if max_steps is not None and state.step >= max_steps:
                    stop = Stop("max_steps", state.step, loop.epoch, f"max_steps={max_steps} reached")
                    break
                if checkpoint_every and state.step % checkpoint_every == 0 and loop.batch < len(batches):
                    loop.epoch_time += time.perf_counter() - t0
                    t0 = time.perf_counter()
                    save()
            loop.epoch_time += time.perf_counter() - t0
            if loop.batch < len(batches):
                # stopped inside the epoch: it is not closed, so a resume continues right here
                break
            # -- epoch end
            seen = max(loop.epoch_seen, 1)
            history.epochs["loss"].append(loop.epoch_loss_sum / seen)
            history.epochs["accuracy"].append(loop.epoch_correct / seen if y_cls is not None else float("nan"))
            if val_data is not None:
                vl, va = evaluate(model, Xv, Tv, loss_fn, yv)
            else:
                vl, va = float("nan"), float("nan")
            history.epochs["val_loss"].append(vl)
            history.epochs["val_accuracy"].append(va)
            history.epochs["lr"].append(history.steps["lr"][-1] if history.steps["lr"] else float("nan"))
            history.epochs["grad_norm"].append(loop.epoch_gnorm_sum / max(loop.epoch_steps, 1))
            history.epochs["time"].append(loop.epoch_time)
            history.epochs["steps"].append(state.step)
            monitored = vl if val_data is not None else history.epochs["loss"][-1]
            loop.epoch += 1
            loop.batch = 0
            loop.epoch_loss_sum, loop.epoch_correct, loop.epoch_seen, loop.epoch_time = 0.0, 0, 0, 0.0
            loop.epoch_gnorm_sum, loop.epoch_steps = 0.0, 0
            if early_stopping is not None and (stop is None or stop.kind == "interrupted"):
                if monitored < loop.best:
                    loop.best, loop.best_epoch, loop.wait = monitored, loop.epoch - 1, 0
                    if restore_best:
                        best_params = model.state_dict()
                else:
                    loop.wait += 1
                    if loop.wait >= early_stopping:
                        stop = Stop("no_improvement", state.step, loop.epoch - 1,
                                    f"no better {'validation' if val_data is not None else 'training'} loss for "
                                    f"{early_stopping} epochs (best {loop.best:.4g} after epoch {loop.best_epoch + 1})")
                        if restore_best and best_params is not None:
                            model.load_state_dict(best_params)
                            stop.detail += f"; weights of epoch {loop.best_epoch + 1} restored"
            if stop is None:
                stop = _ask(callbacks, "epoch", {"step": state.step, "epoch": loop.epoch - 1, "history": history,
                                                 "model": model}, state.step, loop.epoch - 1)
            if loop.epoch < epochs and stop is None:
                save()
    progress.close()
    history.stop = stop or Stop("max_steps", state.step, max(loop.epoch - 1, 0),
                                f"{epochs} epoch{'s' if epochs != 1 else ''} done")
    save(done=history.stop.kind != "interrupted")
    return history


#: what must match for a resume to continue the same run (epochs may grow; the optimizer
#: and batching are checked by Checkpoint.restore)
_SAME_RUN_KEYS = ("loss", "seed", "samples", "dataset", "task", "sizes", "activation")


def _check_same_run(saved: dict, now: dict) -> None:
    changed = [k for k in _SAME_RUN_KEYS if k in saved and k in now and saved[k] != now[k]]
    if changed:
        raise ConfigError(expected(f"the run the checkpoint was made with ({', '.join(f'{k}={saved[k]}' for k in changed)})",
                                   ", ".join(f"{k}={now[k]}" for k in changed),
                                   "resume with the same data, seed, model and loss, or start a new checkpoint"))


def _ask(callbacks, event: str, info: dict, step: int, epoch: int) -> Stop | None:
    for cb in callbacks:
        answer = cb(event, info)
        if answer == "interrupt":
            return Stop("interrupted", step, epoch, f"interrupted after step {step}; resume to continue")
        if answer is True:
            return Stop("callback", step, epoch, "a callback asked to stop")
    return None


def _opt_config(opt) -> dict:
    try:
        return opt.to_config()
    except Exception:  # a schedule that cannot be described: record its name only
        return {"name": getattr(opt, "name", type(opt).__name__)}


def train_mlp(dataset: Any = "digits", hidden=(32,), activation: str = "relu", *, optimizer: Any = "adam",
              lr: Any = None, preset: str | None = None, schedule: str | None = None, hyper: dict | None = None,
              batching: Any = "minibatch:32", epochs: int = 20, loss: str = "auto", val_fraction: float = 0.2,
              standardize: bool = True, init: str | None = None, seed: int = 0, quick: bool = False,
              **fit_kwargs) -> tuple[Any, History]:
    """Load a dataset by name, split and standardise it, build an MLP and :func:`fit` it.

    The one-call version of what ``descentlab train`` does. ``schedule`` is the text
    form of :func:`descentlab.optim.schedules.parse_schedule` (e.g. ``"exp:k=0.001"``)
    and starts from ``lr`` (default: the preset's lr); ``hyper`` holds other optimizer
    settings. ``quick`` keeps at most 600 samples and 3 epochs, for smoke tests and the tour.

    Returns ``(model, history)``; ``history.config`` names the dataset and sizes.
    """
    from ..data import prepare_dataset
    from ..nn import mlp

    if quick:
        epochs = min(int(epochs), 3)
    data, val = prepare_dataset(dataset, val_fraction, seed, standardize, limit=600 if quick else None)
    sizes = [data.n_features, *[int(h) for h in hidden], data.n_outputs]
    model = mlp(sizes, activation, init=init, seed=seed)
    if not isinstance(optimizer, str) and (lr is not None or preset or schedule or hyper):
        raise ConfigError(expected("lr, preset, schedule and hyper only with an optimizer name",
                                   f"a built {type(optimizer).__name__}", "set them when building the optimizer"))
    if isinstance(optimizer, str):
        from ..optim import make_optimizer
        if schedule:
            from ..optim import parse_schedule

            if lr is None:  # start from the preset's lr, as the same call without a schedule would use
                lr = make_optimizer(optimizer, preset=preset, **(hyper or {})).lr_at(0)
            lr = parse_schedule(schedule, lr=lr)
        optimizer = make_optimizer(optimizer, preset=preset, **(hyper or {}), **({} if lr is None else {"lr": lr}))
    run_config = {"dataset": data.name.replace("[train]", ""), "task": data.task, "sizes": sizes, "activation": activation,
                  **fit_kwargs.pop("run_config", {})}
    history = fit(model, data, loss, optimizer, batching, epochs, val_data=val, seed=seed, run_config=run_config,
                  **fit_kwargs)
    return model, history
