"""What a long-running process (the preview server) keeps from its last good build, so
that an edit which changes only article bodies re-plans nothing.

An editor fixing a sentence changes one article's body and nothing else the site is
made of: the same articles in the same order, with the same titles, dates, sections,
tags, photos and summaries. Every page plan and every photo rendition is then what the
last build had, and every page fingerprint but those of the pages that show the edited
articles. `body_edits` says whether that is so, by comparing the new site with the last
one; when it is, the build swaps the edited articles into the last build's pages and
fingerprints only the pages showing them (`with_edits`: their own, their translations',
and the listings with their cards, whose teaser is the body's opening words when there
is no summary). Anything else — an article added, moved, retitled, re-dated; a photo,
template, catalog or setting changed — takes the full path. (`savedbuild` does the same
for command-line builds, from a model saved on disk.)
"""

from __future__ import annotations

from dataclasses import dataclass

from msgspec import structs

from ..model import Article, Site
from ..outputs.pages import Page

MOST_EDITS = 16
"""More articles changed than this at once (a pull, a search-and-replace): plan afresh."""


@dataclass(frozen=True)
class LastBuild:
    site: Site
    """After the photo stage: its articles are those the assembly memo hands out again."""
    pages: tuple[Page, ...]
    fingerprints: tuple[str, ...]
    site_fingerprint: str
    templates: dict[str, str]
    body_images: dict[str, tuple]
    """Source path → the images its body shows, as prepared."""
    options: tuple
    """The build options that shape the site (drafts, future, languages…)."""


def body_edits(last: LastBuild | None, site: Site, body_images: dict[str, tuple],
               options: tuple) -> list[tuple[Article, Article]] | None:
    """(last version, new version) of every article whose body alone changed, when that
    is the only difference between `site` and the last build's; None otherwise."""
    if last is None or options != last.options or site.portraits != last.site.portraits:
        return None  # (the staff's photos are renditions to publish too)
    before, after = last.site.articles, site.articles
    if len(before) != len(after) or len(site.held_back) != len(last.site.held_back):
        return None
    if any(a is not b for (a, _), (b, _) in zip(last.site.held_back, site.held_back,
                                                strict=True)):
        return None
    edits = [(a, b) for a, b in zip(before, after, strict=True) if a is not b]
    if not edits or len(edits) > MOST_EDITS:
        return None
    for a, b in edits:
        if not _same_but_body(a, b):
            return None
        path = str(b.source_path)
        if body_images.get(path) != last.body_images.get(path):
            return None  # its body shows other photos: other renditions to publish
    return edits


def _same_but_body(a: Article, b: Article) -> bool:
    return structs.replace(b, digest=a.digest, body_id=a.body_id) == a


def with_edits(pages: tuple[Page, ...], edits: list[tuple[Article, Article]]
               ) -> tuple[list[Page], list[int]]:
    """The last build's pages showing the edited articles' new versions, and the indexes
    of the pages to fingerprint again: those showing an edited article (its own page,
    the listings with its card) and its translations' pages (which show its card). With
    a summary, the cards are the same and the listings' fingerprints too."""
    new_version = {id(a): b for a, b in edits}
    stories = {b.translation_key for _a, b in edits}
    swapped, changed = [], []
    for index, page in enumerate(pages):
        article, items = page.article, page.items
        edited = new_version.get(id(article)) if article is not None else None
        if any(id(item) in new_version for item in items):
            items = tuple(new_version.get(id(item), item) for item in items)
        if edited is not None or items is not page.items:
            page = structs.replace(page, article=edited or article, items=items)
            changed.append(index)
        elif article is not None and article.translation_key in stories:
            changed.append(index)
        swapped.append(page)
    return swapped, changed
