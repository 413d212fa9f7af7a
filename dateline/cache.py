"""The persistent build cache (`.dateline-cache/`): what each source file parsed and
rendered to, and what each output file was made from.

It is an optimisation only: a cache written by another Dateline version, with other
settings, or damaged in any way is dropped and rebuilt — never trusted.

On disk it is a snapshot (`build.pickle`) and a journal of what later builds changed
(`build.journal`): a one-article rebuild appends a few entries instead of writing
megabytes again. Once the journal has grown to a quarter of the snapshot, the next
write folds it into a new snapshot.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import os
import pickle
import struct
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .bodies import FILE as BODIES_FILE
from .bodies import BodyStore
from .collector import long_lived
from .memo import ArticleEntry, AssemblyMemo

FORMAT = 7
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
    front: str = ""
    """`read.front_digest` of its front matter."""


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
    generation: str = ""
    """Names this snapshot; journal entries written against another one are ignored."""


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
        self.digests = None
        """The last build's fingerprints by what they were made from
        (`fingerprints.DigestMemo`, kept by a long-running process)."""
        self.last_build = None
        """What the last good build of a long-running process made (`lastbuild`)."""
        self.dirty = False
        self._on_disk = _entries(data) if loaded else None
        """What the files on disk hold (snapshot and journal), to write only what changed."""
        self._snapshot_bytes = self._journal_bytes = 0

    @classmethod
    def open(cls, folder: Path, settings: str) -> BuildCache:
        """The cache for these settings; empty when there is none or it is damaged."""
        key = cache_key(settings)
        _make_folder(folder)
        bodies = BodyStore.open(folder, key)
        try:
            if bodies.fresh:
                raise ValueError("the bodies this cache names are gone")
            with long_lived():
                data, sizes = _load(folder, key)
            cache = cls(folder, data, True, bodies)
            cache._snapshot_bytes, cache._journal_bytes = sizes
            return cache
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
        for name in (SNAPSHOT, JOURNAL, BODIES_FILE):
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
        """Append what changed since the files were last read or written to the journal,
        or write a new snapshot when the journal would outgrow a quarter of it."""
        self.dirty = False
        _make_folder(self.folder)
        self.bodies.keep_only({entry.body_id for entry in self.data.sources.values()})
        entries = _entries(self.data)
        if self._on_disk is not None and self.data.generation:
            record = _journal_record(self.data, _changes(self._on_disk, entries))
            if self._journal_bytes + len(record) <= self._snapshot_bytes // 4:
                with (self.folder / JOURNAL).open("ab") as handle:
                    handle.write(record)
                self._journal_bytes += len(record)
                self._on_disk = entries
                return
        self.data.generation = os.urandom(16).hex()
        tmp = self.folder / f"{SNAPSHOT}.{os.getpid()}.tmp"
        with tmp.open("wb") as handle:
            pickle.dump(self.data, handle, protocol=pickle.HIGHEST_PROTOCOL)
            self._snapshot_bytes = handle.tell()
        os.replace(tmp, self.folder / SNAPSHOT)
        # Entries of the old snapshot's journal would be ignored; remove them anyway.
        (self.folder / JOURNAL).unlink(missing_ok=True)
        self._journal_bytes = 0
        self._on_disk = entries


SNAPSHOT = "build.pickle"
JOURNAL = "build.journal"
_RECORD_HEAD = struct.Struct("<I16s")
"""Each journal record: its length and a digest of its bytes, then the pickled change."""
_GONE = object()


def _tables(data: CacheData) -> dict[str, dict]:
    """The cache's tables of entries, as they are (the journal records changes to them)."""
    tables = {"sources": data.sources, "photos": data.photos, "templates": data.templates,
              "fields": data.assembly.fields, "articles": data.assembly.articles}
    for folder, record in data.outputs.items():
        tables[f"files:{folder}"] = record.files
        tables[f"groups:{folder}"] = record.groups
    return tables


def _entries(data: CacheData) -> dict[str, dict]:
    """Shallow copies of the tables, and the build id of every output folder, for
    finding what changed."""
    entries = {name: dict(table) for name, table in _tables(data).items()}
    entries["outputs"] = {folder: record.build_id for folder, record in data.outputs.items()}
    return entries


def _same(old, new) -> bool:
    return old is new or old == new


def _changes(old: dict[str, dict], new: dict[str, dict]) -> dict[str, tuple[dict, list]]:
    """Per table: the entries added or changed, and the keys removed."""
    changes = {}
    for name in old.keys() | new.keys():
        before, after = old.get(name, {}), new.get(name, {})
        changed = {key: value for key, value in after.items()
                   if not _same(before.get(key, _GONE), value)}
        removed = [key for key in before if key not in after]
        if changed or removed:
            changes[name] = (changed, removed)
    return changes


def _journal_record(data: CacheData, changes: dict) -> bytes:
    body = pickle.dumps((data.generation, data.written_ns, changes),
                        protocol=pickle.HIGHEST_PROTOCOL)
    return _RECORD_HEAD.pack(len(body), hashlib.blake2b(body, digest_size=16).digest()) + body


def _load(folder: Path, key: str) -> tuple[CacheData, tuple[int, int]]:
    """The snapshot with the journal's changes applied, and the two files' sizes; raises
    on any damage."""
    with (folder / SNAPSHOT).open("rb") as handle:
        data = pickle.load(handle)
        snapshot_bytes = handle.tell()
    if not isinstance(data, CacheData) or data.key != key:
        raise ValueError("cache from another version or settings")
    try:
        journal = (folder / JOURNAL).read_bytes()
    except FileNotFoundError:
        journal = b""
    stream = io.BytesIO(journal)
    while head := stream.read(_RECORD_HEAD.size):
        size, check = _RECORD_HEAD.unpack(head)
        body = stream.read(size)
        if len(body) != size or hashlib.blake2b(body, digest_size=16).digest() != check:
            raise ValueError("damaged journal")
        generation, written_ns, changes = pickle.loads(body)
        if generation != data.generation:
            continue  # written against an earlier snapshot
        _apply(data, changes)
        data.written_ns = written_ns
    return data, (snapshot_bytes, len(journal))


def _apply(data: CacheData, changes: dict[str, tuple[dict, list]]) -> None:
    # Output folders first: a record's tables must exist before their changes apply.
    builds = changes.pop("outputs", ({}, []))
    for folder in builds[1]:
        data.outputs.pop(folder, None)
    for folder, build_id in builds[0].items():
        record = data.outputs.setdefault(folder, OutputRecord(build_id))
        record.build_id = build_id
    tables = _tables(data)
    for name, (changed, removed) in changes.items():
        table = tables.get(name)
        if table is None:
            raise ValueError(f"journal names an unknown table {name!r}")
        for key in removed:
            table.pop(key, None)
        table.update(changed)


def _make_folder(folder: Path) -> None:
    """The cache folder, which git is told to ignore as soon as it exists."""
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")


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
