"""Corrections as readers and machines see them: the language's corrections page
`/<lang>/corrections/` (every correction, newest first) and its Atom feed, schema.org
`CorrectionComment`s, and the notice a translation shows when its original was
corrected after it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .. import urls
from ..model import Article, Correction
from .content_view import ContentView
from .pages import Part, _paginate
from .xmlwrite import element, sub, w3c_datetime


def correction_entries(articles: tuple[Article, ...]
                       ) -> tuple[tuple[Article, Correction], ...]:
    """(article, correction) of every correction of `articles`, newest first."""
    entries = [(a, c) for a in articles for c in a.corrections]
    return tuple(sorted(entries, key=lambda e: (-e[1].date.timestamp(), e[0].url)))


def feed_url(lang: str) -> str:
    return urls.corrections_atom_feed(lang)


def corrections_pages(view: ContentView, views: dict[str, ContentView]) -> list[Part]:
    """The language's corrections pages (none when it has no correction); each page's
    `items` are the corrected articles, `corrections` the note shown with each."""
    entries = view.correction_entries
    if not entries:
        return []
    alternates = tuple((c, urls.corrections(c)) for c, v in views.items()
                       if v.correction_entries)
    return [_paginate(view, tuple(a for a, _ in entries),
                      lambda n: urls.corrections(view.code, n), template="corrections.html",
                      kind="corrections", alternates=alternates,
                      notes=tuple(c for _, c in entries))]


def original_correction(view: ContentView, article: Article) -> Correction | None:
    """For a translation: its original's latest correction, when it came after the
    translation's own last change (the translation may still carry the error)."""
    original = view.original_of(article)
    if original.url == article.url or not original.corrections:
        return None
    latest = original.corrections[-1]
    return latest if latest.date > article.modified else None


def correction_ld(article: Article) -> list[dict]:
    """schema.org `correction` of a NewsArticle: one CorrectionComment per note."""
    return [{"@type": "CorrectionComment", "text": c.text,
             "datePublished": c.date.isoformat(timespec="seconds")}
            for c in article.corrections]


def anchor(article: Article, correction: Correction) -> str:
    """The fragment of one correction on its article's page."""
    return f"correction-{article.corrections.index(correction) + 1}"


def atom_correction(article: Article, correction: Correction, title: str,
                    absolute) -> ET.Element:
    """One Atom entry of the corrections feed; `absolute` makes a target absolute."""
    url = absolute(article.url)
    entry = element("entry")
    sub(entry, "id", f"{url}#{anchor(article, correction)}")
    sub(entry, "title", title, {"type": "text"})
    sub(entry, "link", attrs={"rel": "alternate", "type": "text/html",
                              "hreflang": article.lang,
                              "href": f"{url}#{anchor(article, correction)}"})
    sub(entry, "published", w3c_datetime(correction.date))
    sub(entry, "updated", w3c_datetime(correction.date))
    sub(entry, "summary", correction.text, {"type": "text"})
    return entry
