"""The SQLite store of a sweep: one row per run, keyed by the content hash of its config.

Only the coordinating process writes, and it commits each run as it arrives, so a
sweep killed at any moment loses at most the runs in flight; the next run of the study
skips every stored key (``INSERT OR IGNORE``: nothing is stored twice). The database is
in WAL mode, so ``sweep status`` can read while a sweep writes.

A store is bound to one study (its fingerprint and definition are kept in ``meta``):
opening it for another study is refused, never mixed.
"""
from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Any, Iterator

from .._io import atomic_write_text, dumps_json
from ..errors import ConfigError, StateFileError, expected

__all__ = ["Store", "FORMAT"]

FORMAT = "descentlab-sweep-store/1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    key TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    problem TEXT NOT NULL,
    optimizer TEXT NOT NULL,
    seed INTEGER NOT NULL,
    status TEXT NOT NULL,
    config TEXT NOT NULL,
    record TEXT NOT NULL,
    stored_at REAL NOT NULL
);
"""

CSV_FIELDS = ("key", "problem", "optimizer", "preset", "hyper", "steps", "seed", "status", "final", "best",
              "steps_to_target", "diverged_at", "wall_time", "error")


class Store:
    """``Store(path, study=None)``: open (or create) the store at ``path``.

    With ``study``, the store is bound to it: a new store records it, an existing one
    must hold the same study (else ConfigError). Without, the store must exist (for
    status, export and report).
    """

    def __init__(self, path: str | os.PathLike, study=None) -> None:
        self.path = Path(path)
        if study is None and not self.path.is_file():
            raise ConfigError(expected("an existing sweep store", str(self.path),
                                       "run `descentlab sweep run STUDY.toml --store FILE` first, or check the path"))
        if study is not None and self.path.exists() and not self.path.is_file():
            raise ConfigError(expected("a store file path", f"{self.path} (a folder)", "name a .db file"))
        if study is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(str(self.path), timeout=30.0, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # in WAL mode: durable across a killed process
            self.db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StateFileError(expected("a descentlab sweep store (SQLite)", f"{self.path} ({exc})",
                                          "pass the .db file a sweep wrote, or a new path")) from exc
        meta = dict(self.db.execute("SELECT key, value FROM meta"))
        if meta and meta.get("format") != FORMAT:
            raise StateFileError(expected(f"a store of format {FORMAT}", meta.get("format"), "use a new store path"))
        if study is not None:
            fp = study.fingerprint()
            if not meta:
                with self.db:
                    self.db.execute("BEGIN")
                    self.db.executemany("INSERT OR IGNORE INTO meta VALUES (?, ?)", [
                        ("format", FORMAT), ("study", fp), ("study_name", study.name),
                        ("study_json", json.dumps(study.to_dict(), sort_keys=True))])
                meta = dict(self.db.execute("SELECT key, value FROM meta"))
            if meta.get("study") != fp:
                raise ConfigError(expected(f"a store of study {study.name!r} ({fp})",
                                           f"{self.path}, which holds study {meta.get('study_name')!r} "
                                           f"({meta.get('study')})",
                                           "pass a new --store path for this study (stores never mix studies)"))
        elif not meta:
            raise StateFileError(expected("a sweep store with its study recorded", f"{self.path} (empty)",
                                          "run a study into it first"))
        self.meta = meta
        self._records = {k: json.loads(r) for k, r in self.db.execute("SELECT key, record FROM runs")}

    # -- reading ---------------------------------------------------------------------------
    def study_dict(self) -> dict:
        return json.loads(self.meta["study_json"])

    def get(self, key: str) -> dict | None:
        return self._records.get(key)

    def __contains__(self, key: str) -> bool:
        return key in self._records

    def __len__(self) -> int:
        return len(self._records)

    def rows(self) -> Iterator[dict]:
        """Every run in the order it was stored: ``{"key", "config", "record"}``."""
        for key, config, record in self.db.execute("SELECT key, config, record FROM runs ORDER BY seq"):
            yield {"key": key, "config": json.loads(config), "record": json.loads(record)}

    # -- writing (the coordinator only) --------------------------------------------------------
    def put(self, key: str, config: dict, record: dict) -> bool:
        """Store one run and commit; False when the key was stored already."""
        if key in self._records:
            return False
        self.db.execute(
            "INSERT OR IGNORE INTO runs VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM runs), ?, ?, ?, ?, ?, ?, ?)",
            (key, config["problem"]["name"], config["optimizer"], int(config["seed"]), record["status"],
             json.dumps(config, sort_keys=True), json.dumps(record, sort_keys=True), time.time()))
        self._records[key] = record
        return True

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- export ---------------------------------------------------------------------------
    def export(self, path: str | os.PathLike, wrap: bool = False) -> Path:
        """Write every run to ``path``: ``.json`` (a list, or ``{"runs": [...]}`` with ``wrap``) or ``.csv``."""
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix not in (".json", ".csv"):
            raise ConfigError(expected("an output path ending in .json or .csv", str(p), "name e.g. runs.json"))
        rows = list(self.rows())
        if suffix == ".json":
            runs = [{"key": r["key"], **r["config"], **r["record"]} for r in rows]
            text = dumps_json({"study": self.study_dict(), "runs": runs} if wrap else runs, indent=1)
            return atomic_write_text(p, text + "\n")
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(CSV_FIELDS)
        for r in rows:
            c, rec = r["config"], r["record"]
            opts = ",".join(f"{k}={_cell(v)}" for k, v in c["problem"]["options"].items())
            problem = c["problem"]["name"] + (f":{opts}" if opts else "")
            w.writerow([r["key"], problem, c["optimizer"], c["preset"], json.dumps(c["hyper"], sort_keys=True),
                        c["steps"], c["seed"], rec["status"], rec["final"], rec["best"],
                        _cell(rec["steps_to_target"]), _cell(rec["diverged_at"]), rec["wall_time"],
                        rec["error"] or ""])
        return atomic_write_text(p, buf.getvalue())


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return ",".join(str(x) for x in v)
    return str(v)
