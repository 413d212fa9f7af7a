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
import time
from array import array
from collections.abc import Callable
from operator import attrgetter
from pathlib import Path

from .digests import hasher
from .inputs import Confinement, _folder_stat, _linked
from .noise import is_editor_noise
from .walkstats import FIELDS, Listed, WalkStats, join_path, joined, split_names

RECORD = "listings.bin"
"""The folders' stats and listings, in the build cache's folder."""
_VERSION = b"dateline-listings-1\n"
RACY_NS = 2_000_000_000
"""Racy-git rule (`incremental.state.RACY_NS`, the same value): a folder modified this
close to the moment its listing was read cannot vouch for that listing."""
SPLIT_FROM = 20_000
"""Files from which the stat calls are spread over two processes."""
_DIGEST = ""
"""The record's entry (never a folder's) of the last walk's paths' digest: (what the
walk's paths were made of, `_shape`; their digest)."""
_CHUNK = 1024
"""Names stat'ed at once: their stat objects (~500 bytes each) are made into arrays
before the next are made, so that their memory is used again (held at once, the
300,000 of a walk cost ~38,000 page faults, ~0.1 CPU s, and ~90 MB)."""

_NAME = attrgetter("name")
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
        """Folder → (stat key, time its listing was read, files, subfolders); and
        `_DIGEST` → the paths' digest of the walk."""
        self.listed = 0
        """Folders whose listing was read (not trusted from the record)."""
        self.fresh = 0
        """Folders whose files are stat'ed by name from a listing read now."""

    def files(self) -> int:
        return sum(part.count if isinstance(part, Listed) else len(part)
                   for part in self.parts)


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
    return _stats_of(found, known.get(_DIGEST)), found


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
        files, folders = Listed(folder, last[2]), split_names(last[3])
        found.record[folder] = last
    else:
        listed_ns = time.time_ns()
        listing = _listing(folder, ancestors, rules, found)
        if listing is None:
            return
        files, folders = listing
        if not isinstance(files, dict):
            files = Listed(folder, joined(files), files)
            found.fresh += 1
            if key is not None:
                found.record[folder] = (key, listed_ns, files.blob, joined(folders))
        found.listed += 1
    if isinstance(files, dict):
        found.parts.append(files)
        subfolders = folders
    else:
        if files.count:
            found.parts.append(files)
        subfolders = [(join_path(folder, name), os.path.join(ancestors[-1], name))
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
        for column, field in zip(columns, FIELDS, strict=True):
            column.extend(map(field, kept))


def _stat_all(work: list[Listed], total: int, meanwhile: Callable[[], None] | None
              ) -> list:
    """`_stat_span` of every listed name: from `SPLIT_FROM` names, the second half in a
    forked process, while this one stats the first half and then calls `meanwhile`
    (given more of the names when there is nothing to do meanwhile)."""
    busy, meanwhile = meanwhile is not None, meanwhile or _nothing
    if total < SPLIT_FROM or not hasattr(os, "fork"):
        meanwhile()
        return _stat_span(work, 0, total)
    # The forked process pays more per name (its copied pages, sending the arrays):
    # this one takes 54% of them, 52% when it makes the paths' digest meanwhile
    # (measured at 300,000 files: each process's CPU time about the same).
    middle = total * (26 if busy else 27) // 50
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


def _nothing() -> None:
    pass


def _names_digest(parts: list) -> str:
    """A digest of every input's path in walking order: "\\0".join(paths), as `state`
    hashed `inputs.walk`'s, made from each folder's names' byte string in C (the
    folder's prefix put before each name)."""
    digest, started = hasher(), False
    for part in parts:
        if isinstance(part, dict):
            if part:
                digest.update(b"\0" * started + joined(list(part)))
                started = True
        elif part.count:
            prefix = join_path(part.folder, "").encode("utf-8", "surrogateescape")
            digest.update(b"\0" * started + prefix)
            digest.update(part.blob.replace(b"\0", b"\0" + prefix))
            started = True
    return digest.hexdigest()


def _stats_of(found: Walk, last: tuple | None) -> WalkStats:
    """The stats of every input the walk found, as the build reads them; `last`, the
    record's entry of the last walk's paths' digest."""
    work = [part for part in found.parts if isinstance(part, Listed)]
    # The paths' digest: the last walk's when every folder's names are the record's and
    # the walk is made of the same parts (a build with nothing to do: ~20 ms at
    # 300,000 files); else made while the forked process stats its half (a name gone
    # since its folder was listed is rare: made again).
    shape = _shape(found)
    digests = [last[1]] if shape is not None and found.fresh == 0 and last is not None \
        and last[0] == shape else []
    stated = _stat_all(work, sum(part.count for part in work), None if digests else
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
            for column, field in zip(columns, FIELDS, strict=True):
                column.append(array("q" if field is FIELDS[0] else "Q",
                                    map(field, values)).tobytes())
            newest = max(newest, max(map(FIELDS[0], values), default=0))
            continue
        spans = sorted(by_part.get(place, ()), key=lambda span: span[0])
        place += 1
        gone = {i for _, missing, _ in spans for i in missing}
        if gone:
            names = [name for i, name in enumerate(part.names()) if i not in gone]
            part = Listed(part.folder, joined(names), names)
            digests.clear()
            shape = None
        for _, _, fields in spans:
            for column, field in zip(columns, fields, strict=True):
                column.append(field)
        parts.append(part)
    names = digests[0] if digests else _names_digest(parts)
    if shape is not None:
        found.record[_DIGEST] = (shape, names)
    return WalkStats(parts, columns, names, newest)


def _shape(found: Walk) -> tuple | None:
    """What the walk's paths are made of, in order: each listed folder's path and its
    record entry's stat key and time (which name the names the record holds), and the
    paths of the entries stat'ed already; None when a listed folder has no record
    entry (its stat could not be read)."""
    shape = []
    for part in found.parts:
        if isinstance(part, dict):
            shape.append(tuple(part))
        elif (entry := found.record.get(part.folder)) is not None:
            shape.append((part.folder, entry[0], entry[1]))
        else:
            return None
    return tuple(shape)


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
    body = memoryview(data)[size + 16:]  # not a copy of the 4 MB
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
    fresh = [value for folder, value in found.record.items()
             if folder != _DIGEST and known.get(folder) != value]
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
