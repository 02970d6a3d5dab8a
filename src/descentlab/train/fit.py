r"""``fit(model, data, ...)``: train a network by the lecture's descent, and keep its history.

One step, top to bottom (:meth:`_Run.step` reads the same way)::

    idx            = next batch of sample indices     (full / stochastic / mini-batch)
    L, g           = loss_and_grads(X[idx], y[idx])    (forward, loss, back-propagation,
                                                        at opt.eval_params: look-ahead Nesterov)
    if L or g is not finite, or L explodes: stop, "diverged at step k"
    if ‖g‖ ≤ grad_tol: stop, "converged at step k"
    opt.step(theta, g, state)                           (theta and state in place, lr = schedule(k))

and at each epoch's end the validation loss, early stopping, the epoch callbacks and a
checkpoint (:meth:`_Run.end_epoch`).

``loss_and_grads`` is the one function that touches the network; by default it runs
the autodiff engine (:func:`autodiff_loss_and_grads`). A faster forward/backward can be
passed as ``step_fn`` with the same signature ``(X, T) -> (loss, grads, outputs)``.

Every stop is a :class:`~descentlab.optim.stopping.StopReason` in ``History.stop``, with
the rules of :mod:`descentlab.optim.stopping` deciding the first four kinds:
``max_steps`` (epochs or ``max_steps`` done), ``converged`` (:class:`GradNorm`,
``‖∇L‖₂ ≤ grad_tol``), ``no_improvement`` (:class:`NoImprovement` on the epoch's
validation loss: early stopping), ``diverged`` (:class:`Divergence`: non-finite or
exploding loss, non-finite gradient), ``callback`` (a callback asked to stop),
``interrupted`` (a callback returned ``"interrupt"``, e.g. on SIGTERM: the checkpoint
is left resumable). The rules' state (early stopping's best loss, divergence's first
loss) goes into the checkpoint with the loop's position.
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
import time
from typing import Any, Callable, Iterable

import numpy as np

from ..autodiff import Tensor, no_grad
from ..errors import ConfigError, ShapeError, expected
from ..optim.schedules.plateau import Plateau
from ..optim.config import optimizer_config
from ..optim.lookahead import at_eval_params
from ..optim.stopping import Divergence, GradNorm, MaxSteps, NoImprovement, StopReason
from ..progress import Progress
from ..validation import NONNEGATIVE, POSITIVE_COUNT, SEED, check, check_params
from .checkpoint import LoopPosition
from .history import History
from .targets import predict, resolve_loss, sample_total, train_arrays

__all__ = ["fit", "train_mlp", "History", "autodiff_loss_and_grads", "evaluate", "StepFn"]

StepFn = Callable[[np.ndarray, np.ndarray], "tuple[float, dict[str, np.ndarray], np.ndarray]"]


# -- loss and gradients ---------------------------------------------------------------------
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


def evaluate(model, X: np.ndarray, T: np.ndarray, loss_fn, y: np.ndarray | None = None,
             chunk: int = 4096) -> tuple[float, float]:
    """Per-sample mean loss and accuracy (NaN for regression) of ``model`` on ``(X, T)``, without a graph."""
    total, correct, n = 0.0, 0, X.shape[0]
    with no_grad():
        for i in range(0, n, chunk):
            out = model(Tensor(X[i:i + chunk]))
            total += sample_total(loss_fn, float(loss_fn(out, T[i:i + chunk]).data), min(chunk, n - i))
            if y is not None:
                correct += int(np.sum(predict(out.data, loss_fn) == y[i:i + chunk]))
    return total / n, (correct / n if y is not None else float("nan"))


def _global_norm(grads: dict[str, np.ndarray]) -> float:
    return math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))


# -- setting up ------------------------------------------------------------------------------
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


ENGINES = ("auto", "fast", "autodiff")


def _engine_name(engine: str, fast: bool | None) -> str:
    """``engine`` checked, with the deprecated ``fast=`` flag folded in."""
    if fast is not None:
        import warnings

        warnings.warn("fit(fast=...) is deprecated: pass engine='fast' or engine='autodiff' (the default, 'auto', "
                      "takes the fast MLP whenever it covers the model)", DeprecationWarning, stacklevel=3)
        if engine != "auto":
            raise ConfigError(expected("engine= or the older fast=, not both", f"engine={engine!r}, fast={fast!r}",
                                       "drop fast="))
        return "fast" if fast else "autodiff"
    if engine not in ENGINES:
        raise ConfigError(expected(f"engine one of {list(ENGINES)}", repr(engine),
                                   "'auto' takes the fast MLP where it covers the model, 'autodiff' the engine"))
    return engine


def _engine(model, loss, loss_fn, loss_name: str, engine: str, step_fn) -> tuple[StepFn, str]:
    """The forward/backward the loop runs, and its name for ``History.config["engine"]``."""
    if step_fn is not None:
        return step_fn, "step_fn"
    if engine != "autodiff":
        from ..fast.mlp import MLP

        if isinstance(loss, str) or engine == "fast":  # a loss function of one's own has no hand-written delta
            try:
                return MLP(model, loss_name).loss_and_grads, "fast"  # rebinds the parameters to one flat buffer
            except ConfigError:
                if engine == "fast":
                    raise
    return autodiff_loss_and_grads(model, loss_fn), "autodiff"


#: fit's counts and tolerances, in the vocabulary of descentlab.validation
_ARGS: dict[str, list[Any]] = {"epochs": [POSITIVE_COUNT], "early_stopping": [POSITIVE_COUNT, None],
                               "checkpoint_every": [POSITIVE_COUNT, None], "grad_tol": [NONNEGATIVE, None]}
_FIXES = {"epochs": "train for at least one pass over the data",
          "early_stopping": "e.g. 5 epochs without improvement, or None",
          "checkpoint_every": "e.g. 100 steps, or None for epoch ends only",
          "grad_tol": "e.g. 1e-4, or None to run every epoch"}


def _check_args(data, val_data, epochs, early_stopping, checkpoint_every, grad_tol, restore_best,
                val_fraction) -> None:
    """Refuse bad arguments with a sentence, before any work."""
    from ..data.dataset import Dataset, check_arrays

    for d in (data, val_data):
        if d is not None and not isinstance(d, Dataset):
            raise ConfigError(expected("a descentlab.data.Dataset", type(d).__name__,
                                       "wrap arrays with Dataset.from_arrays(X, y)"))
        if d is not None:  # a Dataset built with its bare constructor was never checked: NaN rows, labels
            check_arrays(d.X, d.y, d.task, d.n_classes)
    check_params("fit", dict(epochs=epochs, early_stopping=early_stopping, checkpoint_every=checkpoint_every,
                             grad_tol=grad_tol), _ARGS, fixes=_FIXES)
    if restore_best and early_stopping is None:
        raise ConfigError(expected("restore_best=True together with early_stopping=N", "early_stopping=None",
                                   "pass early_stopping, e.g. 5 epochs"))
    if val_data is not None and val_fraction:
        raise ConfigError(expected("either val_data or val_fraction", "both",
                                   "drop val_fraction to use val_data as given"))


def _stop_rules(grad_tol, diverge_factor, max_steps, early_stopping) -> dict[str, Any]:
    """The rules fit stops by, by the kind each decides (None where not asked for)."""
    factor = None if diverge_factor == math.inf else diverge_factor
    roles = {"diverged": Divergence(factor=factor, check_params=False),
             "converged": GradNorm(grad_tol) if grad_tol is not None else None,
             "max_steps": MaxSteps(max_steps) if max_steps is not None else None,
             "no_improvement": NoImprovement(early_stopping) if early_stopping is not None else None}
    return roles


def _with_epoch(reason: StopReason, epoch: int) -> StopReason:
    return dataclasses.replace(reason, details={**reason.details, "epoch": int(epoch)})


def _ask(callbacks, event: str, info: dict, step: int, epoch: int) -> StopReason | None:
    for cb in callbacks:
        answer = cb(event, info)
        if answer == "interrupt":
            return StopReason("interrupted", step, f"interrupted after step {step}; resume to continue", {"epoch": epoch})
        if answer is True:
            return StopReason("callback", step, "a callback asked to stop", {"epoch": epoch})
    return None


#: what must match for a resume to continue the same run (epochs may grow; the optimizer
#: and batching are checked by Checkpoint.restore)
_SAME_RUN_KEYS = ("loss", "seed", "samples", "dataset", "task", "sizes", "activation", "dtype")


def _check_same_run(saved: dict, now: dict) -> None:
    changed = [k for k in _SAME_RUN_KEYS if k in saved and k in now and saved[k] != now[k]]
    if changed:
        raise ConfigError(expected(f"the run the checkpoint was made with ({', '.join(f'{k}={saved[k]}' for k in changed)})",
                                   ", ".join(f"{k}={now[k]}" for k in changed),
                                   "resume with the same data, seed, model and loss, or start a new checkpoint"))


# -- the loop ----------------------------------------------------------------------------------
class _Run:
    """One training run: what the loop reads (data, optimizer, rules) and where it is."""

    def __init__(self, model, opt, batcher, step_fn, loss_fn, train, val, history, rules, *, epochs, restore_best,
                 callbacks, progress, checkpoint, checkpoint_every) -> None:
        self.model, self.opt, self.batcher, self.step_fn, self.loss_fn = model, opt, batcher, step_fn, loss_fn
        self.train, self.val, self.history, self.rules = train, val, history, rules
        self.epochs, self.restore_best, self.callbacks, self.progress = epochs, restore_best, list(callbacks), progress
        self.checkpoint, self.checkpoint_every = checkpoint, checkpoint_every
        self.params = model.params()
        self.state = opt.init(self.params)
        self.pos = LoopPosition()
        self.best_params: dict[str, np.ndarray] | None = None  # the weights of the best epoch, with restore_best
        self.n = len(train.X)

    # -- checkpoints
    def resume(self) -> bool:
        """Continue from the checkpoint if there is one; True when it holds a finished run."""
        from .checkpoint import checkpoint_exists, load_checkpoint

        if not checkpoint_exists(self.checkpoint):
            return False
        ck = load_checkpoint(self.checkpoint)
        _check_same_run(ck.history.config, self.history.config)
        self.pos = ck.restore(self.model, self.opt, self.state, self.batcher, {k: r for k, r in self.rules.items() if r is not None})
        self.best_params = ck.best_params or None
        self.history = ck.history
        kind = self.history.stop.kind if self.history.stop is not None else None
        if kind not in (None, "max_steps", "interrupted") or self.pos.epoch >= self.epochs and kind != "interrupted":
            return True
        self.history.stop = None  # (an interrupt after the last step falls through to a finished checkpoint)
        return False

    def save(self, done: bool = False) -> None:
        if self.checkpoint is not None:
            from .checkpoint import save_checkpoint

            save_checkpoint(self.checkpoint, self.model, self.opt, self.state, self.batcher, self.pos, self.history,
                            done=done, best=self.best_params, rules={k: r for k, r in self.rules.items() if r is not None})

    # -- one step
    def step(self, idx: np.ndarray) -> StopReason | None:
        """One update on the batch ``idx``, recorded; the reason when the run stops here."""
        X, T, y = self.train
        k, pos, state = self.state.step, self.pos, self.state
        lr_k = self.opt.lr_at(k)
        L, grads, out = at_eval_params(self.opt, self.params, state, lambda: self.step_fn(X[idx], T[idx]))
        gnorm = _global_norm(grads)
        hits = int(np.sum(predict(out, self.loss_fn) == y[idx])) if y is not None else 0
        steps = self.history.steps
        steps["loss"].append(L)
        steps["accuracy"].append(hits / len(idx) if y is not None else float("nan"))
        steps["lr"].append(float(lr_k))
        steps["grad_norm"].append(gnorm)
        steps["epoch"].append(pos.epoch)
        stop = self._check_gradient(k, L, grads, gnorm)
        if stop is not None:
            return _with_epoch(stop, pos.epoch)
        if getattr(self.opt, "needs_closure", False):  # L-BFGS: full batch, evaluated where it chooses
            if len(idx) != self.n:
                raise ConfigError(expected(f"full-batch training for {self.opt.name}", f"a batch of {len(idx)} of "
                                           f"{self.n} samples", "pass batching='full': L-BFGS's line search and "
                                           "history need the same objective at every evaluation"))
            self.opt.step_closure(self.params, lambda p: self.step_fn(X[idx], T[idx])[:2], state)
        else:
            self.opt.step(self.params, grads, state)
        pos.batch += 1
        pos.epoch_loss_sum += sample_total(self.loss_fn, L, len(idx))
        pos.epoch_seen += len(idx)
        pos.epoch_correct += hits
        pos.epoch_gnorm_sum += gnorm
        pos.epoch_steps += 1
        self.progress.advance()
        stop = _ask(self.callbacks, "step", {"step": state.step, "epoch": pos.epoch, "loss": L, "grad_norm": gnorm,
                                             "model": self.model, "history": self.history}, state.step, pos.epoch)
        if stop is None and self.rules["max_steps"] is not None:
            stop = self.rules["max_steps"].check(state.step, L)
            stop = stop and _with_epoch(stop, pos.epoch)
        return stop

    def _check_gradient(self, k: int, L: float, grads, gnorm: float) -> StopReason | None:
        """Divergence, then ‖∇L‖ ≤ grad_tol, at the iterate of step ``k`` (before its update)."""
        # a finite norm means finite entries: the search for a bad entry runs only when there is one to name
        reason = self.rules["diverged"].check(k, L, None if math.isfinite(gnorm) else grads)
        if reason is None and not math.isfinite(gnorm):
            reason = StopReason("diverged", k, f"diverged at step {k}: the gradient's norm overflows to {gnorm}",
                                {"quantity": "grad", "value": gnorm})
        if reason is None and self.rules["converged"] is not None:
            reason = self.rules["converged"].check(k, L, grads)
        return reason

    # -- one epoch
    def run_epoch(self) -> tuple[StopReason | None, bool]:
        """The rest of the current epoch's batches: ``(stop, closed)``; a stop inside the epoch leaves it open."""
        pos, every = self.pos, self.checkpoint_every
        t0 = time.perf_counter()
        if pos.batch == 0:
            batches = self.batcher.epoch(self.n)
            pos.epoch_start_rng = self.batcher.epoch_start_state
        else:  # resuming inside an epoch: replay its permutation, skip what was done
            self.batcher.restore(pos.epoch_start_rng)
            batches = self.batcher.epoch(self.n)
        stop = None
        for idx in batches[pos.batch:]:
            stop = self.step(idx)
            if stop is not None:
                break
            if every and self.state.step % every == 0 and pos.batch < len(batches):
                pos.epoch_time += time.perf_counter() - t0
                t0 = time.perf_counter()
                self.save()
        pos.epoch_time += time.perf_counter() - t0
        if pos.batch < len(batches):  # stopped inside the epoch: a resume continues right here
            return stop, False
        return self.end_epoch(stop), True

    def end_epoch(self, stop: StopReason | None) -> StopReason | None:
        """Record the epoch, evaluate, early stopping and the epoch callbacks; save. The reason to stop, if any."""
        pos, ep, steps = self.pos, self.history.epochs, self.history.steps
        seen = max(pos.epoch_seen, 1)
        ep["loss"].append(pos.epoch_loss_sum / seen)
        ep["accuracy"].append(pos.epoch_correct / seen if self.train.y is not None else float("nan"))
        vl, va = (evaluate(self.model, self.val.X, self.val.T, self.loss_fn, self.val.y) if self.val is not None
                  else (math.nan, math.nan))
        ep["val_loss"].append(vl)
        ep["val_accuracy"].append(va)
        if isinstance(self.opt.hyper.get("lr"), Plateau):  # the stateful schedule reads the epoch's metric
            self.opt.hyper["lr"].step(vl if self.val is not None else ep["loss"][-1])
        ep["lr"].append(steps["lr"][-1] if steps["lr"] else float("nan"))
        ep["grad_norm"].append(pos.epoch_gnorm_sum / max(pos.epoch_steps, 1))
        ep["time"].append(pos.epoch_time)
        ep["steps"].append(self.state.step)
        epoch = pos.epoch
        pos.next_epoch()
        if self.rules["no_improvement"] is not None and (stop is None or stop.kind == "interrupted"):
            stop = self._early_stop(vl if self.val is not None else ep["loss"][-1], epoch) or stop
        if stop is None:
            stop = _ask(self.callbacks, "epoch", {"step": self.state.step, "epoch": epoch, "history": self.history,
                                                  "model": self.model}, self.state.step, epoch)
        if pos.epoch < self.epochs and stop is None:
            self.save()
        return stop

    def _early_stop(self, monitored: float, epoch: int) -> StopReason | None:
        """Early stopping: :class:`NoImprovement` over the epochs, checked with the epoch's index."""
        rule = self.rules["no_improvement"]
        reason = rule.check(epoch, monitored)
        if self.restore_best and rule.best_step == epoch and rule.wait == 0:
            self.best_params = self.model.state_dict()
        if reason is None:
            return None
        which = "validation" if self.val is not None else "training"
        best = f"{rule.best:.4g} after epoch {rule.best_step + 1}" if rule.best is not None else "none"
        message = f"no better {which} loss for {rule.patience} epochs (best {best})"
        if self.restore_best and self.best_params is not None:
            self.model.load_state_dict(self.best_params)
            message += f"; weights of epoch {rule.best_step + 1} restored"
        details = {"patience": rule.patience, "best": rule.best, "best_epoch": rule.best_step, "epoch": epoch}
        return StopReason("no_improvement", self.state.step, message, details)

    def finish(self, stop: StopReason | None) -> History:
        epochs = self.epochs
        self.history.stop = stop or StopReason("max_steps", self.state.step,
                                               f"{epochs} epoch{'s' if epochs != 1 else ''} done",
                                               {"epochs": int(epochs), "epoch": max(self.pos.epoch - 1, 0)})
        self.save(done=self.history.stop.kind != "interrupted")
        return self.history


