"""The reading stage: every source read and its body rendered (or taken from the cache
or this process's last build), the model assembled and its links resolved."""

from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import replace
from pathlib import Path

from msgspec import Struct, structs

from .. import bodies
from ..config import Config
from ..crosslinks import link_articles
from ..errors import ContentError, Problems
from ..incremental.cache import BuildCache
from ..incremental.cachedamage import damage_warning
from ..incremental.memo import AssemblyMemo
from ..incremental.session import BuildMemory
from ..inputs import confinement_of
from ..model import Asset, Site
from ..read import Document, find_sources, report_unread, sources_among
from ..urls import Linker
from .assemble import Assembly, assemble
from .contentfiles import ContentFiles
from .context import BuildContext
from .frontrows import FrontRows, front_matter_of
from .options import BuildOptions, settings_key
from .parallel import default_jobs
from .prepare import Prepared, SourceReading, prepare_sources
from .renditions import PhotoLibrary


def read_sources(ctx: BuildContext, photos: PhotoLibrary,
                 front_rows: FrontRows | None = None) -> list[Prepared]:
    """Every source prepared; the sources of the last build in this process are known
    without a walk when the caller says only Markdown files changed. The front matter
    of the sources read from their files waits in `front_rows`, when given."""
    config, memory = ctx.config, ctx.memory
    known = _sources_after(ctx.options, memory, config.paths.content)
    # With the sources known, the files not in `options.changed` are taken as they were.
    paths = known if known is not None else _walk(config, memory, ctx.begun.stats)
    report_unread(memory.misnamed, memory.unread, config.paths.root, ctx.problems)
    reading = SourceReading(config.paths.content, config.paths.root, ctx.begun.linker,
                            photos, ctx.begun.stats,
                            ctx.options.changed if known is not None else None)
    prepared = prepare_sources(paths, reading, ctx.cache, memory, ctx.jobs, ctx.problems,
                               ctx.options.cluster, front_rows)
    # Lookups of photos and folders under content/ stay true while the caller says only
    # Markdown files changed there since the last build (the preview server's watcher).
    if known is None or memory.content_files is None:
        memory.content_files = ContentFiles(config.paths.content)
    return prepared


def assemble_site(ctx: BuildContext, prepared: list[Prepared], photos: PhotoLibrary,
                  front_rows: FrontRows | None = None) -> Site:
    """The model from the prepared sources, links between articles resolved; raises on
    errors. The front matter of the sources read from their files waits in
    `front_rows`, when given."""
    known = _Known(photos, ctx.cache.data.assembly, ctx.memory.content_files, front_rows)
    site = _assemble(prepared, ctx.config, ctx.options, ctx.begun.now, ctx.problems, known)
    # Only a long-running process looks at the memo again: a command-line build would
    # hold every article's version before its links were resolved in it (issue 19).
    memo = ctx.memory.links_memo if ctx.options.session is not None else None
    site = link_articles(site, {p.doc.path: p.entry.links for p in prepared if p.entry.links},
                         ctx.begun.linker, ctx.config.paths.root, ctx.problems, memo)
    ctx.problems.raise_if_any(ContentError)
    return site


def load_site(config: Config, options: BuildOptions, now: dt.datetime,
              problems: Problems) -> Site:
    """Read, validate and assemble the content, with rendered bodies; raises on errors.
    For tools that need the model without writing a site (`translations`)."""
    linker = Linker(config.site.base_url, config.site.relative_urls)
    cache = BuildCache.open(config.paths.cache, settings_key(config, linker))
    damage = cache.take_damage()
    if damage:
        problems.warnings.append(damage_warning(config.paths.cache, config.paths.root,
                                                damage))
    bodies.use(cache.bodies)
    jobs = options.jobs or default_jobs()
    memory = BuildMemory()
    paths = _walk(config, memory, None)
    report_unread(memory.misnamed, memory.unread, config.paths.root, problems)
    reading = SourceReading(config.paths.content, config.paths.root, linker)
    prepared = prepare_sources(paths, reading, cache, memory, jobs, problems)
    site = _assemble(prepared, config, options, now, problems)
    site = link_articles(site, {p.doc.path: p.entry.links for p in prepared if p.entry.links},
                         linker, config.paths.root, problems)
    problems.raise_if_any(ContentError)
    return site


