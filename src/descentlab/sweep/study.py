"""A study: problems × optimizers × a search space × a tuning protocol × seeds.

Written in Python (:class:`Study`) or in a TOML file read with the standard library
(:func:`load_study`)::

    name = "lecture-six"
    problems = ["rosenbrock", "beale", "quadratic:eigenvalues=1,100", "digits-mlp"]
    optimizers = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
    preset = "pytorch"
    steps = 300
    [search]
    lr = { log_uniform = [1e-4, 10.0] }
    [protocol]
    kind = "halving"      # or "grid", "random", "deepobs"
    budget = 32           # configurations tried per optimizer and problem
    tune_seeds = [0, 1, 2]
    test_seeds = [10, 11, 12, 13, 14]   # scoring uses only these

An optimizer is a registry name, or an inline table
``{ name = "momentum", preset = "lecture", hyper = { momentum = 0.9 }, label = "heavy-ball" }``
whose ``hyper`` are fixed for every run. ``steps`` (optional) overrides each problem's
own budget. ``imports`` (optional) lists modules that register user problems; every
worker imports them before running. A bad file fails with expected / got / fix, naming
the file and the line.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..errors import ConfigError, expected
from .problems import get_problem
from .space import SearchSpace

__all__ = ["Study", "OptimizerEntry", "load_study", "study_from_dict", "PROTOCOLS"]

PROTOCOLS = ("grid", "random", "halving", "deepobs")
_TOP_KEYS = ("name", "problems", "optimizers", "preset", "steps", "search", "protocol", "imports")
_PROTOCOL_KEYS = ("kind", "budget", "tune_seeds", "test_seeds", "seed")
_OPT_KEYS = ("name", "preset", "hyper", "label")


@dataclass(frozen=True)
class OptimizerEntry:
    """One optimizer of a study: registry ``name``, ``preset``, fixed ``hyper``, and the ``label`` shown."""

    name: str
    preset: str | None = None
    hyper: dict = field(default_factory=dict)
    label: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "preset": self.preset, "hyper": dict(self.hyper), "label": self.label}


@dataclass
class Study:
    """A whole comparison; validated on construction (see the module docstring for the fields)."""

    name: str
    problems: Sequence[str]
    optimizers: Sequence[str | Mapping | OptimizerEntry]
    search: Mapping[str, Any]
    protocol: str = "halving"
    budget: int = 16
    tune_seeds: Sequence[int] = (0, 1, 2)
    test_seeds: Sequence[int] = (10, 11, 12, 13, 14)
    preset: str | None = "pytorch"
    steps: int | None = None
    seed: int = 0
    imports: Sequence[str] = ()
    source: str = "<python>"
    _lines: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.problems = [str(p) for p in self.problems]
        self.tune_seeds = list(self.tune_seeds)
        self.test_seeds = list(self.test_seeds)
        self.imports = [str(m) for m in self.imports]
        _validate(self)

    # -- derived -----------------------------------------------------------------------
    @property
    def space(self) -> SearchSpace:
        return SearchSpace(self.search)

    def steps_for(self, problem: str) -> int:
        return int(self.steps) if self.steps is not None else get_problem(problem)[0].steps

    def to_dict(self) -> dict:
        return {"name": self.name, "problems": list(self.problems),
                "optimizers": [o.to_dict() for o in self.optimizers], "preset": self.preset, "steps": self.steps,
                "search": SearchSpace(self.search).to_dict(), "imports": list(self.imports),
                "protocol": {"kind": self.protocol, "budget": self.budget, "tune_seeds": list(self.tune_seeds),
                             "test_seeds": list(self.test_seeds), "seed": self.seed}}

    def fingerprint(self) -> str:
        """A content hash of the study (what a store is bound to)."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# -- validation ------------------------------------------------------------------------------

def _where(study: Study, *path: str, value: Any = None) -> str:
    """' (study.toml, line 7)' where the file gives a line for it, else ' (study.toml)'."""
    line = study._lines.find(path, value) if study._lines is not None else None
    if study.source == "<python>":
        return ""
    return f" ({study.source}, line {line})" if line else f" ({study.source})"


