"""Write the built site: into a fresh folder beside the output, swapped in only when
everything is written, so a failed build never leaves a half-written site behind.

Dateline only ever deletes or replaces a folder it made itself: each output folder
carries a marker file, and an existing folder without it is refused.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from .. import atomic
from ..errors import Problem, SourceRef, UsageError, display_path
from . import faults, staging
from .releases import find_target

HEADERS_FILE = "_headers"
"""Response headers for Netlify and Cloudflare Pages, in their `_headers` format."""

MARKER = ".dateline-output"
"""A file in the root of every output folder; its presence allows Dateline to replace it."""


def check_output_dir(output: Path, protected: Iterable[Path], root: Path | None = None) -> None:
    """Refuse an output folder that is, contains or lies inside the site's sources, or
    that exists with other files in it and was not made by Dateline, or that holds (or
    lies in) a web root `deploy` publishes to: replacing the folder would delete it.
    Messages name the folders relative to `root`, the site's folder, when inside it."""
    output = output.resolve()
    root = (root or Path.cwd()).resolve()
    where = SourceRef(_shown_folder(output, root), 0)
    target = find_target(output)
    if target is not None:
        raise UsageError(Problem(where, "refusing to build into this folder: "
                         f"{_shown_folder(target, root)} is a web root that `deploy` "
                         "publishes to (it has a .dateline-deploy file), and a build would "
                         "replace it; choose an output folder apart from it, such as site/"))
    for folder in protected:
        folder = folder.resolve()
        if output == folder or folder.is_relative_to(output) or output.is_relative_to(folder):
            raise UsageError(Problem(where, "refusing to build into this folder: it overlaps "
                             f"{_shown_folder(folder, root)}, which holds the site's sources; "
                             "choose an output folder of its own, such as site/"))
    if output.exists() and (not output.is_dir() or (
            any(output.iterdir()) and not (output / MARKER).is_file())):
        raise UsageError(Problem(where, "refusing to replace this folder: "
                         "it exists and was not made by Dateline (no .dateline-output file); "
                         "remove it yourself or choose another --out"))


def _shown_folder(folder: Path, root: Path) -> str:
    shown = display_path(folder, root)
    return "./" if folder == root else shown if shown.startswith("/") else shown + "/"


def cache_headers(linker) -> bytes:
    """Theme assets and photo renditions have content-hashed names: cache them for a
    year. Pages keep the host's default (short) caching, so news stays fresh."""
    base = linker.base_path
    immutable = "  Cache-Control: public, max-age=31536000, immutable\n"
    return (f"{base}static/*\n{immutable}"
            f"{base}media/*\n{immutable}"
            f"{base}*\n"
            "  X-Content-Type-Options: nosniff\n"
            "  Referrer-Policy: strict-origin-when-cross-origin\n").encode()


def read_build_id(output: Path) -> str | None:
    """The id of the build that last wrote `output` completely, from its marker file."""
    return _marker_field(output, "build-id")


def read_unpublished(output: Path) -> tuple[str, ...]:
    """What the build of `output` published that is not public yet: `drafts`, `future`."""
    value = _marker_field(output, "unpublished")
    return tuple(part.strip() for part in value.split(",")) if value else ()


def _marker_field(output: Path, name: str) -> str | None:
    try:
        text = (output / MARKER).read_text(encoding="utf-8")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(f"{name}: "):
            return line.removeprefix(f"{name}: ").strip()
    return None


def unpublished_of(drafts: bool, future: bool) -> tuple[str, ...]:
    """The marker's `unpublished` kinds of a build with these options."""
    return tuple(kind for kind, wanted in (("drafts", drafts), ("future", future)) if wanted)


def _marker_text(build_id: str, unpublished: tuple[str, ...]) -> str:
    # `unpublished` tells `deploy` the folder shows drafts or scheduled stories.
    extra = f"unpublished: {', '.join(unpublished)}\n" if unpublished else ""
    return ("Built by Dateline. This folder is replaced on every build.\n"
            f"build-id: {build_id}\n{extra}")


