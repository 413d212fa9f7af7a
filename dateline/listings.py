"""The inputs' walk before every command-line build, at archive scale: the same entries,
stats and order as `inputs.walk`, without reading the listing of a folder that has not
changed, and with the `stat` calls spread over two processes.

A folder's listing changes only with its own stat: adding, removing or renaming an entry
sets the folder's modification and change times (the racy rule aside, below). So the walk
keeps, beside the build cache (`RECORD`), each folder's stat (modification and change
time, inode, device, size) and the names it held, and when a folder's stat is the one
recorded it stats the recorded names by the folder's descriptor instead of listing it
again (`os.scandir` and sorting were ~0.4 s of a 300,000-file walk). A folder whose
modification or change time is within `RACY_NS` of the moment its listing was read is
listed anyway (it may have changed again within the same tick); so is a folder holding a
symbolic link (followed or reported by `inputs`' rules, which look at the link's target)
and one without a record. Every file is still stat'ed: a file edited in place changes
its own stat only.

From `SPLIT_FROM` files, a forked process stats the second half of the names while this
one stats the first (threads do not help: the calls hold the GIL between system calls),
and sends its stats back as arrays (`marshal`); if it fails, this process stats its half
too.

The record is an optimisation only: one that cannot be read, of another version, or
whose digest does not match is ignored (every folder is listed) and written again.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import stat as stat_mode
import time
from array import array
from collections.abc import Callable, Iterator, Mapping
from operator import attrgetter
from pathlib import Path

from .digests import hasher
from .inputs import Confinement, _folder_stat, _linked
from .noise import is_editor_noise

RECORD = "listings.bin"
"""The folders' stats and listings, in the build cache's folder."""
_VERSION = b"dateline-listings-1\n"
RACY_NS = 2_000_000_000
"""Racy-git rule (`incremental.state.RACY_NS`, the same value): a folder modified this
close to the moment its listing was read cannot vouch for that listing."""
SPLIT_FROM = 20_000
"""Files from which the stat calls are spread over two processes."""
_CHUNK = 1024
"""Names stat'ed at once: their stat objects (~500 bytes each) are made into arrays
before the next are made, so that their memory is used again (held at once, the
300,000 of a walk cost ~38,000 page faults, ~0.1 CPU s, and ~90 MB)."""
_FEW_LOOKUPS = 64
"""Paths looked up one at a time before `WalkStats` makes a dict of them all."""

_NAME = attrgetter("name")
_FIELDS = tuple(attrgetter(name) for name in ("st_mtime_ns", "st_size", "st_ino", "st_mode"))
_OPEN = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)


def folder_key(stat: os.stat_result) -> tuple[int, int, int, int, int]:
    """What says a folder's listing is unchanged."""
    return (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev, stat.st_size)


class Walk:
    """What a walk found, in walking order: folders whose files are stat'ed by name
    (`listed`), and the entries of the others stat'ed already (`done`)."""

    def __init__(self) -> None:
        self.parts: list[Listed | dict[str, os.stat_result]] = []
        self.record: dict[str, tuple] = {}
        """Folder → (stat key, time its listing was read, files, subfolders)."""
        self.listed = 0
        """Folders whose listing was read (not trusted from the record)."""

    def files(self) -> int:
        return sum(part.count if isinstance(part, Listed) else len(part)
                   for part in self.parts)


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
            self._names = _names(self.blob)
        return self._names


def walk(roots: list[tuple[str, Confinement | None]], known: dict[str, tuple],
         files: list[str]) -> tuple[WalkStats, Walk]:
    """Every input (`files` by their `stat`, then every entry below each root, as
    `inputs.walk`) with its stat; `known`, the record of the last walk (`load`)."""
    # The walk makes no reference cycles: the collector would only go through the
    # objects it makes, again and again (~20 ms in each process at 300,000 files).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _walk(roots, known, files)
    finally:
        if enabled:
            gc.enable()


