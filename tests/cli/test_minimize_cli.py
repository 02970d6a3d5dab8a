"""`descentlab minimize`, `surfaces`: JSON equal to the Python call, and errors in one sentence."""
from __future__ import annotations

import json

import numpy as np
import pytest

from descentlab._io import dumps_json
from descentlab.cli.main import main
from descentlab.train.minimize import minimize


def _run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.parametrize("argv,call", [
    (["x2", "--optimizer", "gd", "--lr", "0.3", "--start", "2", "--steps", "12"],
     lambda: minimize("x2", [2.0], "gd", lr=0.3, steps=12, seed=0)),
    (["rosenbrock", "--optimizer", "adam", "--lr", "0.05", "--steps", "40", "--tol", "1e-6", "--norm", "inf"],
     lambda: minimize("rosenbrock", None, "adam", lr=0.05, steps=40, tol=1e-6, norm="inf", seed=0)),
    (["booth", "--optimizer", "momentum", "--preset", "lecture", "--lr", "0.01", "--set", "momentum=0.8",
      "--schedule", "exp:k=0.05", "--steps", "25", "--grad-noise", "0.3", "--seed", "7"],
     lambda: minimize("booth", None, "momentum", preset="lecture", momentum=0.8, steps=25, grad_noise=0.3, seed=7,
                      lr=__import__("descentlab.optim.schedules", fromlist=["x"]).Exponential(lr=0.01, k=0.05))),
    (["quadratic", "--surface-opt", "eigenvalues=1,100", "--surface-opt", "angle=10", "--optimizer", "newton"],
     lambda: minimize(__import__("descentlab").get_surface("quadratic", eigenvalues=(1, 100), angle=10), None, "newton", seed=0)),
    (["valley", "--optimizer", "rmsprop", "--lr", "0.01", "--steps", "5", "--record"],
     lambda: minimize("valley", None, "rmsprop", lr=0.01, steps=5, seed=0, record=True)),
    (["rosenbrock", "--optimizer", "lbfgs", "--set", "line_search=strong_wolfe", "--steps", "3", "--record"],
     lambda: minimize("rosenbrock", None, "lbfgs", line_search="strong_wolfe", steps=3, seed=0, record=True)),
    (["x2", "--optimizer", "sgd", "--lr", "1.5", "--start", "2", "--steps", "100"],
     lambda: minimize("x2", [2.0], "sgd", lr=1.5, steps=100, seed=0)),
])
def test_json_trajectory_equals_the_python_call(capsys, argv, call):
    # the command's --seed defaults to 0, so the Python calls pass seed=0 too (it is recorded in meta)
    rc, out, err = _run(capsys, "minimize", *argv, "--json")
    tr = call()
    # a run that diverges still prints its whole trajectory, and exits 3 with a sentence on stderr
    assert rc == (3 if tr.stop.kind == "diverged" else 0), err
    assert json.loads(out) == json.loads(dumps_json(tr.to_dict()))


def test_user_function_from_a_file_and_outputs_in_new_folders(tmp_path, capsys):
    f = tmp_path / "mine.py"
    f.write_text("def bowl(x):\n    return (x[0] - 1.0) ** 2 + 2.0 * (x[1] + 0.5) ** 2\n")
    traj, pic = tmp_path / "a" / "b" / "t.json", tmp_path / "c" / "p.png"
    rc, out, err = _run(capsys, "minimize", f"{f}:bowl", "--start=-1,2", "--optimizer", "adam", "--lr", "0.1",
                        "--steps", "50", "-o", str(traj), "--plot", str(pic))
    assert rc == 0, err
    assert str(traj) in out and str(pic) in out
    d = json.loads(traj.read_text())
    assert d["meta"]["surface"] == "bowl" and len(d["x"]) == 51
    assert pic.stat().st_size > 1000


def test_one_dimensional_plot(tmp_path, capsys):
    rc, out, err = _run(capsys, "minimize", "x2", "--lr", "0.8", "--start", "2", "--steps", "6",
                        "--plot", str(tmp_path / "x2.png"))
    assert rc == 0, err
    from PIL import Image

    with Image.open(tmp_path / "x2.png") as im:
        assert im.size == (600, 450)


