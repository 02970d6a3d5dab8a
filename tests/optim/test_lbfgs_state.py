"""L-BFGS's memory on disk and in records: exact resume, against torch.optim.LBFGS 2.13 as well.

A run stopped after k steps, saved with save_state, rebuilt from the file and continued
must ask for the same points and end on the same bits as a run never stopped. PyTorch is
the reference that is not ours: its LBFGS, stopped after k steps, its state_dict loaded
into a fresh LBFGS and continued, must agree with descentlab's resumed run (to 1e-10, as
the closure-by-closure comparison in test_lbfgs.py), and its state after each step gives
the numbers a record must show (t, closure evaluations, direction, history length).
"""
from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import numpy as np
import pytest

from descentlab.errors import StateFileError
from descentlab.optim import load_state, make_optimizer, save_state

LSQ = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "lbfgs_torch.json").read_text())["problems"]["lstsq"]
X, Y = np.array(LSQ["X"]), np.array(LSQ["y"])
RTOL = 1e-10

# (problem, hyperparameters): short max_iter and history so that several steps run and the history wraps
CASES = [
    ("rosenbrock", {"max_iter": 4, "history_size": 3}),
    ("rosenbrock", {"max_iter": 3, "history_size": 4, "line_search": "strong_wolfe"}),
    ("lstsq", {"max_iter": 4, "history_size": 2, "lr": 0.5}),
    ("lstsq", {"max_iter": 4, "history_size": 3, "line_search": "strong_wolfe"}),
]
IDS = [f"{p}-{h.get('line_search', 'none')}-h{h['history_size']}" for p, h in CASES]
STEPS, STOP_AT = 7, 3


def start(problem):
    if problem == "rosenbrock":
        return {"x": np.array([-1.5, 2.0])}
    return {"w": np.array(LSQ["w0"], dtype=float), "b": np.array(LSQ["b0"], dtype=float)}


def closure_for(problem, calls):
    def closure(params):
        if problem == "rosenbrock":
            x = params["x"]
            r = x[1] - x[0] * x[0]
            calls.append(x.copy())
            return (1.0 - x[0]) ** 2 + 100.0 * r * r, {"x": np.array([-2.0 * (1.0 - x[0]) - 400.0 * x[0] * r, 200.0 * r])}
        r = X @ params["w"] + params["b"] - Y
        calls.append(np.concatenate([params["w"], np.ravel(params["b"])]))
        return 0.5 * float(r @ r) / len(Y), {"w": X.T @ r / len(Y), "b": np.asarray(np.sum(r) / len(Y))}
    return closure


def steps(opt, params, state, n, calls, problem, record=False):
    closure = closure_for(problem, calls)
    return [opt.step_closure(params, closure, state, record=record) for _ in range(n)]


@pytest.mark.parametrize("problem,hyper", CASES, ids=IDS)
def test_stopped_saved_and_resumed_is_bit_identical(tmp_path, problem, hyper):
    opt = make_optimizer("lbfgs", **hyper)
    straight, calls_straight = start(problem), []
    s = opt.init(straight)
    steps(opt, straight, s, STEPS, calls_straight, problem)

    part, calls_part = start(problem), []
    s1 = opt.init(part)
    steps(opt, part, s1, STOP_AT, calls_part, problem)
    assert s1.lbfgs.history > 0 and s1.lbfgs.n_iter > STOP_AT  # there is a history to lose
    path = save_state(tmp_path / "lbfgs.npz", s1, opt)
    saved = {n: p.copy() for n, p in part.items()}
    del opt, s1, part
    state, opt2 = load_state(path, params=saved)  # the optimizer rebuilt from the file
    assert state.step == STOP_AT and opt2.hyper == make_optimizer("lbfgs", **hyper).hyper
    steps(opt2, saved, state, STEPS - STOP_AT, calls_part, problem)

    assert len(calls_part) == len(calls_straight)
    for a, b in zip(calls_part, calls_straight):
        assert np.array_equal(a, b)
    for n in straight:
        assert np.array_equal(saved[n], straight[n]), n
    assert state.equals(s)