def _walk(roots: list[tuple[str, Confinement | None]], known: dict[str, tuple],
          files: list[str]) -> tuple[WalkStats, Walk]:
    found = Walk()
    first: dict[str, os.stat_result] = {}
    for path in files:
        try:
            first[path] = os.stat(path)
        except OSError:
            continue
    found.parts.append(first)
    for folder, rules in roots:
        _folder(folder, (os.path.realpath(folder),), rules, known, found)
    return WalkStats.of(found), found


def _folder(folder: str, ancestors: tuple[str, ...], rules: Confinement | None,
            known: dict[str, tuple], found: Walk) -> None:
    try:
        stat = os.stat(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    except OSError:
        stat = None
    key = folder_key(stat) if stat is not None else None
    last = known.get(folder)
    if (key is not None and last is not None and last[0] == key
            and max(key[0], key[1]) < last[1] - RACY_NS):
        files, folders = Listed(folder, last[2]), _names(last[3])
        found.record[folder] = last
    else:
        listed_ns = time.time_ns()
        listing = _listing(folder, ancestors, rules, found)
        if listing is None:
            return
        files, folders = listing
        if not isinstance(files, dict):
            files = Listed(folder, _joined(files), files)
            if key is not None:
                found.record[folder] = (key, listed_ns, files.blob, _joined(folders))
        found.listed += 1
    if isinstance(files, dict):
        found.parts.append(files)
        subfolders = folders
    else:
        if files.count:
            found.parts.append(files)
        subfolders = [(_join(folder, name), os.path.join(ancestors[-1], name))
                      for name in folders]
    for path, real in subfolders:
        _folder(path, (*ancestors, real), rules, known, found)


def _listing(folder: str, ancestors: tuple[str, ...], rules: Confinement | None,
             found: Walk):
    """(files, subfolders' names) of a folder read now; (entries stat'ed → stat,
    [(subfolder, real path)]) when it holds a symbolic link; None when it cannot be
    listed (an unreadable folder is then an entry of its own, as in `inputs.walk`)."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=_NAME)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError:
        found.parts.append({folder: _folder_stat(folder)})
        return None
    files: list[str] = []
    folders: list[str] = []
    try:
        for entry in entries:
            name = entry.name
            if name[0] == ".":
                continue
            if entry.is_symlink():
                return _linking(folder, entries, ancestors, rules)
            if entry.is_dir(follow_symlinks=False):
                folders.append(name)
            elif name.endswith(".md") or not is_editor_noise(name):
                files.append(name)
    except OSError:  # removed while being walked
        return _linking(folder, entries, ancestors, rules)
    return files, folders


def _linking(folder: str, entries: list, ancestors: tuple[str, ...],
             rules: Confinement | None) -> tuple[dict, list]:
    """A folder holding a symbolic link, walked as `inputs.walk` walks it."""
    found: dict[str, os.stat_result] = {}
    folders: list = []
    for entry in entries:
        name = entry.name
        if name[0] == ".":
            continue
        try:
            if entry.is_symlink():
                _linked(entry.path, ancestors, rules, found, folders, [])
            elif entry.is_dir(follow_symlinks=False):
                folders.append((entry.path, os.path.join(ancestors[-1], name)))
            elif name.endswith(".md") or not is_editor_noise(name):
                found[entry.path] = entry.stat(follow_symlinks=False)
        except OSError:
            continue
    return found, folders


def _join(folder: str, name: str) -> str:
    return folder + name if folder.endswith(os.sep) else folder + os.sep + name


def _joined(names: list[str]) -> bytes:
    return "\0".join(names).encode("utf-8", "surrogateescape")


def _names(blob: bytes) -> list[str]:
    return blob.decode("utf-8", "surrogateescape").split("\0") if blob else []


# The stat calls -------------------------------------------------------------------


def _stat_span(work: list[Listed], low: int, high: int) -> list:
    """[(part, first place, missing names' places, newest time, times, sizes, inodes,
    modes)] of the names at places low..high of the listed folders (counted across
    them), stat'ed by their folder's descriptor. Only the folders in the span have their
    names split."""
    out = []
    start = 0
    for part, listed in enumerate(work):
        end = start + listed.count
        if end > low and start < high:
            first, last = max(low - start, 0), min(high, end) - start
            missing: list[int] = []
            columns = (array("q"), array("Q"), array("Q"), array("Q"))
            try:
                fd = os.open(listed.folder, _OPEN)
            except OSError:
                missing = list(range(first, last))
            else:
                try:
                    _stat_names(fd, listed.blob.split(b"\0")[first:last], first, missing,
                                columns)
                finally:
                    os.close(fd)
            out.append((part, first, missing, max(columns[0], default=0),
                        *(column.tobytes() for column in columns)))
        start = end
    return out


def _stat_names(fd: int, names: list[bytes], first: int, missing: list[int],
                columns: tuple[array, ...]) -> None:
    """The stats (`lstat`) of `names`, the folder's names from place `first` on, in the
    folder open as `fd`, appended to `columns` `_CHUNK` at a time; the places of those
    that cannot be stat'ed (removed since listed) go to `missing`."""
    stat = os.stat
    for begin in range(0, len(names), _CHUNK):
        chunk = names[begin:begin + _CHUNK]
        try:  # the common case: one comprehension, no test per name
            kept = [stat(name, dir_fd=fd, follow_symlinks=False) for name in chunk]
        except OSError:
            kept = []
            for place, name in enumerate(chunk, first + begin):
                try:
                    kept.append(stat(name, dir_fd=fd, follow_symlinks=False))
                except OSError:
                    missing.append(place)
        for column, field in zip(columns, _FIELDS, strict=True):
            column.extend(map(field, kept))


def _stat_all(work: list[Listed], total: int, meanwhile: Callable[[], None]) -> list:
    """`_stat_span` of every listed name: from `SPLIT_FROM` names, the second half in a
    forked process, while this one stats the first half and then calls `meanwhile`."""
    if total < SPLIT_FROM or not hasattr(os, "fork"):
        meanwhile()
        return _stat_span(work, 0, total)
    middle = total * 12 // 25  # this process makes the paths' digest too
    try:
        reading, writing = os.pipe()
        pid = os.fork()
    except OSError:
        meanwhile()
        return _stat_span(work, 0, total)
    if pid == 0:  # the child: stat, send, exit without running anything of the parent's
        code = 1
        try:
            os.close(reading)
            data = memoryview(marshal.dumps(_stat_span(work, middle, total)))
            while data:
                data = data[os.write(writing, data):]
            code = 0
        finally:
            os._exit(code)
    os.close(writing)
    mine = _stat_span(work, 0, middle)
    meanwhile()
    chunks = []
    with os.fdopen(reading, "rb") as pipe:
        chunks.append(pipe.read())
    _, status = os.waitpid(pid, 0)
    try:
        if status != 0:
            raise ValueError("the stat process failed")
        theirs = marshal.loads(b"".join(chunks))
    except (ValueError, EOFError, TypeError):
        theirs = _stat_span(work, middle, total)
    return mine + theirs


def _names_digest(parts: list) -> str:
    """A digest of every input's path in walking order: "\\0".join(paths), as `state`
    hashed `inputs.walk`'s, made from each folder's names' byte string in C (the
    folder's prefix put before each name)."""
    digest, started = hasher(), False
    for part in parts:
        if isinstance(part, dict):
            if part:
                digest.update(b"\0" * started + _joined(list(part)))
                started = True
        elif part.count:
            prefix = _join(part.folder, "").encode("utf-8", "surrogateescape")
            digest.update(b"\0" * started + prefix)
            digest.update(part.blob.replace(b"\0", b"\0" + prefix))
            started = True
    return digest.hexdigest()


# The stats as a mapping -------------------------------------------------------------


class WalkStats(Mapping):
    """Path → `os.stat_result` in walking order (what `inputs.walk` returns), held as
    arrays: the path strings and stat objects are made only when asked for (a build with
    nothing to do needs neither). The stat objects carry the mode, inode, size and
    modification time, what the build reads of them."""

    def __init__(self, parts: list, arrays: tuple[bytes, bytes, bytes, bytes],
                 names: str, newest: int) -> None:
        self._parts = parts
        self.arrays = arrays
        """Times (signed), sizes, inodes, modes: 8 bytes each per input."""
        self.names = names
        """A digest of every input's path, in walking order."""
        self.newest = newest
        """The newest modification time (ns; 0 without inputs), found by the processes
        that stat'ed them."""
        self._paths: list[str] | None = None
        self._index: dict[str, int] | None = None
        self._lookups = 0
        self._unpacked: tuple | None = None

    @classmethod
    def of(cls, found: Walk) -> WalkStats:
        work = [part for part in found.parts if isinstance(part, Listed)]
        # The paths' digest is made while the forked process stats its half: the names
        # are known, and a name gone since its folder was listed is rare (made again).
        digests: list[str] = []
        stated = _stat_all(work, sum(part.count for part in work),
                           lambda: digests.append(_names_digest(found.parts)))
        by_part = {}
        newest = 0
        for part, first, missing, latest, *fields in stated:
            by_part.setdefault(part, []).append((first, missing, fields))
            newest = max(newest, latest)
        parts: list = []
        columns: tuple[list, list, list, list] = ([], [], [], [])
        place = 0
        for part in found.parts:
            if isinstance(part, dict):
                parts.append(part)
                values = part.values()
                for column, field in zip(columns, _FIELDS, strict=True):
                    column.append(array("q" if field is _FIELDS[0] else "Q",
                                        map(field, values)).tobytes())
                newest = max(newest, max(map(_FIELDS[0], values), default=0))
                continue
            spans = sorted(by_part.get(place, ()), key=lambda span: span[0])
            place += 1
            gone = {i for _, missing, _ in spans for i in missing}
            if gone:
                names = [name for i, name in enumerate(part.names()) if i not in gone]
                part = Listed(part.folder, _joined(names), names)
                digests.clear()
            for _, _, fields in spans:
                for column, field in zip(columns, fields, strict=True):
                    column.append(field)
            parts.append(part)
        return cls(parts, tuple(b"".join(column) for column in columns),
                   digests[0] if digests else _names_digest(parts), newest)

    def paths(self) -> list[str]:
        if self._paths is None:
            paths: list[str] = []
            for part in self._parts:
                if isinstance(part, dict):
                    paths.extend(part)
                else:
                    prefix = _join(part.folder, "")
                    paths.extend([prefix + name for name in part.names()])
            self._paths = paths
        return self._paths

    def __len__(self) -> int:
        return len(self.arrays[0]) // 8

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
            elif part.folder == folder or _join(part.folder, "") == folder + os.sep:
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
                        else _join(part.folder, part.names()[index]))
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


