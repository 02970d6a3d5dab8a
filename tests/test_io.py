"""Atomic files and npz state without pickle."""
from __future__ import annotations

import os
import stat

import numpy as np
import pytest

from descentlab._io import atomic_write_text, dumps_json, load_arrays, save_arrays
from descentlab.errors import StateFileError


def test_atomic_write_gives_ordinary_permissions(tmp_path):
    p = atomic_write_text(tmp_path / "a" / "b.txt", "hi")
    assert p.read_text() == "hi"
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(p.stat().st_mode) == 0o666 & ~mask
    assert [f.name for f in p.parent.iterdir()] == ["b.txt"]  # no temporary left behind


def test_arrays_round_trip_and_truncation_is_reported(tmp_path):
    a = {"w": np.arange(6.0).reshape(2, 3), "n": np.array([1, 2], dtype=np.int32)}
    p = save_arrays(tmp_path / "s.npz", a, {"step": 3})
    got, meta = load_arrays(p)
    assert meta == {"step": 3}
    assert all(np.array_equal(got[k], a[k]) and got[k].dtype == a[k].dtype for k in a)
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
    with pytest.raises(StateFileError, match="truncated or corrupt"):
        load_arrays(p)


@pytest.mark.parametrize(
    "content, pattern",
    [(None, "existing state file"), (b"not a zip", "truncated or corrupt")],
)
def test_bad_state_files(tmp_path, content, pattern):
    p = tmp_path / "s.npz"
    if content is not None:
        p.write_bytes(content)
    with pytest.raises(StateFileError, match=pattern):
        load_arrays(p)


def test_foreign_npz_without_manifest(tmp_path):
    p = tmp_path / "f.npz"
    np.savez(p, x=np.zeros(2))
    with pytest.raises(StateFileError, match="manifest"):
        load_arrays(p)


def test_object_arrays_are_refused(tmp_path):
    with pytest.raises(TypeError, match="dtype=object"):
        save_arrays(tmp_path / "o.npz", {"o": np.array([{}], dtype=object)}, {})


def test_json_never_writes_bare_nan():
    assert dumps_json({"a": float("nan"), "b": np.float64("inf"), "c": np.arange(2)}, indent=None) == \
        '{"a": "nan", "b": "inf", "c": [0, 1]}'


def _npy(arr) -> bytes:
    import io

    buf = io.BytesIO()
    np.save(buf, np.asarray(arr), allow_pickle=False)
    return buf.getvalue()


def _raw_npz(path, members: dict) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name + ".npy", data)


def _manifest(obj) -> bytes:
    import json

    return _npy(np.frombuffer(json.dumps(obj).encode(), dtype=np.uint8))


def test_an_unsupported_compression_method_is_damage(tmp_path):
    p = save_arrays(tmp_path / "s.npz", {"w": np.zeros(3)}, {})
    data = bytearray(p.read_bytes())
    for sig, at in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):  # local headers, central directory
        i = data.find(sig)
        while i >= 0:
            data[i + at:i + at + 2] = (97).to_bytes(2, "little")  # a method zipfile does not implement
            i = data.find(sig, i + 4)
    p.write_bytes(bytes(data))
    with pytest.raises(StateFileError, match="truncated or corrupt"):
        load_arrays(p)


def test_a_manifest_nested_100000_deep_is_damage(tmp_path):
    p = tmp_path / "s.npz"
    _raw_npz(p, {"__manifest__": _npy(np.frombuffer(b"[" * 100_000 + b"]" * 100_000, dtype=np.uint8))})
    with pytest.raises(StateFileError, match="truncated or corrupt"):
        load_arrays(p)


def test_a_header_claiming_80_terabytes_is_refused_before_allocating(tmp_path):
    import io

    head = io.BytesIO()
    np.lib.format.write_array_header_1_0(head, {"descr": "<f8", "fortran_order": False, "shape": (10**13,)})
    p = tmp_path / "s.npz"
    table = {"w": {"dtype": "<f8", "shape": [10**13]}}
    _raw_npz(p, {"w": head.getvalue() + bytes(8),
                 "__manifest__": _manifest({"format": "descentlab-arrays", "arrays": table, "meta": {}})})
    with pytest.raises(StateFileError, match="claims 80000000000000 bytes"):
        load_arrays(p)


