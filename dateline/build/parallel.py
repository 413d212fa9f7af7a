"""Spreading work over processes. Workers are forked, so they start with the parent's
memory (the site model, templates) and nothing is pickled but each result. What the
workers need besides their item is handed to `run_chunked` as `shared`, set here before
forking: no module of the build keeps worker state in a global of its own.

The parent works too: with `jobs` = 2 it forks one helper and takes its own share,
instead of forking two and waiting. Every process claims chunks of its own stretch of
the items first, then of whichever stretch has most left (`_Claims`), so a slow chunk
never leaves the others idle.
"""

from __future__ import annotations

import functools
import gc
import math
import os
import queue
import signal
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, wait
from contextlib import contextmanager
from typing import Any

_NOTHING = object()
# Below this many items, starting processes costs more than it saves.
MIN_ITEMS_PER_WORKER = 48
# Below this many items, a cluster's round trips cost more than its workers save.
MIN_CLUSTER_ITEMS = 2 * MIN_ITEMS_PER_WORKER
# The signals a helper must not handle as its parent does (see _reset_signals).
_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})
# How long finished helpers get to exit on their own before they are terminated.
_EXIT_GRACE = 5.0
RESULTS_WAITING = 4
"""Chunks' results a helper may have made that this process has not taken yet."""


def workers_for(cluster: Executor | None, jobs: int, items: int) -> int | Executor:
    """Where `items` tasks run: on the cluster, unless they are too few to be worth its
    round trips and the copy of what its workers need (then on `jobs` local processes)."""
    return cluster if cluster is not None and items >= MIN_CLUSTER_ITEMS else jobs


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class WorkerError(RuntimeError):
    """A helper process failed with an exception that could not be sent back as it was."""