def _in_folder(path: Path, make):
    """`make()`, which writes `path`, its folder made first when it is missing. (Not a set
    of the folders made: a Path per page's folder, held by the build and every worker to
    the end, issue 19.)"""
    try:
        return make()
    except FileNotFoundError:
        # Made now, or by another process since `make()` failed: a helper writing a page
        # below it (`ka/science/story/`) makes the folder of a page here (`ka/science/`).
        # A second failure is a copy's source that is gone.
        if not path.parent.is_dir():
            path.parent.mkdir(parents=True, exist_ok=True)
        return make()


class StagedOutput:
    """A new output tree being written beside the real one (`staging`); `commit()`
    swaps it in whole, in one step where the system can (`staging.exchange`)."""

    incremental = False
    _kind = "new"

    def __init__(self, output: Path, build_id: str = "unrecorded",
                 unpublished: tuple[str, ...] = ()):
        self.output = output.resolve()
        self.build_id = build_id
        self.unpublished = tuple(unpublished)
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self.folder = staging.make(self.output, self._kind)
        self.root = self.folder / staging.TREE
        try:
            self.root.mkdir()
            if not self.incremental:
                self._write_marker()
        except OSError:
            self.discard()
            raise

    def _write_marker(self) -> None:
        with staging.named(self.root / MARKER):
            (self.root / MARKER).write_text(_marker_text(self.build_id, self.unpublished),
                                            encoding="utf-8")

    def write(self, relative: str, data: bytes) -> None:
        path = self.root / relative
        with staging.named(path), _in_folder(path, lambda: open(path, "wb")) as handle:
            handle.write(data)

    def write_chunks(self, relative: str, chunks: Iterable[bytes],
                     each: Callable[[bytes], object]) -> None:
        """Write `chunks` one after another, `each` called with every one first."""
        path = self.root / relative
        with staging.named(path), _in_folder(path, lambda: open(path, "wb")) as handle:
            for chunk in chunks:
                each(chunk)
                handle.write(chunk)

    def unwrite(self, relative: str) -> None:
        """A file written to a change set that is unchanged after all: not moved in."""
        (self.root / relative).unlink()

    def copy(self, relative: str, source: Path) -> None:
        path = self.root / relative
        with staging.named(path):
            _in_folder(path, lambda: _copy_file(source, path))

    def commit(self, removed: Iterable[str] = ()) -> None:
        """Swap the new tree in: readers see the old site or the new one, never neither."""
        os.chmod(self.root, 0o755)  # a web server must read it, whatever the umask
        faults.point("commit")
        if not os.path.lexists(self.output):
            os.rename(self.root, self.output)
        elif staging.exchange(self.root, self.output):
            faults.point("commit")  # the old site now waits in the staging folder
        else:
            self._swap_in_two_steps()
        _remove_tree(self.folder)

    def _swap_in_two_steps(self) -> None:
        """Where the system cannot swap in one step: the old site is moved aside, then the
        new one in. Killed between the two, there is no output folder until the next
        Dateline command (`recover`) moves the new one in."""
        old = self.folder / OLD
        os.rename(self.output, old)
        faults.point("commit")
        try:
            os.rename(self.root, self.output)
        except OSError:
            os.rename(old, self.output)  # put the previous site back where it was
            raise

    def discard(self) -> None:
        _remove_tree(self.folder)