def fit(model, data, loss: str | Callable = "auto", optimizer: Any = "sgd", batching: Any = "full",
        epochs: int = 10, *, lr: Any = None, preset: str | None = None, val_data=None, val_fraction: float = 0.0,
        seed: int = 0, early_stopping: int | None = None, restore_best: bool = False, grad_tol: float | None = None,
        diverge_factor: float = 1e6, max_steps: int | None = None, callbacks: Iterable[Callable] = (),
        quiet: bool = False, stream=None, progress: Progress | None = None, checkpoint=None, checkpoint_every: int | None = None,
        resume: bool = False, step_fn: StepFn | None = None, run_config: dict | None = None,
        engine: str = "auto", fast: bool | None = None, overwrite: bool = False) -> History:
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
    quiet, stream, progress
        A progress line (:class:`descentlab.progress.Progress`) on ``stream`` (stderr):
        redrawn in place on a terminal, a plain line every few seconds and a final one
        in a log; none with ``quiet``. Given a ``progress``, ``fit`` advances it one unit
        a step instead (it starts it with the run's steps if it has no total yet, and
        leaves closing it to the caller).
    checkpoint, checkpoint_every, resume
        Save model, optimizer state, batching RNG state, loop position and history to
        ``checkpoint`` every ``checkpoint_every`` steps and at every epoch end;
        ``resume=True`` continues from it bit-identically. A run holds ``<checkpoint>.lock``
        while it lasts (a second run on the same file is refused) and first removes the
        temporary files a killed save left behind.
    overwrite
        Start a new run over an existing ``checkpoint`` (refused without it unless ``resume``).
    step_fn : callable, optional
        ``(X, T) -> (loss, grads, outputs)``; when given, it is what runs (``engine`` aside).
    engine : {"auto", "fast", "autodiff"}
        The forward/backward. ``"fast"``: :class:`descentlab.fast.MLP`, the hand-written
        back-propagation of a Sequential of biased Linear layers, each followed by at most
        one ReLU/Sigmoid/Tanh/Identity, for ``cross_entropy``, ``mse`` and ``mse_half``;
        it refuses other models. ``"autodiff"``: the autodiff engine, for any model and
        loss. ``"auto"`` (default): the fast MLP whenever it covers the model and loss,
        else the engine. The two agree to rounding (tested), not to the bit. On the fast
        MLP the model's parameters are rebound to views of one flat buffer: hold the
        tensors (``model.parameters()``) or call ``model.params()`` again, not arrays
        taken before ``fit``. ``History.config["engine"]`` says which ran.
    fast : bool, optional
        Deprecated spelling of ``engine="fast"`` (True) or ``engine="autodiff"`` (False).
    """
    _check_args(data, val_data, epochs, early_stopping, checkpoint_every, grad_tol, restore_best, val_fraction)
    check("fit", "seed", seed, SEED)
    if val_data is None and val_fraction:
        from ..data.dataset import train_val_split

        data, val_data = train_val_split(data, val_fraction, seed=seed)
    opt = _resolve_optimizer(optimizer, lr, preset)
    batcher = _resolve_batching(batching, seed)
    batcher.check(len(data))
    width = _check_model_fits(model, data)
    loss_fn, loss_name = resolve_loss(loss, data, width)
    rules = _stop_rules(grad_tol, diverge_factor, max_steps, early_stopping)
    dtype = _dtype(model)
    train = train_arrays(data, loss_name, width, dtype)
    val = train_arrays(val_data, loss_name, width, dtype) if val_data is not None else None
    step_fn, engine = _engine(model, loss, loss_fn, loss_name, _engine_name(engine, fast), step_fn)
    history = History(config={"loss": loss_name, "optimizer": optimizer_config(opt), "batching": batcher.config(),
                              "epochs": int(epochs), "seed": seed, "samples": len(data), "engine": engine,
                              "dtype": np.dtype(dtype).name, **(run_config or {})})
    if checkpoint is not None:
        from .._io import ensure_parent, resolve_link

        # through a symbolic link: the lock, .prev and .new files sit beside the file it names
        checkpoint = resolve_link(checkpoint)
        ensure_parent(checkpoint, regular=True)  # an unusable checkpoint path is refused before any training, not at the first save
    own = progress is None  # fit draws its own line, or counts on the caller's
    if own:
        progress = Progress("train", enabled=not quiet, stream=stream)
    run = _Run(model, opt, batcher, step_fn, loss_fn, train, val, history, rules, epochs=epochs,
               restore_best=restore_best, callbacks=callbacks, progress=progress, checkpoint=checkpoint,
               checkpoint_every=checkpoint_every)
    total = epochs * batcher.steps_per_epoch(len(data))
    total = min(total, max_steps) if max_steps is not None else total
    with progress if own else contextlib.nullcontext():
        if checkpoint is None:
            return _train(run, resume, epochs, total)
        from .checkpoint import check_overwrite, checkpoint_lock, remove_leftovers

        with checkpoint_lock(checkpoint):
            check_overwrite(checkpoint, resume, overwrite)
            remove_leftovers(checkpoint)
            return _train(run, resume, epochs, total)


def _where(run: _Run, epochs: int) -> str:
    """``epoch 3/20, loss 0.214``: the epoch under way and its mean loss so far (else the last epoch's)."""
    pos, losses = run.pos, run.history.epochs["loss"]
    if pos.epoch_seen:
        return f"epoch {pos.epoch + 1}/{epochs}, loss {pos.epoch_loss_sum / pos.epoch_seen:.4g}"
    return f"epoch {pos.epoch}/{epochs}, loss {losses[-1]:.4g}" if losses else f"epoch {pos.epoch + 1}/{epochs}"


def _train(run: _Run, resume: bool, epochs: int, total: int) -> History:
    if resume and run.checkpoint is not None and run.resume():
        return run.history
    p = run.progress
    if p.total is None:  # nobody counts for this run yet: its steps are the total (a resumed run starts part way)
        p.start(total, done=run.state.step)
    if p.detail is None:
        p.detail = lambda: _where(run, epochs)
    stop: StopReason | None = None
    # overflow on the way to a divergence is not worth a NumPy warning: the loop checks
    # every loss and gradient itself and stops with the step's number
    with np.errstate(over="ignore", invalid="ignore"):
        while run.pos.epoch < epochs and stop is None:
            stop, closed = run.run_epoch()
            if not closed:
                break
    return run.finish(stop)


#: the model dtype of dataset training (train_mlp, ``descentlab train``); docs/training.md says why
DEFAULT_DTYPE = "float32"
DTYPES = ("float32", "float64")


def _float_dtype(dtype: Any) -> np.dtype:
    try:
        name = np.dtype(dtype).name
    except TypeError:
        name = repr(dtype)
    if name not in DTYPES:
        raise ConfigError(expected(f"dtype one of {list(DTYPES)}", dtype,
                                   "float32 trains fast; float64 is the precision the references are checked at"))
    return np.dtype(name)


def train_mlp(dataset: Any = "digits", hidden=(32,), activation: str = "relu", *, optimizer: Any = "adam",
              lr: Any = None, preset: str | None = None, schedule: str | None = None, hyper: dict | None = None,
              batching: Any = "minibatch:32", epochs: int = 20, loss: str = "auto", val_fraction: float = 0.2,
              standardize: bool = True, init: str | None = None, seed: int = 0, quick: bool = False,
              dtype: Any = DEFAULT_DTYPE, **fit_kwargs) -> tuple[Any, History]:
    """Load a dataset by name, split and standardise it, build an MLP and :func:`fit` it.

    The one-call version of what ``descentlab train`` does. ``schedule`` is the text
    form of :func:`descentlab.optim.schedules.parse_schedule` (e.g. ``"exp:k=0.001"``)
    and starts from ``lr`` (default: the preset's lr); ``hyper`` holds other optimizer
    settings. ``quick`` keeps at most 600 samples and 3 epochs, for smoke tests and the tour.
    ``dtype`` is the model's: ``"float32"`` (default, :data:`DEFAULT_DTYPE`: half the
    memory traffic and BLAS's single-precision speed; the data's float64 is cast once) or
    ``"float64"`` (the precision the conformance tests compare at). Other keywords go to
    :func:`fit`, e.g. ``engine="autodiff"``.

    Returns ``(model, history)``; ``history.config`` names the dataset and sizes.
    """
    from ..data import prepare_dataset
    from ..nn import mlp

    if quick:
        epochs = min(int(epochs), 3)
    data, val = prepare_dataset(dataset, val_fraction, seed, standardize, limit=600 if quick else None)
    sizes = [data.n_features, *[int(h) for h in hidden], data.n_outputs]
    model = mlp(sizes, activation, init=init, seed=seed, dtype=_float_dtype(dtype))
    if not isinstance(optimizer, str) and (lr is not None or preset or schedule or hyper):
        raise ConfigError(expected("lr, preset, schedule and hyper only with an optimizer name",
                                   f"a built {type(optimizer).__name__}", "set them when building the optimizer"))
    if isinstance(optimizer, str):
        from ..optim import make_optimizer
        if schedule:
            from ..optim import default_hyper, parse_schedule

            hyper = dict(hyper or {})
            if lr is None:  # start from the preset's lr, as the same call without a schedule would use
                lr = hyper.pop("lr") if "lr" in hyper else default_hyper(optimizer, preset)["lr"]
            lr = parse_schedule(schedule, lr=lr)
        optimizer = make_optimizer(optimizer, preset=preset, **(hyper or {}), **({} if lr is None else {"lr": lr}))
    run_config = {"dataset": data.name.replace("[train]", ""), "task": data.task, "sizes": sizes, "activation": activation,
                  **fit_kwargs.pop("run_config", {})}
    history = fit(model, data, loss, optimizer, batching, epochs, val_data=val, seed=seed, run_config=run_config,
                  **fit_kwargs)
    return model, history
