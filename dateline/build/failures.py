"""What a command says when something other than the site's files fails: the disk
(full, read-only, not ours to write) in one line naming the folder, and a bug of
Dateline's in one line pointing at a log of the traceback. Never a traceback on screen
unless `--debug` asks for it.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import sys
from pathlib import Path

from .. import __version__
from ..errors import display_path

INTERNAL_ERROR = 70
"""The exit status of an internal error (EX_SOFTWARE in sysexits.h)."""

DISK_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM,
                         errno.EFBIG, errno.EIO, errno.ENAMETOOLONG})
"""Failures of the storage, not of Dateline: said in one line, exit status 1."""

# A build's staging folder (`write`, `staging`): name the folder the user knows instead.
_STAGING = re.compile(r"^\.[^/]+-(?:new|changes)-[^/]+$")


def disk_message(exc: OSError, root: Path) -> str | None:
    """`folder: cannot write: reason` for a storage failure, else None."""
    if exc.errno not in DISK_ERRORS:
        return None
    reason = exc.strerror or os.strerror(exc.errno)
    if not exc.filename:
        return f"error: cannot write: {reason}"
    path = Path(os.fsdecode(exc.filename)).absolute()
    parts = path.parts
    for index, part in enumerate(parts):
        if _STAGING.match(part):
            path = Path(*parts[:index])
            break
    else:
        if not path.is_dir():
            path = path.parent
    shown = display_path(path, root) if path != root else "."
    return f"{shown}/: cannot write: {reason}"


def internal_error(exc: BaseException, argv: list[str], cache_dir: Path | None,
                   debug: bool) -> str:
    """The one line for a bug of Dateline's; the traceback goes to a log file in the
    cache folder (or the system's temporary folder), and to stderr with `--debug`."""
    import traceback  # only on this path: imports every command would pay for

    text = "".join(traceback.format_exception(exc))
    if debug:
        sys.stderr.write(text)
    log = _write_log(text, argv, cache_dir)
    where = f" (details: {_shown(log)})" if log else ""
    reason = str(exc).splitlines()[0] if str(exc) else ""
    reason = f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__
    return (f"internal error: {reason} — please report it, with the command{where}")


def _write_log(text: str, argv: list[str], cache_dir: Path | None) -> Path | None:
    import platform
    import tempfile

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    name = f"crash-{stamp}-{os.getpid()}.log"
    header = (f"command: dateline {' '.join(argv)}\n"
              f"dateline {__version__}, Python {platform.python_version()}, "
              f"{platform.platform()}\n\n")
    for folder in (cache_dir, Path(tempfile.gettempdir())):
        if folder is None:
            continue
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(header + text, encoding="utf-8")
            return folder / name
        except OSError:
            continue  # a read-only or full cache folder: try the next place
    return None


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
