"""`dateline deploy`: publish a built site folder to a web root atomically.

    DIR/releases/20260115-120000-123456/   one folder per deploy, never changed after
    DIR/current -> releases/…              the live site, for the web server's root

A release is written as `releases/.NAME.partial` and renamed when complete; then one
rename of a fresh symlink onto `current` makes it live, so a reader sees the old site or
the new one, never a mixture. A file whose bytes equal the live release's is hard-linked,
not copied. Anything going wrong before the switch removes the half-made release and
leaves the live site as it was. The newest `keep` releases (and the live one) are kept;
`rollback` switches `current` to the release before the live one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from .errors import DatelineError, Problem, SourceRef, UsageError
from .write import MARKER

RELEASES = "releases"
CURRENT = "current"
_PARTIAL = ".partial"


@dataclass(frozen=True, slots=True)
class DeployResult:
    release: Path
    """The release now live."""
    copied: int
    """Files copied because they are new or their bytes changed."""
    linked: int
    """Files hard-linked to the previous live release's identical ones."""
    removed: tuple[str, ...] = ()
    """Old releases deleted to keep the newest `keep`."""


def deploy(site: Path, web_root: Path, keep: int = 5) -> DeployResult:
    """Copy `site` into a new release under `web_root`, make it live, prune old ones."""
    site = site.resolve()
    if not (site / MARKER).is_file():
        raise UsageError(Problem(SourceRef(str(site), 1), "not a site folder Dateline built "
                         "(no .dateline-output file); build it first, or name it with --out"))
    if keep < 1:
        raise UsageError(Problem(SourceRef("--keep", 1), "--keep must be 1 or more"))
    _check_web_root(web_root)
    files = _files_to_publish(site)
    live = live_release(web_root)
    name = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-%f")  # sorts by time
    releases = web_root / RELEASES
    releases.mkdir(parents=True, exist_ok=True)
    partial = releases / f".{name}{_PARTIAL}"
    release = releases / name
    try:
        copied, linked = _fill(partial, files, live)
        os.chmod(partial, 0o755)
        os.rename(partial, release)
        switch(web_root, release)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        if live_release(web_root) != release:
            shutil.rmtree(release, ignore_errors=True)
        raise
    return DeployResult(release, copied, linked, prune(web_root, keep))


def rollback(web_root: Path) -> Path:
    """Make the release before the live one live again; returns it."""
    live = live_release(web_root)
    if live is None:
        raise DatelineError(Problem(SourceRef(str(web_root), 1), "nothing is deployed here "
                            f"(no {CURRENT} symlink); deploy with --to first"))
    earlier = [r for r in list_releases(web_root) if r.name < live.name]
    if not earlier:
        raise DatelineError(Problem(SourceRef(str(live), 1), "this is the oldest release "
                            "kept; there is nothing earlier to roll back to"))
    switch(web_root, earlier[-1])
    return earlier[-1]


def list_releases(web_root: Path) -> list[Path]:
    """The complete releases, oldest first."""
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
        os.replace(temporary, web_root / CURRENT)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def prune(web_root: Path, keep: int) -> tuple[str, ...]:
    """Delete all but the newest `keep` releases (never the live one), and the leftovers
    of deploys that were killed before they finished."""
    live = live_release(web_root)
    releases = list_releases(web_root)
    doomed = [r for r in releases[:-keep] if r != live]
    for release in doomed:
        shutil.rmtree(release)
    for leftover in (web_root / RELEASES).glob(f".*{_PARTIAL}"):
        shutil.rmtree(leftover, ignore_errors=True)
    return tuple(r.name for r in doomed)


def _check_web_root(web_root: Path) -> None:
    current = web_root / CURRENT
    if web_root.exists() and not web_root.is_dir():
        raise UsageError(Problem(SourceRef(str(web_root), 1), "--to must name a folder"))
    if current.exists() and not current.is_symlink():
        raise UsageError(Problem(SourceRef(str(current), 1), "exists and is not a symlink; "
                         "deploy manages DIR/current itself: move it away first"))


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
                outside.append(Problem(SourceRef(str(path), 1), "is a symlink to "
                               f"{real}, outside the site folder; deploy never follows it"))
            elif not real.exists():
                outside.append(Problem(SourceRef(str(path), 1), "is a broken symlink"))
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
    copied = linked = 0
    for relative, source in files:
        target = release / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        previous = live / relative if live is not None else None
        if previous is not None and _same_bytes(source, previous):
            try:
                os.link(previous, target)
                linked += 1
                continue
            except OSError:  # a file system without hard links: copy instead
                pass
        _copy_file(source, target)
        copied += 1
    return copied, linked


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
