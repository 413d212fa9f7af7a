"""Parsing front-matter dates: ISO 8601, in the site's zone when no offset is given."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def parse_datetime(value: object, zone: ZoneInfo) -> dt.datetime:
    """Parse an ISO 8601 date or date-time; raise ValueError with a readable reason."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if len(text) == 10:
            parsed = dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
        else:
            parsed = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    else:
        raise ValueError("it is empty or not text")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed
