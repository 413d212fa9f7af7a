"""Calendars that Babel does not provide."""

from __future__ import annotations

import datetime as dt

PERSIAN_MONTHS = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
                  "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")


def persian_date(value: dt.datetime) -> str:
    """A Solar Hijri date in Persian: '10 آبان 1397' for 2018-11-01."""
    import jdatetime

    solar = jdatetime.date.fromgregorian(date=value.date())
    return f"{solar.day} {PERSIAN_MONTHS[solar.month - 1]} {solar.year}"


def persian_year_month(value: dt.date) -> tuple[int, int]:
    """The Solar Hijri year and month (1-12) of a Gregorian date."""
    import jdatetime

    solar = jdatetime.date.fromgregorian(date=value)
    return solar.year, solar.month


def persian_month(year: int, month: int) -> str:
    """A Solar Hijri month in Persian: 'آذر 1405'."""
    return f"{PERSIAN_MONTHS[month - 1]} {year}"
