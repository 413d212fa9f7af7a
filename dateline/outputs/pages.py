"""Plan every page of the site: which template, which language, what it lists, and which
pages in other languages are its alternates (for the switcher and hreflang)."""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence

import msgspec

from .. import urls
from ..model import Article, Correction
from .content_view import ContentView

PAGER_REACH = 2
"""Pages linked by number either side of the current one (the first and last always)."""


class Pagination(msgspec.Struct, frozen=True):
    number: int
    total: int
    urls: tuple[str, ...]
    """URL of every page of the listing, first to last."""
    item_count: int = 0
    """How many items the whole listing has, over all its pages."""

    @property
    def previous_url(self) -> str | None:
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.urls[self.number] if self.number < self.total else None

    def window(self) -> tuple[tuple[int, str | None], ...]:
        """(number, URL) of the pages this page links to by number: the first, the last
        and those within `PAGER_REACH` of this one, with (0, None) where pages are left
        out. Linking every page would put n links on each of a listing's n pages: a home
        page of 10,000 pages would carry 100 million links."""
        shown = sorted({1, self.total, *range(max(1, self.number - PAGER_REACH),
                                              min(self.total, self.number + PAGER_REACH) + 1)})
        links: list[tuple[int, str | None]] = []
        for number in shown:
            last = links[-1][0] if links else 0
            if number - last == 2:  # one page left out: link it rather than a gap
                links.append((last + 1, self.urls[last]))
            elif number - last > 2:
                links.append((0, None))
            links.append((number, self.urls[number - 1]))
        return tuple(links)


class Page(msgspec.Struct, frozen=True):
    """One HTML file to write."""

    url: str
    template: str
    kind: str
    """root, home, section, tag, tags, year, month, article, about, search, 404, authors,
    author or corrections."""
    lang: str
    heading: str = ""
    article: Article | None = None
    items: tuple[Article, ...] = ()
    pagination: Pagination | None = None
    key: str = ""
    """The section or tag key, for listings."""
    alternates: tuple[tuple[str, str], ...] = ()
    """(language code, url) of this page in every language that has it, this one included."""
    x_default: str | None = None
    archived: bool = False
    """An article past its `expires`: its page says so and asks search engines not to
    index it; it has no alternates (which its fingerprint covers) and is in no sitemap."""
    links: tuple[tuple[str, str, str], ...] = ()
    """(role, url, label) of related listings: on a date archive, the older and newer
    period that has articles ("older", "newer") and, on a year's, its months ("month")."""
    corrections: tuple[Correction, ...] = ()
    """On a corrections page: the correction shown with each of `items`."""

    @property
    def file(self) -> str:
        return urls.output_file(self.url)


Part = Page | Sequence[Page]
"""Of a plan: a page, or a run of pages made when asked for (`ListingRun`, `ArticleRun`)."""


def plan_pages(views: dict[str, ContentView], default_language: str,
               more: Callable[[ContentView, dict[str, ContentView]], list[Part]] | None = None
               ) -> PlannedPages:
    """Every page of the site, in a stable order."""
    # The chooser and the 404 page speak the default language, or the first language
    # built when the preview builds only some (`serve --lang`).
    default_language = default_language if default_language in views else next(iter(views))
    pages: list[Part] = [
        Page(url=urls.root_index(), template="root.html", kind="root", lang=default_language,
             alternates=tuple((c, urls.home(c)) for c in views), x_default=urls.root_index()),
        Page(url=urls.not_found(), template="404.html", kind="404", lang=default_language)]
    sections = {c: {s.key for s in v.sections} for c, v in views.items()}
    tags = {c: {t.key for t in v.tags} for c, v in views.items()}
    for view in views.values():
        pages.extend(_language_pages(view, views, sections, tags))
        if more is not None:  # pages of modules built on this one (`desk_pages`)
            pages += more(view, views)
        # Each language's own, in its language and direction, for missing URLs under
        # its folder (no alternates: never in a sitemap).
        pages.append(Page(url=urls.not_found(view.code), template="404.html", kind="404",
                          lang=view.code))
    return PlannedPages(pages)


