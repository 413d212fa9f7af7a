"""Rendered article bodies, kept in the build store (`buildstore`) and read one by one when
a page, a feed or a teaser needs them.

Bodies are most of what a build knows (several kilobytes per article): keeping them out
of memory and out of the cache file that every build loads and saves means a one-article
rebuild reads and writes only what it uses. Each body is stored under the hash of its
HTML (`body_id`), so an article's fingerprint covers its body without hashing it again,
and a body read back is checked against its id: a damaged cache is noticed, never shown.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from .digests import digest

if TYPE_CHECKING:  # SQLite is the store's: a build with nothing to do opens none
    import sqlite3

    from .buildstore import Store

MARKDOWN_EXTENSIONS = ("extra", "sane_lists")
"""Python-Markdown extensions every body is rendered with (part of the cache key)."""


class BodyMissing(Exception):
    """A body the cache promised is not in the store (deleted or damaged)."""


def body_id(html: str) -> str:
    return digest(html)


class BodyStore:
    """Bodies by id, in the build store's `bodies` table (`buildstore`); `BodyStore()`
    keeps them in memory only."""

    def __init__(self, store: Store | None = None):
        self.store = store
        self._pending: dict[str, str] = {}

    def put(self, html: str) -> str:
        """Store a body (written at `flush`); return its id."""
        ident = body_id(html)
        self._pending[ident] = html
        return ident

    def get(self, ident: str) -> str:
        if ident in self._pending:
            return self._pending[ident]
        row = None
        if self.store is not None:
            import sqlite3  # imported with the store

            try:
                row = self.store.db().execute("SELECT html FROM bodies WHERE id = ?",
                                              (ident,)).fetchone()
            except sqlite3.Error:
                row = None
        if row is None or body_id(row[0]) != ident:
            raise BodyMissing(ident)
        return row[0]

    def flush(self) -> None:
        """Write the bodies put since the last flush (before forking workers that read)."""
        if self.store is None or not self._pending:
            return
        import sqlite3  # imported with the store

        try:
            with self.store.transaction() as db:
                db.executemany("INSERT OR REPLACE INTO bodies (id, html) VALUES (?, ?)",
                               self._pending.items())
        except sqlite3.Error:
            # A full disk or a damaged file: this build keeps its bodies in memory (its
            # workers inherit them); the cache naming them is not trusted next time.
            self.store = None
            return
        self._pending.clear()

    def keep_only(self, idents: Collection[str], db: sqlite3.Connection) -> None:
        """Forget bodies no source renders to any more, once they outnumber the live ones
        (edits leave old versions behind); in the caller's transaction `db`."""
        (count,) = db.execute("SELECT count(*) FROM bodies").fetchone()
        if count <= 2 * len(idents) + 64:
            return
        db.execute("CREATE TEMP TABLE IF NOT EXISTS live (id TEXT PRIMARY KEY)")
        db.execute("DELETE FROM live")
        db.executemany("INSERT OR IGNORE INTO live (id) VALUES (?)", ((i,) for i in idents))
        db.execute("DELETE FROM bodies WHERE id NOT IN (SELECT id FROM live)")


_CURRENT: list[BodyStore] = [BodyStore()]
"""The store the running build reads bodies from (inherited by its forked workers)."""
_HELD = threading.local()
"""On a cluster's worker thread: the bodies its task carried (`holding`)."""


def use(store: BodyStore) -> None:
    _CURRENT[0] = store


@contextmanager
def holding(texts: dict[str, str]) -> Iterator[None]:
    """Bodies read in this thread come from `texts` only (by id; one a cluster's task
    carried, which the worker's other threads must not see): any other is missing."""
    store = BodyStore()
    store._pending = texts
    _HELD.store = store
    try:
        yield
    finally:
        _HELD.store = None


def text(ident: str) -> str:
    """The body with this id, from the running build's store ("" for no body)."""
    if not ident:
        return ""
    return (getattr(_HELD, "store", None) or _CURRENT[0]).get(ident)
