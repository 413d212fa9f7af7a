"""`dateline deploy`: publish a built site folder to a web root atomically.

    DIR/releases/20260115-120000-123456/   one folder per deploy, never changed after
    DIR/current -> releases/…              the live site, for the web server's root
    DIR/.dateline-deploy                   the record: what went live, what was rolled back

A release is written as `releases/.NAME.partial` and renamed when complete; then one
rename of a fresh symlink onto `current` makes it live, so a reader sees the old site or
the new one, never a mixture; then the record says it went live. A file whose bytes
equal the live release's is hard-linked, not copied. Anything going wrong before the
record is written puts back what was live and removes the new release. A deploy killed
outright leaves leftovers (a hidden half release, a `.current-*` symlink, a release never
made live): the next deploy or rollback removes them and settles the record with what
`current` shows (see releases.settle). One deploy or rollback at a time: each holds a
lock on DIR.

`rollback` makes the release that was live before the live one live again and marks the
one it left as rolled back, never to be a rollback target again. Pruning keeps `keep`
releases (always the live one), deleting rolled-back ones first, then the oldest.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import os
import shutil
import signal
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..build import releases as history
from ..build.write import MARKER, read_build_id, read_unpublished
from ..errors import DatelineError, Problem, SourceRef, UsageError

RELEASES = "releases"
CURRENT = "current"
_PARTIAL = ".partial"
_PRUNING = ".pruning"
_DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EIO}

STOP_AT = "DATELINE_DEPLOY_STOP_AT"
"""Fault injection for the crash tests: with this set to one of the steps below, the
process stops itself (SIGSTOP) on reaching it, for the test to look and then kill it."""
DEPLOY_STEPS = ("settled", "filling", "filled", "renamed", "linked", "switched",
                "recorded", "pruning", "pruned")
ROLLBACK_STEPS = ("settled", "linked", "switched", "recorded")


@dataclass(frozen=True, slots=True)
class DeployResult:
    release: Path
    """The release now live."""
    copied: int
    """Files copied because they are new or their bytes changed."""
    linked: int
    """Files hard-linked to the previous live release's identical ones."""
    removed: tuple[str, ...] = ()
    """Old releases deleted to keep `keep`."""


@dataclass(frozen=True, slots=True)
class Listed:
    release: history.Release
    live: bool


def deploy(site: Path, web_root: Path, keep: int = 5, *, allow_unpublished: bool = False,
           protected: Sequence[tuple[str, Path]] = ()) -> DeployResult:
    """Copy `site` into a new release under `web_root`, make it live, prune old ones.
    `protected`: (what, folder) pairs the web root must not lie in, besides `site`."""
    site = site.resolve()
    _check_site(site, allow_unpublished)
    if keep < 1:
        raise UsageError(Problem(SourceRef("--keep", 0), "--keep must be 1 or more"))
    check_target(web_root, [*protected, ("the built site", site)])
    _check_web_root(web_root)
    files = _files_to_publish(site)
    with _reported(web_root), _locked(web_root):
        record, live = _settled(web_root)
        release, copied, linked, record = _publish(web_root, record, live, files,
                                                   read_build_id(site))
        return DeployResult(release, copied, linked, _prune(web_root, record, keep))


def rollback(web_root: Path) -> Path:
    """Make the release that was live before the live one live again; returns it."""
    if not (web_root / CURRENT).is_symlink():
        raise DatelineError(Problem(SourceRef(str(web_root), 0), "nothing is deployed here "
                            f"(no {CURRENT} symlink); deploy with --to first"))
    with _reported(web_root, "roll back"), _locked(web_root):
        record, live = _settled(web_root)
        if live is None:
            raise DatelineError(Problem(SourceRef(str(web_root), 0), "nothing is deployed "
                                f"here ({CURRENT} leads to no release); deploy again"))
        target = history.rollback_target(record, live.name)
        if target is None:
            raise DatelineError(Problem(SourceRef(str(live), 0), "no release that was live "
                                "before this one is kept; there is nothing earlier to roll "
                                "back to"))
        release = live.parent / target.name
        try:
            switch(web_root, release)
            _reached("switched")
            history.save(web_root, history.rolled_back(record, live.name))
            _reached("recorded")
        except BaseException:
            _put_back(web_root, live)
            raise
        return release


def list_history(web_root: Path) -> list[Listed]:
    """Every kept release, newest first, as the next deploy would settle the record
    (this writes nothing)."""
    _check_web_root(web_root)
    _, record = _records(web_root)
    live = _live_name(web_root)
    return [Listed(r, r.name == live) for r in reversed(record.releases)]


def list_releases(web_root: Path) -> list[Path]:
    """The complete release folders, oldest first."""
    folder = web_root / RELEASES
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir()
                   if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")),
                  key=lambda p: p.name)


def live_release(web_root: Path) -> Path | None:
    current = web_root / CURRENT
    if not current.is_symlink():
        return None
    target = (web_root / os.readlink(current)).resolve()
    return target if target.is_dir() else None


