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
