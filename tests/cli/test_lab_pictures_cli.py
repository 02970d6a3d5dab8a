"""`descentlab race`, `lr-effects`, `schedule`: each writes its pictures (headless) and prints their names."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

Image = pytest.importorskip("PIL.Image", reason="Pillow is part of the plot extra")
pytest.importorskip("matplotlib", reason="matplotlib is part of the plot extra")

from descentlab.cli.main import main  # noqa: E402


def _size(path):
    with Image.open(path) as im:
        return im.size, getattr(im, "n_frames", 1)


def test_race_writes_table_png_and_gif(tmp_path, capsys):
    png, gif = tmp_path / "new" / "race.png", tmp_path / "new" / "race.gif"
    rc = main(["race", "booth", "--optimizers", "sgd,adam", "--steps", "20", "--lr-grid", "1e-2:1e-1:2",
               "-o", str(png), "--gif", str(gif), "--frames", "4", "--dpi", "30", "-q"])
    out = capsys.readouterr().out
    assert rc == 0
    assert str(png) in out and str(gif) in out and "optimizer" in out and "adam" in out
    assert _size(png) == ((210, 165), 1)     # 7 x 5.5 inches at 30 dpi
    assert _size(gif) == ((180, 144), 4)     # 6 x 4.8 inches at 30 dpi, 4 frames


def test_race_json_reports_results_and_files(tmp_path, capsys):
    rc = main(["race", "valley", "--optimizers", "sgd,momentum", "--steps", "15", "--tune", "none",
               "--lr", "sgd=0.1", "--lr", "momentum=0.05", "-o", str(tmp_path / "r.png"), "--gif", "", "--dpi", "20",
               "--json"])
    captured = capsys.readouterr()
    assert rc == 0
    d = json.loads(captured.out)
    assert [r["lr"] for r in d["results"]] == [0.1, 0.05]
    assert d["files"] == [str(tmp_path / "r.png")]
    assert str(tmp_path / "r.png") in captured.err


def test_lr_effects_writes_the_panels_and_rates(tmp_path, capsys):
    out_png = tmp_path / "lr.png"
    rc = main(["lr-effects", "-o", str(out_png), "--steps", "3", "--steps-2d", "4", "--rate-steps", "60",
               "--dpi", "20", "--json"])
    d = json.loads(capsys.readouterr().out)
    assert rc == 0 and _size(out_png) == ((280, 140), 1)  # 14 x 7 inches
    assert d["max_stable_lr"] == pytest.approx(0.2)
    assert list(d["regimes"]["x2"]) == ["too small", "good", "too large", "divergent"]
    gd = [r for r in d["rates"] if r["method"] == "gd"]
    assert all(r["measured"] == pytest.approx(r["predicted"], rel=1e-6) for r in gd)


def test_schedule_plots_given_schedules_and_prints_values(tmp_path, capsys):
    out_png = tmp_path / "s.png"
    rc = main(["schedule", "exp:k=0.1", "inv:k=0.5", "--lr", "0.2", "--steps", "20", "-o", str(out_png), "--dpi", "20"])
    out = capsys.readouterr().out
    assert rc == 0 and str(out_png) in out and "exp:k=0.1" in out
    assert _size(out_png) == ((120, 48), 1)  # 2 panels of 3 x 2.4 inches
    rc = main(["schedule", "inv:k=0.5", "--lr", "0.2", "--steps", "5", "-o", str(out_png), "--json"])
    d = json.loads(capsys.readouterr().out)
    assert d["schedules"][0]["values"] == pytest.approx([0.2 / (1 + 0.5 * t) for t in range(5)])


@pytest.mark.parametrize("argv,pattern", [
    (["schedule", "nope:k=1"], r"schedule name among"),
    (["race", "x2", "--steps", "2", "--gif", ""], r"2-D surface"),
    (["race", "booth", "--lr-grid", "a:b:c"], r"--lr-grid as LO:HI:N"),
    (["race", "booth", "--optimizers", "sgd,foo", "--steps", "2"], r"optimizer name among"),
    (["race", "booth", "--steps", "2", "--gif", "race.png"], r"ending in \.gif or \.mp4"),
    (["race", "quadratic", "--surface-opt", "eigenvalues=1,-1", "--steps", "2"], r"positive, finite eigenvalues"),
    (["lr-effects", "--eigenvalues", "1"], r"two eigenvalues"),
    (["lr-effects", "--rate-steps", "0"], r"--rate-steps an integer in \[4, "),
    (["race", "booth", "--frames", "1", "--gif", "a.gif"], r"--frames >= 2"),
    (["lr-effects", "--eigenvalues", "1,2,3"], r"two eigenvalues"),
])
def test_bad_input(tmp_path, capsys, argv, pattern):
    rc = main(argv + ["-o", str(tmp_path / "x.png")])
    err = capsys.readouterr().err
    assert rc == 2 and __import__("re").search(pattern, err), err
    assert "Traceback" not in err and not (tmp_path / "x.png").exists()


def test_headless_subprocess_writes_png(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND")}
    out = subprocess.run([sys.executable, "-m", "descentlab", "schedule", "step:every=2", "--steps", "6",
                          "-o", str(tmp_path / "h.png"), "--dpi", "20"], capture_output=True, text=True,
                         timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "h.png").stat().st_size > 0


def test_race_to_mp4_without_ffmpeg_is_refused_before_racing(tmp_path, capsys, monkeypatch):
    from descentlab.viz import animation

    monkeypatch.setattr(animation, "mp4_available", lambda: False)
    rc = main(["race", "booth", "--optimizers", "sgd", "--steps", "5", "-o", "", "--gif", str(tmp_path / "r.mp4")])
    err = capsys.readouterr().err
    assert rc == 2
    # the first line is the error: no "race: ... s" timing line, so nothing was raced
    assert err.startswith("descentlab race: error: expected ffmpeg for an .mp4, got no ffmpeg writer. Fix: write a .gif")
    assert list(tmp_path.iterdir()) == []
