"""The persistent build cache (`.dateline-cache/`): what each source file parsed and
rendered to, and what each output file was made from.

It is an optimisation only: a cache written by another Dateline version, with other
settings, or damaged in any way is dropped and rebuilt — never trusted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import hashlib
import os
import pickle
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .bodies import FILE as BODIES_FILE
from .bodies import BodyStore
from .memo import ArticleEntry, AssemblyMemo

FORMAT = 6
"""Bump when the meaning of the cached values changes (their layout counts by itself:
see `_layout`)."""

# Racy-git rule: a file modified this close to the moment the cache was written may have
# changed again within the same timestamp tick, so its stat cannot vouch for its content.
_RACY_NS = 2_000_000_000


@dataclass
class SourceEntry:
    """One source file as last read: its stat and digest, front matter, rendered body."""

    stat: tuple[int, int, int]
    digest: str
    meta: dict
    key_lines: dict
    body_line: int
    body_id: str
    """The rendered body's key in the body store (`bodies.py`)."""
    images: tuple[tuple[str, str, tuple[int, int, int], object], ...]
    """(absolute source path, url, stat, Picture or None) of every image the body uses."""


@dataclass
class OutputRecord:
    """What one output folder holds: file → (fingerprint of its inputs, digest of bytes)."""

    build_id: str
    files: dict[str, tuple[str, str]] = field(default_factory=dict)
    groups: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    """Group of files made together (a feed, the sitemaps) → (fingerprint, files)."""


@dataclass
class CacheData:
    key: str
    sources: dict[str, SourceEntry] = field(default_factory=dict)
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    written_ns: int = 0
    photos: dict[str, tuple] = field(default_factory=dict)
    """Photo source path → (stat, digest, header info), so headers are read once."""
    assembly: AssemblyMemo = field(default_factory=AssemblyMemo)
    """What assembling made from each source, reused while its inputs are the same."""
    templates: dict = field(default_factory=dict)
    """The theme's template fingerprints and the digest of the sources they were made of."""


class BuildCache:
    """Load with `BuildCache.open(folder, key)`; `update()` and `write()` after a
    successful build."""

    def __init__(self, folder: Path, data: CacheData, loaded: bool,
                 bodies: BodyStore | None = None):
        self.folder = folder
        self.data = data
        self.loaded = loaded
        self.bodies = bodies or BodyStore()
        """Rendered bodies, by id (kept in their own file: see `bodies.py`)."""
        self.prepared: dict = {}
        """Source path → what the last build in this process prepared from it (`prepare`
        reuses it while the entry is the same; never written to disk)."""
        self.prepared_paths: list[Path] = []
        """The sources of that build, in order; empty when one of them had a problem."""
        self.misnamed: list[Path] = []
        """Files of that build named like sources but not read (`Story.MD`)."""
        self.content_files = None
        """The last build's file lookups under content/ (`assemble.ContentFiles`)."""
        self.dirty = False

    @classmethod
    def open(cls, folder: Path, settings: str) -> BuildCache:
        """The cache for these settings; empty when there is none or it is damaged."""
        key = cache_key(settings)
        _make_folder(folder)
        bodies = BodyStore.open(folder, key)
        path = folder / "build.pickle"
        try:
            if bodies.fresh:
                raise ValueError("the bodies this cache names are gone")
            with path.open("rb") as handle, _collector_paused():
                data = pickle.load(handle)
            if not isinstance(data, CacheData) or data.key != key:
                raise ValueError("cache from another version or settings")
            return cls(folder, data, True, bodies)
        except Exception:  # noqa: BLE001 - any damage at all means: start afresh
            return cls(folder, CacheData(key), False, bodies)

    def forget_sources(self) -> None:
        """Keep nothing learnt from the sources (for a clean build); what other output
        folders hold is still known, so their next builds stay incremental."""
        outputs = self.data.outputs
        self.data = CacheData(self.data.key, outputs=outputs)

    @classmethod
    def discard(cls, folder: Path) -> None:
        """Remove a cache found damaged while it was in use."""
        for name in ("build.pickle", BODIES_FILE):
            (folder / name).unlink(missing_ok=True)

    def source(self, path: Path, stat: os.stat_result) -> SourceEntry | None:
        """The cached entry when the file's stat proves it unchanged, else None."""
        entry = self.data.sources.get(str(path))
        if entry is None or entry.stat != _stat_key(stat):
            return None
        if stat.st_mtime_ns >= self.data.written_ns - _RACY_NS:
            return None
        return entry

    def source_by_digest(self, path: Path, digest: str) -> SourceEntry | None:
        entry = self.data.sources.get(str(path))
        return entry if entry is not None and entry.digest == digest else None

    def photo(self, path: Path, stat: os.stat_result) -> tuple | None:
        """(digest, info) of a photo whose stat proves it unchanged."""
        entry = self.data.photos.get(str(path))
        if entry is None or entry[0] != _stat_key(stat):
            return None
        if stat.st_mtime_ns >= self.data.written_ns - _RACY_NS:
            return None
        return entry[1], entry[2]

    def remember_photo(self, path: Path, stat: os.stat_result, digest: str, info) -> None:
        self.data.photos[str(path)] = (_stat_key(stat), digest, info)

    def output(self, folder: Path) -> OutputRecord | None:
        return self.data.outputs.get(str(folder))

    def update(self, sources: dict[str, SourceEntry], folder: Path,
               record: OutputRecord) -> None:
        """Remember a build in memory (`write` puts it on disk)."""
        self.data.sources = sources
        # One record per output folder: the preview server and `build` keep their own.
        self.data.outputs[str(folder)] = record
        self.data.written_ns = time.time_ns()
        self.dirty = True

    def write(self) -> None:
        self.dirty = False
        _make_folder(self.folder)
        self.bodies.keep_only({entry.body_id for entry in self.data.sources.values()})
        tmp = self.folder / f"build.pickle.{os.getpid()}.tmp"
        with tmp.open("wb") as handle:
            pickle.dump(self.data, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.folder / "build.pickle")


