"""The preview server's Pagefind (`searchservice.KeptIndexes`): a bucket made again after
an edit is handed the edited articles alone and is byte for byte the bundle a fresh
index makes; other members, or another order, make a fresh index; only the last
buckets' indexes are kept; `close` ends the program, even while it is indexing."""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dateline.build.searchservice import KeptIndexes, make_bundle
from dateline.incremental.session import BuildSession

HAS_PROC_CHILDREN = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists()


def page(title: str, words: str) -> str:
    return (f'<!DOCTYPE html><html lang="en"><body><main data-pagefind-body><h1>{title}'
            f"</h1><p>{words}</p></main></body></html>")


def bucket(count: int, edited: dict[int, str] | None = None) -> list[tuple[str, str]]:
    """(URL, HTML) of `count` articles, those in `edited` with other words."""
    edited = edited or {}
    return [(f"/en/world/story-{n}/", page(f"Story {n}", edited.get(n, f"Paragraph {n} "
                                                                     "about the vote.")))
            for n in range(count)]


def fresh(docs: list[tuple[str, str]]) -> dict[str, bytes]:
    # On a thread of its own: an earlier test in this worker (a browser's) may have left
    # an event loop running on the main thread.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, make_bundle(tuple(docs))).result()


class Handed:
    """What the kept indexes are handed: (members, their parts by position)."""

    def __init__(self, pagefind: KeptIndexes):
        self.pagefind, self.asked = pagefind, []

    def bundle(self, name: str, docs: list[tuple[str, str]], keep: bool = True,
               ) -> dict[str, bytes]:
        members = [(url, str(hash(html))) for url, html in docs]

        def html(positions: list[int]) -> list[str]:
            self.asked.append(positions)
            return [docs[at][1] for at in positions]

        return self.pagefind.bundle(name, members, html, keep=keep)


@pytest.fixture
def kept():
    pagefind = KeptIndexes(most=2)
    yield Handed(pagefind)
    pagefind.close()


def test_an_edited_bucket_is_handed_its_edits_alone_and_is_a_fresh_indexs_bundle(kept):
    first = kept.bundle("search:en:0", bucket(30))
    assert first == fresh(bucket(30))
    edited = bucket(30, {7: "Paragraph 7, corrected: the count ended at dawn."})
    again = kept.bundle("search:en:0", edited)
    assert kept.asked == [list(range(30)), [7]]
    assert again == fresh(edited)
    assert again != first
    # Edited back: the first bundle again, from one article handed over.
    assert kept.bundle("search:en:0", bucket(30)) == first
    assert kept.asked[-1] == [7]


def test_other_members_or_order_make_a_fresh_index(kept):
    kept.bundle("search:en:0", bucket(10))
    fewer = bucket(10)[1:]
    assert kept.bundle("search:en:0", fewer) == fresh(fewer)
    assert kept.asked[-1] == list(range(9))
    turned = list(reversed(fewer))
    assert kept.bundle("search:en:0", turned) == fresh(turned)
    assert kept.asked[-1] == list(range(9))


def test_a_bucket_made_without_keeping_is_indexed_whole_next_time(kept):
    assert kept.bundle("search:en:0", bucket(5), keep=False) == fresh(bucket(5))
    edited = bucket(5, {2: "y"})
    assert kept.bundle("search:en:0", edited) == fresh(edited)
    assert kept.asked == [list(range(5))] * 2


def test_only_the_last_buckets_made_are_kept(kept):
    for name in ("search:en:0", "search:en:1", "search:fa:0"):
        kept.bundle(name, bucket(5))
    kept.bundle("search:fa:0", bucket(5, {1: "x"}))
    assert kept.asked[-1] == [1]
    kept.bundle("search:en:0", bucket(5, {1: "x"}))  # dropped: the oldest of three
    assert kept.asked[-1] == list(range(5))


