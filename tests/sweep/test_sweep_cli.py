"""`descentlab sweep run|status|export`: JSON on stdout, progress on stderr, errors in one sentence."""
from __future__ import annotations

import json

from descentlab.cli.main import main

STUDY = '''\
name = "cli-tiny"
problems = ["x2", "booth"]
optimizers = ["sgd", { name = "adam", hyper = { beta1 = 0.8 } }]
steps = 20
[search]
lr = { log_uniform = [1e-3, 0.5] }
[protocol]
kind = "random"
budget = 3
tune_seeds = [0]
test_seeds = [1, 2]
'''


def _run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_run_status_export(tmp_path, capsys):
    study = tmp_path / "study.toml"
    study.write_text(STUDY)
    db = tmp_path / "s.db"
    rc, out, err = _run(capsys, "sweep", "run", str(study), "--store", str(db), "--workers", "1", "--json")
    assert rc == 0, err
    res = json.loads(out)
    # per cell: 3 configs x 1 tune seed, best x 2 test seeds, default x 2 test seeds
    assert res["total"] == 4 * (3 + 2 + 2) and res["done"] == res["total"] and res["left"] == 0
    assert f"sweep cli-tiny: {res['total']}/{res['total']} runs in " in err and "0 failed" in err and "\r" not in err
    rc, out, _ = _run(capsys, "sweep", "status", "--store", str(db), "--json")
    assert rc == 0 and json.loads(out) == {"study": "cli-tiny", "total": 28, "done": 28, "failed": 0, "left": 0}
    rc, out, err = _run(capsys, "sweep", "run", str(study), "--store", str(db), "--workers", "1", "-q")
    assert rc == 0 and err == "" and "0 run now" in out
    rc, out, _ = _run(capsys, "sweep", "export", "--store", str(db), "-o", str(tmp_path / "runs.json"), "--json")
    assert rc == 0 and json.loads(out)["runs"] == 28
    assert len(json.loads((tmp_path / "runs.json").read_text())) == 28


def test_bad_inputs_exit_2_with_a_sentence(tmp_path, capsys):
    study = tmp_path / "study.toml"
    study.write_text(STUDY.replace('"booth"', '"boot"'))
    rc, out, err = _run(capsys, "sweep", "run", str(study), "--store", str(tmp_path / "s.db"))
    assert rc == 2 and "expected a problem among" in err and "(study.toml, line 2)" in err and "Traceback" not in err
    rc, _, err = _run(capsys, "sweep", "status", "--store", str(tmp_path / "nope.db"))
    assert rc == 2 and "expected an existing sweep store" in err
    rc, _, err = _run(capsys, "sweep", "run", "--store", str(tmp_path / "s.db"))
    assert rc == 2 and "a study file or --builtin NAME" in err
    rc, _, err = _run(capsys, "sweep", "run", "--builtin", "nope", "--store", str(tmp_path / "s.db"))
    assert rc == 2 and "built-in study among lecture, quick" in err


def test_report_writes_a_page(tmp_path, capsys):
    import pytest

    pytest.importorskip("matplotlib")
    study = tmp_path / "study.toml"
    study.write_text(STUDY)
    db = tmp_path / "s.db"
    assert main(["sweep", "run", str(study), "--store", str(db), "--workers", "1", "-q"]) == 0
    capsys.readouterr()
    rc, out, err = _run(capsys, "sweep", "report", "--store", str(db), "-o", str(tmp_path / "rep"), "--json")
    assert rc == 0, err
    assert json.loads(out)["path"].endswith("index.html") and (tmp_path / "rep" / "index.html").is_file()