def switch(web_root: Path, release: Path) -> None:
    """Point `current` at `release` with one atomic rename of a new symlink."""
    temporary = web_root / f".{CURRENT}-{uuid.uuid4().hex}"
    # Relative, so the web root can be moved or mounted elsewhere.
    os.symlink(os.path.relpath(release, web_root), temporary)
    try:
        _reached("linked")
        os.replace(temporary, web_root / CURRENT)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def check_target(web_root: Path, protected: Sequence[tuple[str, Path]]) -> None:
    """Refuse a web root inside a folder that a build replaces or that holds the site's
    sources: the next `build --clean` would delete the live site with it."""
    target = web_root.resolve()
    for what, folder in protected:
        folder = folder.resolve()
        if target.is_relative_to(folder):
            raise UsageError(Problem(SourceRef(str(web_root), 0), f"refusing to deploy here: "
                             f"it is inside {what} ({folder}), and a build or a clean-up "
                             "there would delete the live site with it; choose a folder of "
                             "its own, such as /var/www/news"))
    built = next((p for p in (target, *target.parents) if (p / MARKER).is_file()), None)
    if built is not None:
        raise UsageError(Problem(SourceRef(str(web_root), 0), "refusing to deploy here: it "
                         f"is inside {built}, a folder Dateline builds into (it has a "
                         f"{MARKER} file); choose a folder of its own"))


def _check_site(site: Path, allow_unpublished: bool) -> None:
    if not (site / MARKER).is_file():
        raise UsageError(Problem(SourceRef(str(site), 0), "not a site folder Dateline built "
                         "(no .dateline-output file); build it first, or name it with --out"))
    held = read_unpublished(site)
    if held and not allow_unpublished:
        flags = " and ".join(f"--{kind}" for kind in held)
        what = " and ".join({"drafts": "drafts", "future": "articles dated in the future"}
                            .get(kind, kind) for kind in held)
        raise DatelineError(Problem(SourceRef(str(site), 0), f"was built with {flags}, so "
                            f"it holds {what}, not for readers yet; rebuild it without "
                            f"{flags}, or deploy it anyway with --allow-unpublished"))


def _check_web_root(web_root: Path) -> None:
    current = web_root / CURRENT
    if web_root.exists() and not web_root.is_dir():
        raise UsageError(Problem(SourceRef(str(web_root), 0), "--to must name a folder"))
    if current.exists() and not current.is_symlink():
        raise UsageError(Problem(SourceRef(str(current), 0), "exists and is not a symlink; "
                         "deploy manages DIR/current itself: move it away first"))


