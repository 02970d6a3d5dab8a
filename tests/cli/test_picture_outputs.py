"""Every picture subcommand: a non-empty PNG/GIF of the figure's size, in a folder made for it.

One table row per subcommand and picture flag. Each output goes into a folder that does not
exist yet (it is created), and the file's name is printed. The expected pixel sizes are the
figure sizes in inches times the dpi, so a change to how figures are saved (a tight bounding
box, a lost dpi) shows here. A parent path that is a regular file is refused in one sentence.
"""
from __future__ import annotations

import re

import pytest

Image = pytest.importorskip("PIL.Image", reason="Pillow is part of the plot extra")
pytest.importorskip("matplotlib", reason="matplotlib is part of the plot extra")

from descentlab.cli.main import main  # noqa: E402

# (id, argv with {out} placeholders, {placeholder: (file name, (width, height), frames)})
CASES = [
    ("race", ["race", "booth", "--optimizers", "sgd,adam", "--steps", "10", "--tune", "none",
              "--dpi", "20", "--frames", "3", "-o", "{png}", "--gif", "{gif}"],
     {"png": ("race.png", (140, 110), 1), "gif": ("race.gif", (120, 96), 3)}),
    ("lr-effects", ["lr-effects", "--steps", "3", "--steps-2d", "4", "--rate-steps", "60", "--dpi", "20",
                    "-o", "{png}"],
     {"png": ("lr.png", (280, 140), 1)}),
    ("schedule", ["schedule", "step:every=2", "cosine:total=10", "--steps", "10", "--dpi", "20", "-o", "{png}"],
     {"png": ("s.png", (120, 48), 1)}),
    ("minimize-2d", ["minimize", "booth", "--steps", "5", "--plot", "{png}", "--curves", "{curves}"],
     {"png": ("contours.png", (700, 550), 1), "curves": ("curves.png", (1000, 400), 1)}),
    ("minimize-1d", ["minimize", "x2", "--lr", "0.3", "--start", "2", "--steps", "4", "--plot", "{png}"],
     {"png": ("x2.png", (600, 450), 1)}),
    ("lr-find", ["lr-find", "xor", "--steps", "20", "-o", "{png}"],
     {"png": ("lr_find.png", (600, 400), 1)}),
    ("train", ["train", "xor", "--hidden", "4", "--epochs", "1", "--plot", "{png}"],
     {"png": ("history.png", (1100, 360), 1)}),
    ("compare-batching", ["compare", "batching", "--quick", "-o", "{png}"],
     {"png": ("batching.png", (1000, 400), 1)}),
]


def _argv(template, paths):
    return [a.format(**{k: str(p) for k, p in paths.items()}) for a in template]


@pytest.mark.parametrize("argv, outputs", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_writes_a_picture_of_the_expected_size_into_a_new_folder(tmp_path, capsys, argv, outputs):
    paths = {k: tmp_path / "not" / f"yet-{k}" / name for k, (name, _, _) in outputs.items()}
    assert not (tmp_path / "not").exists()
    rc = main(_argv(argv, paths))
    out, err = capsys.readouterr()
    assert rc == 0, err
    for key, (_, size, frames) in outputs.items():
        p = paths[key]
        assert str(p) in out + err, f"{p.name} is not named in the output"
        assert p.stat().st_size > 0
        with Image.open(p) as im:
            assert im.format == ("GIF" if p.suffix == ".gif" else "PNG")
            assert im.size == size
            assert getattr(im, "n_frames", 1) == frames
        assert sorted(f.name for f in p.parent.iterdir()) == [p.name], "a temporary file was left behind"


REFUSED = [c for c in CASES if c[0] in ("race", "schedule", "minimize-1d")]


@pytest.mark.parametrize("argv, outputs", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_a_parent_that_is_a_file_is_refused_in_one_sentence(tmp_path, capsys, argv, outputs):
    blocker = tmp_path / "plain.txt"
    blocker.write_text("not a folder")
    paths = {k: blocker / name for k, (name, _, _) in outputs.items()}
    rc = main(_argv(argv, paths))
    err = capsys.readouterr().err
    assert rc == 2
    assert re.search(r"got .*plain\.txt/\S+ \(Not a directory\)\. Fix:", err), err
    assert "Traceback" not in err and ".tmp (" not in err and len(err.strip().splitlines()) == 1
    assert blocker.read_text() == "not a folder"


@pytest.mark.parametrize("argv, module, work", [
    (["train", "xor", "--hidden", "4", "--epochs", "1", "--plot", "{bad}/t.png"], "descentlab.train.fit", "train_mlp"),
    (["lr-find", "xor", "--steps", "20", "-o", "{bad}/l.png"], "descentlab.train.lr_finder", "lr_find"),
    (["compare", "batching", "--quick", "-o", "{bad}/c.png"], "descentlab.train.compare", "compare_batching"),
    (["compare", "optimizers", "--quick", "-o", "{bad}/c.png"], "descentlab.train.compare", "compare_optimizers"),
    (["race", "booth", "--steps", "3", "-o", "{bad}/r.png", "--gif", ""], "descentlab.train.race", "race"),
    (["train", "xor", "--hidden", "4", "--epochs", "1", "--plot", "t.jpg"], "descentlab.train.fit", "train_mlp"),
], ids=["train", "lr-find", "compare-batching", "compare-optimizers", "race", "train-suffix"])
def test_a_bad_picture_path_is_refused_before_any_training(tmp_path, capsys, monkeypatch, argv, module, work):
    import importlib

    calls = []
    monkeypatch.setattr(importlib.import_module(module), work, lambda *a, **k: calls.append(1))
    blocker = tmp_path / "plain.txt"
    blocker.write_text("not a folder")
    rc = main([a.format(bad=blocker) for a in argv])
    err = capsys.readouterr().err
    assert rc == 2 and calls == [], err
    assert re.search(r"\(Not a directory\)|ending in \.png", err), err
