"""``descentlab train``: train an MLP on a dataset with a chosen optimizer and batching."""
from __future__ import annotations

import argparse

from .._status import diverged
from .._types import nonnegative_float
from ...validation import NONNEGATIVE
from .._common import MAX_EPOCHS, MAX_STEPS, add_count_flag
from .._common import (add_flag, add_json_flag, add_lr_flag, add_model_arguments, add_optimizer_flags, add_quiet_flag,
                       add_schedule_flag, emit, key_values, progress, say)

NAME = "train"
HELP = "train an MLP on a dataset (batching, optimizer, schedule; checkpoints and exact resume)"
DESCRIPTION = """\
Train a multi-layer perceptron on a bundled dataset or your own .npz/.csv, with any
optimizer, preset, schedule and batching; print the last epoch (or --json the whole
history), optionally checkpoint, resume bit-identically, and plot the run.

examples:
  descentlab train digits --hidden 32 --optimizer adam --lr 0.003 --epochs 30
  descentlab train iris --optimizer momentum --lr 0.05 --set momentum=0.9 --batching full
  descentlab train digits --epochs 30 --checkpoint run.npz   # then the same line with --resume
  descentlab train mnist_5k --hidden 128 --schedule cosine:total=630 --plot run.png --json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_arguments(parser)
    add_optimizer_flags(parser, default="adam")
    add_lr_flag(parser)
    add_schedule_flag(parser, "'exp:k=0.001' or 'step:every=500,gamma=0.5'")
    add_count_flag(parser, "--early-stopping", cap=MAX_EPOCHS, what="epochs of patience", optional=True, default=None,
                   metavar="N", help="stop after N epochs without improvement")
    parser.add_argument("--engine", default="auto", choices=["auto", "fast", "autodiff"],
                        help="forward/backward: the hand-written MLP (fast), the autodiff engine, or auto: fast "
                             "whenever it covers the model and loss (default auto; the two agree to rounding)")
    parser.add_argument("--fast", action="store_true", help="the older spelling of --engine fast")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"],
                        help="the model's floating-point type (default float32, the fast one; float64 for "
                             "results to compare at double precision)")
    parser.add_argument("--restore-best", action="store_true",
                        help="with --early-stopping: end with the weights of the best validation epoch")
    add_flag(parser, "--grad-tol", constraints=[NONNEGATIVE, None], default=None,
             help="stop when the gradient norm is at most this")
    parser.add_argument("--checkpoint", default=None, metavar="PATH", help="save a checkpoint (.npz) here")
    add_count_flag(parser, "--checkpoint-every", cap=MAX_STEPS, what="updates between checkpoints", optional=True,
                   default=None, metavar="STEPS", help="also checkpoint every STEPS updates (default: each epoch end)")
    parser.add_argument("--resume", action="store_true", help="continue from --checkpoint, bit-identically")
    parser.add_argument("--overwrite", action="store_true", help="start a new run over an existing --checkpoint")
    parser.add_argument("--plot", default=None, metavar="PNG",
                        help="also draw the run (loss, accuracy, lr and gradient norm) into this PNG")
    parser.add_argument("--throttle", type=nonnegative_float, default=0.0, help=argparse.SUPPRESS)  # seconds per step, for tests
    add_json_flag(parser)
    add_quiet_flag(parser)


def build_run(args: argparse.Namespace):
    """Dataset split and standardised, and the model, from the shared arguments."""
    from ...data import prepare_dataset
    from ...nn import mlp

    data, val = prepare_dataset(args.dataset, args.val_fraction, args.seed, not args.no_standardize)
    sizes = [data.n_features, *args.hidden, data.n_outputs]
    model = mlp(sizes, args.activation, init=args.init, seed=args.seed)
    return data, val, model, sizes


def run(args: argparse.Namespace) -> int:
    import sys
    import time

    from ...errors import ConfigError

    if args.resume and not args.checkpoint:
        raise ConfigError("expected --checkpoint PATH with --resume, got none. Fix: name the checkpoint to resume from.")
    if args.plot:
        from ...viz._mpl import out_path

        out_path(args.plot, (".png",))  # a bad plot path is refused before training, not after
    callbacks = []
    if args.throttle:
        callbacks.append(lambda event, info: time.sleep(args.throttle) if event == "step" else None)
    signalled: list[int] = []
    if args.checkpoint:
        # SIGTERM / Ctrl-C: finish the current step, write a resumable checkpoint, exit 128+signal
        import signal

        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda signum, frame: signalled.append(signum))
        callbacks.append(lambda event, info: "interrupt" if signalled else None)
    steps_saved = None
    if args.resume:
        from ...train.checkpoint import checkpoint_exists, load_checkpoint

        if not checkpoint_exists(args.checkpoint):
            say(args, f"no checkpoint at {args.checkpoint} yet: starting from the beginning")
        else:
            import warnings

            with warnings.catch_warnings():  # a fallback to .prev is said once, by the resume itself
                warnings.simplefilter("ignore", RuntimeWarning)
                steps_saved = load_checkpoint(args.checkpoint).history.n_steps
    t0 = time.perf_counter()
    with progress(args, "train") as line:
        model, history = _train(args, callbacks, line)
    if steps_saved is not None and history.n_steps == steps_saved and not signalled:
        say(args, f"{args.checkpoint} holds a finished run ({steps_saved} steps): nothing left to train; its result:")
    sizes = history.config["sizes"]
    wall = time.perf_counter() - t0
    result = {
        "dataset": args.dataset, "sizes": sizes, "activation": args.activation, "samples": history.config["samples"],
        "optimizer": history.config.get("optimizer"), "batching": history.config.get("batching"),
        "engine": history.config.get("engine"), "dtype": history.config.get("dtype"),
        "epochs": history.n_epochs, "steps": history.n_steps, "stop": history.stop.to_dict() if history.stop else None,
        "final": _final(history), "wall_s": wall, "checkpoint": args.checkpoint,
        "history": {"epochs": history.to_dict()["epochs"]},
    }
    if signalled:
        say(args, f"interrupted after step {history.stop.step}; checkpoint {args.checkpoint} can be resumed with --resume")
        return 128 + signalled[0]
    if args.plot:
        from ...viz.training import plot_history

        result["plot"] = str(plot_history(history, args.plot, title=f"{args.dataset}: MLP "
                                          f"{'-'.join(map(str, sizes))}, {args.optimizer}"))
        say(args, f"wrote {result['plot']}")
    emit(args, result, lambda: _text(args, history, result))
    sys.stdout.flush()
    stop = history.stop
    return diverged(args, [f"{args.dataset}: {stop.message}"] if stop is not None and stop.kind == "diverged" else [])


def _train(args: argparse.Namespace, callbacks: list, line):
    """train_mlp with the command's flags; ``line`` is the progress it advances."""
    from ...train.fit import train_mlp

    return train_mlp(
        args.dataset, args.hidden, args.activation, optimizer=args.optimizer, lr=args.lr, preset=args.preset,
        schedule=args.schedule, hyper=key_values(args.hyper, "--set"), batching=args.batching, epochs=args.epochs, loss=args.loss,
        val_fraction=args.val_fraction, standardize=not args.no_standardize, init=args.init, seed=args.seed,
        early_stopping=args.early_stopping, restore_best=args.restore_best, grad_tol=args.grad_tol,
        engine=_engine(args), dtype=args.dtype,
        callbacks=callbacks,
        progress=line, checkpoint=args.checkpoint, checkpoint_every=args.checkpoint_every,
        resume=args.resume, overwrite=args.overwrite)