class ChangeSet(StagedOutput):
    """Only the files that changed, staged beside the output; `commit()` moves each into
    place with an atomic rename, then deletes the files the site no longer has.

    Everything is rendered before anything is moved, so a failing template leaves the
    previous site as it was. The moves follow a commit record written first (`RECORD`),
    in an order that keeps every link resolving: new files (nothing links to them yet),
    then changed ones (which may link to the new), then removals (nothing links to them
    any more). Killed half way, old and new pages stand side by side, every link of a
    page a reader can reach resolves, and the next command finishes the commit."""

    incremental = True
    _kind = "changes"

    def commit(self, removed: Iterable[str] = ()) -> None:
        removed = sorted(removed)
        files = sorted(Path(folder, name).relative_to(self.root).as_posix()
                       for folder, _dirs, names in os.walk(self.root) for name in names)
        if not files and not removed and read_unpublished(self.output) == self.unpublished:
            self.build_id = read_build_id(self.output) or self.build_id
            self.discard()
            return
        # A new id: should the cache not be saved after this, the next build sees the
        # mismatch and starts afresh instead of trusting a stale record.
        self._write_marker()
        new = [f for f in files if not os.path.lexists(self.output / f)]
        changed = sorted(set(files) - set(new)) + [MARKER]
        made = self._make_folders(new)
        try:
            with staging.named(self.folder / RECORD), \
                    atomic.replacing(self.folder / RECORD) as handle:
                handle.write(json.dumps({"new": new, "changed": changed,
                                         "removed": removed}).encode())
        except OSError:
            for folder in reversed(made):
                _prune_empty_parents(folder, self.output)
            raise
        faults.point("commit")
        _apply(self.folder, self.output)

    def _make_folders(self, new: list[str]) -> list[Path]:
        """The output's folders the new files need, made before the commit record is
        written (a full disk stops the build there, with nothing moved)."""
        made = []
        for folder in sorted({(self.output / f).parent for f in new}):
            if not folder.is_dir():
                try:
                    folder.mkdir(parents=True)
                except OSError:
                    for done in reversed(made):
                        _prune_empty_parents(done, self.output)
                    raise
                made.append(folder)
        return made

    def discard(self) -> None:
        if (self.folder / RECORD).is_file():  # interrupted mid-commit: finish it
            try:
                _apply(self.folder, self.output)
            except OSError:
                return  # the next command finishes it (`recover`)
        _remove_tree(self.folder)


RECORD = "commit.json"
"""A change set's commit record: the files to move in order, and those to remove."""

OLD = "old"
"""Where a full build's two-step swap keeps the previous site for a moment."""


def _apply(folder: Path, output: Path) -> None:
    """Carry out the commit recorded in `folder`, from wherever it was interrupted, then
    drop the record and the staging folder."""
    record = json.loads((folder / RECORD).read_bytes())
    tree = folder / staging.TREE
    for relative in record["new"] + record["changed"]:
        staged, target = tree / relative, output / relative
        if not os.path.lexists(staged):
            continue  # moved before the build was killed
        os.chmod(staged, 0o644)
        try:
            os.replace(staged, target)
        except FileNotFoundError:  # its folder went missing since
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
        faults.point("commit")
    for relative in record["removed"]:
        path = output / relative
        path.unlink(missing_ok=True)
        _prune_empty_parents(path.parent, output)
        faults.point("commit")
    (folder / RECORD).unlink(missing_ok=True)  # (another command may finish it too)
    faults.point("commit")
    _remove_tree(folder)


def recover(output: Path) -> None:
    """Finish what builds killed while committing into `output` left behind, and remove
    their staging folders: every Dateline command calls this before anything else. A
    folder of a build still running is never touched."""
    output = output.resolve()
    for folder in staging.abandoned(output):
        if (folder / RECORD).is_file():
            try:
                _apply(folder, output)
            except FileNotFoundError:
                continue  # another command finished it first
        elif os.path.lexists(folder / OLD) and not os.path.lexists(output):
            # A two-step swap killed half way: its new tree was complete.
            os.rename(folder / staging.TREE, output)
        _remove_tree(folder)


def _prune_empty_parents(folder: Path, top: Path) -> None:
    while folder != top and folder.is_relative_to(top):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


# `shutil` (with the bz2 and lzma modules it imports) only when something is written or
# recovered: a build with nothing to do calls neither.

def _remove_tree(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def _copy_file(source: Path, target: Path) -> None:
    import shutil

    shutil.copyfile(source, target)
