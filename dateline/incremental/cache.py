"""The persistent build cache (`.dateline-cache/`): what each source file parsed and
rendered to, and what each output file was made from. An optimisation only: any cache
of another version, other settings or damaged is dropped. See docs/incremental.md."""

from __future__ import annotations

import functools
import os
import pickle
import sqlite3
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__, buildstore
from ..bodies import BodyStore
from ..digests import stat_key
from .cachedamage import CacheDamaged, reason
from .filerecord import KeptFiles, PackedFiles, StoredFiles, standing_records
from .layout import layout_digest
from .memo import ArticleEntry, AssemblyMemo, detached_row
from .packeddigests import PackedDigests
from .state import RACY_NS
from .tables import SpilledRows, Tables, row_order

FORMAT = 12
"""Bump when the meaning of the cached values changes (`layout_digest`: their layout)."""


@dataclass(slots=True)
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
    files: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """A dict, or rows of the store read by key (`filerecord`)."""
    groups: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    """Group of files made together (a feed, the sitemaps) → (fingerprint, files)."""


class CacheData:
    """The cache's tables, each read from the store the first time a build uses it: a
    build after body-only edits (`savedbuild`) reads the output record, the photos and
    the entries of the sources it reads again, not what every source parsed to."""

    def __init__(self, key: str, stored: Tables | None = None, on_disk: bool = True):
        self.key = key
        self.written_ns = stored.written_ns if stored else 0
        self._stored = stored
        self._tables: dict[str, dict] = {}
        self.on_disk: dict[str, dict] | None = {} if on_disk else None
        """A copy of each table read, as it is in the store (None: the store's rows are
        all replaced at the next write, as after a clean build), so a write writes only
        the rows that changed."""
        self._pending: dict[str, dict] = {}
        """Entries put into tables not read (`put`), written with the next write."""
        self._assembly: AssemblyMemo | None = None
        self._outputs: dict[str, OutputRecord] | None = None
        self._settled: dict[str, tuple[SpilledRows, list]] = {}
        """Tables no stage reads again before the write, as their changes (`settle`)."""
        self._settled_bodies: PackedDigests | None = None  # (the settled sources')
        self._lazy: dict[str, StoredFiles] = {}
        """The output folders' records read by key (not in `on_disk`)."""

    def table(self, name: str) -> dict:
        table = self._tables.get(name)
        if table is None:
            table = (self._stored.read(name, _kind(name))
                     if self._stored and self.on_disk is not None else {})
            if self.on_disk is not None:
                self.on_disk[name] = dict(table)
            table.update(self._pending.pop(name, {}))
            self._tables[name] = table
        return table

    def entry(self, name: str, key):
        """One entry of a table, without reading the whole table (None: none)."""
        if name in self._tables:
            return self._tables[name].get(key)
        if key in self._pending.get(name, {}):
            return self._pending[name][key]
        if self._stored is None or self.on_disk is None:
            return None
        return self._stored.get(name, key, _kind(name))

    def put(self, name: str, entries: dict) -> None:
        """Add or replace entries of a table without reading it."""
        if name in self._tables:
            self._tables[name].update(entries)
        else:
            self._pending.setdefault(name, {}).update(entries)

    def _replace(self, name: str, table: dict) -> None:
        """Put a whole new table in place of one (read first: what is in the store, so
        that a write writes only the difference)."""
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
        """The theme's template fingerprints and the digest of their sources."""
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
            self._outputs = {folder: OutputRecord(build_id, self._files(f"files:{folder}"),
                                                  self.table(f"groups:{folder}"))
                             for folder, build_id in self.table("outputs").items()}
        return self._outputs

    def settle(self, names: tuple[str, ...]) -> None:
        """Keep the changes of these tables as the rows to write, pickled, and drop the
        tables: a build holds the rows that changed, not every source's entries, while
        it renders (issue 19). Nothing reads them again before `write`."""
        old = self.on_disk or {}
        tables = self.tables()
        folder = str(self._stored.store.path.parent) if self._stored is not None else None
        for name in names:
            after, before = tables.get(name, {}), old.get(name, {})
            pending = self._pending.pop(name, {})
            keys = [key for key, value in after.items() if key not in pending
                    and not _same(before.get(key, _GONE), value)]
            keys = sorted(keys + list(pending), key=row_order)
            rows = ((key, pending[key] if key in pending else after[key]) for key in keys)
            if name == "fields":  # (pickled without leaving a UTF-8 copy in the articles')
                rows = map(detached_row, rows)
            if name == "sources":
                self._settled_bodies = PackedDigests(sorted({e.body_id for e in after.values()}))
            self._settled[name] = (SpilledRows(rows, folder),
                                   [key for key in before if key not in after])
            self._tables.pop(name, None)
            old.pop(name, None)
            if self._assembly is not None and name == "fields":
                self._assembly.fields = {}  # the memo's table: rows to write now
        if "fields" in self._settled and "articles" in self._settled:  # (fields first)
            self._assembly = None

    def is_settled(self, name: str) -> bool:
        return name in self._settled

    def settled_unchanged(self, name: str) -> bool:
        """Whether a settled table is as the store holds it: no row to write or remove."""
        return not len(self._settled[name][0]) and not self._settled[name][1]

    def live_bodies(self) -> Collection[str] | None:
        """The sources' bodies, each once, when every source is known; else None."""
        table = self._tables.get("sources")
        return self._settled_bodies if table is None else {e.body_id for e in table.values()}

    def _files(self, name: str) -> dict | StoredFiles:
        """An output folder's files: rows read by key as asked for (`filerecord`)."""
        if self._stored is None or self.on_disk is None or name in self._tables or (
                name in self._pending):
            return self.table(name)
        files = self._lazy[name] = StoredFiles(self._stored, name)
        return files

    def tables(self) -> dict[str, dict]:
        """The tables read or put into, as they are now."""
        tables = dict(self._tables)
        if self._assembly is not None:  # a build's memo replaces its tables (`finish`)
            tables.update((n, getattr(self._assembly, n)) for n in ("fields", "articles")
                          if n not in self._settled)
        if self._outputs is not None:
            tables["outputs"] = {folder: r.build_id for folder, r in self._outputs.items()}
            for folder, record in self._outputs.items():
                tables[f"files:{folder}"] = record.files
                tables[f"groups:{folder}"] = record.groups
        return tables

    def changes(self) -> dict[str, tuple[dict, list]]:
        """Per table: the entries added or changed since it was read, and the keys
        removed (a table read, or of an output folder dropped, may lose entries)."""
        # A settled table's rows stay pickled on disk; one that takes entries after it
        # settled (none does today) is read back, so that nothing is pickled twice.
        changes = {name: (changed if name not in self._pending else
                          {key: pickle.loads(value) for key, value in changed.items()},
                          list(removed)) for name, (changed, removed) in self._settled.items()}
        old = self.on_disk or {}
        standing = standing_records(self.tables(), self._stored) if self.on_disk is None else ()
        for name, after in self.tables().items():
            if name in standing:
                continue  # as the store holds it
            before = old.get(name)
            if before is None and name in self._lazy:
                lazy = self._lazy[name]
                if after is lazy:
                    continue  # as the store holds it
                if isinstance(after, KeptFiles) and after.base is lazy:
                    changed, removed = after.delta()  # the rows this build wrote or removed
                    if changed or removed:
                        changes[name] = (changed, removed)
                    continue
                before = lazy.whole()
            before = before if before is not None else {}
            if not before and name not in self._pending:
                changed = after  # every entry, each read as it is written (not copied)
            else:
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

    def write(self, db: sqlite3.Connection) -> None:
        """Write what changed since the tables were read, in the caller's transaction
        (every row anew when `on_disk` is None)."""
        if self._stored is None:
            raise OSError("the build store could not be opened")
        self._stored.written_ns = self.written_ns
        changes = self.changes()  # before the rows go: a record read by key reads them
        if self.on_disk is None:
            keep = standing_records(self.tables(), self._stored)
            db.execute(f"DELETE FROM entries WHERE tbl NOT IN ({','.join('?' * len(keep))})",  # noqa: S608
                       keep)
        self._stored.write(db, changes)

    def written(self, again: bool = True) -> None:
        """What is in memory is in the store too (`again`: a later build of this process
        compares with a copy of each record made, not with the store's rows)."""
        on_disk, lazy = {}, (StoredFiles, KeptFiles) + (() if again else (PackedFiles,))
        for name, table in self.tables().items():
            if isinstance(table, lazy):  # read by key from now on
                self._lazy[name] = StoredFiles(self._stored, name)
            else:  # (a record being made stays packed: `PackedFiles`)
                on_disk[name] = table.copy() if isinstance(table, PackedFiles) else dict(table)
                self._lazy.pop(name, None)
        for folder, record in (self._outputs or {}).items():
            if f"files:{folder}" in self._lazy:
                record.files = self._lazy[f"files:{folder}"]
        self.on_disk, self._pending, self._settled_bodies = on_disk, {}, None
        self._settled = {}  # read from the store again if a later build asks

    def emptied(self) -> CacheData:
        """No tables, on the same store, whose rows the next write replaces all."""
        return CacheData(self.key, self._stored, on_disk=False)

    def close(self) -> None:
        """Read nothing more from the store (the data is dropped)."""
        self._stored = None


