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
import time
from dataclasses import replace
from pathlib import Path

from .. import locales_dirs_for
from ..bodies import BodyMissing
from ..config import Config
from ..errors import Problem, Problems, SourceRef, UsageError, display_path
from ..incremental import state
from ..incremental.cachedamage import CacheDamaged, damage_warning
from ..incremental.collector import long_lived
from ..inputs import confinement_of
from ..site_files import identity_files
from ..urls import Linker
from . import schedule
from .options import (  # noqa: F401 - the build's options and result, named here too
    BuildOptions,
    BuildResult,
    Started,
    StrictWarnings,
    check_strict,
    settings_key,
)
from .write import check_output_dir, read_build_id, recover


def build(config: Config, options: BuildOptions = BuildOptions()) -> BuildResult:  # noqa: B008 - frozen
    started = time.perf_counter()
    output = (options.output or config.paths.output).resolve()
    recover(output)  # a build killed while committing: finish its commit first
    _check_output(output, config)
    _check_shard(options.shard, config)
    now = options.now or dt.datetime.now(dt.UTC)
    linker = Linker(config.site.base_url, config.site.relative_urls)
    settings = settings_key(config, linker)
    # The preview server builds when its watcher saw a change: no shortcut to look for.
    inputs, stats, walked, damage = "", None, None, None
    if options.session is None:
        inputs, newest, stats = state.inputs_key(
            [config.paths.content, config.theme_dir, *locales_dirs_for(config.paths.locales)],
            [config.config_path, *identity_files(config)],
            repr((settings, config.source_text, options.drafts, options.future,
                  options.languages, options.shard)) + _pinned(options),
            (config.paths.content, confinement_of(config)), config.paths.cache)
        previous, damage = ((None, None) if options.clean
                            else state.load(config.paths.cache, output))
        if state.is_current(previous, inputs, newest, now, read_build_id(output)):
            result = _unchanged(previous, output, started)
            check_strict(options, result.warnings)
            return result
        walked = state.input_stats(stats)
    # Something changed: now the stages are worth importing.
    with long_lived():
        from . import stages

    begun = Started(started, output, now, linker, settings, inputs, stats, damage, walked)
    try:
        return stages.run(config, options, begun)
    except (BodyMissing, CacheDamaged) as exc:
        # The cache named a rendered body its store no longer holds, or rows of the store
        # read during the build (a table, the saved model) could not be read. Nothing was
        # written: forget it, build afresh.
        if options.session is not None:
            options.session.forget()
        _forget_cache(config)
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
    from . import reading

    try:
        return reading.load_site(config, options, now, problems)
    except CacheDamaged as exc:
        _forget_cache(config)
        site = reading.load_site(config, options, now, problems)
        problems.warnings.append(damage_warning(config.paths.cache, config.paths.root,
                                                str(exc)))
        return site


def _forget_cache(config: Config) -> None:
    # Imported here: the cache's tables (and the model they hold) are the stages' to
    # read; a build with nothing to do never needs them.
    from ..incremental.cache import BuildCache

    BuildCache.discard(config.paths.cache)


def _pinned(options: BuildOptions) -> str:
    """A build at a given instant (`build --now`) is up to date only at that instant: its
    site may differ from the clock's, and from another instant's before a scheduled
    change as well as after it."""
    return f"|now={options.now.isoformat()}" if options.pinned and options.now else ""


def _check_shard(shard: tuple[str, ...], config: Config) -> None:
    unknown = [code for code in shard if code not in config.language_codes]
    if unknown:
        raise UsageError(Problem(SourceRef("--lang", 0), "unknown language code{} {}: {} "
                                 "has {}".format("s" if len(unknown) > 1 else "",
                                                 ", ".join(unknown), config.config_path.name,
                                                 ", ".join(config.language_codes))))


def _check_output(output: Path, config: Config) -> None:
    root = config.paths.root.resolve()
    if output == root or root.is_relative_to(output):
        raise UsageError(Problem(SourceRef(display_path(output, root) if output != root
                                           else "./", 0), "refusing to build into the "
                         "site's own folder; choose an output folder such as site/"))
    check_output_dir(output, [config.paths.content, config.paths.themes,
                              config.paths.locales, config.config_path.parent / ".git",
                              config.paths.cache], root=root)


