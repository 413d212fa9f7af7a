"""What templates see: one `LanguageView` per language over the shared site.

A template never loops over every article checking `lang`; it asks its view for the
articles, sections, tags and translations of its own language (`content_view`), and for
what its page's head links to: feeds (`feeds`), social meta tags and JSON-LD (`structured`).
"""

from __future__ import annotations

from functools import cached_property

from markupsafe import Markup

from .. import urls
from ..model import Article
from . import corrections, staff
from .content_view import ContentView, Entry
from .feeds import feed_links
from .pages import Page
from .structured import Absolute, json_ld_scripts, social_meta

__all__ = ["ContentView", "Entry", "LanguageView"]


class LanguageView(ContentView):
    """One language's window on the site, as templates see it."""

    # ----- head metadata for partials/head_meta.html
    def feed_links(self, page: Page) -> list[tuple[str, str, str]]:
        """(MIME type, title, target) of the feeds the page's head links to."""
        return feed_links(self, page)

    def social_meta(self, page: Page, absolute: Absolute) -> list[tuple[str, str, str]]:
        """(attribute, name, content) of the page's Open Graph and Twitter meta tags."""
        return social_meta(self, page, absolute)

    def json_ld(self, page: Page, absolute: Absolute) -> list[Markup]:
        """The page's JSON-LD objects, each escaped for one <script> element."""
        return json_ld_scripts(self, page, absolute)

    # ----- the news desk: authors and corrections (logic: staff, corrections)
    @cached_property
    def _author_index(self) -> dict:
        return staff.author_index(self.site.config.authors)

    def author_named(self, written: str):
        """The configured author that front matter's `authors:` means by `written`."""
        return self._author_index.get(written)

    @cached_property
    def staff(self) -> tuple:
        """Every configured author, in the language's alphabetical order."""
        return staff.staff(self)

    @cached_property
    def authored(self) -> dict[str, tuple[Article, ...]]:
        """Author key → the author's stories in this language's listings."""
        return staff.by_author(self, self.listing)

    def bylines(self, article: Article) -> tuple:
        return staff.bylines(self, article)

    def format_bylines(self, article: Article, link) -> Markup:
        """The byline's names, listed, isolated and linked to their author pages."""
        return staff.format_bylines(self, article, link)

    def portrait(self, key: str):
        """The author's planned photo, or None."""
        return dict(self.site.portraits).get(key)

    def author_url(self, key: str, page: int = 1) -> str:
        return urls.author(self.code, key, page)

    @property
    def authors_url(self) -> str:
        return urls.authors_index(self.code)

    @cached_property
    def correction_entries(self) -> tuple:
        """(article, correction) of every correction of this language's articles, newest
        first (a translation's corrections are its own)."""
        return corrections.correction_entries(self.articles)

    @property
    def corrections_url(self) -> str:
        return urls.corrections(self.code)

    def original_correction(self, article: Article):
        """The original's latest correction, when a translation has not caught up."""
        return corrections.original_correction(self, article)

    def correction_anchor(self, article: Article, correction) -> str:
        return corrections.anchor(article, correction)
