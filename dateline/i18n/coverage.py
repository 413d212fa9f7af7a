"""Which stories exist in which languages, and which translations are out of date."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Config
from ..model import Article, Site

ORIGINAL, CURRENT, STALE, MISSING = "original", "current", "stale", "missing"


def is_stale(translation: Article, original: Article) -> bool:
    """A translation is stale when its original's text changed after the translation
    did (a correction of the original has its own notice: `original_correction`)."""
    return translation is not original and original.revised > translation.modified


@dataclass(frozen=True)
class StoryCoverage:
    key: str
    original: str | None
    """Language of the original, None when the story has no original in this build."""
    states: dict[str, str]
    """Language code → original, current, stale or missing."""


def story_coverage(site: Site, config: Config) -> list[StoryCoverage]:
    stories = []
    for key, group in site.groups:
        original = next((a for a in group if a.original), None)
        by_lang = {a.lang: a for a in group}
        states = {}
        for code in config.language_codes:
            article = by_lang.get(code)
            if article is None:
                states[code] = MISSING
            elif article is original:
                states[code] = ORIGINAL
            elif original is not None and is_stale(article, original):
                states[code] = STALE
            else:
                states[code] = CURRENT
        stories.append(StoryCoverage(key, original.lang if original else None, states))
    return stories


def language_totals(stories: list[StoryCoverage], codes: tuple[str, ...]) -> dict[str, dict]:
    totals = {}
    for code in codes:
        states = [s.states[code] for s in stories]
        totals[code] = {
            "stories": len(stories),
            "present": sum(1 for s in states if s != MISSING),
            "missing": states.count(MISSING),
            "stale": states.count(STALE),
        }
    return totals


def as_json(stories: list[StoryCoverage], codes: tuple[str, ...]) -> dict:
    return {
        "languages": language_totals(stories, codes),
        "stories": [{"key": s.key, "original": s.original, "languages": s.states}
                    for s in stories],
    }


def as_table(stories: list[StoryCoverage], codes: tuple[str, ...]) -> str:
    marks = {ORIGINAL: "original", CURRENT: "ok", STALE: "STALE", MISSING: "-"}
    width = max([len("story")] + [len(s.key) for s in stories])
    lines = [("story".ljust(width) + "  " + "  ".join(c.ljust(8) for c in codes)).rstrip()]
    for story in stories:
        cells = "  ".join(marks[story.states[c]].ljust(8) for c in codes)
        lines.append(story.key.ljust(width) + "  " + cells.rstrip())
    lines.append("")
    lines.append("language  present  missing  stale")
    for code, total in language_totals(stories, codes).items():
        lines.append(f"{code:<8}  {total['present']:>7}  {total['missing']:>7}  "
                     f"{total['stale']:>5}")
    return "\n".join(lines)