@pytest.mark.parametrize("manifest", [
    [], {"format": "descentlab-arrays", "arrays": [], "meta": {}},
    {"format": "descentlab-arrays", "arrays": {}, "meta": 3},
    {"format": 7, "arrays": {}, "meta": {}},
    {"format": "descentlab-arrays", "arrays": {"w": {"dtype": "<f8", "shape": [-1]}}, "meta": {}},
    {"format": "descentlab-arrays", "arrays": {"w": {"dtype": "<f8", "shape": "3"}}, "meta": {}},
    {"format": "descentlab-arrays", "arrays": {"w": 3}, "meta": {}},
])
def test_a_manifest_of_the_wrong_shape_is_damage(tmp_path, manifest):
    p = tmp_path / "s.npz"
    _raw_npz(p, {"w": _npy(np.zeros(3)), "__manifest__": _manifest(manifest)})
    with pytest.raises(StateFileError, match="manifest"):
        load_arrays(p)


# ---------------------------------------------------------------- symbolic links are written through


def _link(tmp_path, target_dir="real"):
    real = tmp_path / target_dir / "out.json"
    real.parent.mkdir(exist_ok=True)
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    return link, real


def test_atomic_write_through_a_link_replaces_the_target_and_keeps_the_link(tmp_path):
    link, real = _link(tmp_path)
    inode = real.stat().st_ino
    assert atomic_write_text(link, "new") == link
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new" and link.read_text() == "new"
    assert real.stat().st_ino != inode  # replaced by a rename (atomic), not rewritten in place
    # no temporary file is left in either folder
    assert sorted(p.name for p in real.parent.iterdir()) == ["out.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real"]


def test_a_dangling_link_and_a_chain_of_links_are_written_through(tmp_path):
    target = tmp_path / "made" / "later.txt"
    target.parent.mkdir()
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(target)
    atomic_write_text(dangling, "x")
    assert dangling.is_symlink() and target.read_text() == "x"
    chain = tmp_path / "chain.txt"
    chain.symlink_to(dangling)
    atomic_write_text(chain, "y")
    assert chain.is_symlink() and dangling.is_symlink() and target.read_text() == "y"


def test_save_arrays_through_a_link(tmp_path):
    link = tmp_path / "s.npz"
    real = tmp_path / "store" / "s.npz"
    real.parent.mkdir()
    link.symlink_to(real)
    save_arrays(link, {"a": np.arange(3.0)}, {"kind": "t"})
    assert link.is_symlink() and real.is_file()
    assert np.array_equal(load_arrays(link)[0]["a"], np.arange(3.0))


def test_replace_file_resolves_the_link_and_crosses_folders(tmp_path):
    from descentlab._io import replace_file

    link, real = _link(tmp_path)
    new = tmp_path / "new.tmp"  # in another folder than the link's target
    new.write_text("fresh")
    assert replace_file(new, link) == real
    assert link.is_symlink() and real.read_text() == "fresh" and not new.exists()
    assert sorted(p.name for p in real.parent.iterdir()) == ["out.json"]


def test_atomic_path_renames_on_success_and_leaves_the_target_on_failure(tmp_path):
    from descentlab._io import atomic_path

    link, real = _link(tmp_path)
    with pytest.raises(RuntimeError):
        with atomic_path(link, ".mp4") as tmp:
            assert tmp.parent == real.parent and tmp.suffix == ".mp4"
            tmp.write_bytes(b"half")
            raise RuntimeError("the writer died")
    assert real.read_text() == "old" and sorted(p.name for p in real.parent.iterdir()) == ["out.json"]
    with atomic_path(link, ".mp4") as tmp:
        tmp.write_bytes(b"movie")
    assert link.is_symlink() and real.read_bytes() == b"movie"
    assert stat.S_IMODE(real.stat().st_mode) == 0o666 & ~_umask()
    assert sorted(p.name for p in real.parent.iterdir()) == ["out.json"]


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_atomic_path_writes_a_character_device_through(tmp_path):
    from descentlab._io import atomic_path

    with atomic_path("/dev/null", ".mp4") as tmp:
        tmp.write_bytes(b"discarded")
    assert os.path.exists("/dev/null") and stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert not tmp.exists()


def test_a_loop_of_links_is_refused_with_a_sentence(tmp_path):
    from descentlab._io import atomic_write_bytes
    from descentlab.errors import StateFileError

    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(StateFileError, match=r"a loop of links.*point the link at a real file"):
        atomic_write_bytes(a, b"{}")
    assert a.is_symlink() and b.is_symlink()  # nothing replaced
