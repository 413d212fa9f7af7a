"""The record of a web root's releases: which went live, in what order, and which were
rolled back from. `deploy` keeps it in `DIR/.dateline-deploy`, replaced whole on every
change; the file also marks DIR as a deploy target, which `build` never writes over.

The `current` symlink says what is live; the record says what was live before. The two
can disagree only after a deploy or rollback was killed between switching `current` and
writing the record, and `settle` brings the record in line with `current`: a release
that is live but unrecorded went live; recorded ones above the live one were rolled back.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from pathlib import Path

import msgspec

from ..atomic import replacing
from ..errors import DatelineError, Problem, SourceRef

RECORD = ".dateline-deploy"
"""The record's file name in the web root, and the mark of a deploy target."""

_FORMAT = 1


class Release(msgspec.Struct, frozen=True):
    name: str
    """The folder's name under releases/ (its UTC creation time, which sorts by time)."""
    deployed: str
    """When it went live: an ISO 8601 UTC time."""
    build_id: str | None = None
    """The id of the build it is a copy of (`build-id:` of its .dateline-output)."""
    rolled_back: str | None = None
    """When a rollback left it (ISO 8601 UTC); such a release is never live again."""


class Record(msgspec.Struct, frozen=True):
    releases: tuple[Release, ...] = ()
    """Every kept release in the order they went live."""
    format: int = _FORMAT


def load(web_root: Path, on_disk: Iterable[str], live: str | None,
         build_id_of: Callable[[str], str | None]) -> Record:
    """The record of `web_root`; for a web root deployed to before there was a record,
    one made from the folder names (then, only a rollback put releases after the live
    one)."""
    try:
        data = (web_root / RECORD).read_bytes()
    except FileNotFoundError:
        names = sorted(on_disk)
        return Record(tuple(
            Release(n, time_of(n), build_id_of(n),
                    rolled_back="unknown" if live and n > live else None)
            for n in names))
    try:
        record = msgspec.json.decode(data, type=Record)
    except msgspec.DecodeError:
        record = None
    if record is None or record.format != _FORMAT:
        raise DatelineError(Problem(SourceRef(str(web_root / RECORD), 0), "is damaged or "
                            "from a newer Dateline; move it away and run the command again "
                            "(the record is made afresh from the release folders)"))
    return record


def save(web_root: Path, record: Record) -> None:
    """Replace the record whole; flushed to disk before the rename, so a crash or a
    power cut leaves the old record or the new one."""
    with replacing(web_root / RECORD) as handle:
        handle.write(msgspec.json.format(msgspec.json.encode(record)) + b"\n")
        handle.flush()
        os.fsync(handle.fileno())


def settle(record: Record, on_disk: Iterable[str], live: str | None,
           build_id_of: Callable[[str], str | None]) -> Record:
    """`record` as `current` and the release folders show it: releases whose folder is
    gone dropped; a live release it does not hold added; the ones recorded after the
    live one marked rolled back (only a rollback that was cut short leaves such)."""
    present = set(on_disk)
    releases = [r for r in record.releases if r.name in present]
    if live is None:
        return Record(tuple(releases))
    if live not in {r.name for r in releases}:
        releases.append(Release(live, time_of(live), build_id_of(live)))
    at = next(i for i, r in enumerate(releases) if r.name == live)
    now = _now()
    releases[at] = msgspec.structs.replace(releases[at], rolled_back=None)
    releases[at + 1:] = [r if r.rolled_back else msgspec.structs.replace(r, rolled_back=now)
                         for r in releases[at + 1:]]
    return Record(tuple(releases))


def went_live(record: Record, name: str, build_id: str | None) -> Record:
    return Record((*record.releases, Release(name, _now(), build_id)))


def rollback_target(record: Record, live: str) -> Release | None:
    """The release that was live before `live`: the newest earlier one not rolled back."""
    names = [r.name for r in record.releases]
    if live not in names:
        return None
    earlier = record.releases[:names.index(live)]
    return next((r for r in reversed(earlier) if r.rolled_back is None), None)


def rolled_back(record: Record, name: str) -> Record:
    now = _now()
    return Record(tuple(msgspec.structs.replace(r, rolled_back=now) if r.name == name else r
                        for r in record.releases))


def doomed(record: Record, live: str | None, keep: int) -> list[str]:
    """The releases to delete so that `keep` remain: never the live one; the rolled-back
    ones first, then the oldest."""
    others = [r for r in record.releases if r.name != live]
    excess = len(record.releases) - keep
    if excess <= 0:
        return []
    order = [r for r in others if r.rolled_back] + [r for r in others if not r.rolled_back]
    return [r.name for r in order[:excess]]


def without(record: Record, names: Iterable[str]) -> Record:
    gone = set(names)
    return Record(tuple(r for r in record.releases if r.name not in gone))


def find_target(folder: Path, depth: int = 2) -> Path | None:
    """A deploy target at or around `folder`: `folder` itself or a folder it lies in, or
    one below it at most `depth` levels down. (Deeper ones are not looked for: that
    would cost every build a walk of the whole output, ~50 ms at 3,000 pages, and
    `deploy` itself refuses a target inside a built site.)"""
    for candidate in (folder, *folder.parents):
        if (candidate / RECORD).is_file():
            return candidate
    level = [folder]
    for _ in range(depth):
        below = []
        for parent in level:
            try:
                entries = list(os.scandir(parent))
            except OSError:
                continue
            below.extend(Path(e.path) for e in entries if e.is_dir(follow_symlinks=False))
        for candidate in below:
            if (candidate / RECORD).is_file():
                return candidate
        level = below
    return None


def time_of(name: str) -> str:
    """The ISO time a release folder's name holds (its creation time)."""
    try:
        moment = dt.datetime.strptime(name[:22], "%Y%m%d-%H%M%S-%f")
    except ValueError:
        return ""
    return moment.replace(tzinfo=dt.UTC).isoformat(timespec="seconds")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