def test_without_its_memory_a_resume_would_differ(tmp_path):
    # the test above can fail: continuing from the same point with a fresh memory asks for other points
    problem, hyper = CASES[0]
    opt = make_optimizer("lbfgs", **hyper)
    straight, part, c1, c2 = start(problem), start(problem), [], []
    s = opt.init(straight)
    steps(opt, straight, s, STEPS, c1, problem)
    s1 = opt.init(part)
    steps(opt, part, s1, STOP_AT, c2, problem)
    fresh = opt.init(part)
    steps(opt, part, fresh, STEPS - STOP_AT, c2, problem)
    assert not np.array_equal(part["x"], straight["x"])


def test_the_file_holds_every_field_and_no_pickle(tmp_path):
    opt = make_optimizer("lbfgs", max_iter=3, history_size=2)
    params = start("rosenbrock")
    state = opt.init(params)
    steps(opt, params, state, 2, [], "rosenbrock")
    path = save_state(tmp_path / "s.npz", state, opt)
    with np.load(path, allow_pickle=False) as z:
        names = set(z.files)
        assert z["lbfgs.old_dirs.npy" if "lbfgs.old_dirs.npy" in names else "lbfgs.old_dirs"].shape == (2, 2)
    assert {f"lbfgs.{k}" for k in ("scalars", "ro", "al", "d", "prev_flat_grad", "old_dirs", "old_stps")} <= names
    mem = load_state(path).state.lbfgs
    assert (mem.func_evals, mem.n_iter, mem.t, mem.H_diag, mem.prev_loss, mem.ro) == (
        state.lbfgs.func_evals, state.lbfgs.n_iter, state.lbfgs.t, state.lbfgs.H_diag, state.lbfgs.prev_loss,
        state.lbfgs.ro)


def test_a_fresh_state_round_trips(tmp_path):
    opt = make_optimizer("lbfgs")
    params = start("lstsq")
    state = opt.init(params)
    loaded, _ = load_state(save_state(tmp_path / "s.npz", state, opt), params=params)
    assert loaded.equals(state) and loaded.lbfgs.d is None and loaded.lbfgs.t is None


@pytest.fixture
def lbfgs_file(tmp_path):
    opt = make_optimizer("lbfgs", max_iter=3)
    params = start("rosenbrock")
    state = opt.init(params)
    steps(opt, params, state, 2, [], "rosenbrock")
    return save_state(tmp_path / "s.npz", state, opt), params


def test_wrong_model_or_optimizer_is_refused_with_a_sentence(lbfgs_file, tmp_path):
    path, params = lbfgs_file
    with pytest.raises(StateFileError, match=r"L-BFGS vectors of 3 entries.*got length \[2\]"):
        load_state(path, params={"x": np.zeros(3)})
    with pytest.raises(StateFileError, match=r"a state saved by adam with the same hyperparameters.*name 'lbfgs'"):
        load_state(path, opt=make_optimizer("adam"), params=params)
    adam = make_optimizer("adam", lr=lambda k: 0.1)  # no config in the file: the buffers are what is checked
    other = save_state(tmp_path / "adam.npz", adam.init(params), adam)
    with pytest.raises(StateFileError, match=r"a state saved by lbfgs, got per-parameter buffers"):
        load_state(other, opt=make_optimizer("lbfgs"), params=params)


def test_a_damaged_memory_is_refused_with_a_sentence(lbfgs_file, tmp_path):
    from descentlab._io import load_arrays, save_arrays

    path, params = lbfgs_file
    arrays, meta = load_arrays(path)
    bad = dict(arrays)
    bad["lbfgs.old_stps"] = bad["lbfgs.old_stps"][:1]
    save_arrays(tmp_path / "a.npz", bad, meta)
    with pytest.raises(StateFileError, match=r"pairs \(s, y\) of one length.*Fix: the file is corrupt"):
        load_state(tmp_path / "a.npz")
    meta2 = json.loads(json.dumps(meta))
    meta2["lbfgs"]["n_iter"] = -1
    save_arrays(tmp_path / "b.npz", arrays, meta2)
    with pytest.raises(StateFileError, match=r"L-BFGS counter n_iter >= 0"):
        load_state(tmp_path / "b.npz")


