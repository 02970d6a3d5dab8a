"""The comparisons: JSON-able tables, same budget, and the plots; plus the CLI commands."""
import json
import re

import numpy as np
import pytest

from descentlab._io import dumps_json
from descentlab.train.compare import compare_batching, compare_optimizers


@pytest.fixture(scope="module")
def batching():
    return compare_batching(quick=True)


def test_batching_comparison_gives_each_run_the_same_epochs(batching):
    rows = {r["kind"]: r for r in batching["rows"]}
    n = batching["config"]["samples"]
    assert {r["epochs"] for r in rows.values()} == {5}
    assert rows["full"]["steps"] == 5
    assert rows["stochastic"]["steps"] == 5 * n
    assert rows["minibatch"]["steps"] == 5 * -(-n // 16)
    # all three start from the same weights: the same loss before the first step
    assert len({c["train_loss"][0] for c in batching["curves"].values()}) == 1
    # on the chapter's regression each ends near the noise floor (noise 0.1 -> mse 0.01)
    assert all(r["final_train_loss"] < 0.02 for r in rows.values())
    json.loads(dumps_json(batching))


def test_optimizer_comparison_covers_the_six_rules():
    r = compare_optimizers(quick=True, epochs=2)
    assert [row["optimizer"] for row in r["rows"]] == ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
    assert len({c["train_loss"][0] for c in r["curves"].values()}) == 1
    for row in r["rows"]:
        assert row["epochs"] == 3 and 0.0 <= row["final_val_accuracy"] <= 1.0
        assert row["final_train_loss"] < r["curves"][row["optimizer"]]["train_loss"][0]
    json.loads(dumps_json(r))


def test_plots_are_written(tmp_path, batching):
    from descentlab.data import linear_regression
    from descentlab.nn import Linear
    from descentlab.train.fit import fit
    from descentlab.train.lr_finder import lr_find
    from descentlab.viz.training import plot_comparison, plot_history, plot_lr_finder

    d = linear_regression(50, seed=0)
    h = fit(Linear(4, 1, bias=False), d, "mse", "sgd", "minibatch:10", 3, lr=0.1, quiet=True)
    r = lr_find(Linear(4, 1, bias=False), d, "mse", "sgd", "full", steps=20, lr_max=10)
    bad = fit(Linear(4, 1, bias=False), d, "mse", "sgd", "full", 50, lr=1e200, quiet=True)
    assert bad.stop.kind == "diverged" and not np.isfinite(bad.steps["loss"][-1])  # the cross has no finite y
    for path in (plot_history(h, tmp_path / "h.png"), plot_history(bad, tmp_path / "bad.png"),
                 plot_lr_finder(r, tmp_path / "lr.png"), plot_comparison(batching, tmp_path / "c.png")):
        assert path.is_file() and path.read_bytes()[:4] == b"\x89PNG"


def _cli(capsys, *args, status=0):
    """Run the command in this process (the kill tests run it as a subprocess); its stdout."""
    from descentlab.cli.main import main

    rc = main(list(args))
    out = capsys.readouterr()
    assert rc == status, out.err
    return out


def test_cli_train_json_and_errors(capsys, tmp_path):
    out = _cli(capsys, "train", "spirals", "--hidden", "8", "--epochs", "3", "--optimizer", "momentum", "--lr", "0.05",
               "--schedule", "step:every=5,gamma=0.5", "--json", "--plot", str(tmp_path / "run.png"))
    r = json.loads(out.out)
    assert r["plot"] == str(tmp_path / "run.png") and (tmp_path / "run.png").read_bytes()[:4] == b"\x89PNG"
    assert r["sizes"] == [2, 8, 3] and r["epochs"] == 3 and r["stop"]["kind"] == "max_steps"
    assert r["optimizer"]["hyper"]["lr"]["schedule"]["kind"] == "step"
    bad = _cli(capsys, "train", "xor", "--batching", "minibatch:5000", status=2)
    assert "batch size <=" in bad.err


def test_cli_compare_and_lr_find(tmp_path, capsys):
    out = _cli(capsys, "compare", "batching", "--quick", "--batchings", "full,minibatch:32", "--no-plot", "--json")
    r = json.loads(out.out)
    assert r["kind"] == "batching" and [row["kind"] for row in r["rows"]] == ["full", "minibatch"]
    out = _cli(capsys, "lr-find", "two_moons", "--steps", "30", "--json", "-o", str(tmp_path / "lr.png"))
    r = json.loads(out.out)
    assert r["suggested_lr"] > 0 and (tmp_path / "lr.png").is_file()


def test_cli_train_divergence_is_named_and_never_printed_as_nan(capsys):
    from descentlab.cli.main import main

    argv = ["train", "xor", "--hidden", "8", "--optimizer", "sgd", "--lr", "1e6", "--epochs", "3", "--quiet"]
    assert main(argv) == 3  # divergence is a result, not a crash: printed, with its own exit status
    out = capsys.readouterr()
    text = out.out
    assert re.fullmatch(r"descentlab train: diverged: xor: diverged at step \d+: .* \(exit status 3\)", out.err.strip())
    assert "stop: diverged" in text and "at step" in text and "no epoch completed" in text
    assert "nan" not in text.lower()
    assert main([*argv, "--json"]) == 3
    r = json.loads(capsys.readouterr().out)
    assert r["stop"]["kind"] == "diverged" and r["final"] == dict.fromkeys(r["final"])
    assert "nan" not in json.dumps(r["final"])


@pytest.mark.parametrize("argv, pattern", [
    (["train", "digits", "--hidden", "abc"], r"--hidden: expected hidden sizes like 64,32"),
    (["train", "digits", "--set", "momentum"], r"expected --set as KEY=VALUE, got 'momentum'"),
    (["compare", "batching", "--lr", "full=abc"], r"expected --lr full >= 0, got 'abc'"),
    (["compare", "batching", "--lr", "fulll=0.1", "--quick", "--no-plot"], r"batching kinds .*got keys \['fulll'\]"),
    (["compare", "optimizers", "--lr", "adamm=0.1", "--quick", "--no-plot"], r"optimizers compared .*\['adamm'\]"),
])
def test_cli_bad_arguments_get_a_sentence_and_status_2(argv, pattern, capsys):
    import re

    from descentlab.cli.main import main

    try:
        rc = main(argv)
    except SystemExit as exc:  # argparse refuses a bad type itself
        rc = exc.code
    assert rc == 2 and re.search(pattern, capsys.readouterr().err)


def test_cli_compare_names_a_diverged_run_and_prints_no_nan(capsys):
    out = _cli(capsys, "compare", "optimizers", "--quick", "--no-plot", "--optimizers", "sgd,adam", "--lr", "sgd=100",
               status=3)
    # the progress line's last word, then the sentence on the diverged run
    assert out.err.splitlines()[0].startswith("compare optimizers: 47/90 steps in ")
    assert out.err.splitlines()[1].startswith("descentlab compare: diverged: sgd at lr 100: diverged at step")
    sgd = next(line for line in out.out.splitlines() if line.startswith("sgd"))
    assert "diverged at step" in sgd and "nan" not in out.out.lower()
    out = _cli(capsys, "compare", "batching", "--quick", "--no-plot", "--batchings", "full,minibatch:16",
               "--lr", "full=10", "--json", status=3)
    full = json.loads(out.out)["rows"][0]
    assert full["stop"] == "diverged" and full["stop_step"] < full["steps"] + 1
    out = _cli(capsys, "compare", "batching", "--quick", "--no-plot", "--batchings", "full", "--lr", "full=10", status=3)
    assert "diverged at step" in out.out and "nan" not in out.out.lower()


def test_cli_train_schedule_without_lr_starts_from_the_presets_lr(capsys):
    out = _cli(capsys, "train", "xor", "--hidden", "4", "--epochs", "1", "--schedule", "cosine:total=50", "--json")
    r = json.loads(out.out)
    assert r["optimizer"]["hyper"]["lr"]["schedule"] == {"kind": "cosine", "lr": 1e-3, "total": 50, "floor": 0.0}


def test_cli_resume_of_a_finished_run_says_there_is_nothing_left(capsys, tmp_path):
    ck = str(tmp_path / "r.npz")
    _cli(capsys, "train", "xor", "--hidden", "4", "--epochs", "2", "--checkpoint", ck, "-q")
    out = _cli(capsys, "train", "xor", "--hidden", "4", "--epochs", "2", "--checkpoint", ck, "--resume")
    assert "holds a finished run (10 steps): nothing left to train" in out.err and "2 epochs done" in out.out
    out = _cli(capsys, "train", "xor", "--hidden", "4", "--epochs", "3", "--checkpoint", ck, "--resume")
    assert "nothing left" not in out.err and "3 epochs done" in out.out


def test_comparison_plot_legend_names_a_diverged_run(tmp_path):
    from unittest import mock

    import matplotlib.axes

    from descentlab.viz import training

    r = compare_optimizers(quick=True, optimizers=["sgd", "adam"], lrs={"sgd": 100.0})
    step = r["rows"][0]["stop_step"]
    labels = []
    real_legend = matplotlib.axes.Axes.legend

    def spy(ax, *a, **k):
        labels.extend(t.get_label() for t in ax.get_lines())
        return real_legend(ax, *a, **k)

    with mock.patch.object(matplotlib.axes.Axes, "legend", spy):
        training.plot_comparison(r, tmp_path / "c.png")
    assert f"sgd, lr 100 (diverged at step {step})" in labels and "adam, lr 0.001" in labels
