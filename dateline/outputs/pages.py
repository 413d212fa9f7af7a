"""Plan every page of the site: which template, which language, what it lists, and which
pages in other languages are its alternates (for the switcher and hreflang)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable

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


def plan_pages(views: dict[str, ContentView], default_language: str,
               more: Callable[[ContentView, dict[str, ContentView]], list[Page]] | None = None
               ) -> list[Page]:
    """Every page of the site, in a stable order."""
    # The chooser and the 404 page speak the default language, or the first language
    # built when the preview builds only some (`serve --lang`).
    default_language = default_language if default_language in views else next(iter(views))
    pages = [Page(url=urls.root_index(), template="root.html", kind="root",
                  lang=default_language,
                  alternates=tuple((c, urls.home(c)) for c in views),
                  x_default=urls.root_index()),
             Page(url=urls.not_found(), template="404.html", kind="404", lang=default_language)]
    sections = {c: {s.key for s in v.sections} for c, v in views.items()}
    tags = {c: {t.key for t in v.tags} for c, v in views.items()}
    stories: dict[int, tuple] = {}
    for view in views.values():
        pages.extend(_language_pages(view, views, sections, tags, stories))
        if more is not None:  # pages of modules built on this one (`desk_pages`)
            pages += more(view, views)
        # Each language's own, in its language and direction, for missing URLs under
        # its folder (no alternates: never in a sitemap).
        pages.append(Page(url=urls.not_found(view.code), template="404.html", kind="404",
                          lang=view.code))
    return pages


def _language_pages(view: ContentView, views: dict[str, ContentView],
                    sections: dict[str, set[str]], tags: dict[str, set[str]],
                    stories: dict[int, tuple]) -> list[Page]:
    """`sections` and `tags`: the keys each language has (for the alternates); `stories`:
    each story's group (by id, held) and the alternates of its article pages: one tuple
    for all its versions' pages, not one per page (issue 19)."""
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
    pages = _paginate(view, view.listing, lambda n: urls.home(code, n), template="home.html",
                      kind="home", heading=view.title, alternates=homes,
                      x_default=urls.root_index())
    for section in view.sections:
        items = tuple(by_section[section.key])
        alternates = tuple((c, urls.section(c, section.key)) for c in views
                           if section.key in sections[c])
        pages += _paginate(view, items, lambda n, k=section.key: urls.section(code, k, n),
                           template="listing.html", kind="section", heading=section.label,
                           key=section.key, alternates=alternates)
    for tag in view.tags:
        items = tuple(by_tag[tag.key])
        alternates = tuple((c, v.tag_url(tag.key)) for c, v in views.items()
                           if tag.key in tags[c])
        pages += _paginate(view, items, lambda n, k=tag.key: view.tag_url(k, n),
                           template="listing.html", kind="tag", heading=tag.label,
                           key=tag.key, alternates=alternates)
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
    for article in view.articles:
        group = view.translations_of(article)
        known = stories.get(id(group))
        if known is None:  # (the group is held with them: its id stands for it)
            known = stories[id(group)] = (group, tuple((a.lang, a.url) for a in group))
        alternates = known[1]
        pages.append(Page(
            url=article.url, template="article.html", kind="article", lang=code,
            heading=article.title, article=article, items=view.related(article),
            alternates=alternates,
            x_default=view.original_of(article).url,
        ))
    # An archived story leads its readers on to the related stories still in circulation.
    pages.extend(Page(url=article.url, template="article.html", kind="article", lang=code,
                      heading=article.title, article=article, items=view.related(article),
                      archived=True)
                 for article in view.archived)
    return pages


def _archive_pages(view: ContentView, views: dict[str, ContentView]) -> list[Page]:
    """The year and month archives; alternates in the languages of the same calendar
    that have the same period."""
    code, fmt = view.code, view.format

    def heading(period) -> str:
        return fmt.month(period.year, period.month) if period.month else fmt.year(period.year)

    having = {v.code: {(p.year, p.month) for p in v.archive.years + v.archive.months}
              for v in views.values() if v.format.calendar == fmt.calendar}
    pages: list[Page] = []
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
            pages += _paginate(view, period.articles,
                               lambda k, y=year, m=month: urls.archive(code, y, m, k),
                               template="archive.html", kind="month" if month else "year",
                               heading=heading(period),
                               key=f"{year:04d}/{month:02d}" if month else f"{year:04d}",
                               alternates=alternates, links=links)
    return pages


def _paginate(view: ContentView, items: tuple[Article, ...], url_of,
              x_default: str | None = None, **fields) -> list[Page]:
    per_page = view.site.config.site.per_page
    total = max(1, math.ceil(len(items) / per_page))
    all_urls = tuple(url_of(n) for n in range(1, total + 1))
    return [
        Page(url=all_urls[n - 1], lang=view.code,
             items=items[(n - 1) * per_page:n * per_page],
             pagination=Pagination(n, total, all_urls, len(items)),
             x_default=(x_default if x_default is not None else fields["alternates"][0][1])
             if n == 1 and fields["alternates"] else None,
             **{**fields, "alternates": fields["alternates"] if n == 1 else ()})
        for n in range(1, total + 1)
    ]
