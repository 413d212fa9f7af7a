"""The front-matter fields an article may set, as one table, and the reader that checks a
file's front matter against it and returns a typed `FrontMatter`.

`FIELDS` is the whole contract, one `Field` row per key, in the order they are checked:

=================  =========================  ========  ==================================
key                type (default)             inherited validator / normaliser
=================  =========================  ========  ==================================
title              str (required)             no        `_title`: text, stripped
date               datetime (required)        no        `_date`: ISO 8601 in the site's zone
updated            datetime | None            no        `_updated`: a date, not before `date`
expires            datetime | None            yes       `_after_date`: a date after `date`
breaking_until     datetime | None            yes       `_after_date`
corrections        tuple[Correction, ...]     no        `_corrections`: dated notes, each checked
summary            str ("")                   no        `_text`: text or a number, stripped
dateline           str ("")                   yes       `_text`
slug               str ("" = from file name)  no        `_text` (checked as a slug later)
section            str ("" = from folder)     yes       `_text` (checked as a slug later)
translation_key    str ("" = from path)       no        `_text`
tags               tuple[str, ...]            yes       `_list`: a YAML list, never text
authors            tuple[str, ...]            no        `_list`
reporting          tuple[str, ...]            yes       `_list`
breaking           bool (False)               yes       `_flag`: true or false
draft              bool (False)               no        `_flag`
original           bool (False)               no        `_flag`
image              ImageSpec | None           (own)     `_image`: a file name or a mapping
=================  =========================  ========  ==================================

"Inherited" fields are the same in every language: a translation that leaves one out
takes its story's original's (`build.assemble`). The image has a rule of its own there
(the photo is shared, its words are not).

Adding a key is one row, plus its validator when none of those above fits. A validator is
`(key, value, reading) -> value`: it returns the normalised value or raises `Invalid` with
the message to report at the key's line (`reading.error` reports at a sub-key, for a
mapping). Every value `FrontMatter` holds was checked, and `written` names the keys the
file itself set (a translation's inherited values are not among them).
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import msgspec

from .corrections import BadCorrections, read_corrections
from .errors import Problems, SourceRef
from .model import Correction
from .photos.photos import parse_ratio


class Invalid(ValueError):
    """A value the row's validator refuses; its text is the message to report."""


@dataclass
class Reading:
    """One file's front matter being read: what validators may look at and report to."""

    meta: dict
    where: Callable[[str], SourceRef]
    """Where a (dotted) key was written."""
    zone: ZoneInfo
    """The site's time zone, for dates written without an offset."""
    problems: Problems
    values: dict[str, Any] = field(default_factory=dict)
    """The values read so far (rows above this one)."""
    ok: bool = True

    def error(self, key: str, message: str) -> None:
        self.ok = False
        self.problems.error(self.where(key), message)

    def warn(self, key: str, message: str) -> None:
        self.problems.warn(self.where(key), message)


Validator = Callable[[str, Any, Reading], Any]


class Field(NamedTuple):
    key: str
    type: Any
    default: Any
    inherited: bool
    read: Validator
    required: str = ""
    """The message when the key is missing; empty when it may be left out."""


class ImageSpec(msgspec.Struct, frozen=True):
    """The `image` block as written; None where a key was left out."""

    src: str | None = None
    alt: str | None = None
    caption: str | None = None
    credit: str | None = None
    ratio: tuple[int, int] | None = None
    focus: tuple[float, float] | None = None

    def is_empty(self) -> bool:
        return self == ImageSpec()


IMAGE_KEYS = ImageSpec.__struct_fields__
_IMAGE_TEXT = ("src", "alt", "caption", "credit")


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


def _is_text(value: object) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _title(key: str, value: object, reading: Reading) -> str:
    if value is None:
        raise Invalid(f"front matter: '{key}' is required")
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"front matter: '{key}' must be text (put it in quotes)")
    return value.strip()