def _language_pages(view: ContentView, views: dict[str, ContentView],
                    sections: dict[str, set[str]], tags: dict[str, set[str]]) -> list[Part]:
    """`sections` and `tags`: the keys each language has (for the alternates)."""
    code = view.code
    homes = tuple((c, urls.home(c)) for c in views)
    # One pass over the listing for every section and tag (not one pass per tag).
    by_section: dict[str, list[Article]] = defaultdict(list)
    by_tag: dict[str, list[Article]] = defaultdict(list)
    for article in view.listing:
        by_section[article.section].append(article)
        for tag in article.tags:
            by_tag[tag].append(article)
    # The homes' x-default is the root language chooser, which lists them all.
    pages: list[Part] = [_paginate(view, view.listing, lambda n: urls.home(code, n),
                                   template="home.html", kind="home", heading=view.title,
                                   alternates=homes, x_default=urls.root_index())]
    for section in view.sections:
        items = tuple(by_section[section.key])
        alternates = tuple((c, urls.section(c, section.key)) for c in views
                           if section.key in sections[c])
        pages.append(_paginate(view, items, lambda n, k=section.key: urls.section(code, k, n),
                               template="listing.html", kind="section",
                               heading=section.label, key=section.key,
                               alternates=alternates))
    for tag in view.tags:
        items = tuple(by_tag[tag.key])
        alternates = tuple((c, v.tag_url(tag.key)) for c, v in views.items()
                           if tag.key in tags[c])
        pages.append(_paginate(view, items, lambda n, k=tag.key: view.tag_url(k, n),
                               template="listing.html", kind="tag", heading=tag.label,
                               key=tag.key, alternates=alternates))
    if view.tags:
        alternates = tuple((c, urls.tags_index(c)) for c, v in views.items() if v.tags)
        pages.append(Page(url=urls.tags_index(code), template="tags.html", kind="tags",
                          lang=code, alternates=alternates, x_default=alternates[0][1]))
    pages += _archive_pages(view, views)
    abouts = tuple((c, urls.about(c)) for c in views)
    pages.append(Page(url=urls.about(code), template="about.html", kind="about", lang=code,
                      heading=view.title, alternates=abouts, x_default=abouts[0][1]))
    if view.search_url is not None:  # no alternates: never in a sitemap
        pages.append(Page(url=view.search_url, template="search.html", kind="search",
                          lang=code, heading=view.title))
    pages.append(ArticleRun(view, view.articles))
    # An archived story leads its readers on to the related stories still in circulation.
    pages.append(ArticleRun(view, view.archived, archived=True))
    return pages


def _archive_pages(view: ContentView, views: dict[str, ContentView]) -> list[Part]:
    """The year and month archives; alternates in the languages of the same calendar
    that have the same period."""
    code, fmt = view.code, view.format

    def heading(period) -> str:
        return fmt.month(period.year, period.month) if period.month else fmt.year(period.year)

    having = {v.code: {(p.year, p.month) for p in v.archive.years + v.archive.months}
              for v in views.values() if v.format.calendar == fmt.calendar}
    pages: list[Part] = []
    for periods in (view.archive.years, view.archive.months):
        for n, period in enumerate(periods):
            year, month = period.year, period.month
            older = periods[n + 1] if n + 1 < len(periods) else None
            newer = periods[n - 1] if n else None
            links = tuple((role, urls.archive(code, p.year, p.month), heading(p))
                          for role, p in (("older", older), ("newer", newer)) if p is not None)
            if not month:  # a year's page lists its months, in calendar order
                links += tuple(("month", urls.archive(code, p.year, p.month), heading(p))
                               for p in reversed(view.archive.months) if p.year == year)
            alternates = tuple((other, urls.archive(other, year, month))
                               for other, periods_of in having.items()
                               if (year, month) in periods_of)
            pages.append(_paginate(
                view, period.articles, lambda k, y=year, m=month: urls.archive(code, y, m, k),
                template="archive.html", kind="month" if month else "year",
                heading=heading(period),
                key=f"{year:04d}/{month:02d}" if month else f"{year:04d}",
                alternates=alternates, links=links))
    return pages


def _paginate(view: ContentView, items: tuple[Article, ...], url_of,
              x_default: str | None = None, notes: tuple[Correction, ...] | None = None,
              **fields) -> ListingRun:
    """A listing's pages, `per_page` items each (at least one page, empty or not);
    `notes`, the correction shown with each item (on a corrections page)."""
    per_page = view.site.config.site.per_page
    total = max(1, math.ceil(len(items) / per_page))
    alternates = fields.pop("alternates")
    if alternates and x_default is None:
        x_default = alternates[0][1]
    return ListingRun(view.code, items, tuple(url_of(n) for n in range(1, total + 1)),
                      per_page, alternates, x_default if alternates else None, notes,
                      fields)