class BuildCache:
    """Load with `BuildCache.open(folder, key)`; `update()`, `write()` after a build."""

    def __init__(self, folder: Path, data: CacheData, loaded: bool,
                 store: buildstore.Store | None = None):
        self.folder = folder
        self.data = data
        self.loaded = loaded
        self.store = store
        """The build store (`buildstore`); None when it could not be made (a build
        keeps what it learns in memory, and says the cache could not be written)."""
        self.bodies = BodyStore(store)
        """Rendered bodies, by id (`bodies.py`)."""
        self.dirty = False
        self.damage: str | None = None
        """Why the cache on disk could not be read, when it could not (`take_damage`)."""

    @classmethod
    def open(cls, folder: Path, settings: str) -> BuildCache:
        """The cache for these settings; empty when there is none, it was written for
        other settings or another version, or it cannot be read (then `damage` says why,
        and its files are removed): an older schema, or the files of the cache before
        the store."""
        key = cache_key(settings)
        _make_folder(folder)
        damage = []
        if old := buildstore.remove_old_files(folder):
            damage.append(f"{', '.join(old)}: an older Dateline's cache")
        try:
            store, loaded = buildstore.open_store(folder, key)
            if store.dropped_key is not None and not store.dropped_key.startswith(
                    release_key()):
                damage.append(ANOTHER_RELEASE)
            cache = cls(folder, CacheData(key, Tables.open(store) if loaded else
                                          Tables(store, 0)), loaded, store)
        except (buildstore.OlderStore, sqlite3.Error, CacheDamaged) as exc:
            damage.append(str(exc) if isinstance(exc, buildstore.OlderStore) else reason(exc))
            buildstore.remove(folder)
            cache = cls._fresh(folder, key)
        cache.damage = "; ".join(damage) or None
        return cache

    @classmethod
    def _fresh(cls, folder: Path, key: str) -> BuildCache:
        try:
            store, _loaded = buildstore.open_store(folder, key)
        except (buildstore.OlderStore, sqlite3.Error):
            return cls(folder, CacheData(key), False)  # a folder it cannot write in
        return cls(folder, CacheData(key, Tables(store, 0)), False, store)

    def take_damage(self) -> str | None:
        """Why the cache could not be read, once (a session's cache lives on)."""
        damage, self.damage = self.damage, None
        return damage

    def forget_sources(self) -> None:
        """Keep nothing learnt from the sources (for a clean build); what other output
        folders hold is still known, so their next builds stay incremental."""
        outputs = self.data.outputs
        self.data = self.data.emptied()
        self.data.outputs.update(outputs)

    @classmethod
    def discard(cls, folder: Path) -> None:
        """Remove a cache found damaged while it was in use."""
        buildstore.remove(folder)
        buildstore.remove_old_files(folder)

    def source(self, path: Path, stat: os.stat_result) -> SourceEntry | None:
        """The cached entry when the file's stat proves it unchanged, else None."""
        entry = self.data.sources.get(str(path))
        if entry is None or entry.stat != stat_key(stat):
            return None
        if stat.st_mtime_ns >= self.data.written_ns - RACY_NS:
            return None
        return entry

    def front_matter(self, path: Path) -> tuple[dict, dict] | None:
        """(front matter, line of each key) of a source as its entry was made."""
        return self.data.front_matter.get(str(path))

    def knows_source(self, path: Path) -> bool:
        """Whether any build left an entry for this file (else its bytes match nothing)."""
        return str(path) in self.data.sources

    def source_by_digest(self, path: Path, digest: str) -> SourceEntry | None:
        entry = self.data.sources.get(str(path))
        return entry if entry is not None and entry.digest == digest else None

    def photo(self, path: Path, stat: os.stat_result) -> tuple | None:
        """(digest, info) of a photo whose stat proves it unchanged."""
        entry = self.data.photos.get(str(path))
        if entry is None or entry[0] != stat_key(stat):
            return None
        if stat.st_mtime_ns >= self.data.written_ns - RACY_NS:
            return None
        return entry[1], entry[2]

    def remember_photo(self, path: Path, stat: os.stat_result, digest: str, info) -> None:
        self.data.put("photos", {str(path): (stat_key(stat), digest, info)})

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
            if not self.data.is_settled("front_matter"):
                self.data.front_matter = front_matter or {}
        # One record per output folder: the preview server and `build` keep their own.
        self.data.outputs[str(folder)] = record
        self.data.written_ns = time.time_ns()
        self.dirty = True

    def put_sources(self, entries: dict[str, SourceEntry]) -> None:
        """Replace the entries of sources read again, leaving the others unread."""
        self.data.put("sources", entries)

    def write(self, during=None, again: bool = True) -> None:
        """Write what changed since the store was read or last written, in one
        transaction: a build killed meanwhile leaves the store as it was. `during` is
        called inside the transaction (where tests kill the build: `faults`)."""
        self.dirty = False
        _make_folder(self.folder)
        data, store = self.data, self.store
        if store is None:
            raise OSError("the build store could not be opened")
        try:
            self.bodies.flush()
            with store.transaction() as db:
                live = data.live_bodies()
                if live is not None:  # else only bodies were added: removed later
                    self.bodies.keep_only(live, db)
                data.write(db)
                if during is not None:
                    during()
        except sqlite3.Error as exc:
            raise buildstore.as_os_error(exc) from exc
        data.written(again)


