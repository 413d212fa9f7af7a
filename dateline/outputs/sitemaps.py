"""Sitemaps: an index at /sitemap.xml, one sitemap per language folder (split at the
protocol's limits), and a Google News sitemap per language with stories of the last 48 hours.

Every URL carries its hreflang alternates and x-default straight from the planned
pages (`Page.alternates`, `Page.x_default`), the same values the page heads print, so
the sitemap and the heads can never disagree.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from .. import urls
from ..model import Article
from ..urls import Linker
from .content_view import ContentView
from .pages import Page
from .xmlwrite import clean, element, q, sub, to_bytes, w3c_datetime

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
    language with a story in the NEWS_WINDOW; none for a language without), the index
    first: `sitemap_stream`'s files, held at once."""
    files = [(name, data if isinstance(data, bytes) else b"".join(data))
             for name, data in sitemap_stream(
        views, pages, linker, now, max_urls=max_urls, max_bytes=max_bytes,
        news_max_urls=news_max_urls)]
    return [files[-1], *files[:-1]]


def sitemap_stream(views: dict[str, ContentView], pages: Sequence[Page], linker: Linker,
                   now: dt.datetime, *, max_urls: int | None = None,
                   max_bytes: int | None = None,
                   news_max_urls: int | None = None
                   ) -> Iterator[tuple[str, bytes | Iterator[bytes]]]:
    """The sitemaps' files as `sitemap_files` makes them, each as it is made and the
    index last (it lists every other one): a caller writing each before asking for the
    next holds one file at a time, never every sitemap of the site (issue 19: 33 MB of
    XML at 60,000 articles, with an ElementTree of a language's URLs while each was
    serialized). A language's sitemaps come as their bytes in chunks, made as they are
    asked for (each file's chunks before the next file). The limits default to the
    module constants, read at call time."""
    max_urls = max_urls or MAX_URLS
    max_bytes = max_bytes or MAX_BYTES
    news_max_urls = news_max_urls or NEWS_MAX_URLS
    listed: list[tuple[str, dt.datetime | None]] = []
    for folder in _folders(views, pages):
        # Where each <url> block would end, and its lastmod: the blocks are made once to
        # be measured (the files' splits follow from their sizes), then again as each
        # file is written, a chunk at a time. No file of a folder is held whole (issue
        # 19: a language's sitemap is ~11 MB at 60,000 articles, the feeds' and
        # sitemaps' peak; ~55 MB at 300,000 articles).
        ends, lastmods = array("q"), []
        end = len(_URLSET)
        for page in _folder_pages(folder, views, pages):
            lastmod = page_lastmod(page, views.get(page.lang))
            end += len(_url_block(page.url, hreflang_links(page), lastmod, linker))
            ends.append(end)
            lastmods.append(lastmod)
        for number, (start, stop) in enumerate(_split_blocks(ends, max_urls, max_bytes),
                                               start=1):
            listed.append((urls.sitemap(folder, number),
                           max((m for m in lastmods[start:stop] if m), default=None)))
            yield listed[-1][0], (_urlset_chunks(
                islice(_folder_pages(folder, views, pages), start, stop),
                lastmods[start:stop], linker) if stop > start else _EMPTY_URLSET)
    for view in views.values():
        news = [_Entry(a.url, (), a.date) for a in recent_articles(view, now)]
        if not news:
            # The schema wants at least one <url> and every <url> a story of the window:
            # no valid News sitemap is empty, so there is none (and the index omits it).
            continue
        render = lambda chunk, view=view: _news_urlset(chunk, view, linker)  # noqa: E731
        for number, (chunk, data) in enumerate(_split(news, news_max_urls, max_bytes, render),
                                               start=1):
            listed.append((urls.news_sitemap(view.code, number),
                           max((e.lastmod for e in chunk if e.lastmod), default=None)))
            yield listed[-1][0], data
    yield urls.SITEMAP_INDEX, _index(listed, linker)


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
def _folder_of(page: Page, views: dict[str, ContentView]) -> str:
    """The sitemap a page is listed in: its language folder's, else the root's."""
    first = page.url.split("/", 1)[0]
    return f"{first}/" if "/" in page.url and first in views else ""