def _date(key: str, value: object, reading: Reading) -> dt.datetime:
    try:
        return parse_datetime(value, reading.zone)
    except ValueError as exc:
        raise Invalid(f"front matter: {key} '{value}' is not a valid date ({exc}); write it "
                      "as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+HH:MM") from None


def _updated(key: str, value: object, reading: Reading) -> dt.datetime:
    updated = _date(key, value, reading)
    date = reading.values.get("date")
    if date is not None and updated < date:
        raise Invalid(f"front matter: updated {value} is earlier than date "
                      f"{reading.meta['date']}; an update comes after publication: correct "
                      "'updated' or remove it")
    return updated


def _after_date(key: str, value: object, reading: Reading) -> dt.datetime:
    """`expires` and `breaking_until`: a moment after `date`, or the story would never be
    listed (in the banner)."""
    moment = _date(key, value, reading)
    date = reading.values.get("date")
    if date is not None and moment <= date:
        what = ("it would never be listed" if key == "expires"
                else "it would never be in the breaking banner")
        raise Invalid(f"front matter: {key} {value} is not after date {reading.meta['date']}: "
                      f"{what}; correct '{key}' or remove it")
    return moment


def _corrections(key: str, value: object, reading: Reading) -> tuple[Correction, ...]:
    """`corrections`: each item reported at its own line (`dateline.corrections`)."""
    try:
        return read_corrections(value, reading, parse_datetime)
    except BadCorrections:
        return ()  # reported, and `reading.ok` is false


def _text(key: str, value: object, reading: Reading) -> str:
    if not _is_text(value):
        raise Invalid(f"front matter: '{key}' must be text")
    return str(value).strip()


def _list(key: str, value: object, reading: Reading) -> tuple[str, ...]:
    if _is_text(value):
        # Never one item named "censorship, protests": ask for the list meant.
        raise Invalid(f"front matter: '{key}' must be a list, not text; write it as "
                      f"{_as_list(key, value)}")
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise Invalid(f"front matter: '{key}' must be a list, e.g. {key}: [one, two]")
    return shared_names(str(v).strip() for v in value if str(v).strip())


def shared_names(names) -> tuple[str, ...]:
    """Names that many articles repeat (tags, authors), one string each, not a copy per
    file made by its front matter's parser; and one tuple for the many files that name
    the same ones (a desk's bylines, a story's tags in every language). The fields and
    the article made from them hold the same tuple: a tuple each was three small blocks
    a source between the articles' own until the fields were settled, and left as many
    holes (issue 19)."""
    return _shared_tuple(tuple(map(sys.intern, names)))


@functools.lru_cache(maxsize=1 << 14)
def _shared_tuple(names: tuple[str, ...]) -> tuple[str, ...]:
    return names  # the first tuple made of these names, for every equal one after it


def forget_shared_names() -> None:
    """Empty the cache of shared tuples (`shared_names`)."""
    _shared_tuple.cache_clear()


def _as_list(key: str, value: object) -> str:
    """`key: [a, b]`, the YAML list a text value was meant to be (split at commas),
    quoted where an item needs it."""
    import yaml  # only to write the fix into an error message

    items = [part.strip() for part in str(value).split(",") if part.strip()]
    flow = yaml.safe_dump(items, default_flow_style=True, allow_unicode=True,
                          width=float("inf"))
    return f"{key}: {flow.strip()}"


def _flag(key: str, value: object, reading: Reading) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"front matter: '{key}' must be true or false")
    return value