def _make_folder(folder: Path) -> None:
    """The cache folder, which git is told to ignore as soon as it exists."""
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")


@contextlib.contextmanager
def _collector_paused():
    """Loading the cache makes a few hundred thousand objects, all long-lived and none in
    a reference cycle: the cyclic garbage collector would scan them again and again while
    they load, and on every full collection of the build after it. Pause it while they
    load, then leave them out of its scans (plain reference counting still frees them)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.freeze()


def cache_key(settings: str) -> str:
    return f"{FORMAT}:{__version__}:{_layout()}:{settings}"


@functools.cache
def _layout() -> str:
    """The fields of every kind of value the cache holds. Slotted dataclasses are pickled
    as their values in field order, so a cache written before a field was added or removed
    would load with every later value in the wrong field: such a cache is dropped."""
    from . import errors, model, photos, read

    kinds = (SourceEntry, OutputRecord, CacheData, AssemblyMemo, ArticleEntry, model.Article,
             model.Image, model.Asset, photos.Picture, photos.Rendition, photos.Job,
             photos.SourceInfo, errors.SourceRef, read.Document)
    text = repr([(kind.__name__, [f.name for f in dataclasses.fields(kind)])
                 for kind in kinds])
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def stat_key(stat: os.stat_result) -> tuple[int, int, int]:
    return _stat_key(stat)


def _stat_key(stat: os.stat_result) -> tuple[int, int, int]:
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


class BuildSession:
    """What a long-running process (the preview server) keeps between its builds: the
    build cache stays in memory instead of being read and written every time, and is
    written at most every `write_interval` seconds and when the session closes.

    A crash between writes loses nothing that matters: the output folder's marker then
    names a build the cache on disk does not know, and the next build starts afresh."""

    def __init__(self, write_interval: float = 5.0):
        self.write_interval = write_interval
        self._cache: BuildCache | None = None
        self._written = 0.0
        self._writing = threading.Lock()  # the server's rebuild thread, or its shutdown

    def cache(self, folder: Path, settings: str) -> BuildCache:
        key = cache_key(settings)
        if self._cache is None or self._cache.folder != folder or self._cache.data.key != key:
            self.close()
            self._cache = BuildCache.open(folder, settings)
        return self._cache

    def forget(self) -> None:
        """Drop the cache kept in memory without writing it (it was found damaged)."""
        self._cache = None

    def save_if_due(self) -> None:
        """Write the cache if `write_interval` has passed since the last write; the
        server calls it after a rebuild has been reported, so no rebuild waits for it."""
        if self._cache is not None and time.monotonic() - self._written > self.write_interval:
            self.close()

    def close(self) -> None:
        with self._writing:
            if self._cache is not None and self._cache.dirty:
                self._cache.write()
            self._written = time.monotonic()
