"""Front matter `corrections: [{date: …, text: "…"}]`: the corrections an article prints
at its end, each checked for a date and a text (a row of `fields.FIELDS`)."""

from __future__ import annotations

from typing import Any

from .errors import SourceRef
from .model import Correction

Reading = Any
"""`fields.Reading` (not imported: `fields` imports this module)."""

EXAMPLE = 'corrections: [{date: 2026-11-28T10:00:00+01:00, text: "An earlier version …"}]'


class BadCorrections(ValueError):
    """Reported already, item by item."""


def read_corrections(value: object, reading: Reading, parse_date) -> tuple[Correction, ...]:
    """The article's corrections, oldest first; raises `BadCorrections` after reporting
    each problem at its item's line. `parse_date(value, zone)` reads a date."""
    if not isinstance(value, list):
        reading.error("corrections", "front matter: 'corrections' must be a list of dated "
                      f"notes, e.g. {EXAMPLE}")
        raise BadCorrections
    corrections, ok = [], True
    for index, item in enumerate(value):
        correction = _read_one(index, item, reading, parse_date)
        ok = ok and correction is not None
        if correction is not None:
            corrections.append(correction)
    if not ok:
        raise BadCorrections
    return tuple(sorted(corrections, key=lambda c: c.date))


def _at(reading: Reading, *keys: str) -> SourceRef:
    """Where the first of `keys` that was written is (line 1 is the `---`, never a key)."""
    for key in keys:
        where = reading.where(key)
        if where.line != 1:
            return where
    return reading.where(keys[-1])


def _read_one(index: int, item: object, reading: Reading, parse_date) -> Correction | None:
    key = f"corrections.{index}"
    where = _at(reading, key, "corrections")
    name = f"corrections[{index + 1}]"

    def fail(at: SourceRef, message: str) -> None:
        reading.ok = False
        reading.problems.error(at, message)

    if not isinstance(item, dict):
        fail(where, f"front matter: {name} must have a date and a text, e.g. {EXAMPLE}")
        return None
    for extra in sorted(map(str, item.keys() - {"date", "text"})):
        reading.problems.warn(_at(reading, f"{key}.{extra}", key, "corrections"),
                              f"front matter: unknown key '{extra}' in {name} "
                              "(expected date and text)")
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        fail(_at(reading, f"{key}.text", key, "corrections"),
             f"front matter: {name} needs a text saying what was corrected (put it in quotes)")
        return None
    if item.get("date") is None:
        fail(where, f"front matter: {name} needs a date, e.g. date: 2026-11-28T10:00:00+01:00")
        return None
    date_at = _at(reading, f"{key}.date", key, "corrections")
    try:
        date = parse_date(item["date"], reading.zone)
    except ValueError as exc:
        fail(date_at, f"front matter: {name} date '{item['date']}' is not a valid date "
             f"({exc}); write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+HH:MM")
        return None
    published = reading.values.get("date")
    if published is not None and date < published:
        fail(date_at, f"front matter: {name} date {item['date']} is earlier than the "
             "article's date; a correction comes after publication")
        return None
    return Correction(date=date, text=" ".join(text.split()))
