"""Checkpoints: exact resume (in process and after killing a subprocess), truncation, the .prev file."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from descentlab._io import load_arrays
from descentlab.data import minibatch, two_moons
from descentlab.errors import ConfigError, StateFileError
from descentlab.nn import mlp
from descentlab.optim import make_optimizer
from descentlab.optim import parse_schedule
from descentlab.train.checkpoint import load_checkpoint, previous_path
from descentlab.train.fit import fit


def _run(path=None, epochs=4, max_steps=None, resume=False, opt="adam"):
    net = mlp([2, 8, 2], "tanh", seed=0)
    lr = parse_schedule("exp:k=0.01", lr=0.05)
    o = make_optimizer(opt, lr=lr)
    h = fit(net, two_moons(90, seed=0), "auto", o, minibatch(16, seed=3), epochs, max_steps=max_steps,
            checkpoint=path, checkpoint_every=4, resume=resume, quiet=True)
    return net, h


@pytest.mark.parametrize("opt", ["adam", "momentum"])
def test_stopping_mid_epoch_and_resuming_is_bit_identical(tmp_path, opt):
    ref, h_ref = _run(opt=opt)
    ck = tmp_path / "run.npz"
    _run(ck, max_steps=13, opt=opt)  # 6 steps per epoch: stops inside the third epoch
    assert load_checkpoint(ck).step == 13
    # the stop at max_steps wrote a final checkpoint; resuming with more epochs continues it
    net, h = _run(ck, resume=True, opt=opt)
    for k, v in ref.params().items():
        assert np.array_equal(net.params()[k], v), k
    assert h.steps["loss"] == h_ref.steps["loss"] and h.n_steps == 24


def test_resume_from_a_periodic_checkpoint_is_bit_identical(tmp_path):
    ref, _ = _run()
    ck = tmp_path / "run.npz"
    _run(ck, epochs=4)
    # replace the final checkpoint by the periodic one written at step 20 (mid-epoch 4)
    c = load_checkpoint(previous_path(ck))
    assert c.step == 20 and c.meta["loop"]["batch"] == 2
    os.replace(previous_path(ck), ck)
    net, _ = _run(ck, resume=True)
    for k, v in ref.params().items():
        assert np.array_equal(net.params()[k], v), k


def test_a_truncated_checkpoint_is_detected_and_the_previous_one_kept(tmp_path):
    ck = tmp_path / "run.npz"
    _run(ck, epochs=2)
    good_prev = previous_path(ck).read_bytes()
    data = ck.read_bytes()
    ck.write_bytes(data[: len(data) // 2])
    with pytest.raises(StateFileError, match="truncated or corrupt"):
        load_checkpoint(ck, fallback=False)
    with pytest.warns(RuntimeWarning, match="previous good checkpoint"):
        c = load_checkpoint(ck)
    assert c.path == previous_path(ck)
    # saving over the corrupt file replaces it but never moves it onto the good .prev
    from descentlab.train.checkpoint import LoopPosition, save_checkpoint
    from descentlab.train.history import History
    from descentlab.data import full

    net = mlp([2, 8, 2], "tanh", seed=0)
    opt = make_optimizer("sgd", lr=0.1)
    save_checkpoint(ck, net, opt, opt.init(net.params()), full(), LoopPosition(), History())
    assert previous_path(ck).read_bytes() == good_prev
    load_arrays(ck)


def test_resume_refuses_a_different_optimizer(tmp_path):
    ck = tmp_path / "run.npz"
    _run(ck, max_steps=5)
    with pytest.raises(ConfigError, match="optimizer the checkpoint was made with"):
        _run(ck, resume=True, opt="momentum")


def test_not_a_checkpoint_is_refused(tmp_path):
    from descentlab._io import save_arrays

    save_arrays(tmp_path / "x.npz", {"a": np.zeros(2)}, {"format": "other"})
    with pytest.raises(StateFileError, match="training checkpoint"):
        load_checkpoint(tmp_path / "x.npz", fallback=False)


CMD = [sys.executable, "-m", "descentlab", "train", "two_moons", "--hidden", "16", "--epochs", "6",
       "--batching", "minibatch:8", "--optimizer", "adam", "--lr", "0.01", "--seed", "1", "--quiet",
       "--checkpoint-every", "3"]


def _final_weights(path: Path) -> dict:
    c = load_checkpoint(path, fallback=False)
    assert c.done
    return c.params


ENV = {**os.environ, "PYTHONHASHSEED": "0"}


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """The checkpoint of one uninterrupted run, shared by the kill tests."""
    ref = tmp_path_factory.mktemp("ref") / "ref.npz"
    subprocess.run([*CMD, "--checkpoint", str(ref)], check=True, env=ENV, timeout=120)
    return ref


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killing_descentlab_train_and_resuming_gives_identical_weights(tmp_path, sig, uninterrupted):
    env, ref = ENV, uninterrupted
    ck = tmp_path / "killed.npz"
    # --throttle sleeps after each step so the signal lands while the run is in progress
    proc = subprocess.Popen([*CMD, "--checkpoint", str(ck), "--throttle", "0.02"], env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        if ck.is_file():
            try:
                if load_checkpoint(ck, fallback=False).step >= 20:
                    break
            except StateFileError:
                pass
        time.sleep(0.02)
    proc.send_signal(sig)
    proc.wait(timeout=30)
    assert proc.returncode != 0
    if sig == signal.SIGTERM:  # handled: the step in progress finishes and is saved
        assert proc.returncode == 128 + signal.SIGTERM
        assert load_checkpoint(ck, fallback=False).meta["stop"]["kind"] == "interrupted"
    killed_at = load_checkpoint(ck).step
    total = load_checkpoint(ref).step
    assert 0 < killed_at < total and not load_checkpoint(ck).done
    subprocess.run([*CMD, "--checkpoint", str(ck), "--resume"], check=True, env=env, timeout=120)
    a, b = _final_weights(ref), _final_weights(ck)
    assert a.keys() == b.keys()
    for k in a:
        assert np.array_equal(a[k], b[k]), k


def test_an_interrupt_leaves_a_resumable_checkpoint(tmp_path):
    ref, h_ref = _run()
    ck = tmp_path / "run.npz"
    net = mlp([2, 8, 2], "tanh", seed=0)
    h = fit(net, two_moons(90, seed=0), "auto", make_optimizer("adam", lr=parse_schedule("exp:k=0.01", lr=0.05)),
            minibatch(16, seed=3), 4, checkpoint=ck, quiet=True,
            callbacks=[lambda event, info: "interrupt" if info["step"] == 7 else None])
    assert h.stop.kind == "interrupted" and h.stop.step == 7
    c = load_checkpoint(ck, fallback=False)
    assert not c.done and c.step == 7
    net, h = _run(ck, resume=True)
    assert h.stop.kind == "max_steps" and h.steps["loss"] == h_ref.steps["loss"]
    for k, v in ref.params().items():
        assert np.array_equal(net.params()[k], v), k


def test_a_crash_while_saving_never_leaves_the_path_without_a_good_checkpoint(tmp_path, monkeypatch):
    import descentlab.train.checkpoint as ckmod

    ck = tmp_path / "run.npz"
    _run(ck, max_steps=5)
    real_replace = os.replace

    def crash_before_the_new_file_lands(src, dst):
        if Path(dst) == ck:
            raise KeyboardInterrupt("killed")
        real_replace(src, dst)

    monkeypatch.setattr(ckmod.os, "replace", crash_before_the_new_file_lands)
    with pytest.raises(KeyboardInterrupt):
        _run(ck, max_steps=9, resume=True)
    # killed while writing its next checkpoint: the one of step 5 is still at the path itself
    c = load_checkpoint(ck, fallback=False)
    assert c.step == 5 and load_checkpoint(previous_path(ck), fallback=False).step == 5


def test_resume_refuses_another_seed_or_data(tmp_path):
    ck = tmp_path / "run.npz"
    _run(ck, max_steps=5)
    net = mlp([2, 8, 2], "tanh", seed=0)
    opt = make_optimizer("adam", lr=parse_schedule("exp:k=0.01", lr=0.05))
    with pytest.raises(ConfigError, match=r"seed=0.*got seed=1.*same data, seed"):
        fit(net, two_moons(90, seed=0), "auto", opt, minibatch(16, seed=3), 4, checkpoint=ck, resume=True, seed=1,
            quiet=True)
    with pytest.raises(ConfigError, match=r"samples=90.*got samples=80"):
        fit(net, two_moons(80, seed=0), "auto", opt, minibatch(16, seed=3), 4, checkpoint=ck, resume=True, quiet=True)


def test_an_interrupt_after_the_last_step_resumes_to_a_finished_run(tmp_path):
    ck = tmp_path / "run.npz"
    net = mlp([2, 8, 2], "tanh", seed=0)
    h = fit(net, two_moons(90, seed=0), "auto", make_optimizer("adam", lr=parse_schedule("exp:k=0.01", lr=0.05)),
            minibatch(16, seed=3), 4, checkpoint=ck, quiet=True,
            callbacks=[lambda event, info: "interrupt" if event == "epoch" and info["epoch"] == 3 else None])
    assert h.stop.kind == "interrupted" and h.n_epochs == 4 and not load_checkpoint(ck).done
    _, h2 = _run(ck, resume=True)
    assert h2.stop.kind == "max_steps" and h2.n_steps == 24 and load_checkpoint(ck).done


def _same(c, arrays, meta):
    return c.meta == meta and c.arrays.keys() == arrays.keys() and all(
        c.arrays[k].dtype == v.dtype and np.array_equal(c.arrays[k], v) for k, v in arrays.items())


@pytest.mark.slow
@pytest.mark.parametrize("part", range(3))  # every offset, in three interleaved parts that run in parallel
def test_a_flipped_byte_anywhere_is_read_identically_or_reported_as_damage(tmp_path, part):
    import warnings

    from descentlab.data import full
    from descentlab.train.checkpoint import LoopPosition, save_checkpoint
    from descentlab.train.history import History

    ck = tmp_path / "run.npz"
    net = mlp([2, 1], "tanh", seed=0)
    opt = make_optimizer("sgd", lr=0.1)
    for _ in range(2):  # the second save keeps the first as .prev
        save_checkpoint(ck, net, opt, opt.init(net.params()), full(), LoopPosition(), History())
    ref = load_checkpoint(ck, fallback=False)
    good = ck.read_bytes()
    damaged, offsets = 0, range(part, len(good), 3)
    for at in offsets:
        bad = bytearray(good)
        bad[at] ^= 0xFF
        ck.write_bytes(bytes(bad))
        try:
            c = load_checkpoint(ck, fallback=False)
        except StateFileError:
            damaged += 1
            with warnings.catch_warnings(record=True) as said:
                warnings.simplefilter("always")
                c = load_checkpoint(ck)
            assert c.path == previous_path(ck) and len(said) == 1, at
        assert _same(c, ref.arrays, ref.meta), at
    assert damaged > len(offsets) // 2  # most bytes matter (CRCs, headers, data)


def test_leftovers_of_a_killed_save_are_removed_when_the_next_run_starts(tmp_path):
    ck = tmp_path / "run.npz"
    _run(ck, max_steps=5)
    left = [tmp_path / "run.npz.new", tmp_path / "run.npz.prev.new", tmp_path / ".run.npz.new.abc123.tmp"]
    for f in left:
        f.write_bytes(b"half")
    other = tmp_path / ".other.npz.new.abc123.tmp"
    other.write_bytes(b"not ours")
    _run(ck, resume=True)
    assert not any(f.exists() for f in left) and other.exists()


def test_a_second_run_on_the_same_checkpoint_is_refused(tmp_path):
    from descentlab.train.checkpoint import checkpoint_lock

    ck = tmp_path / "run.npz"
    with checkpoint_lock(ck):
        with pytest.raises(ConfigError, match="another run holds run.npz.lock"):
            _run(ck, max_steps=2)
    _run(ck, max_steps=2)  # the lock is released with its holder


def test_a_second_cli_run_exits_2_with_a_sentence(tmp_path):
    ck = tmp_path / "run.npz"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from descentlab.train.checkpoint import checkpoint_lock\n"
        f"with checkpoint_lock({str(ck)!r}):\n    print('held', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        r = subprocess.run([sys.executable, "-m", "descentlab", "train", "iris", "--epochs", "1", "--checkpoint", str(ck)],
                           capture_output=True, text=True)
    finally:
        holder.kill()
        holder.wait()
    assert r.returncode == 2 and "another run holds run.npz.lock" in r.stderr and "Traceback" not in r.stderr


def test_a_new_run_over_an_existing_checkpoint_needs_overwrite(tmp_path):
    ck = tmp_path / "run.npz"
    _run(ck, max_steps=3)
    kept = ck.read_bytes()
    with pytest.raises(ConfigError, match="overwrite=True"):
        _run(ck, max_steps=5)
    assert ck.read_bytes() == kept
    net = mlp([2, 8, 2], "tanh", seed=0)
    fit(net, two_moons(90, seed=0), "auto", make_optimizer("sgd", lr=0.1), minibatch(16, seed=3), 1,
        checkpoint=ck, overwrite=True, quiet=True)
    assert load_checkpoint(ck).meta["optimizer"]["name"] == "sgd"


def test_a_checkpoint_path_that_is_a_symlink_is_written_through_and_resumes(tmp_path):
    real = tmp_path / "disk" / "run.npz"
    real.parent.mkdir()
    link = tmp_path / "run.npz"
    link.symlink_to(real)  # dangling until the first save
    ref, _ = _run()
    _run(link, max_steps=13)
    assert link.is_symlink() and real.is_file() and load_checkpoint(link).step == 13
    net, _ = _run(link, resume=True)
    for k, v in ref.params().items():
        assert np.array_equal(net.params()[k], v), k
    # the link is kept; the .prev and the lock sit beside the file it names
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert previous_path(real).is_file() and not previous_path(link).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["disk", "run.npz"]


LBFGS_CMD = [sys.executable, "-m", "descentlab", "train", "two_moons", "--hidden", "8", "--epochs", "12",
             "--batching", "full", "--optimizer", "lbfgs", "--set", "max_iter=4", "--set", "history_size=3",
             "--seed", "1", "--quiet", "--checkpoint-every", "1"]


def test_killing_an_lbfgs_run_and_resuming_gives_identical_weights(tmp_path):
    # L-BFGS's memory (pairs, direction, counters) is in the checkpoint: a SIGKILL mid-run loses nothing
    ref, ck = tmp_path / "ref.npz", tmp_path / "killed.npz"
    subprocess.run([*LBFGS_CMD, "--checkpoint", str(ref)], check=True, env=ENV, timeout=120)
    proc = subprocess.Popen([*LBFGS_CMD, "--checkpoint", str(ck), "--throttle", "0.1"], env=ENV)
    deadline = time.time() + 60
    while time.time() < deadline:
        if ck.is_file():
            try:
                if load_checkpoint(ck, fallback=False).step >= 4:
                    break
            except StateFileError:
                pass
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    killed = load_checkpoint(ck)
    assert 0 < killed.step < load_checkpoint(ref).step and killed.meta["opt_state"]["lbfgs"]["n_iter"] > 0
    subprocess.run([*LBFGS_CMD, "--checkpoint", str(ck), "--resume"], check=True, env=ENV, timeout=120)
    a, b = _final_weights(ref), _final_weights(ck)
    for k in a:
        assert np.array_equal(a[k], b[k]), k
