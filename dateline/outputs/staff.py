"""Bylines and author pages: front matter `authors:` matched against the config's
`[authors.<key>]`, the staff list `/<lang>/authors/` and each author's page
`/<lang>/authors/<key>/` (bio, photo, then their articles, paginated like a section)."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from .. import urls
from ..authors import AuthorSettings
from ..model import Article
from .content_view import ContentView
from .pages import Page, Part, _paginate


@dataclass(frozen=True, slots=True)
class Byline:
    """One name of a byline: a configured author (with a page) or a name as written."""

    name: str
    url: str | None = None
    """The author page, in the byline's language; None for a name no author has."""


def author_index(authors: tuple[AuthorSettings, ...]) -> dict[str, AuthorSettings]:
    """What front matter may write for each author (key, name, names) → the author;
    the first author claims a name two of them share."""
    index: dict[str, AuthorSettings] = {}
    for author in authors:
        index.setdefault(author.key, author)
    for author in authors:
        for written in (author.name, *(name for _, name in author.names)):
            index.setdefault(written, author)
    return index


def bylines(view: ContentView, article: Article) -> tuple[Byline, ...]:
    """The article's authors as its page prints them (configured ones by the name they
    have in the view's language, once each)."""
    found, seen = [], set()
    for written in article.authors:
        author = view.author_named(written)
        if author is None:
            found.append(Byline(written))
        elif author.key not in seen:
            seen.add(author.key)
            found.append(Byline(author.name_in(view.code), urls.author(view.code, author.key)))
    return tuple(found)


def format_bylines(view: ContentView, article: Article, link) -> Markup:
    """The names as the language lists them, each isolated (<bdi>) and linked to its
    author page where it has one; `link` is the page's link function."""
    names = []
    for byline in bylines(view, article):
        name = f"<bdi>{escape(byline.name)}</bdi>"
        names.append(f'<a href="{escape(link(byline.url))}" rel="author">{name}</a>'
                     if byline.url else name)
    return Markup(view.format.list(names))


def by_author(view: ContentView, articles: tuple[Article, ...]
              ) -> dict[str, tuple[Article, ...]]:
    """Author key → their articles among `articles`, in the same order."""
    found: dict[str, list[Article]] = {a.key: [] for a in view.site.config.authors}
    for article in articles:
        keys = {author.key for written in article.authors
                if (author := view.author_named(written)) is not None}
        for key in keys:
            found[key].append(article)
    return {key: tuple(items) for key, items in found.items()}


def staff(view: ContentView) -> tuple[AuthorSettings, ...]:
    """Every configured author, sorted by name as the language alphabetises."""
    from ..i18n.collation import sort_key  # ICU loads only for sites with a staff

    collate = sort_key(view.language)
    return tuple(sorted(view.site.config.authors,
                        key=lambda a: (collate(a.name_in(view.code)), a.key)))


def author_pages(view: ContentView, views: dict[str, ContentView]) -> list[Part]:
    """The staff list and every author's pages, in every language (an author page
    lists the author's stories in its language, as sections do)."""
    if not view.site.config.authors:
        return []
    code = view.code
    lists = tuple((c, urls.authors_index(c)) for c in views)
    pages: list[Part] = [Page(url=urls.authors_index(code), template="authors.html",
                              kind="authors", lang=code, alternates=lists,
                              x_default=lists[0][1])]
    listed = view.authored
    for author in view.staff:
        alternates = tuple((c, urls.author(c, author.key)) for c in views)
        pages.append(_paginate(view, listed[author.key],
                               lambda n, k=author.key: urls.author(code, k, n),
                               template="author.html", kind="author",
                               heading=author.name_in(code), key=author.key,
                               alternates=alternates))
    return pages