def _engine(args: argparse.Namespace) -> str:
    from ...errors import ConfigError

    if args.fast and args.engine not in ("auto", "fast"):
        raise ConfigError(f"expected --fast or --engine {args.engine}, got both. Fix: drop --fast.")
    return "fast" if args.fast else args.engine


def _final(history) -> dict:
    """The last completed epoch's losses and accuracies; None where there is none (no NaN)."""
    import math

    out = {}
    for k in ("loss", "accuracy", "val_loss", "val_accuracy"):
        v = history.last(k)
        out[k] = v if math.isfinite(v) else None
    return out


def _batches_in_words(cfg: dict) -> str:
    if cfg["kind"] == "full":
        return "full batches"
    if cfg["kind"] == "stochastic":
        return "one sample a step"
    return f"mini-batches of {cfg['batch_size']}"


def _text(args: argparse.Namespace, history, result: dict) -> str:
    f, stop = result["final"], history.stop
    lines = [f"{args.dataset}: MLP {'-'.join(map(str, result['sizes']))} ({args.activation}), {args.optimizer} with "
             f"{_batches_in_words(history.config['batching'])}, {history.n_epochs} epochs, {history.n_steps} steps "
             f"in {result['wall_s']:.1f} s",
             f"stop: {stop.kind} — {stop.message}"]
    if f["loss"] is None:
        lines.append(f"no epoch completed, so no epoch losses (stopped at step {stop.step})")
        return "\n".join(lines)
    where = f"after epoch {history.n_epochs}"
    lines.append(f"{where}: train loss {f['loss']:.4g}" + (f", accuracy {f['accuracy']:.4f}" if f["accuracy"] is not None else ""))
    if f["val_loss"] is not None:
        lines.append(f"{where}: validation loss {f['val_loss']:.4g}"
                     + (f", accuracy {f['val_accuracy']:.4f}" if f["val_accuracy"] is not None else ""))
    return "\n".join(lines)
