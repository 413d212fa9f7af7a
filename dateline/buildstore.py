"""The build store: one SQLite file in the cache folder (`build.sqlite`, WAL mode) that
holds every table of the build cache as rows, the rendered bodies and the saved model
with its inverse index (see docs/incremental.md). This module owns its schema: opening
it, dropping one of an older schema, of other settings or damaged, and the connections.

The store is an optimisation only: whatever is wrong with it, it is dropped and the site
built afresh. The preview server and a command-line build may open it at once: WAL lets
readers go on while one writes, and a writer waits (`busy_timeout`) for another.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

FILE = "build.sqlite"
SCHEMA = 6
"""`PRAGMA user_version` of the store: bump when a table changes; an older store is
dropped with one warning line."""
OLD_FILES = ("build.pickle", "build.journal", "bodies.sqlite", "last-build-*.pickle",
             "last-build-*.head")
"""The cache's files before the store (the snapshot, its journal, the body file, the
saved models): removed with one warning line."""
BUSY_MS = 30_000

_SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE entries (tbl TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
                      PRIMARY KEY (tbl, key)) WITHOUT ROWID;
CREATE TABLE bodies (id TEXT PRIMARY KEY, html TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE heads (slot TEXT PRIMARY KEY, key TEXT NOT NULL, value BLOB NOT NULL);
CREATE TABLE models (slot TEXT PRIMARY KEY, key TEXT NOT NULL, value BLOB NOT NULL);
CREATE TABLE articles (slot TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
                       PRIMARY KEY (slot, key));
CREATE TABLE pages (slot TEXT NOT NULL, page INTEGER NOT NULL, url TEXT NOT NULL,
                    fingerprint TEXT NOT NULL, kind TEXT NOT NULL, lang TEXT NOT NULL,
                    value BLOB NOT NULL, PRIMARY KEY (slot, page));
CREATE TABLE page_deps (slot TEXT NOT NULL, dep TEXT NOT NULL, pages BLOB NOT NULL,
                        PRIMARY KEY (slot, dep)) WITHOUT ROWID;
CREATE TABLE fingerprints (slot TEXT NOT NULL, kind TEXT NOT NULL, url TEXT NOT NULL,
                           fingerprint TEXT NOT NULL, PRIMARY KEY (slot, kind, url))
    WITHOUT ROWID;
CREATE TABLE rows (slot TEXT NOT NULL, name TEXT NOT NULL, value BLOB NOT NULL,
                   PRIMARY KEY (slot, name));
CREATE TABLE feed_deps (slot TEXT NOT NULL, story TEXT NOT NULL, name TEXT NOT NULL,
                        PRIMARY KEY (slot, story, name)) WITHOUT ROWID;
CREATE TABLE shared (slot TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
                     PRIMARY KEY (slot, key));
"""
"""`entries`: the build cache's tables (`incremental.cache`), one row per source, photo,
template set, article, output file...; `bodies`: rendered bodies by digest; per output
folder (`slot`): the saved model's head and site (`models`), its articles, its pages
(url, fingerprint, kind, language and the page, its articles as references), the
inverse index from what a page shows (an article, a story, a template, a section, a
tag, an author) to the page, the article and card fingerprints by URL, the rows made
from the whole site (`rows`: the article order, each story's versions, each feed) and
the feeds carrying each story (`feed_deps`), and the values many of those rows hold,
stored once by digest (`shared`: a photo's renditions, a listing's page URLs):
`build.modelrows`, `build.rowpickle`.

The tables of the saved model's pickled rows are rowid tables (their key an index
beside them): a row of a `WITHOUT ROWID` table longer than ~1,000 bytes (a quarter of a
page) takes an overflow page of its own, which made the article rows (~1.2 kB each)
take four times their bytes on disk and to write."""


class OlderStore(Exception):
    """The store was written with another schema: dropped, said in one warning."""


class Store:
    """The store file, with one connection per process (a connection must not cross a
    fork: forked workers reading bodies open their own). Threads share it: the preview
    server runs one build at a time, each on a new thread."""

    def __init__(self, path: Path):
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self.dropped_key: str | None = None
        """The key of the store this one replaced (`open_store`): another version's or
        other settings', which the caller tells apart."""

    def db(self) -> sqlite3.Connection:
        if self._connection is None or self._pid != os.getpid():
            self._connection = sqlite3.connect(self.path, isolation_level=None,
                                               check_same_thread=False, timeout=BUSY_MS / 1000)
            self._connection.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            self._connection.execute("PRAGMA synchronous = NORMAL")
            self._pid = os.getpid()
        return self._connection

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it on disk, or none of it (a build killed
        half-way leaves the store as the last build left it)."""
        db = self.db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None

    def remove(self) -> None:
        self.close()
        remove(self.path.parent)


def open_store(folder: Path, key: str) -> tuple[Store, bool]:
    """The store for `key` (Dateline's version and the settings) and whether it holds
    anything of it; one of another key is emptied. Raises OlderStore or
    sqlite3.DatabaseError (the file was removed: the caller says why, once)."""
    store = Store(folder / FILE)
    try:
        db = store.db()
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0 and not db.execute("SELECT 1 FROM sqlite_master").fetchone():
            _create(store, key)
            return store, False
        if version != SCHEMA:
            raise OlderStore(f"{FILE} has schema {version}, this Dateline {SCHEMA}")
        _check_length(store.path, db)
        row = db.execute("SELECT value FROM meta WHERE name = 'key'").fetchone()
    except BaseException:
        store.remove()
        raise
    if row is not None and row[0] == key:
        return store, True
    store.remove()  # another version or other settings: the caller says which, if it must
    store = Store(folder / FILE)
    _create(store, key)
    store.dropped_key = row[0] if row is not None else None
    return store, False


def _check_length(path: Path, db: sqlite3.Connection) -> None:
    """Raise when the file is shorter than its pages (cut short), which SQLite would only
    find when it reads or writes a missing page. (With a WAL beside it, pages may be
    there instead.)"""
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size:
        return
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    size = db.execute("PRAGMA page_size").fetchone()[0]
    if path.stat().st_size < pages * size:
        raise sqlite3.DatabaseError(f"{FILE} is cut short")


def _create(store: Store, key: str) -> None:
    db = store.db()
    db.execute("PRAGMA journal_mode = WAL")
    with store.transaction():
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("INSERT INTO meta VALUES ('key', ?), ('written_ns', 0)", (key,))
        db.execute(f"PRAGMA user_version = {SCHEMA}")


def as_os_error(exc: sqlite3.Error) -> OSError:
    """What a write that SQLite refused means, as the OSError the build reports (a full
    disk, a read-only one, or another error naming the store)."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF  # the primary code of an extended one
    number = {sqlite3.SQLITE_FULL: errno.ENOSPC, sqlite3.SQLITE_READONLY: errno.EROFS,
              sqlite3.SQLITE_CANTOPEN: errno.EACCES}.get(code)
    if number is not None:
        return OSError(number, os.strerror(number), FILE)
    return OSError(errno.EIO, f"{FILE}: {' '.join(str(exc).split())}", FILE)


def remove(folder: Path) -> None:
    """Remove the store's files (a damaged store, or one of another key)."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        (folder / f"{FILE}{suffix}").unlink(missing_ok=True)


def remove_old_files(folder: Path) -> list[str]:
    """Remove the cache files written before the store; the names of those found."""
    found = []
    for pattern in OLD_FILES:
        for path in sorted(folder.glob(pattern)):
            found.append(path.name)
            path.unlink(missing_ok=True)
    return found
