"""The lecture's two comparisons, each returning a JSON-able table plus curves.

* :func:`compare_batching` — batch GD vs SGD vs mini-batch GD on the same data and the
  same budget of epochs (passes over the data), measured per epoch and in wall time.
* :func:`compare_optimizers` — SGD, momentum, Nesterov, AdaGrad, RMSProp and Adam on
  a real dataset, same model, same initial weights, same batches, each at one untuned
  learning rate (labelled so; the tuned comparison is ``compare optimizers --protocol``).

Each run starts from the same initial weights (same seed) and, for mini-batches, the
same sample order. The training loss in the curves is measured on the whole training
set at the end of each epoch, so the three batchings are scored the same way; the time
spent measuring it is not counted in the wall time.
"""
from __future__ import annotations

import time
from typing import Any, Sequence

import numpy as np

from ..errors import ConfigError, expected

__all__ = ["compare_batching", "compare_optimizers", "DEFAULT_BATCHING_LR", "DEFAULT_OPTIMIZER_LR", "UNTUNED"]

#: plain SGD learning rates for each batching on standardised data (one sample's
#: gradient is noisier, so SGD gets a smaller step)
DEFAULT_BATCHING_LR = {"full": 0.5, "stochastic": 0.01, "minibatch": 0.1}
#: PyTorch-convention learning rates that train the default MLP well on digits
DEFAULT_OPTIMIZER_LR = {"sgd": 0.1, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.05, "rmsprop": 1e-3,
                        "adam": 1e-3}
#: what every untuned optimizer comparison says of itself (its text, JSON and figure)
UNTUNED = ("untuned: each optimizer ran at one fixed learning rate, not tuned for it, so the ranking partly "
           "measures how well that rate suits each one. For a tuned comparison add --protocol halving: each lr is "
           "then tuned on some seeds and scored on others (descentlab.sweep.race.compare_on_sweep, docs/sweeps.md).")


def _prepare(data, seed: int, val_fraction: float, quick: bool):
    from ..data import prepare_dataset

    # standardisation leaves the constant bias column of linear_regression as it is
    return prepare_dataset(data, val_fraction, seed, limit=600 if quick else None)


def _model(train, hidden: Sequence[int], activation: str, seed: int):
    from ..nn import Linear, mlp

    if train.task == "regression" and not hidden:
        return Linear(train.n_features, train.n_outputs, bias=False, init="zeros")
    return mlp([train.n_features, *hidden, train.n_outputs], activation, seed=seed)


def _run(train, val, hidden, activation, seed, loss, optimizer, batching, epochs, progress):
    from .fit import evaluate, fit
    from .targets import prepare_targets, resolve_loss

    model = _model(train, hidden, activation, seed)
    loss_fn, loss_name = resolve_loss(loss, train, train.n_outputs)
    T = prepare_targets(train.y, loss_name, train.n_outputs, np.float64)
    y = train.y if train.task == "classification" else None
    train_loss = [evaluate(model, train.X, T, loss_fn, y)[0]]
    measure = 0.0

    def on_epoch(event, info):
        nonlocal measure
        if event == "epoch":
            t = time.perf_counter()
            train_loss.append(evaluate(model, train.X, T, loss_fn, y)[0])
            measure += time.perf_counter() - t
        return False

    t0 = time.perf_counter()
    h = fit(model, train, loss_name, optimizer, batching, epochs, val_data=val, seed=seed, callbacks=[on_epoch],
            quiet=True, progress=progress)
    wall = time.perf_counter() - t0 - measure
    return h, train_loss, wall


def _check_lr_names(lrs: dict | None, names, what: str) -> None:
    unknown = sorted(set(lrs or {}) - set(names))
    if unknown:
        raise ConfigError(expected(f"learning rates keyed by the {what} {sorted(names)}", f"keys {unknown}",
                                   "check the spelling of each NAME in NAME=LR"))


