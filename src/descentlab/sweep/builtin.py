"""Studies that ship with descentlab, by name: ``descentlab sweep run --builtin lecture``."""
from __future__ import annotations

from ..errors import ConfigError, expected
from .study import Study, loads_study

__all__ = ["BUILTIN_STUDIES", "builtin_study"]

#: the report's study: the lecture's six optimizers on its surfaces and a small network
LECTURE = """\
name = "lecture-six"
problems = ["rosenbrock", "beale", "quadratic:eigenvalues=1,100", "digits-mlp"]
optimizers = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
preset = "pytorch"
steps = 300
[search]
lr = { log_uniform = [1e-4, 10.0] }
[protocol]
kind = "halving"      # or "grid", "random", "deepobs" (tune, then rerun the best with fresh seeds)
budget = 32           # configurations tried per optimizer and problem
tune_seeds = [0, 1, 2]
test_seeds = [10, 11, 12, 13, 14]   # scoring uses only these: tuning never sees them
"""

#: a minute-long version for smoke runs and the tour
QUICK = """\
name = "lecture-quick"
problems = ["rosenbrock", "beale", "quadratic:eigenvalues=1,100"]
optimizers = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
preset = "pytorch"
steps = 200
[search]
lr = { log_uniform = [1e-4, 10.0] }
[protocol]
kind = "halving"
budget = 16
tune_seeds = [0, 1, 2]
test_seeds = [10, 11, 12, 13, 14]
"""

BUILTIN_STUDIES = {"lecture": LECTURE, "quick": QUICK}


def builtin_study(name: str) -> Study:
    if name not in BUILTIN_STUDIES:
        raise ConfigError(expected(f"a built-in study among {', '.join(BUILTIN_STUDIES)}", repr(name),
                                   "or pass a STUDY.toml file"))
    return loads_study(BUILTIN_STUDIES[name], source=f"builtin:{name}")
