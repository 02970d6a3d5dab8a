"""``descentlab lr-find``: the learning-rate range test on a dataset, with its plot."""
from __future__ import annotations

import argparse

from ...validation import POSITIVE
from .._common import (add_flag, add_json_flag, add_model_arguments, add_optimizer_flags, add_out_flag, add_quiet_flag,
                       add_steps_flag, emit, progress, say)

NAME = "lr-find"
HELP = "learning-rate range test: exponential lr sweep, loss-vs-lr plot, suggested lr"
DESCRIPTION = """\
Learning-rate range test: train for --steps mini-batch updates while the learning rate
grows exponentially from --lr-min to --lr-max, stop when the loss blows up, and suggest
an lr (where the smoothed loss falls fastest; also a tenth of the lr at its lowest).

examples:
  descentlab lr-find digits --optimizer sgd -o lr.png
  descentlab lr-find iris --optimizer adam --lr-min 1e-5 --lr-max 1 --json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_arguments(parser)
    add_optimizer_flags(parser, default="sgd", hyper=False)
    add_flag(parser, "--lr-min", constraints=[POSITIVE], default=1e-6, help="first learning rate of the sweep (default 1e-6)")
    add_flag(parser, "--lr-max", constraints=[POSITIVE], default=10.0, help="last learning rate of the sweep (default 10)")
    add_steps_flag(parser, 200, "updates in the sweep (default 200)")
    add_out_flag(parser, "lr_find.png", "plot file")
    parser.add_argument("--no-plot", action="store_true", help="skip the plot")
    add_json_flag(parser)
    add_quiet_flag(parser)


def run(args: argparse.Namespace) -> int:
    from ...train.lr_finder import lr_find
    from .train import build_run

    if not args.no_plot:
        from ...viz._mpl import out_path

        out_path(args.out, (".png",))  # a bad plot path is refused before the sweep, not after
    data, _, model, _ = build_run(args)
    with progress(args, "lr-find") as line:
        r = lr_find(model, data, args.loss, args.optimizer, args.batching, lr_min=args.lr_min, lr_max=args.lr_max,
                    steps=args.steps, preset=args.preset, seed=args.seed, progress=line)
        if r.stopped_early:
            line.close(f"stopped at lr {r.lrs[-1]:.3g}: the loss blew up")
    result = r.to_dict()
    if not args.no_plot:
        from ...viz.training import plot_lr_finder

        result["plot"] = str(plot_lr_finder(r, args.out))
        say(args, f"wrote {result['plot']}")
    emit(args, result, lambda: (f"{args.dataset}: swept lr {args.lr_min:g} .. {r.lrs[-1]:.3g} in {len(r.lrs)} steps"
                                f"{' (stopped: loss blew up)' if r.stopped_early else ''}\n"
                                f"suggested lr (steepest fall): {r.suggested_lr:.3g}\n"
                                f"lowest loss at lr {r.min_loss_lr:.3g}; a tenth of it: {r.min_loss_lr / 10:.3g}"))
    return 0