class ListingRun(Sequence):
    """A listing's pages, each made when asked for: what they are made from is held
    once for the listing (its items, its pages' URLs), not a `Page`, a slice of the
    items and a `Pagination` for each page (~460 bytes a page, ~0.77 listing pages an
    article: issue 19). The first page alone has the alternates (the other pages are
    in no sitemap, and no language switcher links them)."""

    __slots__ = ("lang", "items", "urls", "per_page", "alternates", "x_default", "notes",
                 "fields")

    def __init__(self, lang: str, items: tuple[Article, ...], page_urls: tuple[str, ...],
                 per_page: int, alternates: tuple[tuple[str, str], ...],
                 x_default: str | None, notes: tuple[Correction, ...] | None, fields: dict):
        self.lang, self.items, self.urls, self.per_page = lang, items, page_urls, per_page
        self.alternates, self.x_default, self.notes = alternates, x_default, notes
        self.fields = fields
        """template, kind, heading and key; `links` on a date archive."""

    def __len__(self) -> int:
        return len(self.urls)

    def __getitem__(self, n):
        if isinstance(n, slice):
            return [self[i] for i in range(*n.indices(len(self)))]
        total = len(self.urls)
        if n < 0:
            n += total
        if not 0 <= n < total:
            raise IndexError(n)
        start, stop = n * self.per_page, (n + 1) * self.per_page
        return Page(url=self.urls[n], lang=self.lang, items=self.items[start:stop],
                    pagination=Pagination(n + 1, total, self.urls, len(self.items)),
                    alternates=self.alternates if n == 0 else (),
                    x_default=self.x_default if n == 0 else None,
                    corrections=self.notes[start:stop] if self.notes is not None else (),
                    **self.fields)

    def __iter__(self) -> Iterator[Page]:
        return map(self.__getitem__, range(len(self.urls)))


class ArticleRun(Sequence):
    """A language's article pages (or its archived ones), each made when asked for from
    its article, its related stories (found once, when planned: their places in the
    language's listing) and the view (its story's versions: the alternates and the
    x-default). An article page held ~220 bytes besides its article (issue 19); the run
    holds ~20 bytes an article."""

    __slots__ = ("view", "articles", "archived", "related", "ends")

    def __init__(self, view: ContentView, articles: tuple[Article, ...],
                 archived: bool = False):
        self.view, self.articles, self.archived = view, articles, archived
        self.related = array("I")
        """The places in `view.listing` of each article's related stories, one after
        the other; an article's end at its place in `ends`."""
        self.ends = array("I")
        for article in articles:
            self.related.extend(view.related_places(article))
            self.ends.append(len(self.related))

    def __len__(self) -> int:
        return len(self.articles)

    def __getitem__(self, n):
        if isinstance(n, slice):
            return [self[i] for i in range(*n.indices(len(self)))]
        article = self.articles[n]
        if n < 0:
            n += len(self.articles)
        view = self.view
        start = self.ends[n - 1] if n else 0
        items = tuple(map(view.listing.__getitem__, self.related[start:self.ends[n]]))
        if self.archived:  # out of circulation: no alternates, in no sitemap
            return Page(url=article.url, template="article.html", kind="article",
                        lang=view.code, heading=article.title, article=article,
                        items=items, archived=True)
        # (Made for every page each time the plan is read: loops, not generators.)
        group = view.translations_of(article)
        original = group[0]
        for version in group:
            if version.original:
                original = version
                break
        return Page(url=article.url, template="article.html", kind="article",
                    lang=view.code, heading=article.title, article=article, items=items,
                    alternates=tuple([(version.lang, version.url) for version in group]),
                    x_default=original.url)

    def __iter__(self) -> Iterator[Page]:
        return map(self.__getitem__, range(len(self.articles)))


class PlannedPages(Sequence):
    """Every page of the plan, in order, as the parts that make them: pages, and runs
    of pages made when asked for. A page asked for is made again each time (an equal
    value, not the same object): hold it only as long as it is used. The plan of
    60,000 articles held ~40 MB of pages from planning to the end of the build."""

    __slots__ = ("_parts", "_starts", "_length")

    def __init__(self, parts: Iterable[Part]):
        self._parts: list[Sequence[Page]] = []
        self._starts = array("q")
        loose: list[Page] = []  # consecutive pages, one part
        length = 0
        for part in parts:
            if isinstance(part, Page):
                if not loose:
                    self._parts.append(loose := [])
                    self._starts.append(length)
                loose.append(part)
                length += 1
            elif len(part):
                loose = []
                self._parts.append(part)
                self._starts.append(length)
                length += len(part)
        self._length = length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, n):
        if isinstance(n, slice):
            return [self[i] for i in range(*n.indices(self._length))]
        if n < 0:
            n += self._length
        if not 0 <= n < self._length:
            raise IndexError(n)
        part = bisect_right(self._starts, n) - 1
        return self._parts[part][n - self._starts[part]]

    def __iter__(self) -> Iterator[Page]:
        for part in self._parts:
            yield from part
