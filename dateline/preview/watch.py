"""Watch the site's sources and turn bursts of file events into single rebuilds.

watchdog reports every step of a save (an editor's swap file, its atomic rename, the
final close), so events only mark paths as changed; a `Debouncer` waits for a short
quiet spell and then runs one rebuild for everything collected.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import (
    EVENT_TYPE_CLOSED_NO_WRITE,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    EVENT_TYPE_OPENED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

# Reads are not changes: the build itself opens every source, which must not loop.
_READ_EVENTS = frozenset({EVENT_TYPE_OPENED, EVENT_TYPE_CLOSED_NO_WRITE})
def changed_paths(event: FileSystemEvent) -> list[Path]:
    """The paths an event changes: both ends of a move, so an atomic rename-save counts
    as a change to its destination; nothing for reads and folder timestamp updates."""
    if event.event_type in _READ_EVENTS:
        return []
    if event.is_directory and event.event_type == EVENT_TYPE_MODIFIED:
        return []
    paths = [event.src_path]
    if event.event_type == EVENT_TYPE_MOVED and event.dest_path:
        paths.append(event.dest_path)
    return [Path(os.fsdecode(p)) for p in paths]


class _Forwarder(FileSystemEventHandler):
    def __init__(self, accept: Callable[[Path], bool], sink: Callable[[Iterable[Path]], None]):
        self._accept = accept
        self._sink = sink

    def on_any_event(self, event: FileSystemEvent) -> None:
        kept = [p for p in changed_paths(event) if self._accept(p)]
        if kept:
            self._sink(kept)


class SourceWatch:
    """A watchdog observer over folders (recursively) and single files; hands the
    accepted changed paths to `sink`."""

    def __init__(self, accept: Callable[[Path], bool], sink: Callable[[Iterable[Path]], None]):
        self._handler = _Forwarder(accept, sink)
        self._observer = Observer()
        self._observer.name = "dateline-watch"
        self._observer.daemon = True
        self._planned: tuple = ()

    def start(self, folders: Iterable[Path], files: Iterable[Path]) -> None:
        self.plan(folders, files)
        self._observer.start()

    def plan(self, folders: Iterable[Path], files: Iterable[Path]) -> None:
        """Watch exactly these; a no-op when nothing changed since the last plan."""
        folders = tuple(sorted({f for f in folders if f.is_dir()}))
        # A single file is watched through its folder, without recursion: renames that
        # replace it (atomic saves) are only seen there.
        parents = tuple(sorted({f.parent for f in files if f.parent.is_dir()} - set(folders)))
        if (folders, parents) == self._planned:
            return
        self._observer.unschedule_all()
        for folder in folders:
            self._observer.schedule(self._handler, str(folder), recursive=True)
        for folder in parents:
            self._observer.schedule(self._handler, str(folder), recursive=False)
        self._planned = (folders, parents)

    def stop(self, timeout: float = 5.0) -> None:
        if self._observer.is_alive():
            self._observer.stop()
            self._observer.join(timeout)


class Debouncer:
    """Collects changed paths and, once `quiet` seconds pass without another, calls
    `action(paths)` on its own thread: a burst of events makes exactly one call.

    Changes that arrive while `action` runs are kept for the next call.
    """

    def __init__(self, action: Callable[[frozenset[Path]], None], quiet: float = 0.1,
                 name: str = "dateline-rebuild"):
        self._action = action
        self._quiet = quiet
        self._pending: set[Path] = set()
        self._woken = False
        self._last = 0.0
        self._stopping = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def add(self, paths: Iterable[Path]) -> None:
        with self._cond:
            self._pending.update(paths)
            self._last = time.monotonic()
            self._cond.notify_all()

    def wake(self) -> None:
        """Call `action` soon even though no path changed (with the paths pending, if
        any; else with none): the clock has changed the site."""
        with self._cond:
            self._woken = True
            self._cond.notify_all()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the call in progress, if any; pending changes are dropped."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _next_batch(self) -> frozenset[Path] | None:
        with self._cond:
            while not self._stopping:
                if not self._pending:
                    if self._woken:
                        self._woken = False
                        return frozenset()
                    self._cond.wait()
                    continue
                remaining = self._last + self._quiet - time.monotonic()
                if remaining <= 0:
                    batch, self._pending = frozenset(self._pending), set()
                    self._woken = False  # this call rebuilds with the clock's time too
                    return batch
                self._cond.wait(remaining)
            return None

    def _run(self) -> None:
        while (batch := self._next_batch()) is not None:
            try:
                self._action(batch)
            except Exception:  # one failed rebuild must not end the watching
                traceback.print_exc(file=sys.stderr)