@pytest.mark.parametrize("argv,pattern", [
    (["banana"], r"one of x2, quadratic, saddle, valley, rosenbrock, beale, himmelblau, booth, rastrigin, linreg"),
    (["rosenbrok"], r"did you mean 'rosenbrock'"),
    (["booth", "--optimizer", "adamm"], r"optimizer name among sgd, momentum, nesterov"),
    (["booth", "--start", "1,2,3"], r"start with 2 coordinates, got shape \(3,\)"),
    (["booth", "--start", "a,b"], r"numbers separated by commas"),
    (["booth", "--set", "momentum"], r"--set as KEY=VALUE"),
    (["booth", "--surface-opt", "c=1"], r"options of 'booth'"),
    (["math:cos", "--start", "1,2", "--diff", "fd"], r"cos to accept a NumPy vector x0 = \[1.0, 2.0\], got TypeError"),
    (["numpy:cos", "--start", "1,2", "--diff", "fd"], r"returns one number at x0"),
    (["math:log", "--start=-1", "--diff", "fd"], r"log to accept a NumPy vector x0 = \[-1.0\]"),
    (["numpy:log", "--start=-1", "--diff", "fd"], r"finite value of log at x0 = \[-1.0\]"),
    (["no_such_mod_xyz:f", "--start", "1"], r"importable module"),
    (["rastrigin", "--surface-opt", "dim=3", "--plot", "r.png"], r"1-D or 2-D surface for --plot, got rastrigin with 3"),
    (["booth", "--curves", "c.jpg"], r"ending in \.png"),
])
def test_bad_input_is_one_sentence_with_status_2(capsys, argv, pattern):
    rc, out, err = _run(capsys, "minimize", *argv)
    assert rc == 2
    assert err.startswith("descentlab minimize: error:")
    assert len(err.strip().splitlines()) == 1
    assert __import__("re").search(pattern, err), err


def test_surfaces_lists_every_surface(capsys):
    from descentlab.functions import list_surfaces

    rc, out, _ = _run(capsys, "surfaces", "--json")
    assert rc == 0
    d = json.loads(out)
    assert [s["name"] for s in d["surfaces"]] == list_surfaces()
    rc, out, _ = _run(capsys, "surfaces")
    assert "rosenbrock" in out and "(1 − x)² + 100(y − x²)²" in out


def test_a_run_that_diverges_to_nan_prints_where_and_the_last_finite_point(tmp_path, capsys):
    (tmp_path / "ulog.py").write_text("import numpy as np\n\ndef f(x):\n    return np.log(x[0]) ** 2 + x[1] ** 2\n")
    rc, out, _ = _run(capsys, "minimize", f"{tmp_path / 'ulog.py'}:f", "--start=2,1", "--diff", "fd", "--lr", "10")
    assert rc == 3
    assert out.splitlines()[0] == "f: diverged at step 1: loss is nan"
    assert "nan" not in "\n".join(out.splitlines()[1:])
    assert "last finite: step 0, x = (2, 1), f = 1.48045" in out


def test_a_schedule_without_lr_starts_from_the_presets_lr(capsys):
    rc, out, _ = _run(capsys, "minimize", "booth", "--optimizer", "adam", "--schedule", "exp:k=0.1", "--steps", "3", "--json")
    d = json.loads(out)
    assert rc == 0 and d["lr"] == pytest.approx([1e-3 * np.exp(-0.1 * t) for t in range(3)], rel=1e-15)
    rc, out, _ = _run(capsys, "minimize", "booth", "--preset", "keras", "--optimizer", "sgd", "--schedule", "exp:k=0.1",
                   "--steps", "1", "--json")
    assert json.loads(out)["lr"] == [pytest.approx(0.01)]  # Keras's SGD default lr


def test_newton_fallbacks_are_one_note_not_python_warnings(capsys, recwarn):
    rc, out, err = _run(capsys, "minimize", "saddle", "--optimizer", "newton", "--steps", "5")
    assert rc == 0 and "diverged" not in out
    assert err.count("\n") == 1 and err.startswith("note: Newton: regularize") and "first of 5 such steps" in err
    assert not [w for w in recwarn if "Newton" in str(w.message)]
    rc, out, err = _run(capsys, "minimize", "saddle", "--optimizer", "newton", "--steps", "5", "-q")
    assert err == ""


def test_text_output_names_the_optimizer_preset_and_lr_that_ran(capsys):
    rc, out, err = _run(capsys, "minimize", "rosenbrock", "--optimizer", "adam", "--preset", "keras",
                        "--lr", "0.05", "--steps", "2")
    assert rc == 0
    assert out.splitlines()[1] == "adam (preset keras), lr 0.05"
    rc, out, err = _run(capsys, "minimize", "rosenbrock", "--optimizer", "momentum", "--steps", "2")
    assert out.splitlines()[1].startswith("momentum (preset ")
    assert ", lr 0.001" in out.splitlines()[1]