def _curve(h, train_loss) -> dict:
    ep = h.n_epochs
    return {"epoch": list(range(ep + 1)), "time": [0.0, *np.cumsum(h.epochs["time"]).tolist()],
            "train_loss": train_loss[: ep + 1], "val_loss": h.epochs["val_loss"],
            "val_accuracy": h.epochs["val_accuracy"], "steps": [0, *h.epochs["steps"]]}


def _first_below(curve: dict, key_x: str, target: float):
    for x, L in zip(curve[key_x], curve["train_loss"]):
        if L <= target:
            return x
    return None


def compare_batching(data: Any = "linear_regression", *, batchings: Sequence[str] = ("full", "stochastic", "minibatch:16"),
                     lrs: dict | None = None, epochs: int = 20, hidden: Sequence[int] = (), activation: str = "relu",
                     loss: str = "auto", seed: int = 0, val_fraction: float = 0.2, target: float | None = None,
                     quick: bool = False, progress=None) -> dict:
    """Batch GD vs SGD vs mini-batch GD with plain SGD updates, the same epochs for each.

    Parameters
    ----------
    data : str or Dataset
        Default: the chapter's linear regression, fitted by ``f_w(x) = wᵀx``
        (``hidden=()``); give ``hidden=(32,)`` for an MLP on a classification set.
    lrs : dict, optional
        Learning rate per batching kind (``full``, ``stochastic``, ``minibatch``);
        defaults in :data:`DEFAULT_BATCHING_LR`.
    target : float, optional
        Training loss for the "epochs / seconds to reach" columns; default: 1.1× the
        best final loss among the runs.
    quick : bool
        Fewer epochs (5) and at most 600 samples, for smoke tests and the tour.
    progress : descentlab.progress.Progress, optional
        Advanced one unit an update over all the runs (none by default).

    Returns
    -------
    dict
        ``{"kind": "batching", "config", "rows": [...], "curves": {label: {...}}}``; each
        row has the batching, lr, steps, epochs, wall seconds, steps per second, final
        training and validation loss, the stop kind and ``stop_step`` (the step a diverged
        run was stopped at), and epochs/seconds to reach ``target``.
    """
    from ..data.batching import parse_batching
    from ..optim import make_optimizer

    epochs = 5 if quick else int(epochs)
    train, val = _prepare(data, seed, val_fraction, quick)
    _check_lr_names(lrs, DEFAULT_BATCHING_LR, "batching kinds")
    lrs = {**DEFAULT_BATCHING_LR, **(lrs or {})}
    plan = [parse_batching(spec, seed) for spec in batchings]
    progress = _started(progress, sum(epochs * b.steps_per_epoch(len(train)) for b in plan))
    runs = {}
    for b in plan:
        lr = lrs.get(b.kind)
        if lr is None:
            raise ConfigError(expected(f"a learning rate for {b.kind}", "none", "pass lrs={kind: lr}"))
        progress.detail = b.describe()
        h, tl, wall = _run(train, val, hidden, activation, seed, loss, make_optimizer("sgd", lr=lr), b, epochs,
                           progress)
        runs[b.describe()] = (b, lr, h, tl, wall)
    progress.detail = None
    curves = {label: _curve(h, tl) for label, (_, _, h, tl, _) in runs.items()}
    finals = [c["train_loss"][-1] for c in curves.values() if np.isfinite(c["train_loss"][-1])]
    target = float(target if target is not None else 1.1 * min(finals)) if finals else float("nan")
    rows = []
    for label, (b, lr, h, tl, wall) in runs.items():
        c = curves[label]
        rows.append({"batching": label, "kind": b.kind, "batch_size": b.batch_size, "lr": lr, "epochs": h.n_epochs,
                     "steps": h.n_steps, "wall_s": wall, "steps_per_s": h.n_steps / wall if wall > 0 else None,
                     "final_train_loss": c["train_loss"][-1], "final_val_loss": h.last("val_loss"),
                     "final_val_accuracy": h.last("val_accuracy"), "stop": h.stop.kind,
                     "stop_step": h.stop.step,
                     "epochs_to_target": _first_below(c, "epoch", target),
                     "seconds_to_target": _first_below(c, "time", target)})
    return {"kind": "batching", "config": {"data": train.name.replace("[train]", ""), "samples": len(train),
                                           "epochs": epochs, "hidden": list(hidden), "seed": seed,
                                           "target_loss": target, "quick": quick},
            "rows": rows, "curves": curves}