_GONE = object()


def _kind(table: str) -> type | tuple[type, ...]:
    """What every value of a table is (a value of another type means damage)."""
    kinds = {"sources": SourceEntry, "articles": ArticleEntry, "outputs": str,
             "templates": (str, dict)}
    return kinds.get(table, tuple)


def _same(old, new) -> bool:
    return old is new or (old is not _GONE and old == new)


def _make_folder(folder: Path) -> None:
    """The cache folder, which git is told to ignore as soon as it exists."""
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")


ANOTHER_RELEASE = "written by another version of Dateline"
"""Why a cache was dropped after an upgrade: said once, as the whole site is made again
(other settings drop it too, silently: the user changed them and expects it)."""


def cache_key(settings: str) -> str:
    return f"{release_key()}{settings}"


def release_key() -> str:
    """The part of the cache's key that only another Dateline changes (a cache of another
    release is dropped, and the build says so)."""
    return f"{FORMAT}:{__version__}:{_layout()}:"


@functools.cache
def _layout() -> str:
    """The fields of every kind of value the cache holds. Slotted dataclasses are pickled
    as their values in field order, so a cache written before a field was added or removed
    would load with every later value in the wrong field: such a cache is dropped."""
    return layout_digest(cached_kinds())


def cached_kinds() -> tuple[type, ...]:
    """Every class of Dateline's whose values the cache pickles."""
    from .. import errors, fields, model, read
    from ..photos import photos, social

    return (SourceEntry, OutputRecord, AssemblyMemo, ArticleEntry, model.Article, model.Correction,
            model.Image, model.Asset, photos.Picture, photos.Rendition, photos.Job,
            photos.SourceInfo, errors.SourceRef, read.Document, fields.FrontMatter,
            fields.ImageSpec, social.SocialCrops)
