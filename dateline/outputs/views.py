"""What templates see: one `LanguageView` per language over the shared site.

A template never loops over every article checking `lang`; it asks its view for the
articles, sections, tags and translations of its own language (`content_view`), and for
what its page's head links to: feeds (`feeds`), social meta tags and JSON-LD (`structured`).
"""

from __future__ import annotations

from markupsafe import Markup

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
