"""Locale formatting: native digits, the Solar Hijri calendar, lists and time zones."""

import datetime as dt

import pytest

from dateline.calendars import persian_date
from dateline.localize import Formatter


def test_persian_numbers_use_persian_digits_and_separators():
    assert Formatter("fa", "UTC").number(27) == "۲۷"
    assert Formatter("fa", "UTC").number(1234.5) == "۱٬۲۳۴٫۵"


def test_latin_locales_keep_ascii_digits():
    assert Formatter("en", "UTC").number(1234.5) == "1,234.5"
    assert Formatter("ru", "UTC").number(1234) == "1\xa0234"


@pytest.mark.parametrize(("day", "expected"), [
    (dt.date(2018, 11, 1), "10 آبان 1397"),
    (dt.date(2026, 3, 21), "1 فروردین 1405"),
    (dt.date(2026, 3, 20), "29 اسفند 1404"),
])
def test_solar_hijri_dates_have_persian_month_names(day, expected):
    assert persian_date(dt.datetime.combine(day, dt.time(12))) == expected


def test_persian_calendar_dates_are_written_in_persian_digits():
    when = dt.datetime(2018, 11, 1, 9, 0, tzinfo=dt.UTC)
    assert Formatter("fa", "Asia/Tehran", "persian").date(when) == "۱۰ آبان ۱۳۹۷"


def test_gregorian_persian_dates_still_use_native_digits():
    when = dt.datetime(2018, 11, 1, 9, 0, tzinfo=dt.UTC)
    assert Formatter("fa", "UTC").date(when) == "۱ نوامبر ۲۰۱۸"


def test_dates_are_shown_in_the_site_time_zone():
    late_utc = dt.datetime(2026, 11, 27, 23, 30, tzinfo=dt.UTC)
    assert Formatter("en", "Europe/Prague").date(late_utc) == "November 28, 2026"
    assert Formatter("en", "UTC").date(late_utc) == "November 27, 2026"


@pytest.mark.parametrize(("locale", "expected"), [
    ("en", "AP, AFP, and Interfax"),
    ("ru", "AP, AFP и Interfax"),
    ("ka", "AP, AFP და Interfax"),
])
def test_agency_lists_follow_the_locale(locale, expected):
    assert Formatter(locale, "UTC").list(["AP", "AFP", "Interfax"]) == expected


def test_datetime_joins_date_and_time_in_the_locales_order():
    when = dt.datetime(2026, 11, 27, 8, 30, tzinfo=dt.UTC)
    assert Formatter("en", "UTC").datetime(when) == "November 27, 2026, 8:30\u202fAM"
    assert Formatter("ru", "UTC").datetime(when) == "27 ноября 2026\u202fг., 08:30"