def _fail(study: Study, path: Sequence[str], what: str, got: Any, fix: str, value: Any = None) -> ConfigError:
    return ConfigError(expected(what + _where(study, *path, value=value), got, fix))


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _optimizer_entry(study: Study, item: Any) -> OptimizerEntry:
    from ..optim.registry import optimizer_names

    if isinstance(item, OptimizerEntry):
        return item
    if isinstance(item, str):
        item = {"name": item}
    if not isinstance(item, Mapping) or "name" not in item:
        raise _fail(study, ("optimizers",), "an optimizer name or a table with name = ...", repr(item),
                    'write "adam" or { name = "adam", hyper = { beta1 = 0.95 } }')
    bad = sorted(set(item) - set(_OPT_KEYS))
    if bad:
        raise _fail(study, ("optimizers",), f"optimizer keys among {', '.join(_OPT_KEYS)}", ", ".join(bad),
                    "drop or rename them", value=bad[0])
    name = str(item["name"]).strip().lower().replace("-", "_")
    names = optimizer_names()
    if name not in names:
        raise _fail(study, ("optimizers",), f"an optimizer among {', '.join(names)}", repr(item["name"]),
                    "pick a registered optimizer name", value=item["name"])
    preset = item.get("preset", study.preset)
    hyper = dict(item.get("hyper", {}))
    label = str(item.get("label") or (name if preset == study.preset else f"{name}@{preset}"))
    return OptimizerEntry(name, preset, hyper, label)


def _validate(s: Study) -> None:
    from ..optim import make_optimizer

    if not isinstance(s.name, str) or not s.name.strip():
        raise _fail(s, ("name",), "a study name", repr(s.name), 'write name = "my-study"')
    if not s.problems:
        raise _fail(s, ("problems",), "at least one problem", "none", 'write problems = ["rosenbrock"]')
    for m in s.imports:  # before the problems: these modules register user problems
        import importlib

        try:
            importlib.import_module(m)
        except ImportError as exc:
            raise _fail(s, ("imports",), "an importable module", repr(m), f"check its name and sys.path ({exc})",
                        value=m) from exc
    for p in s.problems:
        try:
            get_problem(p)
        except ConfigError as exc:
            raise ConfigError(f"{exc}{_where(s, 'problems', value=p.partition(':')[0])}") from exc
    if not s.optimizers:
        raise _fail(s, ("optimizers",), "at least one optimizer", "none", 'write optimizers = ["sgd", "adam"]')
    s.optimizers = [_optimizer_entry(s, o) for o in s.optimizers]
    labels = [o.label for o in s.optimizers]
    if len(set(labels)) != len(labels):
        raise _fail(s, ("optimizers",), "distinct optimizer labels", labels, "give repeated optimizers a label = ...")
    if s.protocol not in PROTOCOLS:
        raise _fail(s, ("protocol", "kind"), f"a protocol kind among {', '.join(PROTOCOLS)}", repr(s.protocol),
                    'write kind = "halving"')
    if not _is_int(s.budget) or s.budget < 1:
        raise _fail(s, ("protocol", "budget"), "a budget of at least 1 configuration", s.budget,
                    "write budget = 16")
    if s.steps is not None and (not _is_int(s.steps) or s.steps < 1):
        raise _fail(s, ("steps",), "steps >= 1 (an integer)", s.steps, "write steps = 300, or leave it out")
    if not _is_int(s.seed) or s.seed < 0:
        raise _fail(s, ("protocol", "seed"), "a seed >= 0", s.seed, "write seed = 0")
    for key in ("tune_seeds", "test_seeds"):
        seeds = getattr(s, key)
        if not seeds or not all(_is_int(v) and v >= 0 for v in seeds) or len(set(seeds)) != len(seeds):
            raise _fail(s, ("protocol", key), f"{key} as a non-empty list of distinct integers >= 0", seeds,
                        f"write {key} = [0, 1, 2]")
    overlap = sorted(set(s.tune_seeds) & set(s.test_seeds))
    if overlap:
        raise _fail(s, ("protocol", "test_seeds"), "test seeds that tuning never sees (no seed in both lists)",
                    f"{overlap} in tune_seeds and test_seeds",
                    "take the test seeds from another range, e.g. test_seeds = [10, 11, 12]")
    from .space import _dimension

    if isinstance(s.search, Mapping):
        for key, spec in s.search.items():
            try:
                _dimension(str(key), spec)
            except ConfigError as exc:
                raise ConfigError(f"{exc}{_where(s, 'search', str(key))}") from exc
    try:
        space = SearchSpace(s.search)
    except ConfigError as exc:
        raise ConfigError(f"{exc}{_where(s, 'search')}") from exc
    probe = {d.name: d.grid(2)[0] for d in space.dims}
    for o in s.optimizers:
        try:
            make_optimizer(o.name, preset=o.preset, **{**o.hyper, **probe})
        except ConfigError as exc:
            first = next(iter(o.hyper), None) or next(iter(probe), None)
            raise ConfigError(f"{exc} (optimizer {o.label}, with the search space's {sorted(probe)}"
                              f"{' and fixed ' + str(sorted(o.hyper)) if o.hyper else ''})"
                              f"{_where(s, 'search', first) if first in probe else _where(s, 'optimizers')}") from exc


