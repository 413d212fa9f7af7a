"""fields.py: the table of front-matter fields is the contract assembling keeps; each row
reaches the article, and a translation takes from its original exactly the rows marked
inherited."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from dateline.build.assemble import assemble
from dateline.config import load_config
from dateline.errors import Problems
from dateline.fields import FIELDS, INHERITED, KNOWN_KEYS, FrontMatter
from dateline.model import Correction
from dateline.read import find_sources, read_document

NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)

WRITTEN = {
    # key: (a value as written, what the article then holds): never the row's default
    "title": ("Vote", "Vote"),
    "date": ("2025-03-01T10:00:00+01:00",
             dt.datetime(2025, 3, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=1)))),
    "updated": ("2025-03-02", dt.datetime(2025, 3, 2, tzinfo=ZoneInfo("Europe/Prague"))),
    "expires": ("2027-01-01", dt.datetime(2027, 1, 1, tzinfo=ZoneInfo("Europe/Prague"))),
    "breaking_until": ("2025-03-03",
                       dt.datetime(2025, 3, 3, tzinfo=ZoneInfo("Europe/Prague"))),
    "corrections": ([{"date": "2025-03-04", "text": "A name  was misspelt."}],
                    (Correction(dt.datetime(2025, 3, 4, tzinfo=ZoneInfo("Europe/Prague")),
                                "A name was misspelt."),)),
    "summary": (" Counted. ", "Counted."),
    "dateline": ("KARSK", "KARSK"),
    "slug": ("vote-count", "vote-count"),
    "section": ("politics", "politics"),
    "translation_key": ("vote-2025", "vote-2025"),
    "tags": (["elections", 2025], ("elections", "2025")),
    "authors": (["Ann Lee"], ("Ann Lee",)),
    "reporting": (["AP"], ("AP",)),
    "breaking": (True, True),
    "draft": (False, False),
    "original": (True, True),
    "image": ("photo.jpg", "media/en/world/photo.jpg"),
}
"""One row per field: a new row fails `test_every_row_is_tested` until it is added."""


def _article_value(article, key: str):
    if key == "image":
        return article.image.url if article.image else None
    if key == "translation_key":
        return article.translation_key
    return getattr(article, key)


def _assemble(root):
    config = load_config(root / "dateline.toml")
    problems = Problems()
    docs = [d for p in find_sources(config.paths.content)
            if (d := read_document(p, config.paths.content, config.paths.root, problems))]
    return assemble(docs, config, NOW, problems), problems


def test_every_row_is_tested_and_is_a_field_of_front_matter():
    assert list(WRITTEN) == list(KNOWN_KEYS)
    assert FrontMatter.__struct_fields__ == ("written", *KNOWN_KEYS)
    assert INHERITED == ("expires", "breaking_until", "dateline", "section", "tags",
                         "reporting", "breaking")


@pytest.mark.parametrize("key", KNOWN_KEYS)
def test_each_field_reaches_the_article(key, tmp_path, make_site, article_text):
    meta = {"title": "Story", "date": "2025-03-01", key: WRITTEN[key][0]}
    root = make_site(tmp_path / "site", {
        "content/en/world/photo.jpg": b"jpeg",
        "content/en/world/vote.md": article_text(**meta)})
    site, problems = _assemble(root)
    assert problems.errors == []
    [article] = site.articles
    assert _article_value(article, key) == WRITTEN[key][1]


@pytest.mark.parametrize("row", [r for r in FIELDS if not r.required
                                 and r.key not in ("translation_key", "image")],
                         ids=lambda row: row.key)
def test_a_translation_takes_from_its_original_exactly_the_inherited_fields(
        row, tmp_path, make_site, article_text):
    """Required fields and the translation key cannot be left out of a translation; the
    image has a rule of its own (tests/unit/test_assemble.py)."""
    root = make_site(tmp_path / "site", {
        "content/en/world/vote.md": article_text("Vote", **{row.key: WRITTEN[row.key][0]}),
        "content/ru/world/vote.md": article_text("Выборы"),
    })
    site, problems = _assemble(root)
    assert problems.errors == []
    [ru] = [a for a in site.articles if a.lang == "ru"]
    expected = WRITTEN[row.key][1] if row.inherited else row.default
    if row.key == "original":  # the original is the English version either way
        expected = False
    if row.key == "slug":
        expected = "vote"
    assert _article_value(ru, row.key) == expected
