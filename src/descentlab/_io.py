"""Files that are never half-written, and arrays that load without pickle.

* :func:`atomic_write_bytes` / :func:`atomic_write_text` write to a temporary file in
  the destination folder, flush and fsync it, then ``os.replace`` it over the target, so
  a reader sees either the old file or the new one, never a torn one.
* A ``path`` that is a symbolic link is written through: the file it points to is
  replaced atomically (:func:`resolve_link`), the link stays. ``os.replace`` onto the
  link itself would replace the link by a regular file and leave its target stale.
  :func:`atomic_path` gives the same guarantee to writers that need a file name (ffmpeg),
  and :func:`replace_file` to a rename of a file already written.
* :func:`save_arrays` / :func:`load_arrays` store named NumPy arrays plus a JSON
  manifest in one ``.npz``; loading uses ``allow_pickle=False`` and checks the manifest,
  so a truncated or foreign file fails with a sentence, not deep inside NumPy.
* :func:`to_jsonable` turns NumPy values into plain JSON types; non-finite floats
  become the strings ``"nan"``, ``"inf"`` and ``"-inf"`` so they are never lost
  silently (JSON has no NaN).
"""
from __future__ import annotations

import contextlib
import errno
import io
import json
import math
import os
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from .errors import StateFileError, expected

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "save_arrays",
    "load_arrays",
    "to_jsonable",
    "dumps_json",
    "ensure_parent",
    "special_file",
    "check_special_output",
    "resolve_link",
    "atomic_path",
    "replace_file",
]

_MANIFEST_KEY = "__manifest__"


def ensure_parent(path: str | os.PathLike, *, create: bool = True, regular: bool = False) -> Path:
    """Return ``path`` as a Path whose folder exists (created if ``create``).

    A character device or a FIFO is returned as it is (it is written through), a block
    device or a socket refused; with ``regular=True`` (a checkpoint, which is read back)
    every special file is refused. Otherwise raises a clear ``FileNotFoundError`` when the folder is missing and ``create`` is
    false, ``NotADirectoryError`` (naming ``path``) when the folder is a regular file, or
    ``PermissionError`` when it cannot be written.
    """
    p = Path(path)
    what = check_special_output(p)
    if what is not None and regular:
        raise StateFileError(expected("a path to a regular file (it is read back later)", f"{p} (a {what})",
                                      "name a file, e.g. run.npz"))
    if what is not None:
        return p  # a device or FIFO is written through: its folder needs no write access
    parent = p.parent if str(p.parent) else Path(".")
    if parent.exists() and not parent.is_dir():
        # a regular file where the folder should be: say so now, not at the first write
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(p))
    if not parent.exists():
        if not create:
            raise FileNotFoundError(expected("an existing folder", str(parent), "create it first"))
        parent.mkdir(parents=True, exist_ok=True)
    if not os.access(parent, os.W_OK):
        raise PermissionError(expected("a writable folder", str(parent), "choose another output path"))
    return p


