"""The persistent build cache (`.dateline-cache/`): what each source file parsed and
rendered to, and what each output file was made from.

It is an optimisation only: a cache written by another Dateline version, with other
settings, or damaged in any way is dropped and rebuilt — never trusted.

On disk it is a snapshot (`build.pickle`) and a journal of what later builds changed
(`build.journal`): a one-article rebuild appends a few entries instead of writing
megabytes again. Once the journal has grown to a quarter of the snapshot, the next
write folds it into a new snapshot. The snapshot keeps each table (sources, photos,
templates, the assembly memo, each output folder's files) in a pickle of its own, read
the first time a build asks for it: a build that needs a few tables reads only those.
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

from .. import __version__
from ..atomic import replacing
from ..bodies import FILE as BODIES_FILE
from ..bodies import BodyStore
from .cachedamage import CacheDamaged, reason, unpickled
from .collector import long_lived
from .memo import ArticleEntry, AssemblyMemo
from .state import RACY_NS

FORMAT = 10
"""Bump when the meaning of the cached values changes (their layout counts by itself:
see `layout_digest`)."""


@dataclass
class SourceEntry:
    """One source file as last read: its stat and digest, rendered body. (What its front
    matter parsed to is in a table of its own, `BuildCache.front_matter`: a build after
    body-only edits reads this table, not that one.)"""

    stat: tuple[int, int, int]
    digest: str
    body_line: int
    body_id: str
    """The rendered body's key in the body store (`bodies.py`)."""
    images: tuple[tuple[str, str, tuple[int, int, int], object], ...]
    """(absolute source path, url, stat, Picture or None) of every image the body uses."""
    front: str = ""
    """`read.front_digest` of its front matter."""
    links: tuple[tuple[str, str, int, str], ...] = ()
    """The body's links to other articles' files (`crosslinks.Link`), in order."""


@dataclass
class OutputRecord:
    """What one output folder holds: file → (fingerprint of its inputs, digest of bytes)."""

    build_id: str
    files: dict[str, tuple[str, str]] = field(default_factory=dict)
    groups: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    """Group of files made together (a feed, the sitemaps) → (fingerprint, files)."""


