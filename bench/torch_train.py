"""The torch script that bench/train_cli.py times against ``descentlab train``.

    python bench/torch_train.py DATA.npz [--hidden 128] [--lr 0.002] [--batch 64] [--epochs 10] [--threads 1]

It does the work of

    descentlab train mnist_5k --hidden 128 --optimizer adam --lr 0.002 --batching minibatch:64 --epochs 10

the way a torch user would write it: read the same prepared MNIST-5000 file (the
``.npz`` that descentlab's dataset cache holds: 5000 images, pixels in [0, 1]),
keep the same stratified fifth for validation (the same seeded permutation of each
class), standardise with the training part's statistics, then train a 784-128-10
ReLU MLP (He-normal weights, zero biases, as descentlab's default for ReLU) with
``torch.optim.Adam(fused=True)`` on shuffled mini-batches of 64, the last smaller
batch kept, logging each epoch's mean training loss and accuracy and evaluating the
validation part after every epoch. ``import torch`` is part of its wall time, as it
is for the user.

It prints one JSON line: steps, the last epoch's training loss and accuracy, the
validation accuracy, and its own time from loading the data to the end of training
(what ``descentlab train`` reports as "N steps in S s").
"""
from __future__ import annotations

import time

_T0 = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402


def split_and_standardise(X: np.ndarray, y: np.ndarray, val_fraction: float = 0.2, seed: int = 0):
    """Stratified split (each class's members in a seeded random order, the first fifth held out), then
    per-feature standardisation fitted on the training part; constant features are left as they are."""
    rng = np.random.default_rng(seed)
    val = []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        members = members[rng.permutation(members.size)]
        val.append(members[: int(round(members.size * val_fraction))])
    val = np.sort(np.concatenate(val))
    keep = np.ones(len(y), bool)
    keep[val] = False
    Xtr, ytr, Xva, yva = X[keep], y[keep], X[val], y[val]
    mean, std = Xtr.mean(axis=0), Xtr.std(axis=0)
    constant = ~(std > 0)
    mean, std = np.where(constant, 0.0, mean), np.where(constant, 1.0, std)
    return (Xtr - mean) / std, ytr, (Xva - mean) / std, yva


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", help="the prepared MNIST-5000 .npz (arrays X and y)")
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.002)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    t_train = time.perf_counter()   # from here on, what descentlab's train_mlp also times
    with np.load(args.data, allow_pickle=False) as z:
        X, y = z["X"], z["y"]
    Xtr, ytr, Xva, yva = split_and_standardise(X, y, seed=args.seed)
    Xtr, Xva = torch.from_numpy(Xtr.astype(np.float32)), torch.from_numpy(Xva.astype(np.float32))
    ytr, yva = torch.from_numpy(ytr.astype(np.int64)), torch.from_numpy(yva.astype(np.int64))

    model = torch.nn.Sequential(torch.nn.Linear(Xtr.shape[1], args.hidden), torch.nn.ReLU(),
                                torch.nn.Linear(args.hidden, int(ytr.max()) + 1))
    for layer in model:
        if isinstance(layer, torch.nn.Linear):
            torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            torch.nn.init.zeros_(layer.bias)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, fused=True)
    loss_fn = torch.nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(args.seed)

    steps, n = 0, len(ytr)
    for _ in range(args.epochs):
        model.train()
        order = torch.randperm(n, generator=gen)
        loss_sum, correct = 0.0, 0
        for i in range(0, n, args.batch):
            idx = order[i:i + args.batch]
            xb, yb = Xtr[idx], ytr[idx]
            opt.zero_grad(set_to_none=True)
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            steps += 1
            loss_sum += loss.item() * len(idx)
            correct += int((out.argmax(1) == yb).sum())
        model.eval()
        with torch.no_grad():
            val_out = model(Xva)
            val_loss = float(loss_fn(val_out, yva))
            val_acc = float((val_out.argmax(1) == yva).float().mean())
    print(json.dumps({"steps": steps, "train_loss": loss_sum / n, "train_accuracy": correct / n,
                      "val_loss": val_loss, "val_accuracy": val_acc,
                      "train_s": time.perf_counter() - t_train, "in_process_s": time.perf_counter() - _T0}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