def test_fit_full_batch_with_lbfgs_resumes_from_its_checkpoint_bit_identically(tmp_path):
    from descentlab.data import full, two_moons
    from descentlab.nn import mlp
    from descentlab.train.checkpoint import load_checkpoint
    from descentlab.train.fit import fit

    def run(epochs, ck=None, max_steps=None, resume=False):
        net = mlp([2, 6, 2], "tanh", seed=0)
        h = fit(net, two_moons(40, seed=0), "auto", make_optimizer("lbfgs", max_iter=4, history_size=3), full(),
                epochs, max_steps=max_steps, checkpoint=ck, resume=resume, quiet=True)
        return net, h

    ref, h_ref = run(6)
    ck = tmp_path / "run.npz"
    run(6, ck, max_steps=3)
    assert load_checkpoint(ck).step == 3
    assert load_checkpoint(ck).meta["opt_state"]["lbfgs"]["n_iter"] > 3
    net, h = run(6, ck, resume=True)
    for k, v in ref.params().items():
        assert np.array_equal(net.params()[k], v), k
    assert h.steps["loss"] == h_ref.steps["loss"] and h.n_steps == 6


# ---------------------------------------------------------------- torch.optim.LBFGS, the reference


def _torch_run(torch, problem, hyper, n, sd=None):
    """n steps of torch.optim.LBFGS (from ``sd`` if given); (params, state after each step, state_dict)."""
    kw = {"lr": hyper.get("lr", 1.0), "max_iter": hyper["max_iter"], "history_size": hyper["history_size"],
          "line_search_fn": hyper.get("line_search")}
    ps = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in start(problem).values()]
    if sd is not None:
        with torch.no_grad():
            for p, a in zip(ps, sd["params"]):
                p.copy_(a)
    opt = torch.optim.LBFGS(ps, **kw)
    if sd is not None:
        opt.load_state_dict(sd["opt"])
    Xt, Yt = torch.tensor(X), torch.tensor(Y)

    def closure():
        opt.zero_grad()
        if problem == "rosenbrock":
            x = ps[0]
            loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
        else:
            r = Xt @ ps[0] + ps[1] - Yt
            loss = 0.5 * (r @ r) / len(Y)
        loss.backward()
        return loss

    after = []
    for _ in range(n):
        opt.step(closure)
        st = opt.state[ps[0]]
        after.append({"t": float(st["t"]), "func_evals": st["func_evals"], "n_iter": st["n_iter"],
                      "d_norm": float(st["d"].norm()), "history": len(st["old_dirs"]),
                      "H_diag": float(st["H_diag"]), "params": [p.detach().numpy().copy() for p in ps]})
    buf = io.BytesIO()
    torch.save({"opt": opt.state_dict(), "params": [p.detach().clone() for p in ps]}, buf)
    buf.seek(0)
    return after, torch.load(buf)


def _rel(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-3)))


@pytest.mark.parametrize("problem,hyper", CASES, ids=IDS)
def test_resume_agrees_with_torch_state_dict_resume(tmp_path, problem, hyper):
    torch = pytest.importorskip("torch")
    first, sd = _torch_run(torch, problem, hyper, STOP_AT)
    # a deep copy: torch's load_state_dict keeps the lists and tensors given, and its steps change them in place
    then, _ = _torch_run(torch, problem, hyper, STEPS - STOP_AT, copy.deepcopy(sd))

    opt = make_optimizer("lbfgs", **hyper)
    params = start(problem)
    state = opt.init(params)
    steps(opt, params, state, STOP_AT, [], problem)
    mem, st = state.lbfgs, sd["opt"]["state"][0]
    # the saved memory is torch's, field by field
    assert (mem.func_evals, mem.n_iter, len(mem.old_dirs)) == (st["func_evals"], st["n_iter"], len(st["old_dirs"]))
    for ours, theirs in [(mem.d, st["d"]), (mem.prev_flat_grad, st["prev_flat_grad"]), (mem.t, st["t"]),
                         (mem.H_diag, st["H_diag"]), (mem.prev_loss, st["prev_loss"]),
                         (mem.ro, [float(r) for r in st["ro"]]), (mem.al, [float(a) for a in st["al"][:len(mem.al)]]),
                         (np.stack(mem.old_dirs), np.stack([v.numpy() for v in st["old_dirs"]])),
                         (np.stack(mem.old_stps), np.stack([v.numpy() for v in st["old_stps"]]))]:
        assert _rel(ours, theirs) <= RTOL
    path = save_state(tmp_path / "s.npz", state, opt)
    saved = {n: p.copy() for n, p in params.items()}
    state2, opt2 = load_state(path, params=saved)
    records = steps(opt2, saved, state2, STEPS - STOP_AT, [], problem, record=True)
    for rec, want in zip(records, then):
        d = rec.details
        assert (d["func_evals"], d["n_iter"], d["history"]) == (want["func_evals"], want["n_iter"], want["history"])
        assert _rel(d["t"], want["t"]) <= RTOL and _rel(d["direction_norm"], want["d_norm"]) <= RTOL
        assert _rel(d["H_diag"], want["H_diag"]) <= RTOL
    assert _rel(np.concatenate([np.ravel(a) for a in saved.values()]),
                np.concatenate([np.ravel(a) for a in then[-1]["params"]])) <= RTOL