class CacheData:
    """The cache's tables, each read from disk the first time a build uses it: a build
    after body-only edits (`savedbuild`) reads the output record and the photos, not
    what every source parsed to."""

    def __init__(self, key: str, stored: _Stored | None = None):
        self.key = key
        self.generation = stored.generation if stored else ""
        """Names the snapshot; journal records written against another one are ignored."""
        self.written_ns = stored.written_ns if stored else 0
        self._stored = stored
        self._tables: dict[str, dict] = {}
        self.on_disk: dict[str, dict] | None = {} if stored else None
        """A copy of each table read, as it was on disk (None: nothing is on disk), so a
        write appends only what changed."""
        self._pending: dict[str, dict] = {}
        """Entries put into tables not read (`put`), written with the next write."""
        self._assembly: AssemblyMemo | None = None
        self._outputs: dict[str, OutputRecord] | None = None

    def table(self, name: str) -> dict:
        table = self._tables.get(name)
        if table is None:
            table = self._stored.read(name) if self._stored else {}
            if self.on_disk is not None:
                self.on_disk[name] = dict(table)
            table.update(self._pending.pop(name, {}))
            self._tables[name] = table
        return table

    def put(self, name: str, entries: dict) -> None:
        """Add or replace entries of a table without reading it."""
        if name in self._tables:
            self._tables[name].update(entries)
        else:
            self._pending.setdefault(name, {}).update(entries)

    def _replace(self, name: str, table: dict) -> None:
        """Put a whole new table in place of one (read first: what is on disk, so that a
        write appends only the difference)."""
        self.table(name)
        self._pending.pop(name, None)
        self._tables[name] = table

    @property
    def sources(self) -> dict[str, SourceEntry]:
        return self.table("sources")

    @sources.setter
    def sources(self, sources: dict[str, SourceEntry]) -> None:
        self._replace("sources", sources)

    @property
    def front_matter(self) -> dict[str, tuple[dict, dict]]:
        """Source path → (its front matter as loaded, the line of each key)."""
        return self.table("front_matter")

    @front_matter.setter
    def front_matter(self, front_matter: dict[str, tuple[dict, dict]]) -> None:
        self._replace("front_matter", front_matter)

    @property
    def photos(self) -> dict[str, tuple]:
        """Photo source path → (stat, digest, header info), so headers are read once."""
        return self.table("photos")

    @property
    def templates(self) -> dict:
        """The theme's template fingerprints and the digest of the sources they were
        made of."""
        return self.table("templates")

    @property
    def assembly(self) -> AssemblyMemo:
        """What assembling made from each source, reused while its inputs are the same."""
        if self._assembly is None:
            self._assembly = AssemblyMemo(self.table("fields"), self.table("articles"))
        return self._assembly

    @property
    def outputs(self) -> dict[str, OutputRecord]:
        """Output folder → what it holds."""
        if self._outputs is None:
            self._outputs = {folder: OutputRecord(build_id, self.table(f"files:{folder}"),
                                                  self.table(f"groups:{folder}"))
                             for folder, build_id in self.table("outputs").items()}
        return self._outputs

    def tables(self) -> dict[str, dict]:
        """The tables read or put into, as they are now."""
        tables = dict(self._tables)
        if self._assembly is not None:  # a build's memo replaces its tables (`finish`)
            tables["fields"], tables["articles"] = self._assembly.fields, self._assembly.articles
        if self._outputs is not None:
            tables["outputs"] = {folder: r.build_id for folder, r in self._outputs.items()}
            for folder, record in self._outputs.items():
                tables[f"files:{folder}"] = record.files
                tables[f"groups:{folder}"] = record.groups
        return tables

    def changes(self) -> dict[str, tuple[dict, list]]:
        """Per table: the entries added or changed since it was read, and the keys
        removed (a table read, or of an output folder dropped, may lose entries)."""
        changes = {}
        old = self.on_disk or {}
        for name, after in self.tables().items():
            before = old.get(name, {})
            changed = {key: value for key, value in after.items()
                       if not _same(before.get(key, _GONE), value)}
            removed = [key for key in before if key not in after]
            if changed or removed:
                changes[name] = (changed, removed)
        for name, entries in self._pending.items():
            changes.setdefault(name, ({}, []))[0].update(entries)
        return changes

    def is_read(self, name: str) -> bool:
        return name in self._tables

    def written(self) -> None:
        """What is in memory is now on disk too."""
        self.on_disk = {name: dict(table) for name, table in self.tables().items()}
        for name, entries in self._pending.items():
            self._stored.add(name, (entries, []))  # seen when the table is read after all
        self._pending = {}

    def read_all(self) -> None:
        """Read every table (before writing a new snapshot of them)."""
        for name in self._stored.names() if self._stored else ():
            self.table(name)
        for name in list(self._pending):
            self.table(name)
        self.outputs  # noqa: B018 - reads the tables of every output folder

    def close(self) -> None:
        """Close the snapshot: once `read_all` has read it, or when dropping the data."""
        if self._stored is not None:
            self._stored.close()
            self._stored = None


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
        self.links_memo: dict = {}
        """Articles with their links resolved (`crosslinks.link_articles`)."""
        self.unread: list = []
        """Entries of that build's content folder not read (`read.find_sources`)."""
        self.content_files = None
        """The last build's file lookups under content/ (`assemble.ContentFiles`)."""
        self.digests = None
        """The last build's fingerprints by what they were made from
        (`fingerprints.DigestMemo`, kept by a long-running process)."""
        self.last_build = None
        """What the last good build of a long-running process made (`lastbuild`)."""
        self.dirty = False
        self.damage: str | None = None
        """Why the cache on disk could not be read, when it could not (`take_damage`)."""
        self._snapshot_bytes = self._journal_bytes = 0

    @classmethod
    def open(cls, folder: Path, settings: str) -> BuildCache:
        """The cache for these settings; empty when there is none, it was written for
        other settings or another version, or it cannot be read (then `damage` says why,
        and its files are removed)."""
        key = cache_key(settings)
        _make_folder(folder)
        bodies = BodyStore.open(folder, key)
        try:
            if bodies.fresh:
                raise _Foreign  # the bodies this cache names are gone
            stored = _Stored.open(folder, key)
        except (_Foreign, FileNotFoundError):
            return cls(folder, CacheData(key), False, bodies)
        except Exception as exc:  # noqa: BLE001 - any damage at all means: start afresh
            cache = cls(folder, CacheData(key), False, bodies)
            cache.damage = reason(exc)
            for name in (SNAPSHOT, JOURNAL):  # said once: the next build finds none
                (folder / name).unlink(missing_ok=True)
            return cache
        cache = cls(folder, CacheData(key, stored), True, bodies)
        cache._snapshot_bytes, cache._journal_bytes = stored.sizes
        return cache

    def take_damage(self) -> str | None:
        """Why the cache could not be read, once (a session's cache lives on)."""
        damage, self.damage = self.damage, None
        return damage

    def forget_sources(self) -> None:
        """Keep nothing learnt from the sources (for a clean build); what other output
        folders hold is still known, so their next builds stay incremental."""
        outputs = self.data.outputs
        self.data.close()
        self.data = CacheData(self.data.key)
        self.data.outputs.update(outputs)

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
        if stat.st_mtime_ns >= self.data.written_ns - RACY_NS:
            return None
        return entry

    def front_matter(self, path: Path) -> tuple[dict, dict] | None:
        """(front matter, line of each key) of a source as its entry was made."""
        return self.data.front_matter.get(str(path))

    def source_by_digest(self, path: Path, digest: str) -> SourceEntry | None:
        entry = self.data.sources.get(str(path))
        return entry if entry is not None and entry.digest == digest else None

    def photo(self, path: Path, stat: os.stat_result) -> tuple | None:
        """(digest, info) of a photo whose stat proves it unchanged."""
        entry = self.data.photos.get(str(path))
        if entry is None or entry[0] != _stat_key(stat):
            return None
        if stat.st_mtime_ns >= self.data.written_ns - RACY_NS:
            return None
        return entry[1], entry[2]

    def remember_photo(self, path: Path, stat: os.stat_result, digest: str, info) -> None:
        self.data.photos[str(path)] = (_stat_key(stat), digest, info)

    def output(self, folder: Path) -> OutputRecord | None:
        return self.data.outputs.get(str(folder))

    def update(self, sources: dict[str, SourceEntry] | None, folder: Path,
               record: OutputRecord,
               front_matter: dict[str, tuple[dict, dict]] | None = None) -> None:
        """Remember a build in memory (`write` puts it on disk); `sources`, every source's
        entry, and their `front_matter` (None: the entries `put_sources` gave are the only
        changes)."""
        if sources is not None:
            self.data.sources = sources
            self.data.front_matter = front_matter or {}
        # One record per output folder: the preview server and `build` keep their own.
        self.data.outputs[str(folder)] = record
        self.data.written_ns = time.time_ns()
        self.dirty = True

    def put_sources(self, entries: dict[str, SourceEntry]) -> None:
        """Replace the entries of sources read again, leaving the others unread."""
        self.data.put("sources", entries)

    def write(self) -> None:
        """Append what changed since the files were last read or written to the journal,
        or write a new snapshot when the journal would outgrow a quarter of it."""
        self.dirty = False
        _make_folder(self.folder)
        data = self.data
        if data.is_read("sources"):  # else only bodies were added: removed another time
            self.bodies.keep_only({entry.body_id for entry in data.sources.values()})
        if data.on_disk is not None and data.generation:
            record = _journal_record(data.generation, data.written_ns, data.changes())
            if self._journal_bytes + len(record) <= self._snapshot_bytes // 4:
                with (self.folder / JOURNAL).open("ab") as handle:
                    handle.write(record)
                self._journal_bytes += len(record)
                data.written()
                return
        data.read_all()
        data.generation = os.urandom(16).hex()
        with replacing(self.folder / SNAPSHOT) as handle:
            self._snapshot_bytes = _write_snapshot(handle, data)
        # Entries of the old snapshot's journal would be ignored; remove them anyway.
        (self.folder / JOURNAL).unlink(missing_ok=True)
        self._journal_bytes = 0
        data.close()
        data.on_disk = {}
        data.written()


