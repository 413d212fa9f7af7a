"""Files for feed readers, aggregators and search engines (feeds, sitemaps, robots.txt,
the list of pages taken down: `_redirects`, `_gone`).

The work is done by `feeds` (Atom and RSS), `sitemaps` (sitemap index, per-language
sitemaps, Google News sitemaps); page-head metadata lives in `structured`.

Each group of files comes with a fingerprint of what it is made from, so an incremental
build regenerates only the feeds an edit touched, and the sitemaps only when a URL, an
alternate or a date changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .. import urls
from ..incremental.fingerprints import DigestMemo, Streamed, article_data, value_digest
from ..model import Article, Site
from ..outputs.feeds import FeedEntries, atom_feed, feeds_of, rss_feed
from ..outputs.gone import gone_files
from ..outputs.pages import Page
from ..outputs.sitemaps import page_lastmod, recent_articles, sitemap_stream
from ..outputs.views import LanguageView
from ..urls import Linker


@dataclass(frozen=True)
class FileGroup:
    """Files made together, and the fingerprint of everything they are made from."""

    name: str
    fingerprint: str
    make: Callable[[], Iterable[tuple[str, bytes]]]
    streamed: bool = False
    """`make()` yields its files one at a time, each to be written before the next is
    made: made by the process that writes them, never all held at once (the sitemaps)."""


@dataclass(frozen=True)
class Published:
    """What the feeds, sitemaps and robots.txt are made from."""

    site: Site
    views: dict[str, LanguageView]
    pages: list[Page]
    linker: Linker
    now: dt.datetime
    site_fp: str


@dataclass(frozen=True)
class Known:
    """What the caller already knows, to spare hashing it again."""

    article_fp: Callable[[Article], str] | None = None
    memo: DigestMemo | None = None
    kept_groups: tuple[dict[str, tuple], set[str]] | None = None


def discovery_groups(published: Published, known: Known = Known()) -> list[FileGroup]:  # noqa: B008 - frozen
    """Every feed, sitemap and robots.txt, as groups to make when their inputs changed.
    `known.article_fp` gives an article's fingerprint (every field and its body), when the
    caller has them at hand; `memo`, the fingerprints of earlier builds by their values.
    `kept_groups`: the groups the last build recorded and the stories (translation keys)
    whose bodies alone changed since, when that is all that changed: the sitemaps (URLs,
    alternates, dates) and the feeds that carry none of those stories keep their
    fingerprints, which are not computed again."""
    site, views, pages = published.site, published.views, published.pages
    linker, now, site_fp = published.linker, published.now, published.site_fp
    article_fp = known.article_fp or _article_fingerprint
    memo = known.memo or DigestMemo()
    recorded, stories = known.kept_groups or ({}, set())
    groups = []
    newest_anywhere = max((a.modified for a in site.articles), default=None)
    entries = FeedEntries(linker)  # this build's: dropped with its groups
    for view in views.values():
        for feed in feeds_of(view):
            name = f"feed:{feed.atom}"
            # (An empty feed's date is the site's newest `modified`: made again, cheaply.)
            if name in recorded and feed.articles and not any(
                    a.translation_key in stories for a in feed.articles):
                groups.append(FileGroup(name, recorded[name][0], _unused))
                continue
            groups.append(_feed_group(feed, entries, article_fp, memo, newest_anywhere,
                                      published.site_fp))
    make_sitemaps = lambda: sitemap_stream(views, pages, linker, now)  # noqa: E731
    if "sitemaps" in recorded:
        groups.append(FileGroup("sitemaps", recorded["sitemaps"][0], make_sitemaps, True))
    else:
        window = tuple((a.url, a.title, a.date) for view in views.values()
                       for a in recent_articles(view, now))
        # Everything a sitemap entry prints, the lastmod of listings included (the newest
        # of the articles they show): printed as made, unless the memo keeps the value.
        def sitemap_entries():
            return ((p.url, p.alternates, p.x_default, page_lastmod(p, views.get(p.lang)))
                    for p in pages)
        entries = tuple(sitemap_entries()) if memo.remember else Streamed(sitemap_entries)
        groups.append(FileGroup("sitemaps", memo.of((site_fp, entries, window,
                                                     newest_anywhere)), make_sitemaps, True))
    gone = site.timeline.gone
    if gone:
        groups.append(FileGroup("gone", value_digest((site_fp, linker.base_url, gone,
                                                      tuple(views))),
                                lambda: gone_files(gone, linker, set(views))))
    groups.append(FileGroup("robots", value_digest((site_fp, linker.base_url)),
                            lambda: [(urls.ROBOTS, robots_txt(linker))]))
    return groups


def _feed_group(feed, entries: FeedEntries, article_fp: Callable[[Article], str],
                memo: DigestMemo, newest_anywhere, site_fp: str) -> FileGroup:
    view = feed.view
    newest = max((a.modified for a in feed.articles), default=None) or newest_anywhere
    data = (site_fp, feed.title, feed.page_url, feed.atom, newest,
            tuple((article_fp(a), tuple(article_fp(t) for t in view.translations_of(a)))
                  for a in feed.articles))
    return FileGroup(f"feed:{feed.atom}", memo.of(data),
                     lambda: [(feed.atom, atom_feed(feed, entries))]
                     + ([(feed.rss, rss_feed(feed, entries))] if feed.rss else []))


def partial_groups(published: Published, known: Known, feeds: list, newest_anywhere
                   ) -> list[FileGroup]:
    """After body edits, for a build that read part of the site (`partialstage`): the
    feeds carrying the edited stories (`feeds`: `modelrows.FeedRow`s) made again from
    their entries, and every other group the last build recorded kept as it was (the
    sitemaps, robots.txt and the list of pages taken down print no body; the search
    buckets are the caller's)."""
    recorded, _stories = known.kept_groups or ({}, set())
    article_fp = known.article_fp or _article_fingerprint
    memo = known.memo or DigestMemo()
    remade = {}
    entries = FeedEntries(published.linker)
    for row in feeds:
        feed = row.feed(published.views[row.lang])
        remade[f"feed:{feed.atom}"] = _feed_group(feed, entries, article_fp, memo,
                                                  newest_anywhere, published.site_fp)
    return [remade.get(name) or FileGroup(name, fingerprint, _unused)
            for name, (fingerprint, _files) in recorded.items()
            if not name.startswith(("search:", "("))]


def _unused() -> list[tuple[str, bytes]]:
    raise AssertionError("a group kept from the last build is not made again")


def _article_fingerprint(article: Article) -> str:
    return value_digest((article_data(article), article.digest))


def robots_txt(linker: Linker) -> bytes:
    """Allow every crawler everything, and point them at the sitemap index.

    Crawlers only read robots.txt at the root of a host; when base_url has a path the
    file is still written, for whoever serves the site's folder at a host's root."""
    return ("User-agent: *\n"
            "Disallow:\n"
            "\n"
            f"Sitemap: {linker.absolute(urls.SITEMAP_INDEX)}\n").encode()
