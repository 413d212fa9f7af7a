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


THREADED_FROM = 256
"""Files from which `file_digests` reads and hashes on two threads."""


def file_digests(paths: list[str], sizes: list[int]) -> list[str | None]:
    """The digest of each file's bytes, as `digest` makes it (None: it cannot be read);
    `sizes`, what their stats said, lets one `read` take a whole file. Many files (a
    fresh clone's every source) are done on two threads: reading and hashing release
    the GIL, so both cores work."""
    if len(paths) < THREADED_FROM:
        return [_file_digest(path, size) for path, size in zip(paths, sizes, strict=True)]
    from concurrent.futures import ThreadPoolExecutor

    half = len(paths) // 2
    with ThreadPoolExecutor(2) as pool:
        parts = pool.map(lambda s: [_file_digest(p, n) for p, n in zip(paths[s], sizes[s],
                                                                         strict=True)],
                         (slice(0, half), slice(half, None)))
        return [found for part in parts for found in part]


def _file_digest(path: str, size: int) -> str | None:
    # os.open and os.read: no Path, no buffered file object (a third of the time for a
    # small file); a file that grew since its stat is read to its end.
    try:
        handle = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        hashed = hashlib.blake2b(digest_size=SIZE)
        while block := os.read(handle, size + 1):
            hashed.update(block)
            if len(block) <= size:
                break  # a regular file reads whole up to its end
            size = 1 << 20
        return hashed.hexdigest()
    except OSError:
        return None
    finally:
        os.close(handle)