SNAPSHOT = "build.pickle"
JOURNAL = "build.journal"
_RECORD_HEAD = struct.Struct("<I16s")
"""Each journal record: its length and a digest of its bytes, then the pickled change."""
_SNAPSHOT_HEAD = struct.Struct("<Q")
"""The snapshot: the length of its index, the index (key, generation, time written, and
where each table's pickle lies, with its digest), then the tables."""
_GONE = object()
_TABLES = ("sources", "front_matter", "photos", "templates", "fields", "articles",
           "outputs")
_FOLDER_TABLES = ("files:", "groups:")


class _Foreign(Exception):
    """The cache was written for other settings or by another version: dropped silently."""


def _write_snapshot(handle, data: CacheData) -> int:
    blobs = {name: pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL)
             for name, table in data.tables().items()}
    index, offset = {}, 0
    for name, blob in blobs.items():
        index[name] = (offset, len(blob), hashlib.blake2b(blob, digest_size=16).digest())
        offset += len(blob)
    head = pickle.dumps((data.key, data.generation, data.written_ns, index),
                        protocol=pickle.HIGHEST_PROTOCOL)
    handle.write(_SNAPSHOT_HEAD.pack(len(head)) + head)
    for blob in blobs.values():
        handle.write(blob)
    return handle.tell()


