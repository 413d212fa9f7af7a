"""The one digest Dateline uses for everything it compares (sources, pages, cache tables,
file names): BLAKE2b, 16 bytes unless a short name needs 8, and the one key a file's
stat is compared by."""

from __future__ import annotations

import hashlib
import os

SIZE = 16
"""Bytes of a digest; 8 where it names a file (a short name, and a collision costs only
a rebuild)."""


def digest(data: bytes | str, size: int = SIZE) -> str:
    """The hex digest of bytes, or of a string's UTF-8."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.blake2b(data, digest_size=size).hexdigest()


def digest_bytes(data: bytes, size: int = SIZE, person: bytes = b"") -> bytes:
    """The raw digest of bytes (`person` sets BLAKE2b's personalisation: a digest of the
    same bytes made for another purpose differs)."""
    return hashlib.blake2b(data, digest_size=size, person=person).digest()


def hasher(size: int = SIZE):
    """A digest made piece by piece: `.update(bytes)`, then `.hexdigest()`."""
    return hashlib.blake2b(digest_size=size)


def stat_key(stat: os.stat_result) -> tuple[int, int, int]:
    """What says a file is unchanged since it was last read: its modification time, size
    and inode (a file replaced by a rename has another inode)."""
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)
