"""Rendered article bodies, kept in the build cache's SQLite file and read one by one when
a page, a feed or a teaser needs them.

Bodies are most of what a build knows (several kilobytes per article): keeping them out
of memory and out of the cache file that every build loads and saves means a one-article
rebuild reads and writes only what it uses. Each body is stored under the hash of its
HTML (`body_id`), so an article's fingerprint covers its body without hashing it again,
and a body read back is checked against its id: a damaged cache is noticed, never shown.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from .digests import digest

FILE = "bodies.sqlite"
MARKDOWN_EXTENSIONS = ("extra", "sane_lists")
"""Python-Markdown extensions every body is rendered with (part of the cache key)."""


class BodyMissing(Exception):
    """A body the cache promised is not in the store (deleted or damaged)."""


def body_id(html: str) -> str:
    return digest(html)


class BodyStore:
    """Bodies by id. `open(folder, key)` keeps them in `folder`/bodies.sqlite, valid for
    the cache `key` (settings and version); `BodyStore()` keeps them in memory only."""

    def __init__(self, path: Path | None = None, key: str = ""):
        self.path = path
        self.key = key
        self.fresh = True
        """True when the file was empty, from another key or unreadable: no body that an
        older cache names can be found in it."""
        self._pending: dict[str, str] = {}
        self._connection: sqlite3.Connection | None = None
        self._pid = 0

    @classmethod
    def open(cls, folder: Path, key: str) -> BodyStore:
        store = cls(folder / FILE, key)
        try:
            store.fresh = store._stored_key() != key
        except sqlite3.DatabaseError:
            store._remove()
        if store.fresh:
            store._reset()
        return store

    def put(self, html: str) -> str:
        """Store a body (written at `flush`); return its id."""
        ident = body_id(html)
        self._pending[ident] = html
        return ident

    def get(self, ident: str) -> str:
        if ident in self._pending:
            return self._pending[ident]
        row = None
        if self.path is not None:
            try:
                row = self._db().execute("SELECT html FROM bodies WHERE id = ?",
                                         (ident,)).fetchone()
            except sqlite3.DatabaseError:
                row = None
        if row is None or body_id(row[0]) != ident:
            raise BodyMissing(ident)
        return row[0]

    def flush(self) -> None:
        """Write the bodies put since the last flush (before forking workers that read)."""
        if self.path is None or not self._pending:
            return
        try:
            db = self._db()
            with db:
                db.executemany("INSERT OR REPLACE INTO bodies (id, html) VALUES (?, ?)",
                               self._pending.items())
        except sqlite3.Error:
            # A full disk or a damaged file: this build keeps its bodies in memory (its
            # workers inherit them), and the next one starts from an empty cache.
            self._remove()
            self.path = None
            return
        self._pending.clear()

    def keep_only(self, idents: set[str]) -> None:
        """Forget bodies no source renders to any more, once they outnumber the live ones
        (edits leave old versions behind)."""
        self.flush()
        if self.path is None:
            return
        try:
            db = self._db()
            (count,) = db.execute("SELECT count(*) FROM bodies").fetchone()
            if count <= 2 * len(idents) + 64:
                return
            with db:
                db.execute("CREATE TEMP TABLE IF NOT EXISTS live (id TEXT PRIMARY KEY)")
                db.execute("DELETE FROM live")
                db.executemany("INSERT OR IGNORE INTO live (id) VALUES (?)",
                               ((i,) for i in idents))
                db.execute("DELETE FROM bodies WHERE id NOT IN (SELECT id FROM live)")
        except sqlite3.Error:
            self._remove()  # the next build starts afresh
            self.path = None

    def _db(self) -> sqlite3.Connection:
        # A connection must not cross a fork: forked workers open their own. Threads may
        # share it: the preview server runs one build at a time, each on a new thread.
        if self._connection is None or self._pid != os.getpid():
            assert self.path is not None
            self._connection = sqlite3.connect(self.path, isolation_level=None,
                                               check_same_thread=False)
            self._connection.execute("PRAGMA synchronous = OFF")
            self._connection.execute("PRAGMA journal_mode = MEMORY")
            self._pid = os.getpid()
        return self._connection

    def _stored_key(self) -> str | None:
        assert self.path is not None
        if not self.path.is_file():
            return None
        row = self._db().execute("SELECT value FROM meta WHERE name = 'key'").fetchone()
        return row[0] if row else None

    def _reset(self) -> None:
        self._remove()
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = self._db()
        with db:
            db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)")
            db.execute("CREATE TABLE bodies (id TEXT PRIMARY KEY, html TEXT) WITHOUT ROWID")
            db.execute("INSERT INTO meta VALUES ('key', ?)", (self.key,))
        self.fresh = True

    def _remove(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None
        assert self.path is not None
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


_CURRENT: list[BodyStore] = [BodyStore()]
"""The store the running build reads bodies from (inherited by its forked workers)."""


def use(store: BodyStore) -> None:
    _CURRENT[0] = store


def text(ident: str) -> str:
    """The body with this id, from the running build's store ("" for no body)."""
    return _CURRENT[0].get(ident) if ident else ""
