"""One pool of extraction workers per step: batches reuse warm workers instead of spawning a pool each."""
import os

import pytest

from dagster_project.children import PagePool


def _pid(_item) -> int:
    return os.getpid()


@pytest.mark.slow
def test_batches_share_the_workers_of_one_pool():
    with PagePool(workers=2, chunksize=4) as pool:
        first = set(pool.map(_pid, range(64)))
        second = set(pool.map(_pid, range(64)))
        small = set(pool.map(_pid, range(3)))  # a small batch once the pool runs still goes to the pool
    assert os.getpid() not in first | second | small
    assert len(first | second | small) <= 2  # the same two processes served every batch, not a new pool each
    assert pool._pool is None  # shut down on exit


def test_small_batches_before_the_pool_run_here():
    with PagePool(workers=2, chunksize=32) as pool:
        assert set(pool.map(_pid, range(10))) == {os.getpid()}
        assert pool._pool is None
    with PagePool(workers=1) as pool:
        assert set(pool.map(_pid, range(500))) == {os.getpid()}


@pytest.mark.slow
def test_the_pool_is_shut_down_when_the_step_fails():
    with pytest.raises(RuntimeError):
        with PagePool(workers=2, chunksize=1) as pool:
            list(pool.map(_pid, range(8)))
            running = pool._pool
            raise RuntimeError("a step fails")
    assert pool._pool is None and running is not None


def _square(x: int) -> int:
    return x * x


@pytest.mark.slow
def test_batches_come_back_in_order_with_the_next_one_already_running():
    batches = [list(range(i, i + 70)) for i in range(0, 700, 70)]
    with PagePool(workers=2, chunksize=8) as pool:
        out = list(pool.map_batches(_square, iter(batches)))
    assert [b for b, _ in out] == batches
    assert [r for _, r in out] == [[x * x for x in b] for b in batches]


def test_batches_in_this_process_and_none_at_all():
    read = []

    def batches():
        for i in range(3):
            read.append(i)
            yield [i, i + 1]

    with PagePool(workers=1) as pool:
        for n, (batch, results) in enumerate(pool.map_batches(_square, batches())):
            assert results == [x * x for x in batch]
            assert len(read) <= n + 2  # read one batch ahead, no further
        assert list(pool.map_batches(_square, iter([]))) == []


def test_a_small_step_runs_in_this_process_unless_workers_are_asked_for(monkeypatch):
    from dagster_project.children import IN_PROCESS_BELOW

    with PagePool() as pool:
        pool.expect(IN_PROCESS_BELOW - 1)
        assert pool.workers == 1 and set(pool.map(_pid, range(100))) == {os.getpid()}
    with PagePool(workers=2) as pool:
        assert pool.expect(10).workers == 2  # asked for: kept
    monkeypatch.setenv("OGI_WORKERS", "2")
    with PagePool() as pool:
        assert pool.expect(10).workers == 2  # asked for in the environment: kept
    monkeypatch.delenv("OGI_WORKERS")
    with PagePool() as pool:
        before = pool.workers
        assert pool.expect(IN_PROCESS_BELOW).workers == before