def _folders(views: dict[str, ContentView], pages: Sequence[Page]) -> list[str]:
    """The folders with a page to list: the languages' in order, then the root's."""
    having = {_folder_of(page, views) for page in pages if page.alternates}
    return [folder for folder in (*(f"{code}/" for code in views), "") if folder in having]


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
# A <urlset> is written as text, each <url> as ElementTree would serialize it indented
# (the same escaping, attribute order and namespace declarations: tests/test_sitemaps.py
# compares them), so that no tree of a language's every URL is held while it is written.
_URLSET = (f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns:xhtml="{XHTML_NS}" '
           f'xmlns="{SITEMAP_NS}">').encode()
_URLSET_END = b"\n</urlset>\n"
_EMPTY_URLSET = (f'<?xml version="1.0" encoding="UTF-8"?>\n'
                 f'<urlset xmlns="{SITEMAP_NS}" />\n').encode()


def _url_block(url: str, links: list[tuple[str, str]], lastmod: dt.datetime | None,
               linker: Linker) -> bytes:
    """One <url> with the indentation before it."""
    parts = ["\n  <url>\n    <loc>", _text(linker.absolute(url)), "</loc>"]
    if lastmod is not None:
        parts += ["\n    <lastmod>", _text(w3c_datetime(lastmod)), "</lastmod>"]
    for hreflang, target in links:
        parts += ['\n    <xhtml:link rel="alternate" hreflang="', _attribute(hreflang),
                  '" href="', _attribute(linker.absolute(target)), '" />']
    parts.append("\n  </url>")
    return "".join(parts).encode("utf-8")


CHUNK = 1 << 16
"""Bytes of a sitemap given to its writer at a time, at least (`_urlset_chunks`)."""


def _urlset_chunks(pages: Iterable[Page], lastmods: list[dt.datetime | None],
                   linker: Linker) -> Iterator[bytes]:
    """The <urlset> file of `pages` (with their `lastmods`), in chunks of `CHUNK` bytes or
    a little more."""
    chunk = bytearray(_URLSET)
    for page, lastmod in zip(pages, lastmods, strict=True):
        chunk += _url_block(page.url, hreflang_links(page), lastmod, linker)
        if len(chunk) >= CHUNK:
            yield bytes(chunk)
            chunk.clear()
    chunk += _URLSET_END
    yield bytes(chunk)


def _folder_pages(folder: str, views: dict[str, ContentView],
                  pages: Sequence[Page]) -> Iterator[Page]:
    """The pages a folder's sitemaps list, in plan order."""
    return (page for page in pages if page.alternates and _folder_of(page, views) == folder)


def _split_blocks(ends: array, max_urls: int, max_bytes: int) -> list[tuple[int, int]]:
    """(first, end) of the URLs of each file `_split` would make of these: at least one,
    of at most `max_urls` URLs, halved while over `max_bytes` (as `_fit` does, from the
    blocks' sizes: no file is made to be measured)."""
    starts = range(0, len(ends), max_urls) if ends else (0,)
    sizes = [end - (ends[n - 1] if n else len(_URLSET)) for n, end in enumerate(ends)]
    return [part for start in starts
            for part in _fit_sizes(sizes, start, min(start + max_urls, len(ends)), max_bytes)]


def _fit_sizes(sizes: list[int], start: int, stop: int, max_bytes: int
               ) -> list[tuple[int, int]]:
    size = (len(_URLSET) + sum(sizes[start:stop]) + len(_URLSET_END) if stop > start
            else len(_EMPTY_URLSET))
    if size <= max_bytes or stop - start <= 1:
        return [(start, stop)]
    half = start + (stop - start) // 2
    return _fit_sizes(sizes, start, half, max_bytes) + _fit_sizes(sizes, half, stop, max_bytes)


def _text(value: str) -> str:
    """Character data as ElementTree writes it (`xmlwrite.sub` cleans it first)."""
    return clean(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(value: str) -> str:
    """An attribute value as ElementTree writes it."""
    return (_text(value).replace('"', "&quot;").replace("\r", "&#13;")
            .replace("\n", "&#10;").replace("\t", "&#09;"))


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
