"""A time of day that names its zone, in the reader's language, from CLDR data by Babel.

CLDR has no pattern for "short time with zone": its zone-bearing time patterns ('full')
carry seconds. So the short time is written as the locale writes it, and the zone is put
where the locale's full pattern puts it, with its brackets: '۵:۱۰ (وقت افغانستان)'.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from babel import Locale
from babel.dates import (
    format_time,
    get_time_format,
    get_timezone_gmt,
    get_timezone_name,
    tokenize_pattern,
)

_ZONE_FIELDS = set("zvVOZxX")
# Keep spaces, commas and brackets round the zone; drop words that belong to the
# seconds ('秒 ', 'ч. '), which the short time does not show.
_BEFORE = re.compile(r"[\s,(\[]*$")
_AFTER = re.compile(r"^[\s,)\]]*")


def time_with_zone(local: dt.datetime, locale: Locale, names: dict | None = None) -> str:
    """`local` (already in its zone) as '5:10 AM Afghanistan Time', '05:10 Афганистан'.
    `names` remembers zone names between calls: a name depends only on the zone, summer
    time and the offset, and looking one up costs more than formatting the time."""
    time = format_time(local, "short", tzinfo=local.tzinfo, locale=locale)
    zone_first, before, after = _layout(str(locale))
    key = (local.tzinfo, local.dst(), local.utcoffset())
    name = names.get(key) if names is not None else None
    if name is None:
        name = zone_name(local, locale)
        if names is not None:
            names[key] = name
    zone = f"{before}{name}{after}"
    return zone + time if zone_first else time + zone


def zone_name(local: dt.datetime, locale: Locale) -> str:
    """The zone's short name where the language has one in use ('EDT', 'UTC'), else its
    long name ('Afghanistan Time', 'وقت افغانستان'), else the localised offset ('GMT+4:30').
    Babel answers a missing short name with a bare offset ('+0430'), which readers misread."""
    short = get_timezone_name(local, "short", locale=locale)
    if short != get_timezone_gmt(local, "short", locale=locale):
        return short
    return get_timezone_name(local, "long", locale=locale)


@functools.lru_cache(maxsize=64)
def _layout(locale_name: str) -> tuple[bool, str, str]:
    """(zone goes first, text before the zone, text after it) in the locale's full time."""
    tokens = tokenize_pattern(get_time_format("full", locale=locale_name).pattern)
    at = next((i for i, (kind, value) in enumerate(tokens)
               if kind == "field" and value[0] in _ZONE_FIELDS), None)
    if at is None:
        return False, " ", ""
    chars = lambda part: "".join(v for k, v in part if k == "chars")  # noqa: E731
    before, after = tokens[:at], tokens[at + 1:]
    if any(kind == "field" for kind, _ in before):  # time, then zone: '5:10 (zone)'
        tail = before[-1][1] if before[-1][0] == "chars" else ""
        return False, _BEFORE.search(tail).group() or " ", chars(after)
    head = after[0][1] if after and after[0][0] == "chars" else ""
    return True, chars(before), _AFTER.match(head).group() or " "
