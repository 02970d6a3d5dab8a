"""``check`` and ``identify`` over Rprop, Adamax, Adadelta, RAdam, Lion, LAMB and Adafactor.

The independent reference is tests/fixtures/students_family.json: torch.optim's and
optax's own trajectories on check's two problems, with check's hyperparameters and
learning rates (recorded by tools/fixtures/make_students_family_fixtures.py). A right
submission must reproduce its framework's trajectory, a recorded framework run must be
named from its (params, grads) alone, and each wrong submission's first departure must
carry the framework's value at that step as ``expected``.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from descentlab.interop.check import HYPER, PROBLEMS, STEPS, check, drive, lr_schedule, load_submission
from descentlab.interop.identify import compare, identify
from descentlab.interop.space import Recording, variants

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
STUDENTS = FIXTURES / "students"
RECORDED = json.loads((FIXTURES / "students_family.json").read_text())
CASES = {c["id"]: c for c in RECORDED["cases"]}
FAMILY = ("rprop", "adamax", "adadelta", "radam", "lion", "lamb", "adafactor")


def _recording(case) -> Recording:
    """The framework's run as identify reads one: its iterates, and the gradient at each."""
    traj = np.array(case["trajectory"])
    grad = PROBLEMS[case["problem"]][1]
    grads = np.stack([grad(w) for w in traj[:-1]])
    return Recording({"w": traj}, {"w": grads}, lr_schedule(HYPER[case["optimizer"]]["lr"], optimizer=case["optimizer"]),
                     case["problem"])


def test_the_fixture_was_recorded_with_checks_problems_and_hyperparameters():
    assert RECORDED["steps"] == STEPS
    assert RECORDED["hyper"] == {n: HYPER[n] for n in FAMILY}, "rerun tools/fixtures/make_students_family_fixtures.py"
    for name, (w0, _) in PROBLEMS.items():
        assert RECORDED["problems"][name] == w0.tolist()
    assert {c["framework"] for c in CASES.values()} == {"torch", "optax"}


@pytest.mark.parametrize("cid", sorted(CASES))
def test_a_recorded_framework_run_is_named_among_all_optimizers(cid):
    case = CASES[cid]
    r = identify([_recording(case)], None, HYPER[case["optimizer"]])
    assert r["optimizer"] == case["optimizer"], r["ranking"]
    assert r["match"] is not None and case["preset"] in r["match"]["presets"], r["ranking"]
    assert r["first_departure"] is None and r["max_rel_error"] <= 1e-12


def _torch_adam_trace(eps):
    torch = pytest.importorskip("torch")
    w0, grad = PROBLEMS["vector"]
    p = torch.tensor(w0.copy(), requires_grad=True)
    opt = torch.optim.Adam([p], lr=0.05, eps=eps)
    P, G = [w0.copy()], []
    for _ in range(STEPS):
        g = grad(p.detach().numpy().copy())
        p.grad = torch.tensor(g)
        opt.step()
        P.append(p.detach().numpy().copy())
        G.append(g)
    return Recording({"w": np.stack(P)}, {"w": np.stack(G)}, np.full(STEPS, 0.05), "adam")


@pytest.mark.parametrize("eps", [1e-8, 1e-3])
def test_a_plain_adam_trace_is_still_adam_and_not_adamax_or_radam(eps):
    rec = _torch_adam_trace(eps)
    r = identify([rec], None, {"beta1": 0.9, "beta2": 0.999, "eps": eps})
    assert r["optimizer"] == "adam" and "pytorch" in r["match"]["presets"]
    # LAMB without its trust ratio is Adam to rounding when wd = 0: a right variant within tol
    # goes before a mistake that coincides with it
    assert r["ranking"][0]["name"].startswith("adam:"), r["ranking"]
    # the family's nearest rules are far from it, not a near tie
    errors = {}
    for name in ("adamax", "radam", "adafactor"):
        errors[name] = identify([rec], name, {"beta1": 0.9, "beta2": 0.999, "eps": eps})
        assert errors[name]["match"] is None and errors[name]["nearest"]["max_rel_error"] > 1e-4, name