class _Stored:
    """The snapshot and journal on disk, each table read when first asked for. The file
    stays open: a build writing a new snapshot meanwhile replaces the name, not the
    file being read."""

    def __init__(self, handle, base: int, generation: str, written_ns: int, index: dict,
                 journal: dict[str, list], sizes: tuple[int, int]):
        self.handle, self.base, self.index = handle, base, index
        self.generation, self.written_ns = generation, written_ns
        self.journal = journal
        self.sizes = sizes

    @classmethod
    def open(cls, folder: Path, key: str) -> _Stored:
        """Raises on any damage of the index or the journal (the tables are checked
        when read)."""
        handle = (folder / SNAPSHOT).open("rb")
        try:
            snapshot_bytes = os.fstat(handle.fileno()).st_size
            (size,) = _SNAPSHOT_HEAD.unpack(handle.read(_SNAPSHOT_HEAD.size))
            if size > snapshot_bytes:  # never allocate what a garbage length says
                raise ValueError("cut-off snapshot")
            stored_key, generation, written_ns, index = unpickled(handle.read(size),
                                                                  "its index")
            if stored_key != key:
                raise _Foreign
            _check_index(index)
            journal, written_ns, journal_bytes = _read_journal(folder, generation, written_ns)
            return cls(handle, _SNAPSHOT_HEAD.size + size, generation, written_ns, index,
                       journal, (snapshot_bytes, journal_bytes))
        except BaseException:
            handle.close()
            raise

    def names(self) -> set[str]:
        return set(self.index) | set(self.journal)

    def read(self, name: str) -> dict:
        table = {}
        if name in self.index:
            offset, size, check = self.index[name]
            self.handle.seek(self.base + offset)
            blob = self.handle.read(size)
            if len(blob) != size or hashlib.blake2b(blob, digest_size=16).digest() != check:
                raise CacheDamaged(f"its {name} table is damaged")
            with long_lived():
                table = unpickled(blob, f"its {name} table")
            if not isinstance(table, dict):
                raise CacheDamaged(f"its {name} table is a {type(table).__name__}")
        for changed, removed in self.journal.get(name, ()):
            for key in removed:
                table.pop(key, None)
            table.update(changed)
        return table

    def add(self, name: str, change: tuple[dict, list]) -> None:
        self.journal.setdefault(name, []).append(change)

    def close(self) -> None:
        self.handle.close()


