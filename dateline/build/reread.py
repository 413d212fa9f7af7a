"""One edited source read again for a build that keeps the last plan (the saved model's,
`savedstore`, or the preview server's, `memoryedits`): its new cache entry and rendered
body, when its bytes changed in its body alone, or in front-matter keys that keep the
plan's shape (`frontedit`), and reading it found no problem. See docs/incremental.md."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from msgspec import Struct, structs

from ..bodies import body_id
from ..digests import digest, stat_key
from ..errors import Problems, display_path
from ..incremental.cache import SourceEntry
from ..incremental.reuse import same_shape
from ..model import Article
from ..read import Document, below_of, front_digest, split_source
from .context import BuildContext
from .frontedit import FrontEdit, keeps_shape, read_edit, with_front
from .markup import BodyImage, render_body
from .prepare import source_entry


class Again(Struct):
    entry: SourceEntry
    html: str
    front: FrontEdit | None
    """Its new front matter, when that changed."""
    images: list[BodyImage] = []
    """The images its body shows (as rendered)."""
    doc: Document | None = None
    """Its document without its body (its front matter as read when it changed, else
    none read)."""


def read_again(ctx: BuildContext, photos, path: Path, entry: SourceEntry, raw: bytes,
               stat: os.stat_result, old_front: Callable[[str], dict | None]
               ) -> Again | None:
    """The source's new cache entry and its rendered body, its bytes (`raw`) having
    changed; None when more than its body and the front-matter keys that keep the plan's
    shape changed, or reading it found any problem (the full path reports it).
    `old_front(path)`: the front matter (as loaded) it had, when its front matter
    changed."""
    content_dir, root = ctx.config.paths.content, ctx.config.paths.root
    if not entry.front:
        return None
    problems = Problems()
    ref = display_path(path, root)
    split = split_source(raw, ref, problems)
    if split is None:
        return None
    yaml_text, body, body_line = split
    doc = Document(path=str(path), ref=ref, below=below_of(path, content_dir),
                   meta={}, key_lines={}, body=body, body_line=body_line,
                   digest=digest(raw), front=front_digest(yaml_text, body_line))
    front = None
    if doc.front != entry.front:
        old = old_front(str(path))
        if old is None:
            return None
        front = read_edit(doc, yaml_text, ctx.config, problems)
        if front is None or not keeps_shape(old, front.meta):
            return None
    # Only its body is rendered here; its front matter, when the same as before, is not
    # read (nor the cache's table of what it parsed to).
    html, images, links = render_body(doc, content_dir, ctx.begun.linker, problems, photos)
    if problems.errors or problems.warnings:
        return None
    new = source_entry(doc, stat_key(stat), body_id(html), images, links)
    if _shown(new.images) != _shown(entry.images):
        return None  # other photos in the body: other renditions to publish
    if _unplaced(new.links) != _unplaced(entry.links):
        return None  # links to other articles: the full path resolves them
    return Again(new, html, front, images,
                 replace(front.doc if front is not None else doc, body=""))


def edited_version(article: Article, entry: SourceEntry, front: FrontEdit | None,
                   now: dt.datetime) -> tuple[Article, bool] | None:
    """The article's new version from the source read again (its new `entry`, and its
    new front matter when that changed), and whether the sitemaps print what changed (a
    title in the News sitemap, a `modified` as a lastmod); None when it does not keep
    the plan's shape (`reuse.same_shape`)."""
    version = structs.replace(article, digest=entry.digest, body_id=entry.body_id)
    if front is None:
        return version, False
    version = with_front(version, front)
    if not same_shape(article, version):
        return None
    return version, version.modified != article.modified or (
        version.title != article.title and _in_news(article, now))


def _in_news(article: Article, now: dt.datetime) -> bool:
    """Whether the article is in its language's News sitemap, which prints its title."""
    from ..outputs.sitemaps import NEWS_WINDOW  # only when a title changed

    return now - NEWS_WINDOW <= article.date <= now


def _shown(images: tuple) -> tuple:
    """The body's images without their photos' stats (a photo whose stat changed has been
    compared by its bytes) nor their lines (a line added to the front matter moves them:
    only messages print it)."""
    return tuple((*image[:2], *image[3:4]) for image in images)


def _unplaced(links: tuple) -> tuple:
    """Links to other articles without their lines (only messages print them)."""
    return tuple((path, fragment, written) for path, fragment, _line, written in links)
