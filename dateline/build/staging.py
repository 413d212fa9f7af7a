"""Folders a build writes beside the output folder before it commits (`.site-new-*`,
`.site-changes-*`), and how a later command tells those of a dead build from those of a
build still running.

A staging folder holds a marker naming its owner (process id and start time) and the
files in `tree/`. Keeping the files one level down lets a full build swap `tree/` with
the output folder in one step (`exchange`) while the marker stays put: whatever moment a
build is killed at, what it leaves is recognisable as Dateline's and as abandoned.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

from . import faults

MARKER = ".dateline-staging"
"""In every staging folder: `pid: N` and `started: T` of the build that made it."""

TREE = "tree"
KINDS = ("new", "changes")


def make(output: Path, kind: str) -> Path:
    """A new staging folder of `kind` beside `output`, marked as this process's."""
    import shutil  # a build that writes nothing (nothing changed) stages nothing
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix=f".{output.name}-{kind}-", dir=output.parent))
    pid = os.getpid()
    try:
        with named(folder / MARKER):
            (folder / MARKER).write_text(f"pid: {pid}\nstarted: {_started(pid)}\n",
                                         encoding="utf-8")
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)  # unmarked, no later build would
        raise
    return folder


@contextlib.contextmanager
def named(path: Path) -> Iterator[None]:
    """Name `path` in an OSError raised without a file name (a write or close that
    finds the disk full), so that the message can say where."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None and exc.errno is not None:
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise


def abandoned(output: Path) -> list[Path]:
    """The staging folders of `output` whose build is no longer running, oldest first.
    Folders without Dateline's marker are never listed, whatever their name."""
    prefixes = tuple(f".{output.name}-{kind}-" for kind in KINDS)
    try:
        entries = list(os.scandir(output.parent))
    except OSError:
        return []
    found = []
    for entry in entries:
        if entry.name.startswith(prefixes) and entry.is_dir(follow_symlinks=False):
            owner = _owner(Path(entry.path))
            try:
                if owner is not None and not _is_running(*owner):
                    found.append((entry.stat().st_mtime_ns, Path(entry.path)))
            except FileNotFoundError:
                continue  # another command cleaned it up just now
    return [path for _time, path in sorted(found)]


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux `renameat2` with RENAME_EXCHANGE): a reader
    sees one or the other at each name, never neither. False where the system or file
    system cannot (then nothing was changed)."""
    if not hasattr(os, "sched_getaffinity"):  # not Linux
        return False
    if faults.point("exchange"):  # a test of the fallback
        return False
    import ctypes  # only here: the other commands never need it

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:  # a C library older than glibc 2.28
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second),
                 rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _owner(folder: Path) -> tuple[int, str] | None:
    try:
        text = (folder / MARKER).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    fields = dict(line.partition(": ")[::2] for line in text.splitlines())
    try:
        return int(fields["pid"]), fields.get("started", "")
    except (KeyError, ValueError):
        return None


def _is_running(pid: int, started: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: alive
    # A process id is reused after its owner dies; the start time tells them apart.
    now = _started(pid)
    return not (started and now and now != started)


def _started(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), or "" elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""
    # The command name (field 2) may hold spaces and parentheses: count from its end.
    fields = stat[stat.rfind(")") + 2:].split()
    return fields[19] if len(fields) > 19 else ""
