"""Executors: the same study gives the same store wherever its runs execute."""
from __future__ import annotations

import concurrent.futures as cf

import pytest

from descentlab.sweep import FuturesExecutor, PoolExecutor, SerialExecutor, Store, run_study
from descentlab.sweep.executors import chunk_size

from sweeputil import records, tiny_study


def test_serial_pool_and_any_futures_executor_give_identical_stores(tmp_path, tiny):
    serial = Store(tmp_path / "serial.db", tiny)
    run_study(tiny, serial, SerialExecutor())
    pool = Store(tmp_path / "pool.db", tiny)
    ex = PoolExecutor(2)
    try:
        run_study(tiny, pool, ex)
    finally:
        ex.close()
    threads = Store(tmp_path / "threads.db", tiny)
    with cf.ThreadPoolExecutor(3) as tp:
        run_study(tiny, threads, FuturesExecutor(tp))
    ref = records(serial)
    assert len(ref) > 0 and records(pool) == ref and records(threads) == ref


def test_chunks_are_about_four_per_worker_and_bounded():
    assert chunk_size(2000, 2) == 64
    assert chunk_size(40, 2) == 5
    assert chunk_size(3, 8) == 1


def test_futures_executor_refuses_other_things():
    with pytest.raises(Exception, match="expected a concurrent.futures.Executor"):
        FuturesExecutor(object())