def _image(key: str, value: object, reading: Reading) -> ImageSpec:
    """A file name, or a mapping of `IMAGE_KEYS`; reports each bad sub-key."""
    image = {"src": value} if isinstance(value, str) else value
    if not isinstance(image, dict):
        raise Invalid("front matter: 'image' must have src, alt, caption and credit")
    for sub in image.keys() - set(IMAGE_KEYS):
        reading.warn(f"image.{sub}", f"front matter: unknown key 'image.{sub}' (expected "
                     f"{', '.join(IMAGE_KEYS)})")
    for sub in _IMAGE_TEXT:
        if sub in image and not isinstance(image[sub], str | int | float):
            reading.error(f"image.{sub}", f"front matter: 'image.{sub}' must be text")
    spec = {sub: str(image[sub]).strip() for sub in _IMAGE_TEXT if image.get(sub) is not None}
    if "ratio" in image:
        if (ratio := parse_ratio(str(image["ratio"]))) is None:
            reading.error("image.ratio", "front matter: 'image.ratio' must be a ratio such as "
                          "16x9, 4x3 or 1x1")
        spec["ratio"] = ratio
    if "focus" in image:
        focus = image["focus"]
        if not (isinstance(focus, list) and len(focus) == 2 and all(
                isinstance(v, int | float) and 0 <= v <= 1 for v in focus)):
            reading.error("image.focus", "front matter: 'image.focus' must be [x, y] with "
                          "each between 0 and 1, e.g. [0.5, 0.3]")
        else:
            spec["focus"] = (float(focus[0]), float(focus[1]))
    return ImageSpec(**spec)


_LIST = tuple[str, ...]

FIELDS: tuple[Field, ...] = (
    Field("title", str, "", False, _title, "front matter: 'title' is required"),
    Field("date", dt.datetime | None, None, False, _date,
          "front matter: 'date' is required, e.g. date: 2026-11-27T09:30:00+01:00"),
    Field("updated", dt.datetime | None, None, False, _updated),  # after `date`: compared
    # An expiry or a banner's end set on the original holds for its translations too (like
    # an embargo), unless a translation sets its own.
    Field("expires", dt.datetime | None, None, True, _after_date),
    Field("breaking_until", dt.datetime | None, None, True, _after_date),
    Field("corrections", tuple[Correction, ...], (), False, _corrections),
    Field("summary", str, "", False, _text),
    Field("dateline", str, "", True, _text),
    Field("slug", str, "", False, _text),
    Field("section", str, "", True, _text),
    Field("translation_key", str, "", False, _text),
    Field("tags", _LIST, (), True, _list),
    Field("authors", _LIST, (), False, _list),
    Field("reporting", _LIST, (), True, _list),
    Field("breaking", bool, False, True, _flag),
    Field("draft", bool, False, False, _flag),
    Field("original", bool, False, False, _flag),
    Field("image", ImageSpec | None, None, False, _image),
)

KNOWN_KEYS = tuple(f.key for f in FIELDS)
INHERITED = tuple(f.key for f in FIELDS if f.inherited)

FrontMatter = msgspec.defstruct(
    "FrontMatter",
    [("written", frozenset[str], frozenset()), *((f.key, f.type, f.default) for f in FIELDS)],
    frozen=True, module=__name__)
"""One file's checked front matter: a field per row of `FIELDS`, and `written`."""


def check_fields(reading: Reading) -> None:
    """Check every key of `reading.meta` against `FIELDS`, keeping the values that pass in
    `reading.values` and reporting every problem of the file, not just the first."""
    meta = reading.meta
    for key in meta:
        if key not in KNOWN_KEYS:
            close = difflib.get_close_matches(str(key), KNOWN_KEYS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            reading.warn(str(key), f"front matter: unknown key '{key}'{hint}")
    for row in FIELDS:
        if row.key not in meta:
            if row.required:
                reading.error(row.key, row.required)
            continue
        try:
            reading.values[row.key] = row.read(row.key, meta[row.key], reading)
        except Invalid as exc:
            reading.error(row.key, str(exc))


def front_matter(reading: Reading):
    """The `FrontMatter` of a checked file, or None when it had an error."""
    if not reading.ok:
        return None
    written = frozenset(reading.meta)
    return FrontMatter(written=_KEY_SETS.setdefault(written, written), **reading.values)


_KEY_SETS: dict[frozenset[str], frozenset[str]] = {}
"""The sets of keys files were written with, one object each: an archive's files use a
handful of them, and a cold build holds every file's `FrontMatter` until its pages are
planned (~0.7 kB a set; issue 19)."""
