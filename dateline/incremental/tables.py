"""The cache's tables as rows of the build store (`buildstore`): each table read whole
when a build first asks for it, single entries looked up by key, and a build's changes
written as the rows added, changed and removed (see `cache`)."""

from __future__ import annotations

import io
import os
import pickle
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator

from ..buildstore import Store
from .cachedamage import CacheDamaged, reason, unpickled
from .collector import long_lived

TABLES = ("sources", "front_matter", "photos", "templates", "fields", "articles", "outputs")
FOLDER_TABLES = ("files:", "groups:")
BATCH = 500
"""Keys looked up by one query (SQLite allows at least 999 parameters)."""
"""Per output folder: `files:<folder>`, `groups:<folder>`."""


def _key(key):
    """A key as stored: a string as itself, any other value pickled."""
    return key if isinstance(key, str) else pickle.dumps(key, protocol=pickle.HIGHEST_PROTOCOL)


def _stored_order(row: tuple) -> tuple:
    """SQLite's order of keys: every text (in the order of its UTF-8 bytes, which is its
    code points' order) before every blob (a pickled key)."""
    key = row[1]
    return (False, key, b"") if isinstance(key, str) else (True, "", key)


class SpilledRows:
    """A table's changed rows, pickled once and kept in a temporary file beside the
    store, in the store's key order, until they are written (`CacheData.settle`): a
    build that read every source holds none of its entries while it renders (issue 19:
    held in memory, the pickled rows were ~2.3 kB per article at the build's peak).

    A folder that cannot take them (a full disk) leaves the rest in memory, as before
    there was a file: the cache is an optimisation, and its write at the end of the
    build says what it could not keep. Rows go to the file a batch at a time, unbuffered:
    a write that fails loses nothing already counted as written."""

    def __init__(self, rows: Iterable[tuple], folder: str | None = None):
        """`rows`: (key, value) in key order (`row_order`)."""
        self._folder = folder
        self._file = None
        self._spilled = 0
        """Bytes of rows in the file: the first rows, in order; the others are `_held`."""
        self._held = bytearray()
        self._full = False
        self._count = 0
        for key, value in rows:
            self._held += pickle.dumps((key, _pickled(value)),
                                       protocol=pickle.HIGHEST_PROTOCOL)
            self._count += 1
            if len(self._held) >= _SPILL_BATCH:
                self._spill()
        self._spill()

    def _spill(self) -> None:
        if self._full or not self._held:
            return
        try:
            if self._file is None:
                self._file = tempfile.TemporaryFile(dir=self._folder, buffering=0)
            write_at(self._file, self._held, self._spilled)
        except OSError:
            self._full = True  # the rest stays in memory
            return
        self._spilled += len(self._held)
        self._held = bytearray()

    def __len__(self) -> int:
        return self._count

    def items(self) -> Iterator[tuple]:
        """(key, pickled value) of every row, in key order."""
        if self._file is not None and self._spilled:
            with open(self._file.fileno(), "rb", closefd=False) as spilled:
                spilled.seek(0)
                while spilled.tell() < self._spilled:
                    yield pickle.load(spilled)
        held = io.BytesIO(self._held)
        while held.tell() < len(self._held):
            yield pickle.load(held)


_SPILL_BATCH = 1 << 20
"""Bytes of pickled rows written to the file at once."""


def write_at(file, data: bytes | bytearray, at: int) -> None:
    """All of `data` into an unbuffered `file` at offset `at` (raises OSError)."""
    view, done = memoryview(data), 0
    while done < len(view):
        done += os.pwrite(file.fileno(), view[done:], at + done)


class Pickled:
    """A row's value pickled before its table is settled, read back from the file it
    was written to when its row is (`build.frontrows`): nothing holds the value itself
    in between."""

    __slots__ = ("file", "at", "size")

    def __init__(self, file, at: int, size: int):
        self.file, self.at, self.size = file, at, size

    def blob(self) -> bytes:
        return os.pread(self.file.fileno(), self.size, self.at)

    def __eq__(self, other) -> bool:
        """Whether `other` pickles to the same bytes (a row compared with the store's)."""
        return self.blob() == (other.blob() if isinstance(other, Pickled)
                               else _pickled(other))

    __hash__ = None


def row_order(key) -> tuple:
    """Where a key's row goes in the store's order (`_stored_order`)."""
    return _stored_order((None, _key(key)))


