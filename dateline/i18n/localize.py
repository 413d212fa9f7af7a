"""Locale-aware formatting of dates, numbers and lists, by Babel (and jdatetime for the
Solar Hijri calendar, which CLDR data in Babel does not cover)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton, get_datetime_format
from babel.lists import format_list
from babel.numbers import format_decimal

from .zonenames import time_with_zone

# First code point of the digits 0-9 of each CLDR numbering system that has its own.
_DIGIT_ZERO = {"arab": 0x0660, "arabext": 0x06F0, "beng": 0x09E6, "deva": 0x0966,
               "mymr": 0x1040, "thai": 0x0E50, "tibt": 0x0F20}


@dataclass(frozen=True)
class Formatter:
    """Formats values for one language; holds no mutable state, so workers can share it."""

    locale_name: str
    timezone: str
    calendar: str = "gregorian"

    @cached_property
    def locale(self) -> Locale:
        return Locale.parse(self.locale_name)

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def _digits(self) -> dict[int, str] | None:
        zero = _DIGIT_ZERO.get(self.locale.default_numbering_system)
        return {ord("0") + i: chr(zero + i) for i in range(10)} if zero else None

    def native_digits(self, text: str) -> str:
        """Write ASCII digits in the locale's own digits where CLDR says so (fa: ۲۷)."""
        return text.translate(self._digits) if self._digits else text

    def date(self, value: dt.datetime) -> str:
        # Remembered by the local day, not by the instant: a listing shows the same days
        # again and again, and a decades-long archive has a few thousand days against
        # hundreds of thousands of instants (issue 19: a memo by instant held ~900 bytes
        # per article in every process). A long date names the day alone.
        return self._day_text(value.astimezone(self.zone))

    def _day_text(self, local: dt.datetime) -> str:
        day = local.date()
        text = self._dates.get(day)
        if text is None:
            text = self._dates[day] = self._date(local)
        return text

    @cached_property
    def _dates(self) -> dict:
        return {}

    def _date(self, local: dt.datetime) -> str:
        if self.calendar == "persian":
            from .calendars import persian_date

            return self.native_digits(persian_date(local))
        return self.native_digits(format_date(local, "long", locale=self.locale))

    def period(self, value: dt.datetime) -> tuple[int, int]:
        """(year, month) of `value` in this language's zone and calendar: the month of
        the date archives (`/fa/1405/09/` is Azar 1405, not a Gregorian month)."""
        local = value.astimezone(self.zone)
        if self.calendar == "persian":
            from .calendars import persian_year_month

            return persian_year_month(local.date())
        return local.year, local.month

    def month(self, year: int, month: int) -> str:
        """A month of this language's calendar as a heading ('November 2026')."""
        if self.calendar == "persian":
            from .calendars import persian_month

            return self.native_digits(persian_month(year, month))
        # CLDR's year-month pattern (ru: "ноябрь 2026 г.", standalone where it says so).
        return self.native_digits(format_skeleton("yMMMM", dt.date(year, month, 1),
                                                  locale=self.locale))

    def year(self, year: int) -> str:
        return self.native_digits(str(year))

    def time(self, value: dt.datetime) -> str:
        """The time of day in this language's zone, naming the zone ('5:10 AM Afghanistan
        Time'): a reader must never take the newsroom's clock for their own."""
        return self._clock_text(value.astimezone(self.zone))

    def _clock_text(self, local: dt.datetime) -> str:
        # A short time shows hours and minutes, and the zone's name depends only on its
        # offset and summer time: at most 1,440 texts per offset, however long the archive.
        key = (local.hour, local.minute, local.utcoffset(), local.dst())
        text = self._times.get(key)
        if text is None:
            text = self._times[key] = self.native_digits(
                time_with_zone(local, self.locale, self._zone_names))
        return text

    @cached_property
    def _times(self) -> dict:
        return {}

    @cached_property
    def _zone_names(self) -> dict:
        return {}

    def datetime(self, value: dt.datetime) -> str:
        """Date and time in the locale's own order and connective ('{1}, {0}')."""
        local = value.astimezone(self.zone)
        return self._datetime_pattern.format(self._clock_text(local), self._day_text(local))

    @cached_property
    def _datetime_pattern(self) -> str:
        return get_datetime_format("long", locale=self.locale).replace("'", "")

    def number(self, value: float) -> str:
        # Every listing page numbers its pagination links (1, 2, 3...): the same few
        # numbers thousands of times. By type too: 1 and 1.0 are equal keys.
        key = (type(value), value)
        cached = self._numbers.get(key)
        if cached is None:
            cached = self._numbers[key] = self.native_digits(
                format_decimal(value, locale=self.locale, numbering_system="default"))
        return cached

    @cached_property
    def _numbers(self) -> dict:
        return {}

    def list(self, items: list[str] | tuple[str, ...]) -> str:
        # The same bylines and agencies on many pages: each list is made once.
        if not items:
            return ""
        key = tuple(items)
        cached = self._lists.get(key)
        if cached is None:
            cached = self._lists[key] = format_list(list(items), locale=self.locale)
        return cached

    @cached_property
    def _lists(self) -> dict:
        return {}

    def iso(self, value: dt.datetime) -> str:
        return value.isoformat()