def _walk(config: Config, memory: BuildMemory,
          stats: dict[str, os.stat_result] | None) -> list[Path]:
    """Every source under content/ (from the stats taken for the build's key, when it
    took them); the files not read are noted in `memory`."""
    # Every language is read even with --lang: translations inherit fields (a photo, tags)
    # from originals in other languages. Only the pages of the chosen ones are written.
    memory.misnamed, memory.unread = [], []
    content, rules = config.paths.content, confinement_of(config)
    if stats is not None:
        return sources_among(stats, content, memory.misnamed, memory.unread, rules)
    return find_sources(content, memory.misnamed, memory.unread, rules)


def _sources_after(options: BuildOptions, memory: BuildMemory, content: Path
                   ) -> list[Path] | None:
    """The sources of the last build in this session updated with the files the caller
    says changed, when that is enough to know them: only Markdown files changed in the
    content folder (a photo, a folder or a misnamed file means looking at the disk)."""
    changed, previous = options.changed, memory.prepared_paths
    if options.session is None or changed is None or not previous:
        return None
    prefix = str(content) + os.sep
    sources = []
    for path in changed:
        text = str(path)
        if not text.startswith(prefix):
            continue  # a template, a catalog, the config: not a source
        if not path.name.endswith(".md") or any(
                part.startswith(".") for part in text[len(prefix):].split(os.sep)):
            return None
        sources.append(path)
    if not sources:
        return previous
    if not all(_is_plain_file_or_gone(p) for p in sources):
        return None  # a named pipe, a link: the walk says what it is, nothing opens it
    known = set(previous)
    gone = {p for p in sources if p in known and not p.exists()}
    added = [p for p in sources if p not in known and p.exists()]
    if not gone and not added:
        return previous
    kept = [p for p in previous if p not in gone]
    return sorted(kept + added, key=lambda p: _walk_order(p, content)) if added else kept


def _is_plain_file_or_gone(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except FileNotFoundError:
        return True


def _walk_order(path: Path, content: Path) -> list[tuple[int, str]]:
    """`find_sources` order: folders by name, and in each folder its files before its
    subfolders."""
    *folders, name = path.relative_to(content).parts
    return [(1, folder) for folder in folders] + [(0, name)]


class _Known(Struct, frozen=True):
    """What a build knows beside the sources: the photos read, what assembling made of
    each source last time, the lookups of files under content/."""

    photos: PhotoLibrary | None = None
    memo: AssemblyMemo | None = None
    files: ContentFiles | None = None
    rows: FrontRows | None = None
    """Where the front matter of the sources read from their files waits."""


_NOTHING_KNOWN = _Known()


def _assemble(prepared: list[Prepared], config: Config, options: BuildOptions,
              now: dt.datetime, problems: Problems, known: _Known = _NOTHING_KNOWN) -> Site:
    by_path = {p.doc.path: p for p in prepared}
    photos = known.photos
    # The front matter waiting as the cache's rows (`frontrows`) is read from a copy of
    # its document made as its fields are read: nothing after reads it again. Another
    # source's is in its document: its own, or the cache's table's.
    rows = known.rows
    waiting = rows is not None and any(p.front_row is not None for p in prepared)

    def fields_wanted(doc: Document) -> Document:
        row = by_path[doc.path].front_row
        return doc if row is None else replace(doc, meta=front_matter_of(rows.blob(row)))

    site = assemble([p.doc for p in prepared], config, now, problems, Assembly(
        drafts=options.drafts, future=options.future,
        bodies={path: p.body_id for path, p in by_path.items()},
        plan_image=photos.plan_image if photos else None, memo=known.memo, files=known.files,
        fields_wanted=fields_wanted if waiting else None))
    # Body images are published with the articles that use them.
    assets = {a.source: a for a in site.assets}
    for article in site.articles:
        for image in by_path[article.source_file].images:
            assets[image.source] = Asset(image.source, image.url)
    return structs.replace(site, assets=tuple(sorted(assets.values(), key=lambda a: a.url)))