# -- TOML ------------------------------------------------------------------------------------

class _Lines:
    """Line numbers of keys and values in a TOML text, for error messages (tomllib gives none)."""

    def __init__(self, text: str) -> None:
        self.rows = text.splitlines()

    def find(self, path: Sequence[str], value: Any = None) -> int | None:
        """The line that sets ``path`` (``("steps",)`` or ``("protocol", "budget")``), or that shows ``value``
        inside it; for a table's name alone, its ``[header]`` line."""
        table, key = (path[0], path[1]) if len(path) > 1 else ("", path[0])
        current, found = "", None
        for i, row in enumerate(self.rows, 1):
            code = row.split("#", 1)[0].strip()
            header = re.match(r"^\[+\s*([^\]]+?)\s*\]+$", code)
            if header:
                if found is not None:
                    break  # the value was not on the key's own lines
                current = header.group(1)
                if not table and current == key:
                    return i  # the table itself, e.g. [search]
                continue
            if found is None and current == table and re.match(rf"^{re.escape(str(key))}\s*=", code):
                found = i
            if found is not None:
                if value is None:
                    return found
                if re.search(rf"(^|[^\w.-]){re.escape(str(value))}($|[^\w.-])", code):
                    return i
        return found


def study_from_dict(d: Mapping[str, Any], source: str = "<python>", lines: _Lines | None = None) -> Study:
    """A Study from the mapping a TOML file parses to."""
    where = lambda *p, value=None: (f" ({source}, line {lines.find(p, value)})" if lines and lines.find(p, value)
                                    else (f" ({source})" if source != "<python>" else ""))
    bad = [k for k in d if k not in _TOP_KEYS]
    if bad:
        raise ConfigError(expected(f"study keys among {', '.join(_TOP_KEYS)}{where(bad[0])}", ", ".join(bad),
                                   "drop or rename them (search keys go under [search], protocol keys under [protocol])"))
    for k in ("name", "problems", "optimizers", "search"):
        if k not in d:
            raise ConfigError(expected(f"a {k!r} entry in the study{where(k)}", "none",
                                       f"add it, e.g. {_EXAMPLES[k]}"))
    protocol = d.get("protocol", {})
    if not isinstance(protocol, Mapping):
        raise ConfigError(expected(f"a [protocol] table{where('protocol')}", repr(protocol), 'write [protocol] kind = "halving"'))
    bad = [k for k in protocol if k not in _PROTOCOL_KEYS]
    if bad:
        raise ConfigError(expected(f"protocol keys among {', '.join(_PROTOCOL_KEYS)}{where('protocol', bad[0])}",
                                   ", ".join(bad), "drop or rename them"))
    for k in ("problems", "optimizers", "imports", "tune_seeds", "test_seeds"):
        v = protocol.get(k) if k.endswith("seeds") else d.get(k)
        if v is not None and not isinstance(v, list):
            raise ConfigError(expected(f"a list for {k}{where(*(('protocol', k) if k.endswith('seeds') else (k,)))}",
                                       repr(v), f"write {k} = [ ... ]"))
    if not isinstance(d["search"], Mapping):
        raise ConfigError(expected(f"a [search] table{where('search')}", repr(d["search"]),
                                   "write [search] lr = { log_uniform = [1e-4, 10.0] }"))
    kw = {k: protocol[k] for k in ("budget", "tune_seeds", "test_seeds", "seed") if k in protocol}
    return Study(name=d["name"], problems=d["problems"], optimizers=d["optimizers"], search=d["search"],
                 protocol=protocol.get("kind", "halving"), preset=d.get("preset", "pytorch"), steps=d.get("steps"),
                 imports=d.get("imports", ()), source=source, _lines=lines, **kw)


_EXAMPLES = {"name": 'name = "my-study"', "problems": 'problems = ["rosenbrock"]',
             "optimizers": 'optimizers = ["sgd", "adam"]', "search": "[search] lr = { log_uniform = [1e-4, 10.0] }"}


def load_study(path: str | os.PathLike) -> Study:
    """Read a study from a TOML file; errors name the file and line."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(expected("an existing study file (.toml)", str(p), "check the path"))
    text = p.read_text(encoding="utf-8")
    return loads_study(text, source=p.name)


def loads_study(text: str, source: str = "<string>") -> Study:
    """Read a study from TOML text."""
    try:
        d = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(expected(f"valid TOML in {source}", str(exc), "fix the syntax at that line")) from exc
    return study_from_dict(d, source=source, lines=_Lines(text))
