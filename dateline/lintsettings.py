"""The `[lint]` table of the config: thresholds of `dateline lint`'s content checks."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Problems

_KEYS = {"stale_days"}


@dataclass(frozen=True, slots=True)
class LintSettings:
    stale_days: int = 30
    """A translation whose original changed more than this many days after it did is
    reported as out of date (default: 30)."""


def read_lint(table: object, where, problems: Problems) -> LintSettings:
    """The `[lint]` table, checked; the defaults where it is absent or wrong (the wrong
    value is an error)."""
    settings = LintSettings()
    if not isinstance(table, dict):
        problems.error(where("lint"), "'lint' must be a table, written as [lint]")
        return settings
    for key in sorted(table.keys() - _KEYS):
        problems.error(where("lint", key), f"unknown key 'lint.{key}' (expected "
                       f"{', '.join(sorted(_KEYS))})")
    if "stale_days" in table:
        value = table["stale_days"]
        if type(value) is not int or value < 0:
            problems.error(where("lint", "stale_days"), "lint.stale_days must be a whole "
                           "number of days, 0 or more (e.g. stale_days = 30)")
        else:
            settings = LintSettings(stale_days=value)
    return settings
