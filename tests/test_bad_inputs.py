"""The bad-input table: every row is one bad input, the message it must get and its status.

CLI rows run in this process through ``descentlab.cli.main.main(argv)``: status 2 and one
sentence on stderr (argparse's own refusals end in one 'error:' line after the usage),
never a traceback. API rows assert the exception type and its message. A few rows at the
end run the real command in a subprocess, where a traceback would show.
"""
from __future__ import annotations

import math
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from descentlab.cli.main import main
from descentlab.errors import ConfigError, DataError, DescentlabError, ShapeError, StateFileError

NO = ["-o", "", "--gif", ""]  # race without pictures


def _files(t):
    """Bad files in the temporary folder ``t``, by name."""
    (t / "latin1.csv").write_bytes(b"1,2,0\n3,\xe94,1\n")
    (t / "huge_label.csv").write_bytes(b"1,2,1000000000000\n3,4,0\n5,6,1\n7,8,0\n9,1,1\n")
    (t / "empty.csv").write_bytes(b"")
    (t / "header_only.csv").write_text("a,b,label\n")
    (t / "ragged.csv").write_text("1,2,0\n3,4\n")
    (t / "text_cell.csv").write_text("1,2,0\n3,x,1\n")
    (t / "nan_label.csv").write_text("1,2,nan\n3,4,1\n")
    (t / "empty.npz").write_bytes(b"")
    (t / "garbage.npz").write_text("not an archive")
    np.savez(t / "no_y.npz", X=np.ones((4, 2)))
    np.savez(t / "nan_x.npz", X=np.array([[1.0, np.nan], [2.0, 3.0]]), y=np.array([0, 1]))
    (t / "plain.txt").write_text("not a folder")
    (t / "sub").mkdir()
    if not (t / "fifo").exists():
        os.mkfifo(t / "fifo")
    return t


