"""The build, from configuration to a swapped-in output folder, as a list of stages."""

from __future__ import annotations

import datetime as dt
import gettext
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import urls
from .assemble import assemble, with_bodies
from .catalogs import SOURCE_LANGUAGE, UiStrings, load_translations, locales_dir_for
from .config import Config
from .discovery import discovery_files
from .errors import ContentError, Problem, Problems, SourceRef, UsageError
from .markup import render_body
from .model import Article, Asset, Site
from .pages import plan_pages
from .read import find_sources, read_document
from .render import make_environment, render_page
from .urls import Linker
from .views import LanguageView
from .write import StagedOutput, check_output_dir


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


@dataclass
class BuildResult:
    output: Path
    pages: int
    files: int
    seconds: float
    held_back: tuple[tuple[Article, str], ...] = ()
    warnings: list[Problem] = field(default_factory=list)
    fallbacks: dict[str, int] = field(default_factory=dict)


def load_site(config: Config, options: BuildOptions, now: dt.datetime,
              problems: Problems) -> Site:
    """Read, validate and assemble the content, with rendered bodies; raises on errors."""
    # Read and validate every file before writing anything: errors are reported together.
    docs = [doc for path in find_sources(config.paths.content)
            if (doc := read_document(path, config.paths.content, config.paths.root, problems))]
    if options.languages:
        docs = [d for d in docs if d.parts[0] in options.languages]
    site = assemble(docs, config, now, problems, drafts=options.drafts, future=options.future)
    linker = Linker(config.site.base_url, config.site.relative_urls)
    site = _render_bodies(site, linker, problems)
    problems.raise_if_any(ContentError)
    return site


def build(config: Config, options: BuildOptions = BuildOptions()) -> BuildResult:
    started = time.perf_counter()
    output = (options.output or config.paths.output).resolve()
    _check_output(output, config)
    now = options.now or dt.datetime.now(dt.UTC)
    problems = Problems()
    site = load_site(config, options, now, problems)
    linker = Linker(config.site.base_url, config.site.relative_urls)

    views = _make_views(site, config, problems, options.languages)
    pages = plan_pages(views, config.site.default_language)
    env = make_environment(config.theme_dir)
    static_files = _theme_static_files(config.theme_dir)
    assets = {name: urls.static(name) for name in static_files}

    staged = StagedOutput(output)
    try:
        for page in pages:
            html = render_page(env, page, views[page.lang], linker, config.theme_dir,
                               config.paths.root, assets)
            staged.write(page.file, html)
        for file, data in discovery_files(site, views, pages, linker, now):
            staged.write(file, data)
        for name, source in static_files.items():
            staged.copy(assets[name], source)
        for asset in site.assets:
            staged.copy(asset.url, asset.source)
        staged.commit()
    except BaseException:
        staged.discard()
        raise
    fallbacks = {code: len(view.strings.fallbacks) for code, view in views.items()
                 if view.strings.fallbacks}
    return BuildResult(
        output=output, pages=len(pages), files=len(pages) + len(static_files) + len(site.assets),
        seconds=time.perf_counter() - started, held_back=site.held_back,
        warnings=problems.warnings, fallbacks=fallbacks,
    )


def _check_output(output: Path, config: Config) -> None:
    root = config.paths.root.resolve()
    if output == root or root.is_relative_to(output):
        raise UsageError(Problem(SourceRef(str(output), 1), "refusing to build into the "
                         "site's own folder; choose an output folder such as site/"))
    check_output_dir(output, [config.paths.content, config.paths.themes,
                              config.paths.locales, config.config_path.parent / ".git"])


def _render_bodies(site: Site, linker: Linker, problems: Problems) -> Site:
    bodies: dict[str, str] = {}
    extra: dict[Path, Asset] = {}
    for article in site.articles:
        html, used = render_body(article, site.config.paths.content, linker, problems)
        bodies[article.url] = html
        for source, url in used:
            extra[source] = Asset(source, url)
    site = with_bodies(site, bodies)
    merged = {a.source: a for a in site.assets} | extra
    return replace(site, assets=tuple(sorted(merged.values(), key=lambda a: a.url)))


def _make_views(site: Site, config: Config, problems: Problems,
                only: tuple[str, ...]) -> dict[str, LanguageView]:
    locales_dir = locales_dir_for(config.paths.locales)
    default = config.site.default_language
    cache = config.paths.cache / "catalogs"
    default_strings = load_translations(locales_dir, default, config.paths.root, problems,
                                        cache)
    views = {}
    for language in config.languages:
        if only and language.code not in only:
            continue
        own = (default_strings if language.code == default
               else load_translations(locales_dir, language.code, config.paths.root, problems,
                                     cache))
        fallback = default_strings if language.code != default else None
        strings = UiStrings(own=own, fallback=fallback or gettext.NullTranslations(),
                            count_fallbacks=language.code != SOURCE_LANGUAGE)
        views[language.code] = LanguageView(site, language, strings)
    return views


def _theme_static_files(theme_dir: Path) -> dict[str, Path]:
    static = theme_dir / "static"
    if not static.is_dir():
        return {}
    return {p.relative_to(static).as_posix(): p for p in sorted(static.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}
