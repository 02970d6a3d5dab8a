"""``descentlab sweep run|status|export|report``: studies of optimizers, stored in SQLite."""
from __future__ import annotations

import argparse

from .._common import MAX_WORKERS, add_count_flag
from .._common import add_json_flag, add_quiet_flag, emit, progress

NAME = "sweep"
HELP = "tune and compare optimizers on many problems and seeds (process pool or Dask), stored in SQLite"

_RUN_DESCRIPTION = """\
Run a study (problems x optimizers x search space x protocol x seeds) into a store.
Stored runs are skipped, so a killed sweep resumes when run again with the same store.

examples:
  descentlab sweep run study.toml --store study.db
  descentlab sweep run study.toml --store study.db --workers 8
  descentlab sweep run study.toml --store study.db --dask local
  descentlab sweep run study.toml --store study.db --scheduler tcp://10.0.0.5:8786
  descentlab sweep run --builtin lecture --store lecture.db
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    fmt = argparse.RawDescriptionHelpFormatter
    sub = parser.add_subparsers(dest="what", required=True, metavar="{run,status,export,report}")
    r = sub.add_parser("run", help="run a study's missing runs into a store", description=_RUN_DESCRIPTION,
                       formatter_class=fmt)
    r.add_argument("study", nargs="?", help="a study file (.toml)")
    r.add_argument("--builtin", help="a built-in study instead of a file: lecture, quick")
    r.add_argument("--store", required=True, help="the SQLite store (created if missing)")
    where = r.add_mutually_exclusive_group()
    add_count_flag(where, "--workers", cap=MAX_WORKERS, what="processes", why="more than a machine runs at once", optional=True, default=None, help="processes of the local pool (default: the CPU count; 1: in-process)")
    where.add_argument("--dask", metavar="local", help="'local': start a Dask LocalCluster (needs descentlab[cluster])")
    where.add_argument("--scheduler", metavar="ADDR", help="join a Dask scheduler, e.g. tcp://HOST:8786")
    add_count_flag(r, "--dask-workers", cap=MAX_WORKERS, what="Dask workers", why="more than a machine runs at once", optional=True, default=None, help="workers of --dask local (default: the CPU count)")
    add_quiet_flag(r)
    add_json_flag(r)
    s = sub.add_parser("status", help="what a store holds: total, done, failed, left")
    s.add_argument("--store", required=True)
    add_json_flag(s)
    e = sub.add_parser("export", help="every run of a store as JSON (a list, or {\"runs\": [...]} with --wrap) or CSV")
    e.add_argument("--store", required=True)
    e.add_argument("-o", "--out", required=True, help="output file ending in .json or .csv")
    e.add_argument("--wrap", action="store_true", help='JSON as {"study": ..., "runs": [...]} instead of a list')
    add_json_flag(e)
    p = sub.add_parser("report", help="an HTML page of a store's analysis: tuned configs, CIs, profiles, ranks")
    p.add_argument("--store", required=True)
    p.add_argument("-o", "--out", default="sweep-report", help="output folder (default sweep-report)")
    add_json_flag(p)


def _study(args):
    from ...errors import ConfigError, expected
    from ...sweep import builtin_study, load_study

    if bool(args.study) == bool(args.builtin):
        raise ConfigError(expected("a study file or --builtin NAME (one of them)",
                                   "both" if args.study else "neither", "e.g. sweep run study.toml --store s.db"))
    return builtin_study(args.builtin) if args.builtin else load_study(args.study)


def _open(path):
    from ...sweep import Store, study_from_dict

    store = Store(path)
    return store, study_from_dict(store.study_dict(), source=str(path))


def run(args: argparse.Namespace) -> int:
    from ...sweep import Store, make_executor, run_study, study_status

    if args.what == "run":
        study = _study(args)
        store = Store(args.store, study)
        dask_workers = args.dask_workers if args.dask else None
        executor = make_executor(workers=args.workers if not args.dask else dask_workers, dask=args.dask,
                                 scheduler=args.scheduler)
        line = progress(args, f"sweep {study.name}", unit="runs")
        line.message(f"sweep {study.name}: {executor.describe()}, store {args.store}")
        try:
            with line:
                before = study_status(study, store)  # a resumed sweep's pace counts only the runs made now
                line.start(before["total"], done=before["total"] - before["left"])
                summary = run_study(study, store, executor, on_progress=lambda p: line.update(
                    p.done, total=p.total, detail=f"{p.failed} failed"))
                line.update(summary.done, total=summary.total, detail=f"{summary.failed} failed")  # now exact
        finally:
            executor.close()
        status = study_status(study, store)
        store.close()
        out = {**summary.to_dict(), **{k: status[k] for k in ("total", "done", "failed", "left")}}
        emit(args, out, lambda: (f"sweep {study.name}: {out['done']} done, {out['failed']} failed, {out['left']} left "
                                 f"of {out['total']} runs ({summary.executed} run now in {summary.seconds:.1f} s, "
                                 f"{summary.executor}); store {args.store}"))
        return 0
    if args.what == "status":
        store, study = _open(args.store)
        st = study_status(study, store)
        store.close()
        emit(args, st, lambda: f"{st['study']}: {st['done']} done, {st['failed']} failed, {st['left']} left "
                               f"of {st['total']} runs")
        return 0
    if args.what == "export":
        store, _ = _open(args.store)
        path = store.export(args.out, wrap=args.wrap)
        n = len(store)
        store.close()
        emit(args, {"path": str(path), "runs": n}, f"wrote {n} runs to {path}")
        return 0
    if args.what == "report":
        from ...report.sweep_page import write_sweep_report

        store, study = _open(args.store)
        path = write_sweep_report(study, store, args.out)
        store.close()
        emit(args, {"path": str(path), "analysis": str(path.with_name("analysis.json"))}, f"wrote {path}")
        return 0
    return 2
