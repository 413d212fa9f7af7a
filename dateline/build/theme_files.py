"""The theme's static files as published: under content-hashed names (so hosts may cache
them forever), stylesheets minified, with every stylesheet's `url(...)` and `@import`
pointing at the hashed names of the files it uses. A stylesheet's own name then changes
when a font or image it uses does, and a page never gets a new stylesheet with an old
font, or the reverse.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from .. import urls
from ..incremental.fingerprints import digest

_REFERENCE = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")


@dataclass(frozen=True)
class ThemeFile:
    url: str
    """Where it is published, e.g. 'static/style.3f2a1b0c9d8e7f60.css'."""
    source: Path
    data: bytes | None = None
    """The bytes to publish when they differ from the source's (a rewritten stylesheet)."""


def publish_theme_files(static: dict[str, Path]) -> dict[str, ThemeFile]:
    """Name (relative to the theme's static/) → how it is published: under a name with
    a digest of its bytes."""
    published: dict[str, ThemeFile] = {}

    def publish(name: str, visiting: frozenset[str]) -> ThemeFile:
        if name in published:
            return published[name]
        source = static[name]
        original = source.read_bytes()
        data = None
        if name.endswith(".css"):
            text = original.decode("utf-8")
            rewritten = _rewrite(text, name, static, lambda used: publish(
                used, visiting | {name}) if used not in visiting else None)
            published_text = minify_css(rewritten)
            data = published_text.encode("utf-8") if published_text != text else None
        published[name] = ThemeFile(
            urls.fingerprinted(urls.static(name), digest(original if data is None else data)),
            source, data)
        return published[name]

    for name in sorted(static):
        publish(name, frozenset())
    return published


def minify_css(css: str) -> str:
    """The stylesheet without comments and needless whitespace (rcssmin: a maintained
    minifier that keeps what changes meaning, such as the spaces of `calc()`). Comments
    opening with `/*!` (licences) stay."""
    import rcssmin  # only when a site is published with fingerprinted assets

    return rcssmin.cssmin(css, keep_bang_comments=True)


def _rewrite(css: str, name: str, static: dict[str, Path], publish) -> str:
    folder = posixpath.dirname(name)
    own_url = urls.static(name)

    def replace(match: re.Match) -> str:
        target = match.group(2) or match.group(4)
        if target.startswith(("/", "#", "data:")) or "://" in target:  # not a theme file
            return match.group(0)
        path, mark, rest = _split_suffix(target)
        used = posixpath.normpath(posixpath.join(folder, path))
        if used not in static:
            return match.group(0)
        published = publish(used)
        if published is None:  # stylesheets importing each other: leave the loop alone
            return match.group(0)
        relative = posixpath.relpath(published.url, posixpath.dirname(own_url))
        return match.group(0).replace(target, relative + mark + rest, 1)

    return _REFERENCE.sub(replace, css)


def _split_suffix(target: str) -> tuple[str, str, str]:
    """'font.woff2?v=2#x' → ('font.woff2', '?', 'v=2#x')."""
    for mark in ("?", "#"):
        if mark in target:
            path, rest = target.split(mark, 1)
            return path, mark, rest
    return target, "", ""
