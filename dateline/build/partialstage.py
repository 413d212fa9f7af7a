"""A build after body edits that reads only what the edits touch of the saved model
(`modelrows`): the pages the inverse index names, the articles they show, the stories'
versions, the feeds carrying the edited stories, and the languages' rows made from the
whole site when it was saved. The site the build renders with holds those articles alone;
its views answer the rest from the rows (`outputs.partialview`). See
docs/incremental.md."""

from __future__ import annotations

from msgspec import Struct, structs

from ..config import Config
from ..incremental.reuse import Kept, LastModel, Probe, kept
from ..model import Article, Site
from ..outputs.pages import Page
from .modelrows import FeedRow, PartialModel, SiteRow
from .savedbuild import pages_showing_in, showing_keys


class PartialKept(Struct):
    """What a partial build holds of the saved model."""

    rows: PartialModel
    row: SiteRow
    indexes: list[int]
    """The plan's index of each kept page (`Kept.pages` holds these pages alone)."""
    feeds: list[FeedRow]
    """The feeds carrying a version of an edited story (their entries the current
    versions)."""


def kept_partially(rows: PartialModel, key: str, edits: list[tuple[Article, Article]],
                   probe: Probe, config: Config) -> tuple[Kept, PartialKept] | None:
    """The saved plan's pages that show the edited articles, with the edits swapped in,
    and the part of the site they and the feeds carrying them show; None when the model
    of `key` is gone."""
    rows.edited = {new.source.path: new for _old, new in edits}
    row = rows.site_row(key)
    if row is None:
        return None
    showing = pages_showing_in(rows.store, rows.slot, showing_keys(edits))
    loaded = rows.pages(showing)
    pages = tuple(page for page, _fp in loaded)
    feeds = rows.feeds_carrying({new.translation_key for _old, new in edits})
    # (The head's fingerprints of the site and templates are the probe's: `SavedStore`
    # compared them.)
    last = LastModel(row.site, pages, tuple(fp for _page, fp in loaded),
                     probe.site_fingerprint, probe.templates)
    found = kept(last, row.site, edits, probe)
    if found is None:
        return None
    found.site = site_of(rows, row, found.pages, feeds, config)
    found.shared = {"articles": {}, "cards": {}}  # hashed as the pages ask for them
    return found, PartialKept(rows, row, showing, feeds)


def site_of(rows: PartialModel, row: SiteRow, pages: list[Page], feeds: list[FeedRow],
             config: Config) -> Site:
    """The site as far as the build reads it: the articles the pages and feeds show,
    with every version of their stories, and the languages' banner stories."""
    shown: dict[str, Article] = {}
    for page in pages:
        for article in ((page.article,) if page.article is not None else ()) + page.items:
            shown.setdefault(article.source.path, article)
    for feed in feeds:
        for article in feed.articles:
            shown.setdefault(article.source.path, article)
    for language in row.languages.values():
        extra = [language.breaking] + [entry[0] for entry in language.corrections]
        for article in extra:
            if article is not None:
                shown.setdefault(article.source.path, article)
    groups = {}
    for article in list(shown.values()):
        story = article.translation_key
        if story not in groups:
            group = rows.group(story)
            if group is not None:
                groups[story] = group
                for version in group:
                    shown.setdefault(version.source.path, version)
    return structs.replace(row.site, config=config, articles=tuple(shown.values()),
                           groups=tuple(groups.items()))
