"""Spreading work over processes. Workers are forked, so they start with the parent's
memory (the site model, templates) and nothing is pickled but each item and its result.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

# Below this many items, starting processes costs more than it saves.
MIN_ITEMS_PER_WORKER = 48


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_chunked(function: Callable[[Any], Any], items: list, jobs: int,
                initializer: Callable[[], None] | None = None,
                min_per_worker: int = MIN_ITEMS_PER_WORKER) -> Iterator[Any]:
    """`function(item)` for every item, in order, on up to `jobs` forked processes
    (fewer when there are fewer than `min_per_worker` items for each)."""
    workers = min(jobs, len(items) // min_per_worker)
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        if initializer is not None:
            initializer()
        yield from map(function, items)
        return
    chunk = max(1, min(64, len(items) // (workers * 8)))
    context = multiprocessing.get_context("fork")
    # Objects the workers inherit are left out of their garbage collector's scans: a scan
    # writes to every object it visits, which would copy the parent's memory page by page.
    gc.freeze()
    try:
        with context.Pool(workers, initializer=initializer) as pool:
            yield from pool.imap(function, items, chunksize=chunk)
    finally:
        gc.unfreeze()


def chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
