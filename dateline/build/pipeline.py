"""The build, from configuration to a published output folder.

`build` first asks whether anything changed since the last build into the output folder
(a walk of `stat` calls, see `state`); only when something did are the stages imported
and run (`stages`: Markdown, Jinja2, Pillow, Babel's catalogs), so a build with nothing
to do answers in the time it takes Python to start.

A clean build writes a fresh tree beside the output and swaps it in. When the build
cache knows what the output folder holds, only pages whose inputs changed are rendered,
only files whose bytes changed are written, and files the site no longer has are
removed: the result is byte-identical to a clean build either way.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import locales_dirs_for
from ..bodies import MARKDOWN_EXTENSIONS, BodyMissing
from ..config import Config
from ..errors import ContentError, Problem, Problems, SourceRef, UsageError, display_path
from ..incremental import state
from ..incremental.cache import BuildCache, BuildSession, CacheDamaged
from ..incremental.cachedamage import damage_warning
from ..incremental.collector import long_lived
from ..inputs import confinement_of
from ..urls import Linker
from . import schedule
from .schedule import NextChange
from .write import check_output_dir, read_build_id, recover


@dataclass(frozen=True)
class BuildOptions:
    output: Path | None = None
    """Where to write the site (default: paths.output of the config)."""
    drafts: bool = False
    future: bool = False
    now: dt.datetime | None = None
    """The build time (default: now); decides what counts as future."""
    languages: tuple[str, ...] = ()
    """Build only these languages (default: all)."""
    jobs: int = 0
    """Worker processes (default: one per core); 1 renders in this process."""
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
    fingerprint_assets: bool = True
    """Content-hashed names for theme assets; the preview server turns it off so that
    a stylesheet edit changes the stylesheet alone and can be swapped without a reload."""


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
    changed_files: tuple[str, ...] = ()
    borrowed: frozenset[str] = frozenset()
    """With `languages`: the sources in other languages that the chosen languages' pages
    show (originals their translations inherit from and link to)."""
    up_to_date: bool = False
    """True when no input changed since the last build into this output: nothing was read."""
    replanned: bool = True
    """False when only article bodies changed and the build kept the last build's page
    plan (the preview server's, `lastbuild`, or the saved one, `savedbuild`)."""
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
    stats: dict[str, os.stat_result] | None = None
    """Every input file's stat, taken for that key (the sources are not walked twice)."""
    damage: str | None = None
    """Why the last build's record (`state`) could not be read, when it could not."""


def build(config: Config, options: BuildOptions = BuildOptions()) -> BuildResult:
    started = time.perf_counter()
    output = (options.output or config.paths.output).resolve()
    recover(output)  # a build killed while committing: finish its commit first
    _check_output(output, config)
    now = options.now or dt.datetime.now(dt.UTC)
    linker = Linker(config.site.base_url, config.site.relative_urls)
    settings = settings_key(config, linker)
    # The preview server builds when its watcher saw a change: no shortcut to look for.
    inputs, stats, damage = "", None, None
    if options.session is None:
        inputs, newest, stats = state.inputs_key(
            [config.paths.content, config.theme_dir, *locales_dirs_for(config.paths.locales)],
            [config.config_path], repr((settings, config.source_text,
                                        options.drafts, options.future, options.languages,
                                        options.fingerprint_assets)),
            (config.paths.content, confinement_of(config)))
        previous, damage = ((None, None) if options.clean
                            else state.load(config.paths.cache, output))
        if state.is_current(previous, inputs, newest, now, read_build_id(output)):
            result = _unchanged(previous, output, started)
            check_strict(options, result.warnings)
            return result
    # Something changed: now the stages are worth importing.
    with long_lived():
        from . import stages

    begun = Started(started, output, now, linker, settings, inputs, stats, damage)
    try:
        return stages.run(config, options, begun)
    except (BodyMissing, CacheDamaged) as exc:
        # The cache named a rendered body its store no longer holds, or a table of it or
        # the saved model read during the build could not be read (its index and journal
        # were checked when it was opened). Nothing was written: forget it, build afresh.
        if options.session is not None:
            options.session.forget()
        from . import savedbuild

        BuildCache.discard(config.paths.cache)
        savedbuild.discard(config.paths.cache)
        if isinstance(exc, CacheDamaged):  # said by the build afresh, in its one warning
            begun = replace(begun, damage="; ".join(filter(None, (begun.damage, str(exc)))))
        return stages.run(config, replace(options, clean=True), begun)


def _unchanged(previous: dict, output: Path, started: float) -> BuildResult:
    """The result of a build that found nothing to do, with the last build's summary."""
    return BuildResult(
        output=output, pages=previous["pages"], files=previous["files"],
        seconds=time.perf_counter() - started,
        held_back=tuple((SourceRef(path, line), why)
                        for path, line, why in previous["held_back"]),
        warnings=state.problems_from_json(previous["warnings"]),
        fallbacks=previous["fallbacks"],
        label_fallbacks=previous.get("label_fallbacks", {}), unchanged=previous["files"],
        incremental=True,
        up_to_date=True, valid_until=dt.datetime.fromisoformat(previous["valid_until"]),
        next_change=schedule.from_record(previous),
    )


def load_site(config: Config, options: BuildOptions, now: dt.datetime,
              problems: Problems):
    """Read, validate and assemble the content, with rendered bodies; raises on errors.
    For tools that need the model without writing a site (`translations`)."""
    from . import savedbuild, stages

    try:
        return stages.load_site(config, options, now, problems)
    except CacheDamaged as exc:
        BuildCache.discard(config.paths.cache)
        savedbuild.discard(config.paths.cache)
        site = stages.load_site(config, options, now, problems)
        problems.warnings.append(damage_warning(config.paths.cache, config.paths.root,
                                                str(exc)))
        return site


def settings_key(config: Config, linker: Linker) -> str:
    """What rendered bodies depend on besides their own file."""
    return (f"{MARKDOWN_EXTENSIONS}|{linker.base_url}|{linker.relative}|{config.paths.content}|"
            f"{config.images}")


def _check_output(output: Path, config: Config) -> None:
    root = config.paths.root.resolve()
    if output == root or root.is_relative_to(output):
        raise UsageError(Problem(SourceRef(display_path(output, root) if output != root
                                           else "./", 0), "refusing to build into the "
                         "site's own folder; choose an output folder such as site/"))
    check_output_dir(output, [config.paths.content, config.paths.themes,
                              config.paths.locales, config.config_path.parent / ".git",
                              config.paths.cache], root=root)


