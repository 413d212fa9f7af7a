"""Which files under a folder are inputs: the one walk shared by the build, the
no-change shortcut's stat walk and the saved model, so that all of them see the same
files.

Only regular files are read. A named pipe, a socket or a device is listed with its own
stat (which says what it is) so that the build can name it in a warning, but nothing
ever opens it: opening a FIFO blocks until someone writes to it. Symbolic links are
followed (folders too) when they resolve inside the site folder, or anywhere when the
site allows it (`[build] follow_external_symlinks`); a link that leads outside, a
broken link and a folder that cannot be read or leads back into one being read are
listed with their own `lstat`, for the build to report.
"""

from __future__ import annotations

import os
import stat as stat_mode
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING

from .noise import is_editor_noise

if TYPE_CHECKING:
    from .config import Config

_NAME = attrgetter("name")


@dataclass(frozen=True, slots=True)
class Confinement:
    """Where the symbolic links under a folder may lead."""

    roots: tuple[str, ...]
    """The site folder and the content folder (resolved; the content folder may be set
    elsewhere): links that resolve inside one of them are followed."""
    follow_external: bool = False
    """Follow links that lead outside the site folder too."""

    def allows(self, resolved: str) -> bool:
        return self.follow_external or any(
            resolved == root or resolved.startswith(root.rstrip(os.sep) + os.sep)
            for root in self.roots)


def confinement_of(config: Config) -> Confinement:
    """The rule for the symbolic links under the site's content folder."""
    return Confinement((str(config.paths.root.resolve()), str(config.paths.content)),
                       config.build.follow_external_symlinks)


def walk(folder: str, confinement: Confinement | None = None,
         into: dict[str, os.stat_result] | None = None,
         followed: list[str] | None = None) -> dict[str, os.stat_result]:
    """Every entry below `folder` → its stat, in walking order (folders by name, each
    one's files before its subfolders). Hidden names and editors' leftovers are left
    out. A regular file (or a followed link to one) has its `stat`; anything else that
    the build must not read has a stat that is not a regular file's (see the module's
    docstring). Without `confinement`, every link is followed. The resolved targets
    of the links followed are added to `followed`."""
    found = {} if into is None else into
    real = os.path.realpath(folder)
    _walk(folder, (real,), confinement, found, [] if followed is None else followed)
    return found


def _walk(folder: str, ancestors: tuple[str, ...], confinement: Confinement | None,
          found: dict[str, os.stat_result], followed: list[str]) -> None:
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=_NAME)
    except (FileNotFoundError, NotADirectoryError):
        return  # a folder the site does not have (no locales/, say)
    except OSError:
        if folder not in found:
            found[folder] = _folder_stat(folder)  # unreadable: reported as skipped
        return
    folders = []
    # (Run for each of an archive's files before every build: the common case, a
    # Markdown file, is told apart first, without a call. No hidden name and no
    # editor's leftover ends with ".md".)
    for entry in entries:
        name = entry.name
        if name[0] == ".":
            continue
        try:
            if entry.is_symlink():
                _linked(entry.path, ancestors, confinement, found, folders, followed)
            elif entry.is_dir(follow_symlinks=False):
                folders.append((entry.path, os.path.join(ancestors[-1], name)))
            elif name.endswith(".md") or not is_editor_noise(name):
                found[entry.path] = entry.stat(follow_symlinks=False)
        except OSError:
            continue  # removed while being walked
    for path, real in folders:
        _walk(path, (*ancestors, real), confinement, found, followed)


def _linked(path: str, ancestors: tuple[str, ...], confinement: Confinement | None,
            found: dict[str, os.stat_result], folders: list, followed: list[str]) -> None:
    resolved = os.path.realpath(path)
    if confinement is not None and not confinement.allows(resolved):
        found[path] = os.lstat(path)  # outside the site: reported, never read
        return
    try:
        target = os.stat(path)
    except OSError:
        found[path] = os.lstat(path)  # a broken link
        return
    if stat_mode.S_ISDIR(target.st_mode):
        if resolved in ancestors:
            found[path] = os.lstat(path)  # a loop: reported as a skipped folder
        else:
            folders.append((path, resolved))
            followed.append(resolved)
    elif not is_editor_noise(os.path.basename(path)):
        found[path] = target
        followed.append(resolved)


def link_targets(folder: str, confinement: Confinement | None) -> list[str]:
    """The resolved targets of the symbolic links `walk` follows under `folder`: what a
    watcher of the folder must watch too (file events name real paths)."""
    followed: list[str] = []
    walk(folder, confinement, followed=followed)
    return followed


def _folder_stat(path: str) -> os.stat_result:
    """The stat of an unreadable folder (a followed link's target's: it is the folder
    that cannot be read, not the link)."""
    try:
        return os.stat(path)
    except OSError:
        return os.stat_result((stat_mode.S_IFDIR, 0, 0, 0, 0, 0, 0, 0, 0, 0))


def is_readable(stat: os.stat_result) -> bool:
    """Whether a walked entry is a file to read."""
    return stat_mode.S_ISREG(stat.st_mode)


def why_unread(path: str, stat: os.stat_result, confinement: Confinement | None
               ) -> tuple[str, bool]:
    """Why a walked entry that is not a regular file is not read: (message, whether it
    is an error). Called only for such entries (rare), so it may look at the disk."""
    mode = stat.st_mode
    if stat_mode.S_ISLNK(mode):
        resolved = os.path.realpath(path)
        if confinement is not None and not confinement.allows(resolved):
            return (f"symbolic link to '{resolved}', outside the site folder; copy what it "
                    "points to into the site, or set follow_external_symlinks = true in "
                    "[build]", True)
        if not os.path.exists(path):
            return "broken symbolic link (its target does not exist); not read", False
        return ("folder skipped: the symbolic link leads back into a folder that contains "
                "it", False)
    if stat_mode.S_ISDIR(mode):
        return "folder skipped: it cannot be read (check its permissions)", False
    kind = ("named pipe (FIFO)" if stat_mode.S_ISFIFO(mode)
            else "socket" if stat_mode.S_ISSOCK(mode)
            else "device" if stat_mode.S_ISCHR(mode) or stat_mode.S_ISBLK(mode)
            else "special file")
    return f"not read: a {kind}, not a regular file", False