# The record -------------------------------------------------------------------------


def load(cache: Path) -> dict[str, tuple]:
    """The last walk's record (empty when there is none, or it cannot be trusted)."""
    try:
        data = (cache / RECORD).read_bytes()
    except OSError:
        return {}
    size = len(_VERSION)
    if data[:size] != _VERSION or len(data) < size + 16:
        return {}
    body = data[size + 16:]
    if hashlib.blake2b(body, digest_size=16).digest() != data[size:size + 16]:
        return {}
    try:
        record = marshal.loads(body)
    except (ValueError, EOFError, TypeError):
        return {}
    return record if isinstance(record, dict) else {}


def save(cache: Path, found: Walk, known: dict[str, tuple]) -> None:
    """Write the record of this walk when it listed a folder it can trust next time
    (nothing is written while every listing came from the record, or only racy folders
    were listed)."""
    if found.record == known:
        return
    fresh = [value for folder, value in found.record.items() if known.get(folder) != value]
    if fresh and all(max(key[0], key[1]) >= listed - RACY_NS
                     for key, listed, _, _ in fresh) and found.record.keys() == known.keys():
        return  # racy folders only: listed again next time anyway
    body = marshal.dumps(found.record)
    data = _VERSION + hashlib.blake2b(body, digest_size=16).digest() + body
    temporary = cache / f"{RECORD}.{os.getpid()}.tmp"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, cache / RECORD)
    except OSError:
        temporary.unlink(missing_ok=True)
