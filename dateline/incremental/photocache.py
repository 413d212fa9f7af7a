"""Photo renditions kept in the build cache (`photos/<key>.<format>`), each with the size
and digest recorded when it was made, so a damaged one (a truncated copy, a full disk,
a stray edit) is made again instead of published.

The record (`photos/made.json`) also keeps each file's modification time when it was
last checked: a rendition whose size and modification time are those recorded is taken
as sound without reading it, as the build cache trusts the stat of sources; any other
is read and its digest compared. A full check reads every one (`build --clean`).
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

from ..atomic import replacing
from .fingerprints import digest

RECORD = "made.json"


class Made(msgspec.Struct, array_like=True):
    size: int
    mtime_ns: int
    digest: str


class RenditionStore:
    """The cache's rendition files and what was recorded of each when it was made."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._changed = False
        try:
            self._made = msgspec.json.decode((folder / RECORD).read_bytes(),
                                             type=dict[str, Made])
        except (OSError, msgspec.DecodeError):
            self._made = {}  # no record: every rendition is made again, never trusted

    def path(self, name: str) -> Path:
        return self.folder / name

    def is_sound(self, name: str, full: bool = False) -> bool:
        """Whether the cached file `name` is the one that was made: its size is the
        recorded size and (when its stat differs from the record's, or `full`) so is
        its digest."""
        made = self._made.get(name)
        try:
            stat = self.path(name).stat()
        except OSError:
            return False
        if made is None or stat.st_size != made.size:
            return False
        if stat.st_mtime_ns == made.mtime_ns and not full:
            return True
        try:
            data = self.path(name).read_bytes()
        except OSError:
            return False
        if len(data) != made.size or digest(data) != made.digest:
            return False
        if made.mtime_ns != stat.st_mtime_ns:  # sound after all (a copy, a `touch`)
            self._made[name] = Made(made.size, stat.st_mtime_ns, made.digest)
            self._changed = True
        return True

    def size(self, name: str) -> int:
        """The recorded size of a rendition, 0 when none is recorded."""
        made = self._made.get(name)
        return made.size if made else 0

    def record(self, name: str, size: int, mtime_ns: int, data_digest: str) -> None:
        self._made[name] = Made(size, mtime_ns, data_digest)
        self._changed = True

    def save(self) -> None:
        """Write the record when it changed. Another build writing it at the same time
        may drop this one's entries: those renditions are then made again, never
        trusted unchecked."""
        if not self._changed:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        known = {name: made for name, made in self._made.items()
                 if os.path.exists(self.path(name))}
        with replacing(self.folder / RECORD) as handle:
            handle.write(msgspec.json.encode(dict(sorted(known.items()))))
        self._changed = False


def write_rendition(folder: Path, name: str, data: bytes) -> tuple[str, int, int, str]:
    """Store a rendition just made; returns what its record holds (for the parent
    process, which keeps the record)."""
    target = folder / name
    with replacing(target) as handle:
        handle.write(data)
    return name, len(data), target.stat().st_mtime_ns, digest(data)