def run_chunked(function: Callable[..., Any], items: list, jobs: int | Executor,
                min_per_worker: int = MIN_ITEMS_PER_WORKER, *, shared: Any = _NOTHING,
                carry: Callable[[list], list] | None = None,
                own: Callable[[], Iterator[Any]] | None = None) -> Iterator[Any]:
    """`function(item)` for every item, on up to `jobs` processes (this one included;
    fewer when there are fewer than `min_per_worker` items for each). Results come in no
    particular order. With `shared`, `function(shared, item)`: the value every worker
    starts with (inherited by forking, never pickled).

    `jobs` may be an Executor instead (a cluster's, see `cluster`): the items go to it in
    chunks, each task carrying its chunk (or what `carry(chunk)` makes of it, when the
    chunk is sent: never for every chunk at once), and `shared` is sent to every worker
    once.

    `own()`: results only this process can make (from something it holds, or one at a
    time as its caller takes them), made here first, while the helpers take the items;
    this process then helps with what is left of them."""
    if own is not None and (isinstance(jobs, Executor) or jobs <= 1):
        yield from own()
        own = None
    if isinstance(jobs, Executor):
        yield from _run_on_executor(function, items, jobs, shared, carry)
        return
    if shared is not _NOTHING:
        function = functools.partial(function, shared)
    workers = min(jobs, len(items) // min_per_worker + (own is not None))
    if workers > 1:
        import multiprocessing  # only when forking: it pulls in sockets and pickling helpers

    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from own() if own is not None else ()
        yield from map(function, items)
        return
    size = max(1, min(64, len(items) // (workers * 8)))
    context = multiprocessing.get_context("fork")
    claims = _Claims(context, len(items), workers, parent_share=own is None)
    # A Queue, not a pipe: a helper's results wait in its own memory (sent by a feeder
    # thread) while this process is busy with its share, so the helper seldom stalls.
    # A few chunks' results at most: beyond that a helper waits for this process to take
    # them (issue 19: while this process made the sitemaps, its helper made the feeds,
    # ~35 MiB of them waiting in the helper's memory at 60,000 articles).
    results = context.Queue(maxsize=RESULTS_WAITING * (workers - 1))
    # Objects the helpers inherit are left out of their garbage collector's scans: a scan
    # writes to every object it visits, which would copy the parent's memory page by page.
    gc.freeze()
    helpers = [context.Process(target=_helper, args=(function, items, size, claims, n, results),
                               daemon=True) for n in range(1, workers)]
    started: list = []
    finished = False
    try:
        with _signals_deferred():
            for helper in helpers:
                helper.start()
                started.append(helper)
        # The helpers' results are taken as this process goes (between its own results),
        # not once its share is done: a result not taken waits in its helper's memory
        # (its feeder thread blocks on the full pipe), and by the end of a big share the
        # helper would hold every result it made: at 60,000 articles, half the sources
        # read, ~500 MiB beside this process's copy of them (issue 19).
        running = [len(started)]
        for result in own() if own is not None else ():
            yield result
            yield from _received(results, running, block=False)
        for chunk in claims.chunks(items, size, 0):
            for item in chunk:
                yield function(item)
            yield from _received(results, running, block=False)
        yield from _received(results, running, block=True)
        finished = True
    finally:
        _end(started, grace=_EXIT_GRACE if finished else 0.0)
        results.close()
        gc.unfreeze()


# Chunks per executor task: big enough that a task's overhead (a round trip to the
# scheduler, some milliseconds) is small beside its work; small enough to spread.
_EXECUTOR_CHUNKS = 32
_EXECUTOR_MAX_CHUNK = 64
STALL_TIMEOUT = float(os.environ.get("DATELINE_CLUSTER_STALL", "300"))
"""Seconds an executor may go without finishing any chunk before the build gives up."""


def chunk_size(items: int) -> int:
    """Items per executor task, for `items` in all."""
    return max(1, min(_EXECUTOR_MAX_CHUNK, math.ceil(items / _EXECUTOR_CHUNKS)))


def _run_on_executor(function: Callable[..., Any], items: list, executor: Executor,
                     shared: Any, carry: Callable[[list], list] | None) -> Iterator[Any]:
    if not items:
        return
    size = chunk_size(len(items))
    # The sentinel does not survive pickling: a task knows by `with_shared`.
    with_shared = shared is not _NOTHING
    task = functools.partial(_run_chunk, function, with_shared)
    chunks = (items[start:start + size] for start in range(0, len(items), size))
    if carry is not None:
        chunks = map(carry, chunks)
    for results in run_tasks(task, chunks, executor, shared if with_shared else None):
        yield from results


def run_tasks(task: Callable[[Any, Any], Any], payloads: Iterable[Any], executor: Executor,
              shared: Any = None) -> Iterator[Any]:
    """`task(shared, payload)` on `executor` for every payload, yielding each result as
    its task finishes (in no particular order). A payload is made (taken from the
    iterator) only when it is submitted, and at most `in_flight(executor)` tasks wait or
    run at once: neither this process nor the cluster ever holds every payload. `shared`
    goes to every worker once (`ClusterExecutor.share`) when the executor can."""
    share = getattr(executor, "share", None)
    if shared is not None and share is not None:
        shared = share(shared)
    payloads = iter(payloads)
    pending: set = set()
    try:
        while True:
            _submit_more(pending, in_flight(executor), lambda payload: executor.submit(
                task, shared, payload), payloads)
            if not pending:
                return
            done, pending = wait(pending, timeout=STALL_TIMEOUT, return_when=FIRST_COMPLETED)
            if not done:  # workers all gone and none coming back: never wait forever
                raise TimeoutError(f"no work finished in {STALL_TIMEOUT:.0f} s")
            for future in done:
                yield future.result()
    finally:
        for future in pending:
            future.cancel()


def _submit_more(pending: set, limit: int, submit: Callable[[Any], Any],
                 payloads: Iterator[Any]) -> None:
    while len(pending) < limit:
        payload = next(payloads, _NOTHING)
        if payload is _NOTHING:
            return
        pending.add(submit(payload))


def in_flight(executor: Executor) -> int:
    """How many tasks may wait or run at once on `executor`: two per worker thread (one
    running, one ready to start as soon as it ends), from `executor.threads()` when it
    tells (a cluster's), else `_max_workers` (the standard library's pools)."""
    threads = getattr(executor, "threads", None)
    count = threads() if threads is not None else getattr(executor, "_max_workers", 4)
    return 2 * max(1, count)


def _run_chunk(function: Callable[..., Any], with_shared: bool, shared: Any,
               chunk: list) -> list:
    """On an executor's worker: one chunk's results."""
    if with_shared:
        function = functools.partial(function, shared)
    return [function(item) for item in chunk]


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold Ctrl+C and SIGTERM while helpers are forked, then act on them.

    Raised in the middle of `start()`, a KeyboardInterrupt would leave a helper running
    that this process does not know of. The helpers start with the signals blocked, so
    none runs its parent's handler before `_reset_signals`."""
    caught: list[int] = []
    swapped = {}
    # Python runs handlers in the main thread only: elsewhere nothing can interrupt.
    if threading.current_thread() is threading.main_thread():
        for sig in _SIGNALS:
            if signal.getsignal(sig) is not None:  # None: not set from Python; leave it
                swapped[sig] = signal.signal(sig, lambda number, _: caught.append(number))
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        for sig, handler in swapped.items():
            signal.signal(sig, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for sig in caught:
            signal.raise_signal(sig)  # the process's own handler, now that all are known


def _received(results, running: list[int], *, block: bool) -> Iterator[Any]:
    """The results the helpers sent: those already waiting (`block` False), or every
    one until the last helper is done. `running`: how many helpers have not said they
    are done (counted down here)."""
    while running[0]:
        try:
            kind, payload = results.get(block)
        except queue.Empty:
            return
        if kind == "done":
            running[0] -= 1
        elif kind == "error":
            raise payload
        else:
            yield from payload


def _end(helpers: list, grace: float) -> None:
    """Wait for helpers that said they were done (they exit once their results are
    sent); terminate the others."""
    for helper in helpers:
        helper.join(grace)
        if helper.is_alive():
            helper.terminate()
            helper.join()


class _Claims:
    """The items still to do, as one stretch per process (its share, in order): a process
    takes chunks from the front of its own stretch, then from the back of the stretch with
    most left. Items next to each other share what a process keeps once made (a
    language's cards and page chrome, its feed entries): each process makes them for
    its own stretch, not for every chunk it happens to claim."""

    def __init__(self, context, count: int, workers: int, parent_share: bool = True):
        """`parent_share` False: this process (0) has no stretch of its own at first."""
        sharing = workers if parent_share else workers - 1
        bounds = [0] * (workers - sharing) + [count * n // sharing for n in range(sharing + 1)]
        # (front, back) of each process's stretch, under one lock.
        self.spans = context.Array("q", [bound for n in range(workers)
                                         for bound in (bounds[n], bounds[n + 1])])

    def take(self, me: int, size: int) -> range | None:
        with self.spans.get_lock():
            spans = self.spans.get_obj()
            if spans[2 * me] >= spans[2 * me + 1]:  # its own is done: help the slowest
                me = max(range(len(spans) // 2),
                         key=lambda n: spans[2 * n + 1] - spans[2 * n])
                front, back = spans[2 * me], spans[2 * me + 1]
                if front >= back:
                    return None
                spans[2 * me + 1] = start = max(front, back - size)
                return range(start, back)
            front = spans[2 * me]
            spans[2 * me] = end = min(front + size, spans[2 * me + 1])
            return range(front, end)

    def chunks(self, items: list, size: int, me: int) -> Iterator[list]:
        while (claimed := self.take(me, size)) is not None:
            yield items[claimed.start:claimed.stop]


def _helper(function, items, size, claims: _Claims, me: int, results) -> None:
    """A forked helper: claim chunks until none are left, send back each chunk's results."""
    _reset_signals()
    try:
        for chunk in claims.chunks(items, size, me):
            results.put(("results", [function(item) for item in chunk]))
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, which raises it
        try:
            results.put(("error", exc))
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled
            results.put(("error", WorkerError("".join(traceback.format_exception(exc)))))
    results.put(("done", None))


def _reset_signals() -> None:
    """Undo what a helper inherited: its parent's signal handlers (the preview server
    turns SIGINT and SIGTERM into KeyboardInterrupt, which a helper would print as a
    traceback) and the mask `_signals_deferred` forked it with. Ctrl+C reaches the whole
    process group: the helper ignores it and leaves the decision to its parent, whose
    `terminate()` (SIGTERM) ends it at once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
