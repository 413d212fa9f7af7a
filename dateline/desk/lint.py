"""`dateline lint`: the content checks that need no build. First the build's own errors
and warnings for reading and assembling the sources (`survey`), then a newsroom's
editorial checks, which the build lets through and lint reports as warnings: long
headlines, missing or long summaries, photos without credit, captions left
untranslated, translations far behind their original, bylines naming no configured
author."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..config import Config
from ..errors import Problem
from ..model import Article
from .survey import Survey, survey

HEADLINE_MAX = 110
"""Characters; search results and social cards cut longer headlines."""
SUMMARY_MAX = 200
"""Characters; listings, feeds and search results show the summary whole up to this."""

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    severity: str
    """`error` (the build would refuse the site) or `warning`."""
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {'warning: ' if self.severity == WARNING else ''}{self.message}"

    def as_json(self) -> dict:
        return {"path": self.path, "line": self.line, "severity": self.severity,
                "message": self.message}


def lint(config: Config, now: dt.datetime) -> list[Finding]:
    """Every finding, in the order of the files and lines."""
    found = survey(config, now)
    problems = [(ERROR, p) for p in found.problems.errors]
    problems += [(WARNING, p) for p in found.problems.warnings]
    for article in found.site.articles:
        problems += [(WARNING, p) for p in check_article(article, found, config)]
    findings = {Finding(p.where.path, p.where.line, severity, p.message)
                for severity, p in problems}
    return sorted(findings, key=lambda f: (f.path, f.line, f.severity, f.message))


def check_article(article: Article, found: Survey, config: Config) -> list[Problem]:
    """The editorial checks of one article."""
    doc = found.doc_of(article)
    out: list[Problem] = []

    def say(key: str | None, message: str) -> None:
        out.append(Problem(doc.at(key) if key in doc.key_lines else doc.at(), message))

    if len(article.title) > HEADLINE_MAX:
        say("title", f"headline is {len(article.title)} characters long; keep it to "
                     f"{HEADLINE_MAX} or fewer (search results and social cards cut it)")
    if not article.summary:
        say("summary", "summary is missing: add summary: with a sentence or two (up to "
                       f"{SUMMARY_MAX} characters) for listings, feeds and search results")
    elif len(article.summary) > SUMMARY_MAX:
        say("summary", f"summary is {len(article.summary)} characters long; keep it to "
                       f"{SUMMARY_MAX} or fewer")
    image = article.image
    # A photo block inherited whole from the original is checked on the original.
    own_image = "image" in doc.meta
    if image is not None and own_image and not image.credit:
        say("image", f"image '{image.source.name}' has no credit: add image.credit "
                     "(the photographer or agency)")
    original = found.original_of(article)
    if original is None or original is article:
        return out + _byline_problems(article, doc, config)
    if image is not None and "image.caption" in doc.key_lines and original.image \
            and image.caption and image.caption == original.image.caption:
        say("image.caption", f"caption is the same as in the original "
                             f"({original.source.path}); translate it")
    # Text against text, as the build's stale-translation notice compares them: a
    # correction to the original has its own notice in the translations.
    behind = original.revised - article.revised
    if behind > dt.timedelta(days=config.lint.stale_days):
        key = "updated" if "updated" in doc.key_lines else "date"
        say(key, f"translation is {behind.days} days older than its original "
                 f"({original.source.path}, changed {original.revised.date().isoformat()});"
                 f" bring it up to date and set 'updated' (limit: [lint] stale_days = "
                 f"{config.lint.stale_days})")
    return out + _byline_problems(article, doc, config)


def _byline_problems(article: Article, doc, config: Config) -> list[Problem]:
    """A byline naming no configured author (printed as written, with no author page);
    skipped on a site that configures no author at all."""
    authors = configured_authors(config)
    if authors is None:
        return []
    return [Problem(doc.at("authors"), f"byline '{name}' matches no author in "
                    f"[authors] of {config.config_path.name}; add one, or check the "
                    "spelling (it is printed as written)")
            for name in article.authors if name not in authors]


def configured_authors(config: Config) -> frozenset[str] | None:
    """What a byline may write for the configured authors (their keys and their names in
    every language, as `outputs.staff.author_index` matches them); None when the config
    has no `[authors]`."""
    if not config.authors:
        return None
    return frozenset(written for author in config.authors
                     for written in (author.key, author.name, *dict(author.names).values()))
