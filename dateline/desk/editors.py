"""The editors' view: the translation matrix, coverage per language (stories and the
theme's UI strings), and — in `serve` — the latest build's warnings, what it held back
and the next scheduled change. One HTML page, made on request by `serve` at
`/_dateline/` (never written into the site) or written by `translations --format html`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2

from ..config import Config
from ..i18n import messages
from .matrix import Matrix, held_dates, make_matrix
from .survey import survey

PATH = "/_dateline/"
"""Where `serve` shows the view; a site's own URLs never start with '_' (`slugs`)."""


@dataclass(frozen=True)
class NextChange:
    when: dt.datetime
    what: str
    """What changes then, e.g. 'content/ps/news/x.md is published'."""


@dataclass(frozen=True)
class BuildReport:
    """What the preview's latest build said."""

    warnings: tuple[str, ...] = ()
    held_back: tuple[tuple[str, str], ...] = ()
    """(file, why) of every article the build left out."""
    failed: tuple[str, ...] | None = None
    """The problems of the latest build when it failed (the view still shows the last
    good build's warnings then)."""
    next_change: NextChange | None = None
    drafts: bool = False
    future: bool = False
    """Whether the preview shows drafts / scheduled articles (their pages then exist)."""


@dataclass(frozen=True)
class View:
    config: Config
    matrix: Matrix
    now: dt.datetime
    href: Callable[[str], str]
    """A page's link from its root-relative URL."""
    build: BuildReport | None = None
    catalogs: list = field(default_factory=list)


def next_scheduled_change(valid_until: dt.datetime | None, matrix: Matrix
                          ) -> NextChange | None:
    """HOOK: the next moment the clock alone changes the site. The build result's
    `valid_until` says when; what changes is the scheduled article due then, if any
    (else a story entering or leaving the news sitemap's window). When the build result
    carries its own description of the next scheduled change (issue 17, "Scheduling"),
    take it from there instead."""
    if valid_until is None or valid_until.year >= 9999:
        return None
    due = [path for when, path in held_dates(matrix) if when == valid_until]
    what = (", ".join(due) + " published") if due else \
        "a story enters or leaves the news sitemap's window"
    return NextChange(valid_until, what)


def make_view(config: Config, now: dt.datetime, href: Callable[[str], str],
              build: BuildReport | None = None) -> View:
    matrix = make_matrix(survey(config, now), config)
    catalogs, _ = messages.status(config)
    return View(config, matrix, now.replace(microsecond=0), href, build, catalogs)


def render(view: View) -> str:
    return _template().render(view=view, languages=[view.config.language(code)
                                                    for code in view.matrix.languages],
                              is_linked=_is_linked)


def _is_linked(cell, build: BuildReport | None) -> bool:
    """Whether the cell's page exists where the view links to."""
    if not cell.url:
        return False
    if not cell.hold:
        return True
    return build is not None and ((cell.hold == "draft" and build.drafts)
                                  or (cell.hold == "scheduled" and build.future))


def standalone_page(config: Config, now: dt.datetime) -> str:
    """The matrix and coverage as one self-contained page, linking to the live site."""
    base = config.site.base_url
    return render(make_view(config, now, lambda url: base + url))


def _template() -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    return env.get_template("editors.html")


def preview_page(preview) -> str:
    """The view as `serve` shows it at `/_dateline/`, from a running `PreviewServer`
    (its config, clock, options, latest result and failure), linking to its pages."""
    config, now, result = preview.config, preview.now(), preview.last_result
    mount = preview.mount
    view = make_view(config, now, lambda url: mount + url)
    failed = preview.hub.problems
    report = BuildReport(
        warnings=tuple(str(w) for w in result.warnings) if result else (),
        held_back=tuple((where.path, why) for where, why in result.held_back)
        if result else (),
        failed=tuple(failed) if failed is not None else None,
        next_change=next_scheduled_change(result.valid_until if result else None,
                                          view.matrix),
        drafts=preview.options.drafts, future=preview.options.future)
    return render(replace(view, build=report))