# (argv with {t} for the temporary folder, pattern the one error line must match)
CLI = [
    # seeds, counts and numbers
    ("minimize x2 --seed -1", r"expected --seed an integer >= 0, got -1"),
    ("train xor --seed -1 --epochs 1", r"expected --seed an integer >= 0, got -1"),
    ("race booth --seed -1", r"expected --seed an integer >= 0, got -1"),
    ("lr-find xor --seed -1 --no-plot", r"expected --seed an integer >= 0, got -1"),
    ("compare batching --seed -1 --no-plot", r"expected --seed an integer >= 0, got -1"),
    ("lecture batch-size --seed -1", r"expected --seed an integer >= 0, got -1"),
    ("tour --seed x -o {t}/r", r"expected --seed an integer >= 0, got 'x'"),
    ("minimize x2 --steps -1", r"expected --steps an integer in \[0, 10000000\], got -1"),
    ("minimize x2 --lr nan", r"expected --lr >= 0 or None, got nan"),
    ("minimize x2 --lr inf", r"expected --lr >= 0 or None, got inf"),
    ("minimize x2 --lr -1", r"expected --lr >= 0 or None, got -1"),
    ("minimize x2 --tol nan", r"expected --tol >= 0, got nan"),
    ("minimize x2 --bound -1", r"expected --bound > 0 or None, got -1"),
    ("minimize x2 --grad-noise nan", r"expected --grad-noise >= 0, got nan"),
    ("minimize x2 --grad-noise inf", r"expected --grad-noise >= 0, got inf"),
    ("minimize x2 --start 1,2", r"expected a start with 1 coordinate"),
    ("minimize x2 --start abc", r"expected numbers separated by commas, got 'abc'"),
    ("minimize rosenbrock --start 1e400,1", r"expected a finite start, got \(inf, 1\)"),
    ("minimize x2 --set foo=1", r"expected hyperparameters of sgd, got foo"),
    ("minimize x2 --optimizer adam --set beta1=2", r"adam.*expected beta1 in \[0, 1\).*got 2"),
    ("minimize x2 --optimizer nosuch", r"expected an optimizer name among .*got 'nosuch'"),
    ("minimize x2 --preset nosuch", r"expected a preset among .*got 'nosuch'"),
    ("minimize x2 --schedule nosuch", r"expected a schedule name among"),
    ("minimize x2 --schedule exp:k=nan", r"Exponential: expected k .*got nan"),
    ("minimize x2 --schedule step:every=0", r"expected every an integer >= 1, got 0"),
    ("minimize nosuch", r"expected a surface name, one of .*got 'nosuch'"),
    ("minimize quadratic --surface-opt eigenvalues=-1,1", r"expected positive, finite eigenvalues"),
    ("minimize quadratic --surface-opt foo=1", r"expected options of 'quadratic' among"),
    ("minimize rastrigin --surface-opt A=nan", r"expected finite numbers for the options of 'rastrigin', got A=nan"),
    ("minimize quadratic --surface-opt eigenvalues=1,inf", r"expected finite numbers for the options of 'quadratic'"),
    ("minimize x2 --norm 3", r"argument --norm: invalid choice: '3'"),
    # data files
    ("train {t}/latin1.csv --epochs 1", r"expected a CSV file in UTF-8 text, got byte 0xe9 on line 2 of latin1\.csv"),
    ("compare optimizers {t}/latin1.csv --no-plot", r"expected a CSV file in UTF-8 text"),
    ("train {t}/huge_label.csv --epochs 1 --val-fraction 0 --batching full",
     r"expected class labels 0 \.\. K-1 with K at most 100,000, got label 1000000000000 at rows \[0\]"),
    ("train {t}/empty.csv --epochs 1", r"expected at least one sample, got an empty dataset"),
    ("train {t}/header_only.csv --epochs 1", r"expected at least one sample"),
    ("train {t}/ragged.csv --epochs 1", r"expected a numeric CSV file with the same number of cells on every line, got ragged\.csv .*Line #2 \(got 2 columns instead of 3\)"),
    ("train {t}/text_cell.csv --epochs 1", r"expected numbers in every cell, got text 'x' on line 2"),
    ("train {t}/nan_label.csv --epochs 1", r"expected finite labels, got NaN or infinity in y at rows \[0\]"),
    ("train {t}/empty.npz --epochs 1", r"expected a readable \.npz file, got empty\.npz"),
    ("train {t}/garbage.npz --epochs 1", r"not an \.npz archive.*Fix: save the data with numpy\.savez"),
    ("train {t}/no_y.npz --epochs 1", r"expected arrays 'X' and 'y' in no_y\.npz, got keys \['X'\]"),
    ("train {t}/nan_x.npz --epochs 1", r"expected finite features, got NaN or infinity in X at rows \[0\]"),
    ("train {t}/missing.csv --epochs 1", r"expected an existing data file, got \S*missing\.csv"),
    ("train {t}/sub.csv --epochs 1", r"expected an existing data file"),
    ("train /dev/null --epochs 1", r"expected a dataset in .* or a \.npz/\.csv path, got '/dev/null'"),
    ("train nosuch", r"got 'nosuch'\. Fix: pick a listed name"),
    # training options
    ("train xor --hidden 10000000,10000000 --epochs 1",
     r"expected a network whose weights, gradients and optimizer state fit in memory, got sizes \[2, 10000000, "
     r"10000000, 2\]: .* parameters, .*TiB of weights"),
    ("compare optimizers iris --hidden 10000000,10000000 --no-plot", r"fit in memory, got sizes \[4, 10000000"),
    ("train xor --hidden 0 --epochs 1", r"argument --hidden: expected hidden sizes like 64,32"),
    ("train xor --hidden abc", r"argument --hidden: expected hidden sizes like 64,32"),
    ("train xor --epochs 0", r"expected --epochs an integer in \[1, 1000000\], got 0"),
    ("train xor --epochs -1", r"expected --epochs an integer in \[1, 1000000\], got -1"),
    ("train xor --val-fraction nan --epochs 1", r"expected --val-fraction in \[0, 1\), got nan"),
    ("train xor --val-fraction 1.5 --epochs 1", r"expected --val-fraction in \[0, 1\), got 1\.5"),
    ("train xor --batching minibatch:0 --epochs 1", r"expected batch size .*>= 1, got 0"),
    ("train xor --batching minibatch:100000 --epochs 1", r"expected batch size <= 160"),
    ("train xor --batching foo --epochs 1", r"expected batching 'full', 'stochastic' or 'minibatch:K"),
    ("train xor --lr nan --epochs 1", r"expected --lr >= 0 or None, got nan"),
    ("train xor --init foo --epochs 1", r"expected an initialiser in .*got 'foo'"),
    ("train xor --loss foo --epochs 1", r"expected a loss in .*got 'foo'"),
    ("train xor --early-stopping 0 --epochs 1", r"expected --early-stopping an integer in \[1, 1000000\] or None, got 0"),
    ("train xor --grad-tol nan --epochs 1", r"expected --grad-tol >= 0 or None, got nan"),
    ("train xor --checkpoint-every 0 --checkpoint {t}/c.npz --epochs 1", r"expected --checkpoint-every an integer in \[1, 10000000\] or None, got 0"),
    ("train xor --resume --epochs 1", r"expected --checkpoint PATH with --resume, got none"),
    ("train xor --checkpoint {t}/plain.txt --resume --epochs 1", r"expected a complete \.npz state file"),
    ("train xor --checkpoint /dev/null --epochs 1", r"expected a path to a regular file \(it is read back later\), "
                                                    r"got /dev/null \(a character device\)"),
    ("train xor --checkpoint {t}/fifo --epochs 1", r"got \S*fifo \(a FIFO\)"),
    ("train xor --checkpoint {t}/plain.txt/c.npz --epochs 1", r"got \S*plain\.txt/c\.npz \(Not a directory\)"),
    ("train xor --plot {t}/sub --epochs 1", r"expected an output file ending in \.png"),
    ("train xor --set foo --epochs 1", r"expected --set as KEY=VALUE, got 'foo'"),
    ("train xor --restore-best --epochs 1", r"expected restore_best=True together with early_stopping=N"),
    ("train xor --throttle -1 --epochs 1", r"argument --throttle: expected a finite number >= 0, got '-1'"),
    ("train xor --throttle nan --epochs 1", r"argument --throttle: expected a finite number, got 'nan'"),
    # outputs
    ("minimize x2 -o {t}/sub", r"got \S*sub \(Is a directory\)"),
    ("minimize x2 --plot {t}/x.txt", r"expected an output file ending in \.png, got \S*x\.txt"),
    ("minimize x2 -o {t}/fifo", r"expected a FIFO with a reader on its other end, got \S*fifo \(no reader\)"),
    ("schedule -o {t}/sub", r"expected an output file ending in \.png"),
    ("tour -o {t}/plain.txt --only backprop", r"expected an output folder, got \S*plain\.txt \(an existing file\)"),
    # race
    ("race booth --steps -1 " + " ".join(NO), r"expected --steps an integer in \[0, 10000000\], got -1"),
    ("race booth --starts 0", r"expected --starts an integer in \[1, 10000\], got 0"),
    ("race booth --seeds 0", r"expected --seeds an integer in \[1, 10000\], got 0"),
    # counts that cost no memory up front but would run for ever: refused with their bound
    ("race booth --starts 1e11", r"expected --starts an integer in \[1, 10000\], got 100000000000\.0\. "
     r"Fix: pass --starts a whole number from 1 to 10000 \(at most 10000 starts: more would run for days\)"),
    ("race booth --starts 100000000000", r"expected --starts an integer in \[1, 10000\], got 100000000000\."),
    ("race booth --seeds 1000000", r"expected --seeds an integer in \[1, 10000\], got 1000000"),
    ("race booth --steps 10000000 --starts 10000 " + " ".join(NO),
     r"expected a race of at most 1e\+10 updates in all \(steps × starts × seeds × lrs tried × optimizers\), "
     r"got 6\.6e\+12 updates"),
    ("race booth --protocol grid --budget 10000 --steps 10000000",
     r"expected a race of at most 1e\+10 updates in all \(steps × budget × \(tune \+ test seeds\) × optimizers\)"),
    ("race booth --budget 0", r"expected --budget an integer in \[1, 10000\], got 0"),
    ("race booth --frames 100000", r"expected --frames an integer in \[1, 10000\], got 100000"),
    ("train xor --epochs 1e20", r"expected --epochs an integer in \[1, 1000000\], got 1e\+20\. Fix: pass --epochs a "
     r"whole number from 1 to 1000000"),
    ("train xor --epochs 100000000000000000000", r"expected --epochs an integer in \[1, 1000000\], got 100000000000000000000"),
    ("train xor --epochs 1 --checkpoint-every 1e12 --checkpoint {t}/c.npz",
     r"expected --checkpoint-every an integer in \[1, 10000000\] or None, got 1000000000000\.0"),
    ("train xor --epochs 1 --early-stopping 10000000", r"expected --early-stopping an integer in \[1, 1000000\] or None"),
    ("minimize x2 --steps 100000000000000", r"expected --steps an integer in \[0, 10000000\], got 100000000000000"),
    ("schedule --steps 1e9 -o {t}/s.png", r"expected --steps an integer in \[1, 10000000\], got 1000000000\.0"),
    ("diff adam:keras adam:pytorch --steps 1e9", r"expected --steps an integer in \[0, 10000000\], got 1000000000\.0"),
    ("compare optimizers --protocol grid --budget 99999999", r"expected --budget an integer in \[1, 10000\], got 99999999"),
    ("compare optimizers --protocol grid --steps 1e12", r"expected --steps an integer in \[1, 10000000\] or None"),
    ("compare batching --epochs 1e7 --no-plot", r"expected --epochs an integer in \[1, 1000000\], got 10000000\.0"),
    ("sweep run --builtin quick --store {t}/s.db --workers 100000",
     r"expected --workers an integer in \[1, 1024\] or None, got 100000\. Fix: .*more than a machine runs at once"),
    ("sweep run --builtin quick --store {t}/s.db --dask local --dask-workers 0", r"expected --dask-workers an integer in \[1, 1024\]"),
    ("race booth --grad-noise nan --steps 5", r"expected --grad-noise >= 0, got nan"),
    ("race booth --f-tol -1", r"expected --f-tol >= 0, got -1"),
    ("race booth --optimizers nosuch --steps 5", r"expected an optimizer name among"),
    ("race booth --lr-grid 0:1:3", r"0 < LO <= HI.*got '0:1:3'"),
    ("race booth --lr-grid 0.1:1:-3", r"N from 1 to 10000, got '0.1:1:-3'"),
    ("race booth --lr-grid 0.1:1:100000000000 --steps 5", r"N from 1 to 10000, got '0.1:1:100000000000'"),
    ("race x2 --steps 5", r"expected a 2-D surface for the race pictures"),
    ("race booth --dpi 0 -o {t}/r.png --gif ''", r"--dpi >= 10, got 0"),
    # the other commands
    ("lr-effects --eigenvalues 0,1 -o {t}/e.png", r"expected positive, finite eigenvalues"),
    ("lr-effects --eigenvalues 1 -o {t}/e.png", r"expected two eigenvalues"),
    ("lr-effects --rate-steps 0 -o {t}/e.png", r"expected --rate-steps an integer in \[4, 10000000\], got 0"),
    ("lr-effects --dpi -1 -o {t}/e.png", r"expected an integer dpi >= 10, got -1"),
    ("schedule --steps 0 -o {t}/s.png", r"expected --steps an integer in \[1, 10000000\], got 0"),
    ("schedule --steps 1000000000000 -o {t}/s.png", r"expected --steps an integer in \[1, 10000000\], got 1000000000000\."),
    ("schedule --lr nan -o {t}/s.png", r"expected --lr >= 0, got nan"),
    ("schedule exp:k=-1 -o {t}/s.png", r"Exponential: expected k >= 0, got -1"),
    ("lr-find xor --steps 0 --no-plot", r"expected steps an integer >= 5, got 0"),
    ("lr-find xor --lr-min 10 --lr-max 1 --no-plot", r"expected 0 < lr_min < lr_max, got lr_min=10.0, lr_max=1.0"),
    ("lr-find xor --lr-max inf --no-plot", r"expected --lr-max > 0, got inf"),
    ("compare batching --epochs 0 --no-plot", r"expected --epochs an integer in \[1, 1000000\], got 0"),
    ("compare batching --batchings , --no-plot", r"expected at least one name in --batchings, got none"),
    ("compare optimizers --optimizers , --no-plot", r"expected at least one name in --optimizers, got none"),
    ("compare batching --lr nosuch=0.1 --no-plot --quick", r"expected learning rates keyed by the batching kinds"),
    ("compare optimizers iris --preset nosuch --no-plot", r"expected a preset among"),
    ("lecture derivatives --x0 nan", r"argument --x0: expected a finite number, got 'nan'"),
    ("lecture derivatives --point 1", r"expected --point x,y \(two numbers\)"),
    ("lecture derivatives --point nan,1", r"argument --point: expected comma-separated finite numbers"),
    ("lecture derivatives --directions 0", r"expected --directions an integer in \[4, 1000000\], got 0"),
    ("lecture derivatives --directions 1000000000000", r"expected --directions an integer in \[4, 1000000\], got 1000000000000"),
    ("lecture newton --steps 1e9", r"expected --steps an integer in \[1, 10000\], got 1000000000\.0"),
    ("lecture rprop --epochs 100000000", r"expected --epochs an integer in \[2, 1000000\], got 100000000"),
    ("lr-effects --rate-steps 1e12 -o {t}/e.png", r"expected --rate-steps an integer in \[4, 10000000\]"),
    ("lecture gd-x2 --x0 inf", r"argument --x0: expected a finite number, got 'inf'"),
    ("lecture gd-x2 --lr -1", r"expected learning rates > 0, got -1"),
    ("lecture gd-x2 --eps 0", r"expected eps > 0, got 0"),
    ("lecture gd-x2 --lrs ,", r"argument --lrs: expected comma-separated finite numbers"),
    ("lecture newton --steps 0", r"expected --steps an integer in \[1, 10000\], got 0"),
    ("lecture batch-size -k 0", r"expected 1 <= k < 6"),
    ("lecture batch-size --lr nan", r"argument --lr/--eta: expected a finite number, got 'nan'"),
    ("lecture optimizers --steps 0", r"expected --steps an integer in \[1, 10000\], got 0"),
    ("lecture decay -k -1", r"expected k >= 0, got -1"),
    ("lecture backprop --network 2-0-1", r"argument --network: invalid choice: '2-0-1'"),
    ("conventions -O nosuch", r"expected an optimizer name among"),
    ("conventions -p nosuch", r"expected a preset among"),
    ("tour --only nosuch -o {t}/r", r"expected section names among .*got nosuch"),
]


