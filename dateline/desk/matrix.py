"""The translation matrix: every story × every language, with the state of each
version (original, current, stale, missing — `coverage`'s), whether this build holds it
back (a draft, scheduled, or waiting for its original) and where it is (page URL, file)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..build.embargo import hold_back
from ..config import Config
from ..i18n import coverage
from ..model import Article
from .survey import Survey

DRAFT, SCHEDULED, WAITING = "draft", "scheduled", "waiting"


@dataclass(frozen=True)
class Cell:
    state: str
    """`coverage`'s: original, current, stale or missing."""
    hold: str = ""
    """Why a build without --drafts/--future leaves it out: draft, scheduled, waiting
    (for its original), or "" (published)."""
    reason: str = ""
    """The hold in words, e.g. 'scheduled for 2026-12-04T06:00:00+04:30'."""
    url: str = ""
    """Root-relative URL of its page ("" when missing)."""
    path: str = ""
    """Its source file, as messages show it."""
    date: dt.datetime | None = None


@dataclass(frozen=True)
class Row:
    key: str
    title: str
    """The original's headline (or the first version's)."""
    title_lang: str
    cells: dict[str, Cell]
    """Language code → cell, in config order."""


@dataclass(frozen=True)
class Matrix:
    languages: tuple[str, ...]
    rows: tuple[Row, ...]
    totals: dict[str, dict]
    """`coverage.language_totals`, counted over every story (drafts and scheduled too)."""


def make_matrix(found: Survey, config: Config) -> Matrix:
    holds = {id(a): why for a, why in hold_back(list(found.site.articles), found.now,
                                                drafts=False, future=False)}
    stories = coverage.story_coverage(found.site, config)
    groups = dict(found.site.groups)
    rows = []
    for story in stories:
        by_lang = {a.lang: a for a in groups[story.key]}
        cells = {code: _cell(story.states[code], by_lang.get(code), holds)
                 for code in config.language_codes}
        lead = next((a for a in groups[story.key] if a.original), groups[story.key][0])
        rows.append(Row(story.key, lead.title, lead.lang, cells))
    return Matrix(config.language_codes, tuple(rows),
                  coverage.language_totals(stories, config.language_codes))


def _cell(state: str, article: Article | None, holds: dict[int, str]) -> Cell:
    if article is None:
        return Cell(state)
    reason = holds[id(article)]
    hold = ("" if not reason else DRAFT if reason == "draft"
            else SCHEDULED if reason.startswith("scheduled") else WAITING)
    return Cell(state, hold, reason, article.url, article.source.path, article.date)


def held_dates(matrix: Matrix) -> list[tuple[dt.datetime, str]]:
    """(date, file) of every scheduled version, soonest first."""
    return sorted((cell.date, cell.path) for row in matrix.rows
                  for cell in row.cells.values() if cell.hold == SCHEDULED and cell.date)
