"""Front matter `corrections: [{date: …, text: "…"}]`: the corrections an article prints
at its end, each checked for a date and a text."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ..errors import Problems
from ..i18n.dates import parse_datetime
from ..model import Correction
from ..read import Document

EXAMPLE = 'corrections: [{date: 2026-11-28T10:00:00+01:00, text: "An earlier version …"}]'


def read_corrections(doc: Document, zone: ZoneInfo, published: datetime | None,
                     problems: Problems) -> tuple[Correction, ...] | None:
    """The article's corrections, oldest first; None after reporting a problem.
    `published`: the article's date, which no correction may precede."""
    value = doc.meta.get("corrections")
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.error(doc.at("corrections"), f"front matter: 'corrections' must be a list "
                       f"of dated notes, e.g. {EXAMPLE}")
        return None
    corrections, ok = [], True
    for index, item in enumerate(value):
        correction = _read_one(doc, index, item, zone, published, problems)
        ok = ok and correction is not None
        if correction is not None:
            corrections.append(correction)
    return tuple(sorted(corrections, key=lambda c: c.date)) if ok else None


def _read_one(doc: Document, index: int, item: object, zone: ZoneInfo,
              published: datetime | None, problems: Problems) -> Correction | None:
    key = f"corrections.{index}"
    where = doc.at(key if key in doc.key_lines else "corrections")

    def at(name: str):
        return doc.at(f"{key}.{name}") if f"{key}.{name}" in doc.key_lines else where

    name = f"corrections[{index + 1}]"
    if not isinstance(item, dict):
        problems.error(where, f"front matter: {name} must have a date and a text, e.g. "
                       f"{EXAMPLE}")
        return None
    for extra in sorted(map(str, item.keys() - {"date", "text"})):
        problems.warn(at(extra), f"front matter: unknown key '{extra}' in {name} "
                      "(expected date and text)")
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.error(at("text"),
                       f"front matter: {name} needs a text saying what was corrected "
                       "(put it in quotes)")
        return None
    if item.get("date") is None:
        problems.error(where, f"front matter: {name} needs a date, e.g. "
                       "date: 2026-11-28T10:00:00+01:00")
        return None
    try:
        date = parse_datetime(item["date"], zone)
    except ValueError as exc:
        problems.error(at("date"), f"front matter: {name} date '{item['date']}' "
                       f"is not a valid date ({exc}); write it as YYYY-MM-DD or "
                       "YYYY-MM-DDTHH:MM:SS+HH:MM")
        return None
    if published is not None and date < published:
        problems.error(at("date"), f"front matter: {name} date {item['date']} is "
                       "earlier than the article's date; a correction comes after "
                       "publication")
        return None
    return Correction(date=date, text=" ".join(text.split()))
