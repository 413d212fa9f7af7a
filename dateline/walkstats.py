"""The stats of a walk of the inputs (`listings.walk`) as the build reads them: path →
`os.stat_result` in walking order, held as arrays, with path strings made only when the
build asks for them (a build with nothing to do asks for none)."""

from __future__ import annotations

import os
import stat as stat_mode
from array import array
from collections.abc import Iterator, Mapping
from operator import attrgetter

FIELDS = tuple(attrgetter(name) for name in ("st_mtime_ns", "st_size", "st_ino", "st_mode"))
"""What the arrays hold of each stat, in their order."""
_FEW_LOOKUPS = 64
"""Paths looked up one at a time before `WalkStats` makes a dict of them all."""


class Listed:
    """A folder whose files are stat'ed by name: its path and its files' names as the
    record keeps them, one `\\0`-joined byte string. The names are split and decoded
    only when asked for (`names`): the stats are made from the bytes, and a build with
    nothing to do needs no name as a string."""

    __slots__ = ("folder", "blob", "count", "_names")

    def __init__(self, folder: str, blob: bytes, names: list[str] | None = None) -> None:
        self.folder = folder
        self.blob = blob
        self.count = len(names) if names is not None else (blob.count(b"\0") + 1
                                                           if blob else 0)
        self._names = names

    def names(self) -> list[str]:
        if self._names is None:
            self._names = split_names(self.blob)
        return self._names


class WalkStats(Mapping):
    """Path → `os.stat_result` in walking order (what `inputs.walk` returns), held as
    arrays: the path strings and stat objects are made only when asked for (a build with
    nothing to do needs neither). The stat objects carry the mode, inode, size and
    modification time, what the build reads of them."""

    def __init__(self, parts: list, columns: tuple[list[bytes], ...], names: str,
                 newest: int) -> None:
        self._parts = parts
        self.columns = columns
        """Times (signed), sizes, inodes, modes: 8 bytes each per input, each a list of
        pieces (one per folder and process) that `arrays` joins when first asked for:
        a build with nothing to do hashes the pieces (`pieces`) and joins none."""
        self._arrays: tuple[bytes, bytes, bytes, bytes] | None = None
        self._count = sum(map(len, columns[0])) // 8
        self.names = names
        """A digest of every input's path, in walking order."""
        self.newest = newest
        """The newest modification time (ns; 0 without inputs), found by the processes
        that stat'ed them."""
        self._paths: list[str] | None = None
        self._index: dict[str, int] | None = None
        self._lookups = 0
        self._unpacked: tuple | None = None

    def forget_strings(self) -> None:
        """Drop what was made when asked for (the path strings, their index, the names
        split, the stats unpacked): ~300 bytes per input that a cold build, once its
        sources are read, does not ask for again (issue 19). Any is made anew if asked."""
        self._paths = self._index = self._unpacked = None
        for part in self._parts:
            if isinstance(part, Listed) and part.blob:
                part._names = None

    def paths(self) -> list[str]:
        if self._paths is None:
            paths: list[str] = []
            for part in self._parts:
                if isinstance(part, dict):
                    paths.extend(part)
                else:
                    prefix = join_path(part.folder, "")
                    paths.extend([prefix + name for name in part.names()])
            self._paths = paths
        return self._paths

    def each_path(self) -> Iterator[str]:
        """The paths in walking order, made one at a time and kept by nothing here: a
        build that goes through them once (`finish.settle_sources`) does not hold every
        path at once (issue 19: ~15 MiB at 60,000 articles, ~100 MiB at 300,000)."""
        if self._paths is not None:
            yield from self._paths
            return
        for part in self._parts:
            if isinstance(part, dict):
                yield from part
            else:
                prefix = join_path(part.folder, "")
                names = part._names if part._names is not None else split_names(part.blob)
                for name in names:
                    yield prefix + name

    @property
    def arrays(self) -> tuple[bytes, bytes, bytes, bytes]:
        """Times (signed), sizes, inodes, modes: 8 bytes each per input."""
        if self._arrays is None:
            self._arrays = tuple(b"".join(column) for column in self.columns)
            # The pieces are the joined bytes now (not a second copy of every stat).
            self.columns = tuple([joined] for joined in self._arrays)
        return self._arrays

    def pieces(self) -> Iterator[bytes]:
        """The bytes of `arrays`, one after the other, in pieces."""
        for column in self.columns:
            yield from column

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths())

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self.place(path) is not None

    def __getitem__(self, path: str) -> os.stat_result:
        place = self.place(path)
        if place is None:
            raise KeyError(path)
        return self.at(place)

    def place(self, path: str) -> int | None:
        """The input's place in walking order (None: not an input). The first few are
        found in their folder's names, without a string or a dict entry per input (a
        build after an edit looks up a few); then all at once."""
        if self._index is None and self._lookups < _FEW_LOOKUPS:
            self._lookups += 1
            return self._find(path)
        if self._index is None:
            self._index = {path: i for i, path in enumerate(self.paths())}
        return self._index.get(path)

    def _find(self, path: str) -> int | None:
        folder, _, name = path.rpartition(os.sep)
        offset = 0
        for part in self._parts:
            if isinstance(part, dict):
                if path in part:
                    return offset + list(part).index(path)
            elif part.folder == folder or join_path(part.folder, "") == folder + os.sep:
                try:
                    return offset + part.names().index(name)
                except ValueError:
                    pass
            offset += len(part) if isinstance(part, dict) else part.count
        return None

    def path_at(self, index: int) -> str:
        """The path of the input at `index` in walking order."""
        if self._paths is not None:
            return self._paths[index]
        if not 0 <= index < len(self):
            raise IndexError(index)
        for part in self._parts:
            size = len(part) if isinstance(part, dict) else part.count
            if index < size:
                return (list(part)[index] if isinstance(part, dict)
                        else join_path(part.folder, part.names()[index]))
            index -= size
        raise IndexError(index)

    def at(self, index: int) -> os.stat_result:
        if self._unpacked is None:
            times, sizes, inodes, modes = self.arrays
            self._unpacked = (array("q", times), array("Q", sizes), array("Q", inodes),
                              array("Q", modes))
        times, sizes, inodes, modes = self._unpacked
        mtime = times[index]
        seconds = mtime // 1_000_000_000
        return os.stat_result((modes[index], inodes[index], 0, 1, 0, 0, sizes[index],
                               seconds, seconds, seconds, mtime / 1e9, mtime / 1e9,
                               mtime / 1e9, mtime, mtime, mtime))

    def is_regular(self, index: int) -> bool:
        return stat_mode.S_ISREG(self.at(index).st_mode)


def join_path(folder: str, name: str) -> str:
    return folder + name if folder.endswith(os.sep) else folder + os.sep + name


def joined(names: list[str]) -> bytes:
    return "\0".join(names).encode("utf-8", "surrogateescape")


def split_names(blob: bytes) -> list[str]:
    return blob.decode("utf-8", "surrogateescape").split("\0") if blob else []
