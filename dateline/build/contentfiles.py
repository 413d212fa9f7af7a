"""Files under content/ that articles name (photos, body images): where each is, and
where it is published. Shared by assembling (lead photos) and Markdown (body images)."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path

from .. import urls
from ..digests import stat_key
from ..errors import Problems, SourceRef
from ..model import Image


def resolve_content_file(src: str, folder: Path | str, content_dir: Path, where: SourceRef,
                         problems: Problems, files: ContentFiles | None = None) -> Path | None:
    """Resolve an image reference: relative to the article's folder, or to content/
    when it starts with '/'. The result must be an existing file inside content/."""
    path, problem = (files or ContentFiles(content_dir)).locate(src, folder)
    if problem:
        problems.error(where, problem)
    return path


class ContentFiles:
    """File lookups under content/, remembered for one build (or for as long as nothing
    but Markdown files changed there): a thousand articles may share one photo, and
    resolving and listing folders is what costs."""

    def __init__(self, content_dir: Path):
        self.content_dir = content_dir.resolve()
        self._located: dict[tuple[str, str], tuple[Path | None, str]] = {}
        self._paths: dict[str, Path] = {}
        self._listings: dict[Path, frozenset[str]] = {}
        self._urls: dict[Path, str] = {}
        self._stats: dict[Path, tuple | None] = {}
        self.plan_image: Callable[[Image, Problems], Image | None] | None = None

    def stat_key(self, path: Path) -> tuple | None:
        """(mtime, size, inode) of a file, or None when it is gone."""
        if path not in self._stats:
            try:
                stat = path.stat()
                self._stats[path] = stat_key(stat)
            except OSError:
                self._stats[path] = None
        return self._stats[path]

    def url_of(self, source: Path) -> str:
        """Where a file under content/ would be published."""
        if source not in self._urls:
            self._urls[source] = media_url(source, self.content_dir)
        return self._urls[source]

    def locate(self, src: str, folder: Path | str) -> tuple[Path | None, str]:
        key = (src, str(folder))
        if key not in self._located:
            self._located[key] = self._locate(src, key[1])
        return self._located[key]

    def _locate(self, src: str, folder: str) -> tuple[Path | None, str]:
        base = self.content_dir if src.startswith("/") else folder
        # By its path, not its real one: a symbolic link under content/ (inside the site
        # folder, `inputs.walk` sees to that) is a folder or file like another.
        resolved = os.path.normpath(os.path.join(base, src.lstrip("/")))
        # One Path object per file, however many articles name it: the lookups keyed by
        # it (stats, URLs, photo plans) then match by identity, not by comparing parts.
        candidate = self._paths.get(resolved)
        if candidate is None:
            candidate = self._paths[resolved] = Path(resolved)
        if not candidate.is_relative_to(self.content_dir):
            return None, (f"image '{src}' points outside the content folder; keep photos "
                          "under content/")
        names = self._names(candidate.parent)
        if candidate.name not in names:
            if not candidate.is_file():
                return None, (f"image '{src}' not found{self._case_hint(candidate)}; check "
                              "the file name (paths are relative to the article's folder, "
                              "or to content/ when they start with '/')")
            # On case-insensitive file systems the file "exists" under a wrong case.
            return None, (f"image '{src}' differs in letter case from the file on disk"
                          f"{self._case_hint(candidate)}; web servers are case-sensitive")
        if not candidate.is_file():
            return None, f"image '{src}' is not a file"
        return candidate, ""

    def _names(self, folder: Path) -> frozenset[str]:
        if folder not in self._listings:
            try:
                self._listings[folder] = frozenset(os.listdir(folder))
            except OSError:
                self._listings[folder] = frozenset()
        return self._listings[folder]

    def _case_hint(self, path: Path) -> str:
        for name in sorted(self._names(path.parent)):
            if name.lower() == path.name.lower() and name != path.name:
                return f" (there is '{name}')"
        return ""


def media_url(source: Path, content_dir: Path) -> str:
    return urls.media(source.relative_to(_resolved(content_dir)).as_posix())


@functools.lru_cache(maxsize=16)
def _resolved(folder: Path) -> Path:
    return folder.resolve()