# file:function, optimizer, presets that must be named, forms that must be named, the recorded case it reproduces
RIGHT = [
    ("torch_rprop.py:rprop", "rprop", {"pytorch"}, {}, "torch/rprop"),
    ("torch_adamax.py:adamax", "adamax", {"pytorch", "optax"}, {"adamax_eps": "in_max"}, "torch/adamax"),
    ("keras_adamax.py:adamax", "adamax", {"keras"}, {"adamax_eps": "after_max"}, None),
    ("torch_adadelta.py:adadelta", "adadelta", {"pytorch", "optax", "keras"}, {}, "torch/adadelta"),
    ("torch_radam.py:radam", "radam", {"pytorch"}, {"eps_placement": "hat"}, "torch/radam"),
    ("optax_radam.py:radam", "radam", {"optax"}, {"eps_placement": "outside"}, "optax/radam"),
    ("paper_lion.py:lion", "lion", {"pytorch", "optax", "keras"}, {}, "optax/lion"),
    ("optax_lamb.py:lamb", "lamb", {"optax"}, {"eps_placement": "outside"}, "optax/lamb"),
    ("torch_adafactor.py:adafactor", "adafactor", {"pytorch"}, {"adafactor_eps": "clamp"}, "torch/adafactor"),
    ("paper_adafactor.py:adafactor", "adafactor", {"keras"}, {"adafactor_eps": "add"}, None),
]


@pytest.mark.parametrize("spec,optimizer,presets,forms,recorded", RIGHT, ids=[r[0].split(":")[0] for r in RIGHT])
def test_reference_implementations_are_named_and_follow_their_framework(spec, optimizer, presets, forms, recorded):
    r = check(str(STUDENTS / spec), optimizer)
    assert r["match"] is not None, r["likely_mistake"]
    assert presets <= set(r["match"]["presets"]), r["match"]
    assert forms.items() <= r["match"]["conventions"].items()
    assert r["first_departure"] is None and r["max_rel_error"] <= 1e-12
    if recorded is not None:
        fn = load_submission(str(STUDENTS / spec))
        for problem in PROBLEMS:
            ours = drive(fn, optimizer, problem).params["w"]
            np.testing.assert_allclose(ours, np.array(CASES[f"{recorded}/{problem}"]["trajectory"]), rtol=1e-12,
                                       atol=1e-14)


@pytest.mark.parametrize("name", ["Rprop", "Adamax", "Adadelta", "RAdam", "Adafactor"])
def test_torchs_own_classes_are_named_pytorch(name):
    torch = pytest.importorskip("torch")
    r = check(getattr(torch.optim, name), name.lower())
    assert r["match"] is not None and "pytorch" in r["match"]["presets"], r["ranking"]
    assert r["max_rel_error"] <= 1e-12


# file, optimizer, expected preset (None: the nearest framework's), nearest mistake (None: a named
# convention), the first departure (step, run, index), the recorded case whose value is 'expected'
WRONG = [
    ("rprop_no_reset", "rprop", None, "rprop_no_reset", (4, "vector", [3]), "torch/rprop"),      # the first flip
    ("rprop_no_bounds", "rprop", None, "rprop_no_bounds", (8, "vector", [0]), "torch/rprop"),    # the cap, 0.05·1.2^9
    ("adamax_no_bias_correction", "adamax", None, "adamax_no_bias_correction", (0, "vector", [0]), "torch/adamax"),
    ("adamax_u_bias_corrected", "adamax", None, "adamax_u_bias_corrected", (0, "vector", [0]), "torch/adamax"),
    ("adamax_eps_after_max", "adamax", "pytorch", None, (1, "vector", [2]), "torch/adamax"),
    ("adadelta_old_average", "adadelta", None, "adadelta_old_average", (0, "vector", [0]), "torch/adadelta"),
    ("adadelta_no_eps_on_top", "adadelta", None, "adadelta_no_eps_on_top", (0, "vector", [0]), "torch/adadelta"),
    ("radam_early_uncorrected", "radam", None, "radam_early_uncorrected", (0, "vector", [0]), "torch/radam"),
    ("radam_no_root", "radam", None, "radam_no_root", (5, "vector", [0]), "torch/radam"),  # the first rectified step
    ("radam_eps_outside", "radam", "pytorch", None, (5, "vector", [0]), "torch/radam"),
    ("lion_no_sign", "lion", None, "lion_no_sign", (0, "vector", [0]), "optax/lion"),
    ("lion_momentum_first", "lion", None, "lion_momentum_first", (9, "vector", [4]), "optax/lion"),
    ("lamb_no_trust_ratio", "lamb", None, "lamb_no_trust_ratio", (0, "vector", [0]), "optax/lamb"),
    ("lamb_decay_outside_ratio", "lamb", None, "lamb_decay_outside_ratio", (0, "vector", [0]), "optax/lamb"),
    # both show in the factored form only: on the matrix, at the first update
    ("adafactor_no_clipping", "adafactor", None, "adafactor_no_clipping", (0, "matrix", [0, 0]), "torch/adafactor"),
    ("adafactor_no_row_normalisation", "adafactor", None, "adafactor_no_row_normalisation", (0, "matrix", [0, 0]),
     "torch/adafactor"),
]