def _read_journal(folder: Path, generation: str, written_ns: int
                  ) -> tuple[dict[str, list], int, int]:
    """Each table's changes in the journal records of this snapshot, the time the last
    one was written, and the journal's size; raises on any damage."""
    try:
        journal = (folder / JOURNAL).read_bytes()
    except FileNotFoundError:
        journal = b""
    changes_by_table: dict[str, list] = {}
    stream = io.BytesIO(journal)
    while head := stream.read(_RECORD_HEAD.size):
        size, check = _RECORD_HEAD.unpack(head)
        body = stream.read(size)
        if len(body) != size or hashlib.blake2b(body, digest_size=16).digest() != check:
            raise ValueError("damaged journal")
        record_generation, record_ns, changes = unpickled(body, "its journal")
        if record_generation != generation:
            continue  # written against an earlier snapshot
        for name, change in changes.items():
            if name not in _TABLES and not name.startswith(_FOLDER_TABLES):
                raise ValueError(f"journal names an unknown table {name!r}")
            changed, removed = change
            if not isinstance(changed, dict) or not isinstance(removed, list):
                raise ValueError(f"journal holds a damaged change of {name!r}")
            changes_by_table.setdefault(name, []).append(change)
        written_ns = record_ns
    return changes_by_table, written_ns, len(journal)


def _check_index(index) -> None:
    """Raise unless `index` maps table names to (offset, size, digest)."""
    if not isinstance(index, dict):
        raise ValueError("damaged index")
    for name, place in index.items():
        if not (isinstance(name, str) and isinstance(place, tuple) and len(place) == 3
                and isinstance(place[0], int) and isinstance(place[1], int)):
            raise ValueError("damaged index")


def _same(old, new) -> bool:
    return old is new or old == new


def _journal_record(generation: str, written_ns: int, changes: dict) -> bytes:
    body = pickle.dumps((generation, written_ns, changes), protocol=pickle.HIGHEST_PROTOCOL)
    return _RECORD_HEAD.pack(len(body), hashlib.blake2b(body, digest_size=16).digest()) + body


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
    return layout_digest(cached_kinds())


def cached_kinds() -> tuple[type, ...]:
    """Every class of Dateline's whose values the cache pickles."""
    from .. import errors, model, read
    from ..photos import photos

    return (SourceEntry, OutputRecord, AssemblyMemo, ArticleEntry, model.Article, model.Correction,
            model.Image, model.Asset, photos.Picture, photos.Rendition, photos.Job,
            photos.SourceInfo, errors.SourceRef, read.Document)


def layout_digest(kinds: tuple[type, ...]) -> str:
    """A digest of where each kind (dataclasses and msgspec Structs) lives and of its
    fields, in order: a pickle names a class by module and qualified name, so a cache
    written before one moved would fail to load (it is dropped by its key instead)."""
    text = repr([(kind.__module__, kind.__qualname__, _field_names(kind)) for kind in kinds])
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _field_names(kind: type) -> tuple[str, ...]:
    names = getattr(kind, "__struct_fields__", None)
    return names if names is not None else tuple(f.name for f in dataclasses.fields(kind))


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
            if self._cache is not None:
                self._cache.data.close()
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
