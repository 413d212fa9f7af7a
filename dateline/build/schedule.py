"""What the clock alone changes in a site: stories past their `expires` (archived, or
removed with `site.expired = "remove"`), breaking stories whose time in the banner is
over, and the next moment any of that, an embargo or the news sitemap's window changes
the output (`next_change`: the build's `valid_until`, the summary's "next scheduled
change", `build --next-change`, and the preview server's alarm).

Every decision is a function of the articles, the settings and the build's time, so a
build at a given time makes the same site whether it is clean or incremental."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # the no-change shortcut reads a record with this module alone
    from ..config import Config
    from ..model import Article, Site, Timeline

NEVER = "9999-12-31T00:00:00+00:00"
"""`valid_until` of a build that nothing but an edit changes."""


@dataclass(frozen=True)
class Expiry:
    kept: list[Article]
    """The published articles that keep their pages (the archived ones among them)."""
    removed: list[tuple[Article, str]]
    """Articles removed for their expiry (`site.expired = "remove"`), with the reason."""
    timeline: Timeline


def banner_end(article: Article, config: Config) -> dt.datetime:
    """When a breaking story leaves the banner: its `breaking_until`, else
    `site.breaking_hours` after its date, or after `updated` when that is later."""
    if article.breaking_until is not None:
        return article.breaking_until
    return article.modified + dt.timedelta(hours=config.site.breaking_hours)


def take_out_expired(published: list[Article], now: dt.datetime, config: Config) -> Expiry:
    """Split the published articles by their expiry at `now`, and say which breaking
    stories have had their time in the banner."""
    from .. import model

    remove = config.site.expired == "remove"
    kept, removed, archived = [], [], []
    for article in published:
        if article.expires is None or article.expires > now:
            kept.append(article)
        elif remove:
            removed.append((article, f"expired at {article.expires.isoformat()}"))
        else:
            kept.append(article)
            archived.append(article.url)
    over = sorted(a.url for a in kept if a.breaking and banner_end(a, config) <= now)
    return Expiry(kept, removed, model.Timeline(
        archived=tuple(sorted(archived)), gone=tuple(sorted(a.url for a, _ in removed)),
        banner_over=tuple(over)))


@dataclass(frozen=True)
class NextChange:
    """The first moment after a build's time at which its output changes by itself."""

    moment: dt.datetime
    source: str
    """The article that causes it, as messages name files (`content/ps/…/x.md`)."""
    zone: str
    """The IANA time zone of that article's language, to show the moment in."""
    what: str = ""
    """What happens to it then: "published", "expires", "leaves the breaking banner",
    "enters the news sitemap", "leaves the news sitemap" (for the editors' view)."""

    def shown(self) -> str:
        """`2026-12-04 06:00 Asia/Kabul (content/ps/…)`: the moment in the article's zone."""
        local = self.moment.astimezone(ZoneInfo(self.zone))
        clock = "%H:%M:%S" if local.second else "%H:%M"
        return f"{local.strftime('%Y-%m-%d ' + clock)} {self.zone} ({self.source})"

    def iso(self) -> str:
        """The moment in ISO 8601, in UTC with its offset (for cron jobs and CI)."""
        return self.moment.astimezone(dt.UTC).isoformat()


def next_change(site: Site, now: dt.datetime) -> NextChange | None:
    """The first moment after `now` at which time alone changes the site: a held-back
    story's embargo lifting, a story entering or leaving the news sitemap's window, an
    expiry, a breaking banner's end. None when only an edit can change it."""
    from ..outputs.sitemaps import NEWS_WINDOW

    config = site.config
    archived = set(site.timeline.archived)
    moments: list[tuple[dt.datetime, Article, str]] = []
    for article, _why in site.held_back:
        if not article.draft:  # a draft waits for an edit, not for the clock
            moments.append((article.date, article, "published"))
            if article.expires is not None:
                moments.append((article.expires, article, "expires"))
    for article in site.articles:
        if article.url in archived:
            continue
        moments += [(article.date, article, "enters the news sitemap"),
                    (article.date + NEWS_WINDOW, article, "leaves the news sitemap")]
        if article.expires is not None:
            moments.append((article.expires, article, "expires"))
        if article.breaking:
            moments.append((banner_end(article, config), article, "leaves the breaking banner"))
    future = [m for m in moments if m[0] > now]
    if not future:
        return None
    moment, article, what = min(future, key=lambda m: (m[0], m[1].source.path))
    return NextChange(moment, article.source.path, config.language(article.lang).timezone,
                      what)


def valid_until(change: NextChange | None) -> str:
    """The build's `valid_until` (ISO 8601): until then its output stands."""
    return change.moment.isoformat() if change is not None else NEVER


def to_record(change: NextChange | None) -> dict:
    """What the no-change shortcut's record keeps of it, for the summary it repeats."""
    return {"next_change": [change.source, change.zone, change.what]
            if change is not None else None}


def from_record(record: dict) -> NextChange | None:
    """The next change a record of the last build names (None in an older record)."""
    saved = record.get("next_change")
    if not saved or record.get("valid_until", NEVER) == NEVER:
        return None
    try:
        source, zone, what = saved
        return NextChange(dt.datetime.fromisoformat(record["valid_until"]), source, zone,
                          what)
    except (TypeError, ValueError):
        return None
