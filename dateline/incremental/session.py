"""What a long-running process (the preview server) keeps between its builds: the build
cache, held in memory and written now and then (`BuildSession`), and what the process
remembers of its last build (`BuildMemory`), never written to disk."""

from __future__ import annotations

import threading
import time
import weakref
from pathlib import Path

from msgspec import Struct
from msgspec import field as msgspec_field

from .cache import BuildCache, cache_key
from .reuse import MemoryStore


class BuildMemory(Struct):
    """What one process remembers of its last build, to skip work in the next: a
    command-line build starts with an empty one, the preview server keeps its own
    (`BuildSession.memory`). Only the build's stages read and write it."""

    prepared: dict = msgspec_field(default_factory=dict)
    """Source path → what the last build prepared from it (`prepare` reuses it while the
    cache entry is the same)."""
    prepared_paths: list[Path] = msgspec_field(default_factory=list)
    """The sources of that build, in order; empty when one of them had a problem."""
    misnamed: list[Path] = msgspec_field(default_factory=list)
    """Files of that build named like sources but not read (`Story.MD`)."""
    unread: list = msgspec_field(default_factory=list)
    """Entries of that build's content folder not read (`read.find_sources`)."""
    links_memo: dict = msgspec_field(default_factory=dict)
    """Articles with their links resolved (`crosslinks.link_articles`)."""
    content_files: object = None
    """The last build's file lookups under content/ (`contentfiles.ContentFiles`)."""
    digests: object = None
    """The last build's fingerprints by what they were made from
    (`fingerprints.DigestMemo`)."""
    reuse: MemoryStore = msgspec_field(default_factory=MemoryStore)
    """The last good build's model (`reuse`)."""
    environments: dict = msgspec_field(default_factory=dict)
    """Theme folder → its Jinja2 environment and template fingerprints (`render`)."""


class BuildSession:
    """What a long-running process (the preview server) keeps between its builds: the
    build cache stays in memory instead of being read and written every time, and is
    written at most every `write_interval` seconds and when the session closes.

    A crash between writes loses nothing that matters: the output folder's marker then
    names a build the cache on disk does not know, and the next build starts afresh."""

    def __init__(self, write_interval: float = 5.0):
        self.write_interval = write_interval
        self._cache: BuildCache | None = None
        self.memory = BuildMemory()
        """What this process remembers of its last build, for the cache it goes with."""
        self._written = 0.0
        self._writing = threading.Lock()  # the server's rebuild thread, or its shutdown
        self._search = None
        self._search_ended = False
        self._searching = threading.Lock()  # the rebuild thread, or the server's stop

    def kept_search(self, make):
        """The Pagefind program this session keeps between its builds, made by `make()`
        the first time (`build.searchservice.KeptIndexes`); ended by `end_search`."""
        with self._searching:
            if self._search is None:
                self._search = make()
                if self._search_ended:
                    self._search.close()  # refuses to index: the server is stopping
                # A session dropped without `end_search` (a test's, an embedding
                # application's) leaves no program running.
                weakref.finalize(self, self._search.abandon)
            return self._search

    def end_search(self) -> None:
        """End the kept Pagefind program at once (a bundle being made fails) and make no
        other in this session: the server is stopping."""
        with self._searching:
            self._search_ended = True
            search = self._search
        if search is not None:
            search.close()

    def cache(self, folder: Path, settings: str) -> BuildCache:
        key = cache_key(settings)
        if self._cache is None or self._cache.folder != folder or self._cache.data.key != key:
            self.close()
            if self._cache is not None:
                self._cache.data.close()
            self._cache = BuildCache.open(folder, settings)
            self.memory = BuildMemory()
        return self._cache

    def forget(self) -> None:
        """Drop the cache kept in memory without writing it (it was found damaged)."""
        self._cache = None
        self.memory = BuildMemory()

    def save_if_due(self) -> None:
        """Write the cache if `write_interval` has passed since the last write; the
        server calls it after a rebuild has been reported, so no rebuild waits for it."""
        if self._cache is not None and time.monotonic() - self._written > self.write_interval:
            self.close()

    def idle(self) -> None:
        """Between rebuilds, off the edit-to-reload path: write the cache when due
        (`save_if_due`), and index the last build's plan for the next edit
        (`MemoryStore.prepare`)."""
        self.save_if_due()
        self.memory.reuse.prepare()

    def close(self) -> None:
        with self._writing:
            if self._cache is not None and self._cache.dirty:
                self._cache.write()
            self._written = time.monotonic()