@pytest.mark.parametrize("name,optimizer,preset,mistake,where,recorded", WRONG, ids=[w[0] for w in WRONG])
def test_wrong_implementations_depart_where_the_framework_says(name, optimizer, preset, mistake, where, recorded):
    spec = str(STUDENTS / "wrong" / f"{name}.py:{optimizer}")
    r = check(spec, optimizer, preset=preset)
    if mistake is None:
        assert r["match"] is not None and preset not in r["match"]["presets"]  # a real convention, not the expected one
    else:
        assert r["match"] is None
        assert r["nearest"]["mistake"] == mistake, r["nearest"]["name"]
        assert r["nearest"]["max_rel_error"] <= 1e-12  # the mistake explains the whole run
    d = r["first_departure"]
    step, run, index = where
    assert d is not None and (d["step"], d["run"], d["index"]) == (step, run, index), d
    assert r["max_rel_error"] > 1e-6 and r["likely_mistake"]
    # 'expected' is the framework's own value at that step; 'got' the student's
    theirs = np.array(CASES[f"{recorded}/{run}"]["trajectory"])
    student = drive(load_submission(spec), optimizer, run).params["w"]
    assert d["got"] == pytest.approx(student[step + 1][tuple(index)], rel=1e-15)
    assert d["expected"] == pytest.approx(theirs[step + 1][tuple(index)], rel=1e-12)
    # and up to that update the student's run was the framework's
    np.testing.assert_allclose(student[:step + 1], theirs[:step + 1], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["adafactor_no_clipping", "adafactor_no_row_normalisation"])
def test_adafactors_mistakes_are_graded_on_its_factored_form(name):
    # the vector keeps the full average of g**2: there the wrong submission is still torch's
    # Adafactor, so only the matrix problem (row and column factors) can show the mistake
    fn = load_submission(str(STUDENTS / "wrong" / f"{name}.py:adafactor"))
    vector = drive(fn, "adafactor", "vector").params["w"]
    np.testing.assert_allclose(vector, np.array(CASES["torch/adafactor/vector"]["trajectory"]), rtol=1e-12, atol=1e-14)
    matrix = drive(fn, "adafactor", "matrix").params["w"]
    torch_matrix = np.array(CASES["torch/adafactor/matrix"]["trajectory"])
    assert np.max(np.abs(matrix[1] - torch_matrix[1])) > 1e-4
    # and the matrix problem is where torch's factored moments were recorded
    assert np.asarray(RECORDED["problems"]["matrix"]).ndim == 2


def test_adafactors_relative_step_and_eps1_forms_are_in_reach_of_checks_hyperparameters():
    # lr caps min(lr, 1/sqrt(t)) only until t = 11, so both branches of the relative step are run;
    # eps1 is large enough that the floor (torch) and the addition (the paper) are told apart
    lrs = lr_schedule(HYPER["adafactor"]["lr"], optimizer="adafactor")
    capped = [k for k in range(STEPS) if 1 / np.sqrt(k + 1) < lrs[k]]
    assert capped and len(capped) < STEPS
    recs = [_recording(CASES[f"torch/adafactor/{p}"]) for p in PROBLEMS]
    r = identify(recs, "adafactor", HYPER["adafactor"])
    assert r["match"]["conventions"] == {"adafactor_eps": "clamp"}
    added = [v for v in variants("adafactor", HYPER["adafactor"], mistakes=False)
             if _forms_of(v)["adafactor_eps"] == "add"]
    assert added and all(compare(recs, v, HYPER["adafactor"], 1e-9)["max_rel_error"] > 1e-4 for v in added)


def _forms_of(v):
    from descentlab.optim.conventions import PRESETS

    return {"adafactor_eps": v.conventions.get("adafactor_eps", PRESETS[v.preset]["adafactor"]["adafactor_eps"])}


def test_check_cli_grades_a_family_submission():
    out = subprocess.run([sys.executable, "-m", "descentlab", "check",
                          str(STUDENTS / "wrong" / "rprop_no_reset.py:rprop"), "-O", "rprop", "--json"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["optimizer"] == "rprop" and data["nearest"]["mistake"] == "rprop_no_reset"
    assert data["first_departure"]["step"] == 4


def test_rprop_replays_a_recorded_lr_as_its_initial_step_size():
    # Rprop refuses a schedule: a recording's lr per update (as a torch run logs it, even
    # constant) is read as the first step size, not turned into one
    case = CASES["torch/rprop/vector"]
    rec = _recording(case)
    rec.lr = np.full(STEPS, HYPER["rprop"]["lr"])
    rec.lr[STEPS // 2:] /= 2  # what a scheduler on torch's group["lr"] would log; Rprop never reads it
    r = identify([rec], "rprop", HYPER["rprop"])
    assert r["match"] is not None and r["max_rel_error"] <= 1e-12
