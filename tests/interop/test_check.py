"""``check`` and ``identify`` name the conventions of reference and deliberately wrong
implementations (tests/fixtures/students/), and the first step where each departs."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from descentlab.errors import ConfigError, ShapeError
from descentlab.interop.check import HYPER, PROBLEMS, check, drive, lr_schedule, load_submission
from descentlab.interop.identify import identify, load_recording
from descentlab.optim import make_optimizer

STUDENTS = Path(__file__).resolve().parents[1] / "fixtures" / "students"

# file:function, optimizer, presets that must be named, forms that must be named
RIGHT = [
    ("cs231n_sgd.py:sgd", "sgd", {"pytorch", "optax"}, {}),
    ("cs231n_momentum.py:sgd_momentum", "momentum", {"cs231n", "keras", "lecture"}, {"momentum_form": "lr_inside"}),
    ("cs231n_rmsprop.py:rmsprop", "rmsprop", {"pytorch", "cs231n"}, {"eps_placement": "outside", "centered": False}),
    ("cs231n_adam.py:adam", "adam", {"pytorch", "cs231n", "lecture"}, {"eps_placement": "outside"}),
    ("torch_adam.py:adam", "adam", {"pytorch"}, {"eps_placement": "outside"}),
    ("torch_momentum.py:sgd_momentum", "momentum", {"pytorch", "optax"}, {"momentum_form": "lr_outside"}),
    ("torch_nesterov.py:nesterov", "nesterov", {"pytorch", "optax"}, {"momentum_form": "lr_outside"}),
    ("keras_adam.py:adam", "adam", {"keras"}, {"eps_placement": "hat"}),
    ("keras_adagrad.py:adagrad", "adagrad", {"keras", "optax"}, {"eps_placement": "inside", "initial_accumulator": 0.1}),
    ("keras_rmsprop.py:rmsprop", "rmsprop", {"keras", "lecture"}, {"eps_placement": "inside"}),
    ("lecture_nesterov.py:nesterov", "nesterov", {"cs231n"}, {"momentum_form": "lr_inside",
                                                              "nesterov_form": "transformed"}),
    ("lecture_adagrad.py:adagrad", "adagrad", {"lecture", "pytorch"}, {"eps_placement": "outside",
                                                                      "initial_accumulator": 0.0}),
    ("lecture_rmsprop.py:rmsprop", "rmsprop", {"lecture", "keras"}, {"eps_placement": "inside"}),
]


@pytest.mark.parametrize("spec,optimizer,presets,forms", RIGHT, ids=[r[0].split(":")[0] for r in RIGHT])
def test_reference_implementations_are_named(spec, optimizer, presets, forms):
    r = check(str(STUDENTS / spec), optimizer)
    assert r["match"] is not None, r["likely_mistake"]
    assert presets <= set(r["match"]["presets"])
    assert forms.items() <= r["match"]["conventions"].items()
    assert r["first_departure"] is None and r["max_rel_error"] <= 1e-12


def test_a_class_with_torchs_interface_is_named():
    pytest.importorskip("torch")
    r = check(str(STUDENTS / "torch_class_adam.py:MyAdam"), "adam")
    assert "pytorch" in r["match"]["presets"]


# file, optimizer, expected preset (None: the nearest framework's), nearest mistake (None: a
# named convention), the step of the first departure
WRONG = [
    ("adam_no_bias_correction", "adam", None, "no_bias_correction", 0),
    ("adam_eps_inside", "adam", "cs231n", None, 0),
    ("adam_t_from_0", "adam", None, "t_from_0", 0),
    ("adam_t_from_2", "adam", None, "t_from_2", 0),
    ("adam_beta_swapped", "adam", None, "adam_beta_swapped", 0),
    ("adam_no_root", "adam", None, "adam_no_root", 0),
    ("momentum_lr_inside", "momentum", "pytorch", None, 15),  # the forms part when lr changes
    ("momentum_averaged", "momentum", None, "momentum_averaged", 0),
    ("momentum_old_velocity", "momentum", None, "momentum_old_velocity", 0),
    ("nesterov_no_correction", "nesterov", None, "nesterov_no_correction", 1),  # v_prev = 0 at step 0
    ("nesterov_is_momentum", "nesterov", None, "nesterov_is_momentum", 0),
    ("adagrad_wrong_accumulator", "adagrad", "pytorch", None, 0),
    ("adagrad_no_root", "adagrad", None, "adagrad_no_root", 0),
    ("rmsprop_beta_swapped", "rmsprop", None, "rmsprop_beta_swapped", 0),
    ("rmsprop_no_root", "rmsprop", None, "rmsprop_no_root", 0),
]
_FN = {"adam": "adam", "momentum": "sgd_momentum", "nesterov": "nesterov", "adagrad": "adagrad", "rmsprop": "rmsprop"}


def _reference_step(ref, optimizer, k):
    """The reference rule's iterate after update k on the vector problem, run on the
    student's own trajectory up to k (what the first departure's 'expected' must be)."""
    hyper = dict(HYPER[optimizer])
    lrs = lr_schedule(hyper.pop("lr"))
    opt = make_optimizer(optimizer, preset=ref["preset"], **{**ref["conventions"], **hyper}, lr=lambda j: lrs[j])
    w0, grad = PROBLEMS["vector"]
    params = {"w": w0.copy()}
    state = opt.init(params)
    for _ in range(k + 1):
        opt.step(params, {"w": grad(params["w"])}, state)
    return params["w"]


@pytest.mark.parametrize("name,optimizer,preset,mistake,step", WRONG, ids=[w[0] for w in WRONG])
def test_wrong_implementations_get_the_right_first_departure(name, optimizer, preset, mistake, step):
    r = check(str(STUDENTS / "wrong" / f"{name}.py:{_FN[optimizer]}"), optimizer, preset=preset)
    if mistake is None:
        assert r["match"] is not None and r["match"]["preset"] != preset  # a real convention, not the expected one
    else:
        assert r["match"] is None
        assert r["nearest"]["mistake"] == mistake, r["nearest"]["name"]
    d = r["first_departure"]
    assert d is not None and d["step"] == step and d["run"] == "vector" and d["index"] == [0]
    assert r["max_rel_error"] > 1e-6 and r["likely_mistake"]
    # got / expected are the student's and the reference's own numbers at that step
    student = drive(load_submission(str(STUDENTS / "wrong" / f"{name}.py:{_FN[optimizer]}")), optimizer, "vector")
    got = student.params["w"][step + 1][0]
    assert (d["got"] is None and not np.isfinite(got)) or d["got"] == pytest.approx(got, rel=1e-15)
    assert d["expected"] == pytest.approx(_reference_step(r["reference"], optimizer, step)[0], rel=1e-12)
    if step > 0:  # and no departure before it
        np.testing.assert_allclose(student.params["w"][step], _reference_step(r["reference"], optimizer, step - 1),
                                   rtol=1e-12)


def test_identify_names_a_torch_run_from_an_npz(tmp_path):
    torch = pytest.importorskip("torch")
    for cls, kw, name, forms in [(torch.optim.RMSprop, dict(lr=0.01, alpha=0.9, centered=True), "rmsprop",
                                  {"centered": True, "eps_placement": "outside"}),
                                 (torch.optim.Adam, dict(lr=0.05, eps=1e-3), "adam", {"eps_placement": "outside"})]:
        p = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64, requires_grad=True)
        opt = cls([p], **kw)
        P, G = [p.detach().numpy().copy()], []
        for _ in range(25):
            opt.zero_grad()
            ((p ** 2).sum() + torch.sin(3 * p).sum()).backward()
            G.append(p.grad.numpy().copy())
            opt.step()
            P.append(p.detach().numpy().copy())
        hyper = {"beta": 0.9} if name == "rmsprop" else {"eps": 1e-3}
        np.savez(tmp_path / "run.npz", params=np.stack(P), grads=np.stack(G), lr=np.full(25, kw["lr"]),
                 hyper=json.dumps(hyper))
        rec, h = load_recording(str(tmp_path / "run.npz"))
        r = identify([rec], None, h)  # the optimizer itself is searched too
        assert r["optimizer"] == name and "pytorch" in r["match"]["presets"]
        assert forms.items() <= r["match"]["conventions"].items()
        out = subprocess.run([sys.executable, "-m", "descentlab", "identify", str(tmp_path / "run.npz"), "-O", name,
                              "--json"], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        data = json.loads(out.stdout)
        assert {"optimizer", "match", "nearest", "first_departure", "max_rel_error"} <= data.keys()


def test_check_cli_json_has_the_documented_keys():
    out = subprocess.run([sys.executable, "-m", "descentlab", "check",
                          str(STUDENTS / "wrong" / "adam_t_from_2.py:adam"), "-O", "adam", "--json"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["optimizer"] == "adam" and data["match"] is None and data["nearest"]["mistake"] == "t_from_2"
    assert {"step", "index", "got", "expected"} <= data["first_departure"].keys()


def _write(tmp_path, text, name="sub.py"):
    f = tmp_path / name
    f.write_text(text)
    return f


@pytest.mark.parametrize("source,pattern", [
    ("import nonexistent_pkg_xyz\n", r"expected .*sub.py to import, got ModuleNotFoundError"),
    ("def adam(w, dw):\n    return w, {}\n", r"expected adam\(w, dw, config\) -> \(next_w, config\).*got adam\(w, dw\)"),
    ("def adam(w, dw, config):\n    return w[:2], config\n", r"expected next_w of shape \(6,\).*got shape \(2,\) at step 0"),
    ("def adam(w, dw, config):\n    return w\n", r"expected adam to return \(next_w, config\)"),
    ("import numpy as np\ndef adam(w, dw, config):\n    config['k'] = config.get('k', 0) + 1\n"
     "    return (w * np.nan if config['k'] > 3 else w - 0.01 * dw), config\n",
     r"expected finite weights from the update, got NaN or infinity at step 3"),
    ("def adam(w, dw, config):\n    raise KeyError('lr')\n", r"expected adam\(w, dw, config\) to run, got KeyError"),
    ("x = 1\n", r"expected a function or class 'adam' in"),
])
def test_bad_submissions_are_refused_with_a_sentence_and_exit_2(tmp_path, source, pattern):
    f = _write(tmp_path, source)
    with pytest.raises((ConfigError, ShapeError), match=pattern):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            check(f"{f}:adam", "adam")
    out = subprocess.run([sys.executable, "-m", "descentlab", "check", f"{f}:adam", "-O", "adam"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "Traceback" not in out.stderr and "Fix:" in out.stderr


def test_unknown_optimizer_preset_or_spec_is_refused():
    with pytest.raises(ConfigError, match=r"expected an optimizer check knows"):
        check(str(STUDENTS / "cs231n_adam.py:adam"), "newton")
    with pytest.raises(ConfigError, match=r"expected a preset among"):
        check(str(STUDENTS / "cs231n_adam.py:adam"), "adam", preset="tensorflow")
    with pytest.raises(ConfigError, match=r"FILE.py:FUNCTION or MODULE:FUNCTION"):
        check("student.py", "adam")
    with pytest.raises(ConfigError, match=r"expected module no_such_mod_xyz to import"):
        check("no_such_mod_xyz:adam", "adam")


def test_identify_refuses_a_malformed_recording(tmp_path):
    np.savez(tmp_path / "bad.npz", params=np.zeros((5, 2)), grads=np.zeros((5, 2)))
    with pytest.raises(ConfigError, match=r"params of shape \(T \+ 1, ...\) and grads \(T, ...\)"):
        load_recording(str(tmp_path / "bad.npz"))
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ConfigError, match=r"an .npz file written by numpy.savez"):
        load_recording(str(tmp_path / "junk.npz"))
    np.savez(tmp_path / "none.npz", x=np.zeros(2))
    with pytest.raises(ConfigError, match=r"arrays params and grads"):
        load_recording(str(tmp_path / "none.npz"))
