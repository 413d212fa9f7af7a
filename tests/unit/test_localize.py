"""Locale formatting: native digits, the Solar Hijri calendar, lists and time zones."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, get_datetime_format
from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.i18n.calendars import persian_date
from dateline.i18n.localize import Formatter
from dateline.i18n.zonenames import time_with_zone


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
    assert Formatter("en", "UTC").datetime(when) == "November 27, 2026, 8:30\u202fAM UTC"
    assert Formatter("ru", "UTC").datetime(when) == "27 ноября 2026\u202fг., 08:30 UTC"


HERAT_QUAKE = dt.datetime.fromisoformat("2026-10-08T05:10:00+04:30")


@pytest.mark.parametrize(("locale", "zone", "calendar", "expected"), [
    # A half-hour offset: the reader sees the local clock and the zone it belongs to.
    ("en", "Asia/Kabul", "gregorian", "October 8, 2026, 5:10\u202fAM Afghanistan Time"),
    ("fa", "Asia/Kabul", "persian", "۱۶ مهر ۱۴۰۵، ساعت ۵:۱۰ (وقت افغانستان)"),
    ("ps", "Asia/Kabul", "gregorian", "۸ اکتوبر ۲۰۲۶ ۵:۱۰ (افغانستان وخت)"),
    ("fa", "Asia/Tehran", "persian", "۱۶ مهر ۱۴۰۵، ساعت ۴:۱۰ (وقت عادی ایران)"),
    ("en", "Europe/Prague", "gregorian",
     "October 8, 2026, 2:40\u202fAM Central European Summer Time"),
    ("en", "America/New_York", "gregorian", "October 7, 2026, 8:40\u202fPM EDT"),
    ("en", "Asia/Kathmandu", "gregorian", "October 8, 2026, 6:25\u202fAM Nepal Time"),
    ("uz", "Asia/Tashkent", "gregorian", "8-oktabr, 2026, 05:40 (O‘zbekiston standart vaqti)"),
    ("zh", "Asia/Shanghai", "gregorian", "2026年10月8日 中国标准时间 08:40"),
])
def test_times_are_in_the_languages_zone_and_name_it(locale, zone, calendar, expected):
    assert Formatter(locale, zone, calendar).datetime(HERAT_QUAKE) == expected


def test_a_zone_without_a_name_is_shown_as_a_localised_offset():
    # Babel writes a missing short name as a bare '+0430'; readers need 'GMT+04:30'.
    when = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    assert Formatter("en", "Etc/GMT-3").time(when) == "3:00\u202fPM GMT+03:00"


@pytest.mark.parametrize("locale", ["en", "ru", "fa", "ps", "tr", "uz", "ja", "ko", "zh", "ar",
                                    "bg", "ka", "hi", "sv", "de"])
@pytest.mark.parametrize("zone", ["UTC", "Asia/Kabul", "Europe/Prague", "Asia/Kolkata"])
def test_every_shown_time_names_its_zone(locale, zone):
    formatter = Formatter(locale, zone)
    local = HERAT_QUAKE.astimezone(formatter.zone)
    from dateline.i18n.zonenames import zone_name

    shown = formatter.time(HERAT_QUAKE)
    assert formatter.native_digits(zone_name(local, formatter.locale)) in shown
    assert "+0" not in shown  # never Babel's bare offset


def test_dates_are_remembered_by_instant_not_by_wall_clock():
    # 02:30 in Prague happens twice on 26 October 2025 (clocks go back at 03:00): equal
    # as datetimes of one zone, an hour apart, on either side of midnight at UTC-1.
    from zoneinfo import ZoneInfo

    first = dt.datetime(2025, 10, 26, 2, 30, tzinfo=ZoneInfo("Europe/Prague"))
    second = first.replace(fold=1)
    assert first == second
    formatter = Formatter("en", "Etc/GMT+1")
    assert [formatter.date(first), formatter.date(second), formatter.date(first)] == [
        "October 25, 2025", "October 26, 2025", "October 25, 2025"]



_INSTANTS = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2040, 1, 1),
                         timezones=st.just(dt.UTC))


@settings(max_examples=150, deadline=None)
@given(instants=st.lists(_INSTANTS, min_size=1, max_size=40),
       language=st.sampled_from([("en", "America/New_York", "gregorian"),
                                 ("ru", "Europe/Moscow", "gregorian"),
                                 ("fa", "Asia/Tehran", "persian"),
                                 ("fa", "Asia/Kabul", "gregorian")]))
def test_remembered_dates_and_times_are_babels_own(instants, language):
    # The memos are keyed by the local day and minute: what they answer must be what
    # Babel (or the Solar Hijri calendar) makes of the instant itself, in any order.
    locale, zone, calendar = language
    formatter = Formatter(locale, zone, calendar)
    for when in instants + instants[::-1]:
        local = when.astimezone(ZoneInfo(zone))
        day = (persian_date(local) if calendar == "persian"
               else format_date(local, "long", locale=locale))
        clock = time_with_zone(local, formatter.locale)
        pattern = get_datetime_format("long", locale=locale).replace("'", "")
        assert formatter.date(when) == formatter.native_digits(day)
        assert formatter.time(when) == formatter.native_digits(clock)
        assert formatter.datetime(when) == pattern.format(formatter.native_digits(clock),
                                                          formatter.native_digits(day))


def test_an_archive_of_instants_is_remembered_by_its_days_and_minutes():
    # Issue 19: a memo by instant held ~900 bytes per article in every process. Ten
    # thousand articles a few minutes apart over a week: a week of days, a day of minutes.
    formatter = Formatter("en", "Europe/London")
    start = dt.datetime(2026, 3, 25, tzinfo=dt.UTC)  # clocks go forward on the 29th
    for n in range(10_000):
        when = start + dt.timedelta(minutes=n, seconds=n % 7)
        formatter.datetime(when)
        formatter.date(when)
    assert len(formatter._dates) == 7  # 25 to 31 March, London time
    assert len(formatter._times) == 2 * 1440  # every minute, in GMT and in BST