def _unkey(key):
    return key if isinstance(key, str) else unpickled(key, "a key")


class Tables:
    """The `entries` table of a store."""

    def __init__(self, store: Store, written_ns: int):
        self.store = store
        self.written_ns = written_ns

    @classmethod
    def open(cls, store: Store) -> Tables:
        row = _query(store, "SELECT value FROM meta WHERE name = 'written_ns'", ())
        written_ns = row[0][0] if row else 0
        if not isinstance(written_ns, int):
            raise CacheDamaged(f"its time written is a {type(written_ns).__name__}")
        return cls(store, written_ns)

    def names(self) -> set[str]:
        return {name for (name,) in _query(self.store, "SELECT DISTINCT tbl FROM entries", ())}

    def read(self, name: str, kind) -> dict:
        """A whole table, each value checked to be a `kind`."""
        rows = _query(self.store, "SELECT key, value FROM entries WHERE tbl = ?", (name,))
        with long_lived():
            return {_unkey(key): _value(value, name, kind) for key, value in rows}

    def get(self, name: str, key, kind):
        """One entry of a table, without reading the rest (None: there is none)."""
        rows = _query(self.store, "SELECT value FROM entries WHERE tbl = ? AND key = ?",
                      (name, _key(key)))
        return _value(rows[0][0], name, kind) if rows else None

    def get_many(self, name: str, keys: list[str], kind) -> dict:
        """The entries of `keys` (strings) that the table holds, `BATCH` keys a query."""
        found = {}
        for start in range(0, len(keys), BATCH):
            batch = keys[start:start + BATCH]
            marks = ",".join("?" * len(batch))
            rows = _query(self.store, "SELECT key, value FROM entries WHERE tbl = ? AND "
                          f"key IN ({marks})", (name, *batch))  # noqa: S608
            found.update((key, _value(value, name, kind)) for key, value in rows)
        return found

    def count(self, name: str) -> int:
        """How many entries a table holds (its rows' keys counted, no value read)."""
        return _query(self.store, "SELECT count(*) FROM entries WHERE tbl = ?", (name,))[0][0]

    def write(self, db: sqlite3.Connection, changes: dict[str, tuple[dict, list]]) -> None:
        """Write `changes` (per table: entries added or changed, keys removed) in the
        caller's transaction."""
        for name, (changed, removed) in changes.items():
            if name not in TABLES and not name.startswith(FOLDER_TABLES):
                raise ValueError(f"no cache table is named {name!r}")
            db.executemany("DELETE FROM entries WHERE tbl = ? AND key = ?",
                           ((name, _key(key)) for key in removed))
            if isinstance(changed, SpilledRows):  # in key order already, read as written
                rows = ((name, _key(key), value) for key, value in changed.items())
            elif hasattr(changed, "in_url_order"):
                # A record being made (`filerecord.PackedFiles`): nearly in key order,
                # each file's name made as its row is written, not all at once.
                rows = ((name, _key(file), _pickled(value))
                        for file, value in changed.in_url_order())
            else:
                # In key order: each b-tree page is filled in turn, not split again and
                # again (a table's entries come in the order they were made: three times
                # slower). Each row pickled as it is written: a cold build's rows (every
                # source's entry, every output file's) are never in memory at once.
                keys = list(changed)
                if all(type(key) is str for key in keys):
                    keys.sort()  # a string's place (`_stored_order`) is its own order
                else:
                    keys.sort(key=row_order)
                rows = ((name, _key(key), _pickled(changed[key])) for key in keys)
            db.executemany(
                "INSERT OR REPLACE INTO entries (tbl, key, value) VALUES (?, ?, ?)", rows)
        db.execute("UPDATE meta SET value = ? WHERE name = 'written_ns'", (self.written_ns,))


def _pickled(value) -> bytes:
    if isinstance(value, Pickled):
        return value.blob()
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _value(blob: bytes, name: str, kind):
    value = unpickled(blob, f"its {name} table")
    if not isinstance(value, kind):
        raise CacheDamaged(f"its {name} table holds a {type(value).__name__}")
    return value


def _query(store: Store, sql: str, args: tuple) -> list:
    """The rows of a query; CacheDamaged when the file cannot be read (cut off, random
    bytes where SQLite's pages were)."""
    try:
        return store.db().execute(sql, args).fetchall()
    except sqlite3.Error as exc:
        raise CacheDamaged(f"{store.path.name}: {reason(exc)}") from exc
