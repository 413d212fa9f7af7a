"""Sitemaps: an index at /sitemap.xml, one sitemap per language folder (split at the
protocol's limits), and a Google News sitemap per language with stories of the last 48 hours.

Every URL carries its hreflang alternates and x-default straight from the planned
pages (`Page.alternates`, `Page.x_default`), the same values the page heads print, so
the sitemap and the heads can never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .. import urls
from ..model import Article
from ..urls import Linker
from .content_view import ContentView
from .pages import Page
from .xmlwrite import element, q, sub, to_bytes, w3c_datetime

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"

MAX_URLS = 50_000
"""URLs per sitemap file (the protocol's limit); a larger language is split."""
MAX_BYTES = 50 * 1024 * 1024
"""Uncompressed bytes per sitemap file (the protocol's limit)."""
NEWS_MAX_URLS = 1_000
"""Articles per Google News sitemap file (Google's limit)."""
NEWS_WINDOW = dt.timedelta(hours=48)
"""A Google News sitemap lists the articles published this long before the build."""


@dataclass(frozen=True, slots=True)
class _Entry:
    url: str
    alternates: tuple[tuple[str, str], ...]
    lastmod: dt.datetime | None


def sitemap_files(views: dict[str, ContentView], pages: Sequence[Page], linker: Linker,
                  now: dt.datetime, *, max_urls: int | None = None,
                  max_bytes: int | None = None,
                  news_max_urls: int | None = None) -> list[tuple[str, bytes]]:
    """(output file, bytes) of the index, the sitemaps and the News sitemaps (one per
    language with a story in the NEWS_WINDOW; none for a language without).

    The limits default to the module constants, read at call time."""
    max_urls = max_urls or MAX_URLS
    max_bytes = max_bytes or MAX_BYTES
    news_max_urls = news_max_urls or NEWS_MAX_URLS
    files: list[tuple[str, bytes]] = []
    listed: list[tuple[str, dt.datetime | None]] = []

    def add(name_of: Callable[[int], str], chunks: list[tuple[list, bytes]]) -> None:
        for number, (chunk, data) in enumerate(chunks, start=1):
            name = name_of(number)
            files.append((name, data))
            listed.append((name, max((e.lastmod for e in chunk if e.lastmod), default=None)))

    groups = _entries_by_folder(views, pages)
    for folder, entries in groups.items():
        render = lambda chunk: _urlset(chunk, linker)  # noqa: E731
        add(lambda number, folder=folder: urls.sitemap(folder, number),
            _split(entries, max_urls, max_bytes, render))
    for view in views.values():
        news = [_Entry(a.url, (), a.date) for a in recent_articles(view, now)]
        if not news:
            # The schema wants at least one <url> and every <url> a story of the window:
            # no valid News sitemap is empty, so there is none (and the index omits it).
            continue
        render = lambda chunk, view=view: _news_urlset(chunk, view, linker)  # noqa: E731
        add(lambda number, code=view.code: urls.news_sitemap(code, number),
            _split(news, news_max_urls, max_bytes, render))
    files.insert(0, (urls.SITEMAP_INDEX, _index(listed, linker)))
    return files


def hreflang_links(page: Page) -> list[tuple[str, str]]:
    """(hreflang, target) of a page's alternates, x-default last; none for pages that
    have no alternates (the 404 page, listing pages after the first)."""
    if not page.alternates:
        return []
    links = list(page.alternates)
    if page.x_default is not None:
        links.append(("x-default", page.x_default))
    return links


def recent_articles(view: ContentView, now: dt.datetime) -> list[Article]:
    """The language's articles published in the NEWS_WINDOW before `now`, newest first."""
    return [a for a in view.articles if now - NEWS_WINDOW <= a.date <= now]


def news_language(code: str) -> str:
    """The language code Google News wants: ISO 639, except zh-cn / zh-tw."""
    parts = code.replace("_", "-").lower().split("-")
    if parts[0] == "zh":
        return "zh-tw" if any(p in ("hant", "tw", "hk", "mo") for p in parts[1:]) else "zh-cn"
    return parts[0]


# ----- which URLs
def _entries_by_folder(views: dict[str, ContentView],
                       pages: Sequence[Page]) -> dict[str, list[_Entry]]:
    groups: dict[str, list[_Entry]] = {f"{code}/": [] for code in views}
    for page in pages:
        links = hreflang_links(page)
        if not links:
            continue
        first = page.url.split("/", 1)[0]
        folder = f"{first}/" if "/" in page.url and first in views else ""
        groups.setdefault(folder, []).append(
            _Entry(page.url, tuple(links), page_lastmod(page, views.get(page.lang))))
    return {folder: entries for folder, entries in groups.items() if entries}


def page_lastmod(page: Page, view: ContentView | None) -> dt.datetime | None:
    """When the page's content last changed: its article, the newest of the articles it
    lists, else the language's newest (every page shows its navigation and breaking
    news, which follow the language's articles)."""
    if page.article is not None:
        return page.article.modified
    shown = page.items or (view.articles if view is not None else ())
    return max((a.modified for a in shown), default=None)


# ----- splitting
def _split(entries: list[_Entry], max_urls: int, max_bytes: int,
           render: Callable[[list[_Entry]], bytes]) -> list[tuple[list[_Entry], bytes]]:
    """Render `entries` as files of at most `max_urls` URLs and `max_bytes` bytes
    (at least one file, possibly empty, so every listed sitemap exists)."""
    chunks = [entries[i:i + max_urls] for i in range(0, len(entries), max_urls)] or [[]]
    return [part for chunk in chunks for part in _fit(chunk, max_bytes, render)]


def _fit(chunk: list[_Entry], max_bytes: int, render) -> list[tuple[list[_Entry], bytes]]:
    data = render(chunk)
    if len(data) <= max_bytes or len(chunk) <= 1:
        return [(chunk, data)]
    half = len(chunk) // 2
    return _fit(chunk[:half], max_bytes, render) + _fit(chunk[half:], max_bytes, render)


# ----- XML
def _urlset(entries: list[_Entry], linker: Linker) -> bytes:
    root = element("urlset")
    for entry in entries:
        url = sub(root, "url")
        sub(url, "loc", linker.absolute(entry.url))
        if entry.lastmod is not None:
            sub(url, "lastmod", w3c_datetime(entry.lastmod))
        for hreflang, target in entry.alternates:
            sub(url, q(XHTML_NS, "link"), attrs={"rel": "alternate", "hreflang": hreflang,
                                                  "href": linker.absolute(target)})
    return to_bytes(root, {"xhtml": XHTML_NS}, default_namespace=SITEMAP_NS)


def _news_urlset(entries: list[_Entry], view: ContentView, linker: Linker) -> bytes:
    by_url = {a.url: a for a in view.articles}
    root = element("urlset")
    for entry in entries:
        article = by_url[entry.url]
        url = sub(root, "url")
        sub(url, "loc", linker.absolute(article.url))
        news = sub(url, q(NEWS_NS, "news"))
        publication = sub(news, q(NEWS_NS, "publication"))
        sub(publication, q(NEWS_NS, "name"), view.title)
        sub(publication, q(NEWS_NS, "language"), news_language(view.code))
        sub(news, q(NEWS_NS, "publication_date"), w3c_datetime(article.date))
        sub(news, q(NEWS_NS, "title"), article.title)
    return to_bytes(root, {"news": NEWS_NS}, default_namespace=SITEMAP_NS)


def _index(listed: list[tuple[str, dt.datetime | None]], linker: Linker) -> bytes:
    root = element("sitemapindex")
    for name, lastmod in listed:
        sitemap = sub(root, "sitemap")
        sub(sitemap, "loc", linker.absolute(name))
        if lastmod is not None:
            sub(sitemap, "lastmod", w3c_datetime(lastmod))
    return to_bytes(root, {}, default_namespace=SITEMAP_NS)
