"""parallel.run_chunked: forked helpers share the work, and never run the signal
handlers of the process that forked them."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import time

import pytest

from dateline.build.parallel import run_chunked, run_tasks


def _whose(item: int) -> tuple[int, int, object, object]:
    time.sleep(0.001)  # long enough that the helpers get a share
    return (item, os.getpid(), signal.getsignal(signal.SIGINT),
            signal.getsignal(signal.SIGTERM))


def _refuse(signum, frame) -> None:
    raise KeyboardInterrupt  # what the preview server installs


@pytest.fixture
def server_handlers():
    """SIGINT and SIGTERM handled as the preview server handles them."""
    previous = {sig: signal.signal(sig, _refuse) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in previous.items():
        signal.signal(sig, handler)


def test_every_item_is_done_once_by_this_process_and_its_helpers():
    results = list(run_chunked(_whose, list(range(400)), jobs=3, min_per_worker=10))
    assert sorted(item for item, *_ in results) == list(range(400))
    assert len({pid for _, pid, *_ in results}) >= 2


@pytest.mark.parametrize("jobs, count", [(2, 400), (3, 401), (4, 397)])
def test_each_process_works_its_own_stretch_from_the_front(jobs, count):
    # Items next to each other share what a process keeps once made (a language's
    # cards, its feed entries): each process takes its own stretch of the items in
    # order, and helps with another's only from that one's back.
    results = list(run_chunked(_whose, list(range(count)), jobs=jobs, min_per_worker=10))
    assert sorted(item for item, *_ in results) == list(range(count))
    done_by = {item: pid for item, pid, *_ in results}
    assert len(set(done_by.values())) >= 2
    bounds = [count * n // jobs for n in range(jobs + 1)]
    assert done_by[0] == os.getpid()  # the parent's stretch is the first
    for start, end in itertools.pairwise(bounds):
        pids = [done_by[item] for item in range(start, end)]
        owner = pids[0]
        own = [n for n, pid in enumerate(pids) if pid == owner]
        assert own == list(range(len(own))), (start, pids)  # a prefix: in order, unbroken


def test_helpers_reset_the_handlers_they_inherit(server_handlers):
    results = list(run_chunked(_whose, list(range(400)), jobs=3, min_per_worker=10))
    helpers = [(sigint, sigterm) for _, pid, sigint, sigterm in results
               if pid != os.getpid()]
    assert helpers, "no helper process did any work"
    # Ctrl+C reaches the whole group: the parent decides; its terminate() ends a helper.
    assert set(helpers) == {(signal.SIG_IGN, signal.SIG_DFL)}
    assert signal.getsignal(signal.SIGINT) is _refuse  # the parent's own are kept
    assert signal.getsignal(signal.SIGTERM) is _refuse


def test_ctrl_c_in_the_parent_ends_every_helper_quietly(server_handlers, capfd):
    parent = os.getpid()

    def interrupted(item: int) -> int:
        time.sleep(0.001)
        if os.getpid() == parent:
            os.kill(parent, signal.SIGINT)
        return item

    with pytest.raises(KeyboardInterrupt):
        list(run_chunked(interrupted, list(range(400)), jobs=3, min_per_worker=10))
    assert multiprocessing.active_children() == []
    assert "Traceback" not in capfd.readouterr().err


# ----- on an executor (a cluster's; here the standard library's thread pool)

def _square(shared: int, payload: int) -> int:
    return shared * payload * payload


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_an_executor_is_given_each_payload_when_it_is_sent_at_most_two_per_thread(threads):
    from concurrent.futures import ThreadPoolExecutor

    made, yielded, ahead = [], [], []

    def payloads():
        for n in range(40):
            made.append(n)
            ahead.append(len(made) - len(yielded))  # payloads made but not yet back
            yield n

    with ThreadPoolExecutor(threads) as executor:
        for result in run_tasks(_square, payloads(), executor, shared=3):
            yielded.append(result)
    assert sorted(yielded) == [3 * n * n for n in range(40)]
    assert max(ahead) == 2 * threads  # never every payload made at once


def test_run_chunked_on_an_executor_carries_what_carry_makes_of_each_chunk():
    from concurrent.futures import ThreadPoolExecutor

    carried = []

    def carry(chunk: list) -> list:
        carried.append(list(chunk))
        return [n * 10 for n in chunk]

    with ThreadPoolExecutor(2) as executor:
        results = list(run_chunked(_square, list(range(100)), executor, shared=1,
                                   carry=carry))
    assert sorted(results) == sorted(100 * n * n for n in range(100))
    assert sorted(n for chunk in carried for n in chunk) == list(range(100))
    assert len(carried) > 4  # in chunks, each carried as it was sent


def _made_at(item: int) -> tuple[int, float]:
    return item, time.monotonic()


def test_a_helper_waits_once_a_few_chunks_wait_for_this_process():
    """While this process is busy with its own results (the sitemaps), its helper makes
    the items (the feeds), and their results wait in the helper's memory until this
    process takes them: a few chunks' at most, then the helper waits (09ce887: every
    result of the helper's share made and held before this process took any)."""
    from dateline.build.parallel import RESULTS_WAITING

    busy_until = []

    def own():
        time.sleep(1.0)  # long enough for the helper to make every item, unbounded
        busy_until.append(time.monotonic())
        yield "own"

    items = list(range(2000))
    results = list(run_chunked(_made_at, items, 2, own=own))
    assert results.count("own") == 1
    made = sorted(r for r in results if r != "own")
    assert [item for item, _at in made] == items
    ahead = sum(at < busy_until[0] for _item, at in made)
    size = max(1, min(64, len(items) // (2 * 8)))  # `run_chunked`'s chunk size
    # The chunks taken in the queue, one being sent, one made but waiting to be put.
    assert 0 < ahead <= (RESULTS_WAITING + 2) * size, (ahead, size)