@contextlib.contextmanager
def _locked(web_root: Path) -> Iterator[None]:
    """Hold DIR's lock: a second deploy would otherwise take the first one's half-made
    release for a leftover and delete it."""
    web_root.mkdir(parents=True, exist_ok=True)
    handle = os.open(web_root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatelineError(Problem(SourceRef(str(web_root), 0), "another deploy or "
                                "rollback is running here; run this again when it has "
                                "finished")) from None
        yield
    finally:
        os.close(handle)  # releases the lock


@contextlib.contextmanager
def _reported(web_root: Path, verb: str = "deploy") -> Iterator[None]:
    """An operating system failure (a full disk, a read-only file system) as one line
    naming the folder and the reason, and what is live now."""
    try:
        yield
    except OSError as exc:
        # Writing fails for the web root's disk (shutil names the source file even then);
        # other failures, such as an unreadable file of the site, name their file.
        where = exc.filename if exc.errno not in _DISK_ERRNOS and isinstance(
            exc.filename, str) and os.path.isabs(exc.filename) else web_root
        live = live_release(web_root)
        now = (f"releases/{live.name} is live, as before" if live is not None
               else "nothing is live")
        raise DatelineError(Problem(SourceRef(str(where), 0), f"cannot {verb}: "
                            f"{exc.strerror or exc}; nothing was changed ({now})")) from exc


def _settled(web_root: Path) -> tuple[history.Record, Path | None]:
    """The record, in line with `current`, and the live release, after removing what
    killed deploys left (safe: this deploy holds the lock, so none is running)."""
    folder = web_root / RELEASES
    folder.mkdir(exist_ok=True)
    live = live_release(web_root)
    loaded, record = _records(web_root)
    kept = {r.name for r in record.releases}
    for entry in folder.iterdir():
        if entry.name.startswith(".") or entry.name not in kept:
            _remove(entry)
    for entry in web_root.iterdir():
        if entry.name.startswith(f".{CURRENT}-") or (
                entry.name.startswith(f"{history.RECORD}.") and entry.name.endswith(".tmp")):
            _remove(entry)
    if record != loaded or not (web_root / history.RECORD).is_file():
        history.save(web_root, record)
    _reached("settled")
    return record, live


def _records(web_root: Path) -> tuple[history.Record, history.Record]:
    """The record as stored (made from the folders' names when there is none), and as
    settled with what `current` and the release folders show."""
    live = _live_name(web_root)
    on_disk = [p.name for p in list_releases(web_root)]

    def build_id_of(name: str) -> str | None:
        return read_build_id(web_root / RELEASES / name)

    loaded = history.load(web_root, on_disk, live, build_id_of)
    return loaded, history.settle(loaded, on_disk, live, build_id_of)


def _live_name(web_root: Path) -> str | None:
    live = live_release(web_root)
    if live is None or live.parent != (web_root / RELEASES).resolve():
        return None
    return live.name


def _publish(web_root: Path, record: history.Record, live: Path | None,
             files: list[tuple[str, Path]], build_id: str | None,
             ) -> tuple[Path, int, int, history.Record]:
    folder = web_root / RELEASES
    name = base = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-%f")  # sorts by time
    while (folder / name).exists():
        name = f"{base}-{int(name.rpartition('-')[2]) + 1 if name != base else 1}"
    partial = folder / f".{name}{_PARTIAL}"
    release = folder / name
    try:
        copied, linked = _fill(partial, files, live)
        os.chmod(partial, 0o755)
        _reached("filled")
        os.rename(partial, release)
        _reached("renamed")
        switch(web_root, release)
        _reached("switched")
        record = history.went_live(record, name, build_id)
        history.save(web_root, record)
        _reached("recorded")
    except BaseException:
        _put_back(web_root, live)
        shutil.rmtree(partial, ignore_errors=True)
        if live_release(web_root) != release.resolve():
            shutil.rmtree(release, ignore_errors=True)
        raise
    return release, copied, linked, record


def _put_back(web_root: Path, live: Path | None) -> None:
    """After a failure past the switch: make the release that was live live again."""
    with contextlib.suppress(OSError):
        if live_release(web_root) == live:
            return
        if live is None:
            (web_root / CURRENT).unlink()
        else:
            switch(web_root, live)


def _prune(web_root: Path, record: history.Record, keep: int) -> tuple[str, ...]:
    """Delete releases beyond `keep`: each is first renamed to a hidden name, so that a
    kill half-way through deleting it leaves no half release among the listed ones."""
    folder = web_root / RELEASES
    doomed = history.doomed(record, _live_name(web_root), keep)
    for name in doomed:
        os.rename(folder / name, folder / f".{name}{_PRUNING}")
    _reached("pruning")
    for name in doomed:
        shutil.rmtree(folder / f".{name}{_PRUNING}", ignore_errors=True)
    if doomed:
        # Should this fail (a disk still full), the next deploy settles the record: it
        # drops releases whose folder is gone.
        with contextlib.suppress(OSError):
            history.save(web_root, history.without(record, doomed))
    _reached("pruned")
    return tuple(doomed)


def _reached(step: str) -> None:
    if os.environ.get(STOP_AT) == step:
        os.kill(os.getpid(), signal.SIGSTOP)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _files_to_publish(site: Path) -> list[tuple[str, Path]]:
    """(relative path, file to read) of every file of the site. A symlink is published as
    the file it points to, and only when that lies inside the site folder."""
    files: list[tuple[str, Path]] = []
    outside: list[Problem] = []
    for folder, dirs, names in os.walk(site):
        for name in [*names, *(d for d in dirs if Path(folder, d).is_symlink())]:
            path = Path(folder, name)
            relative = path.relative_to(site).as_posix()
            real = path.resolve()
            if not real.is_relative_to(site):
                outside.append(Problem(SourceRef(str(path), 0), "is a symlink to "
                               f"{real}, outside the site folder; deploy never follows it"))
            elif not real.exists():
                outside.append(Problem(SourceRef(str(path), 0), "is a broken symlink"))
            elif real.is_dir():
                files.extend((f"{relative}/{sub}", real / sub)
                             for sub, _ in _files_under(real))
            else:
                files.append((relative, real))
    if outside:
        raise DatelineError(outside)
    return sorted(files)


def _files_under(folder: Path):
    for sub_folder, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(sub_folder, name)
            if not path.is_symlink():
                yield path.relative_to(folder).as_posix(), path


def _fill(release: Path, files: list[tuple[str, Path]], live: Path | None) -> tuple[int, int]:
    release.mkdir()
    linked = 0
    for count, (relative, source) in enumerate(files, 1):
        target = release / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        previous = live / relative if live is not None else None
        if previous is not None and _same_bytes(source, previous) and _linked(previous, target):
            linked += 1
        else:
            _copy_file(source, target)
        if count == 1:
            _reached("filling")  # a half-made release
    return len(files) - linked, linked


def _linked(previous: Path, target: Path) -> bool:
    try:
        os.link(previous, target)
        return True
    except OSError:  # a file system without hard links: copy instead
        return False


def _copy_file(source: Path, target: Path) -> None:
    shutil.copy2(source, target)


def _same_bytes(a: Path, b: Path) -> bool:
    if b.is_symlink() or not b.is_file() or a.stat().st_size != b.stat().st_size:
        return False
    return _digest(a) == _digest(b)


def _digest(path: Path) -> bytes:
    hasher = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            hasher.update(chunk)
    return hasher.digest()
