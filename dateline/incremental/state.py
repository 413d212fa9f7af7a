"""The no-change shortcut: when no input file, setting or option changed since the last
build into an output folder, and the clock has not crossed a moment that changes the
site (`build.schedule.next_change`: an embargo lifting, an expiry, a breaking banner's
end, a story leaving the news sitemap's window), that output is already right and the
build can stop after a few hundred `stat` calls.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import msgspec

from .. import __version__, listings
from ..atomic import replacing
from ..digests import hasher
from ..errors import Problem, SourceRef
from ..inputs import Confinement
from .cachedamage import reason
from .inputstats import InputStats

STATE_FILE = "state.json"
RACY_NS = listings.RACY_NS
"""Racy-git rule, for every stat compared with one taken earlier (this shortcut, the
build cache, the saved model): a file modified this close to the moment the earlier stat
was recorded may have changed again within the same timestamp tick, so its stat cannot
vouch for its content."""


def inputs_key(folders: list[Path], files: list[Path], settings: str,
               confined: tuple[Path, Confinement] | None = None,
               cache: Path | None = None
               ) -> tuple[str, int, listings.WalkStats]:
    """A digest of every input file's name and stat, and of the settings; the newest
    modification time among them; and the stats by path, in walking order (folders in
    name order, each one's files before its subfolders), for the build to reuse (as
    arrays, `input_stats`, what the saved head compares with its own).
    `confined`: the folder whose symbolic links must stay inside the site, and how.
    Entries that are not regular files (`inputs.walk`) count too, by their own stat:
    the build names them, and the last build's words about them stand while they do.
    `cache`: the build cache's folder, where the walk keeps the folders' listings
    (`listings`: an unchanged folder is not listed again)."""
    # Hidden folders and editors' swap and backup files are no build's input (the
    # preview server's watcher ignores them too). No path string nor stat object is
    # made per file here: the stats are arrays (`listings.WalkStats`).
    known = listings.load(cache) if cache is not None else {}
    stats, found = listings.walk(
        [(str(folder), confined[1] if confined is not None and folder == confined[0]
          else None) for folder in folders], known, [str(path) for path in files])
    if cache is not None:
        listings.save(cache, found, known)
    hashed = hasher()
    hashed.update(f"{__version__}\0{settings}\n{stats.names}\n".encode(
        "utf-8", "surrogateescape"))
    # The arrays' bytes as `input_stats` joins them, hashed piece by piece: a build
    # with nothing to do joins none (~10 ms at 300,000 inputs).
    for piece in stats.pieces():
        hashed.update(piece)
    return hashed.hexdigest(), stats.newest, stats


def input_stats(stats: listings.WalkStats) -> InputStats:
    """The walk's stats as the arrays the saved head keeps and compares."""
    return InputStats(stats.names, *stats.arrays)


class _Record(msgspec.Struct):
    """What `is_current` and the build's summary read from a record: any other shape
    means the file is damaged or written by another version."""

    key: str
    build_id: str
    written_ns: int
    valid_until: str
    pages: int
    files: int
    held_back: list[tuple[str, int, str]]
    warnings: list[tuple[str, int, str]]
    fallbacks: dict[str, int]
    label_fallbacks: dict[str, int] = {}


def load(cache_dir: Path, output: Path) -> tuple[dict | None, str | None]:
    """The last build's record for `output` (None: there is none, or it cannot be read),
    and why the file could not be read when it could not."""
    path = cache_dir / STATE_FILE
    try:
        states = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError, RecursionError) as exc:
        return None, f"{STATE_FILE}: {reason(exc)}"
    record = states.get(str(output)) if isinstance(states, dict) else states
    if record is None:
        return None, None
    try:
        msgspec.convert(record, _Record)
    except msgspec.ValidationError as exc:
        return None, f"{STATE_FILE}: {reason(exc)}"
    return record, None


def is_current(state: dict | None, key: str, newest_ns: int, now: dt.datetime,
               build_id: str | None) -> bool:
    if not state or state.get("key") != key or state.get("build_id") != build_id:
        return False
    if newest_ns >= state.get("written_ns", 0) - RACY_NS:
        return False
    try:
        return now < dt.datetime.fromisoformat(state["valid_until"])
    except (KeyError, ValueError):
        return False


def save(cache_dir: Path, output: Path, state: dict) -> None:
    path = cache_dir / STATE_FILE
    try:
        states = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(states, dict):
            states = {}
    except (OSError, ValueError):
        states = {}
    states[str(output)] = {**state, "written_ns": time.time_ns()}
    cache_dir.mkdir(parents=True, exist_ok=True)
    with replacing(path) as handle:
        handle.write(json.dumps(states, ensure_ascii=False).encode("utf-8"))


def problems_to_json(problems: list[Problem]) -> list:
    return [[p.where.path, p.where.line, p.message] for p in problems]


def problems_from_json(data: list) -> list[Problem]:
    return [Problem(SourceRef(path, line), message) for path, line, message in data]
