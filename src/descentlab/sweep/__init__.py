"""Sweeps: compare optimizers with statistics, from one laptop to a Dask cluster.

A :class:`Study` (problems × optimizers × search space × protocol × seeds, from Python
or TOML) is planned by its protocol, executed by an executor (in-process, a process
pool, any ``concurrent.futures.Executor``, or Dask), and stored run by run in a SQLite
:class:`Store`. Runs are pure functions of their configuration, so a killed sweep
resumes where it stopped.

>>> from descentlab.sweep import Study, Store, run_study            # doctest: +SKIP
>>> study = Study("demo", ["rosenbrock"], ["sgd", "adam"], {"lr": {"log_uniform": [1e-4, 1.0]}})
>>> run_study(study, Store("demo.db", study))
"""
from __future__ import annotations

from .builtin import BUILTIN_STUDIES, builtin_study
from .coordinator import SweepProgress, SweepSummary, run_study, study_status
from .executors import DaskExecutor, FuturesExecutor, PoolExecutor, SerialExecutor, make_executor
from .problems import PROBLEMS, Instance, Problem, get_problem, problem_names, register_problem
from .protocol import cells, plan_cell, tune_score
from .run import make_config, run_config, run_key
from .space import SearchSpace
from .store import Store
from .study import OptimizerEntry, Study, load_study, loads_study, study_from_dict

__all__ = [
    "Study", "OptimizerEntry", "load_study", "loads_study", "study_from_dict", "builtin_study", "BUILTIN_STUDIES",
    "SearchSpace", "Problem", "Instance", "PROBLEMS", "register_problem", "get_problem", "problem_names",
    "make_config", "run_config", "run_key", "cells", "plan_cell", "tune_score", "Store",
    "SerialExecutor", "PoolExecutor", "FuturesExecutor", "DaskExecutor", "make_executor",
    "run_study", "study_status", "SweepProgress", "SweepSummary",
]
