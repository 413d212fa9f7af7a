"""Spreading work over processes. Workers are forked, so they start with the parent's
memory (the site model, templates) and nothing is pickled but each result.

The parent works too: with `jobs` = 2 it forks one helper and takes its own share,
instead of forking two and waiting. Every process claims the next chunk of items from a
shared counter, so a slow chunk never leaves the others idle.
"""

from __future__ import annotations

import gc
import os
import traceback
from collections.abc import Callable, Iterator
from typing import Any

# Below this many items, starting processes costs more than it saves.
MIN_ITEMS_PER_WORKER = 48


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class WorkerError(RuntimeError):
    """A helper process failed with an exception that could not be sent back as it was."""


def run_chunked(function: Callable[[Any], Any], items: list, jobs: int,
                min_per_worker: int = MIN_ITEMS_PER_WORKER) -> Iterator[Any]:
    """`function(item)` for every item, on up to `jobs` processes (this one included;
    fewer when there are fewer than `min_per_worker` items for each). Results come in no
    particular order."""
    workers = min(jobs, len(items) // min_per_worker)
    if workers <= 1:
        yield from map(function, items)
        return
    import multiprocessing  # only when forking: it pulls in sockets and pickling helpers

    if "fork" not in multiprocessing.get_all_start_methods():
        yield from map(function, items)
        return
    size = max(1, min(64, len(items) // (workers * 8)))
    context = multiprocessing.get_context("fork")
    claimed = context.Value("l", 0)
    # A Queue, not a pipe: a helper's results wait in its own memory (sent by a feeder
    # thread) while this process is busy with its share, so the helper never stalls.
    results = context.Queue()
    # Objects the helpers inherit are left out of their garbage collector's scans: a scan
    # writes to every object it visits, which would copy the parent's memory page by page.
    gc.freeze()
    helpers = [context.Process(target=_helper, args=(function, items, size, claimed, results),
                               daemon=True) for _ in range(workers - 1)]
    try:
        for helper in helpers:
            helper.start()
        for chunk in _claim(items, size, claimed):
            for item in chunk:
                yield function(item)
        running = len(helpers)
        while running:
            kind, payload = results.get()
            if kind == "done":
                running -= 1
            elif kind == "error":
                raise payload
            else:
                yield from payload
    finally:
        for helper in helpers:
            if helper.is_alive():
                helper.terminate()
            helper.join()
        results.close()
        gc.unfreeze()


def _claim(items: list, size: int, claimed) -> Iterator[list]:
    while True:
        with claimed.get_lock():
            start = claimed.value
            claimed.value = start + size
        if start >= len(items):
            return
        yield items[start:start + size]


def _helper(function, items, size, claimed, results) -> None:
    """A forked helper: claim chunks until none are left, send back each chunk's results."""
    try:
        for chunk in _claim(items, size, claimed):
            results.put(("results", [function(item) for item in chunk]))
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, which raises it
        try:
            results.put(("error", exc))
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled
            results.put(("error", WorkerError("".join(traceback.format_exception(exc)))))
    results.put(("done", None))

