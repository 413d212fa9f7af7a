"""The Pagefind program, talked to over its service protocol (`search` hands it a
bucket's articles and takes the bundle back), in two ways:

- `make_bundle`: a program of its own for one bundle, ended when it is made (a
  command-line build).
- `KeptIndexes`: one program kept running by the preview server (its stop ends it at
  once), which keeps the indexes of the last buckets its short path (`memoryedits`)
  made (`KEPT_MOST`). Pagefind's service replaces an article added again under the
  same URL in place (same position, so the same page numbers), so a bucket whose
  members are those of its kept index, in the same order, is made again by handing
  Pagefind the edited articles alone: the bundle is byte for byte the one a fresh index
  of the whole bucket writes (`tests/test_search_kept.py`), and the edit costs
  Pagefind's build of the bucket's index (~0.25 s at 500 articles) instead of reading
  every article again too (~0.45 s more).

Pagefind is asked in the order the articles are listed, one bucket at a time.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import CancelledError as FutureCancelled
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

KEPT_MOST = 2
"""Buckets whose index the preview server's Pagefind keeps (the latest made): the
program holds ~90 MB with one of 500 articles, up to ~170 MB once it has made many
(its allocator keeps what it freed)."""

INDEX_CONFIG = {"root_selector": "html"}

_REPLY_LIMIT = 1 << 31
"""Bytes one reply of the Pagefind program may take: the whole bundle, base64-coded."""


class NoPagefind(Exception):
    """The Pagefind program is not installed."""


async def make_bundle(docs: tuple[tuple[str, str], ...]) -> dict[str, bytes]:
    """The bundle of `docs` ((URL, HTML)), by its files' paths in it, from a Pagefind
    program started for it and ended after it; made in memory: Pagefind's own
    `write_files` answers before its files are all written (empty files were seen)."""
    service = await _launch()
    try:
        index = await service.create_index(INDEX_CONFIG)
        await asyncio.gather(*(index.add_html_file(content=html, url=url)
                               for url, html in docs))
        return await _files(index)
    finally:
        await _stop(service)  # (upstream's `close` leaves its pipes to the collector)


class KeptIndexes:
    """One Pagefind program, on an event loop of its own thread, kept between the
    preview server's builds with the indexes of the buckets it made last.

    `bundle` is called by the rebuild thread; `close` (the server's stop) may be called
    from another thread while a bundle is being made: it ends the program at once, and
    that bundle fails (Pagefind stopped) instead of making the stop wait for it."""

    def __init__(self, most: int = KEPT_MOST):
        self.most = most
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._service = None
        self._kept: OrderedDict[str, tuple[object, list[tuple[str, str]]]] = OrderedDict()
        self._lock = threading.Lock()
        self._closed = False
        self._working: set[asyncio.Task] = set()  # `_indexed` and `_drop` under way

    def bundle(self, name: str, members: list[tuple[str, str]],
               html: Callable[[list[int]], list[str]], *, keep: bool = True,
               ) -> dict[str, bytes]:
        """The bundle of bucket `name`, whose `members` are (URL, digest of what is
        indexed of the page), by its files' paths; `html(positions)`: the indexed parts
        of those members (read on the caller's thread); its index kept if `keep`.
        Raises `NoPagefind`, or Exception from the program."""
        with self._lock:
            if self._closed:
                raise Exception("the preview server is stopping")
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=self._loop.run_forever,
                                                name="dateline-pagefind", daemon=True)
                self._thread.start()
            loop = self._loop
            index, known = self._kept.pop(name, (None, None))
        if known is not None and [url for url, _ in known] == [url for url, _ in members]:
            redo = [at for at, (old, new) in enumerate(zip(known, members, strict=True))
                    if old != new]
            stale = None
        else:  # other articles, or in another order: a fresh index
            redo, stale, index = list(range(len(members))), index, None
        urls = [members[at][0] for at in redo]
        docs = list(zip(urls, html(redo), strict=True))
        index, files = self._wait(asyncio.run_coroutine_threadsafe(
            self._indexed(index, stale, docs), loop), loop)
        with self._lock:
            if keep:
                self._kept[name] = (index, list(members))
            dropped = [] if keep else [index]
            dropped += [self._kept.popitem(last=False)[1][0]
                        for _ in range(len(self._kept) - self.most)]
        if dropped:
            self._wait(asyncio.run_coroutine_threadsafe(self._drop(dropped), loop), loop)
        return files

    def _wait(self, made: Future, loop: asyncio.AbstractEventLoop):
        """What `made` returns, or an Exception once `close` has stopped the loop that
        would have run it."""
        while True:
            try:
                return made.result(0.5)
            except FutureTimeout:
                if self._closed and not loop.is_running():
                    raise Exception("the preview server is stopping") from None
            except FutureCancelled:  # by `close`
                raise Exception("the preview server is stopping") from None

    async def _indexed(self, index, stale, docs: list[tuple[str, str]]):
        """(index, its bundle's files) once `docs` are added to `index` (None: a new one)."""
        self._working.add(asyncio.current_task())
        try:
            if self._closed:  # (`close` ran while this waited for the loop)
                raise Exception("the preview server is stopping")
            if self._service is None:
                self._service = await _launch()
            if stale is not None:
                await stale.delete_index()
            if index is None:
                index = await self._service.create_index(INDEX_CONFIG)
            await asyncio.gather(*(index.add_html_file(content=html, url=url)
                                   for url, html in docs))
            return index, await _files(index)
        except BaseException:
            await self._end()  # in an unknown state: the next bundle starts afresh
            raise
        finally:
            self._working.discard(asyncio.current_task())

    async def _drop(self, indexes: list) -> None:
        self._working.add(asyncio.current_task())
        try:
            for index in indexes:
                await index.delete_index()
        except BaseException:
            await self._end()
            raise
        finally:
            self._working.discard(asyncio.current_task())

    async def _end(self) -> None:
        service, self._service = self._service, None
        with self._lock:
            self._kept.clear()
        if service is not None:
            await _stop(service)

    def abandon(self) -> None:
        """End the program and the loop without waiting for either (the session that
        kept them is gone: safe from any thread, the collector's included)."""
        self._closed = True
        service, loop = self._service, self._loop
        if service is not None:
            _kill(service)
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(loop.create_task, self._wind_up())

    async def _wind_down(self) -> None:
        """Whatever else this loop runs cancelled and awaited, then the program ended.

        A bundle being made may be starting the program: until it is started it is not
        `_service`, so `_end` alone would not see it, and the loop stopped under it
        would leave the program running and its pipes to the collector (which closes
        them after the loop, and Python prints that failure with a traceback).
        Cancelled, asyncio's own start ends the program it began."""
        # Ours alone: asyncio's own tasks (a starting program's pipes being connected)
        # cancelled would leave its end unreported, and its wait for it hung.
        working = list(self._working)
        for task in working:
            task.cancel()
        await asyncio.gather(*working, return_exceptions=True)
        await self._end()

    async def _wind_up(self) -> None:
        await self._wind_down()
        await asyncio.sleep(0)  # the reader's cancellation taken before the loop stops
        asyncio.get_running_loop().stop()

    def close(self) -> None:
        """End the program (at once: whatever it is doing is not waited for) and the
        loop's thread."""
        with self._lock:
            self._closed = True
            loop, self._loop = self._loop, None
        if loop is None:
            return
        ended = asyncio.run_coroutine_threadsafe(self._wind_down(), loop)  # fails a bundle
        try:
            ended.result(10)
        except FutureTimeout:  # the program was killed all the same
            pass
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(10)
        if not loop.is_running():
            loop.close()


def _kill(service) -> None:
    # Not `Popen.kill`, which first reaps the program if it has ended (`poll`), so that
    # asyncio's watcher of the child, waiting for it, says "Unknown child process".
    try:
        os.kill(service._backend.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


async def _stop(service) -> None:
    """End the program without waiting for replies it owes (upstream's `close` waits
    up to 5 s for them): whoever waits for one is told it stopped."""
    _kill(service)
    _fail(service._responses.values(), "Pagefind stopped")
    try:
        await service._backend.wait()
    finally:
        # Its pipes closed while the loop runs, even when this stop is cancelled in its
        # wait (a bundle's own stop, cancelled by `close`'s wind-down: Ctrl+C mid-index):
        # a transport left to the collector closes them once the loop is closed, and
        # Python prints that failure with a traceback ("Exception ignored in
        # BaseSubprocessTransport.__del__: Event loop is closed").
        service._poll_task.cancel()
        service._backend._transport.close()
    await asyncio.sleep(0)


def _fail(waiting, message: str) -> None:
    """The replies still awaited, failed: the program ended."""
    for reply in waiting:
        if not reply.done():
            reply.set_exception(Exception(message))
            reply.exception()  # taken: the first failure is the one reported


async def _files(index) -> dict[str, bytes]:
    return {file["path"]: file["content"] for file in await index.get_files()}


_SERVICE: list[type] = []


async def _launch():
    """A Pagefind program started in service mode (raises `NoPagefind`)."""
    if not _SERVICE:
        try:
            from pagefind.service import PagefindService
        except ImportError:
            raise NoPagefind from None
        _SERVICE.append(_prompt_service(PagefindService))
    try:
        return await _SERVICE[0]().launch()
    except (FileNotFoundError, PermissionError):
        raise NoPagefind from None


def _prompt_service(base: type) -> type:
    class PromptService(base):
        async def launch(self):
            # As upstream's, with room for a whole bundle in one reply (`get_files`).
            self._backend = await asyncio.create_subprocess_exec(
                self._bin, "--service", stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
                limit=_REPLY_LIMIT)
            self._poll_task = self._loop.create_task(self._wait_for_responses())
            return self

        # Upstream's reader sleeps 0.1 s before taking each reply, so that 3,000
        # pages took five minutes; this one takes each as it comes (same protocol:
        # base64 JSON messages, each ended by a comma).
        async def _wait_for_responses(self) -> None:
            while True:
                try:
                    line = await self._backend.stdout.readuntil(b",")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
                    _fail(self._responses.values(), f"Pagefind stopped ({exc})")
                    return
                reply = json.loads(base64.b64decode(line[:-1]))
                future = self._responses.pop(reply.get("message_id"), None) if reply else None
                if future is None:
                    continue
                payload = reply["payload"]
                if payload["type"] == "Error":
                    future.set_exception(Exception(payload["message"]))
                else:
                    future.set_result(payload)

    return PromptService