def special_file(path: str | os.PathLike) -> str | None:
    """What ``path`` is when it exists and is neither a regular file nor a folder.

    Returns ``"character device"``, ``"FIFO"``, ``"block device"`` or ``"socket"``, or
    None for a regular file, a folder or a path that does not exist. Such a path is
    never replaced by a regular file (as root, ``os.replace`` over ``/dev/null`` would
    do exactly that).
    """
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    for test, what in ((stat.S_ISCHR, "character device"), (stat.S_ISFIFO, "FIFO"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket")):
        if test(mode):
            return what
    return None


def check_special_output(path: str | os.PathLike) -> str | None:
    """Refuse, before any work, an output path that is a block device or a socket.

    A character device (``/dev/null``, a terminal) and a FIFO are written through;
    they are returned by name so a caller may skip what only a regular file needs.
    """
    what = special_file(path)
    if what in ("block device", "socket"):
        raise StateFileError(expected("an output path that is a regular file, a character device or a FIFO",
                                      f"{os.fspath(path)} (a {what})",
                                      "choose a file name; descentlab never writes onto a disk or a socket"))
    return what


def _write_through(path: Path, data: bytes, what: str) -> Path:
    """Write ``data`` into an existing character device or FIFO, never replacing it."""
    flags = os.O_WRONLY | (os.O_NONBLOCK if what == "FIFO" else 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a FIFO that nobody reads: writing would block forever
            raise StateFileError(expected("a FIFO with a reader on its other end", f"{path} (no reader)",
                                          "start the reader first (e.g. cat < fifo), or write to a regular file")) from None
        raise
    try:
        if what == "FIFO":
            os.set_blocking(fd, True)  # the reader is there: let a full pipe wait for it
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    return path


def resolve_link(path: str | os.PathLike) -> Path:
    """``path``, or, when it is a symbolic link (a chain of them, or a dangling one), the file it names.

    Writers resolve first so that the rename that makes a write atomic lands on the
    link's target, in the target's folder, and the link itself is kept.
    """
    p = Path(path)
    if not p.is_symlink():
        return p
    target = Path(os.path.realpath(p))
    if target.is_symlink():  # realpath stops where a chain of links comes back on itself
        raise StateFileError(expected("a symbolic link that ends at a file or at a free name", f"{p} (a loop of links)",
                                      "point the link at a real file, or remove it"))
    return target


def replace_file(src: str | os.PathLike, dst: str | os.PathLike) -> Path:
    """``os.replace(src, dst)`` with ``dst`` resolved through a symbolic link; returns the path written.

    When the link's target is in another folder (maybe another file system), ``src`` is
    first copied beside the target, so the final step is still one atomic rename.
    """
    src, target = Path(src), resolve_link(dst)
    if os.path.realpath(src.parent) != os.path.realpath(target.parent):
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
                shutil.copyfileobj(inp, out)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, stat.S_IMODE(os.stat(src).st_mode))
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        os.unlink(src)
        return target
    os.replace(src, target)
    return target


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = ""):
    """A temporary file name beside ``path``'s real target, for a writer that needs a name.

    On a clean exit the file is fsynced and renamed over the target (through a symbolic
    link, onto a character device or FIFO written through, as :func:`atomic_write_bytes`
    does); on an exception it is removed and the target left as it was::

        with atomic_path("race.mp4", ".mp4") as tmp:
            anim.save(tmp, writer=...)
    """
    p = ensure_parent(resolve_link(path))
    what = special_file(p)
    folder = Path(tempfile.gettempdir()) if what is not None else p.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=suffix or ".tmp", dir=folder)
    os.close(fd)
    try:
        yield Path(tmp)
        if what is not None:
            _write_through(p, Path(tmp).read_bytes(), what)
            os.unlink(tmp)
            return
        os.chmod(tmp, 0o666 & ~_umask())
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename).

    A ``path`` that is a character device (``/dev/null``) or a FIFO with a reader is
    written through, never replaced; a block device or a socket is refused
    (:func:`check_special_output`). A symbolic link is written through as well: its
    target is replaced atomically and the link kept (:func:`resolve_link`). Returns
    ``path`` as given.
    """
    given = Path(path)
    p = ensure_parent(resolve_link(path))
    what = special_file(p)
    if what is not None:
        _write_through(p, data, what)
        return given
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return given


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def save_arrays(path: str | os.PathLike, arrays: Mapping[str, np.ndarray], manifest: Mapping[str, Any]) -> Path:
    """Save named arrays and a JSON manifest into one ``.npz``, atomically, without pickle.

    The manifest records every array's name, dtype and shape, which :func:`load_arrays`
    checks. Object arrays are refused.
    """
    if _MANIFEST_KEY in arrays:
        raise ValueError(f"array name {_MANIFEST_KEY!r} is reserved")
    table = {}
    for name, arr in arrays.items():
        a = np.asarray(arr)
        if a.dtype == object:
            raise TypeError(expected(f"a numeric array for {name!r}", "dtype=object", "convert it with np.asarray(x, dtype=float)"))
        table[name] = {"dtype": a.dtype.str, "shape": list(a.shape)}
    full = {"format": "descentlab-arrays", "version": 1, "arrays": table, "meta": to_jsonable(dict(manifest))}
    buf = io.BytesIO()
    payload = {name: np.asarray(arr) for name, arr in arrays.items()}
    payload[_MANIFEST_KEY] = np.frombuffer(json.dumps(full).encode("utf-8"), dtype=np.uint8)
    np.savez(buf, **payload)
    return atomic_write_bytes(path, buf.getvalue())


def npz_failure(exc: BaseException) -> str:
    """Why ``np.load(..., allow_pickle=False)`` failed, in words.

    NumPy reports any file that is neither a zip archive nor a .npy array as "pickled
    (object) data" and suggests ``allow_pickle``; that advice is wrong here (descentlab
    never unpickles), so such files are named for what they are.
    """
    if isinstance(exc, ValueError) and "pickle" in str(exc):
        return "not an .npz archive, or one holding Python objects, which are never loaded"
    return f"{type(exc).__name__}: {exc}"


#: the most bytes :func:`load_arrays` allocates for one file's arrays; a header that
#: claims more is damage (or a file from elsewhere), refused before any allocation
MAX_ARRAY_BYTES = 1 << 34


def _damaged(p: Path, why: str) -> StateFileError:
    return StateFileError(expected("a complete .npz state file", f"{p} that cannot be read ({why})",
                                   "the file is truncated or corrupt; use an earlier checkpoint"))


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    """One ``.npy`` member, its header checked against the member's size before allocating."""
    fmt = np.lib.format
    with zf.open(info) as fh:
        version = fmt.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(fh)
        elif version == (2, 0):
            shape, fortran, dtype = fmt.read_array_header_2_0(fh)
        else:
            raise ValueError(f"unsupported .npy version {version}")
        if dtype.hasobject:
            raise ValueError(f"member {info.filename} holds Python objects, which are never loaded")
        nbytes = math.prod(shape) * dtype.itemsize
        if nbytes > info.file_size or nbytes > MAX_ARRAY_BYTES:
            raise ValueError(f"member {info.filename} claims {nbytes} bytes of data in {info.file_size} bytes")
        data = bytearray(fh.read(nbytes))
        if len(data) != nbytes or fh.read():  # reading to the end also checks the CRC
            raise ValueError(f"member {info.filename} is not {nbytes} bytes of data")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")


