"""Files for feed readers, aggregators and search engines (feeds, sitemaps, robots.txt)."""

from __future__ import annotations

import datetime as dt

from .model import Site
from .pages import Page
from .urls import Linker
from .views import LanguageView


def discovery_files(site: Site, views: dict[str, LanguageView], pages: list[Page],
                    linker: Linker, now: dt.datetime) -> list[tuple[str, bytes]]:
    """(output file, bytes) of every feed, sitemap and robots.txt."""
    return []