def _argv(text: str, t) -> list[str]:
    parts = text.replace("{t}", str(t)).split(" ")
    return ["" if p == "''" else p for p in parts]


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    return _files(tmp_path_factory.mktemp("bad"))


@pytest.mark.parametrize("line, pattern", CLI, ids=[c[0][:60] for c in CLI])
def test_cli_bad_input_is_one_sentence_and_status_2(line, pattern, bad_files, capsys):
    try:
        rc = main(_argv(line, bad_files))
    except SystemExit as exc:  # argparse refuses a bad type or choice itself
        rc = exc.code
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1] if err.strip() else ""
    assert rc == 2, err
    assert re.search(pattern, last), err
    assert last.startswith("descentlab") and "error:" in last
    assert "Traceback" not in err and "Errno" not in err and "internal error" not in err
    if not last.split("error: ", 1)[1].startswith("argument "):  # ours: exactly one line
        assert len(err.strip().splitlines()) == 1, err


def test_the_table_is_at_least_80_rows():
    assert len(CLI) + len(API) >= 80 and len({c[0] for c in CLI}) == len(CLI)


def _csv(tmp_path, text, name="t.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def _tensor(shape=(2, 3)):
    from descentlab.autodiff import Tensor

    return Tensor(np.ones(shape), requires_grad=True)


def _ops():
    from descentlab.autodiff import ops

    return ops


def _data():
    from descentlab import data

    return data


# (call taking the temporary folder, exception type, pattern)
API = [
    (lambda t: _ops().sum(_tensor(), axis=2), ShapeError, r"expected an axis in -2 \.\. 1 for a 2-D tensor, got 2"),
    (lambda t: _ops().sum(_tensor(), axis=-3), ShapeError, r"got -3"),
    (lambda t: _ops().mean(_tensor(), axis=2), ShapeError, r"expected an axis in -2 \.\. 1"),
    (lambda t: _ops().mean(_tensor(), axis=(0, 0)), ShapeError, r"expected each axis once"),
    (lambda t: _ops().sum(_tensor((3,)), axis=1.0), ShapeError, r"expected an axis"),
    (lambda t: _ops().clip(_tensor(), 1.0, 0.0), ConfigError, r"expected clip bounds lo <= hi, got lo=1\.0, hi=0\.0"),
    (lambda t: _ops().clip(_tensor(), math.nan, 1.0), ConfigError, r"expected clip bounds lo <= hi, got lo=nan"),
    (lambda t: _data().load_csv(_csv(t, "1,2,0\n3,4,1\n"), target=7), DataError,
     r"expected a target column index in -3 \.\. 2 \(3 columns in t\.csv\), got 7"),
    (lambda t: _data().load_csv(_csv(t, "1,2,0\n3,4,1\n"), target=-4), DataError, r"got -4"),
    (lambda t: _data().load_csv(_csv(t, "1,2,0\n3,4,1\n"), target=1.5), DataError, r"got 1\.5"),
    (lambda t: _data().load_csv(_csv(t, "1,2,0\n"), target="label"), DataError, r"expected a column named 'label'"),
    (lambda t: _data().Dataset(np.ones((3, 2)), np.array([0, 1, 2.5])), DataError, r"expected integer class labels"),
    (lambda t: _data().Dataset(np.ones(3), np.array([0, 1, 2])), ShapeError, r"X with shape \(samples, features\)"),
    (lambda t: _data().Dataset(np.ones((2, 2)), np.array(["a", "b"])), DataError, r"expected integer class labels, got dtype"),
    (lambda t: _data().Dataset(np.ones((2, 2)), np.array([0, 1]), "classification", 1), DataError,
     r"expected labels in 0 \.\. 0 \(1 classes\), got labels \[1\]"),
    (lambda t: _data().Dataset(np.array([[np.inf, 1.0]]), np.array([0])), DataError, r"expected finite features"),
    (lambda t: _data().Dataset(np.ones((2, 2)), np.array([0, 10**12])), DataError, r"K at most 100,000"),
    (lambda t: __import__("descentlab.nn", fromlist=["mlp"]).mlp([2, 0, 1]), ConfigError, r"expected layer sizes >= 1"),
    (lambda t: __import__("descentlab.nn", fromlist=["mlp"]).mlp([784, 10**7, 10**7, 10]), ConfigError,
     r"fit in memory, got sizes \[784, 10000000, 10000000, 10\]: 100,\d{3},\d{3},\d{3},\d{3} parameters"),
    (lambda t: __import__("descentlab").train.minimize("x2", [1.0], "sgd", grad_noise=math.nan), ConfigError,
     r"expected grad_noise >= 0, got nan"),
    (lambda t: __import__("descentlab").get_surface("rastrigin", A=math.inf), ConfigError, r"expected finite numbers"),
    (lambda t: __import__("descentlab")._io.atomic_write_text(t / "fifo", "x"), StateFileError,
     r"expected a FIFO with a reader on its other end"),
    (lambda t: __import__("descentlab")._io.ensure_parent("/dev/null", regular=True), StateFileError,
     r"got /dev/null \(a character device\)"),
]


@pytest.mark.parametrize("call, exc, pattern", API, ids=[f"api{i}" for i in range(len(API))])
def test_api_bad_input_raises_a_sentence(call, exc, pattern, bad_files):
    with pytest.raises(exc, match=pattern) as info:
        call(bad_files)
    assert isinstance(info.value, DescentlabError) and "expected" in str(info.value)


# -- names it the moment it happens (a warning, not a refusal) ---------------------
@pytest.mark.parametrize("hyper, grad, pattern", [
    (dict(eps=0.0), [0.0, 1.0], r"adam: at step 0 the update of 'x' is not finite although the gradient is finite: "
                                r"eps=0 divides a zero gradient by zero\. Fix: pass eps > 0"),
    ({}, [1e308, 1.0], r"adam: at step 0 the buffer 'x\.v' overflowed to infinity \(the update it gives is 0\) although the gradient is finite: the gradient is so large \(1e\+308\) that g\*g overflows"),
])
def test_a_finite_gradient_that_breaks_the_update_is_named(hyper, grad, pattern):
    from descentlab.errors import NumericalWarning
    from descentlab.optim import make_optimizer

    opt = make_optimizer("adam", **hyper)
    params = {"x": np.zeros(2)}
    with np.errstate(all="ignore"), pytest.warns(NumericalWarning, match=pattern):
        opt.step(params, {"x": np.array(grad)}, opt.init(params))


def test_a_healthy_step_warns_nothing(recwarn):
    from descentlab.optim import make_optimizer

    opt = make_optimizer("adam", eps=0.0)
    params = {"x": np.zeros(2)}
    opt.step(params, {"x": np.array([0.5, 1.0])}, opt.init(params))
    assert not recwarn.list


def test_the_cli_shows_a_warning_as_one_line(capsys):
    rc = main(["minimize", "x2", "--start", "0", "--tol", "0", "--steps", "3", "--optimizer", "adam", "--set", "eps=0"])
    err = capsys.readouterr().err.splitlines()
    assert rc == 3
    assert err[0].startswith("descentlab minimize: warning: adam: at step 0 the update of 'x' is not finite")
    assert err[1] == "descentlab minimize: diverged: x2: diverged at step 1: loss is nan (exit status 3)"


# -- exit statuses -------------------------------------------------------------------
@pytest.mark.parametrize("argv, pattern", [
    (["minimize", "x2", "--lr", "10"], r"^descentlab minimize: diverged: x2: diverged at step 5: \|x\| = "),
    (["train", "xor", "--lr", "1e300", "--optimizer", "sgd", "--epochs", "2", "-q"],
     r"^descentlab train: diverged: xor: diverged at step 1"),
    (["race", "booth", "--steps", "20", "--tune", "none", "--optimizers", "adam,sgd", "--lr", "sgd=10", *NO, "-q"],
     r"^descentlab race: diverged: sgd at lr 10: 1 run\(s\), at step\(s\) 3 "),
    (["compare", "batching", "--quick", "--no-plot", "--batchings", "full", "--lr", "full=10", "-q"],
     r"^descentlab compare: diverged: full batch \(batch GD\) at lr 10: diverged at step"),
    (["lecture", "gd-x2", "--lr", "5"], r"^descentlab lecture: diverged: GD with γ = 5: diverged at t = 6"),
    (["lecture", "batch-size", "--lr", "100"], r"^descentlab lecture: diverged: SGD with η = 100: w is not finite"),
])
def test_a_run_that_diverges_exits_3_with_a_sentence(argv, pattern, capsys):
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc == 3 and re.search(pattern, err.strip().splitlines()[-1]), err
    assert err.strip().endswith("(exit status 3)") and "Warning:" not in err


def test_an_internal_error_is_one_line_and_debug_shows_the_traceback(monkeypatch, capsys):
    from descentlab.cli.commands import surfaces

    def broken(args):
        raise KeyError("oops")

    monkeypatch.setattr(surfaces, "run", broken)
    assert main(["surfaces"]) == 70
    err = capsys.readouterr().err
    assert err.strip() == ("descentlab surfaces: internal error (a bug in descentlab, not in your input): "
                           "KeyError: 'oops'. Rerun with --debug for the traceback.")
    assert main(["surfaces", "--debug"]) == 70
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "Rerun with --debug" not in err


def test_help_documents_the_exit_statuses(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for line in ("0   done", "2   bad input", "3   ran, but a run diverged", "70  internal error"):
        assert line in out


# -- the real command: no traceback reaches the terminal ------------------------------
@pytest.mark.parametrize("argv, status, pattern", [
    (["minimize", "x2", "--seed", "-1"], 2, r"expected --seed an integer >= 0, got -1"),
    (["train", "{t}/latin1.csv", "--epochs", "1"], 2, r"expected a CSV file in UTF-8 text"),
    (["minimize", "x2", "--lr", "10", "-q"], 3, r"diverged at step 5"),
])
def test_the_installed_command_prints_no_traceback(argv, status, pattern, bad_files):
    argv = [a.replace("{t}", str(bad_files)) for a in argv]
    r = subprocess.run([sys.executable, "-m", "descentlab", *argv], capture_output=True, text=True, timeout=120)
    assert r.returncode == status, r.stderr
    assert re.search(pattern, r.stderr) and "Traceback" not in r.stderr
