"""Date archives: a language's listing grouped by year and by month of its calendar.

The months are the calendar's own (`calendar = "persian"`: Solar Hijri months, which
straddle two Gregorian ones), so the archive URLs carry the calendar's year and month
numbers too: `/fa/1405/09/` is Azar 1405. A Gregorian URL could not name a Solar Hijri
month. Dates are taken in the language's time zone, as its pages show them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..i18n.localize import Formatter
from ..model import Article


@dataclass(frozen=True, slots=True)
class Period:
    year: int
    month: int
    """1-12, or 0 for the whole year."""
    articles: tuple[Article, ...]
    """Newest first, as the listing."""


@dataclass(frozen=True, slots=True)
class Archive:
    years: tuple[Period, ...]
    months: tuple[Period, ...]
    """Both newest first; only periods that have articles."""

    @property
    def newest_year(self) -> Period | None:
        return self.years[0] if self.years else None


def archive_of(listing: tuple[Article, ...], format: Formatter) -> Archive:
    by_month: dict[tuple[int, int], list[Article]] = defaultdict(list)
    for article in listing:
        by_month[format.period(article.date)].append(article)
    by_year: dict[int, list[Article]] = defaultdict(list)
    for (year, _month), articles in sorted(by_month.items(), reverse=True):
        by_year[year].extend(articles)
    months = tuple(Period(year, month, tuple(articles))
                   for (year, month), articles in sorted(by_month.items(), reverse=True))
    years = tuple(Period(year, 0, tuple(articles))
                  for year, articles in sorted(by_year.items(), reverse=True))
    return Archive(years=years, months=months)