def test_record_per_step_matches_torch_state_from_the_start():
    torch = pytest.importorskip("torch")
    problem, hyper = CASES[1]
    want, _ = _torch_run(torch, problem, hyper, STEPS)
    opt = make_optimizer("lbfgs", **hyper)
    params = start(problem)
    state = opt.init(params)
    calls = []
    evals_before = 0
    for k, w in enumerate(want):
        before = params["x"].copy()
        rec = steps(opt, params, state, 1, calls, problem, record=True)[0]
        d = rec.details
        assert rec.step == k and d["evaluations"] == w["func_evals"] - evals_before == len(calls) - evals_before
        evals_before = w["func_evals"]
        assert (d["n_iter"], d["history"]) == (w["n_iter"], w["history"])
        assert _rel(d["t"], w["t"]) <= RTOL and d["t_per_iteration"][-1] == d["t"]
        assert _rel(d["direction_norm"], w["d_norm"]) <= RTOL
        assert np.linalg.norm(rec.buffers["x"]["d"]) == d["direction_norm"]
        assert rec.buffers["x"]["s"].shape == (d["history"], 2)
        assert np.array_equal(rec.update["x"], params["x"] - before)
        assert _rel(params["x"], w["params"][0]) <= RTOL


def test_minimize_records_lbfgs_and_the_cli_prints_it(capsys):
    from descentlab.cli.main import main
    from descentlab.train.minimize import minimize

    tr = minimize("rosenbrock", None, "lbfgs", max_iter=5, steps=4, record=True, seed=0)
    assert len(tr.records) == tr.steps == 4
    # without the line search every iteration after the first takes t = lr
    assert all(r.details["t_per_iteration"][1:] == [1.0] * (len(r.details["t_per_iteration"]) - 1)
               for r in tr.records)
    assert [r.details["n_iter"] for r in tr.records] == list(np.cumsum([r.details["iterations"] for r in tr.records]))
    for r, row in zip(tr.records, tr.update):
        assert np.array_equal(r.update["x"], row)
    rc = main(["minimize", "rosenbrock", "--optimizer", "lbfgs", "--set", "max_iter=5", "--steps", "4", "--record",
               "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert [r["details"] for r in out["records"]] == [json.loads(json.dumps(r.details)) for r in tr.records]
    assert set(out["records"][0]["buffers"]["x"]) == {"d", "prev_flat_grad", "s", "y"}


def test_a_step_at_a_stationary_point_counts_and_leaves_the_memory(tmp_path):
    # as PyTorch: max|g| <= tolerance_grad makes no iteration; the step counter still moves
    opt = make_optimizer("lbfgs", max_iter=20)
    params = {"x": np.array([1.0, 1.0])}  # Rosenbrock's minimum: the gradient is 0
    state = opt.init(params)
    rec = steps(opt, params, state, 2, [], "rosenbrock", record=True)[-1]
    assert state.step == 2 and state.lbfgs.n_iter == 0 and state.lbfgs.func_evals == 2
    assert rec.step == 1 and rec.details["iterations"] == 0 and rec.details["evaluations"] == 1
    assert "no iteration" in rec.note and np.array_equal(params["x"], [1.0, 1.0])
    loaded, _ = load_state(save_state(tmp_path / "s.npz", state, opt), params=params)
    assert loaded.equals(state)
