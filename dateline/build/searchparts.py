"""The parts of article pages that Pagefind indexes, kept in the build cache by page file
(`search`): the digest of the page each was cut from, the part's digest and the part.

A build asks for the digests of every page (small), and for the parts of one bucket at
a time, when it makes that bucket's bundle: the text of every article is never in
memory at once. The file is a cache only: unreadable or of another version, it is made
again from the pages.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

FILE = "search-parts.sqlite"
VERSION = "1"


class SearchParts:
    """Parts by page file, in `folder`/search-parts.sqlite; in memory when the file
    cannot be used (a full disk, a damaged file)."""

    def __init__(self, folder: Path):
        self.path = folder / FILE
        self._memory: dict[str, str] = {}
        self._db: sqlite3.Connection | None = None
        try:
            self._db = _open(self.path)
        except (sqlite3.Error, OSError):
            self._drop()

    def digests(self) -> dict[str, tuple[str, str]]:
        """Page file → (content digest of the page, digest of its part)."""
        if self._db is None:
            return {}
        try:
            return {file: (page, part) for file, page, part in self._db.execute(
                "SELECT file, page, digest FROM parts")}
        except sqlite3.Error:
            self._drop()
            return {}

    def put(self, file: str, page_digest: str, part_digest: str, part: str) -> None:
        if self._db is not None:
            try:
                self._db.execute("INSERT OR REPLACE INTO parts VALUES (?, ?, ?, ?)",
                                 (file, page_digest, part_digest, part))
                return
            except sqlite3.Error:
                self._drop()
        self._memory[file] = part

    def keep_only(self, files: set[str]) -> None:
        """Forget the pages the site no longer has; write what was put."""
        if self._db is None:
            return
        try:
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS live (file TEXT PRIMARY KEY)")
            self._db.execute("DELETE FROM live")
            self._db.executemany("INSERT INTO live VALUES (?)", ((f,) for f in files))
            self._db.execute("DELETE FROM parts WHERE file NOT IN (SELECT file FROM live)")
            self._db.commit()
        except sqlite3.Error:
            self._drop()

    def parts(self, files: list[str]) -> dict[str, str] | None:
        """The parts of these pages (None when any is missing: cut them again)."""
        found = {file: self._memory[file] for file in files if file in self._memory}
        wanted = [file for file in files if file not in found]
        if wanted and self._db is not None:
            try:
                for start in range(0, len(wanted), 500):
                    chunk = wanted[start:start + 500]
                    found.update(self._db.execute(
                        "SELECT file, part FROM parts WHERE file IN "
                        f"({','.join('?' * len(chunk))})", chunk))
            except sqlite3.Error:
                self._drop()
        return found if len(found) == len(files) else None

    def _drop(self) -> None:
        if self._db is not None:
            self._db.close()
        self._db = None
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


def _open(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA synchronous = OFF")
        db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
        row = db.execute("SELECT value FROM meta WHERE name = 'version'").fetchone()
        if row is None or row[0] != VERSION:
            db.execute("DROP TABLE IF EXISTS parts")
            db.execute("CREATE TABLE parts (file TEXT PRIMARY KEY, page TEXT, digest TEXT, "
                       "part TEXT) WITHOUT ROWID")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (VERSION,))
            db.commit()
    except sqlite3.Error:
        db.close()
        raise
    return db
