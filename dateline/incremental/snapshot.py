"""The cache's files on disk: a snapshot of its tables, each in a pickle of its own read
when first asked for, and a journal of what later builds changed (see `cache`)."""

from __future__ import annotations

import io
import os
import pickle
import struct
from pathlib import Path

from ..digests import digest_bytes
from .cachedamage import CacheDamaged, unpickled
from .collector import long_lived

SNAPSHOT = "build.pickle"
JOURNAL = "build.journal"
_RECORD_HEAD = struct.Struct("<I16s")
"""Each journal record: its length and a digest of its bytes, then the pickled change."""
_SNAPSHOT_HEAD = struct.Struct("<Q")
"""The snapshot: the length of its index, the index (key, generation, time written, and
where each table's pickle lies, with its digest), then the tables."""
_TABLES = ("sources", "front_matter", "photos", "templates", "fields", "articles",
           "outputs")
_FOLDER_TABLES = ("files:", "groups:")


class Foreign(Exception):
    """The cache was written for other settings or by another version: dropped silently."""


def write_snapshot(handle, head: tuple[str, str, int], tables: dict[str, dict]) -> int:
    """Write the tables after an index; `head` is the cache's (key, generation, time
    written). Returns the bytes written."""
    blobs = {name: pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL)
             for name, table in tables.items()}
    index, offset = {}, 0
    for name, blob in blobs.items():
        index[name] = (offset, len(blob), digest_bytes(blob))
        offset += len(blob)
    index_blob = pickle.dumps((*head, index), protocol=pickle.HIGHEST_PROTOCOL)
    handle.write(_SNAPSHOT_HEAD.pack(len(index_blob)) + index_blob)
    for blob in blobs.values():
        handle.write(blob)
    return handle.tell()


class Stored:
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
    def open(cls, folder: Path, key: str) -> Stored:
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
                raise Foreign
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
            if len(blob) != size or digest_bytes(blob) != check:
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
        if len(body) != size or digest_bytes(body) != check:
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


def journal_record(generation: str, written_ns: int, changes: dict) -> bytes:
    body = pickle.dumps((generation, written_ns, changes), protocol=pickle.HIGHEST_PROTOCOL)
    return _RECORD_HEAD.pack(len(body), digest_bytes(body)) + body