def _check_manifest(full: Any) -> None:
    """The manifest's shape: format, arrays (name -> dtype, shape) and meta."""
    ok = (isinstance(full, dict) and isinstance(full.get("format"), str) and isinstance(full.get("arrays"), dict)
          and isinstance(full.get("meta"), dict))
    if ok:
        for spec in full["arrays"].values():
            if not (isinstance(spec, dict) and isinstance(spec.get("dtype"), str) and isinstance(spec.get("shape"), list)
                    and all(type(n) is int and n >= 0 for n in spec["shape"])):
                ok = False
                break
    if not ok:
        raise ValueError("its manifest is not {format: str, arrays: {name: {dtype: str, shape: [int]}}, meta: {}}")


def _read_npz(p: Path) -> tuple[dict[str, np.ndarray], Any]:
    with zipfile.ZipFile(p) as zf:
        infos = zf.infolist()
        disk = p.stat().st_size
        if sum(i.file_size for i in infos) > MAX_ARRAY_BYTES + disk:
            raise ValueError("its members claim more bytes than any state file descentlab writes")
        arrays: dict[str, np.ndarray] = {}
        for info in infos:
            if not info.filename.endswith(".npy") or info.filename[:-4] in arrays:
                raise ValueError(f"unexpected member {info.filename!r}")
            if info.compress_type == zipfile.ZIP_STORED and info.file_size > disk:
                raise ValueError(f"member {info.filename} claims more bytes than the file has")
            arrays[info.filename[:-4]] = _read_member(zf, info)
    if _MANIFEST_KEY not in arrays:
        raise StateFileError(expected("a descentlab state file with a manifest", f"{p} (no manifest)", "save it with descentlab"))
    raw = arrays.pop(_MANIFEST_KEY)
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise ValueError("its manifest is not JSON bytes")
    full = json.loads(raw.tobytes().decode("utf-8"))
    _check_manifest(full)
    return arrays, full


def load_arrays(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Load what :func:`save_arrays` wrote: ``(arrays, manifest_meta)``.

    Raises :class:`~descentlab.errors.StateFileError` with a sentence when the file is
    missing, truncated, not a descentlab file, or its arrays disagree with its manifest.
    Any failure while reading counts as damage (an unsupported compression method, a
    manifest nested too deep, a header that claims more bytes than the file holds), and
    each array's size is checked against its header before anything is allocated.
    """
    p = Path(path)
    if not p.is_file():
        raise StateFileError(expected("an existing state file", str(p), "check the path"))
    try:
        arrays, full = _read_npz(p)
    except StateFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a damaged file makes the readers raise, it is damage
        raise _damaged(p, npz_failure(exc)) from exc
    if full["format"] != "descentlab-arrays":
        raise StateFileError(expected("format 'descentlab-arrays'", full["format"], "this file was not written by descentlab"))
    table = full["arrays"]
    missing = sorted(set(table) - set(arrays))
    extra = sorted(set(arrays) - set(table))
    if missing or extra:
        raise StateFileError(expected("the arrays listed in the manifest", f"missing {missing}, unlisted {extra}", "the file is corrupt"))
    for name, spec in table.items():
        a = arrays[name]
        if a.dtype.str != spec["dtype"] or list(a.shape) != spec["shape"]:
            raise StateFileError(
                expected(f"{name!r} with dtype {spec['dtype']} and shape {tuple(spec['shape'])}",
                         f"dtype {a.dtype.str} and shape {a.shape}", "the file is corrupt")
            )
    return arrays, full["meta"]


def to_jsonable(obj: Any) -> Any:
    """Convert NumPy scalars/arrays (nested in dicts, lists, tuples) to JSON types.

    Non-finite floats become ``"nan"``, ``"inf"`` or ``"-inf"``.
    """
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        if math.isnan(f):
            return "nan"
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        return f
    if isinstance(obj, Path):
        return str(obj)
    return obj


def dumps_json(obj: Any, *, indent: int | None = 2) -> str:
    """``json.dumps(to_jsonable(obj))`` with strict JSON (no bare NaN)."""
    return json.dumps(to_jsonable(obj), indent=indent, allow_nan=False)
