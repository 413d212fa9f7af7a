"""What a build is asked to do and what it reports: `BuildOptions`, `BuildResult`, and
`Started`, what `pipeline.build` found out before the stages run. Imported by the
pipeline and every stage (and never importing them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..bodies import MARKDOWN_EXTENSIONS
from ..config import Config
from ..errors import ContentError, Problem, SourceRef, UsageError
from ..urls import Linker

if TYPE_CHECKING:  # a build with nothing to do imports no more than it needs
    from concurrent.futures import Executor

    from ..incremental.inputstats import InputStats
    from ..incremental.session import BuildSession
    from ..listings import WalkStats
    from .schedule import NextChange


@dataclass(frozen=True)
class BuildOptions:
    output: Path | None = None
    """Where to write the site (default: paths.output of the config)."""
    drafts: bool = False
    future: bool = False
    now: dt.datetime | None = None
    """The build time (default: now); decides what counts as future."""
    pinned: bool = False
    """`now` was given on the command line (`build --now`): the build is up to date, and
    its saved model stands, only at that instant (another may come before it)."""
    languages: tuple[str, ...] = ()
    """Build only these languages (default: all): a preview, whose pages leave the other
    languages out of their switchers, hreflang links and sitemaps (`serve --lang`)."""
    shard: tuple[str, ...] = ()
    """Write only these languages' files and the files the whole site shares, each
    byte-identical to a whole build's (`build --lang`; `merge` joins the shards): every
    language is still planned, for the switchers, alternates and sitemap index."""
    jobs: int = 0
    """Worker processes (default: one per core); 1 renders in this process."""
    cluster: Executor | None = None
    """Render Markdown and pages on this executor (a Dask cluster's: `cluster`)
    instead of local processes."""
    clean: bool = False
    """Ignore the build cache and write the whole output afresh."""
    progress: bool = False
    """Show a progress line on stderr (the CLI turns it on for terminals)."""
    session: BuildSession | None = None
    """State kept between builds by a long-running process (the preview server)."""
    changed: frozenset[Path] | None = None
    """In a session: every file created, changed or deleted since the session's last
    successful build, when the caller knows (the preview server's watcher); sources not
    among them are then taken as they were, without looking at the disk."""
    strict: bool = False
    """Every warning is an error: the build stops before writing anything
    (`StrictWarnings`), and a build with nothing to do fails on the last one's."""


@dataclass
class BuildResult:
    output: Path
    pages: int
    files: int
    seconds: float
    held_back: tuple[tuple[SourceRef, str], ...] = ()
    """Drafts and scheduled articles left out: where each is, and why."""
    warnings: list[Problem] = field(default_factory=list)
    fallbacks: dict[str, int] = field(default_factory=dict)
    label_fallbacks: dict[str, int] = field(default_factory=dict)
    """Per language, the section and tag keys its pages show with the default language's
    label, for want of their own (`vocabulary`)."""
    written: int = 0
    """Files whose bytes changed (all of them in a clean build)."""
    unchanged: int = 0
    removed: int = 0
    incremental: bool = False
    photos_made: int = 0
    """Photo renditions encoded by this build (the rest came from the cache)."""
    rendered: int = 0
    """Pages rendered (the rest were known unchanged from their fingerprints)."""
    changed_files: Sequence[str] = ()
    """In order (`output.ChangedFiles`: named when first asked for)."""
    borrowed: frozenset[str] = frozenset()
    """With `languages`: the sources in other languages that the chosen languages' pages
    show (originals their translations inherit from and link to)."""
    up_to_date: bool = False
    """True when no input changed since the last build into this output: nothing was read."""
    replanned: bool = True
    """False when only article bodies changed and the build kept the last build's page
    plan (the preview server's memory or the saved model: `reuse`)."""
    valid_until: dt.datetime | None = None
    """The first moment after the build's time at which the clock alone changes the site
    (a scheduled story and its translations published, a story leaving the news
    sitemap): the preview server rebuilds then (`schedule.next_change`)."""
    next_change: NextChange | None = None
    """That moment and the article that causes it (None: only an edit changes the site)."""


class StrictWarnings(ContentError):
    """A strict build's warnings, which it treats as errors."""


def check_strict(options: BuildOptions, warnings: list[Problem]) -> None:
    """Raise the warnings as errors when the build is strict."""
    if options.strict and warnings:
        raise StrictWarnings(sorted(warnings, key=lambda p: (p.where.path, p.where.line)))


@dataclass(frozen=True)
class Started:
    """What `build` found out before deciding there is work to do."""

    seconds: float
    """`time.perf_counter()` when the build started."""
    output: Path
    now: dt.datetime
    linker: Linker
    settings: str
    """`settings_key` of the configuration."""
    inputs: str
    """`state.inputs_key` of every input file ("" in a preview server's session, which
    keeps no state for the shortcut)."""
    stats: WalkStats | None = None
    """Every input file's stat, taken for that key (the sources are not walked twice)."""
    damage: str | None = None
    """Why the last build's record (`state`) could not be read, when it could not."""
    walked: InputStats | None = None
    """The same stats as arrays, which the saved head compares with its own."""


def settings_key(config: Config, linker: Linker) -> str:
    """What rendered bodies depend on besides their own file."""
    return (f"{MARKDOWN_EXTENSIONS}|{linker.base_url}|{linker.relative}|{config.paths.content}|"
            f"{config.images}")


NOW_HELP = ("build as if the clock read this instant (ISO 8601 with a UTC offset: "
            "2030-01-01T06:00+00:00): embargoes, expiries, breaking banners and the news "
            "sitemap's window, so that shards built at different times agree")


def parse_now(text: str | None) -> dt.datetime | None:
    """`build --now`: an ISO 8601 date and time with its UTC offset (None: the clock)."""
    if text is None:
        return None
    example = "write it as 2030-01-01T06:00+00:00"
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(Problem(SourceRef("--now", 0), f"'{text}' is not an ISO 8601 date "
                                 f"and time; {example}")) from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise UsageError(Problem(SourceRef("--now", 0), f"'{text}' has no UTC offset, so "
                                 f"shards in other time zones would disagree; {example}"))
    return when
