"""Write the built site: into a fresh folder beside the output, swapped in only when
everything is written, so a failed build never leaves a half-written site behind.

Dateline only ever deletes or replaces a folder it made itself: each output folder
carries a marker file, and an existing folder without it is refused.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import Problem, SourceRef, UsageError
from .releases import find_target

HEADERS_FILE = "_headers"
"""Response headers for Netlify and Cloudflare Pages, in their `_headers` format."""

MARKER = ".dateline-output"
"""A file in the root of every output folder; its presence allows Dateline to replace it."""


def check_output_dir(output: Path, protected: Iterable[Path]) -> None:
    """Refuse an output folder that is, contains or lies inside the site's sources, or
    that exists with other files in it and was not made by Dateline, or that holds (or
    lies in) a web root `deploy` publishes to: replacing the folder would delete it."""
    output = output.resolve()
    target = find_target(output)
    if target is not None:
        raise UsageError(Problem(SourceRef(str(output), 1), "refusing to build into this "
                         f"folder: {target} is a web root that `deploy` publishes to (it "
                         "has a .dateline-deploy file), and a build would replace it; "
                         "choose an output folder apart from it, such as site/"))
    for folder in protected:
        folder = folder.resolve()
        if output == folder or folder.is_relative_to(output) or output.is_relative_to(folder):
            raise UsageError(Problem(SourceRef(str(output), 1), "refusing to build into this "
                             f"folder: it overlaps {folder}, which holds the site's sources; "
                             "choose an output folder of its own, such as site/"))
    if output.exists() and (not output.is_dir() or (
            any(output.iterdir()) and not (output / MARKER).is_file())):
        raise UsageError(Problem(SourceRef(str(output), 1), "refusing to replace this folder: "
                         "it exists and was not made by Dateline (no .dateline-output file); "
                         "remove it yourself or choose another --out"))


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
    try:
        text = (output / MARKER).read_text(encoding="utf-8")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("build-id: "):
            return line.removeprefix("build-id: ").strip()
    return None


def _marker_text(build_id: str) -> str:
    return ("Built by Dateline. This folder is replaced on every build.\n"
            f"build-id: {build_id}\n")


class StagedOutput:
    """A new output tree being written beside the real one; `commit()` swaps it in."""

    incremental = False

    def __init__(self, output: Path, build_id: str = "unrecorded"):
        self.output = output.resolve()
        self.build_id = build_id
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix=f".{self.output.name}-new-",
                                          dir=self.output.parent))
        (self.root / MARKER).write_text(_marker_text(build_id), encoding="utf-8")
        self._made_dirs: set[Path] = {self.root}

    def write(self, relative: str, data: bytes) -> None:
        path = self.root / relative
        self._ensure_dir(path.parent)
        with open(path, "wb") as handle:
            handle.write(data)

    def copy(self, relative: str, source: Path) -> None:
        path = self.root / relative
        self._ensure_dir(path.parent)
        shutil.copyfile(source, path)

    def _ensure_dir(self, folder: Path) -> None:
        if folder not in self._made_dirs:
            folder.mkdir(parents=True, exist_ok=True)
            self._made_dirs.add(folder)

    def commit(self, removed: Iterable[str] = ()) -> None:
        """Swap the new tree in: two renames, so readers see the old or the new site."""
        os.chmod(self.root, 0o755)  # mkdtemp makes it private; a web server must read it
        old = None
        if self.output.exists():
            old = self.output.with_name(f".{self.output.name}-old-{os.getpid()}")
            if old.exists():
                shutil.rmtree(old)
            os.rename(self.output, old)
        try:
            os.rename(self.root, self.output)
        except OSError:
            if old is not None:  # put the previous site back where it was
                os.rename(old, self.output)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class ChangeSet(StagedOutput):
    """Only the files that changed, staged beside the output; `commit()` moves each into
    place with an atomic rename, then deletes the files the site no longer has.

    Everything is rendered before anything is moved, so a failing template leaves the
    previous site as it was; a reader of the live folder sees each file old or new."""

    incremental = True

    def __init__(self, output: Path, build_id: str):
        self.output = output.resolve()
        self.build_id = build_id
        self.root = Path(tempfile.mkdtemp(prefix=f".{self.output.name}-changes-",
                                          dir=self.output.parent))
        self._made_dirs = {self.root}

    def commit(self, removed: Iterable[str] = ()) -> None:
        removed = list(removed)
        moved = False
        for folder, _dirs, files in os.walk(self.root):
            for name in files:
                staged = Path(folder, name)
                target = self.output / staged.relative_to(self.root)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(staged, 0o644)
                os.replace(staged, target)
                moved = True
        for relative in removed:
            path = self.output / relative
            path.unlink(missing_ok=True)
            _prune_empty_parents(path.parent, self.output)
        if moved or removed:
            # A new id: should the cache not be saved after this, the next build sees the
            # mismatch and starts afresh instead of trusting a stale record.
            (self.output / MARKER).write_text(_marker_text(self.build_id), encoding="utf-8")
        else:
            self.build_id = read_build_id(self.output) or self.build_id
        shutil.rmtree(self.root, ignore_errors=True)


def _prune_empty_parents(folder: Path, top: Path) -> None:
    while folder != top and folder.is_relative_to(top):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
