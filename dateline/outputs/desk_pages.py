"""The news desk's pages of a language: its staff and author pages, and its corrections
(`plan_pages` takes them through its `more` argument: they build on `pages`)."""

from __future__ import annotations

from .content_view import ContentView
from .corrections import corrections_pages
from .pages import Part
from .staff import author_pages


def desk_pages(view: ContentView, views: dict[str, ContentView]) -> list[Part]:
    return author_pages(view, views) + corrections_pages(view, views)