@pytest.mark.skipif(not HAS_PROC_CHILDREN, reason="needs Linux /proc/PID/task/TID/children")
def test_close_ends_the_program_and_refuses_more():
    before = _children()  # an earlier test's session may still hold its own Pagefind
    pagefind = KeptIndexes()
    Handed(pagefind).bundle("search:en:0", bucket(3))
    assert _children() - before  # the program, kept
    pagefind.close()
    assert not _children() - before
    with pytest.raises(Exception, match="stopping"):
        Handed(pagefind).bundle("search:en:0", bucket(3))



@pytest.mark.skipif(not HAS_PROC_CHILDREN, reason="needs Linux /proc/PID/task/TID/children")
def test_close_while_the_program_starts_leaves_no_program_and_nothing_to_collect(
        monkeypatch):
    """The preview server stopped in the first milliseconds of its first search build:
    the program is still being started (not yet known as the service). CI once saw
    Python print "Event loop is closed" with a traceback at such a Ctrl+C: the loop
    had been stopped under the start, leaving the program and its pipes behind."""
    collected = []
    monkeypatch.setattr(sys, "unraisablehook", collected.append)
    before = _children()
    for moment in range(30):  # 0 to 3 ms after the bundle is asked for
        pagefind, failed = KeptIndexes(), []

        def make(pagefind=pagefind, failed=failed):
            try:
                Handed(pagefind).bundle("search:en:0", bucket(20))
            except Exception as exc:  # noqa: BLE001 - the stop fails it: expected
                failed.append(str(exc))

        maker = threading.Thread(target=make)
        maker.start()
        time.sleep(moment / 10_000)
        started = time.monotonic()
        pagefind.close()
        assert time.monotonic() - started < 5, moment
        maker.join(10)
        assert not maker.is_alive(), moment
        del pagefind
        gc.collect()
        assert not _children() - before, (moment, failed)
    assert not collected, [str(each.exc_value) for each in collected]

def _children() -> set[str]:
    """This process's child processes (every thread's)."""
    pid, found = os.getpid(), []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            found += Path(f"/proc/{pid}/task/{task}/children").read_text().split()
        except OSError:  # a thread that has just ended
            pass
    return set(found)


@pytest.mark.skipif(not HAS_PROC_CHILDREN, reason="needs Linux /proc/PID/task/TID/children")
def test_a_session_dropped_without_ending_its_pagefind_leaves_no_program():
    before = _children()
    session = BuildSession()
    Handed(session.kept_search(KeptIndexes)).bundle("search:en:0", bucket(3))
    assert _children() - before
    del session
    deadline = time.monotonic() + 10
    while _children() - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _children() - before


def test_a_stop_cancelled_in_its_wait_still_closes_the_programs_pipes():
    """Ctrl+C mid-index: the bundle's own stop of its program is cancelled by `close`'s
    wind-down while it waits for the program; the pipes are closed all the same, while
    the loop runs (CI at 74ea7f7: "Exception ignored in BaseSubprocessTransport.__del__
    ... Event loop is closed", with a traceback, once the loop was closed)."""
    from types import SimpleNamespace

    from dateline.build import searchservice

    caught: list = []
    hook, sys.unraisablehook = sys.unraisablehook, caught.append

    async def stop_cancelled() -> bool:
        backend = await asyncio.create_subprocess_exec(
            "sleep", "30", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        poll = asyncio.get_running_loop().create_task(asyncio.sleep(30))
        service = SimpleNamespace(_backend=backend, _responses={}, _poll_task=poll)
        stopping = asyncio.ensure_future(searchservice._stop(service))
        await asyncio.sleep(0)  # (in its wait for the program)
        stopping.cancel()
        await asyncio.gather(stopping, return_exceptions=True)
        closing = backend._transport.is_closing()
        await asyncio.sleep(0.05)  # (its end reported while the loop runs)
        return closing

    try:
        # On a thread of its own: a test before this one in the worker may have left an
        # event loop running on this one (Playwright's).
        with ThreadPoolExecutor(1) as thread:
            assert thread.submit(asyncio.run, stop_cancelled()).result(30)
        gc.collect()
    finally:
        sys.unraisablehook = hook
    assert caught == []