def compare_optimizers(data: Any = "digits", *, optimizers: Sequence[str] = ("sgd", "momentum", "nesterov", "adagrad",
                                                                                 "rmsprop", "adam"),
                       lrs: dict | None = None, epochs: int = 15, batching: str = "minibatch:32",
                       hidden: Sequence[int] = (32,), activation: str = "relu", loss: str = "auto", seed: int = 0,
                       val_fraction: float = 0.25, preset: str = "pytorch", quick: bool = False,
                       progress=None) -> dict:
    """SGD vs momentum vs Nesterov vs AdaGrad vs RMSProp vs Adam on a real dataset.

    Every optimizer starts from the same weights and sees the same batches, each at one
    learning rate that is *not tuned*: ``lrs`` overrides :data:`DEFAULT_OPTIMIZER_LR`,
    rates that suit the default MLP on digits. The result says so (``"tuned": False``
    and :data:`UNTUNED`); a tuned comparison is
    :func:`descentlab.sweep.race.compare_on_sweep` (``compare optimizers --protocol``).
    ``quick`` runs 3 epochs on at most 600 samples. ``progress`` (a
    :class:`descentlab.progress.Progress`) is advanced one unit an update over all runs.

    Returns
    -------
    dict
        ``{"kind": "optimizers", "config", "rows", "curves"}``; rows hold the optimizer,
        lr, final training loss, final and best validation accuracy, the epoch of the
        best one, wall seconds, the stop kind and ``stop_step``.
    """
    from ..data.batching import parse_batching
    from ..optim import make_optimizer

    epochs = 3 if quick else int(epochs)
    train, val = _prepare(data, seed, val_fraction, quick)
    _check_lr_names(lrs, optimizers, "optimizers compared")
    lrs = {**DEFAULT_OPTIMIZER_LR, **(lrs or {})}
    per_run = epochs * parse_batching(str(batching), seed).steps_per_epoch(len(train))
    progress = _started(progress, per_run * len(optimizers))
    rows, curves = [], {}
    for name in optimizers:
        lr = lrs.get(name)
        opt = make_optimizer(name, preset=preset, **({} if lr is None else {"lr": lr}))
        progress.detail = name
        h, tl, wall = _run(train, val, hidden, activation, seed, loss, opt, batching, epochs, progress)
        c = _curve(h, tl)
        curves[name] = c
        va = np.asarray(h.epochs["val_accuracy"], dtype=float)
        best = int(np.nanargmax(va)) if va.size and np.isfinite(va).any() else None
        rows.append({"optimizer": name, "lr": opt.lr_at(0), "preset": preset, "epochs": h.n_epochs,
                     "steps": h.n_steps, "wall_s": wall, "final_train_loss": c["train_loss"][-1],
                     "final_val_loss": h.last("val_loss"), "final_val_accuracy": h.last("val_accuracy"),
                     "best_val_accuracy": float(va[best]) if best is not None else None,
                     "best_epoch": best + 1 if best is not None else None, "stop": h.stop.kind,
                     "stop_step": h.stop.step})
    progress.detail = None
    return {"kind": "optimizers", "config": {"data": train.name.replace("[train]", ""), "samples": len(train),
                                             "epochs": epochs, "batching": batching, "hidden": list(hidden),
                                             "activation": activation, "seed": seed, "preset": preset,
                                             "quick": quick},
            "tuned": False, "note": UNTUNED, "rows": rows, "curves": curves}


def _started(progress, total: int):
    """The caller's progress started on ``total`` updates, or a silent one."""
    from ..progress import silent

    return (progress or silent()).start(total)
